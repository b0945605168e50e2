"""Evaluating the rules for an organization and applying the insight lifecycle, in one transaction.

- fires, nothing open: a new active insight (`created`), or the last one reopened if it had resolved
  (`reopened`); a dismissed one that has closed is never reopened: the condition returned, so a new
  insight is raised;
- fires, open and active: new figures (`updated` when they changed);
- fires, open and dismissed: new figures, still dismissed (no event);
- does not fire, open: closed (`resolved`), whether it was active or dismissed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import orjson

from api import metrics
from core.insights import FAMILIES, InsightSettings, Rule, texts
from core.internet import INTERNET_ID, INTERNET_NAMES, THE_INTERNET
from core.window import Window, last_days
from db import insights as store
from db.connectors import list_connectors
from db.pool import Database, TenantPool
from db.traffic_counts import share
from services.insights import load_settings, save_settings
from services.wake import nudge

log = logging.getLogger("mailflow.insights")
BIGINT_MAX = 2**63 - 1  # what an insight's figures hold
TOP_REMOTE = 10  # the remote domains (and server domains) an insight names


def _names(connectors: list[Any]) -> dict[tuple[str, int], str]:
    names = {(c.direction, c.id): f"connector {c.name!r}" for c in connectors}
    for direction in INTERNET_NAMES:
        names[(direction, INTERNET_ID)] = THE_INTERNET
    return names


NOBODY = store.RemoteParties([], [])  # a TLS report insight's: its subject is the domain


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _append(columns: dict[str, list[Any]], **values: Any) -> None:
    """Add one row to column lists bound for an `unnest` statement."""
    for name, value in values.items():
        columns[name].append(value)


async def _tls_report_firing(conn: Any, org_id: int, start: datetime, end: datetime, rule: Rule) -> list[store.Firing]:
    """The policy domains whose reported failure share reaches the rule's threshold (inbound, internet)."""
    firing = []
    for row in await store.tls_report_sessions(conn, org_id, start, end):
        sessions, failed = row.sessions, row.failed
        if sessions >= rule.min_messages and sessions and 100 * failed >= rule.threshold * sessions:
            firing.append(store.Firing(rule.name, "inbound", 0, sessions, failed, row.policy_domain))
    return firing


async def _who_is_behind(
    conn: Any,
    org_id: int,
    window: Window,
    now: datetime,
    firing: list[store.Firing],
    latest: dict[store.Key, store.Latest],
    settings: InsightSettings,
    refresh: bool,
) -> dict[store.RemoteKey, store.RemoteParties]:
    """The top remote parties behind the firing connector rules, in one statement: for every one on a full
    evaluation (`refresh`: the periodic one, a settings change), else only for the insights it raises or
    reopens. An ingest that just moves an open insight's figures does not pay for the names (over a big
    connector, the most expensive statement of an evaluation); the next full evaluation refreshes them."""
    keys = []
    for f in firing:
        old = latest.get((f.rule, f.direction, f.connector_id, f.subject))
        if refresh or old is None or old.resolved_at is not None:
            keys.append((f.direction, f.connector_id, settings.rules[f.rule].bucket))
    return await store.top_remote_parties(conn, org_id, window.noon_days(now), keys, TOP_REMOTE)


async def evaluate(
    pool: TenantPool,
    org_id: int,
    scope: store.Scope = None,
    now: datetime | None = None,
    families: tuple[str, ...] = FAMILIES,
) -> dict[str, int]:
    """Evaluate the enabled rules of `families` (connector rules only for the connectors in `scope`,
    None: all); return event counts by kind. Open insights of those families that no longer fire resolve
    (a disabled rule's too). Each evaluation is timed for /metrics."""
    with metrics.EVALUATIONS.time():
        return await _evaluate(pool, org_id, scope, now, families)


async def _evaluate(
    pool: TenantPool, org_id: int, scope: store.Scope, now: datetime | None, families: tuple[str, ...]
) -> dict[str, int]:
    now = now or datetime.now(UTC)
    settings = await load_settings(pool, org_id)
    window = last_days(settings.window_days, now=now)
    decided = [r for r in settings.rules.values() if r.family in families]
    connector_rules = [r for r in decided if r.enabled and r.family == "connector"]
    report_rule = settings.rules["tlsrpt_failures"]
    names = _names(await list_connectors(pool, org_id))
    counts: dict[str, int] = defaultdict(int)
    async with pool.acquire() as conn, conn.transaction():
        await store.lock_organization(conn, org_id)
        firing = []
        if connector_rules:
            firing += await store.evaluate_rules(conn, org_id, window.start, window.end, scope, connector_rules)
        latest = await store.latest_by_key(conn, org_id, scope, [r.name for r in decided])
        behind = await _who_is_behind(conn, org_id, window, now, firing, latest, settings, refresh=scope is None)
        if "tlsrpt" in families and report_rule.enabled:
            firing += await _tls_report_firing(conn, org_id, window.start, window.end, report_rule)
        new: dict[str, list[Any]] = defaultdict(list)
        changed: dict[str, list[Any]] = defaultdict(list)
        events: list[tuple[int, str]] = []
        seen = set()
        for f in firing:
            key = (f.rule, f.direction, f.connector_id, f.subject)
            seen.add(key)
            rule = settings.rules[f.rule]
            pct = share(f.messages, f.volume)
            # the insight keeps figures beyond a bigint (sums of TLS reports' sessions) as its maximum
            messages, volume = min(f.messages, BIGINT_MAX), min(f.volume, BIGINT_MAX)
            connector = f.subject or names.get((f.direction, f.connector_id), "a connector")
            description, action = texts(rule, connector, f.direction, pct, f.messages, f.volume, settings.window_days)
            old = latest.get(key)
            is_open = old is not None and old.resolved_at is None
            parties = behind.get((f.direction, f.connector_id, rule.bucket))
            if parties is None and is_open:  # not looked up: the open insight keeps the names it has
                remote: dict[str, str | None] = {"remote_domains": None, "remote_servers": None}
            else:
                parties = parties or NOBODY
                remote = {"remote_domains": _json(parties.domains), "remote_servers": _json(parties.servers)}
            if old is None or (not is_open and old.status == "dismissed"):
                _append(
                    new,
                    rule=f.rule,
                    direction=f.direction,
                    connector_id=f.connector_id,
                    subject=f.subject,
                    title=rule.title.replace("a domain", f.subject) if f.subject else rule.title,
                    description=description,
                    action=action,
                    severity=rule.severity,
                    share=pct,
                    messages=messages,
                    volume=volume,
                    threshold=rule.threshold,
                    **remote,
                )
                continue
            figures_changed = (float(old.share), old.messages, old.volume) != (
                pct,
                messages,
                volume,
            )
            status = old.status if is_open else "active"
            kind = None if is_open and status == "dismissed" else "reopened" if not is_open else "updated"
            if kind == "updated" and not figures_changed:
                kind = None
            _append(
                changed,
                insight_id=old.insight_id,
                status=status,
                description=description,
                action=action,
                share=pct,
                messages=messages,
                volume=volume,
                threshold=rule.threshold,
                detected=True,
                resolve=False,
                **remote,
            )
            if kind:
                events.append((old.insight_id, kind))
        for key, old in latest.items():
            if key in seen or old.resolved_at is not None:
                continue
            status = "resolved" if old.status == "active" else old.status
            _append(
                changed,
                insight_id=old.insight_id,
                status=status,
                description=None,
                action=None,
                share=None,
                messages=None,
                volume=None,
                threshold=None,
                detected=False,
                resolve=True,
                remote_domains=None,
                remote_servers=None,
            )
            events.append((old.insight_id, "resolved"))
        if new:
            ids = await store.insert_insights(conn, org_id, new, window.start, window.end, now)
            events.extend((i, "created") for i in ids)
        if changed:
            await store.update_insights(conn, org_id, changed, window.start, window.end, now)
        await store.insert_events(conn, org_id, events)
    if events:
        nudge()  # the events may have queued webhook deliveries
    for _, kind in events:
        counts[kind] += 1
    return dict(counts)


async def evaluate_all(db: Database, now: datetime | None = None) -> dict[str, int]:
    """The periodic evaluation: every organization, every connector (the window slides with time). An
    organization whose evaluation fails is logged and skipped: it never stops the others'."""
    totals: dict[str, int] = defaultdict(int)
    for org_id in await store.organization_ids(db.system):
        try:
            changes = await evaluate(db.for_org(org_id), org_id, None, now)
        except Exception:
            log.exception(
                "insight evaluation failed for an organization; the others go on", extra={"fields": {"org_id": org_id}}
            )
            totals["failed"] += 1
            continue
        for kind, n in changes.items():
            totals[kind] += n
    return dict(totals)


async def update_settings(pool: TenantPool, org_id: int, body: Any) -> InsightSettings:
    """A change of the rules' settings, stored (services/insights.py) and applied at once: the rules are
    evaluated again with it."""
    await save_settings(pool, org_id, body)
    await evaluate(pool, org_id)
    return await load_settings(pool, org_id)
