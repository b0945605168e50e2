"""Running an importer over files for `mailflow ingest --format ...`: the records it yields, tallied for
the summary (messages by direction and TLS bucket, lines skipped by reason)."""

from __future__ import annotations

import contextlib
import gzip
import io
import itertools
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from api.importers.exim import EximParser
from api.importers.postfix import PostfixParser
from api.importers.syslog import YearGuess
from api.tls import tls_bucket

FORMATS = ("ndjson", "postfix", "exim", "tlsrpt")  # what `mailflow ingest --format` reads


class Tally:
    def __init__(self) -> None:
        self.lines = 0
        self.messages: Counter[tuple[str, str]] = Counter()
        self.skipped: Counter[str] = Counter()

    def report(self) -> list[str]:
        out = [f"  lines read: {self.lines:,}"]
        for (direction, bucket), n in sorted(self.messages.items()):
            out.append(f"  {direction:8} {bucket:8} {n:,}")
        for reason, n in self.skipped.most_common():
            out.append(f"  skipped: {reason}: {n:,}")
        return out


def open_input(name: str) -> IO[bytes]:
    """A file (or stdin for `-`), read through gzip when it is compressed."""
    raw: Any = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=buffered)  # type: ignore[return-value]
    return buffered


def text_lines(stream: IO[bytes]) -> Iterator[tuple[int, str]]:
    reader = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
    try:
        for number, line in enumerate(reader, start=1):
            yield number, line.rstrip("\r\n")
    finally:
        with contextlib.suppress(ValueError):  # the caller owns the stream (and may have closed it)
            reader.detach()


def make_parser(
    fmt: str, name: str, year: int | None, time_zone: str | None, keep_local: bool
) -> PostfixParser | EximParser:
    tz = ZoneInfo(time_zone) if time_zone else datetime.now().astimezone().tzinfo or UTC
    try:
        modified = datetime.fromtimestamp(os.stat(name).st_mtime, tz) if name != "-" else datetime.now(tz)
    except OSError:
        modified = datetime.now(tz)
    years = YearGuess(year, modified, tz)  # type: ignore[arg-type]
    return EximParser(years, modified, keep_local) if fmt == "exim" else PostfixParser(years, modified, keep_local)


def _tallied(records: Iterable[tuple[int, dict[str, Any]]], tally: Tally) -> list[tuple[int, dict[str, Any]]]:
    """The records whose TLS version is understood, counted by direction and bucket."""
    out = []
    for number, record in records:
        bucket = tls_bucket(record["tls_version"])
        if bucket is None:
            tally.skipped[f"TLS version not understood ({record['tls_version']})"] += 1
            continue
        tally.messages[(record["direction"], bucket)] += 1
        out.append((number, record))
    return out


def records_of(
    parser: PostfixParser | EximParser, lines: list[tuple[int, str]], tally: Tally
) -> list[tuple[int, dict[str, Any]]]:
    """The records that these lines complete (a parser keeps its state between calls)."""
    tally.lines += len(lines)
    return _tallied((item for number, text in lines for item in parser.feed(number, text)), tally)


def finish_records(parser: PostfixParser | EximParser, tally: Tally) -> list[tuple[int, dict[str, Any]]]:
    """The records the parser still held at the end of its input (messages whose connection was open)."""
    records = _tallied(parser.finish(), tally)
    tally.skipped.update(parser.skipped)
    return records


def log_records(
    fmt: str, stream: IO[bytes], name: str, tally: Tally, year: int | None, time_zone: str | None, keep_local: bool
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Records from a Postfix or Exim log, counted into `tally`."""
    parser = make_parser(fmt, name, year, time_zone, keep_local)
    lines = text_lines(stream)
    while batch := list(itertools.islice(lines, 1000)):
        yield from records_of(parser, batch, tally)
    yield from finish_records(parser, tally)
