"""Webhook subscriptions as GraphQL root fields (admin keys), as REST /api/v1/webhooks
(api/webhooks/service.py)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from api.roots.access import app_state
from api.types.webhook import (
    Webhook,
    WebhookChange,
    WebhookDelivery,
    WebhookEvent,
    WebhookTestResult,
    WebhookWithSecret,
)
from api.webhooks import service as webhooks
from core.arguments import webhook_id_argument


@strawberry.type
class WebhookQuery:
    """Mixed into Query."""

    @strawberry.field(description="The webhook subscriptions (admin keys; never their secrets).")
    async def webhooks(self, info: Info) -> list[Webhook]:
        return [Webhook.of(w) for w in await webhooks.list_all(app_state(info, "admin"))]

    @strawberry.field(description="A webhook's newest 100 deliveries, each with its attempts (admin keys).")
    async def webhook_deliveries(self, info: Info, id: strawberry.ID) -> list[WebhookDelivery]:
        found = await webhooks.deliveries(app_state(info, "admin"), webhook_id_argument(id))
        return [WebhookDelivery.of(d) for d in found]


@strawberry.type
class WebhookMutation:
    """Mixed into Mutation: webhook subscriptions (admin keys), as REST /api/v1/webhooks."""

    @strawberry.mutation(
        description="Subscribe a URL (https, public) to events (default: all); the secret is shown once."
    )
    async def create_webhook(
        self,
        info: Info,
        url: str,
        events: list[WebhookEvent] | None = None,
        description: str = "",
    ) -> WebhookWithSecret:
        body: dict[str, Any] = {"url": url, "description": description}
        if events is not None:
            body["events"] = [e.value for e in events]
        return WebhookWithSecret.of(await webhooks.create(app_state(info, "admin"), body))

    @strawberry.mutation(
        description="Change a webhook's URL, events or description, enable or disable it, or rotate its secret."
    )
    async def update_webhook(self, info: Info, id: strawberry.ID, change: WebhookChange) -> WebhookWithSecret:
        app = app_state(info, "admin")
        return WebhookWithSecret.of(await webhooks.change(app, webhook_id_argument(id), change.json()))

    @strawberry.mutation(description="Remove a webhook and its deliveries; returns its id.")
    async def delete_webhook(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        await webhooks.remove(app_state(info, "admin"), webhook_id_argument(id))
        return id

    @strawberry.mutation(description="Send a webhook a ping now and say how it answered (never retried).")
    async def test_webhook(self, info: Info, id: strawberry.ID) -> WebhookTestResult:
        result = await webhooks.test(app_state(info, "admin"), webhook_id_argument(id))
        return WebhookTestResult(**{**result, "delivery_id": strawberry.ID(str(result["delivery_id"]))})
