"""GET /api/v1/transit-security and the tls_security / blocked_reason record fields."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import httpx
import orjson
import pytest

from db import sql
from db.sql import count_statements
from tests.factories import add_connector, ingest
from tests.graphql.helpers import gql

WINDOW = {"from": "2026-06-01T00:00:00Z", "to": "2026-06-04T00:00:00Z"}


def delivery(n: int, day: int, domain: str, tls: str, **more: Any) -> dict[str, Any]:
    return {"message_id": f"<t{n}@x>", "received_at": f"2026-06-0{day}T10:{n % 60:02d}:00Z", "direction": "outbound",
            "tls_version": tls, "recipient": f"x@{domain}", "remote_host": f"mx.{domain}", **more}  # fmt: skip


RECORDS = [
    delivery(1, 1, "dane.example", "TLSv1.3", tls_security="dane"),
    delivery(2, 1, "sts.example", "TLSv1.3", tls_security="MTA_STS"),
    delivery(3, 1, "sts.example", "TLSv1.2", tls_security="verified"),
    delivery(4, 2, "plain.example", "none"),  # default: none
    delivery(5, 2, "plain.example", "no tls", tls_security="none"),
    delivery(6, 2, "some.example", "TLSv1.2"),  # default: opportunistic
    delivery(7, 2, "some.example", "none"),  # some.example takes TLS sometimes: it supports it
    delivery(8, 3, "old.example", "TLS"),  # default: unknown
    delivery(9, 3, "strict.example", "none", blocked_reason="TLS is required, but was not offered by host"),
    delivery(10, 3, "strict.example", "none", blocked_reason="TLS is required, but was not offered by host"),
    delivery(
        11,
        3,
        "strict2.example",
        "TLSv1.2",
        tls_security="opportunistic",
        blocked_reason="Server certificate not verified",
    ),
    {
        "message_id": "<in@x>",
        "received_at": "2026-06-01T10:00:00Z",
        "direction": "inbound",
        "tls_version": "none",
        "sender": "x@inbound.example",
    },  # not outbound: not counted
]


async def test_levels_blocked_and_domains_without_tls(client: httpx.AsyncClient) -> None:
    await ingest(client, RECORDS)
    await ingest(client, RECORDS[:6])  # a retry: duplicates, counted nowhere
    response = await client.get("/api/v1/transit-security", params=WINDOW)
    assert response.status_code == 200, response.text
    body = response.json()
    days = {d.pop("day"): d for d in body["days"]}
    zero = dict.fromkeys(("dane", "mta_sts", "verified", "opportunistic", "none", "unknown", "blocked"), 0)
    assert days == {
        "2026-06-01": {**zero, "dane": 1, "mta_sts": 1, "verified": 1},
        "2026-06-02": {**zero, "none": 3, "opportunistic": 1},
        "2026-06-03": {**zero, "unknown": 1, "blocked": 3},
    }
    assert [(b["recipient_domain"], b["reason"], b["deliveries"]) for b in body["blocked"]] == [
        ("strict.example", "TLS is required, but was not offered by host", 2),
        ("strict2.example", "Server certificate not verified", 1),
    ]
    assert body["blocked"][0]["first_seen"] == "2026-06-03T10:09:00+00:00"
    # every delivery to them without TLS (the blocked ones too: they found no TLS)
    assert [(w["domain"], w["deliveries"]) for w in body["without_tls"]] == [
        ("plain.example", 2),
        ("strict.example", 2),
    ]
    assert (body["counted_from"], body["counted_to"], body["warnings"]) == (
        "2026-06-01T00:00:00+00:00", "2026-06-04T00:00:00+00:00", []
    )  # fmt: skip
    # the same through GraphQL
    graph = await gql(
        client,
        """query ($from: DateTime, $to: DateTime) { transitSecurity(from: $from, to: $to) {
             days { day dane mtaSts verified opportunistic none unknown blocked }
             blocked { recipientDomain reason deliveries } withoutTls { domain deliveries firstDay } } }""",
        **WINDOW,
    )
    assert "errors" not in graph, graph
    t = graph["data"]["transitSecurity"]
    assert [d["mtaSts"] for d in t["days"]] == [1, 0, 0]
    assert [(b["recipientDomain"], b["deliveries"]) for b in t["blocked"]] == [("strict.example", 2),
                                                                               ("strict2.example", 1)]  # fmt: skip
    assert t["withoutTls"][0] == {"domain": "plain.example", "deliveries": 2, "firstDay": "2026-06-02"}


async def test_stored_levels_equal_an_independent_count(client: httpx.AsyncClient, pool: Any, state: Any) -> None:
    await add_connector(client, "Woodgrove", "outbound", "partner")
    records = [delivery(100 + n, 1 + n % 3, f"d{n % 5}.example", "TLSv1.2", connector="Woodgrove",
                        tls_security=("dane", "verified", "opportunistic")[n % 3]) for n in range(30)]  # fmt: skip
    await ingest(client, records)
    stored = await pool.fetch("select tls_security, count(*) from messages where org_id = $1 group by 1", state.org_id)
    rollup = await pool.fetchrow(
        "select sum(dane) as dane, sum(verified) as verified, sum(opportunistic) as opportunistic"
        " from transit_daily_rollups where org_id = $1",
        state.org_id,
    )
    assert (
        dict(rollup) == {r["tls_security"]: r["count"] for r in stored} == Counter(r["tls_security"] for r in records)
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"tls_security": "strong"}, "is not one of dane, mta_sts, verified"),
        ({"tls_security": 3}, "is not one of"),
        ({"tls_security": "dane", "tls_version": "none"}, "dane does not agree with tls_version 'none'"),
        ({"tls_security": "none", "tls_version": "TLSv1.2"}, "none does not agree"),
        ({"blocked_reason": 7}, "must be a string"),
    ],
)
async def test_bad_fields_are_422_naming_them(client: httpx.AsyncClient, fields: dict[str, Any], message: str) -> None:
    record = {**delivery(1, 1, "x.example", "TLSv1.2"), **fields}
    response = await client.post("/api/v1/messages", json=[record])
    assert response.status_code == 422, response.text
    (detail,) = response.json()["error"]["details"]
    assert detail["field"] == next(iter(k for k in fields if k != "tls_version"))
    assert message in detail["message"]


async def test_one_statement_and_bad_arguments(client: httpx.AsyncClient) -> None:
    counted = []
    for n in (1, 30):
        await ingest(client, [delivery(200 + n * 100 + i, 1, f"e{i}.example", "none") for i in range(n)])
        with count_statements() as statements:
            assert (await client.get("/api/v1/transit-security", params=WINDOW)).status_code == 200
        counted.append(statements)
    assert counted[0] == counted[1]
    assert counted[0][-1] == "transit_security/transit_security"
    for params, field in (({"time_zone": "Mars/Base"}, "time_zone"), ({"from": "x"}, "from"), ({"by": "y"}, "by")):
        response = await client.get("/api/v1/transit-security", params=params)
        assert response.status_code == 400
        assert response.json()["error"]["details"][0]["field"] == field


async def test_the_answer_keeps_the_statements_json(client: httpx.AsyncClient, state: Any) -> None:
    """db/transit_security.py reads the statement's JSON into dataclasses; REST gives it back byte for byte
    (jsonb's key order, PostgreSQL's timestamps: a fraction of a second without its trailing zeros)."""
    fraction = delivery(12, 3, "strict.example", "none", blocked_reason="TLS is required, but was not offered by host")
    await ingest(client, [*RECORDS, {**fraction, "received_at": "2026-06-03T11:00:00.120Z"}])
    response = await client.get("/api/v1/transit-security", params=WINDOW)
    days = (date(2026, 6, 1), date(2026, 6, 4))
    window = (datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 4, tzinfo=UTC))
    async with state.pool.acquire() as conn:
        row = await sql.fetchrow(conn, "transit_security/transit_security", state.org_id, *days, *window, 100)
    assert row is not None
    stored = {name: row[name] for name in ("days", "blocked", "without_tls")}
    assert '.12+00:00"' in orjson.dumps(stored["blocked"]).decode()
    answered = orjson.loads(response.content)
    assert {name: answered[name] for name in stored} == stored
    for value in stored.values():
        assert orjson.dumps(value) in response.content
