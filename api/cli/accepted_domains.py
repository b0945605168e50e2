"""`mailflow domains add|list|remove`: the organization's accepted domains. TLS report policies for other
domains are flagged and not counted in the figures (with none listed, every report counts)."""

from __future__ import annotations

import argparse

from api.cli.common import ORG_HELP, add_list_action, run_for_organization, show_rows
from api.context import AppState
from api.settings import Settings
from api.tlsrpt import accepted_domains as service


def cmd_domains(args: argparse.Namespace, settings: Settings) -> None:
    async def work(state: AppState) -> None:
        if args.action == "add":
            for text in args.domain:
                made, new = await service.add(state, {"domain": text})
                print(f"{'added' if new else 'already listed'}: {made.domain}")
        elif args.action == "remove":
            for text in args.domain:
                print(f"removed: {await service.remove(state, text)}")
        else:
            rows = [{"domain": d.domain, "added": d.created_at.isoformat()} for d in await service.list_all(state)]
            empty = "no accepted domains: every TLS report counts (add yours with `mailflow domains add DOMAIN`)"
            show_rows(args, ["domain", "added"], rows, empty)

    run_for_organization(settings, work, args.org, quiet=getattr(args, "json", False))


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    domains = sub.add_parser(
        "domains",
        help="add, list or remove the organization's accepted domains",
        description="The domains the organization owns (and their subdomains). With any listed, a TLS report "
        "policy for another domain is shown, flagged, and not counted in the TLS report figures or insights; "
        "with none listed, every report counts.",
    )
    actions = domains.add_subparsers(dest="action", required=True, metavar="ACTION")
    add_list_action(actions, "list the accepted domains", "List the accepted domains.")
    for name, text in (("add", "add accepted domains"), ("remove", "remove accepted domains")):
        action = actions.add_parser(name, help=text, description=text[0].upper() + text[1:] + " (normalised: "
                                    "lower case, IDN in A-labels, no trailing dot).")  # fmt: skip
        action.add_argument("domain", nargs="+", help="a domain name, e.g. example.com")
        action.add_argument("--org", help=ORG_HELP)
    domains.set_defaults(func=cmd_domains)
