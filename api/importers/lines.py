"""Every line of a log accounted for: a parser counts each line as used (it made a record, or carried what
records need) or skipped under a named reason, so that lines read = used + skipped in every summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from api.importers.syslog import YearGuess

Records = Sequence[tuple[int, dict[str, Any]]]  # (line, record) pairs
Server = tuple[str | None, str | None]  # (syslog host, instance such as postfix or postfix-out) of a line


class TlsServers:
    """The servers whose lines show TLS, per side (inbound, outbound): those the parser has read so far,
    and those `ahead` shows of the rest of the input, one part at a time (a scan of a regular file).
    The scan is read only as far as a question needs: in most logs every server has shown TLS within
    the first part, and only a server that never shows TLS on a side has the file read to its end."""

    def __init__(self, ahead: Iterator[dict[str, set[Server]]] | None = None) -> None:
        self.found: dict[str, set[Server]] = {"inbound": set(), "outbound": set()}
        self.ahead = ahead

    def add(self, side: str, server: Server) -> None:
        self.found[side].add(server)

    def shows(self, side: str, server: Server | None) -> bool:
        seen = self.found[side]
        while server not in seen and self.ahead is not None:
            part = next(self.ahead, None)
            if part is None:
                self.ahead = None
                break
            for each, servers in part.items():
                self.found[each] |= servers
        return server in seen


Result = tuple[Records, str | None]  # the records a line completes, and why it is skipped (None: used)
NONE: Records = ()
USED: Result = (NONE, None)
NOT_UNDERSTOOD = "delivery lines not understood"  # a delivery no pattern reads: never silently "other"
EMPTY = " \t\r\n,"  # what is left of an empty line that passed through a spreadsheet
SHOWN_LINES = 10  # line numbers kept of the delivery lines not understood


class ParseError(ValueError):
    """A line `--strict` does not accept."""


class CountedParser:
    """What both log parsers share: their options, the line accounting, and the honest `none`; `_read`
    (one line) and `_begin` (their own state) are each parser's own.

    `years` dates lines without a year; `default_time` lines without a time; `keep_local` keeps local
    hops; `tls_logged` (per server: `tls_servers`) says whether the log shows TLS lines for each side
    (inbound, outbound): from a scan of the whole file, else (stdin, --follow) what the lines so far
    show; `assume_no_tls` makes a session without a TLS line `none` even where the log does not show
    TLS; `strict` refuses a delivery line that is not understood."""

    def __init__(
        self,
        years: YearGuess,
        default_time: datetime,
        keep_local: bool = False,
        tls_logged: dict[str, bool] | None = None,
        assume_no_tls: bool = False,
        strict: bool = False,
        tls_servers: TlsServers | None = None,
    ) -> None:
        self.years = years
        self.default_time = default_time
        self.keep_local = keep_local
        self.tls_logged = dict(tls_logged or {"inbound": False, "outbound": False})
        # where the log shows TLS per server (host, instance): a central syslog holds servers configured
        # apart, so one server's TLS lines say nothing of another's; None: judged for the whole log
        self.tls_servers = tls_servers
        self.assume_no_tls = assume_no_tls
        self.strict = strict
        self.lines = 0
        self.used = 0
        self.skipped: Counter[str] = Counter()
        self.unlogged: Counter[str] = Counter()  # records `unknown` because TLS is not logged for their side
        self.not_understood: list[int] = []  # the first line numbers of delivery lines not understood
        self.not_received = 0  # transactions a client began that were never received (no record)
        self._begin()

    def _begin(self) -> None:
        """The parser's own state."""

    def _no_tls(self, side: str, known: bool = False, server: Server | None = None) -> str:
        """A session without a TLS line: `none` where the log could show TLS for this side (of this
        server, when judged per server) and shows none there (or `known` says so), else `unknown`,
        counted in `unlogged`."""
        logged = self.tls_logged[side] if self.tls_servers is None else self.tls_servers.shows(side, server)
        if known or logged or self.assume_no_tls:
            return "none"
        self.unlogged[side] += 1
        return "unknown"

    def _read(self, number: int, text: str) -> Result:
        raise NotImplementedError

    def feed(self, number: int, text: str) -> Records:
        """The records this line completes (most lines complete none); the line is counted as used or as
        skipped under its reason."""
        self.lines += 1
        empty = text[:1] in EMPTY and not text.strip(EMPTY)  # most lines start with a letter or digit
        records, reason = (NONE, "empty line") if empty else self._read(number, text)
        if reason is None:
            self.used += 1
        else:
            self.skipped[reason] += 1
            if reason == NOT_UNDERSTOOD:
                if self.strict:
                    raise ParseError(f"line {number}: a delivery line that is not understood: {text.strip()[:300]}")
                if len(self.not_understood) < SHOWN_LINES:
                    self.not_understood.append(number)
        return records
