"""Connectors: list, add, rename, replace the rules of, and remove. A new or changed name is checked as
core/connectors.py says and must not look like another of its direction (core/names.py)."""

from __future__ import annotations

from typing import Any

import asyncpg

from core.connectors import check_connector, check_rules, name_problem
from core.errors import Conflict, Invalid, NotFound, invalid
from core.names import clean_name, describe, look_alike_key
from db.connectors import (
    Connector,
    Removal,
    create_connector,
    list_connectors,
    remove_connector,
    rename_connector,
    set_connector_rules,
)
from db.pool import TenantPool

__all__ = ["add_connector", "add_missing", "change_name", "list_connectors", "remove", "rules_of", "set_rules"]


def look_alike(connectors: list[Connector], direction: str, name: str, renamed: int | None = None) -> Connector | None:
    """The connector of `direction` named `name`, or else one whose name looks like it (core/names.py:
    look_alike_key), other than the one being renamed. Keys are computed here from every name: connectors
    stored before migration 0011 have none in the database."""
    others = [c for c in connectors if c.direction == direction and c.id != renamed]
    key = look_alike_key(name)
    same = (c for c in others if c.name == name)
    return next(same, None) or next((c for c in others if look_alike_key(c.name) == key), None)


def _difference(name: str, other: str) -> str:
    """Where two names of one length differ, told by code point: on screen they may not seem to."""
    if len(name) != len(other):
        return ""
    i, mine, theirs = next((i, a, b) for i, (a, b) in enumerate(zip(name, other, strict=True), 1) if a != b)
    return f"; it has {describe(mine)} at position {i} where that one has {describe(theirs)}"


def taken(direction: str, name: str, clash: Connector | None) -> Conflict:
    """The refusal of `name` for the connector it looks like (None: one made meanwhile, then removed)."""
    if clash is None or clash.name == name:
        return Conflict(
            f"an {direction} connector named {name!r} already exists",
            [{"field": "name", "message": "already used in this direction"}],
        )
    looks = f"looks like the {direction} connector {clash.name!r} (id {clash.id})"
    return Conflict(
        f"the name {name!r} {looks}{_difference(name, clash.name)}: in reports the two would be taken for one, "
        "so choose another name",
        [{"field": "name", "message": looks}],
    )


async def add_connector(
    pool: TenantPool, org_id: int, name: Any, direction: Any, type_: Any, forced_tls: Any, rules: Any
) -> Connector:
    problems = check_connector(name, direction, type_, forced_tls) + check_rules(rules)
    if problems:
        raise invalid("the connector", problems)
    name = clean_name(name)
    clash = look_alike(await list_connectors(pool, org_id), direction, name)
    if clash is None:
        created = await create_connector(pool, org_id, name, direction, type_, forced_tls, rules)
        if created is not None:
            return created
        # another request stored a look-alike meanwhile, and the unique key refused this one
        clash = look_alike(await list_connectors(pool, org_id), direction, name)
    raise taken(direction, name, clash)


async def add_missing(pool: TenantPool, org_id: int, connectors: list[tuple[str, str, str, bool]]) -> None:
    """Add the connectors (name, direction, type, forced TLS) not there yet, unchecked: the demo's, which are
    known good (loading it again adds only what is new)."""
    for name, direction, type_, forced_tls in connectors:
        await create_connector(pool, org_id, name, direction, type_, forced_tls)


async def change_name(pool: TenantPool, org_id: int, connector_id: int, new_name: Any) -> Connector:
    """Rename a connector, refusing a name as its creation would (every way to rename goes through here)."""
    if wrong := name_problem(new_name):
        raise invalid("the name", [{"field": "name", "message": wrong}])
    name = clean_name(new_name)
    connectors = await list_connectors(pool, org_id)
    current = next((c for c in connectors if c.id == connector_id), None)
    if current is None:
        raise NotFound(f"there is no connector {connector_id}")
    clash = look_alike(connectors, current.direction, name, renamed=connector_id)
    if clash is None:
        try:
            renamed = await rename_connector(pool, org_id, connector_id, name)
        except asyncpg.UniqueViolationError:  # another request stored a look-alike meanwhile
            clash = look_alike(await list_connectors(pool, org_id), current.direction, name, connector_id)
        else:
            if renamed is None:  # removed meanwhile
                raise NotFound(f"there is no connector {connector_id}")
            return renamed
    raise taken(current.direction, name, clash)


def rules_of(rules: Any) -> list[dict[str, Any]]:
    """Attribution rules as given, checked (core/connectors.py: check_rules)."""
    problems = check_rules(rules)
    if problems:
        raise Invalid("the rules are not valid; nothing was changed", problems)
    assert isinstance(rules, list)
    return rules


async def set_rules(pool: TenantPool, org_id: int, connector_id: int, rules: list[dict[str, Any]]) -> Connector:
    """Replace the connector's attribution rules (checked by `rules_of`)."""
    updated = await set_connector_rules(pool, org_id, connector_id, rules)
    if updated is None:
        raise NotFound(f"there is no connector {connector_id}")
    return updated


async def remove(pool: TenantPool, org_id: int, connector_id: int) -> Removal:
    """Remove a connector no stored message came over (one that did stays: see `Removal.removed`)."""
    removal = await remove_connector(pool, org_id, connector_id)
    if removal is None:
        raise NotFound(f"there is no connector {connector_id}")
    return removal
