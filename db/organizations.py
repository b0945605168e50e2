"""Organizations: every row of the store belongs to one."""

from __future__ import annotations

from db import sql


async def ensure_organization(db: sql.Executor, name: str) -> int:
    for _ in range(3):  # a concurrent first insert can hide the row from this statement's snapshot
        org_id = await sql.fetchval(db, "organizations/ensure_organization", name)
        if org_id is not None:
            return int(org_id)
    raise RuntimeError(f"could not create organization {name!r}")
