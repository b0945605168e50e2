"""Webhook subscriptions, as REST, GraphQL and the CLI share them: checks, changes, tests, deliveries. What
the server's settings and its delivery worker (api/webhooks/) lend: the `Sending` argument."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from core.errors import NotFound, invalid
from core.secrets import new_secret, seal
from core.targets import TargetRefused, check_target
from core.webhooks import SUBSCRIBABLE, Outcome, insight_subject
from db import insights as insight_store
from db import webhooks as store
from db.notify import notify
from db.pool import TenantPool
from db.webhooks import Claimed, Delivery, Subscription

MAX_DESCRIPTION = 500
FIELDS = ("url", "events", "description")
CHANGES = ("url", "events", "description", "enabled", "rotate_secret")
MAX_DELIVERIES = 100


@dataclass(frozen=True)
class Sending:
    """What the service needs of the server: the key that seals secrets (read only when one is sealed),
    whether private targets are allowed (MAILFLOW_WEBHOOK_ALLOW_PRIVATE), and how to send a claimed delivery
    now and record it (its status)."""

    key: Callable[[], bytes]
    allow_private: bool
    send_now: Callable[[Claimed], Awaitable[tuple[Outcome, str]]]


@dataclass(frozen=True)
class WithSecret:
    """A subscription, with its secret when it was just made or rotated (the only time it is shown)."""

    subscription: Subscription
    secret: str | None


@dataclass(frozen=True)
class PingResult:
    delivery_id: int
    webhook_id: str
    delivered: bool
    status_code: int | None
    error: str | None
    duration_ms: int


def _events(value: Any, problems: list[dict[str, Any]]) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problems.append({"field": "events", "message": f"must be a non-empty list of: {', '.join(SUBSCRIBABLE)}"})
        return []
    unknown = [v for v in value if v not in SUBSCRIBABLE]
    if unknown:
        problems.append(
            {
                "field": "events",
                "message": f"unknown event type(s) {', '.join(map(repr, unknown))} "
                f"(the types: {', '.join(SUBSCRIBABLE)})",
            }
        )
    return [t for t in SUBSCRIBABLE if t in value]  # each once, in a fixed order


async def _url(allow_private: bool, value: Any, problems: list[dict[str, Any]]) -> str:
    try:
        return (await check_target(value, allow_private)).url
    except TargetRefused as exc:
        problems.append({"field": "url", "message": str(exc)})
        return ""


def _description(value: Any, problems: list[dict[str, Any]]) -> str:
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
        problems.append({"field": "description", "message": f"must be text of at most {MAX_DESCRIPTION} characters"})
        return ""
    return value


def _unknown(body: Any, allowed: tuple[str, ...], problems: list[dict[str, Any]]) -> dict[str, Any]:
    if not isinstance(body, dict):
        problems.append({"field": None, "message": "must be a JSON object"})
        return {}
    problems += [{"field": k, "message": "unknown field"} for k in sorted(set(body) - set(allowed))]
    return body


async def create(pool: TenantPool, org_id: int, sending: Sending, body: Any) -> WithSecret:
    """A new subscription (`{"url", "events"?, "description"?}`; events default to every type), with its
    signing secret: the only time it is shown."""
    problems: list[dict[str, Any]] = []
    is_object = isinstance(body, dict)
    body = _unknown(body, FIELDS, problems)
    if is_object and "url" not in body:  # `{}` too
        problems.append({"field": "url", "message": "is required"})
    url = await _url(sending.allow_private, body["url"], problems) if "url" in body else ""
    events = _events(body.get("events", list(SUBSCRIBABLE)), problems)
    description = _description(body.get("description", ""), problems)
    if problems:
        raise invalid("the webhook", problems)
    secret = new_secret()
    sealed = seal(sending.key(), org_id, secret)
    return WithSecret(await store.insert_subscription(pool, org_id, url, events, description, sealed), secret)


async def list_all(pool: TenantPool, org_id: int) -> list[Subscription]:
    return await store.list_subscriptions(pool, org_id)


async def get(pool: TenantPool, org_id: int, subscription_id: int) -> Subscription:
    found = await store.subscription_by_id(pool, org_id, subscription_id)
    if found is None:
        raise NotFound(f"there is no webhook {subscription_id}")
    return found.subscription


async def change(pool: TenantPool, org_id: int, sending: Sending, subscription_id: int, body: Any) -> WithSecret:
    """Change the URL, events or description, enable or disable, or rotate the secret (`rotate_secret: true`:
    the answer holds the new one, shown once). Enabling closes the insight that said it was disabled."""
    problems: list[dict[str, Any]] = []
    body = _unknown(body, CHANGES, problems)
    url = await _url(sending.allow_private, body["url"], problems) if "url" in body else None
    events = _events(body["events"], problems) if "events" in body else None
    description = _description(body["description"], problems) if "description" in body else None
    enabled = body.get("enabled")
    if "enabled" in body and not isinstance(enabled, bool):
        problems.append({"field": "enabled", "message": "must be true or false"})
    rotate = body.get("rotate_secret", False)
    if rotate not in (True, False):
        problems.append({"field": "rotate_secret", "message": "must be true or false"})
    if problems:
        raise invalid("the change", problems)
    secret = new_secret() if rotate else None
    sealed = seal(sending.key(), org_id, secret) if secret else None
    async with pool.acquire() as conn, conn.transaction():
        changed = await store.update_subscription(
            conn, org_id, subscription_id, url, events, description, enabled, sealed
        )
        if changed is None:
            raise NotFound(f"there is no webhook {subscription_id}")
        if enabled:
            await _close_insight(conn, org_id, subscription_id)
            await notify(conn, org_id, changed=False, queued=True)  # what waited for it goes now
    return WithSecret(changed, secret)


async def _close_insight(conn: Any, org_id: int, subscription_id: int) -> None:
    await insight_store.lock_organization(conn, org_id)
    subject = insight_subject(subscription_id)
    resolved = await insight_store.resolve_system_insight(conn, org_id, store.WEBHOOK_DISABLED, subject)
    if resolved is not None:
        await insight_store.insert_events(conn, org_id, [(resolved, "resolved")])


async def remove(pool: TenantPool, org_id: int, subscription_id: int) -> None:
    async with pool.acquire() as conn, conn.transaction():
        if not await store.delete_subscription(conn, org_id, subscription_id):
            raise NotFound(f"there is no webhook {subscription_id}")
        await _close_insight(conn, org_id, subscription_id)


async def test(pool: TenantPool, org_id: int, sending: Sending, subscription_id: int) -> PingResult:
    """Send a `ping` now (enabled or not) and say how the receiver answered; it is listed with the
    deliveries, and never retried."""
    found = await store.subscription_by_id(pool, org_id, subscription_id)
    if found is None:
        raise NotFound(f"there is no webhook {subscription_id}")
    data = {"webhook": subscription_id, "message": "a test from mailflow: this receiver gets its events"}
    async with pool.acquire() as conn:
        queued = await store.enqueue_ping(conn, org_id, subscription_id, data)
    claimed = Claimed(
        queued.delivery_id, subscription_id, queued.message_id, "ping", data, queued.occurred_at, queued.attempts,
        queued.occurred_at, found.subscription.url, found.secret, None,
    )  # fmt: skip
    outcome, status = await sending.send_now(claimed)
    return PingResult(
        queued.delivery_id, queued.message_id, status == "delivered", outcome.status_code, outcome.error,
        outcome.duration_ms,
    )  # fmt: skip


async def deliveries(pool: TenantPool, org_id: int, subscription_id: int) -> list[Delivery]:
    """The newest deliveries (at most 100), each with its attempts, newest first."""
    await get(pool, org_id, subscription_id)
    return await store.list_deliveries(pool, org_id, subscription_id, MAX_DELIVERIES)
