from __future__ import annotations

import httpx
from starlette.routing import Route

from api.rest.routes import ROUTES


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
