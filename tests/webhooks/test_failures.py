"""What goes wrong: redirects, refused addresses at delivery time, timeouts, and receivers that stay down."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import httpx

from api.context import AppState
from tests.webhooks.conftest import running
from tests.webhooks.helpers import store_report, subscribe
from tests.webhooks.receiver import receiver


async def attempts(
    client: httpx.AsyncClient, webhook: int, count: int, seconds: float = 10, oldest: bool = False
) -> list[dict[str, Any]]:
    """The deliveries once the newest (or oldest) has `count` attempts, or its status is final."""
    for _ in range(int(seconds / 0.05)):
        found = (await client.get(f"/api/v1/webhooks/{webhook}/deliveries")).json()["deliveries"]
        watched = found[-1 if oldest else 0] if found else None
        if watched and (len(watched["attempts"]) >= count or watched["status"] != "pending"):
            deliveries: list[dict[str, Any]] = found
            return deliveries
        await asyncio.sleep(0.05)
    raise AssertionError(f"no delivery reached {count} attempts")


async def test_redirects_are_not_followed(client: httpx.AsyncClient, state: AppState) -> None:
    with receiver() as elsewhere, receiver() as hook:
        hook.answers = [302, 302]
        hook.location = elsewhere.url
        created = await subscribe(client, hook.url)
        async with running(state.db, state.settings):
            await store_report(client, "moved")
            (delivery,) = await attempts(client, created["id"], 3)
        assert [a["status_code"] for a in delivery["attempts"]][-2:] == [302, 302]
        assert delivery["attempts"][-1]["error"] == "a redirect: webhooks do not follow redirects"
        assert elsewhere.received == []


async def test_a_target_that_became_private_is_refused_at_delivery(client: httpx.AsyncClient, state: AppState) -> None:
    with receiver() as hook:
        created = await subscribe(client, hook.url)  # allowed when subscribed (MAILFLOW_WEBHOOK_ALLOW_PRIVATE=on)
        strict = dataclasses.replace(state.settings, webhook_allow_private=False)
        async with running(state.db, strict):
            await store_report(client, "refused")
            (delivery,) = await attempts(client, created["id"], 1)
        error = delivery["attempts"][-1]["error"]
        assert error.startswith("refused: "), error
        assert "must start with https://" in error  # http://127.0.0.1 was allowed only with the setting
        assert delivery["attempts"][-1]["status_code"] is None
        assert hook.received == []


async def test_an_attempt_without_an_answer_in_time_fails(client: httpx.AsyncClient, state: AppState) -> None:
    with receiver() as hook:
        hook.delay = 1.5
        created = await subscribe(client, hook.url)
        quick = dataclasses.replace(state.settings, webhook_timeout_seconds=0.5, webhook_retry_seconds=(60,))
        async with running(state.db, quick):
            await store_report(client, "slow")
            (delivery,) = await attempts(client, created["id"], 1)
        (attempt,) = delivery["attempts"]
        assert attempt["error"] == "no answer within 0.5 s"
        assert 450 <= attempt["duration_ms"] < 1400
        assert delivery["status"] == "pending"
        assert delivery["next_attempt_at"] is not None


async def test_after_failing_for_the_give_up_time_the_subscription_is_disabled_and_an_insight_says_so(
    client: httpx.AsyncClient, state: AppState
) -> None:
    with receiver() as hook:
        hook.answers = [500] * 1000
        created = await subscribe(client, hook.url)
        hasty = dataclasses.replace(state.settings, webhook_give_up_seconds=0.6, webhook_retry_seconds=(0.1,))
        async with running(state.db, hasty):
            await store_report(client, "lost")
            await store_report(client, "held")
            deliveries = await attempts(client, created["id"], 1000, oldest=True)
            assert [d["status"] for d in deliveries] == ["pending", "failed"]  # newest first: the later one waits
            assert {r.json()["data"]["report_id"] for r in hook.received} == {"lost"}
            shown = (await client.get(f"/api/v1/webhooks/{created['id']}")).json()
            assert shown["enabled"] is False
            assert shown["disabled_reason"].startswith("disabled after its deliveries failed for")
            (insight,) = (await client.get("/api/v1/insights")).json()["insights"]
            assert insight["rule"] == "webhook_disabled"
            assert insight["subject"] == f"webhook subscription {created['id']}"
            assert hook.url in insight["description"]

            # enabled again: the insight resolves, and the held delivery goes out first (its resolution after it)
            hook.answers = []
            before = len(hook.received)
            enabled = await client.patch(f"/api/v1/webhooks/{created['id']}", json={"enabled": True})
            assert enabled.json()["enabled"] is True
            assert enabled.json()["disabled_reason"] is None
            assert (await client.get("/api/v1/insights")).json()["insights"] == []
            got = await hook.arrived(before + 1)
            assert got[before].json()["data"]["report_id"] == "held"
        for _ in range(100):  # the feed shows an event once every older transaction has ended
            kinds = [e["type"] for e in (await client.get("/api/v1/insights/events")).json()["events"]]
            if len(kinds) >= 2:
                break
            await asyncio.sleep(0.1)
        assert kinds == ["created", "resolved"]


async def test_two_workers_never_send_one_delivery_at_once(client: httpx.AsyncClient, state: AppState) -> None:
    with receiver() as one, receiver() as two:
        one.delay = two.delay = 0.05
        for hook in (one, two):
            await subscribe(client, hook.url)
        async with running(state.db, state.settings), running(state.db, state.settings):
            for n in range(10):
                await store_report(client, f"r{n}")
            await one.arrived(10)
            await two.arrived(10)
            await asyncio.sleep(0.5)
        for hook in (one, two):
            ids = [r.headers["webhook-id"] for r in hook.received]
            assert len(ids) == len(set(ids)) == 10
            assert [r.json()["data"]["report_id"] for r in hook.received] == [f"r{n}" for n in range(10)]
