"""Syslog headers: the fast split of plain BSD lines must read every line exactly as the patterns do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.importers.syslog import _PLAIN_BSD, YearGuess, _parse_with_patterns, parse_line

PLAIN = {
    "month": "Oct",
    "gap1": " ",
    "day": " 1",
    "gap2": " ",
    "clock": "12:00:00",
    "gap3": " ",
    "host": "mx",
    "gap4": " ",
    "program": "postfix/smtpd",
    "pid": "[123]",
    "colon": ": ",
    "message": "connect from a[1.2.3.4]",
}
ODD = {
    "month": ["Jan", "Dec", "Foo", "oct", "Oc", "Octo"],
    "gap1": ["  ", "\t", "", "\u00a0"],
    "day": ["01", "11", "31", "32", "0", "1", " x", "1 ", "\u0663\u0663", "+1"],
    "gap2": ["  ", "\t", ""],
    "clock": ["23:59:59", "1:00:00", "12:00:00.5", "12:60:00", "12-00-00", "\u0661\u0662:00:00", "+1:00:00"],
    "gap3": ["  ", "\t", "", "\u00a0"],
    "host": ["mail.example.org", "h[1]:x", "h:1", "é", "", "a\tb", "a\u2003b"],
    "gap4": ["  ", "\t", "", "\u00a0"],
    "program": ["exim", "postfix/submission/smtpd", "a:b", "p[q", "", "é", "p\u2003q", "p\x0bq"],
    "pid": ["", "[]", "[x1]", "[\u0661]", "[1]x", "[1", "[1]]", "[-1]"],
    "colon": [":", ":\t", ":\u00a0", "", " :", "::", ":  "],
    "message": ["", " leading", "a: b", "x" * 300],
}
LINES = ["".join(PLAIN.values())] + [
    "".join({**PLAIN, part: value}.values()) for part, values in ODD.items() for value in values
]


@pytest.mark.parametrize("line", LINES)
def test_plain_and_odd_headers_read_as_the_patterns_read_them(line: str) -> None:
    now = datetime(2026, 11, 27, tzinfo=UTC)
    assert parse_line(line, YearGuess(2026, now)) == _parse_with_patterns(line, YearGuess(2026, now))


def test_plain_lines_take_the_fast_path() -> None:
    taken = [line for line in LINES if _PLAIN_BSD.match(line) is not None]
    assert len(taken) > 20  # the fast split is really used, not only the patterns
    line = parse_line("Nov 20 10:00:09 mx postfix/smtp[99]: ABC: to=<a@b>", YearGuess(2026, datetime.now(UTC)))
    assert (line.host, line.program, line.pid, line.message) == ("mx", "postfix/smtp", "99", "ABC: to=<a@b>")
    assert line.time == datetime(2026, 11, 20, 10, 0, 9, tzinfo=UTC)
