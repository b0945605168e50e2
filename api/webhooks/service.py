"""What REST, GraphQL and the CLI share about webhook subscriptions: checks, changes, tests, deliveries."""

from __future__ import annotations

from typing import Any

from api.context import AppState
from api.errors import NotFound, ValidationFailed
from api.webhooks import messages, worker
from api.webhooks.secrets import encrypt, new_secret
from api.webhooks.targets import TargetRefused, check_target
from db import insights as insight_store
from db import webhooks as store
from db.notify import notify

MAX_DESCRIPTION = 500
FIELDS = ("url", "events", "description")
CHANGES = ("url", "events", "description", "enabled", "rotate_secret")
MAX_DELIVERIES = 100


def _invalid(what: str, problems: list[dict[str, Any]]) -> ValidationFailed:
    said = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
    return ValidationFailed(f"{what} is not valid: {said}", problems)


def _events(value: Any, problems: list[dict[str, Any]]) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problems.append(
            {"field": "events", "message": f"must be a non-empty list of: {', '.join(messages.SUBSCRIBABLE)}"}
        )
        return []
    unknown = [v for v in value if v not in messages.SUBSCRIBABLE]
    if unknown:
        problems.append(
            {
                "field": "events",
                "message": f"unknown event type(s) {', '.join(map(repr, unknown))} "
                f"(the types: {', '.join(messages.SUBSCRIBABLE)})",
            }
        )
    return [t for t in messages.SUBSCRIBABLE if t in value]  # each once, in a fixed order


async def _url(app: AppState, value: Any, problems: list[dict[str, Any]]) -> str:
    try:
        return (await check_target(value, app.settings.webhook_allow_private)).url
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


async def create(app: AppState, body: Any) -> dict[str, Any]:
    """A new subscription (`{"url", "events"?, "description"?}`; events default to every type), with its
    signing secret: the only time it is shown."""
    problems: list[dict[str, Any]] = []
    is_object = isinstance(body, dict)
    body = _unknown(body, FIELDS, problems)
    if is_object and "url" not in body:  # `{}` too
        problems.append({"field": "url", "message": "is required"})
    url = await _url(app, body["url"], problems) if "url" in body else ""
    events = _events(body.get("events", list(messages.SUBSCRIBABLE)), problems)
    description = _description(body.get("description", ""), problems)
    if problems:
        raise _invalid("the webhook", problems)
    secret = new_secret()
    created = await store.insert_subscription(
        app.pool, app.org_id, url, events, description, encrypt(app.settings, app.org_id, secret)
    )
    return {**created, "secret": secret}


async def list_all(app: AppState) -> list[dict[str, Any]]:
    return await store.list_subscriptions(app.pool, app.org_id)


async def get(app: AppState, subscription_id: int) -> dict[str, Any]:
    row = await store.subscription_by_id(app.pool, app.org_id, subscription_id)
    if row is None:
        raise NotFound(f"there is no webhook {subscription_id}")
    return store.subscription(row)


async def change(app: AppState, subscription_id: int, body: Any) -> dict[str, Any]:
    """Change the URL, events or description, enable or disable, or rotate the secret (`rotate_secret: true`:
    the answer holds the new one, shown once). Enabling closes the insight that said it was disabled."""
    problems: list[dict[str, Any]] = []
    body = _unknown(body, CHANGES, problems)
    url = await _url(app, body["url"], problems) if "url" in body else None
    events = _events(body["events"], problems) if "events" in body else None
    description = _description(body["description"], problems) if "description" in body else None
    enabled = body.get("enabled")
    if "enabled" in body and not isinstance(enabled, bool):
        problems.append({"field": "enabled", "message": "must be true or false"})
    rotate = body.get("rotate_secret", False)
    if rotate not in (True, False):
        problems.append({"field": "rotate_secret", "message": "must be true or false"})
    if problems:
        raise _invalid("the change", problems)
    secret = new_secret() if rotate else None
    stored = encrypt(app.settings, app.org_id, secret) if secret else None
    async with app.pool.acquire() as conn, conn.transaction():
        changed = await store.update_subscription(
            conn, app.org_id, subscription_id, url, events, description, enabled, stored
        )
        if changed is None:
            raise NotFound(f"there is no webhook {subscription_id}")
        if enabled:
            await _close_insight(conn, app.org_id, subscription_id)
            await notify(conn, app.org_id, changed=False, queued=True)  # what waited for it goes now
    return {**changed, "secret": secret} if secret else changed


async def _close_insight(conn: Any, org_id: int, subscription_id: int) -> None:
    await insight_store.lock_organization(conn, org_id)
    resolved = await store.resolve_insight(conn, org_id, worker.insight_subject(subscription_id))
    if resolved is not None:
        await insight_store.insert_events(conn, org_id, [(resolved, "resolved")])


async def remove(app: AppState, subscription_id: int) -> None:
    async with app.pool.acquire() as conn, conn.transaction():
        if not await store.delete_subscription(conn, app.org_id, subscription_id):
            raise NotFound(f"there is no webhook {subscription_id}")
        await _close_insight(conn, app.org_id, subscription_id)


async def test(app: AppState, subscription_id: int) -> dict[str, Any]:
    """Send a `ping` now (enabled or not) and say how the receiver answered; it is listed with the
    deliveries, and never retried."""
    row = await store.subscription_by_id(app.pool, app.org_id, subscription_id)
    if row is None:
        raise NotFound(f"there is no webhook {subscription_id}")
    data = {"webhook": subscription_id, "message": "a test from mailflow: this receiver gets its events"}
    async with app.pool.acquire() as conn:
        queued = await store.enqueue_ping(conn, app.org_id, subscription_id, data)
    claimed = {
        **{k: row[k] for k in ("subscription_id", "url", "secret")},
        **{k: queued[k] for k in ("delivery_id", "message_id", "occurred_at", "attempts")},
        "event_type": "ping",
        "data": data,
        "event_id": None,
        "first_attempt_at": queued["occurred_at"],
    }
    outcome = await worker.send(app.settings, app.org_id, claimed)
    status = await worker.record(app.db, app.settings, app.org_id, claimed, outcome, retries=False)
    return {
        "delivery_id": queued["delivery_id"],
        "webhook_id": queued["message_id"],
        "delivered": status == "delivered",
        "status_code": outcome.status_code,
        "error": outcome.error,
        "duration_ms": outcome.duration_ms,
    }


async def deliveries(app: AppState, subscription_id: int) -> list[dict[str, Any]]:
    """The newest deliveries (at most 100), each with its attempts, newest first."""
    await get(app, subscription_id)
    found: dict[int, dict[str, Any]] = {}
    for r in await store.list_attempts(app.pool, app.org_id, subscription_id, MAX_DELIVERIES):
        delivery = found.setdefault(
            r["delivery_id"],
            {
                "id": r["delivery_id"],
                "webhook_id": r["message_id"],
                "type": r["event_type"],
                "status": r["status"],
                "occurred_at": r["occurred_at"],
                "next_attempt_at": r["next_attempt_at"] if r["status"] == "pending" else None,
                "attempts": [],
            },
        )
        if r["attempt"] is not None:
            delivery["attempts"].append(
                {k: r[k] for k in ("attempt", "at", "status_code", "error", "duration_ms", "next_retry_at")}
            )
    return list(found.values())
