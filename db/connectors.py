"""Connectors: named paths to partner or on-premises servers, per direction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.names import look_alike_key
from db import sql


@dataclass(frozen=True)
class Connector:
    id: int
    name: str
    direction: str
    type: str
    forced_tls: bool
    rules: list[dict[str, Any]] = field(default_factory=list, compare=False)


def _connector(row: Any) -> Connector:
    return Connector(row["connector_id"], row["name"], row["direction"], row["type"], row["forced_tls"], row["rules"])


async def create_connector(
    db: sql.Executor,
    org_id: int,
    name: str,
    direction: str,
    type_: str,
    forced_tls: bool,
    rules: list[dict[str, Any]] | None = None,
) -> Connector | None:
    """The new connector, or None when the name, or one that looks like it, is taken in that direction.
    `name` is already clean (core/names.py: clean_name); its look-alike key is stored beside it."""
    row = await sql.fetchrow(
        db, "connectors/insert_connector", org_id, name, direction, type_, forced_tls, rules or [], look_alike_key(name)
    )
    return _connector(row) if row else None


async def set_connector_rules(
    db: sql.Executor, org_id: int, connector_id: int, rules: list[dict[str, Any]]
) -> Connector | None:
    row = await sql.fetchrow(db, "connectors/set_connector_rules", org_id, connector_id, rules)
    return _connector(row) if row else None


async def list_connectors(db: sql.Executor, org_id: int) -> list[Connector]:
    return [_connector(r) for r in await sql.fetch(db, "connectors/list_connectors", org_id)]


async def connectors_by_id(db: sql.Executor, org_id: int, ids: list[int]) -> list[Connector | None]:
    """Connectors in the order of `ids` (None where the organization has no such connector)."""
    rows = await sql.fetch(db, "connectors/connectors_by_id", org_id, ids)
    found = {r["connector_id"]: _connector(r) for r in rows}
    return [found.get(i) for i in ids]


async def rename_connector(db: sql.Executor, org_id: int, connector_id: int, name: str) -> Connector | None:
    """The renamed connector, or None when there is no such connector (a name taken in that direction, or
    one that looks like it, raises asyncpg.UniqueViolationError)."""
    row = await sql.fetchrow(db, "connectors/rename_connector", org_id, connector_id, name, look_alike_key(name))
    return _connector(row) if row else None


@dataclass(frozen=True)
class Removal:
    name: str
    direction: str
    messages: int  # stored over it: when any, it was not removed
    removed: bool


async def remove_connector(db: sql.Executor, org_id: int, connector_id: int) -> Removal | None:
    row = await sql.fetchrow(db, "connectors/remove_connector", org_id, connector_id)
    return Removal(row["name"], row["direction"], row["messages"], row["removed"]) if row else None
