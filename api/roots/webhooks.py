"""Webhook subscriptions as GraphQL root fields (admin keys), as REST /api/v1/webhooks
(services/webhooks.py)."""

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
from api.webhooks.worker import sending
from core.arguments import webhook_id_argument
from services import webhooks


@strawberry.type
class WebhookQuery:
    """Mixed into Query."""

    @strawberry.field(description="The webhook subscriptions (admin keys; never their secrets).")
    async def webhooks(self, info: Info) -> list[Webhook]:
        app = app_state(info, "admin")
        return [Webhook.of(w) for w in await webhooks.list_all(app.pool, app.org_id)]

    @strawberry.field(description="A webhook's newest 100 deliveries, each with its attempts (admin keys).")
    async def webhook_deliveries(self, info: Info, id: strawberry.ID) -> list[WebhookDelivery]:
        app = app_state(info, "admin")
        found = await webhooks.deliveries(app.pool, app.org_id, webhook_id_argument(id))
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
        app = app_state(info, "admin")
        created = await webhooks.create(app.pool, app.org_id, sending(app.db, app.settings, app.org_id), body)
        return WebhookWithSecret.of(created)

    @strawberry.mutation(
        description="Change a webhook's URL, events or description, enable or disable it, or rotate its secret."
    )
    async def update_webhook(self, info: Info, id: strawberry.ID, change: WebhookChange) -> WebhookWithSecret:
        app = app_state(info, "admin")
        with_ = sending(app.db, app.settings, app.org_id)
        changed = await webhooks.change(app.pool, app.org_id, with_, webhook_id_argument(id), change.json())
        return WebhookWithSecret.of(changed)

    @strawberry.mutation(description="Remove a webhook and its deliveries; returns its id.")
    async def delete_webhook(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        app = app_state(info, "admin")
        await webhooks.remove(app.pool, app.org_id, webhook_id_argument(id))
        return id

    @strawberry.mutation(description="Send a webhook a ping now and say how it answered (never retried).")
    async def test_webhook(self, info: Info, id: strawberry.ID) -> WebhookTestResult:
        app = app_state(info, "admin")
        result = await webhooks.test(
            app.pool, app.org_id, sending(app.db, app.settings, app.org_id), webhook_id_argument(id)
        )
        return WebhookTestResult.of(result)
