"""RFC 8460 HTTPS reporting endpoints: tokens `tr_<org>_<endpoint>_<secret>`, of which only a SHA-256 is kept,
and what each endpoint has received (the reports themselves are stored by db/tls_reports.py)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from db import sql
from db.pool import TenantPool

_TOKEN = re.compile(r"^tr_(\d{1,18})_(\d{1,18})_([A-Za-z0-9_-]{43})$")


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _token(org_id: int, endpoint_id: int) -> str:
    return f"tr_{org_id}_{endpoint_id}_{secrets.token_urlsafe(32)}"


@dataclass(frozen=True)
class Endpoint:
    """An endpoint as the API shows it (never its token: only its hash is kept); the fields in REST's order."""

    description: str
    created_at: datetime
    rotated_at: datetime | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    reports_total: int
    reports_today: int
    skipped: dict[str, int]  # POSTs that stored nothing, by reason
    id: int


def endpoint(r: asyncpg.Record) -> Endpoint:
    return Endpoint(
        r["description"], r["created_at"], r["rotated_at"], r["last_success_at"], r["last_error_at"], r["last_error"],
        r["reports_total"], r["reports_today"], r["skipped"], r["endpoint_id"],
    )  # fmt: skip


async def create_endpoint(db: TenantPool, org_id: int, description: str) -> tuple[Endpoint, str]:
    """A new endpoint and its token, returned once."""
    async with db.acquire() as conn, conn.transaction():
        endpoint_id = int(await sql.fetchval(conn, "tlsrpt_endpoints/insert_tlsrpt_endpoint", org_id, description))
        token = _token(org_id, endpoint_id)
        row = await sql.fetchrow(
            conn,
            "tlsrpt_endpoints/set_tlsrpt_endpoint_token",
            org_id,
            endpoint_id,
            _digest(token),
            False,
            datetime.now(UTC),
        )
    assert row is not None
    return endpoint(row), token


async def rotate_endpoint(db: sql.Executor, org_id: int, endpoint_id: int) -> tuple[Endpoint, str] | None:
    """A new token for the endpoint (the old one stops working at once), or None: no such endpoint."""
    token = _token(org_id, endpoint_id)
    row = await sql.fetchrow(
        db, "tlsrpt_endpoints/set_tlsrpt_endpoint_token", org_id, endpoint_id, _digest(token), True, datetime.now(UTC)
    )
    return (endpoint(row), token) if row else None


async def list_endpoints(db: sql.Executor, org_id: int, endpoint_id: int | None = None) -> list[Endpoint]:
    return [endpoint(r) for r in await sql.fetch(db, "tlsrpt_endpoints/list_tlsrpt_endpoints", org_id, endpoint_id)]


async def delete_endpoint(db: sql.Executor, org_id: int, endpoint_id: int) -> bool:
    return await sql.fetchval(db, "tlsrpt_endpoints/delete_tlsrpt_endpoint", org_id, endpoint_id) is not None


async def find_endpoint(pool: asyncpg.Pool, token: str) -> tuple[int, int] | None:
    """The (organization, endpoint) a token belongs to, compared in constant time; None for anything else."""
    match = _TOKEN.match(token)
    if not match:
        return None
    org_id, endpoint_id = int(match.group(1)), int(match.group(2))
    stored = await sql.fetchval(pool, "tlsrpt_endpoints/tlsrpt_endpoint_token", org_id, endpoint_id)
    if stored is None or not hmac.compare_digest(bytes(stored), _digest(token)):
        return None
    return org_id, endpoint_id


async def record_outcome(
    db: sql.Executor, org_id: int, endpoint_id: int, stored: bool, skipped: str | None, error: str | None
) -> None:
    await sql.execute(
        db,
        "tlsrpt_endpoints/record_tlsrpt_endpoint_outcome",
        org_id,
        endpoint_id,
        stored,
        skipped,
        error,
        datetime.now(UTC),
    )
