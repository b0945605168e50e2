"""Deliveries to a real receiver on loopback: signed, once per event, retried in order with one webhook-id."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from api.context import AppState
from tests.factories import add_connector
from tests.insights.helpers import feed, records
from tests.webhooks.helpers import store_report, subscribe
from tests.webhooks.receiver import receiver, verify

pytestmark = pytest.mark.usefixtures("deliveries")


async def test_an_insight_opened_by_an_ingest_is_delivered_signed_within_2_seconds(
    client: httpx.AsyncClient, state: AppState
) -> None:
    with receiver() as hook:
        created = await subscribe(client, hook.url, ["insight.created"])
        assert created["secret"].startswith("whsec_")
        await add_connector(client, "Fabrikam", "inbound", "partner")
        await feed(client, records({"TLS1.0": 100}, "inbound", "Fabrikam"))
        ingested = time.time()
        (got,) = await hook.arrived(1, seconds=5)
        assert got.at - ingested < 2
        assert verify(created["secret"], got.headers, got.body)
        assert not verify(created["secret"], {**got.headers, "webhook-id": "evt_other"}, got.body)
        body = got.json()
        assert body["type"] == "insight.created"
        # the data is the event the SIEM feed gives (once every older transaction has ended: on a busy server
        # the feed may hold it back a moment)
        for _ in range(100):
            events = (await client.get("/api/v1/insights/events")).json()["events"]
            if events:
                break
            await asyncio.sleep(0.1)
        (event,) = events
        assert body["data"] == event
        assert got.headers["webhook-id"] == f"evt_{event['event_id']}"
        assert body["timestamp"] == event["at"]
        assert got.headers["content-type"] == "application/json"


async def test_500_500_200_is_three_attempts_with_one_webhook_id(client: httpx.AsyncClient) -> None:
    with receiver() as hook:
        hook.answers = [500, 500]
        created = await subscribe(client, hook.url, ["tls_report.received"])
        await store_report(client, "r1")
        got = await hook.arrived(3)
        assert len({r.headers["webhook-id"] for r in got}) == 1
        assert all(verify(created["secret"], r.headers, r.body) for r in got)
        assert got[0].json()["type"] == "tls_report.received"
        assert got[0].json()["data"]["report_id"] == "r1"
        listed = await client.get(f"/api/v1/webhooks/{created['id']}/deliveries")
        (delivery,) = listed.json()["deliveries"]
        assert delivery["status"] == "delivered"
        assert [a["status_code"] for a in delivery["attempts"]] == [200, 500, 500]  # newest first
        assert delivery["attempts"][1]["error"] == "answered 500"
        assert delivery["attempts"][1]["next_retry_at"] is not None
        assert delivery["attempts"][0]["next_retry_at"] is None
        await asyncio.sleep(0.5)
        assert len(hook.received) == 3  # nothing more once delivered


async def test_a_later_event_waits_while_an_earlier_one_is_retrying(client: httpx.AsyncClient) -> None:
    with receiver() as hook:
        hook.answers = [500, 500]
        await subscribe(client, hook.url, ["tls_report.received"])
        await store_report(client, "first")
        await store_report(client, "second")
        got = await hook.arrived(4)
        order = [r.json()["data"]["report_id"] for r in got]
        assert order == ["first", "first", "first", "second"]


async def test_the_events_a_subscription_does_not_want_are_not_sent(client: httpx.AsyncClient) -> None:
    with receiver() as hook:
        await subscribe(client, hook.url, ["insight.resolved"])
        await store_report(client, "ignored")
        await add_connector(client, "Fabrikam", "inbound", "partner")
        await feed(client, records({"TLS1.0": 100}, "inbound", "Fabrikam"))
        await asyncio.sleep(1)
        assert hook.received == []
