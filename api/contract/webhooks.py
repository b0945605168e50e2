"""Webhooks: subscriptions to events, signed deliveries and their attempts (admin keys only)."""

from __future__ import annotations

from typing import Annotated

from msgspec import UNSET, Meta, Struct, UnsetType

from api.contract.common import BAD_ARGUMENT, MALFORMED, Answer, Operation, Time, about, json, json_body, one_of
from core.targets import MAX_URL
from core.webhooks import SUBSCRIBABLE
from services.webhooks import MAX_DELIVERIES, MAX_DESCRIPTION

Events = Annotated[list[Annotated[str, one_of(SUBSCRIBABLE)]], Meta(min_length=1)]
Url = Annotated[str, Meta(max_length=MAX_URL, description="https://, resolving to public addresses")]
Description = Annotated[str, Meta(max_length=MAX_DESCRIPTION)]
DELIVERY_STATES = ("pending", "delivered", "failed")  # api/webhooks/worker.py records these


class Webhook(Struct, kw_only=True):
    id: int
    url: str
    events: Events
    description: str
    enabled: bool
    disabled_reason: str | None
    created_at: Time
    updated_at: Time
    secret: (
        Annotated[str, about("whsec_ + base64 of 32 bytes: only on creation and rotation, shown once")] | UnsetType
    ) = UNSET


class Attempt(Struct, kw_only=True):
    attempt: int | UnsetType = UNSET
    at: Time | UnsetType = UNSET
    status_code: int | UnsetType | None = UNSET
    error: str | UnsetType | None = UNSET
    duration_ms: int | UnsetType = UNSET
    next_retry_at: Time | UnsetType | None = UNSET


class WebhookDelivery(Struct, kw_only=True):
    id: int | UnsetType = UNSET
    webhook_id: Annotated[str, about("the webhook-id header: the same on every attempt")] | UnsetType = UNSET
    type: str | UnsetType = UNSET
    status: Annotated[str, one_of(DELIVERY_STATES)] | UnsetType = UNSET
    occurred_at: Time | UnsetType = UNSET
    next_attempt_at: Time | UnsetType | None = UNSET
    attempts: Annotated[list[Attempt], about("newest first")] | UnsetType = UNSET


class Webhooks(Struct):
    webhooks: list[Webhook] | UnsetType = UNSET


class Deliveries(Struct):
    deliveries: list[WebhookDelivery] | UnsetType = UNSET


class TestAttempt(Struct, kw_only=True):
    delivery_id: int | UnsetType = UNSET
    webhook_id: str | UnsetType = UNSET
    delivered: bool | UnsetType = UNSET
    status_code: int | UnsetType | None = UNSET
    error: str | UnsetType | None = UNSET
    duration_ms: int | UnsetType = UNSET


class NewWebhook(Struct, kw_only=True, forbid_unknown_fields=True):
    url: Url
    events: Annotated[Events, about("default: every event type")] | UnsetType = UNSET
    description: Description | UnsetType = UNSET


class WebhookChange(Struct, kw_only=True, forbid_unknown_fields=True):
    url: Url | UnsetType = UNSET
    events: Events | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET
    rotate_secret: Annotated[bool, about("true: the answer holds a new secret")] | UnsetType = UNSET


NO_SUCH = {404: "no such webhook in this organization"}
BODY_REFUSALS = {
    **MALFORMED,
    422: "invalid or refused fields, in details[] (a URL that is not https or not public)",
}

TAG = "webhooks"
OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/webhooks",
        "the webhook subscriptions (never their secrets)",
        {200: json(Webhooks, "subscriptions")},
        BAD_ARGUMENT,
    ),
    Operation(
        "POST",
        "/api/v1/webhooks",
        "subscribe a URL to events; the answer holds the signing secret, shown once",
        {201: json(Webhook, "created, with its secret")},
        BODY_REFUSALS,
        body=json_body(NewWebhook),
    ),
    Operation(
        "GET",
        "/api/v1/webhooks/{webhook_id}",
        "one webhook subscription",
        {200: json(Webhook, "the subscription")},
        {**BAD_ARGUMENT, **NO_SUCH},
    ),
    Operation(
        "PATCH",
        "/api/v1/webhooks/{webhook_id}",
        "change the URL, events or description, enable or disable, or rotate the secret",
        {200: json(Webhook, "the changed subscription")},
        {**BODY_REFUSALS, **NO_SUCH},
        body=json_body(WebhookChange),
    ),
    Operation(
        "DELETE",
        "/api/v1/webhooks/{webhook_id}",
        "remove a subscription and its deliveries",
        {204: Answer("removed")},
        NO_SUCH,
    ),
    Operation(
        "POST",
        "/api/v1/webhooks/{webhook_id}/test",
        "send a ping now and say how the receiver answered (never retried)",
        {200: json(TestAttempt, "the attempt")},
        NO_SUCH,
    ),
    Operation(
        "GET",
        "/api/v1/webhooks/{webhook_id}/deliveries",
        f"the newest {MAX_DELIVERIES} deliveries, each with its attempts (time, status or error, duration, next retry)",
        {200: json(Deliveries, "deliveries, newest first")},
        {**BAD_ARGUMENT, **NO_SUCH},
    ),
]
