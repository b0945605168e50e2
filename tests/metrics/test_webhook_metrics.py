"""/metrics for webhooks: attempts by outcome, the oldest pending delivery, open GraphQL subscriptions."""

from __future__ import annotations

import asyncio
import dataclasses

import httpx
import pytest

from api.context import AppState
from api.settings import Settings
from tests.metrics.test_metrics import scrape, value
from tests.webhooks.conftest import running, webhook_settings
from tests.webhooks.helpers import store_report, subscribe
from tests.webhooks.receiver import receiver


@pytest.fixture
def settings() -> Settings:
    return dataclasses.replace(webhook_settings(), metrics=True)


async def test_webhook_attempts_and_the_oldest_pending_delivery(client: httpx.AsyncClient, state: AppState) -> None:
    before = await scrape(client)
    assert ("mailflow_graphql_subscriptions", ()) in before
    with receiver() as hook:
        hook.answers = [500]  # the first attempt fails, the retry succeeds
        await subscribe(client, hook.url, ["tls_report.received"])
        await store_report(client, "pending-1")
        await asyncio.sleep(0.3)  # no worker yet: the delivery waits
        assert value(await scrape(client), "mailflow_webhook_oldest_pending_seconds") > 0
        async with running(state.db, state.settings):
            await hook.arrived(2)
            for _ in range(50):  # the attempt is recorded just after the receiver answers
                after = await scrape(client)
                if value(after, "mailflow_webhook_attempts_total", outcome="delivered") > value(
                    before, "mailflow_webhook_attempts_total", outcome="delivered"
                ):
                    break
                await asyncio.sleep(0.1)
    for outcome in ("retrying", "delivered"):
        moved = value(after, "mailflow_webhook_attempts_total", outcome=outcome)
        assert moved - value(before, "mailflow_webhook_attempts_total", outcome=outcome) == 1
