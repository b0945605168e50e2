"""Differences between two OpenAPI documents in what they accept and refuse, not in their wording: the path
and method sets, each operation's parameters (name, place, required, schema), request bodies and answers
(media types and schemas), status codes and security. Schemas are compared after resolving $refs and
rewriting each into one canonical form: a set of alternatives, each one JSON type with only the keywords
that apply to it (so `{"type": ["string", "null"], "maxLength": 3}` and `anyOf: [{"type": "string",
"maxLength": 3}, {"type": "null"}]` are alike); annotations (description, title, default, examples,
discriminator) are dropped.

    python -m tests.rest.openapi_diff OLD.json [NEW.json]   # NEW: the document this checkout builds

Porting a branch that still edits the hand-written document: on it, write its document out
(`python -c 'import json; from api.rest.openapi import DOCUMENT; print(json.dumps(DOCUMENT))' > old.json`),
declare the new paths in api/contract/ here, and run this on old.json until it prints nothing (or only
what is wrong about the server there).
"""

from __future__ import annotations

import json
import sys
from typing import Any

TYPES = ("null", "boolean", "object", "array", "number", "integer", "string")
APPLIES = {
    "string": {"pattern", "minLength", "maxLength", "format", "contentMediaType", "contentEncoding"},
    "number": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"},
    "integer": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"},
    "array": {"items", "minItems", "maxItems", "uniqueItems", "prefixItems"},
    "object": {"properties", "required", "additionalProperties", "minProperties", "maxProperties", "propertyNames"},
    "null": set(),
    "boolean": set(),
}
ANNOTATIONS = {"description", "title", "default", "examples", "discriminator", "readOnly", "writeOnly", "$comment"}


class Resolver:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, schema: Any) -> Any:
        while isinstance(schema, dict) and "$ref" in schema:
            target: Any = self.document
            for part in schema["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            schema = {**{k: v for k, v in schema.items() if k != "$ref"}, **target}
        return schema

    def canon(self, schema: Any, seen: tuple[str, ...] = ()) -> Any:
        """The canonical form: a sorted tuple of alternatives (each a sorted tuple of (keyword, value)); True
        for any value."""
        if schema is True or schema == {}:
            return True
        if schema is False:
            return ()
        if isinstance(schema, dict) and "$ref" in schema:
            if schema["$ref"] in seen:  # a recursive schema: compare by name
                return ("$ref", schema["$ref"])
            seen = (*seen, schema["$ref"])
        schema = {k: v for k, v in self.resolve(schema).items() if k not in ANNOTATIONS}
        branches: list[Any] = []
        if "anyOf" in schema or "oneOf" in schema:
            rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
            for branch in schema.get("anyOf", []) + schema.get("oneOf", []):
                merged = {**rest, **{k: v for k, v in self.resolve(branch).items() if k not in ANNOTATIONS}}
                found = self.canon(merged, seen)
                if found is True:
                    return True
                branches += found
            return _merge(branches)
        if "enum" in schema:
            allowed = [v for v in schema["enum"] if _fits(v, schema.get("type"))]
            return _merge([(("enum", tuple(sorted(json.dumps(v) for v in allowed))),)])
        types = schema.get("type", TYPES)
        types = [types] if isinstance(types, str) else list(types)
        for kind in types:
            branch = {k: v for k, v in schema.items() if k in APPLIES[kind]}
            branches.append(self._branch(kind, branch, seen))
        return _merge(branches)

    def _branch(self, kind: str, schema: dict[str, Any], seen: tuple[str, ...]) -> tuple[Any, ...]:
        if kind == "null":
            return (("enum", ("null",)),)
        out: dict[str, Any] = {"type": kind}
        for key, value in schema.items():
            if key == "properties":
                out[key] = tuple(sorted((name, self.canon(v, seen)) for name, v in value.items()))
            elif key in ("items", "additionalProperties", "propertyNames"):
                out[key] = self.canon(value, seen)
            elif key == "required":
                if value:
                    out[key] = tuple(sorted(value))
            elif key == "prefixItems":
                out[key] = tuple(self.canon(v, seen) for v in value)
            else:
                out[key] = value
        if out.get("additionalProperties") is True:
            del out["additionalProperties"]
        if kind == "array" and out.get("items") is True:
            del out["items"]
        if kind == "object" and "properties" in out:  # a property that takes anything says nothing
            kept = tuple((name, c) for name, c in out["properties"] if c is not True or name in out.get("required", ()))
            out["properties"] = kept
            if not kept:
                del out["properties"]
        return tuple(sorted(out.items()))


def _fits(value: Any, kind: Any) -> bool:
    if kind is None:
        return True
    kinds = [kind] if isinstance(kind, str) else kind
    py: dict[str, tuple[type, ...]] = {
        "null": (type(None),),
        "boolean": (bool,),
        "string": (str,),
        "number": (int, float),
        "integer": (int,),
    }
    py_types = tuple(t for k in kinds for t in py.get(k, ()))
    return isinstance(value, py_types) and not (isinstance(value, bool) and "boolean" not in kinds)


def _merge(branches: list[Any]) -> tuple[Any, ...]:
    """One enum of every enum branch's values (null is an enum of one), the other branches as they are."""
    values: set[str] = set()
    others = set()
    for branch in [split for given in branches for split in _by_tag(given)]:
        if branch and branch[0][0] == "enum":
            values.update(branch[0][1])
        else:
            others.add(branch)
    if values:
        others.add((("enum", tuple(sorted(values))),))
    return tuple(sorted(others, key=repr))


def _by_tag(branch: Any) -> list[Any]:
    """A closed object branch whose required property takes one of several values, as one branch per value
    (a tagged union, such as a connector's rules, written either way is alike)."""
    fields = dict(branch)
    if fields.get("type") != "object" or "properties" not in fields or fields.get("additionalProperties") != ():
        return [branch]
    properties = dict(fields["properties"])
    for name in fields.get("required", ()):
        kinds = properties.get(name)
        if isinstance(kinds, tuple) and len(kinds) == 1 and kinds[0][0][0] == "enum" and len(kinds[0][0][1]) > 1:
            return [
                tuple(
                    sorted(
                        {
                            **fields,
                            "properties": tuple(sorted({**properties, name: ((("enum", (v,)),),)}.items())),
                        }.items()
                    )
                )
                for v in kinds[0][0][1]
            ]
    return [branch]


def _where(a: Any, b: Any, path: str = "") -> str:
    """The first place two canonical forms differ, and how."""
    if _is_mapping(a) and _is_mapping(b):
        da, db = dict(a), dict(b)
        if set(da) != set(db):
            return (
                f"{path}: keys only in the old {sorted(set(da) - set(db))}, only in the new {sorted(set(db) - set(da))}"
            )
        for key in da:
            if da[key] != db[key]:
                return _where(da[key], db[key], f"{path}/{key}")
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) and not _is_mapping(a):
        pairs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]  # alternatives, in the same order
        if pairs:
            return _where(*pairs[0], path)
    return f"{path}: {_short(a)} != {_short(b)}"


def _is_mapping(value: Any) -> bool:
    return isinstance(value, tuple) and all(
        isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) for x in value
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 300 else text[:300] + "..."


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("get", "put", "post", "delete", "patch", "head", "options")
    }


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Each difference in what the two documents accept or answer, one line each (empty: none)."""
    found: list[str] = []
    a, b = Resolver(old), Resolver(new)

    def compare(where: str, x: Any, y: Any) -> None:
        cx, cy = a.canon(x), b.canon(y)
        if cx != cy:
            found.append(f"{where}{_where(cx, cy)}")

    ops_a, ops_b = _operations(old), _operations(new)
    found += [f"{m.upper()} {p}: only in the old document" for m, p in sorted(ops_a.keys() - ops_b.keys())]
    found += [f"{m.upper()} {p}: only in the new document" for m, p in sorted(ops_b.keys() - ops_a.keys())]
    for key in sorted(ops_a.keys() & ops_b.keys()):
        x, y = ops_a[key], ops_b[key]
        name = f"{key[0].upper()} {key[1]}"
        security = (x.get("security", old.get("security")), y.get("security", new.get("security")))
        if security[0] != security[1]:
            found.append(f"{name}: security {security[0]} != {security[1]}")
        px = {(p["in"], p["name"]): p for p in map(a.resolve, x.get("parameters", []))}
        py = {(p["in"], p["name"]): p for p in map(b.resolve, y.get("parameters", []))}
        found += [f"{name}: parameter {k} only in the old document" for k in sorted(px.keys() - py.keys())]
        found += [f"{name}: parameter {k} only in the new document" for k in sorted(py.keys() - px.keys())]
        for k in sorted(px.keys() & py.keys()):
            if px[k].get("required", False) != py[k].get("required", False):
                found.append(f"{name}: parameter {k} required {px[k].get('required')} != {py[k].get('required')}")
            compare(f"{name}: parameter {k[1]}", px[k].get("schema", {}), py[k].get("schema", {}))
        bx, by = a.resolve(x.get("requestBody")), b.resolve(y.get("requestBody"))
        if (bx is None) != (by is None):
            found.append(f"{name}: a request body in one document only")
        elif bx is not None:
            if bx.get("required", False) != by.get("required", False):
                found.append(f"{name}: request body required {bx.get('required')} != {by.get('required')}")
            _contents(f"{name}: body", bx.get("content", {}), by.get("content", {}), compare, found)
        rx, ry = x.get("responses", {}), y.get("responses", {})
        found += [f"{name}: status {s} only in the old document" for s in sorted(rx.keys() - ry.keys())]
        found += [f"{name}: status {s} only in the new document" for s in sorted(ry.keys() - rx.keys())]
        for status in sorted(rx.keys() & ry.keys()):
            cx, cy = a.resolve(rx[status]).get("content", {}), b.resolve(ry[status]).get("content", {})
            _contents(f"{name}: {status}", cx, cy, compare, found)
    return found


def _contents(where: str, x: dict[str, Any], y: dict[str, Any], compare: Any, found: list[str]) -> None:
    found += [f"{where} {m} only in the old document" for m in sorted(x.keys() - y.keys())]
    found += [f"{where} {m} only in the new document" for m in sorted(y.keys() - x.keys())]
    for media in sorted(x.keys() & y.keys()):
        compare(f"{where} {media}", x[media].get("schema", {}), y[media].get("schema", {}))


if __name__ == "__main__":
    with open(sys.argv[1]) as given:
        reference = json.load(given)
    if len(sys.argv) > 2:
        with open(sys.argv[2]) as given:
            built = json.load(given)
    else:
        from api.rest.openapi import document

        built = document()
    for line in differences(reference, built):
        print(line)
