"""The OpenAPI 3.1 document, built from the contract's declarations (one module per resource) and the route
table: the routes give the paths, methods, path parameters and the role each method needs; the declarations
the query parameters, bodies, answers and refusals, whose JSON Schemas msgspec derives from their types.
Built the same, byte for byte, on every run (sorted components, the routes' order)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import Any

import msgspec
from starlette.routing import BaseRoute, Route

from api import __version__
from api.contract import (
    accepted_domains,
    connectors,
    health,
    insights,
    mailboxes,
    messages,
    openapi,
    remote_domains,
    tls_reports,
    tlsrpt_endpoints,
    traffic_reports,
    transit_security,
    webhooks,
)
from api.contract.common import COMMON_REFUSALS, Error, Id, Operation, Schema, schema_hook

RESOURCES: Sequence[ModuleType] = (
    health,
    messages,
    connectors,
    traffic_reports,
    remote_domains,
    transit_security,
    insights,
    tls_reports,
    webhooks,
    tlsrpt_endpoints,
    mailboxes,
    accepted_domains,
    openapi,
)
REF = "#/components/schemas/{name}"
_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def operations() -> dict[tuple[str, str], tuple[str, Operation]]:
    """Every declared operation by (method, path), with its resource's tag."""
    found: dict[tuple[str, str], tuple[str, Operation]] = {}
    for module in RESOURCES:
        for operation in module.OPERATIONS:
            key = (operation.method, operation.path)
            if key in found:
                raise ValueError(f"{key} is declared twice")
            found[key] = (module.TAG, operation)
    return found


def routed(routes: Iterable[BaseRoute]) -> dict[tuple[str, str], str | None]:
    """(method, path) of every route (path without converters), and the role its handler requires (None: no
    API key needed). api/rest/routes.py's `route` and api/rest/http.py's `requires` hold them in closures."""
    found: dict[tuple[str, str], str | None] = {}
    for item in routes:
        if not isinstance(item, Route):
            continue
        by_method = inspect.getclosurevars(item.endpoint).nonlocals.get("by_method")
        if not isinstance(by_method, dict):
            raise TypeError(f"{item.path} is not made by api.rest.routes.route()")
        for method, handler in by_method.items():
            role = inspect.getclosurevars(handler).nonlocals.get("role")
            found[method, _PARAMETER.sub(r"{\1}", item.path)] = role if isinstance(role, str) else None
    return found


def _kinds(operation: Operation) -> list[Any]:
    kinds: list[Any] = [] if operation.query is None else [operation.query]
    if operation.body is not None:
        kinds += operation.body.content.values()
    for answer in operation.answers.values():
        kinds += answer.content.values()
    return kinds


def _components_of(schema: Any) -> Iterable[str]:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            yield ref.rsplit("/", 1)[1]
        for value in schema.values():
            yield from _components_of(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _components_of(value)


def build(routes: Iterable[BaseRoute]) -> dict[str, Any]:
    """The document of `routes`; an error names a route without a declared operation, or the reverse."""
    declared = operations()
    roles = routed(routes)
    if set(declared) != set(roles):
        raise ValueError(
            f"routes without an operation in api/contract/: {sorted(set(roles) - set(declared))}; "
            f"operations without a route: {sorted(set(declared) - set(roles))}"
        )
    kinds: list[Any] = [Error]
    for _, operation in declared.values():
        kinds += (kind for kind in _kinds(operation) if kind not in kinds)
    schemas, components = msgspec.json.schema_components(kinds, schema_hook=schema_hook, ref_template=REF)
    schema_of = dict(zip(map(_key, kinds), schemas, strict=True))
    queries = {operation.query.__name__ for _, operation in declared.values() if operation.query is not None}
    error = schema_of[_key(Error)]
    id_schema = msgspec.json.schema(Id)
    inlines: set[str] = set()  # components written out where used (only there)

    def inlined(kind: Any, inline: bool) -> dict[str, Any]:
        schema: dict[str, Any] = schema_of[_key(kind)]
        if inline and "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            inlines.add(name)
            return {key: value for key, value in components[name].items() if key != "title"}
        return schema

    def parameters(operation: Operation) -> list[dict[str, Any]]:
        found = [
            {"name": name, "in": "path", "required": True, "schema": operation.path_parameters.get(name, id_schema)}
            for name in _PARAMETER.findall(operation.path)
        ]
        if operation.query is not None:
            query = components[operation.query.__name__]
            for name, schema in query["properties"].items():
                schema = dict(schema)
                description = schema.pop("description", "")
                required = name in query.get("required", ())
                found.append({"name": name, "in": "query", "required": required, "description": description,
                              "schema": schema})  # fmt: skip
        return found

    def document_of(tag: str, operation: Operation, role: str | None) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for status, answer in operation.answers.items():
            content = {media: {"schema": inlined(kind, answer.inline)} for media, kind in answer.content.items()}
            answers[str(status)] = {"description": answer.description, **({"content": content} if content else {})}
        refusals = {**operation.refusals, **(COMMON_REFUSALS if role else {})}
        for status, description in refusals.items():
            answers[str(status)] = {"description": description, "content": {"application/json": {"schema": error}}}
        described: dict[str, Any] = {"tags": [tag], "summary": operation.summary}
        said = [operation.description, f"Needs a key with the {role} role or higher." if role else ""]
        if description := "\n\n".join(text for text in said if text):
            described["description"] = description
        if not role:
            described["security"] = []
        if found := parameters(operation):
            described["parameters"] = found
        if operation.body is not None:
            content = {media: {"schema": schema_of[_key(kind)]} for media, kind in operation.body.content.items()}
            described["requestBody"] = {"required": operation.body.required, "content": content}
        described["responses"] = dict(sorted(answers.items()))
        return described

    paths: dict[str, dict[str, Any]] = {}
    for method, path in roles:
        tag, operation = declared[method, path]
        paths.setdefault(path, {})[method.lower()] = document_of(tag, operation, roles[method, path])
    used = set(_components_of(paths))
    for name in sorted(components):  # the components the answers and bodies refer to, through others too
        if name not in queries:
            used.update(_components_of(components[name]))
    named = {k.__name__: dict(k.SCHEMA) for k in _schema_types() if k.COMPONENT and k.__name__ in used}
    dropped = queries | (inlines - used)  # parameters, and what is written out where used
    kept = {name: schema for name, schema in {**components, **named}.items() if name not in dropped}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mailflow",
            "version": __version__,
            "description": "How well an organization's mail is protected in transit. GraphQL: /graphql.",
        },
        "tags": [{"name": module.TAG, "description": _first_line(module)} for module in RESOURCES],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(kept.items())),
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer", "description": "mf_… API key"}},
        },
        "security": [{"apiKey": []}],
    }


def _key(kind: Any) -> str:
    """Types compare equal but do not all hash (Annotated's metadata): their repr is their key."""
    return repr(kind)


def _schema_types() -> list[type[Schema]]:
    found: list[type[Schema]] = []
    pending = list(Schema.__subclasses__())
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending += kind.__subclasses__()
    return sorted(found, key=lambda k: k.__name__)


def _first_line(module: ModuleType) -> str:
    return (module.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
