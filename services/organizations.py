"""Organizations, as the operator manages them (`mailflow orgs`): every row of the store belongs to one. On the
system pool (these act across organizations)."""

from __future__ import annotations

import asyncpg

from core.errors import Conflict, NotFound
from db import organizations as store
from db import sql
from db.organizations import Organization


async def create(db: sql.Executor, name: str) -> int:
    """The new organization's id; a name taken is a Conflict."""
    org_id = await store.create_organization(db, name)
    if org_id is None:
        raise Conflict(f"an organization named {name!r} already exists")
    return org_id


async def list_all(db: sql.Executor) -> list[Organization]:
    return await store.list_organizations(db)


async def ensure(db: sql.Executor, name: str) -> int:
    """The id of the organization named `name`, created if there is none."""
    return await store.ensure_organization(db, name)


async def find(db: sql.Executor, name: str) -> int | None:
    """The id of the organization named `name`; None when there is none."""
    return await store.organization_id(db, name)


async def named(db: sql.Executor, name: str, hint: str = "") -> int:
    """The id of the organization named `name` (`hint` follows the refusal when there is none)."""
    org_id = await find(db, name)
    if org_id is None:
        raise NotFound(f"there is no organization {name!r}{hint}")
    return org_id


async def name_of(db: sql.Executor, org_id: int) -> str:
    """The organization's name ('' for none: a key outlives no organization, but say nothing then)."""
    return await store.organization_name(db, org_id) or ""


async def rename(db: sql.Executor, org_id: int, new_name: str) -> None:
    try:
        await store.rename_organization(db, org_id, new_name)
    except asyncpg.UniqueViolationError:
        raise Conflict(f"an organization named {new_name!r} already exists") from None


async def remove(pool: asyncpg.Pool, org_id: int) -> tuple[int, int]:
    """Remove an organization and everything of it, in one transaction: (messages, rollup rows) removed."""
    return await store.delete_organization(pool, org_id)
