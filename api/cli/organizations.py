"""`mailflow orgs`: create, list, rename and remove organizations."""

from __future__ import annotations

import argparse

from api.cli.common import CliError, add_json_flag, run_with_database, show_rows
from api.settings import Settings
from db.pool import Database
from services import organizations


def cmd_orgs(args: argparse.Namespace, settings: Settings) -> None:
    async def work(db: Database, applied: list[str]) -> None:
        system = db.system
        if args.action == "create":
            await organizations.create(system, args.name)
            print(f"created organization {args.name!r}; give it a key with "
                  f"`mailflow keys create --org {args.name!r} --role admin`")  # fmt: skip
            return
        if args.action == "list":
            rows = [
                {"id": o.org_id, "name": o.name, "keys": o.keys, "created": f"{o.created_at:%Y-%m-%d}"}
                for o in await organizations.list_all(system)
            ]
            show_rows(args, ["id", "name", "keys", "created"], rows, "no organization yet: `mailflow orgs create NAME`")
            return
        org_id = await organizations.named(system, args.name)
        if args.action == "rename":
            await organizations.rename(system, org_id, args.new_name)
            print(f"renamed organization {args.name!r} to {args.new_name!r}; its data and keys are unchanged "
                  "(MAILFLOW_ORG and --org must use the new name)")  # fmt: skip
            return
        if not args.yes:
            raise CliError(f"removing {args.name!r} deletes all its messages, rollups, connectors, keys, insights and "
                           "TLS reports, and cannot be undone: add --yes")  # fmt: skip
        messages, rollups = await organizations.remove(system, org_id)
        print(f"removed organization {args.name!r}: {messages:,} message(s), {rollups:,} rollup row(s), and its "
              "connectors, keys, insights and TLS reports")  # fmt: skip

    run_with_database(settings, work)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    orgs = sub.add_parser(
        "orgs",
        help="create, list, rename or remove organizations",
        description="Organizations: every record, connector, key and insight belongs to one.",
    )
    actions = orgs.add_subparsers(dest="action", required=True, metavar="ACTION")
    add_json_flag(actions.add_parser("list", help="list the organizations", description="List the organizations."))
    create = actions.add_parser("create", help="create an organization", description="Create an organization.")
    create.add_argument("name", help="its name, unique")
    rename = actions.add_parser(
        "rename", help="rename an organization", description="Rename an organization; its data and keys stay."
    )
    rename.add_argument("name", help="its name now")
    rename.add_argument("new_name", metavar="NEW_NAME", help="its new name")
    remove = actions.add_parser(
        "remove",
        help="remove an organization and all its data",
        description="Remove an organization with all its messages, rollups, connectors, keys, insights and TLS "
        "reports, in one transaction. It cannot be undone.",
    )
    remove.add_argument("name", help="its name")
    remove.add_argument("--yes", action="store_true", help="yes, delete all of its data")
    orgs.set_defaults(func=cmd_orgs)
