"""Insight storage: settings, the rule evaluation query, lifecycle writes, listing and the event cursor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import asyncpg

from core.insights import Override
from db import sql
from db.insight_documents import Insight, RemoteCount
from db.notify import notify

Key = tuple[str, str, int, str]  # (rule, direction, connector_id, subject)
Scope = list[tuple[str, int]] | None  # (direction, connector_id) pairs; None: every connector


def _scope_args(scope: Scope) -> tuple[list[str] | None, list[int] | None]:
    if scope is None:
        return None, None
    return [d for d, _ in scope], [c for _, c in scope]


async def settings_rows(db: sql.Executor, org_id: int) -> list[Override]:
    rows = await sql.fetch(db, "insights/list_insight_settings", org_id)
    return [_override(r) for r in rows]


def _override(r: asyncpg.Record) -> Override:
    threshold = float(r["threshold"]) if r["threshold"] is not None else None
    return Override(r["rule"], threshold, r["min_messages"], r["enabled"], r["window_days"])


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


@dataclass(frozen=True)
class Latest:
    """The newest insight of a key, as evaluating the rules again compares with it."""

    insight_id: int
    status: str
    resolved_at: datetime | None
    share: Decimal
    messages: int
    volume: int


async def latest_by_key(conn: sql.Connection, org_id: int, scope: Scope, rules: list[str]) -> dict[Key, Latest]:
    directions, connector_ids = _scope_args(scope)
    rows = await sql.fetch(conn, "insights/latest_insights_by_key", org_id, directions, connector_ids, rules)
    return {
        (r["rule"], r["direction"], r["connector_id"], r["subject"]): Latest(
            r["insight_id"], r["status"], r["resolved_at"], r["share"], r["messages"], r["volume"]
        )
        for r in rows
    }


RemoteKey = tuple[str, int, str]  # (direction, connector_id, TLS bucket) of a firing rule


@dataclass(frozen=True)
class RemoteParties:
    """The remote parties behind a rule's condition, most first (the insight stores them as its document's
    remote_domains and remote_servers)."""

    domains: list[RemoteCount]
    servers: list[RemoteCount]


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
        entry = RemoteCount(r["name"] or None, r["messages"], r["volume"])
        (parties.domains if r["kind"] == "domain" else parties.servers).append(entry)
    return found


@dataclass(frozen=True)
class DomainSessions:
    """A policy domain's sessions and failed sessions over a window's TLS reports ('': reports without one);
    sums of reports, so beyond a bigint too."""

    policy_domain: str
    sessions: int
    failed: int


async def tls_report_sessions(
    conn: sql.Connection, org_id: int, start: datetime, end: datetime
) -> list[DomainSessions]:
    rows = await sql.fetch(conn, "insights/evaluate_tls_reports", org_id, start, end)
    return [DomainSessions(r["policy_domain"], int(r["sessions"]), int(r["failed"])) for r in rows]


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


@dataclass(frozen=True)
class ReportedDomain:
    """A policy domain reported lately or with an open tlsrpt_silent insight: the end of its last report's range
    (None: none lately), whether that insight is open, and whether it is silent (no report lately)."""

    domain: str
    last_end: datetime | None
    is_open: bool
    silent: bool


async def open_system_insight(conn: sql.Connection, org_id: int, kind: SystemInsight, opening: Opening) -> int | None:
    """One insight about `opening.subject`, opened now; None when one is open already."""
    opened = await open_system_insights(conn, org_id, kind, [opening], datetime.now(UTC))
    return opened[0] if opened else None


async def resolve_system_insight(conn: sql.Connection, org_id: int, kind: SystemInsight, subject: str) -> int | None:
    """Close the open insight about `subject` now; its id, or None when none was open."""
    resolved = await resolve_system_insights(conn, org_id, kind, [subject], datetime.now(UTC))
    return resolved[0] if resolved else None


async def silent_report_domains(
    conn: sql.Connection, org_id: int, quiet_since: datetime, reported_since: datetime
) -> list[ReportedDomain]:
    """The policy domains reported since `reported_since` or with an open tlsrpt_silent insight; silent: no
    report since `quiet_since`."""
    rows = await sql.fetch(conn, "insights/silent_report_domains", org_id, quiet_since, reported_since)
    return [ReportedDomain(r["domain"], r["last_end"], r["is_open"], r["silent"]) for r in rows]
