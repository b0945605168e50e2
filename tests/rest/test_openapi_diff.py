"""The comparison of two OpenAPI documents (tests/rest/openapi_diff.py): it tells apart what differs in
what they accept, and only that. It compared the generated document with the hand-written one it replaced
(commit 20c0a87: they differed only where the hand-written one was wrong about the server, each difference
now tested in tests/rest/test_openapi.py); it serves again when a document written elsewhere is ported."""

from __future__ import annotations

from typing import Any

from tests.rest.openapi_diff import differences


def document(schema: dict[str, Any], parameter: dict[str, Any] | None = None) -> dict[str, Any]:
    operation = {"parameters": [{"name": "q", "in": "query", **(parameter or {})}], "responses": {}}
    body = {"content": {"application/json": {"schema": schema}}}
    return {
        "openapi": "3.1.0",
        "paths": {"/x": {"get": operation, "post": {"requestBody": body, "responses": {}}}},
        "components": {"schemas": {"S": {"type": "object", "properties": {"a": {"type": "string"}}}}},
    }  # fmt: skip


def test_schemas_alike_in_what_they_accept_are_alike() -> None:
    alike: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"type": ["string", "null"], "maxLength": 3},
         {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "null"}]}),
        ({"enum": ["a", "b", None]}, {"anyOf": [{"enum": ["b", "a"], "type": "string"}, {"type": "null"}]}),
        ({"$ref": "#/components/schemas/S"}, {"type": "object", "properties": {"a": {"type": "string"}}, "title": "S"}),
        ({"type": "object", "required": [], "description": "x"}, {"type": "object", "additionalProperties": True}),
        (
            {"type": "array", "items": {"type": "object", "required": ["k"], "additionalProperties": False,
                                        "properties": {"k": {"enum": ["a", "b"]}}}},
            {"type": "array", "items": {"anyOf": [
                {"type": "object", "required": ["k"], "additionalProperties": False, "properties": {"k": {"enum": [k]}}}
                for k in ("b", "a")
            ]}},
        ),
    ]  # fmt: skip
    for old, new in alike:
        assert differences(document(old), document(new)) == [], (old, new)


def test_what_changes_what_is_accepted_is_told() -> None:
    told: list[tuple[dict[str, Any], dict[str, Any], str]] = [
        ({"type": "string", "pattern": "^a$"}, {"type": "string", "pattern": "^b$"}, "/pattern"),
        ({"enum": ["a", "b"]}, {"enum": ["a"]}, "enum"),
        ({"type": "integer", "minimum": 1}, {"type": "integer"}, "minimum"),
        ({"type": "object", "required": ["a"]}, {"type": "object"}, "required"),
        ({"type": ["string", "null"]}, {"type": "string"}, "null"),
        ({"type": "object", "additionalProperties": False}, {"type": "object"}, "additionalProperties"),
    ]
    for old, new, what in told:
        found = differences(document(old), document(new))
        assert len(found) == 1, found
        assert found[0].startswith("POST /x: body application/json"), found
        assert what in found[0], found
    found = differences(document({}, {"required": True}), document({}, {"required": False}))
    assert found == ["GET /x: parameter ('query', 'q') required True != False"]
    moved = document({})
    moved["paths"]["/y"] = moved["paths"].pop("/x")
    assert "GET /x: only in the old document" in differences(document({}), moved)
