"""`mailflow tlsrpt-endpoints`: add, list, rotate and remove RFC 8460 HTTPS reporting URLs."""

from __future__ import annotations

import argparse
from typing import Any

from api.cli.common import ORG_HELP, add_id_actions, add_list_action, run_for_organization, show_rows
from api.context import AppState
from api.settings import Settings
from api.tlsrpt import endpoints as service
from db.mailboxes import Mailbox
from db.tlsrpt_endpoints import Endpoint


def _shown(made: service.Made, what: str) -> None:
    print(f"{what} reporting endpoint {made.endpoint.id}: {made.url}")
    print("publish this TXT record at _smtp._tls.<each of your domains> (the URL is shown only now):")
    print(made.txt_record)


STATUS_COLUMNS = ("reports_today", "reports_total", "last_success_at", "last_error", "skipped")


def status_cells(source: Endpoint | Mailbox) -> dict[str, Any]:
    """What a reporting endpoint or a mailbox received, as `list` shows it."""
    return {
        "reports_today": source.reports_today,
        "reports_total": source.reports_total,
        "last_success_at": source.last_success_at.isoformat() if source.last_success_at else "",
        "last_error": source.last_error or "",
        "skipped": ", ".join(f"{r}: {n}" for r, n in sorted(source.skipped.items())),
    }


def cmd_tlsrpt_endpoints(args: argparse.Namespace, settings: Settings) -> None:
    base = settings.public_url or f"http://{settings.host}:{settings.port}"

    async def work(state: AppState) -> None:
        if args.action == "add":
            _shown(await service.create(state, {"description": args.description}, base), "created")
        elif args.action == "rotate":
            _shown(await service.rotate(state, args.id, base), "rotated")
        elif args.action == "remove":
            await service.remove(state, args.id)
            print(f"removed reporting endpoint {args.id}: its URL no longer takes reports")
        else:
            rows = [
                {"id": e.id, "description": e.description, **status_cells(e)} for e in await service.list_all(state)
            ]
            empty = "no reporting endpoints yet: add one with `mailflow tlsrpt-endpoints add`"
            show_rows(args, ["id", "description", *STATUS_COLUMNS], rows, empty)

    run_for_organization(settings, work, args.org, quiet=getattr(args, "json", False))


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    endpoints = sub.add_parser(
        "tlsrpt-endpoints",
        help="add, list, rotate or remove HTTPS reporting URLs for TLS reports",
        description="HTTPS reporting URLs (RFC 8460): publish `v=TLSRPTv1; rua=<url>` at _smtp._tls.<domain> and "
        "reporters POST their TLS reports there, with no API key. The URL is shown when made or rotated only.",
    )
    actions = endpoints.add_subparsers(dest="action", required=True, metavar="ACTION")
    add_list_action(
        actions,
        "list the endpoints and what they received",
        "List the reporting endpoints: reports today and in total, last success and error, what was skipped by "
        "reason (never their URLs: rotate for a new one).",
    )
    add = actions.add_parser("add", help="make a reporting URL", description="Make a reporting URL; prints it once.")
    add.add_argument("--description", default="", help="what it is for")
    add.add_argument("--org", help=ORG_HELP)
    add_id_actions(
        actions,
        [("rotate", "replace an endpoint's URL (the old one stops working at once)"),
         ("remove", "remove an endpoint and its URL")],
        "the endpoint's id (`mailflow tlsrpt-endpoints list`)",
    )  # fmt: skip
    endpoints.set_defaults(func=cmd_tlsrpt_endpoints)
