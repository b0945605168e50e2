"""Insights name names: every connector insight carries the top ten remote domains and server domains behind its
condition, with their counts, in REST, GraphQL, the SIEM feed (JSON, NDJSON, CEF)."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson

from api.context import AppState
from api.insights.cef import cef_line, remote_list
from api.insights.evaluate import evaluate
from db.sql import count_statements
from tests.factories import add_connector
from tests.graphql.helpers import gql
from tests.insights.helpers import active, feed

_ids = itertools.count()


def sent(domain: str | None, server: str, tls: str, n: int, connector: str | None = None) -> list[dict[str, Any]]:
    at = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    return [
        {"message_id": f"<rp{next(_ids)}@x>", "received_at": at, "direction": "inbound", "tls_version": tls,
         "connector": connector, "sender": f"someone@{domain}" if domain else None, "remote_host": server}
        for _ in range(n)
    ]  # fmt: skip


async def test_a_tls10_insight_names_its_top_ten_senders_and_servers(client: httpx.AsyncClient) -> None:
    await add_connector(client, "Fabrikam", "inbound", "partner")
    records, expected = [], Counter[str | None]()
    for i in range(12):  # twelve domains sending TLS 1.0, d0 the least (1), d11 the most (12)
        records += sent(f"d{i}.fabrikam.example", f"mx{i}.out.relay{i % 3}.net", "TLSv1", i + 1, "Fabrikam")
        expected[f"d{i}.fabrikam.example"] = i + 1
    records += sent(None, "unknown", "TLSv1", 40, "Fabrikam")  # a null sender behind it too
    expected[None] = 40
    records += sent("modern.example", "mx.modern.example", "TLSv1.3", 30, "Fabrikam")  # not behind the condition
    records += sent("d11.fabrikam.example", "mx11.out.relay2.net", "TLSv1.2", 5, "Fabrikam")
    await feed(client, records)
    (insight,) = [i for i in await active(client) if i["rule"] == "inbound_partner_tls10"]
    top = insight["remote_domains"]
    assert [(d["domain"], d["messages"]) for d in top] == expected.most_common(10)
    assert top[0] == {"domain": None, "messages": 40, "volume": 40}
    assert top[1] == {"domain": "d11.fabrikam.example", "messages": 12, "volume": 17}
    servers = {s["domain"]: s["messages"] for s in insight["remote_servers"]}
    assert servers == {  # mx{i}.out.relay{i % 3}.net fold into three registrable domains
        "relay0.net": 1 + 4 + 7 + 10,
        "relay1.net": 2 + 5 + 8 + 11,
        "relay2.net": 3 + 6 + 9 + 12,
        None: 40,
    }
    # the SIEM feed carries them: JSON, NDJSON, and CEF as short extension fields
    page = (await client.get("/api/v1/insights/events")).json()
    event = next(e for e in page["events"] if e["insight"]["id"] == insight["id"])
    assert event["insight"]["remote_domains"] == top
    ndjson = await client.get("/api/v1/insights/events", params={"format": "ndjson"})
    lines = [orjson.loads(line) for line in ndjson.content.splitlines()]
    assert any(e["insight"]["remote_servers"] == insight["remote_servers"] for e in lines)
    cef = (await client.get("/api/v1/insights/events", params={"format": "cef"})).text
    line = next(x for x in cef.splitlines() if "inbound_partner_tls10" in x)
    assert "cs5Label=remoteDomains cs5=(unknown):40,d11.fabrikam.example:12,d10.fabrikam.example:11," in line
    assert "cs6Label=remoteServers cs6=(unknown):40,relay2.net:30," in line
    # GraphQL
    body = await gql(client, "{ insights { rule remoteDomains { domain messages volume } remoteServers { domain } } }")
    (graph,) = [i for i in body["data"]["insights"] if i["rule"] == "inbound_partner_tls10"]
    assert graph["remoteDomains"] == top
    assert {s["domain"] for s in graph["remoteServers"]} == set(servers)


async def test_top_domains_follow_the_condition_and_cost_one_statement(
    client: httpx.AsyncClient, state: AppState
) -> None:
    await add_connector(client, "Contoso", "inbound", "partner")
    await add_connector(client, "Woodgrove", "inbound", "partner")
    with count_statements() as statements:
        await feed(
            client,
            sent("old.contoso.example", "mx.contoso.example", "TLSv1", 120, "Contoso")
            + sent("plain.woodgrove.example", "mx.woodgrove.example", "none", 150, "Woodgrove")
            + sent("older.woodgrove.example", "mx.woodgrove.example", "TLSv1.1", 110, "Woodgrove"),
        )
    assert statements.count("insights/top_remote_parties") == 1  # for all the rules that fire
    by_rule = {i["rule"]: i for i in await active(client)}
    assert set(by_rule) >= {"inbound_partner_tls10", "connector_no_tls"}
    assert [d["domain"] for d in by_rule["inbound_partner_tls10"]["remote_domains"]] == ["old.contoso.example"]
    assert by_rule["connector_no_tls"]["remote_domains"] == [
        {"domain": "plain.woodgrove.example", "messages": 150, "volume": 150}
    ]
    # more of it later: the ingest moves the figures and keeps the names (it does not pay for them) ...
    with count_statements() as statements:
        await feed(client, sent("new.contoso.example", "mx.new.example", "TLSv1", 200, "Contoso"))
    assert "insights/top_remote_parties" not in statements
    (tls10,) = [i for i in await active(client) if i["rule"] == "inbound_partner_tls10"]
    assert tls10["messages"] == 320
    assert [d["domain"] for d in tls10["remote_domains"]] == ["old.contoso.example"]
    # ... and the next full evaluation (the periodic one) names the new sender first
    await evaluate(state.pool, state.org_id)
    (tls10,) = [i for i in await active(client) if i["rule"] == "inbound_partner_tls10"]
    assert [(d["domain"], d["messages"]) for d in tls10["remote_domains"]] == [
        ("new.contoso.example", 200),
        ("old.contoso.example", 120),
    ]


def test_the_cef_list_stays_short() -> None:
    many = [{"domain": f"{'x' * 40}{n}.example", "messages": 10 - n} for n in range(10)]
    text = remote_list(many)
    assert len(text) <= 255
    assert text.count(",") == 3  # four whole pairs fit, no fifth cut short
    assert remote_list([]) == ""
    event = {
        "event_id": 1, "cursor": "1-1", "type": "created", "at": "2026-11-27T10:00:00+00:00",
        "insight": {"id": 1, "rule": "r", "title": "t", "severity": 5, "status": "active",
                    "connector": {"name": "n", "direction": "inbound"}, "messages": 1, "volume": 1, "share": 1.0,
                    "description": "d", "remote_domains": [{"domain": "a=b.example", "messages": 3}]},
    }  # fmt: skip
    assert "cs5=a\\=b.example:3 cs6Label=remoteServers cs6= " in cef_line(event)
