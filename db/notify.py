"""LISTEN/NOTIFY between server processes: what one process wrote wakes the others at once.

A writing transaction notifies (`notify`, inside the transaction: PostgreSQL sends it at commit) on `CHANGES`
when an organization's data changed (messages, insight events, TLS reports) and on `DELIVERIES` when it
queued a webhook delivery; the payload is the organization's id. Each process listens on one connection
(db/listener.py); its watcher (api/watcher.py) and delivery worker (api/webhooks/worker.py) wake on these,
and still poll, less often, for what a lost notification or another kind of change did not tell them.
"""

from __future__ import annotations

from db import sql

CHANGES = "mailflow_changes"
DELIVERIES = "mailflow_deliveries"


async def notify(conn: sql.Connection, org_id: int, changed: bool = True, queued: bool = False) -> None:
    """In the writing transaction: the organization's data changed, and/or a webhook delivery was queued."""
    channels = [c for c, on in ((CHANGES, changed), (DELIVERIES, queued)) if on]
    if channels:
        await sql.execute(conn, "notify/notify_organization", channels, str(org_id))
