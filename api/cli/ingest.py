"""`mailflow ingest`: message records (NDJSON, JSON), Postfix and Exim logs (also followed as they grow), and
SMTP TLS reports, through the one ingest pipeline."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import signal
import sys
from collections.abc import Iterator
from typing import IO, Any

import orjson

from api.cli.common import ORG_HELP, CliError, run_for_organization
from api.context import AppState
from api.errors import ApiError
from api.feed import FeedSummary, Progress, feed, feed_log, ingest_warnings
from api.importers.lines import NOT_UNDERSTOOD, ParseError
from api.importers.run import FORMATS, open_input
from api.settings import Settings
from api.typed_records import decode_line

_LOG_LINE = (b"postfix/", b"exim", b" <= ", b" => ")  # what a mail log line shows that JSON does not


def read_records(stream: IO[bytes], name: str) -> Iterator[tuple[int, Any]]:
    """(line, record) pairs from NDJSON (streamed; typed records where the fast path takes a line) or a JSON
    array (read whole)."""
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
        if line.strip():  # a typed record where the fast path takes the line (api/typed_records.py)
            yield number, decode_line(line) or _ndjson_line(line, name, number)


def _ndjson_line(line: bytes, name: str, number: int) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        hint = ""
        if any(marker in line for marker in _LOG_LINE):
            hint = " (this looks like a mail log: --format postfix or --format exim reads it)"
        raise CliError(f"{name}:{number}: malformed JSON: {exc.msg}{hint}") from None


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
        run_for_organization(settings, lambda state: _follow(state, args), args.org, create=True)
        return

    async def work(state: AppState | None) -> list[tuple[str, FeedSummary]]:
        """Every file in turn; `state` is None for a dry run, which touches no database."""
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
                await _ingest_tls_reports(state, settings, name, stream)
                continue
            try:
                with stream:
                    options = log_options(args)
                    is_log = args.format != "ndjson"
                    if is_log and state is not None:  # large logs parse in a second process
                        summary = await feed_log(
                            state, args.format, name, stream, tally, options, args.batch_size, progress.update
                        )
                    else:
                        records = (
                            log_records(args.format, stream, name, tally, **options)
                            if is_log
                            else read_records(stream, name)
                        )
                        if state is None:
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

    if args.dry_run:  # parse and summarise only: no database is started, nothing is created
        asyncio.run(work(None))
        return
    run_for_organization(settings, work, args.org, create=True)


async def _ingest_tls_reports(state: AppState | None, settings: Settings, name: str, stream: IO[bytes]) -> None:
    """Store the reports of one file (state None: a dry run, which stores nothing)."""
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
    outcomes = ["dry run"] * len(reports) if state is None else await store_tls_reports(state, reports)
    for report, outcome in zip(reports, outcomes, strict=True):
        sessions = ", ".join(
            f"{p.policy_domain or '(no policy domain)'}: {p.successful:,} ok, {p.failed:,} failed"
            + (" (failure details do not add up)" if p.mismatch else "")
            for p in report.policies
        )
        print(f"{name}: report {report.report_id!r} from {report.organization_name}: {outcome}; {sessions}")
    for warning in tls_report_warnings(outcomes, settings.retention_days):
        print(f"  warning: {warning}")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ingest = sub.add_parser(
        "ingest",
        help="store message records, Postfix or Exim logs, or TLS reports",
        description="Store message records (NDJSON or a JSON array), Postfix or Exim logs, or SMTP TLS reports "
        "(JSON, .json.gz or the e-mail) from files (.gz too; - for stdin), for the organization named by --org "
        "(or MAILFLOW_ORG; created if needed). The summary accounts for every line read.",
    )
    ingest.add_argument("files", nargs="+", metavar="FILE", help="files to read (.gz too); - for stdin")
    ingest.add_argument("--org", help=ORG_HELP + "; created if needed")
    ingest.add_argument("--batch-size", type=int, default=10_000, help="records per transaction (default 10000)")
    ingest.add_argument("--format", default="ndjson", choices=FORMATS, help="what the files hold (default ndjson)")
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
