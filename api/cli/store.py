"""`mailflow serve`, `migrate`, `demo` and `prune`: the store and the server."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import ipaddress
import signal
import socket
import sys

from api import __version__
from api.cli.common import CliError, on_database, organization, run_for_organization, run_with_database
from api.context import AppState
from api.feed import FeedSummary, feed
from api.home import serving
from api.settings import Settings
from db.pool import Database, database


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_address(host: str, port: int) -> None:
    """Refuse a port out of range or taken before anything is loaded, printed or started."""
    if not 1 <= port <= 65535:
        raise CliError(f"--port {port}: a TCP port is 1 to 65535")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise CliError(f"--host {host}: {exc.strerror}") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            probe.bind(address)
        except OSError as exc:
            raise CliError(
                f"cannot listen on {host}:{port}: {exc.strerror} (another server? --port chooses another)"
            ) from None


async def load_demo(state: AppState) -> FeedSummary:
    """The demo's connectors, messages and TLS reports (loading again adds only what is new)."""
    import orjson

    from api.demo import CONNECTORS, demo_records, demo_tls_reports
    from api.feed import store_tls_reports
    from api.importers.tlsrpt import decode
    from services.connectors import add_missing

    await add_missing(state.pool, state.org_id, CONNECTORS)
    summary = await feed(state, enumerate(demo_records(), start=1))
    await store_tls_reports(state, [r for report in demo_tls_reports() for r in decode(orjson.dumps(report))])
    return summary


async def demo_key(db: Database, org_id: int, base: str) -> list[str]:
    """A new admin key for the demo, and the lines that present it; the previous demo key is revoked, and
    that is said."""
    from api.demo import ORGANIZATION
    from services.keys import replace_labelled

    token, revoked = await replace_labelled(db.system, org_id, "admin", "demo")
    again = " (the previous demo key is revoked)" if revoked else ""
    return [
        f"demo admin key for {ORGANIZATION}{again}, shown once (`mailflow keys create` makes more):",
        f"  {token}",
        f"  curl -H 'Authorization: Bearer {token}' {base}/api/v1/summary",
        f"  dashboard, ready to use: {base}/#key={token}",
    ]


def cmd_serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from api.app import create_app
    from api.connections import protocol_for
    from api.demo import ORGANIZATION
    from api.logs import configure_logging

    host = args.host or settings.host
    port = args.port or settings.port
    if not settings.auth and not _loopback(host):
        raise CliError(f"MAILFLOW_AUTH=off is allowed only on a loopback address, not {host}")
    check_address(host, port)
    if args.demo and not settings.auth:
        settings = dataclasses.replace(settings, org_name=ORGANIZATION)
    configure_logging(settings.log_level)
    # uvicorn re-raises SIGTERM after its graceful shutdown; turning it into SystemExit lets `database`
    # stop the embedded PostgreSQL it started instead of leaving it running.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    base = f"http://{host}:{port}"

    async def prepare(db: Database, applied: list[str]) -> None:
        if applied:
            print(f"applied {len(applied)} migration(s): {', '.join(applied)}", flush=True)
        if not args.demo:
            await _key_hint(db, settings)
            return
        org_id, _, _ = await organization(db, settings, ORGANIZATION, create=True)
        summary = await load_demo(AppState(settings=settings, db=db, org_id=org_id))
        print(f"demo data for {ORGANIZATION}: {summary.line()}", flush=True)
        if settings.auth:
            print("\n".join(await demo_key(db, org_id, base)), flush=True)

    # on the embedded PostgreSQL, a second serve on the same home refuses to start (api/home.py)
    claim = contextlib.nullcontext() if settings.database_url else serving(settings.home, base)
    with claim, database(settings.database_url, settings.home) as dsn:
        asyncio.run(on_database(dsn, prepare))
        print(f"mailflow {__version__} on {base}  (the dashboard)", flush=True)
        print(f"  GraphQL (GraphiQL): {base}/graphql", flush=True)
        print(f"  REST:               {base}/api/v1/summary   {base}/docs (the API reference)", flush=True)
        print(f"  health:             {base}/healthz   {base}/readyz", flush=True)
        if not settings.auth:
            print(f"  authentication is off: every request acts as admin of {settings.org_name!r}", flush=True)
        app = create_app(settings, dsn)
        http = protocol_for(settings)  # slow headers time out; connections per address are counted
        config = uvicorn.Config(app, host=host, port=port, http=http, log_config=None, access_log=False, lifespan="on")
        uvicorn.Server(config).run()


async def _key_hint(db: Database, settings: Settings) -> None:
    """With authentication on and no key yet, say how to make one (the API answers nothing without)."""
    from services.organizations import list_all

    rows = await list_all(db.system)
    if settings.auth and not any(row.keys for row in rows):
        name = rows[0].name if len(rows) == 1 else "NAME"
        print(f"no API key exists yet: `mailflow keys create --org {name} --role admin` makes one", flush=True)


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> None:
    from db.migrate import latest_version

    async def work(db: Database, applied: list[str]) -> None:
        if applied:
            print(f"applied {len(applied)} migration(s): {', '.join(applied)}")
        else:
            print(f"nothing to apply: the database is at migration {latest_version():04d}")

    run_with_database(settings, work)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> None:
    from api.demo import ORGANIZATION

    name = args.org or ORGANIZATION
    summary = run_for_organization(settings, load_demo, name, create=True)
    print(f"demo data for {name}: {summary.line()}")


def cmd_prune(args: argparse.Namespace, settings: Settings) -> None:
    from services.reports import prune

    async def work(db: Database, applied: list[str]) -> None:
        pruned = await prune(db.system, settings.retention_days)
        print(
            f"removed data before {pruned.cutoff:%Y-%m-%d %H:%M} UTC "
            f"(MAILFLOW_RETENTION_DAYS={settings.retention_days}), "
            f"for every organization: {pruned.partitions_dropped} day partition(s) of messages, "
            f"{pruned.rollups_deleted} rollup row(s), {pruned.events_deleted} insight event(s), "
            f"{pruned.tls_reports_deleted} TLS report(s), {pruned.webhook_deliveries_deleted} finished webhook "
            "delivery(ies)"
        )

    run_with_database(settings, work)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser(
        "serve",
        help="start the API and the dashboard",
        description="Apply migrations and serve the dashboard, GraphQL and REST. The database is the embedded "
        "PostgreSQL under MAILFLOW_HOME unless DATABASE_URL names one.",
    )
    serve.add_argument("--demo", action="store_true", help="load the Contoso demo data and print an admin key")
    serve.add_argument("--host", help="listen address (default MAILFLOW_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port, 1 to 65535 (default MAILFLOW_PORT, 8000)")
    serve.set_defaults(func=cmd_serve)
    migrate = sub.add_parser(
        "migrate",
        help="apply pending database migrations",
        description="Apply pending migrations in order, each once, under an advisory lock, and say which. On "
        "your own server (DATABASE_URL) the URL's user needs CREATEROLE: they create the role mailflow_app.",
    )
    migrate.set_defaults(func=cmd_migrate)
    demo = sub.add_parser(
        "demo",
        help="load the demo data (the last 7 days) into Contoso",
        description="Load about 100,000 demo messages of the last 7 days; loading again adds only the hours since.",
    )
    demo.add_argument("--org", help="the organization (default: Contoso; created if needed)")
    demo.set_defaults(func=cmd_demo)
    prune = sub.add_parser(
        "prune",
        help="remove data older than MAILFLOW_RETENTION_DAYS",
        description="Remove messages, rollups, insight events and TLS reports older than MAILFLOW_RETENTION_DAYS "
        "(whole UTC days), for every organization. The server also does this daily.",
    )
    prune.set_defaults(func=cmd_prune)
