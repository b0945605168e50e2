"""The `mailflow` command, one module per command group. Every expected failure is one line on stderr and
exit code 1. The environment that matters: DATABASE_URL (your PostgreSQL; else the embedded one under
MAILFLOW_HOME) and MAILFLOW_ORG (the organization commands act on)."""

from __future__ import annotations

import argparse

import asyncpg

from api import __version__
from api.cli import (
    accepted_domains,
    connectors,
    ingest,
    insights,
    keys,
    mailboxes,
    organizations,
    store,
    tls_reports,
    tlsrpt_endpoints,
    webhooks,
)
from api.cli.common import CliError, fail
from api.errors import ApiError
from api.home import ServeRunning
from api.settings import Settings, SettingsError
from core.errors import Refusal
from db.embedded import EmbeddedError

EPILOG = """environment:
  DATABASE_URL   your PostgreSQL (postgresql://...); empty: the embedded one under MAILFLOW_HOME
  MAILFLOW_HOME  where the embedded PostgreSQL keeps its data (default ~/.local/share/mailflow)
  MAILFLOW_ORG   the organization commands act on (default: the only one there is)
  every setting: see the README's settings table or .env.example"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mailflow",
        description="How well your mail is protected in transit: TLS breakdown, connector report and insights.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mailflow {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (
        store,
        ingest,
        insights,
        connectors,
        tls_reports,
        tlsrpt_endpoints,
        mailboxes,
        accepted_domains,
        webhooks,
        organizations,
        keys,
    ):
        group.add_parsers(sub)
    return parser


def _database_problem(exc: Exception) -> str:
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return f"DATABASE_URL names a database that does not exist ({exc}): create it, or fix the URL"
    if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError | asyncpg.InvalidPasswordError):
        return f"DATABASE_URL's role cannot log in ({exc}): create the role or fix the URL"
    if isinstance(exc, asyncpg.InsufficientPrivilegeError):
        return f"DATABASE_URL's role lacks a privilege ({exc}): migrations need CREATEROLE (they create mailflow_app)"
    return f"the database refused: {exc}"


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        args.func(args, settings)
    except SettingsError as exc:
        fail(f"setting {exc}")
    except (CliError, EmbeddedError, ServeRunning) as exc:
        fail(str(exc))
    except (ApiError, Refusal) as exc:
        fail(exc.message)
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except asyncpg.PostgresError as exc:
        fail(_database_problem(exc))
    except OSError as exc:
        fail(f"cannot reach the database: {exc}")


__all__ = ["CliError", "build_parser", "main"]
