"""Property test: every query and path parameter of the REST API (read from the OpenAPI document) and every
argument of the GraphQL schema (read from the schema, input objects' fields too), given dates at the edges of
what can be represented (years 1 and 9999, offsets up to ±14 hours, time zones with odd historic offsets)
and numbers in digits other than ASCII: never a 5xx, every REST error in the one shape, and never an
unexpected error in a GraphQL answer."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    get_named_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.rest.openapi import DOCUMENT
from api.schema import schema as graphql_schema
from tests.factories import add_connector

DAYS = ["0001-01-01", "0001-01-02", "0001-01-08", "9999-12-24", "9999-12-30", "9999-12-31", "2026-11-20"]
TIMES = ["", "T00:00:00", "T23:59:59", "T23:00", "T12:00:00.999999"]
OFFSETS = ["", "Z", "+14:00", "-14:00", "+01:00", "-05:00", "+13:59"]
ZONES = ["UTC", "Pacific/Kiritimati", "Etc/GMT+12", "America/Adak", "Asia/Manila", "Europe/Berlin", "Nope/Nowhere"]
DIGITS = "0123456789²³¹١٠٣５９０𝟗߁"  # noqa: RUF001

moments = st.builds(
    lambda day, time, offset: day + time + (offset if time else ""),
    st.sampled_from(DAYS),
    st.sampled_from(TIMES),
    st.sampled_from(OFFSETS),
)
numbers = (
    st.text(alphabet=DIGITS, min_size=1, max_size=6)
    | st.sampled_from(["0", "1", "5000", "5001", "9" * 19, "9" * 30, "9" * 5000, " 1", "1_0", "-1", "+1", "1\n"])
    | st.builds(
        lambda a, b: f"{a}-{b}", st.text(alphabet=DIGITS, min_size=1, max_size=20), st.text(DIGITS, max_size=20)
    )
)
values = moments | numbers | st.sampled_from(ZONES) | st.text(max_size=8)
for_name = {"from": moments, "to": moments, "since": moments, "time_zone": st.sampled_from(ZONES)}

# Every operation of the document that takes parameters, and the body it needs to reach them
OPERATIONS = {
    (method, path): [(p["name"], p["in"]) for p in operation["parameters"]]
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if operation.get("parameters")
}
BODIES = {
    ("put", "/api/v1/connectors/{connector_id}/rules"): {"rules": []},
    ("post", "/api/v1/insights/{insight_id}/dismiss"): {"reason": "r"},
    ("patch", "/api/v1/webhooks/{webhook_id}"): {"description": "d"},
}


def test_every_operation_with_parameters_is_driven() -> None:
    with_body = {key for key in OPERATIONS if "requestBody" in DOCUMENT["paths"][key[1]][key[0]]}
    assert with_body == set(BODIES)
    names = {name for parameters in OPERATIONS.values() for name, _ in parameters}
    assert {"after", "since", "limit", "time_zone", "policy_domain", "id", "connector_id"} <= names


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, dict[str, str]]:
    method, path = draw(st.sampled_from(sorted(OPERATIONS)))
    params: dict[str, str] = {}
    for name, where in OPERATIONS[method, path]:
        if where == "path":
            path = path.replace(f"{{{name}}}", quote(draw(numbers | values), safe=""))
        elif draw(st.booleans()):
            params[name] = draw(for_name.get(name, values) | values)
    return method, path, params


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(requests())
async def test_rest_parameters_never_answer_a_5xx(
    client: httpx.AsyncClient, request: tuple[str, str, dict[str, str]]
) -> None:
    method, path, params = request
    template = next(key for key in OPERATIONS if key[0] == method and _matches(key[1], path))
    response = await client.request(method, path, params=params, json=BODIES.get(template))
    assert response.status_code < 500, (method, path, params, response.text)
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}


def _matches(template: str, path: str) -> bool:
    head, _, tail = template.partition("{")
    return path.startswith(head) and path.endswith(tail.partition("}")[2])


# GraphQL: every field that takes arguments (the roots' and nested ones), with values for its arguments'
# types; a scalar or enum picks what the REST parameters get, or a value of the wrong kind.
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "DateTime": moments | values,
    "Date": st.sampled_from(DAYS) | values,
    "String": values,
    "ID": numbers | values | st.integers(-(2**70), 2**70),
    "Int": st.integers(-(2**40), 2**40) | st.sampled_from([0, 1, 1000, 1001, 2**31 - 1]) | numbers,
    "Float": st.floats(allow_nan=False, allow_infinity=False) | st.integers(-1, 101),
    "Boolean": st.booleans(),
}


def _argument_values(kind: GraphQLInputType) -> st.SearchStrategy[Any]:
    if isinstance(kind, GraphQLNonNull):
        return _argument_values(kind.of_type)
    if isinstance(kind, GraphQLList):
        return st.lists(_argument_values(kind.of_type), max_size=3)
    if isinstance(kind, GraphQLEnumType):
        return st.sampled_from(sorted(kind.values)) | values
    if isinstance(kind, GraphQLInputObjectType):
        required = {n: _argument_values(f.type) for n, f in kind.fields.items() if isinstance(f.type, GraphQLNonNull)}
        optional = {n: _argument_values(f.type) for n, f in kind.fields.items() if n not in required}
        return st.fixed_dictionaries(required, optional=optional)
    assert isinstance(kind, GraphQLScalarType)
    return SCALARS[kind.name]


def _selection(kind: GraphQLOutputType) -> str:
    """The smallest selection of a field of this type: its first field without arguments, down to a scalar."""
    named: GraphQLNamedType = get_named_type(kind)
    if not isinstance(named, GraphQLObjectType):
        return ""
    name, field = next((n, f) for n, f in named.fields.items() if not f.args)
    return f"{{ {name} {_selection(field.type)} }}"


def _query(operation: str, path: list[str], field: GraphQLField, name: str) -> str:
    variables = ", ".join(f"${a}: {t.type}" for a, t in field.args.items())
    arguments = ", ".join(f"{a}: ${a}" for a in field.args)
    inner = f"{name}({arguments}) {_selection(field.type)}"
    for outer in reversed(path):
        inner = f"{outer} {{ {inner} }}"
    return f"{operation}({variables}) {{ {inner} }}"


def _fields() -> dict[str, tuple[str, GraphQLField]]:
    """Every field with arguments, by a name, with the document that reaches it."""
    core = graphql_schema._schema
    found = {}
    for operation, root in (("query", core.query_type), ("mutation", core.mutation_type)):
        assert root is not None
        for name, field in root.fields.items():
            if field.args:
                found[name] = (_query(operation, [], field, name), field)
    connector = core.type_map["Connector"]
    assert isinstance(connector, GraphQLObjectType)
    for name, field in connector.fields.items():  # reached through the connectors (the test makes one)
        if field.args:
            found[f"Connector.{name}"] = (_query("query", ["connectors"], field, name), field)
    return found


FIELDS = _fields()


def test_every_argument_is_driven() -> None:
    core = graphql_schema._schema
    nested = {
        f"{type_name}.{name}"
        for type_name, kind in core.type_map.items()
        if isinstance(kind, GraphQLObjectType)
        and type_name not in ("Query", "Mutation", "Subscription")
        and type_name[:2] != "__"
        for name, field in kind.fields.items()
        if field.args
    }
    assert {name for name in FIELDS if "." in name} == nested
    assert {"tlsBreakdown", "tlsReportList", "ingestMessages", "updateInsightThresholds"} <= set(FIELDS)


@st.composite
def graphql_requests(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(FIELDS)))
    _, field = FIELDS[name]
    required = {a: _argument_values(t.type) for a, t in field.args.items() if isinstance(t.type, GraphQLNonNull)}
    optional = {a: _argument_values(t.type) for a, t in field.args.items() if a not in required}
    return name, draw(st.fixed_dictionaries(required, optional=optional))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(graphql_requests())
async def test_graphql_arguments_never_fail_unexpectedly(
    client: httpx.AsyncClient, request: tuple[str, dict[str, Any]]
) -> None:
    name, variables = request
    if name.startswith("Connector.") and not (await client.get("/api/v1/connectors")).json()["connectors"]:
        await add_connector(client, "Fabrikam", "inbound", "partner")
    response = await client.post("/graphql", json={"query": FIELDS[name][0], "variables": variables})
    assert response.status_code < 500, response.text
    codes = {e["extensions"]["code"] for e in response.json().get("errors", [])}
    assert "INTERNAL_SERVER_ERROR" not in codes, (name, variables, response.text)
