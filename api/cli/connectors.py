"""`mailflow connectors`: list, add, rename and remove connectors."""

from __future__ import annotations

import argparse

from api.cli.common import ORG_HELP, CliError, add_json_flag, run_for_organization, show_rows
from api.context import AppState
from api.settings import Settings
from services import connectors as service


def _rule(text: str) -> dict[str, str]:
    kind, _, value = text.partition(":")
    if not value:
        raise CliError(
            f"--rule {text!r}: write KIND:VALUE, e.g. ip:192.0.2.0/24, hostname:fabrikam.com, domain:fabrikam.com"
        )
    return {"kind": kind, "value": value}


def cmd_connectors(args: argparse.Namespace, settings: Settings) -> None:
    async def work(state: AppState) -> None:
        if args.action == "add":
            rules = [_rule(text) for text in args.rule]
            c = await service.add_connector(
                state.pool, state.org_id, args.name, args.direction, args.type, args.forced_tls, rules
            )
            print(f"created connector {c.id}: {c.direction} {c.type} {c.name!r} forced_tls={c.forced_tls}")
        elif args.action == "rename":
            renamed = await service.change_name(state.pool, state.org_id, args.id, args.new_name)
            print(f"renamed connector {args.id} to {renamed.name!r}; its traffic and insights follow it")
        elif args.action == "remove":
            removal = await service.remove(state.pool, state.org_id, args.id)
            if not removal.removed:
                raise CliError(f"{removal.direction} connector {removal.name!r} carried {removal.messages:,} stored "
                               "message(s): the reports would lose its name for them, so it stays (rename it, or "
                               "remove it once retention has removed them)")  # fmt: skip
            print(f"removed {removal.direction} connector {removal.name!r} and its rules (no message came over it)")
        else:
            rows = [
                {
                    "id": c.id,
                    "direction": c.direction,
                    "type": c.type,
                    "forced_tls": c.forced_tls,
                    "name": c.name,
                    "rules": len(c.rules),
                }
                for c in await service.list_connectors(state.pool, state.org_id)
            ]
            empty = "no connectors yet: add one with `mailflow connectors add NAME --direction ... --type ...`"
            show_rows(args, ["id", "direction", "type", "forced_tls", "name", "rules"], rows, empty)

    run_for_organization(settings, work, args.org, create=args.action == "add", quiet=getattr(args, "json", False))


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    connectors = sub.add_parser(
        "connectors",
        help="list, add, rename or remove connectors",
        description="Connectors: named paths to partners' or your own (on-premises) servers, per direction.",
    )
    actions = connectors.add_subparsers(dest="action", required=True, metavar="ACTION")
    listed = actions.add_parser("list", help="list the connectors", description="List the organization's connectors.")
    listed.add_argument("--org", help=ORG_HELP)
    add_json_flag(listed)
    add = actions.add_parser("add", help="add a connector", description="Add a connector, with attribution rules.")
    add.add_argument("name", help="its name, unlike any other in its direction")
    add.add_argument("--org", help=ORG_HELP + "; created if needed")
    add.add_argument("--direction", required=True, choices=["inbound", "outbound"], help="the mail it carries")
    add.add_argument("--type", required=True, choices=["partner", "on_premises"], help="where it leads")
    add.add_argument("--forced-tls", action="store_true", help="the connector requires TLS")
    add.add_argument(
        "--rule",
        action="append",
        default=[],
        metavar="KIND:VALUE",
        help="attribute records to it: ip:192.0.2.0/24, hostname:fabrikam.com or domain:fabrikam.com (repeatable)",
    )
    rename = actions.add_parser(
        "rename", help="rename a connector", description="Rename a connector; its traffic and insights follow it."
    )
    rename.add_argument("id", type=int, help="the connector's id (`mailflow connectors list`)")
    rename.add_argument("new_name", metavar="NEW_NAME", help="its new name")
    rename.add_argument("--org", help=ORG_HELP)
    remove = actions.add_parser(
        "remove",
        help="remove a connector no message came over",
        description="Remove a connector and its rules. One that stored messages came over stays (the reports would "
        "lose its name): rename it instead.",
    )
    remove.add_argument("id", type=int, help="the connector's id (`mailflow connectors list`)")
    remove.add_argument("--org", help=ORG_HELP)
    connectors.set_defaults(func=cmd_connectors)
