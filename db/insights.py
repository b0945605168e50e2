"""Insight storage: settings, the rule evaluation query, lifecycle writes, listing and the event cursor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg

from db import sql
from db.notify import notify

Key = tuple[str, str, int, str]  # (rule, direction, connector_id, subject)
Scope = list[tuple[str, int]] | None  # (direction, connector_id) pairs; None: every connector


def _scope_args(scope: Scope) -> tuple[list[str] | None, list[int] | None]:
    if scope is None:
        return None, None
    return [d for d, _ in scope], [c for _, c in scope]


async def settings_rows(db: sql.Executor, org_id: int) -> list[dict[str, Any]]:
    return [dict(r) for r in await sql.fetch(db, "insights/list_insight_settings", org_id)]


async def save_settings(
    db: sql.Executor,
    org_id: int,
    window_days: int | None,
    updates: list[tuple[str, float | None, int | None, bool | None]],
) -> None:
    await sql.execute(
        db,
        "insights/upsert_insight_settings",
        org_id,
        [u[0] for u in updates],
        [u[1] for u in updates],
        [u[2] for u in updates],
        [u[3] for u in updates],
        window_days,
    )


async def lock_organization(conn: sql.Connection, org_id: int) -> None:
    await sql.execute(conn, "insights/lock_organization_insights", org_id)


@dataclass(frozen=True)
class Firing:
    rule: str
    direction: str
    connector_id: int
    volume: int
    messages: int
    subject: str = ""


async def evaluate_rules(
    conn: sql.Connection, org_id: int, start: datetime, end: datetime, scope: Scope, rules: list[Any]
) -> list[Firing]:
    directions, connector_ids = _scope_args(scope)
    rows = await sql.fetch(
        conn,
        "insights/evaluate_rules",
        org_id,
        start,
        end,
        directions,
        connector_ids,
        [r.name for r in rules],
        [r.direction for r in rules],
        [r.connector_type for r in rules],
        [r.bucket for r in rules],
        [r.threshold for r in rules],
        [r.above for r in rules],
        [r.min_messages for r in rules],
        [r.forced_only for r in rules],
    )
    return [Firing(r["rule"], r["direction"], r["connector_id"], r["volume"], r["messages"]) for r in rows]


async def latest_by_key(conn: sql.Connection, org_id: int, scope: Scope, rules: list[str]) -> dict[Key, asyncpg.Record]:
    directions, connector_ids = _scope_args(scope)
    rows = await sql.fetch(conn, "insights/latest_insights_by_key", org_id, directions, connector_ids, rules)
    return {(r["rule"], r["direction"], r["connector_id"], r["subject"]): r for r in rows}


RemoteKey = tuple[str, int, str]  # (direction, connector_id, TLS bucket) of a firing rule


@dataclass(frozen=True)
class RemoteParties:
    """The remote parties behind a rule's condition, most first: [{"domain", "messages", "volume"}]."""

    domains: list[dict[str, Any]]
    servers: list[dict[str, Any]]


async def top_remote_parties(
    conn: sql.Connection, org_id: int, days: tuple[date, date], keys: list[RemoteKey], top: int
) -> dict[RemoteKey, RemoteParties]:
    """For each key, the `top` remote domains and server domains with the most messages in its bucket."""
    keys = sorted(set(keys))  # two rules counting one bucket of one connector share it
    found = {key: RemoteParties([], []) for key in keys}
    if not keys:
        return found
    rows = await sql.fetch(
        conn, "insights/top_remote_parties", org_id, *days, [k[0] for k in keys], [k[1] for k in keys],
        [k[2] for k in keys], top,
    )  # fmt: skip
    for r in rows:
        parties = found[keys[r["position"] - 1]]
        entry = {"domain": r["name"] or None, "messages": r["messages"], "volume": r["volume"]}
        (parties.domains if r["kind"] == "domain" else parties.servers).append(entry)
    return found


async def tls_report_sessions(
    conn: sql.Connection, org_id: int, start: datetime, end: datetime
) -> list[asyncpg.Record]:
    """Sessions and failed sessions per policy domain over the window's TLS reports."""
    return await sql.fetch(conn, "insights/evaluate_tls_reports", org_id, start, end)


async def insert_insights(
    conn: sql.Connection, org_id: int, columns: dict[str, list[Any]], *window: datetime
) -> list[int]:
    rows = await sql.fetch(
        conn,
        "insights/insert_insights",
        org_id,
        columns["rule"],
        columns["direction"],
        columns["connector_id"],
        columns["title"],
        columns["description"],
        columns["action"],
        columns["severity"],
        columns["share"],
        columns["messages"],
        columns["volume"],
        columns["threshold"],
        *window,
        columns["subject"],
        columns["remote_domains"],
        columns["remote_servers"],
    )
    return [r["insight_id"] for r in rows]


async def update_insights(conn: sql.Connection, org_id: int, columns: dict[str, list[Any]], *window: datetime) -> None:
    await sql.execute(
        conn,
        "insights/update_insights",
        org_id,
        columns["insight_id"],
        columns["status"],
        columns["description"],
        columns["action"],
        columns["share"],
        columns["messages"],
        columns["volume"],
        columns["threshold"],
        columns["detected"],
        columns["resolve"],
        *window,
        columns["remote_domains"],
        columns["remote_servers"],
    )


async def insert_events(conn: sql.Connection, org_id: int, events: list[tuple[int, str]]) -> None:
    """Write the events and queue their webhook deliveries; the other processes are told at commit."""
    if events:
        queued = await sql.fetchval(
            conn, "insights/insert_insight_events", org_id, [e[0] for e in events], [e[1] for e in events]
        )
        await notify(conn, org_id, queued=queued > 0)


@dataclass(frozen=True)
class RemoteCount:
    """A remote domain (or server's registrable domain) behind an insight's condition: None, not known."""

    domain: str | None
    messages: int
    volume: int


@dataclass(frozen=True)
class InsightConnector:
    """The connector an insight is about (id 0 with type `internet`: the internet without a connector)."""

    id: int
    name: str
    direction: str
    type: str
    forced_tls: bool


@dataclass(frozen=True)
class Insight:
    """An insight as consumers see it: the document the insight_states view builds (db/migrations/0013), read
    into fields. `json()` gives that document back as the database wrote it, byte for byte once serialized
    (REST and the CLI answer it): jsonb's key order and PostgreSQL's timestamps; numbers as they were read.
    An event keeps the document as it stood (InsightEvent.state, which the SIEM feed and webhooks answer as
    stored): one written before db/migrations/0005 and 0013 lacks `subject` and the remote parties, read here
    as none."""

    id: int
    rule: str
    title: str
    description: str
    recommended_action: str
    severity: int
    status: str
    connector: InsightConnector
    subject: str | None
    share: float
    messages: int
    volume: int
    threshold: float
    window_from: datetime
    window_to: datetime
    first_detected_at: datetime
    last_detected_at: datetime
    resolved_at: datetime | None
    dismissed_at: datetime | None
    dismiss_reason: str | None
    remote_domains: list[RemoteCount]
    remote_servers: list[RemoteCount]

    @classmethod
    def of(cls, state: dict[str, Any]) -> Insight:
        return cls(
            id=state["id"],
            rule=state["rule"],
            title=state["title"],
            description=state["description"],
            recommended_action=state["recommended_action"],
            severity=state["severity"],
            status=state["status"],
            connector=InsightConnector(**state["connector"]),
            subject=state.get("subject"),
            share=state["share"],
            messages=state["messages"],
            volume=state["volume"],
            threshold=state["threshold"],
            window_from=datetime.fromisoformat(state["window_from"]),
            window_to=datetime.fromisoformat(state["window_to"]),
            first_detected_at=datetime.fromisoformat(state["first_detected_at"]),
            last_detected_at=datetime.fromisoformat(state["last_detected_at"]),
            resolved_at=_time(state["resolved_at"]),
            dismissed_at=_time(state["dismissed_at"]),
            dismiss_reason=state["dismiss_reason"],
            remote_domains=[RemoteCount(**e) for e in state.get("remote_domains", [])],
            remote_servers=[RemoteCount(**e) for e in state.get("remote_servers", [])],
        )

    def json(self) -> dict[str, Any]:
        document = {name: getattr(self, name) for name in _PLAIN}
        document |= {name: _iso(getattr(self, name)) for name in _TIMES}
        document["connector"] = _jsonb(vars(self.connector))
        document["remote_domains"] = [_jsonb(vars(e)) for e in self.remote_domains]
        document["remote_servers"] = [_jsonb(vars(e)) for e in self.remote_servers]
        return _jsonb(document)


_TIMES = ("window_from", "window_to", "first_detected_at", "last_detected_at", "resolved_at", "dismissed_at")
_NESTED = ("connector", "remote_domains", "remote_servers")
_PLAIN = tuple(name for name in Insight.__dataclass_fields__ if name not in _TIMES + _NESTED)


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _iso(value: datetime | None) -> str | None:
    """A timestamp as PostgreSQL writes it in JSON: ISO 8601, its fraction of a second without trailing zeros."""
    if value is None:
        return None
    text = value.isoformat()
    if value.microsecond:
        whole, _, rest = text.partition(".")
        text = f"{whole}.{rest[:6].rstrip('0')}{rest[6:]}"
    return text


def _jsonb(document: dict[str, Any]) -> dict[str, Any]:
    """The keys in jsonb's order: shorter first, then by their bytes."""
    return {key: document[key] for key in sorted(document, key=lambda key: (len(key), key.encode()))}


@dataclass(frozen=True)
class InsightEvent:
    """One change of an insight, at its place in the organization's feed (`seq`, then `event_id`)."""

    event_id: int
    seq: int
    kind: str
    at: datetime
    state: dict[str, Any]  # the insight after the change, as consumers see it


def insight_event(row: asyncpg.Record) -> InsightEvent:
    """The event of a row that has its columns (the feed's, or a claimed webhook delivery's)."""
    return InsightEvent(row["event_id"], row["seq"], row["kind"], row["at"], row["state"])


async def list_insights(
    db: sql.Executor, org_id: int, statuses: list[str], connector_id: int | None, direction: str | None
) -> list[Insight]:
    rows = await sql.fetch(db, "insights/list_insights", org_id, statuses, connector_id, direction)
    return [Insight.of(r["state"]) for r in rows]


async def insight_by_id(db: sql.Executor, org_id: int, insight_id: int) -> Insight | None:
    state = await sql.fetchval(db, "insights/insight_by_id", org_id, insight_id)
    return Insight.of(state) if state is not None else None


async def dismiss(conn: sql.Connection, org_id: int, insight_id: int, reason: str) -> bool:
    return await sql.fetchval(conn, "insights/dismiss_insight", org_id, insight_id, reason) is not None


async def events_after(
    db: sql.Executor, org_id: int, seq: int, event_id: int, since: datetime | None, limit: int
) -> list[InsightEvent]:
    rows = await sql.fetch(db, "insights/insight_events_after", org_id, seq, event_id, since, limit)
    return [insight_event(r) for r in rows]


async def events_end(db: sql.Executor, org_id: int) -> tuple[int, int]:
    """The feed's end now, (seq, event_id); (0, 0) when it has no event."""
    row = await sql.fetchrow(db, "insights/insight_events_end", org_id)
    return (int(row["seq"]), int(row["event_id"])) if row else (0, 0)


async def delete_events_before(db: sql.Executor, cutoff: datetime) -> int:
    status = await sql.execute(db, "insights/delete_insight_events_before", cutoff)
    return int(status.split()[-1])


async def organization_ids(db: sql.Executor) -> list[int]:
    return [r["org_id"] for r in await sql.fetch(db, "insights/list_organization_ids")]


@dataclass(frozen=True)
class SystemInsight:
    """An insight about the system rather than the mail (no connector), opened and resolved by the code that
    sees its condition: the rule, its direction and severity."""

    rule: str
    direction: str
    severity: int


@dataclass(frozen=True)
class Opening:
    subject: str
    title: str
    description: str
    action: str


async def open_system_insights(
    conn: sql.Connection, org_id: int, kind: SystemInsight, openings: list[Opening], now: datetime
) -> list[int]:
    """Open one insight per subject (none where one is open); the ids of those opened."""
    if not openings:
        return []
    rows = await sql.fetch(
        conn, "insights/open_system_insights", org_id, kind.rule, kind.direction, kind.severity,
        [o.subject for o in openings], [o.title for o in openings], [o.description for o in openings],
        [o.action for o in openings], now,
    )  # fmt: skip
    return [r["insight_id"] for r in rows]


async def resolve_system_insights(
    conn: sql.Connection, org_id: int, kind: SystemInsight, subjects: list[str], now: datetime
) -> list[int]:
    """Close the open insights of these subjects; their ids."""
    if not subjects:
        return []
    rows = await sql.fetch(conn, "insights/resolve_system_insights", org_id, kind.rule, kind.direction, subjects, now)
    return [r["insight_id"] for r in rows]


async def silent_report_domains(
    conn: sql.Connection, org_id: int, quiet_since: datetime, reported_since: datetime
) -> list[asyncpg.Record]:
    """The policy domains reported since `reported_since` or with an open tlsrpt_silent insight: `domain`,
    `last_end`, `is_open`, and `silent` (no report since `quiet_since`)."""
    return await sql.fetch(conn, "insights/silent_report_domains", org_id, quiet_since, reported_since)
