from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from typing import Any

import httpx
import jsonschema_rs
from starlette.routing import Route

from api.rest.openapi import DOCUMENT, document_bytes
from api.rest.routes import ROUTES
from api.settings import Settings


async def test_the_document_and_the_routes_agree(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    assert document["openapi"] == "3.1.0"
    routed = {
        (route.path.replace(":id}", "}"), method.lower())  # {insight_id:id} -> {insight_id}
        for route in ROUTES
        if isinstance(route, Route)
        for method in (route.methods or ())
        if method != "HEAD"
    }
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert routed == documented


async def test_every_documented_operation_lists_its_error_responses(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if path.startswith("/api/v1/") and path != "/api/v1/openapi.json":
                assert "503" in operation["responses"], (path, method)
                assert any(code.startswith("4") for code in operation["responses"]) or path == "/api/v1/connectors"


SAMPLE = {
    "direction": "inbound",
    "from": "2026-11-01",
    "to": "2026-11-03",
    "time_zone": "Europe/Berlin",
    "connector": "0",
    "connector_type": "partner",
    "connector_name": "Fab",
    "format": "json",
}


async def test_documented_query_parameters_are_the_accepted_ones(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    for path in ("/api/v1/tls-breakdown", "/api/v1/connector-report"):
        names = [p["name"] for p in document["paths"][path]["get"]["parameters"]]
        # every documented parameter is accepted (no 400 for it) ...
        for name in names:
            response = await client.get(path, params={name: SAMPLE[name]})
            assert response.status_code == 200, (path, name, response.text)
        # ... and an undocumented one is refused
        assert (await client.get(path, params={"bogus": "1"})).status_code == 400


def test_the_document_is_the_same_bytes_on_every_run() -> None:
    """Built in two processes with different hash seeds (sets iterate in another order): the same bytes."""
    program = "import hashlib, api.app; from api.rest.openapi import document_bytes; "
    program += "print(hashlib.sha256(document_bytes()).hexdigest())"
    digests = {
        subprocess.run(
            [sys.executable, "-c", program],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1
    assert digests == {hashlib.sha256(document_bytes()).hexdigest() + "\n"}


async def test_the_served_document_is_the_built_one(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/openapi.json")
    assert response.content == document_bytes()
    assert response.headers["content-type"] == "application/json"


def resolved(schema: Any, document: dict[str, Any]) -> Any:
    """`schema` with every $ref replaced by what it names (the document's schemas are not recursive)."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            target: Any = document
            for part in schema["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return resolved({**{k: v for k, v in schema.items() if k != "$ref"}, **target}, document)
        return {key: resolved(value, document) for key, value in schema.items()}
    if isinstance(schema, list):
        return [resolved(value, document) for value in schema]
    return schema


async def test_every_answer_of_a_report_is_as_documented(client: httpx.AsyncClient, traffic: dict[str, int]) -> None:
    """Every GET without path parameters, over the fixture's traffic: its JSON answer is what its declared
    type says, formats and required fields too (the generated document requires what the server always sends)."""
    window = {"from": "2026-11-01", "to": "2026-11-08"}
    checked = []
    for path, item in DOCUMENT["paths"].items():
        operation = item.get("get")
        if operation is None or "{" in path or not path.startswith("/api/v1/") or path.endswith("openapi.json"):
            continue
        names = {p["name"] for p in operation.get("parameters", [])}
        response = await client.get(path, params={k: v for k, v in window.items() if k in names})
        assert response.status_code == 200, (path, response.text)
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        validator = jsonschema_rs.Draft202012Validator(resolved(schema, DOCUMENT), validate_formats=True)
        errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(response.json())]
        assert not errors, (path, errors[:5])
        checked.append(path)
    assert {"/api/v1/connector-report", "/api/v1/remote-domains", "/api/v1/transit-security"} <= set(checked)


# Where the generated document says more than the hand-written one did, it follows the server:
IDS_BODIES = {
    ("put", "/api/v1/connectors/{connector_id}/rules"): {"rules": []},
    ("post", "/api/v1/insights/{insight_id}/dismiss"): {"reason": "r"},
    ("patch", "/api/v1/webhooks/{webhook_id}"): {"description": "d"},
}


async def test_every_path_id_is_one_to_a_bigint(client: httpx.AsyncClient) -> None:
    """Every path id is documented as 1 to 2^63-1: 0 and 2^63 name nothing (404), or are refused (400)."""
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            ids = [p for p in operation.get("parameters", []) if p["in"] == "path" and p["name"] != "domain"]
            for parameter in ids:
                assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}, path
                for value in ("0", str(2**63)):
                    url = path.replace("{" + parameter["name"] + "}", value)
                    body = IDS_BODIES.get((method, path))
                    response = await client.request(method.upper(), url, json=body)
                    assert response.status_code in (400, 404), (method, url, response.text)
                    assert set(response.json()) == {"error"}


async def test_a_remote_hosts_domain_is_text_of_at_most_1000_characters(client: httpx.AsyncClient) -> None:
    documented = next(
        p for p in DOCUMENT["paths"]["/api/v1/remote-hosts"]["get"]["parameters"] if p["name"] == "domain"
    )
    assert documented["schema"]["maxLength"] == 1000
    for refused in ("a" * 1001, "a\x00b"):
        response = await client.get("/api/v1/remote-hosts", params={"domain": refused})
        assert response.status_code == 400, response.text
    assert (await client.get("/api/v1/remote-hosts", params={"domain": "a" * 1000})).status_code == 200


async def test_a_webhook_url_is_at_most_its_limit(client: httpx.AsyncClient) -> None:
    documented = DOCUMENT["components"]["schemas"]["NewWebhook"]["properties"]["url"]["maxLength"]
    url = "https://example.com/" + "a" * (documented - len("https://example.com/") + 1)
    response = await client.post("/api/v1/webhooks", json={"url": url})
    assert response.status_code == 422, response.text
    assert "must be an https:// URL" in response.json()["error"]["details"][0]["message"]


async def test_every_json_body_over_the_limit_is_413(client: httpx.AsyncClient, settings: Settings) -> None:
    """The 413 each operation with a JSON body documents (the rules, a dismissal, the insight settings too)."""
    too_large = b'{"a": "' + b"a" * settings.max_body_bytes + b'"}'
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if "application/json" not in operation.get("requestBody", {}).get("content", {}):
                continue
            assert "413" in operation["responses"], (method, path)
            url = path.replace("{connector_id}", "1").replace("{insight_id}", "1").replace("{webhook_id}", "1")
            response = await client.request(
                method.upper(), url, content=too_large, headers={"content-type": "application/json"}
            )
            assert response.status_code == 413, (method, path, response.text)


async def test_every_operation_knows_exactly_its_documented_query_parameters(client: httpx.AsyncClient) -> None:
    """Every GET: a documented query parameter is never refused as unknown (whatever its value), and an
    undocumented one is, so a handler's list of parameters and its declared query agree."""
    for path, item in DOCUMENT["paths"].items():
        operation = item.get("get")
        if operation is None or "{" in path or not path.startswith("/api/v1/") or path.endswith("openapi.json"):
            continue
        if "400" not in operation["responses"]:
            continue  # GET /api/v1/connectors: reads no parameter, refuses none
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        for name in names:
            response = await client.get(path, params={name: SAMPLE.get(name, "1")})
            unknown = [
                d for d in response.json().get("error", {}).get("details", []) if d["message"] == "unknown parameter"
            ]
            assert not unknown, (path, name, response.text)
        response = await client.get(path, params={"bogus": "1"})
        assert response.status_code == 400, (path, response.text)
        assert response.json()["error"]["details"] == [{"field": "bogus", "message": "unknown parameter"}], path


async def test_a_blocked_reason_holds_no_nul(client: httpx.AsyncClient) -> None:
    """As every text field of a record (api/ingest.py), which the hand-written document did not say."""
    message = DOCUMENT["components"]["schemas"]["Message"]["properties"]
    assert message["blocked_reason"]["anyOf"] == message["cipher"]["anyOf"]
    record = {"message_id": "m1", "received_at": "2026-11-20T10:00:00Z", "direction": "outbound"}
    record |= {"tls_version": "none", "blocked_reason": "a\x00b"}
    response = await client.post("/api/v1/messages", json=record)
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [
        {"line": 1, "field": "blocked_reason", "message": "contains a NUL character"}
    ]


async def test_every_documented_format_is_answered_in_a_documented_media_type(client: httpx.AsyncClient) -> None:
    """The formats a handler reads (written there, and in its declared query) agree: each is answered, in a
    media type the document lists for it; any other is refused."""
    checked = 0
    for path, item in DOCUMENT["paths"].items():
        operation = item.get("get", {})
        formats = [p["schema"]["enum"] for p in operation.get("parameters", []) if p["name"] == "format"]
        for wanted in formats[0] if formats else []:
            response = await client.get(path, params={"format": wanted.upper()})  # in any case
            assert response.status_code == 200, (path, wanted, response.text)
            media = response.headers["content-type"].split(";")[0]
            assert media in operation["responses"]["200"]["content"], (path, wanted, media)
            checked += 1
        if formats:
            assert (await client.get(path, params={"format": "xml"})).status_code == 400, path
    assert checked == 7  # connector-report and remote-domains: json, csv; insights/events: json, ndjson, cef


async def test_the_only_path_parameter_that_is_not_an_id_is_an_accepted_domain(client: httpx.AsyncClient) -> None:
    others = {
        (path, p["name"])
        for path, item in DOCUMENT["paths"].items()
        for operation in item.values()
        for p in operation.get("parameters", [])
        if p["in"] == "path" and p["schema"] != {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    }
    assert others == {("/api/v1/accepted-domains/{domain}", "domain")}
    response = await client.delete("/api/v1/accepted-domains/not a domain")
    assert response.status_code == 400, response.text
