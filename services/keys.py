"""API keys, as the operator manages them (`mailflow keys`): a token is shown once, only its hash is kept."""

from __future__ import annotations

import asyncpg

from core.errors import NotFound
from db import keys as store
from db.keys import KeyListing
from services import organizations

ROLES = ("reader", "ingest", "admin")


async def create(pool: asyncpg.Pool, organization: str, role: str, label: str) -> str:
    """A new key's token for the organization named `organization`."""
    org_id = await organizations.named(pool, organization, " (create it with `mailflow orgs create`)")
    return await store.create_key(pool, org_id, role, label)


async def replace_labelled(pool: asyncpg.Pool, org_id: int, role: str, label: str) -> tuple[str, int]:
    """A new key's token, its label's earlier live keys revoked (the demo's key): (token, how many revoked)."""
    revoked = await store.revoke_keys_by_label(pool, org_id, label)
    return await store.create_key(pool, org_id, role, label), revoked


async def list_all(pool: asyncpg.Pool) -> list[KeyListing]:
    return await store.list_keys(pool)


async def revoke(pool: asyncpg.Pool, key_id: int) -> None:
    if not await store.revoke_key(pool, key_id):
        raise NotFound(f"there is no live key {key_id}")
