"""remoteDomains and remoteHosts: the same figures as REST, paging, BAD_USER_INPUT, fixed statements."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from db.sql import count_statements
from tests.factories import ingest, remote_traffic, stored
from tests.graphql.helpers import gql

WINDOW = {"from": "2026-05-04T00:00:00Z", "to": "2026-05-07T00:00:00Z"}
FIGURES = "volume noTls tls10 tls11 tls12 tls13 unknown counts { none tls10 tls11 tls12 tls13 unknown }"
DOMAINS = f"""query ($from: DateTime, $to: DateTime, $by: RemoteParty, $sort: String, $cursor: String,
  $limit: Int! = 100, $direction: Direction! = INBOUND) {{
  remoteDomains(from: $from, to: $to, by: $by, sort: $sort, cursor: $cursor, limit: $limit, direction: $direction) {{
    direction by sort total next countedFrom countedTo warnings
    rows {{ domain firstDay lastDay {FIGURES} }} }} }}"""
HOSTS = f"""query ($from: DateTime, $to: DateTime, $domain: String) {{
  remoteHosts(from: $from, to: $to, direction: OUTBOUND, by: SERVER_DOMAIN, domain: $domain) {{
    total next rows {{ host ip serverDomain firstSeen lastSeen {FIGURES} }} }} }}"""


@pytest.fixture
async def records(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    generated = remote_traffic(600, 11)
    await ingest(client, stored(generated))
    return generated


def as_rest(row: dict[str, Any]) -> tuple[Any, ...]:
    c = row["counts"]
    return (
        row.get("domain", row.get("host")),
        row["volume"],
        c["none"],
        c["tls10"],
        c["tls11"],
        c["tls12"],
        c["tls13"],
    )


def from_rest(row: dict[str, Any]) -> tuple[Any, ...]:
    m = row["messages"]
    name = row.get("domain", row.get("host"))
    return (name, row["volume"], m["none"], m["TLS1.0"], m["TLS1.1"], m["TLS1.2"], m["TLS1.3"])


@pytest.mark.parametrize(("by", "rest_by", "direction"), [
    ("SENDER_DOMAIN", "sender_domain", "INBOUND"),
    ("SERVER_DOMAIN", "server_domain", "INBOUND"),
    ("RECIPIENT_DOMAIN", "recipient_domain", "OUTBOUND"),
])  # fmt: skip
async def test_the_same_figures_as_rest(
    client: httpx.AsyncClient, records: list[dict[str, Any]], by: str, rest_by: str, direction: str
) -> None:
    body = await gql(client, DOMAINS, **WINDOW, by=by, sort="TLS1.0", direction=direction)
    assert "errors" not in body, body
    page = body["data"]["remoteDomains"]
    rest = (
        await client.get(
            "/api/v1/remote-domains",
            params={**WINDOW, "by": rest_by, "sort": "TLS1.0", "direction": direction.lower()},
        )
    ).json()
    assert [as_rest(r) for r in page["rows"]] == [from_rest(r) for r in rest["rows"]]
    assert (page["by"], page["sort"], page["total"], page["next"]) == (by, "TLS1.0", rest["total"], None)
    assert page["countedFrom"] == "2026-05-04T00:00:00+00:00"
    assert page["rows"][0]["tls10"] == rest["rows"][0]["percent"]["TLS1.0"]
    assert [r["firstDay"] for r in page["rows"]] == [r["first_day"] for r in rest["rows"]]


async def test_pages_hold_every_row_once(client: httpx.AsyncClient, records: list[dict[str, Any]]) -> None:
    whole = (await gql(client, DOMAINS, **WINDOW))["data"]["remoteDomains"]["rows"]
    paged, cursor = [], None
    while True:
        page = (await gql(client, DOMAINS, **WINDOW, limit=4, cursor=cursor))["data"]["remoteDomains"]
        paged += page["rows"]
        cursor = page["next"]
        if cursor is None:
            break
    assert paged == whole
    assert len(paged) == 6


async def test_remote_hosts_as_rest(client: httpx.AsyncClient, records: list[dict[str, Any]]) -> None:
    body = await gql(client, HOSTS, **WINDOW, domain="xn--bcher-kva.de")
    assert "errors" not in body, body
    rows = body["data"]["remoteHosts"]["rows"]
    rest = (
        await client.get(
            "/api/v1/remote-hosts",
            params={**WINDOW, "direction": "outbound", "by": "server_domain", "domain": "xn--bcher-kva.de"},
        )
    ).json()
    assert [as_rest(r) for r in rows] == [from_rest(r) for r in rest["rows"]]
    assert {r["host"] for r in rows} == {"mx.bücher.de", "mx.xn--bcher-kva.de"}
    assert {r["serverDomain"] for r in rows} == {"xn--bcher-kva.de"}


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ("direction: SUBMISSION", "direction"),
        ("direction: BOTH", "direction"),
        ("by: RECIPIENT_DOMAIN", "by"),
        ('tlsVersion: "TLS2"', "tlsVersion"),
        ('sort: "size"', "sort"),
        ("limit: 0", "limit"),
        ('cursor: "nope"', "cursor"),
        ('connectorId: "424242424"', "connectorId"),
        ('timeZone: "Nowhere/Special"', "timeZone"),
    ],
)
async def test_bad_arguments_are_bad_user_input(client: httpx.AsyncClient, arguments: str, field: str) -> None:
    for root in ("remoteDomains", "remoteHosts"):
        body = await gql(client, f"{{ {root}({arguments}) {{ total }} }}")
        error = body["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert error["extensions"]["details"][0]["field"] == field
        assert error["path"] == [root]


async def test_statements_do_not_grow_with_rows(client: httpx.AsyncClient) -> None:
    counted = []
    for seed, n in ((1, 5), (2, 400)):
        await ingest(client, stored(remote_traffic(n, seed)))
        with count_statements() as statements:
            body = await gql(client, DOMAINS, **WINDOW, by="SERVER_DOMAIN")
        with count_statements() as host_statements:
            hosts = await gql(client, HOSTS, **WINDOW)
        counted.append((len(body["data"]["remoteDomains"]["rows"]), statements, host_statements))
        assert hosts["data"]["remoteHosts"]["rows"]
    assert counted[0][1:] == counted[1][1:]
    assert counted[1][1][-1] == "remote_domains/remote_domains"
    assert counted[1][2][-1] == "remote_domains/remote_hosts"
