"""`mailflow tls-reports`: list stored SMTP TLS reports, or show one in full."""

from __future__ import annotations

import argparse

import orjson

from api.cli.common import ORG_HELP, CliError, run_for_organization
from api.context import AppState
from api.settings import Settings


def cmd_tls_reports(args: argparse.Namespace, settings: Settings) -> None:
    from core.window import parse_moment, zone
    from services import tls_reports

    async def work(state: AppState) -> None:
        if args.action == "show":
            found = await tls_reports.find_report(
                state.pool, state.org_id, tls_reports.report_id_argument(args.id, "ID")
            )
            if found is None:
                raise CliError(f"there is no TLS report {args.id}")
            print(orjson.dumps(found.json(), option=orjson.OPT_INDENT_2).decode())
            return
        start = parse_moment(args.from_, "--from", zone("UTC")) if args.from_ else None
        end = parse_moment(args.to, "--to", zone("UTC")) if args.to else None
        window, page = await tls_reports.report_list(
            state.pool, state.org_id, start, end, args.policy_domain, args.limit, args.after
        )
        for r in page.reports:
            domains = ", ".join(r.policy_domains) or "(no policy domain)"
            flag = f"\tflagged: {', '.join(r.foreign_domains)} not accepted (not counted)" if r.flagged else ""
            print(f"{r.id}\t{r.start:%Y-%m-%d}\t{r.organization_name}\t{r.report_id}\t{domains}\t"
                  f"{r.successful:,} ok\t{r.failed:,} failed{flag}")  # fmt: skip
        more = f"; the next page: --after {tls_reports.cursor_text(page.next)}" if page.next else ""
        print(f"{len(page.reports)} of {page.total} report(s) starting {window.start:%Y-%m-%d %H:%M} to "
              f"{window.end:%Y-%m-%d %H:%M} UTC{more}")  # fmt: skip

    run_for_organization(settings, work, args.org, quiet=args.action == "show")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reports = sub.add_parser(
        "tls-reports",
        help="list stored SMTP TLS reports or show one in full",
        description="SMTP TLS reports (RFC 8460) stored for the organization.",
    )
    actions = reports.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser(
        "list", help="the reports whose range starts in a window, newest first", description="List stored reports."
    )
    listing.add_argument("--org", help=ORG_HELP)
    listing.add_argument("--from", dest="from_", help="RFC 3339 or YYYY-MM-DD, UTC (default: 7 days before --to)")
    listing.add_argument("--to", help="exclusive, as --from (default: the end of the current hour)")
    listing.add_argument("--policy-domain", help="only reports with a policy for this domain")
    listing.add_argument("--limit", default="100", help="reports per page, 1 to 1000 (default 100)")
    listing.add_argument("--after", help="the cursor printed for the next page")
    show = actions.add_parser(
        "show", help="one report in full, as JSON", description="Show one report in full, as JSON."
    )
    show.add_argument("id", metavar="ID", help="the report's id (`mailflow tls-reports list`)")
    show.add_argument("--org", help=ORG_HELP)
    reports.set_defaults(func=cmd_tls_reports)
