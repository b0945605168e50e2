"""The insight `tlsrpt_silent`: a policy domain whose TLS reports stopped.

A domain that TLS reports covered in the last REPORTED_WITHIN days, and whose last report's range ended more than
QUIET_FOR ago, is silent: its _smtp._tls record may have changed, a reporting URL been removed, or a mailbox
stopped receiving. One insight per (organization, domain) opens, with an event for SIEMs and webhooks like every
insight; it resolves once a report covers the domain again (or the domain leaves the accepted domains). Only
accepted domains count (none listed: every domain). Evaluated by every `mailflow serve` process's mailbox poller
(api/tlsrpt/poller.py, every MAILFLOW_INSIGHTS_EVERY_SECONDS) and by `mailflow reports fetch --once`; the time
is the caller's, so a test can give its own clock."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from db import insights as store
from db.pool import Database, TenantPool
from services.wake import nudge

log = logging.getLogger("mailflow.insights")
QUIET_FOR = timedelta(days=3)
REPORTED_WITHIN = timedelta(days=30)
DOMAIN_SILENT = store.SystemInsight("tlsrpt_silent", "inbound", 5)


def _opening(domain: str, last_end: datetime | None, now: datetime) -> store.Opening:
    if last_end is None:
        since = f"in the last {REPORTED_WITHIN.days} days"
    else:
        days = (now - last_end) / timedelta(days=1)
        since = f"since the one whose range ended {last_end:%Y-%m-%d %H:%M} UTC ({days:.3g} days ago)"
    return store.Opening(
        subject=domain,
        title=f"TLS reports for {domain} have stopped",
        description=f"No TLS report for {domain} has arrived {since}, though reporters sent them in the "
        f"{REPORTED_WITHIN.days} days before.",
        action=f"Check that the TXT record at _smtp._tls.{domain} still names mailflow (dig +short TXT "
        f"_smtp._tls.{domain}), and the status of the reporting URLs and mailboxes (`mailflow tlsrpt-endpoints "
        "list`, `mailflow mailboxes list`).",
    )


async def evaluate_silence(pool: TenantPool, org_id: int, now: datetime) -> dict[str, int]:
    """Open and resolve the organization's tlsrpt_silent insights as of `now`; event counts by kind."""
    async with pool.acquire() as conn, conn.transaction():
        await store.lock_organization(conn, org_id)  # insight events: one writer at a time
        rows = await store.silent_report_domains(conn, org_id, now - QUIET_FOR, now - REPORTED_WITHIN)
        openings = [_opening(r.domain, r.last_end, now) for r in rows if r.silent and not r.is_open]
        opened = await store.open_system_insights(conn, org_id, DOMAIN_SILENT, openings, now)
        ended = [r.domain for r in rows if r.is_open and not r.silent]
        resolved = await store.resolve_system_insights(conn, org_id, DOMAIN_SILENT, ended, now)
        await store.insert_events(conn, org_id, [(i, "created") for i in opened] + [(i, "resolved") for i in resolved])
    if opened or resolved:
        nudge()  # the events may have queued webhook deliveries
    return {"created": len(opened), "resolved": len(resolved)}


async def evaluate_all_silence(db: Database, now: datetime, org_id: int | None = None) -> dict[str, int]:
    """Every organization's (or one's); an organization that fails is logged and skipped."""
    totals: Counter[str] = Counter()
    for org in [org_id] if org_id is not None else await store.organization_ids(db.system):
        try:
            totals.update(await evaluate_silence(db.for_org(org), org, now))
        except Exception:
            log.exception("silent domain evaluation failed for an organization", extra={"fields": {"org_id": org}})
            totals["failed"] += 1
    return dict(totals)
