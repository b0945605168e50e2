"""`mailflow keys`: create, list and revoke API keys."""

from __future__ import annotations

import argparse

from api.cli.common import add_json_flag, run_with_database, show_rows
from api.settings import Settings
from db.pool import Database
from services import keys


def cmd_keys(args: argparse.Namespace, settings: Settings) -> None:
    async def work(db: Database, applied: list[str]) -> None:
        system = db.system
        if args.action == "create":
            token = await keys.create(system, args.org, args.role, args.label)
            print(f"created a {args.role} key for {args.org!r}; it is shown only now:")
            print(token)
        elif args.action == "revoke":
            await keys.revoke(system, args.id)
            print(f"revoked key {args.id}")
        else:
            rows = [
                {
                    "id": k.key_id,
                    "organization": k.organization,
                    "role": k.role,
                    "state": f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "live",
                    "label": k.label,
                }
                for k in await keys.list_all(system)
            ]
            headers = ["id", "organization", "role", "state", "label"]
            show_rows(args, headers, rows, "no key yet: `mailflow keys create --org NAME --role admin`")

    run_with_database(settings, work)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "keys",
        help="create, list or revoke API keys",
        description="API keys: every request acts for the organization of its key, with its role.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser(
        "create",
        help="create a key; the token is printed once, as the last line",
        description="Create a key. Only its SHA-256 is stored: the token is printed once, as the last line.",
    )
    create.add_argument("--org", required=True, help="the organization's name")
    create.add_argument("--role", required=True, choices=keys.ROLES, help="what the key may do")
    create.add_argument("--label", default="", help="a note on what the key is for")
    add_json_flag(
        actions.add_parser("list", help="list every key", description="List every key of every organization.")
    )
    revoke = actions.add_parser(
        "revoke", help="revoke a key", description="Revoke a key (within MAILFLOW_KEY_CACHE_SECONDS)."
    )
    revoke.add_argument("id", type=int, help="the key's id (`mailflow keys list`)")
    parser.set_defaults(func=cmd_keys)
