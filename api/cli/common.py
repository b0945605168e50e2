"""What every command shares: one-line failures, the database, and which organization a command acts on."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NoReturn

import asyncpg
import orjson

from api.context import AppState
from api.settings import Settings
from db.migrate import migrate
from db.pool import Database, database, open_database
from services import organizations

ORG_HELP = "the organization (default: MAILFLOW_ORG, else the only one there is)"


class CliError(Exception):
    """Printed as one line; the command exits 1."""


def fail(message: str) -> NoReturn:
    print(f"mailflow: error: {message}", file=sys.stderr)
    raise SystemExit(1)


async def on_database(dsn: str, work: Callable[[Database, list[str]], Awaitable[Any]]) -> Any:
    """Migrate the database at `dsn`, then run `work` on it with the migrations this run applied."""
    conn = await asyncpg.connect(dsn)  # migrations first: the tenant pool needs their role
    try:
        applied = await migrate(conn)
    finally:
        await conn.close()
    db = await open_database(dsn, 4)
    try:
        return await work(db, applied)
    finally:
        await db.close()


def run_with_database(settings: Settings, work: Callable[[Database, list[str]], Awaitable[Any]]) -> Any:
    """Run `work` on the migrated database of the settings (the embedded one started if needed)."""
    with database(settings.database_url, settings.home) as dsn:
        return asyncio.run(on_database(dsn, work))


async def organization(db: Database, settings: Settings, wanted: str | None, create: bool) -> tuple[int, str, bool]:
    """The organization a command acts on: `--org`, else MAILFLOW_ORG, else the only one there is. A
    named organization that does not exist is created when `create` (commands that store), else
    refused; with several and none named, the command refuses and lists them. (id, name, created)"""
    name = wanted or (settings.org_name if settings.org_chosen else None)
    if name:
        found = await organizations.find(db.system, name)
        if found is not None:
            return found, name, False
        if not create:
            names = ", ".join(repr(r.name) for r in await organizations.list_all(db.system)) or "none yet"
            raise CliError(
                f"there is no organization {name!r} (the organizations: {names}; `mailflow orgs create` makes one)"
            )
        return await organizations.ensure(db.system, name), name, True
    rows = await organizations.list_all(db.system)
    if len(rows) == 1:
        return rows[0].org_id, rows[0].name, False
    if rows:
        names = ", ".join(repr(r.name) for r in rows)
        raise CliError(f"there are {len(rows)} organizations ({names}): name one with --org NAME or MAILFLOW_ORG")
    if not create:
        raise CliError("there is no organization yet: `mailflow orgs create NAME` makes one")
    return await organizations.ensure(db.system, "default"), "default", True


def run_for_organization(
    settings: Settings,
    work: Callable[[AppState], Awaitable[Any]],
    wanted: str | None,
    create: bool = False,
    quiet: bool = False,
) -> Any:
    """Run `work` for the organization the command names (see `organization`), saying which one first (on
    stderr and at the end when `quiet`: the output is data, and a failure stays one line)."""

    async def run(db: Database, applied: list[str]) -> Any:
        org_id, name, created = await organization(db, settings, wanted, create)
        named = f"organization {name!r}{' (created)' if created else ''}"
        if not quiet:
            print(named, flush=True)
        result = await work(AppState(settings=settings, db=db, org_id=org_id))
        if quiet:  # the output is data: name the organization on stderr, once it is done
            print(named, file=sys.stderr, flush=True)
        return result

    return run_with_database(settings, run)


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON (one array) instead of a table")


def show_rows(args: argparse.Namespace, headers: Sequence[str], rows: list[dict[str, Any]], empty: str) -> None:
    """A list command's output: a table with a header line, or with --json the rows as one JSON array."""
    if getattr(args, "json", False):
        print(orjson.dumps(rows, default=str).decode())
        return
    if not rows:
        print(empty)
        return
    cells = [[str(r[h]) for h in headers] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    print("  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for c in cells:
        print("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip())


def add_list_action(actions: Any, help: str, description: str) -> argparse.ArgumentParser:
    """A group's `list` action: --org and --json."""
    listed: argparse.ArgumentParser = actions.add_parser("list", help=help, description=description)
    listed.add_argument("--org", help=ORG_HELP)
    add_json_flag(listed)
    return listed


def add_id_actions(actions: Any, names: Sequence[tuple[str, str]], id_help: str) -> None:
    """Actions (`remove`, `test`, `rotate`, ...) that take one id and --org; `names` holds (name, help)."""
    for name, text in names:
        action = actions.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        action.add_argument("id", type=int, help=id_help)
        action.add_argument("--org", help=ORG_HELP)
