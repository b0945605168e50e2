"""Organizations: every row of the store belongs to one. These run on the system pool."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from db import sql


@dataclass(frozen=True)
class Organization:
    org_id: int
    name: str
    created_at: datetime
    keys: int  # not revoked


async def ensure_organization(db: sql.Executor, name: str) -> int:
    for _ in range(3):  # a concurrent first insert can hide the row from this statement's snapshot
        org_id = await sql.fetchval(db, "organizations/ensure_organization", name)
        if org_id is not None:
            return int(org_id)
    raise RuntimeError(f"could not create organization {name!r}")


async def create_organization(db: sql.Executor, name: str) -> int | None:
    """The new organization's id, or None when the name is taken."""
    org_id = await sql.fetchval(db, "organizations/insert_organization", name)
    return int(org_id) if org_id is not None else None


async def organization_id(db: sql.Executor, name: str) -> int | None:
    org_id = await sql.fetchval(db, "organizations/organization_by_name", name)
    return int(org_id) if org_id is not None else None


async def organization_name(db: sql.Executor, org_id: int) -> str | None:
    name = await sql.fetchval(db, "organizations/organization_name", org_id)
    return str(name) if name is not None else None


async def list_organizations(db: sql.Executor) -> list[Organization]:
    rows = await sql.fetch(db, "organizations/list_organizations")
    return [Organization(r["org_id"], r["name"], r["created_at"], r["keys"]) for r in rows]


async def rename_organization(db: sql.Executor, org_id: int, name: str) -> bool:
    """True when renamed (a taken name raises a unique violation)."""
    return await sql.fetchval(db, "organizations/rename_organization", org_id, name) is not None


async def delete_organization(pool: asyncpg.Pool, org_id: int) -> tuple[int, int]:
    """Remove an organization and everything of it, in one transaction: (messages, rollup rows) removed."""
    async with pool.acquire() as conn, conn.transaction():
        row = await sql.fetchrow(conn, "organizations/delete_organization_traffic", org_id)
        await sql.fetchval(conn, "organizations/delete_organization", org_id)
    assert row is not None  # an aggregate always answers one row
    return int(row["messages"]), int(row["rollups"])
