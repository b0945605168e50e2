"""The generated OpenAPI document against the hand-written one it replaces (tests/rest/openapi_reference.py):
they accept and refuse the same things, but where listed here, each a place where the hand-written one
was wrong about the server and the generated one follows it (tests/rest/test_openapi.py checks each on
the server). And the comparison itself: it tells apart what differs, and only that."""

from __future__ import annotations

from typing import Any

from api.rest.openapi import DOCUMENT
from tests.rest.openapi_diff import differences
from tests.rest.openapi_reference import DOCUMENT as HAND_WRITTEN

BIGINT_IDS = "keys only in the old [], only in the new ['maximum', 'minimum']"
REQUIRED = "keys only in the old [], only in the new ['required']"
FOLLOWS_THE_SERVER = {
    # Every path id is 1 to 2^63-1, as the connectors' and insights' were (test_every_path_id_is_one_to_a_bigint)
    *(
        f"{operation}: parameter {name}: {BIGINT_IDS}"
        for name, operations in {
            "mailbox_id": [
                "DELETE /api/v1/mailboxes/{mailbox_id}",
                "GET /api/v1/mailboxes/{mailbox_id}",
                "POST /api/v1/mailboxes/{mailbox_id}/test",
            ],
            "endpoint_id": [
                "DELETE /api/v1/tlsrpt-endpoints/{endpoint_id}",
                "GET /api/v1/tlsrpt-endpoints/{endpoint_id}",
                "POST /api/v1/tlsrpt-endpoints/{endpoint_id}/rotate",
            ],
            "webhook_id": [
                "DELETE /api/v1/webhooks/{webhook_id}",
                "GET /api/v1/webhooks/{webhook_id}",
                "GET /api/v1/webhooks/{webhook_id}/deliveries",
                "PATCH /api/v1/webhooks/{webhook_id}",
                "POST /api/v1/webhooks/{webhook_id}/test",
            ],
        }.items()
        for operation in operations
    ),
    # The answers require the fields their handlers always send (test_every_answer_of_a_report_is_as_documented)
    f"GET /api/v1/client-submissions: 200 application/json/properties/daily/items: {REQUIRED}",
    f"GET /api/v1/tls-breakdown: 200 application/json/properties/daily/items: {REQUIRED}",
    f"GET /api/v1/connector-report: 200 application/json: {REQUIRED}",
    f"GET /api/v1/remote-domains: 200 application/json: {REQUIRED}",
    f"GET /api/v1/remote-hosts: 200 application/json: {REQUIRED}",
    f"GET /api/v1/transit-security: 200 application/json: {REQUIRED}",
    # remote-hosts' domain: no NUL, at most 1000 characters (test_a_remote_hosts_domain_is_text_of_...)
    "GET /api/v1/remote-hosts: parameter domain: keys only in the old [], only in the new ['maxLength', 'pattern']",
    # a webhook URL: at most api/webhooks/targets.py's MAX_URL characters (test_a_webhook_url_is_at_most_its_limit)
    "PATCH /api/v1/webhooks/{webhook_id}: body application/json/properties/url: keys only in the old [], only in "
    "the new ['maxLength']",
    "POST /api/v1/webhooks: body application/json/properties/url: keys only in the old [], only in the new "
    "['maxLength']",
    # a blocked_reason holds no NUL, as every text field of a record (test_a_blocked_reason_holds_no_nul)
    *(
        f"POST /api/v1/messages: body {media}/properties/blocked_reason: keys only in the old [], only in the new "
        "['pattern']"
        for media in ("application/json", "application/x-ndjson")
    ),
    # every JSON body has a limit (test_every_json_body_over_the_limit_is_413)
    "POST /api/v1/insights/{insight_id}/dismiss: status 413 only in the new document",
    "PUT /api/v1/connectors/{connector_id}/rules: status 413 only in the new document",
    "PUT /api/v1/insight-settings: status 413 only in the new document",
}


def test_the_generated_document_accepts_and_refuses_what_the_hand_written_one_did() -> None:
    assert set(differences(HAND_WRITTEN, DOCUMENT)) == FOLLOWS_THE_SERVER


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
