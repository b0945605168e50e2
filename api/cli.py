"""The `mailflow` command: serve, migrate, demo, ingest, prune, connectors, tls-reports."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import itertools
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import IO, Any, NoReturn

import asyncpg
import orjson

from api import __version__
from api.context import AppState
from api.errors import ApiError
from api.feed import FeedSummary, Progress, feed, feed_log, ingest_warnings
from api.home import ServeRunning, serving
from api.importers.lines import NOT_UNDERSTOOD, ParseError
from api.importers.run import FORMATS, open_input
from api.settings import Settings, SettingsError
from db.embedded import EmbeddedError
from db.migrate import migrate
from db.organizations import ensure_organization
from db.pool import database, open_database


class CliError(Exception):
    """Printed as one line; the command exits 1."""


def fail(message: str) -> NoReturn:
    print(f"mailflow: error: {message}", file=sys.stderr)
    raise SystemExit(1)


async def _with_state(
    settings: Settings, dsn: str, work: Callable[[AppState], Awaitable[Any]], org: str | None = None
) -> Any:
    conn = await asyncpg.connect(dsn)  # migrations first: the tenant pool needs their role
    try:
        await migrate(conn)
    finally:
        await conn.close()
    db = await open_database(dsn, 4)
    try:
        org_id = await ensure_organization(db.system, org or settings.org_name)
        return await work(AppState(settings=settings, db=db, org_id=org_id))
    finally:
        await db.close()


def run_with_state(settings: Settings, work: Callable[[AppState], Awaitable[Any]], org: str | None = None) -> Any:
    """Run `work` for an organization (default MAILFLOW_ORG), created if needed."""
    with database(settings) as dsn:
        return asyncio.run(_with_state(settings, dsn, work, org))


# --- input files -----------------------------------------------------------------------------------


def read_records(stream: IO[bytes], name: str) -> Iterator[tuple[int, Any]]:
    """(line, record) pairs from NDJSON (streamed) or a JSON array (read whole)."""
    first = b""
    head: list[bytes] = []
    for line in stream:
        head.append(line)
        if line.strip():
            first = line.lstrip()[:1]
            break
    if first == b"[":
        data = b"".join(head) + stream.read()
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise CliError(f"{name}:{exc.lineno}: malformed JSON: {exc.msg}") from None
        if not isinstance(value, list):
            raise CliError(f"{name}: expected a JSON array or NDJSON")
        yield from enumerate(value, start=1)
        return
    for number, line in enumerate(itertools.chain(head, stream), start=1):
        if line.strip():
            yield number, _ndjson_line(line, name, number)


def _ndjson_line(line: bytes, name: str, number: int) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise CliError(f"{name}:{number}: malformed JSON: {exc.msg}") from None


# --- commands --------------------------------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> None:
    async def work(state: AppState) -> None:
        print("migrations are current")

    run_with_state(settings, work)


async def load_demo(state: AppState) -> FeedSummary:
    from api.demo import CONNECTORS, demo_records
    from db.connectors import create_connector

    for name, direction, type_, forced in CONNECTORS:
        await create_connector(state.pool, state.org_id, name, direction, type_, forced)
    return await feed(state, enumerate(demo_records(), start=1))


def cmd_demo(args: argparse.Namespace, settings: Settings) -> None:
    from api.demo import ORGANIZATION

    summary = run_with_state(settings, load_demo, args.org or ORGANIZATION)
    print(f"demo data for {args.org or ORGANIZATION}: {summary.line()}")


async def _follow(state: AppState, args: argparse.Namespace) -> None:
    """Ingest a live log as it grows, in batches at most a second apart, until Ctrl-C or SIGTERM."""
    import threading
    from pathlib import Path

    from api.importers.follow import Follower
    from api.importers.run import Tally, finish_records, make_parser, records_of

    (name,) = args.files
    parser = make_parser(args.format, name, live=True, **log_options(args))
    tally = Tally(args.format)
    try:
        follower = Follower(Path(name))
    except OSError as exc:
        raise CliError(f"{name}: {exc.strerror or exc}") from None
    stop = threading.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    batches = follower.batches(stop)
    stored = 0
    print(f"following {name} (Ctrl-C to stop)", flush=True)
    try:
        while not stop.is_set():
            lines: list[tuple[int, str]] = await asyncio.to_thread(next, batches, [])
            try:
                records = records_of(parser, lines, tally)
            except ParseError as exc:
                raise CliError(f"{name}: {exc} (--strict)") from None
            if records:
                stored += (await feed(state, records)).accepted
                print(f"  {tally.lines:,} lines, {stored:,} messages stored", flush=True)
        finishing = finish_records(parser, tally)  # messages whose connection had not ended
        if finishing:
            stored += (await feed(state, finishing)).accepted
    finally:
        follower.close()
    print(f"{name}: stopped; {stored:,} messages stored")
    print("\n".join(tally.report()))


def log_options(args: argparse.Namespace) -> dict[str, Any]:
    """The importer options of `mailflow ingest` (see api/importers/run.make_parser)."""
    return {
        "year": args.year,
        "time_zone": args.time_zone,
        "keep_local": args.keep_local,
        "assume_no_tls": args.assume_no_tls,
        "strict": args.strict,
    }


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> None:
    from api.importers.run import Tally, log_records

    if args.follow:
        if args.format not in ("postfix", "exim") or len(args.files) != 1 or args.files[0] == "-":
            raise CliError("--follow takes one Postfix or Exim log file")
        run_with_state(settings, lambda state: _follow(state, args), args.org)
        return

    async def work(state: AppState) -> list[tuple[str, FeedSummary]]:
        done = []
        for name in args.files:
            tally = Tally(args.format)
            counted = (lambda t=tally: t.lines) if args.format in ("postfix", "exim") else None
            progress = Progress(lines=counted)
            try:
                stream = open_input(name)
            except OSError as exc:
                raise CliError(f"{name}: {exc.strerror or exc}") from None
            if args.format == "tlsrpt":
                await _ingest_tls_reports(state, name, stream, args.dry_run)
                continue
            try:
                with stream:
                    options = log_options(args)
                    is_log = args.format != "ndjson"
                    if is_log and not args.dry_run:  # large logs parse in a second process
                        summary = await feed_log(
                            state, args.format, name, stream, tally, options, args.batch_size, progress.update
                        )
                    else:
                        records = (
                            log_records(args.format, stream, name, tally, **options)
                            if is_log
                            else read_records(stream, name)
                        )
                        if args.dry_run:
                            summary = FeedSummary(records=sum(1 for _ in records))
                        else:
                            summary = await feed(state, records, args.batch_size, progress.update)
            except ParseError as exc:
                progress.done()
                raise CliError(f"{name}: {exc} (--strict)") from None
            except ApiError as exc:
                progress.done()
                for item in exc.details[:20]:
                    where = f"{name}:{item['line']}: {item.get('field') or 'record'}"
                    print(f"{where}: {item['message']}", file=sys.stderr)
                raise CliError(f"{name}: {exc.message}") from None
            progress.done()
            if args.dry_run:
                print(f"{name}: {summary.records:,} records (dry run: nothing stored)")
            else:
                print(f"{name}: {summary.line()}")
                for warning in ingest_warnings(summary.expired, settings.retention_days):
                    print(f"  warning: {warning}")
            if args.format != "ndjson":
                unread = sum(tally.skipped.get(r, 0) for r in ("not understood", "empty line", NOT_UNDERSTOOD))
                if tally.lines and not tally.messages and unread == tally.lines:
                    raise CliError(f"{name}: no line looks like a {args.format} log")
                print("\n".join(tally.report()))
            done.append((name, summary))
        return done

    run_with_state(settings, work, args.org)


async def _ingest_tls_reports(state: AppState, name: str, stream: IO[bytes], dry_run: bool) -> None:
    from api.feed import store_tls_reports, tls_report_warnings
    from api.importers.tlsrpt import MAX_BYTES, decode

    with stream:
        data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise CliError(f"{name}: larger than {MAX_BYTES} bytes: not a TLS report")
    try:
        reports = decode(data)
    except ApiError as exc:
        raise CliError(f"{name}: {exc.message}") from None
    outcomes = ["dry run"] * len(reports) if dry_run else await store_tls_reports(state, reports)
    for report, outcome in zip(reports, outcomes, strict=True):
        sessions = ", ".join(
            f"{p.policy_domain or '(no policy domain)'}: {p.successful:,} ok, {p.failed:,} failed"
            + (" (failure details do not add up)" if p.mismatch else "")
            for p in report.policies
        )
        print(f"{name}: report {report.report_id!r} from {report.organization_name}: {outcome}; {sessions}")
    for warning in tls_report_warnings(outcomes, state.settings.retention_days):
        print(f"  warning: {warning}")


def cmd_prune(args: argparse.Namespace, settings: Settings) -> None:
    from db.messages import prune

    async def work(state: AppState) -> None:
        pruned = await prune(state.db.system, settings.retention_days)
        print(
            f"removed data before {pruned.cutoff:%Y-%m-%d %H:%M} UTC: {pruned.partitions_dropped} day "
            f"partition(s) of messages, {pruned.rollups_deleted} rollup row(s), "
            f"{pruned.events_deleted} insight event(s), {pruned.tls_reports_deleted} TLS report(s)"
        )

    run_with_state(settings, work)


def cmd_insights(args: argparse.Namespace, settings: Settings) -> None:
    from api.insights.evaluate import evaluate_all
    from api.insights.service import list_insights

    async def work(state: AppState) -> None:
        if args.action == "evaluate":
            changes = await evaluate_all(state.db)
            summary = ", ".join(f"{n} {kind}" for kind, n in sorted(changes.items())) or "no changes"
            print(f"insights evaluated for every organization: {summary}")
            return
        for insight in await list_insights(state, args.status, None):
            c = insight["connector"]
            print(
                f"{insight['id']}\t{insight['status']}\t{insight['rule']}\t{c['direction']} {c['name']}\t"
                f"{insight['share']}%\t{insight['title']}"
            )

    run_with_state(settings, work, getattr(args, "org", None))


def cmd_connectors(args: argparse.Namespace, settings: Settings) -> None:
    from api.rest.connectors import add_connector
    from db.connectors import list_connectors

    async def work(state: AppState) -> None:
        if args.action == "add":
            rules = [_rule(text) for text in args.rule]
            c = await add_connector(state, args.name, args.direction, args.type, args.forced_tls, rules)
            print(f"created connector {c.id}: {c.direction} {c.type} {c.name!r} forced_tls={c.forced_tls}")
            return
        rows = await list_connectors(state.pool, state.org_id)
        if not rows:
            print("no connectors yet: add one with `mailflow connectors add NAME --direction ... --type ...`")
        for c in rows:
            print(f"{c.id}\t{c.direction}\t{c.type}\t{'forced_tls' if c.forced_tls else '-'}\t{c.name}")

    run_with_state(settings, work, args.org)


def cmd_tls_reports(args: argparse.Namespace, settings: Settings) -> None:
    from api.rest.tls_reports import cursor_text, find_report, report_id_argument, report_list
    from api.window import parse_moment, zone

    async def work(state: AppState) -> None:
        if args.action == "show":
            found = await find_report(state, report_id_argument(args.id, "ID"))
            if found is None:
                raise CliError(f"there is no TLS report {args.id}")
            print(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())
            return
        start = parse_moment(args.from_, "--from", zone("UTC")) if args.from_ else None
        end = parse_moment(args.to, "--to", zone("UTC")) if args.to else None
        window, page = await report_list(state, start, end, args.policy_domain, args.limit, args.after)
        for r in page.reports:
            domains = ", ".join(r["policy_domains"]) or "(no policy domain)"
            print(f"{r['id']}\t{r['from']:%Y-%m-%d}\t{r['organization_name']}\t{r['report_id']}\t{domains}\t"
                  f"{r['successful']:,} ok\t{r['failed']:,} failed")  # fmt: skip
        more = f"; the next page: --after {cursor_text(page.next)}" if page.next else ""
        print(f"{len(page.reports)} of {page.total} report(s) starting {window.start:%Y-%m-%d %H:%M} to "
              f"{window.end:%Y-%m-%d %H:%M} UTC{more}")  # fmt: skip

    run_with_state(settings, work, args.org)


def _rule(text: str) -> dict[str, str]:
    kind, _, value = text.partition(":")
    if not value:
        raise CliError(
            f"--rule {text!r}: write KIND:VALUE, e.g. ip:192.0.2.0/24, hostname:fabrikam.com, domain:fabrikam.com"
        )
    return {"kind": kind, "value": value}


def cmd_orgs(args: argparse.Namespace, settings: Settings) -> None:
    from db.organizations import create_organization, list_organizations

    async def work(state: AppState) -> None:
        if args.action == "create":
            if await create_organization(state.db.system, args.name) is None:
                raise CliError(f"an organization named {args.name!r} already exists")
            print(f"created organization {args.name!r}; give it a key with `mailflow keys create --org {args.name!r} "
                  "--role admin`")  # fmt: skip
            return
        for row in await list_organizations(state.db.system):
            print(f"{row['org_id']}\t{row['name']}\t{row['keys']} key(s)\tcreated {row['created_at']:%Y-%m-%d}")

    run_with_state(settings, work)


def cmd_keys(args: argparse.Namespace, settings: Settings) -> None:
    from db.keys import create_key, list_keys, revoke_key
    from db.organizations import organization_id

    async def work(state: AppState) -> None:
        system = state.db.system
        if args.action == "create":
            org_id = await organization_id(system, args.org)
            if org_id is None:
                raise CliError(f"there is no organization {args.org!r} (create it with `mailflow orgs create`)")
            token = await create_key(system, org_id, args.role, args.label)
            print(f"created a {args.role} key for {args.org!r}; it is shown only now:")
            print(token)
        elif args.action == "revoke":
            if not await revoke_key(system, args.id):
                raise CliError(f"there is no live key {args.id}")
            print(f"revoked key {args.id}")
        else:
            for row in await list_keys(system):
                state_ = f"revoked {row['revoked_at']:%Y-%m-%d}" if row["revoked_at"] else "live"
                print(f"{row['key_id']}\t{row['organization']}\t{row['role']}\t{state_}\t{row['label']}")

    run_with_state(settings, work)


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from api.app import create_app
    from api.demo import ORGANIZATION
    from api.logs import configure_logging
    from db.keys import create_key, revoke_keys_by_label

    host = args.host or settings.host
    port = args.port or settings.port
    if not settings.auth and not _loopback(host):
        raise CliError(f"MAILFLOW_AUTH=off is allowed only on a loopback address, not {host}")
    if args.demo and not settings.auth:
        settings = dataclasses.replace(settings, org_name=ORGANIZATION)
    configure_logging(settings.log_level)
    # uvicorn re-raises SIGTERM after its graceful shutdown; turning it into SystemExit lets `database`
    # stop the embedded PostgreSQL it started instead of leaving it running.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    base = f"http://{host}:{port}"
    # on the embedded PostgreSQL, a second serve on the same home refuses to start (api/home.py)
    claim = contextlib.nullcontext() if settings.database_url else serving(settings.home, base)
    with claim, database(settings) as dsn:

        async def prepare(state: AppState) -> None:
            summary = await load_demo(state)
            print(f"demo data for {ORGANIZATION}: {summary.line()}", flush=True)
            if settings.auth:
                await revoke_keys_by_label(state.db.system, state.org_id, "demo")
                token = await create_key(state.db.system, state.org_id, "admin", "demo")
                print(f"demo admin key for {ORGANIZATION} (shown once; `mailflow keys create` makes more):", flush=True)
                print(f"  {token}", flush=True)
                print(f"  curl -H 'Authorization: Bearer {token}' {base}/api/v1/summary", flush=True)
                print(f"  dashboard, ready to use: {base}/#key={token}", flush=True)

        if args.demo:
            asyncio.run(_with_state(settings, dsn, prepare, ORGANIZATION))
        else:
            asyncio.run(_with_state(settings, dsn, _key_hint))
        print(f"mailflow {__version__} on {base}  (the dashboard)", flush=True)
        print(f"  GraphQL (GraphiQL): {base}/graphql", flush=True)
        print(f"  REST:               {base}/api/v1/summary   {base}/api/v1/openapi.json", flush=True)
        print(f"  health:             {base}/healthz   {base}/readyz", flush=True)
        if not settings.auth:
            print(f"  authentication is off: every request acts as admin of {settings.org_name!r}", flush=True)
        config = uvicorn.Config(
            create_app(settings, dsn), host=host, port=port, log_config=None, access_log=False, lifespan="on"
        )
        uvicorn.Server(config).run()


async def _key_hint(state: AppState) -> None:
    """With authentication on and no key yet, say how to make one (the API answers nothing without)."""
    from db.organizations import list_organizations

    if state.settings.auth and not any(row["keys"] for row in await list_organizations(state.db.system)):
        name = state.settings.org_name
        print(f"no API key exists yet: `mailflow keys create --org {name} --role admin` makes one", flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mailflow", description="How well your mail is protected in transit.")
    parser.add_argument("--version", action="version", version=f"mailflow {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    org_help = "the organization (default: MAILFLOW_ORG)"

    serve = sub.add_parser("serve", help="start the API (embedded PostgreSQL unless DATABASE_URL is set)")
    serve.add_argument("--demo", action="store_true", help="load the Contoso demo data and print an admin key")
    serve.add_argument("--host", help="listen address (default MAILFLOW_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (default MAILFLOW_PORT, 8000)")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="apply pending database migrations").set_defaults(func=cmd_migrate)
    demo = sub.add_parser("demo", help="load the demo data (the last 7 days) into Contoso")
    demo.add_argument("--org", help="the organization (default: Contoso)")
    demo.set_defaults(func=cmd_demo)
    sub.add_parser("prune", help="remove data older than MAILFLOW_RETENTION_DAYS").set_defaults(func=cmd_prune)

    ingest = sub.add_parser("ingest", help="store message records from NDJSON or JSON files (.gz too, - for stdin)")
    ingest.add_argument("files", nargs="+", metavar="FILE")
    ingest.add_argument("--org", help=org_help)
    ingest.add_argument("--batch-size", type=int, default=10_000, help="records per transaction (default 10000)")
    ingest.add_argument("--format", default="ndjson", choices=FORMATS, help="what the files hold")
    ingest.add_argument("--year", type=int, help="the year of syslog timestamps without one (default: from the file)")
    ingest.add_argument("--time-zone", help="the zone of timestamps without an offset (default: this machine's)")
    ingest.add_argument("--keep-local", action="store_true", help="also count local and loopback hops")
    ingest.add_argument("--dry-run", action="store_true", help="parse and summarise, store nothing")
    ingest.add_argument(
        "--strict",
        action="store_true",
        help="fail at the first delivery line that is not understood (default: count it, warn, go on)",
    )
    ingest.add_argument(
        "--assume-no-tls",
        action="store_true",
        help="the server never uses TLS: sessions without a TLS line are `none` even on a side whose TLS "
        "the log does not show (default: `unknown` there)",
    )
    ingest.add_argument(
        "--follow", action="store_true", help="keep ingesting what a live log gains, across rotation (Ctrl-C stops)"
    )
    ingest.set_defaults(func=cmd_ingest)

    insights = sub.add_parser("insights", help="evaluate or list insights")
    insight_actions = insights.add_subparsers(dest="action", required=True)
    insight_actions.add_parser("evaluate", help="evaluate every rule for every organization now")
    listing = insight_actions.add_parser("list", help="list insights")
    listing.add_argument("--status", default="active", choices=["active", "resolved", "dismissed", "all"])
    listing.add_argument("--org", help=org_help)
    insights.set_defaults(func=cmd_insights)

    connectors = sub.add_parser("connectors", help="list or add connectors")
    actions = connectors.add_subparsers(dest="action", required=True)
    listed = actions.add_parser("list", help="list the connectors")
    listed.add_argument("--org", help=org_help)
    add = actions.add_parser("add", help="add a connector")
    add.add_argument("name")
    add.add_argument("--org", help=org_help)
    add.add_argument("--direction", required=True, choices=["inbound", "outbound"])
    add.add_argument("--type", required=True, choices=["partner", "on_premises"])
    add.add_argument("--forced-tls", action="store_true", help="the connector requires TLS")
    add.add_argument(
        "--rule",
        action="append",
        default=[],
        metavar="KIND:VALUE",
        help="attribute records to it: ip:192.0.2.0/24, hostname:fabrikam.com or domain:fabrikam.com (repeatable)",
    )
    connectors.set_defaults(func=cmd_connectors)

    reports = sub.add_parser("tls-reports", help="list stored SMTP TLS reports or show one in full")
    report_actions = reports.add_subparsers(dest="action", required=True)
    listing = report_actions.add_parser("list", help="the reports whose range starts in a window, newest first")
    listing.add_argument("--org", help=org_help)
    listing.add_argument("--from", dest="from_", help="RFC 3339 or YYYY-MM-DD, UTC (default: 7 days before --to)")
    listing.add_argument("--to", help="exclusive, as --from (default: the end of the current hour)")
    listing.add_argument("--policy-domain", help="only reports with a policy for this domain")
    listing.add_argument("--limit", default="100", help="reports per page, 1 to 1000 (default 100)")
    listing.add_argument("--after", help="the cursor printed for the next page")
    show = report_actions.add_parser("show", help="one report in full, as JSON")
    show.add_argument("id", metavar="ID")
    show.add_argument("--org", help=org_help)
    reports.set_defaults(func=cmd_tls_reports)

    orgs = sub.add_parser("orgs", help="create or list organizations")
    org_actions = orgs.add_subparsers(dest="action", required=True)
    org_actions.add_parser("list", help="list the organizations")
    org_actions.add_parser("create", help="create an organization").add_argument("name")
    orgs.set_defaults(func=cmd_orgs)

    keys = sub.add_parser("keys", help="create, list or revoke API keys")
    key_actions = keys.add_subparsers(dest="action", required=True)
    create = key_actions.add_parser("create", help="create a key; the token is printed once, as the last line")
    create.add_argument("--org", required=True, help="the organization's name")
    create.add_argument("--role", required=True, choices=["reader", "ingest", "admin"])
    create.add_argument("--label", default="", help="a note on what the key is for")
    key_actions.add_parser("list", help="list every key")
    key_actions.add_parser("revoke", help="revoke a key").add_argument("id", type=int)
    keys.set_defaults(func=cmd_keys)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        args.func(args, settings)
    except SettingsError as exc:
        fail(f"setting {exc}")
    except (CliError, EmbeddedError, ServeRunning) as exc:
        fail(str(exc))
    except ApiError as exc:
        fail(exc.message)
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except OSError as exc:
        fail(f"cannot reach the database: {exc}")


if __name__ == "__main__":
    main()
