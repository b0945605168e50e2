from __future__ import annotations

import httpx
import pytest

from api.context import AppState
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


async def test_a_look_alike_name_is_409_naming_the_connector_it_looks_like(client: httpx.AsyncClient) -> None:
    contoso = await add_connector(client, "Contoso")
    for look_alike in ("\u0421ontoso", "contoso", "C\u043ent\u043es\u043e"):  # Cyrillic ES; case; Cyrillic o
        response = await client.post(
            "/api/v1/connectors", json={"name": look_alike, "direction": "inbound", "type": "partner"}
        )
        assert response.status_code == 409, look_alike
        error = response.json()["error"]
        assert error["code"] == "CONFLICT"
        assert f"looks like the inbound connector 'Contoso' (id {contoso['id']})" in error["message"]
        assert error["details"] == [
            {"field": "name", "message": f"looks like the inbound connector 'Contoso' (id {contoso['id']})"}
        ]
    cyrillic = await client.post(
        "/api/v1/connectors", json={"name": "\u0421ontoso", "direction": "inbound", "type": "partner"}
    )
    assert "U+0421 CYRILLIC CAPITAL LETTER ES at position 1" in cyrillic.json()["error"]["message"]
    await add_connector(client, "\u0421ontoso", direction="outbound")  # another direction: another list
    listed = (await client.get("/api/v1/connectors")).json()["connectors"]
    assert [(c["direction"], c["name"]) for c in listed] == [("inbound", "Contoso"), ("outbound", "\u0421ontoso")]


async def test_rn_looks_like_m(client: httpx.AsyncClient) -> None:
    await add_connector(client, "Ammo Relay", direction="outbound")
    response = await client.post(
        "/api/v1/connectors", json={"name": "Arnrno Relay", "direction": "outbound", "type": "partner"}
    )
    assert response.status_code == 409
    assert "'Ammo Relay'" in response.json()["error"]["message"]


async def test_a_fullwidth_name_is_stored_plain_so_it_is_a_duplicate(client: httpx.AsyncClient) -> None:
    created = await add_connector(client, "\uff23ontoso")  # a fullwidth C
    assert created["name"] == "Contoso"
    response = await client.post(
        "/api/v1/connectors", json={"name": "Contoso", "direction": "inbound", "type": "partner"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "an inbound connector named 'Contoso' already exists"


async def test_a_connector_stored_before_look_alike_keys_still_refuses_its_look_alikes(
    client: httpx.AsyncClient, state: AppState
) -> None:
    await state.db.system.execute(  # as the rows a database had before migration 0011: no key
        "insert into connectors (org_id, name, direction, type) values ($1, 'Contoso', 'inbound', 'partner')",
        state.org_id,
    )
    response = await client.post(
        "/api/v1/connectors", json={"name": "\u0421ontoso", "direction": "inbound", "type": "partner"}
    )
    assert response.status_code == 409
    assert "looks like the inbound connector 'Contoso'" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("Con\u202etoso", "U+202E RIGHT-TO-LEFT OVERRIDE (a bidirectional control character) at position 4"),
        ("Contoso\nRelay", "U+000A LINE FEED (a control character) at position 8"),
        ("Con\u200btoso", "U+200B ZERO WIDTH SPACE (an invisible formatting character) at position 4"),
    ],
)
async def test_an_invisible_or_reordering_character_is_422_saying_where(
    client: httpx.AsyncClient, name: str, where: str
) -> None:
    response = await client.post("/api/v1/connectors", json={"name": name, "direction": "inbound", "type": "partner"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_FAILED"
    [detail] = error["details"]
    assert detail["field"] == "name"
    assert detail["message"].startswith(f"contains {where}")
    assert f"name: contains {where}" in error["message"]
    assert (await client.get("/api/v1/connectors")).json() == {"connectors": []}
