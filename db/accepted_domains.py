"""Accepted domains: the domains an organization owns. TLS report policies for other domains are kept, flagged
and left out of the figures; the report queries compare with this list when they read (db/migrations/0019)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from db import sql


@dataclass(frozen=True)
class AcceptedDomain:
    domain: str
    created_at: datetime


async def list_accepted_domains(db: sql.Executor, org_id: int) -> list[AcceptedDomain]:
    rows = await sql.fetch(db, "accepted_domains/list_accepted_domains", org_id)
    return [AcceptedDomain(r["domain"], r["created_at"]) for r in rows]


async def insert_accepted_domain(db: sql.Executor, org_id: int, domain: str) -> AcceptedDomain | None:
    """The domain added, or None when it was listed already."""
    row = await sql.fetchrow(db, "accepted_domains/insert_accepted_domain", org_id, domain, datetime.now(UTC))
    return AcceptedDomain(row["domain"], row["created_at"]) if row else None


async def delete_accepted_domain(db: sql.Executor, org_id: int, domain: str) -> bool:
    return await sql.fetchval(db, "accepted_domains/delete_accepted_domain", org_id, domain) is not None
