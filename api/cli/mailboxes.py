"""`mailflow mailboxes add|list|remove|test` and `mailflow reports fetch --once`: mailboxes polled for TLS reports."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from api.cli.common import ORG_HELP, CliError, add_id_actions, add_list_action, run_for_organization, show_rows
from api.cli.tlsrpt_endpoints import STATUS_COLUMNS, status_cells
from api.context import AppState
from api.settings import Settings
from api.tlsrpt import mailboxes as service
from api.tlsrpt.poller import fetch_once
from db.mailboxes import Mailbox

COLUMNS = ("id", "host", "username", "folder", "processed")


def _row(m: Mailbox) -> dict[str, Any]:
    return {**{k: getattr(m, k) for k in COLUMNS}, **status_cells(m)}


def _password(args: argparse.Namespace) -> str:
    """Read from stdin (--password-stdin), else asked for: never an argument, which would show in `ps`."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass(f"password for {args.user} at {args.host}: ")


def cmd_mailboxes(args: argparse.Namespace, settings: Settings) -> None:
    password = _password(args) if args.action == "add" else ""

    async def work(state: AppState) -> None:
        if args.action == "add":
            body = {
                "host": args.host, "port": args.port, "security": args.security, "username": args.user,
                "password": password, "folder": args.folder, "processed": args.processed,
                "processed_folder": args.processed_folder, "error_folder": args.error_folder,
                "description": args.description,
            }  # fmt: skip
            made = await service.create(state, body)
            print(f"added mailbox {made.id}: {made.username} at {made.host}:{made.port} ({made.folder})")
        elif args.action == "remove":
            await service.remove(state, args.id)
            print(f"removed mailbox {args.id}: it is no longer polled")
        elif args.action == "test":
            found = await service.poll_now(state, args.id)
            if not found["ok"]:
                raise CliError(f"mailbox {args.id}: {found['error']}")
            print(f"mailbox {args.id}: polled, {found['messages']} new message(s), {found['reports']} report(s) stored")
        else:
            rows = [_row(m) for m in await service.list_all(state)]
            empty = "no mailboxes yet: add one with `mailflow mailboxes add HOST USER`"
            show_rows(args, [*COLUMNS, *STATUS_COLUMNS], rows, empty)

    run_for_organization(settings, work, args.org, quiet=getattr(args, "json", False))


def cmd_reports_fetch(args: argparse.Namespace, settings: Settings) -> None:
    async def work(state: AppState) -> None:
        failed = []
        for _, mailbox_id, result in await fetch_once(state.db, settings, state.org_id):
            if not result.polled:
                print(f"mailbox {mailbox_id}: another process is polling it")
            elif result.error:
                failed.append(f"mailbox {mailbox_id}: {result.error}")
            else:
                print(f"mailbox {mailbox_id}: {result.messages} new message(s), {result.reports} report(s) stored")
        if failed:
            raise CliError("; ".join(failed))

    run_for_organization(settings, work, args.org)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    boxes = sub.add_parser(
        "mailboxes",
        help="add, list, remove or test mailboxes polled for TLS reports",
        description="Mailboxes that TLS reports are mailed to (the mailto: of _smtp._tls records), polled over "
        "IMAP by the running servers (`mailflow reports fetch --once` for cron).",
    )
    actions = boxes.add_subparsers(dest="action", required=True, metavar="ACTION")
    add_list_action(
        actions,
        "list the mailboxes and their status",
        "List the mailboxes: reports today and in total, last success and error, messages skipped by reason.",
    )
    add = actions.add_parser(
        "add",
        help="add a mailbox",
        description="Add a mailbox; the password (or app password) is asked for, or read from stdin with "
        "--password-stdin, and kept encrypted.",
    )
    add.add_argument("host", help="the IMAP server (public addresses only unless MAILFLOW_MAILBOX_ALLOW_PRIVATE=on)")
    add.add_argument("user", help="the user name to log in as")
    add.add_argument("--port", type=int, help="default: 993 with tls, else 143")
    add.add_argument("--security", choices=service.SECURITY, default="tls", help="default: tls")
    add.add_argument("--folder", default="INBOX", help="the folder reports arrive in (default INBOX)")
    add.add_argument(
        "--processed", choices=service.PROCESSED, default="move", help="what to do with a processed message"
    )
    add.add_argument("--processed-folder", default="mailflow/processed", help="where `move` puts them")
    add.add_argument("--error-folder", default="mailflow/errors", help="where messages that do not parse go")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin (one line)")
    add.add_argument("--description", default="", help="what it is for")
    add.add_argument("--org", help=ORG_HELP)
    add_id_actions(
        actions,
        [("remove", "stop polling a mailbox"), ("test", "poll a mailbox now (exit 1 if it fails)")],
        "the mailbox's id (`mailflow mailboxes list`)",
    )
    boxes.set_defaults(func=cmd_mailboxes)
    reports = sub.add_parser("reports", help="fetch TLS reports from the mailboxes", description="TLS reports.")
    report_actions = reports.add_subparsers(dest="action", required=True, metavar="ACTION")
    fetch = report_actions.add_parser(
        "fetch", help="poll every mailbox of the organization once", description="Poll every mailbox once (cron)."
    )
    fetch.add_argument("--once", action="store_true", required=True, help="poll once and exit (the server polls on)")
    fetch.add_argument("--org", help=ORG_HELP)
    reports.set_defaults(func=cmd_reports_fetch)
