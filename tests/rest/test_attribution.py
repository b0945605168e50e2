"""Connector attribution rules: set through the API, applied to records that name no connector."""

from __future__ import annotations

from typing import Any

import httpx

from api.attribution import Attributor
from tests.factories import ingest, message


async def connector(
    client: httpx.AsyncClient, name: str, direction: str, rules: list[dict[str, str]]
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/connectors", json={"name": name, "direction": direction, "type": "partner", "rules": rules}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_records_without_a_connector_are_attributed(client: httpx.AsyncClient, state: Any) -> None:
    await connector(client, "Fabrikam", "inbound", [{"kind": "ip", "value": "203.0.113.0/24"}])
    await connector(client, "Fabrikam mail", "inbound", [{"kind": "hostname", "value": "fabrikam.com"}])
    await connector(client, "Woodgrove", "outbound", [{"kind": "domain", "value": "woodgrovebank.com"}])
    records = [
        message(1, remote_ip="203.0.113.7", remote_host="mx.fabrikam.com"),  # the address rule wins
        message(2, remote_ip="198.51.100.1", remote_host="mail.fabrikam.com"),  # host name suffix
        message(3, remote_ip="198.51.100.1", remote_host="notfabrikam.com"),  # no match: the internet
        message(4, remote_ip="203.0.113.8", connector=None),  # an explicit null stays the internet
        message(5, direction="outbound", recipient="x@eu.woodgrovebank.com"),  # a subdomain of the rule
        message(6, direction="outbound", recipient="x@woodgrovebank.com.evil.example"),
    ]
    await ingest(client, records)
    rows = await state.db.system.fetch(
        """select m.message_id, c.name from messages m
           left join connectors c on c.org_id = m.org_id and c.connector_id = m.connector_id
           where m.org_id = $1 order by m.message_id""",
        state.org_id,
    )
    assert [(r["message_id"], r["name"]) for r in rows] == [
        ("<m1@example.org>", "Fabrikam"),
        ("<m2@example.org>", "Fabrikam mail"),
        ("<m3@example.org>", None),
        ("<m4@example.org>", None),
        ("<m5@example.org>", "Woodgrove"),
        ("<m6@example.org>", None),
    ]


async def test_rules_are_replaced_and_checked(client: httpx.AsyncClient) -> None:
    created = await connector(client, "Fabrikam", "inbound", [])
    response = await client.put(
        f"/api/v1/connectors/{created['id']}/rules", json={"rules": [{"kind": "domain", "value": "fabrikam.com"}]}
    )
    assert response.status_code == 200
    assert response.json()["rules"] == [{"kind": "domain", "value": "fabrikam.com"}]
    bad = await client.put(
        f"/api/v1/connectors/{created['id']}/rules",
        json={"rules": [{"kind": "ip", "value": "999.0.0.0/8"}, {"kind": "color", "value": "red"}]},
    )
    assert bad.status_code == 422
    assert [d["field"] for d in bad.json()["error"]["details"]] == ["rules[0]", "rules[1]"]
    # an IPv6 %scope may hold anything but a NUL, which PostgreSQL refused in a 422 naming nothing
    nul_scope = {"rules": [{"kind": "ip", "value": "::1%\x00"}]}
    nul = await client.put(f"/api/v1/connectors/{created['id']}/rules", json=nul_scope)
    assert [d["field"] for d in nul.json()["error"]["details"]] == ["rules[0]"], nul.text
    # beyond a bigint, and beyond the 4,300 digits int() reads (a 500 before)
    for missing_id in ("999999999", "9223372036854775808", "99999999999999999999", "9" * 5000):
        missing = await client.put(f"/api/v1/connectors/{missing_id}/rules", json={"rules": []})
        assert missing.status_code == 404, missing.text
    created_bad = await client.post(
        "/api/v1/connectors",
        json={"name": "X", "direction": "inbound", "type": "partner", "rules": [{"kind": "ip", "value": "nope"}]},
    )
    assert created_bad.status_code == 422


def test_more_specific_rules_win() -> None:
    attributor = Attributor(
        [
            ("inbound", "Wide", [{"kind": "ip", "value": "10.0.0.0/8"}]),
            ("inbound", "Narrow", [{"kind": "ip", "value": "10.1.0.0/16"}]),
            (
                "inbound",
                "Host",
                [{"kind": "hostname", "value": "a.example"}, {"kind": "hostname", "value": "b.a.example"}],
            ),
        ]
    )
    assert attributor.connector({"direction": "inbound", "remote_ip": "10.1.2.3"}) == "Narrow"
    assert attributor.connector({"direction": "inbound", "remote_ip": "10.2.2.3"}) == "Wide"
    assert attributor.connector({"direction": "outbound", "remote_ip": "10.2.2.3"}) is None
    assert attributor.connector({"direction": "inbound", "remote_host": "x.b.a.example"}) == "Host"
