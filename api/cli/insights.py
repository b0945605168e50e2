"""`mailflow insights`: evaluate every rule now, or list an organization's insights."""

from __future__ import annotations

import argparse

from api.cli.common import ORG_HELP, add_json_flag, run_for_organization, run_with_database, show_rows
from api.context import AppState
from api.settings import Settings
from db.pool import Database


def cmd_insights(args: argparse.Namespace, settings: Settings) -> None:
    from api.insights.evaluate import evaluate_all
    from services.insights import list_insights

    if args.action == "evaluate":

        async def evaluate(db: Database, applied: list[str]) -> None:
            changes = await evaluate_all(db)
            summary = ", ".join(f"{n} {kind}" for kind, n in sorted(changes.items())) or "no changes"
            print(f"insights evaluated for every organization: {summary}")

        run_with_database(settings, evaluate)
        return

    async def listing(state: AppState) -> None:
        insights = await list_insights(state.pool, state.org_id, args.status, None)
        rows = (
            [i.json() for i in insights]  # --json: each insight whole, as the REST API gives it
            if args.json
            else [
                {
                    "id": i.id,
                    "status": i.status,
                    "rule": i.rule,
                    "connector": f"{i.connector.direction} {i.connector.name}",
                    "share": f"{i.share}%",
                    "title": i.title,
                }
                for i in insights
            ]
        )
        show_rows(args, ["id", "status", "rule", "connector", "share", "title"], rows, f"no {args.status} insights")

    run_for_organization(settings, listing, args.org, quiet=args.json)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    insights = sub.add_parser(
        "insights",
        help="evaluate or list insights",
        description="Insights: rules that fire for a connector over a sliding window (see the README).",
    )
    actions = insights.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser(
        "evaluate",
        help="evaluate every rule for every organization now",
        description="Evaluate every rule for every organization now (the server does it every "
        "MAILFLOW_INSIGHTS_EVERY_SECONDS and after every ingest).",
    )
    listing = actions.add_parser("list", help="list insights", description="List an organization's insights.")
    listing.add_argument(
        "--status", default="active", choices=["active", "resolved", "dismissed", "all"], help="which (default active)"
    )
    listing.add_argument("--org", help=ORG_HELP)
    add_json_flag(listing)
    insights.set_defaults(func=cmd_insights)
