"""The Webhook type (a subscription), its deliveries and attempts, and the inputs that make and change one."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from core.webhooks import SUBSCRIBABLE
from db.webhooks import Delivery, Subscription
from services.webhooks import PingResult, WithSecret


@strawberry.enum(description="What a webhook can be sent (a ping goes to the webhook being tested).")
class WebhookEvent(Enum):
    INSIGHT_CREATED = "insight.created"
    INSIGHT_UPDATED = "insight.updated"
    INSIGHT_RESOLVED = "insight.resolved"
    INSIGHT_REOPENED = "insight.reopened"
    INSIGHT_DISMISSED = "insight.dismissed"
    TLS_REPORT_RECEIVED = "tls_report.received"


assert [e.value for e in WebhookEvent] == list(SUBSCRIBABLE)


@strawberry.type(description="A webhook subscription: where events are POSTed, signed (Standard Webhooks).")
class Webhook:
    id: strawberry.ID
    url: str
    events: list[WebhookEvent]
    description: str
    enabled: bool
    disabled_reason: str | None = strawberry.field(description="by an admin, or after 24 h of failed deliveries")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, found: Subscription) -> Webhook:
        return cls(
            id=strawberry.ID(str(found.id)),
            url=found.url,
            events=[WebhookEvent(e) for e in found.events],
            description=found.description,
            enabled=found.enabled,
            disabled_reason=found.disabled_reason,
            created_at=found.created_at,
            updated_at=found.updated_at,
        )


@strawberry.type(description="A webhook, with its signing secret when it was just made or rotated (shown once).")
class WebhookWithSecret:
    webhook: Webhook
    secret: str | None = strawberry.field(description="whsec_ + base64 of 32 bytes; null unless made or rotated")

    @classmethod
    def of(cls, found: WithSecret) -> WebhookWithSecret:
        return cls(webhook=Webhook.of(found.subscription), secret=found.secret)


@strawberry.type
class WebhookAttempt:
    attempt: int
    at: datetime
    status_code: int | None = strawberry.field(description="the receiver's answer; null when there was none")
    error: str | None
    duration_ms: int
    next_retry_at: datetime | None = strawberry.field(description="null: no retry (delivered, or failed for good)")


@strawberry.type(description="One event for one webhook, and its attempts (newest first).")
class WebhookDelivery:
    id: strawberry.ID
    webhook_id: str = strawberry.field(description="the webhook-id header: the same on every attempt")
    type: str
    status: str = strawberry.field(description="pending, delivered or failed")
    occurred_at: datetime
    next_attempt_at: datetime | None
    attempts: list[WebhookAttempt]

    @classmethod
    def of(cls, found: Delivery) -> WebhookDelivery:
        attempts = [WebhookAttempt(**vars(a)) for a in found.attempts]
        return cls(**{**vars(found), "id": strawberry.ID(str(found.id)), "attempts": attempts})


@strawberry.type(description="How the receiver answered a ping (never retried).")
class WebhookTestResult:
    delivery_id: strawberry.ID
    webhook_id: str
    delivered: bool
    status_code: int | None
    error: str | None
    duration_ms: int

    @classmethod
    def of(cls, result: PingResult) -> WebhookTestResult:
        return cls(**{**vars(result), "delivery_id": strawberry.ID(str(result.delivery_id))})


@strawberry.input(description="Changes to a webhook; a field left out (null) keeps its value.")
class WebhookChange:
    url: str | None = None
    events: list[WebhookEvent] | None = None
    description: str | None = None
    enabled: bool | None = None
    rotate_secret: bool = strawberry.field(default=False, description="true: the answer holds a new secret")

    def json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"url": self.url, "description": self.description, "enabled": self.enabled}
        body = {k: v for k, v in body.items() if v is not None}
        if self.events is not None:
            body["events"] = [e.value for e in self.events]
        if self.rotate_secret:
            body["rotate_secret"] = True
        return body
