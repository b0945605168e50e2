"""Webhooks over GraphQL: the same subscriptions, checks and pings as REST, for admin keys only."""

from __future__ import annotations

import httpx
import pytest

from api.context import AppState
from api.settings import Settings
from db.keys import create_key
from tests.conftest import make_client
from tests.graphql.helpers import gql
from tests.webhooks.conftest import webhook_settings
from tests.webhooks.receiver import receiver, verify


@pytest.fixture
def settings() -> Settings:
    return webhook_settings()


CREATE = """mutation ($url: String!, $events: [WebhookEvent!]) {
  createWebhook(url: $url, events: $events, description: "pager") {
    secret webhook { id url events description enabled disabledReason }
  }
}"""


async def test_create_list_change_test_and_delete(client: httpx.AsyncClient, state: AppState) -> None:
    with receiver() as hook:
        made = (await gql(client, CREATE, url=hook.url, events=["INSIGHT_CREATED", "TLS_REPORT_RECEIVED"]))["data"]
        created = made["createWebhook"]
        webhook = created["webhook"]
        assert created["secret"].startswith("whsec_")
        assert webhook["events"] == ["INSIGHT_CREATED", "TLS_REPORT_RECEIVED"]
        assert webhook["enabled"] is True
        listed = await gql(client, "{ webhooks { id url description } }")
        assert listed["data"]["webhooks"] == [{"id": webhook["id"], "url": hook.url, "description": "pager"}]

        tested = await gql(
            client,
            "mutation ($id: ID!) { testWebhook(id: $id) { delivered statusCode error webhookId } }",
            id=webhook["id"],
        )
        assert tested["data"]["testWebhook"]["delivered"] is True
        (ping,) = hook.received
        assert verify(created["secret"], ping.headers, ping.body)
        deliveries = await gql(
            client,
            "query ($id: ID!) { webhookDeliveries(id: $id) { webhookId type status attempts { statusCode } } }",
            id=webhook["id"],
        )
        (delivery,) = deliveries["data"]["webhookDeliveries"]
        assert delivery == {
            "webhookId": tested["data"]["testWebhook"]["webhookId"],
            "type": "ping",
            "status": "delivered",
            "attempts": [{"statusCode": 200}],
        }

    change = """mutation ($id: ID!, $change: WebhookChange!) {
      updateWebhook(id: $id, change: $change) { secret webhook { enabled disabledReason events } }
    }"""
    changed = await gql(client, change, id=webhook["id"], change={"enabled": False, "rotateSecret": True})
    updated = changed["data"]["updateWebhook"]
    assert updated["secret"].startswith("whsec_")
    assert updated["secret"] != created["secret"]
    assert updated["webhook"]["enabled"] is False
    assert updated["webhook"]["disabledReason"] == "disabled by an admin"
    refused = await gql(client, change, id=webhook["id"], change={"url": "ftp://example.com"})
    assert refused["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"
    assert "url: must start with https://" in refused["errors"][0]["message"]

    deleted = await gql(client, "mutation ($id: ID!) { deleteWebhook(id: $id) }", id=webhook["id"])
    assert deleted["data"]["deleteWebhook"] == webhook["id"]
    again = await gql(client, "mutation ($id: ID!) { deleteWebhook(id: $id) }", id=webhook["id"])
    assert again["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await gql(client, "{ webhooks { id } }"))["data"]["webhooks"] == []


async def test_readers_see_no_webhooks(state: AppState) -> None:
    token = await create_key(state.db.system, state.org_id, "reader", "tests")
    async with make_client(state, token) as reader:
        body = await gql(reader, "{ webhooks { id } }")
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        made = await gql(reader, CREATE, url="https://example.com/")
        assert made["errors"][0]["extensions"]["code"] == "FORBIDDEN"
