from __future__ import annotations

import httpx

from tests.factories import add_connector


async def test_create_and_list(client: httpx.AsyncClient) -> None:
    created = await add_connector(client, "Woodgrove", direction="outbound", forced=True)
    assert created == {
        "id": created["id"],
        "name": "Woodgrove",
        "direction": "outbound",
        "type": "partner",
        "forced_tls": True,
        "rules": [],
    }
    await add_connector(client, "Woodgrove", direction="inbound", type_="on_premises")
    listed = (await client.get("/api/v1/connectors")).json()["connectors"]
    assert [(c["direction"], c["name"], c["type"]) for c in listed] == [
        ("inbound", "Woodgrove", "on_premises"),
        ("outbound", "Woodgrove", "partner"),
    ]


async def test_duplicate_name_in_a_direction_is_409(client: httpx.AsyncClient) -> None:
    await add_connector(client, "Fabrikam")
    response = await client.post(
        "/api/v1/connectors", json={"name": "Fabrikam", "direction": "inbound", "type": "partner"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONFLICT"


async def test_invalid_connector_is_422_naming_each_field(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/connectors", json={"name": "", "direction": "up", "type": "cloud", "forced_tls": "yes"}
    )
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["error"]["details"]} == {
        "name",
        "direction",
        "type",
        "forced_tls",
    }
    response = await client.post("/api/v1/connectors", content=b"{nope")
    assert response.status_code == 400
    assert (await client.get("/api/v1/connectors")).json() == {"connectors": []}
