"""API keys: only a SHA-256 of each token is stored; tokens are `mf_<org>_<key>_<secret>`."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from db import sql

_TOKEN = re.compile(r"^mf_(\d{1,18})_(\d{1,18})_([A-Za-z0-9_-]{40,100})$")


@dataclass(frozen=True)
class Key:
    org_id: int
    key_id: int
    role: str


@dataclass(frozen=True)
class KeyListing:
    """A key as the operator's list shows it (never its hash)."""

    key_id: int
    organization: str
    role: str
    label: str
    created_at: datetime
    revoked_at: datetime | None


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def create_key(pool: asyncpg.Pool, org_id: int, role: str, label: str) -> str:
    """A new token, returned once; only its hash is kept."""
    async with pool.acquire() as conn, conn.transaction():
        key_id = int(await sql.fetchval(conn, "keys/insert_key", org_id, role, label))
        token = f"mf_{org_id}_{key_id}_{secrets.token_urlsafe(32)}"
        await sql.execute(conn, "keys/set_key_hash", org_id, key_id, digest(token))
    return token


async def find_key(pool: asyncpg.Pool, token: str) -> Key | None:
    """The live key a token belongs to, compared in constant time; None for anything else."""
    match = _TOKEN.match(token)
    if not match:
        return None
    org_id, key_id = int(match.group(1)), int(match.group(2))
    row = await sql.fetchrow(pool, "keys/key_by_id", org_id, key_id)
    if row is None or row["revoked_at"] is not None:
        return None
    if not hmac.compare_digest(bytes(row["token_sha256"]), digest(token)):
        return None
    return Key(org_id, key_id, row["role"])


async def list_keys(pool: asyncpg.Pool) -> list[KeyListing]:
    rows = await sql.fetch(pool, "keys/list_keys")
    return [
        KeyListing(r["key_id"], r["organization"], r["role"], r["label"], r["created_at"], r["revoked_at"])
        for r in rows
    ]


async def revoke_key(pool: asyncpg.Pool, key_id: int) -> bool:
    return await sql.fetchval(pool, "keys/revoke_key", key_id) is not None


async def revoke_keys_by_label(pool: asyncpg.Pool, org_id: int, label: str) -> int:
    """Revoke the organization's live keys with this label; how many there were."""
    status = await sql.execute(pool, "keys/revoke_keys_by_label", org_id, label)
    return int(status.split()[-1])
