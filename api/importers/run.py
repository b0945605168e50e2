"""Running an importer over files for `mailflow ingest --format ...`: the records it yields, tallied for
the summary (messages by direction and TLS bucket, lines skipped by reason)."""

from __future__ import annotations

import contextlib
import gzip
import io
import itertools
import os
import re
import stat
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from api.errors import PayloadTooLarge
from api.importers.exim import EximParser
from api.importers.lines import NOT_UNDERSTOOD, SHOWN_LINES, Server, TlsServers
from api.importers.postfix import PostfixParser, instance
from api.importers.syslog import _MONTHS, YearGuess
from api.tls import tls_bucket

FORMATS = ("ndjson", "postfix", "exim", "tlsrpt")  # what `mailflow ingest --format` reads


HOW_TO_LOG_TLS = {
    ("postfix", "inbound"): (
        "TLS is not logged for received mail (no `TLS connection established from` line)",
        "`smtpd_tls_loglevel = 1` in main.cf logs it",
    ),
    ("postfix", "outbound"): (
        "TLS is not logged for deliveries (no `TLS connection established to` line)",
        "`smtp_tls_loglevel = 1` in main.cf logs it",
    ),
    ("exim", "outbound"): (
        "TLS is not logged for deliveries (no delivery line has `X=`)",
        "`log_selector = +tls_cipher` logs it",
    ),
}


class Tally:
    """What an import read: every line used or skipped under a reason, the messages by direction and
    bucket, the first and last moment, and what the log could not tell."""

    def __init__(self, fmt: str = "postfix") -> None:
        self.fmt = fmt
        self.lines = 0
        self.used = 0
        self.messages: Counter[tuple[str, str]] = Counter()
        self.skipped: Counter[str] = Counter()
        self.unlogged: Counter[str] = Counter()  # messages `unknown` because TLS is not logged, by side
        self.not_understood: list[int] = []  # the first line numbers of delivery lines not understood
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.not_received = 0  # transactions begun but never received (refused by a milter, no DATA)

    def absorb(self, parser: PostfixParser | EximParser | Tally) -> None:
        """The parser's counts of lines and what it could not tell (once, at the end of its input), or
        those of another tally."""
        self.used += parser.used
        self.skipped.update(parser.skipped)
        self.unlogged.update(parser.unlogged)
        self.not_received += parser.not_received
        self.not_understood = (self.not_understood + parser.not_understood)[:SHOWN_LINES]

    def merge(self, other: Tally) -> None:
        """Another tally of the same input (a worker process's)."""
        self.lines = other.lines
        self.absorb(other)
        self.messages.update(other.messages)
        for moment in (other.first, other.last):
            if moment is not None:
                self.saw(moment)

    def saw(self, moment: datetime) -> None:
        if self.first is None or moment < self.first:
            self.first = moment
        if self.last is None or moment > self.last:
            self.last = moment

    def warnings(self) -> list[str]:
        out = []
        bad = self.skipped.get(NOT_UNDERSTOOD, 0)
        if bad:
            shown = ", ".join(str(n) for n in self.not_understood)
            more = " …" if bad > len(self.not_understood) else ""
            out.append(
                f"{bad:,} delivery line(s) not understood made no record (line {shown}{more}); "
                "--strict makes them an error"
            )
        for side, n in sorted(self.unlogged.items()):
            what, how = HOW_TO_LOG_TLS.get((self.fmt, side), ("TLS is not logged", "the server can log it"))
            which = "received message(s) (inbound and client submissions)" if side == "inbound" else "deliveries"
            out.append(
                f"{what}: {n:,} {which} are counted as `unknown`, not `none`; {how} "
                "(--assume-no-tls if the server never uses TLS)"
            )
        return out

    def report(self) -> list[str]:
        skipped = sum(self.skipped.values())
        out = [f"  lines read: {self.lines:,} = {self.used:,} used + {skipped:,} skipped"]
        if self.first is not None and self.last is not None:
            out.append(f"  dates: {self.first.date().isoformat()} to {self.last.date().isoformat()}")
        for (direction, bucket), n in sorted(self.messages.items()):
            out.append(f"  {direction:10} {bucket:8} {n:,}")
        for reason, n in self.skipped.most_common():
            out.append(f"  skipped: {reason}: {n:,}")
        if self.not_received:
            out.append(f"  not received (refused before queueing, or no DATA accepted): {self.not_received:,} "
                       "transaction(s) made no record")  # fmt: skip
        out.extend(f"  warning: {text}" for text in self.warnings())
        return out


# A mail log compresses 10 to 20 times, a JSON file rarely 100 times; a gzip bomb about 1,000 times. Files
# may be large, so a `.gz` is not capped in size: it may inflate to MAX_RATIO times what was read of it
# (after the first RATIO_FREE_BYTES), and stops with an error beyond.
MAX_RATIO = 200
RATIO_FREE_BYTES = 64 * 1024 * 1024


class _Counted(io.RawIOBase):
    """A stream that counts the bytes read from it."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.source.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)

    def close(self) -> None:
        self.source.close()
        super().close()


class _RatioCapped(io.RawIOBase):
    """A gzip stream that refuses to inflate past MAX_RATIO times its compressed bytes."""

    def __init__(self, name: str, source: IO[bytes]) -> None:
        self.name = name
        self.compressed = _Counted(source)
        self.inflated = gzip.GzipFile(fileobj=self.compressed)
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.inflated.readinto(buffer)
        self.count += n
        if self.count > RATIO_FREE_BYTES + MAX_RATIO * self.compressed.count:
            raise PayloadTooLarge(
                f"inflates to more than {MAX_RATIO} times its compressed size: not a log or a report (a gzip bomb?)"
            )
        return n

    def close(self) -> None:
        self.inflated.close()
        self.compressed.close()
        super().close()


def open_input(name: str) -> IO[bytes]:
    """A file (or stdin for `-`), read through gzip when it is compressed (see MAX_RATIO)."""
    raw: Any = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        return io.BufferedReader(_RatioCapped(name, buffered), buffer_size=1 << 17)
    return buffered


def text_lines(stream: IO[bytes]) -> Iterator[tuple[int, str]]:
    reader = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
    try:
        for number, line in enumerate(reader, start=1):
            yield number, line.rstrip("\r\n")
    finally:
        with contextlib.suppress(ValueError):  # the caller owns the stream (and may have closed it)
            reader.detach()


_TLS_LINES = {
    "postfix": {
        "inbound": re.compile(rb"TLS connection (?:established|reused) from"),
        "outbound": re.compile(rb"TLS connection (?:established|reused) to"),
    },
    "exim": {"outbound": re.compile(rb"(?:=>|->) [^\n]*? X=")},
}
_SCAN_CHUNK = 1 << 20


def _whole_lines(name: str) -> Iterator[bytes]:
    """The file in chunks of about _SCAN_CHUNK bytes that end at a line's end (the last one as it ends)."""
    with open_input(name) as stream:
        carry = b""
        while chunk := stream.read(_SCAN_CHUNK):
            data = carry + chunk
            cut = data.rfind(b"\n") + 1
            if cut:
                yield data[:cut]
            carry = data[cut:]
        if carry:
            yield carry


def tls_lines_in(fmt: str, name: str) -> dict[str, bool]:
    """Which sides of the log show TLS lines anywhere in the file (a fast byte scan that stops as soon as
    every side has shown one): a session without a TLS line is `none` only on a side that has."""
    patterns = dict(_TLS_LINES.get(fmt, {}))
    found = {"inbound": "inbound" not in patterns, "outbound": "outbound" not in patterns}
    for lines in _whole_lines(name):
        for side, pattern in list(patterns.items()):
            if pattern.search(lines):
                found[side] = True
                del patterns[side]
        if not patterns:
            break
    return found


def _server_of(head: bytes) -> Server:
    """The syslog host and Postfix instance of a line, from what precedes its message: BSD
    (`Mmm dd hh:mm:ss host prog[pid]:`), RFC 3339 (`stamp host prog[pid]:`), or none (message only)."""
    fields = head.split(None, 5)
    if head[:3].decode("latin-1") in _MONTHS and len(fields) >= 5:
        host, program = fields[3], fields[4]
    elif head[:1].isdigit() and len(fields) >= 3:
        host, program = fields[1], fields[2]
    else:
        return (None, None)
    name = program.split(b"[", 1)[0].rstrip(b":").decode("utf-8", "replace")
    return host.decode("utf-8", "replace"), instance(name)


def tls_servers_in(name: str) -> TlsServers:
    """The servers (syslog host, Postfix instance) whose lines in this Postfix log show TLS, per side:
    a central syslog holds servers configured apart (one may log TLS, another not). The file is read
    only as far as the parser's questions need (see TlsServers)."""

    def parts() -> Iterator[dict[str, set[Server]]]:
        for lines in _whole_lines(name):
            found: dict[str, set[Server]] = {"inbound": set(), "outbound": set()}
            _collect_servers(lines, found)
            yield found

    return TlsServers(parts())


def _collect_servers(data: bytes, found: dict[str, set[Server]]) -> None:
    for side, pattern in _TLS_LINES["postfix"].items():
        seen = found[side]
        at = 0
        while match := pattern.search(data, at):
            start = data.rfind(b"\n", 0, match.start()) + 1
            seen.add(_server_of(data[start : match.start()]))
            at = data.find(b"\n", match.end())
            if at < 0:
                break


def _regular_file(name: str) -> bool:
    try:
        return name != "-" and stat.S_ISREG(os.stat(name).st_mode)
    except OSError:
        return False


def make_parser(
    fmt: str,
    name: str,
    year: int | None,
    time_zone: str | None,
    keep_local: bool,
    assume_no_tls: bool = False,
    strict: bool = False,
    live: bool = False,
) -> PostfixParser | EximParser:
    """A parser for one input. Years without one are taken at or before the file's modification time
    (now, for stdin and a `live` log that is followed). TLS lines: looked for in the whole of a regular
    file first; for stdin and a followed log, what the lines so far have shown."""
    tz = ZoneInfo(time_zone) if time_zone else datetime.now().astimezone().tzinfo or UTC
    regular = _regular_file(name)
    modified = datetime.fromtimestamp(os.stat(name).st_mtime, tz) if regular and not live else None
    years = YearGuess(year, modified, tz)  # type: ignore[arg-type]
    default_time = modified or datetime.now(tz)
    if fmt == "exim":
        logged = tls_lines_in(fmt, name) if regular and not live else None
        return EximParser(years, default_time, keep_local, logged, assume_no_tls, strict)
    # Postfix: judged per server (syslog host and instance), from the whole file or the lines so far
    servers = tls_servers_in(name) if regular and not live else TlsServers()
    return PostfixParser(years, default_time, keep_local, None, assume_no_tls, strict, servers)


def _tallied(records: Iterable[tuple[int, dict[str, Any]]], tally: Tally) -> list[tuple[int, dict[str, Any]]]:
    """The records whose TLS version is understood, counted by direction and bucket."""
    out = []
    first, last = tally.first, tally.last
    for number, record in records:
        bucket = tls_bucket(record["tls_version"])
        if bucket is None:
            tally.skipped[f"TLS version not understood ({record['tls_version']})"] += 1
            continue
        tally.messages[(record["direction"], bucket)] += 1
        moment = record["received_at"]
        if first is None or moment < first:
            first = moment
        if last is None or moment > last:
            last = moment
        out.append((number, record))
    tally.first, tally.last = first, last
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
    tally.absorb(parser)
    return records


def log_records(
    fmt: str, stream: IO[bytes], name: str, tally: Tally, **options: Any
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Records from a Postfix or Exim log, counted into `tally`. `options`: those of `make_parser`."""
    parser = make_parser(fmt, name, **options)
    lines = text_lines(stream)
    while batch := list(itertools.islice(lines, 1000)):
        yield from records_of(parser, batch, tally)
    yield from finish_records(parser, tally)
