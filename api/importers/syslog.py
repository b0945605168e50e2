"""Syslog line headers as mail servers write them: BSD (`Oct  1 12:00:00 host prog[pid]: msg`, no year),
RFC 3339 (`2023-03-14T06:41:52.559384+01:00 host prog[pid]: msg`), or none at all (the message only)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

_RFC3339 = re.compile(
    r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)"
    r"\s+(\S+)\s+([^\s\[:]+)(?:\[(\d+)\])?:\s?(.*)$"
)
_BSD = re.compile(
    r"^([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\s+(\S+)\s+([^\s\[:]+)(?:\[(\d+)\])?:\s?(.*)$"
)
SLACK = timedelta(days=1)
_MONTHS = {
    m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)
}


@dataclass
class Line:
    time: datetime | None
    host: str | None
    program: str | None  # e.g. postfix/smtpd, postfix/submission/smtpd, exim
    pid: str | None
    message: str


class YearGuess:
    """Years for BSD timestamps, which have none: `--year` when given; else the year that puts the line
    at or before the reference time (the file's modification time, or now for stdin and `--follow`,
    `reference=None`), never in the future. A month that jumps back (December to January) inside the
    input starts the next year. A day of slack allows for a log written in another time zone than the
    one it is read in; a stamp later than that belongs to the previous year."""

    def __init__(self, year: int | None, reference: datetime | None, tz: timezone = UTC) -> None:
        self.given = year
        self.reference = reference
        self.tz = tz
        self.year: int | None = year
        self.last_month: int | None = None
        self.last_stamp = ""
        self.last_time: datetime | None = None
        self.last_moment: datetime | None = None  # the last stamp's moment, in order of the lines

    def latest(self) -> datetime:
        """The latest moment a line can be from."""
        return (self.reference or datetime.now(self.tz)) + SLACK

    def stamp(self, month: int, day: int, hh: int, mm: int, ss: int) -> datetime | None:
        if self.year is None:
            reference = self.reference or datetime.now(self.tz)
            self.year = reference.year - (1 if month > reference.month else 0)
        elif self.last_month is not None and month > self.last_month + 6 and self.last_moment is not None:
            late = self._moment(self.year - 1, month, day, hh, mm, ss)
            if late is not None and self.last_moment - SLACK <= late <= self.last_moment:
                return late  # a line written just before the turn of the year, logged just after it
        if self.last_month is not None and month < self.last_month - 6:
            self.year += 1  # the turn of the year inside the file
        self.last_month = month
        moment = self._moment(self.year, month, day, hh, mm, ss)
        if self.given is None and moment is not None and moment > self.latest():
            self.year -= 1  # a date after the reference is last year's
            moment = self._moment(self.year, month, day, hh, mm, ss)
        self.last_moment = moment
        return moment

    def _moment(self, year: int, month: int, day: int, hh: int, mm: int, ss: int) -> datetime | None:
        """The moment; February 29 takes the latest leap year not after `year` unless the year was given."""
        for candidate in (year,) if self.given is not None else range(year, year - 8, -1):
            try:
                return datetime(candidate, month, day, hh, mm, ss, tzinfo=self.tz)
            except ValueError:
                continue
        return None


def clean(text: str) -> str:
    """A log line as the server wrote it: without its line ending, and without what a spreadsheet adds
    when a log passes through one (trailing commas, the line quoted as one CSV field)."""
    text = text.rstrip("\r\n")
    if text.endswith(","):
        text = text.rstrip(",")
    if text[:1] == '"' and text[-1:] == '"' and len(text) > 1:
        text = text[1:-1].replace('""', '"')
    return text


# A plain BSD line (`Mmm dd hh:mm:ss host prog[pid]: msg`, single spaces, whole seconds): most lines of
# most logs. It is _BSD narrowed, so it reads a line the same as _BSD does, and the stamp's numbers are
# converted only when the stamp changes (consecutive lines share their second). Anything less plain
# goes through the patterns.
_PLAIN_BSD = re.compile(
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ 0-9][0-9]) ([0-9]{2}):([0-9]{2}):([0-9]{2}) "
    r"(\S+) ([^\s\[:]+)(?:\[([0-9]+)\])?:\s?(.*)$"
)


def parse_line(text: str, years: YearGuess) -> Line:
    if text[-1:] in ",\r\n" or text[:1] == '"':  # most lines need no clean-up
        text = clean(text)
    plain = _PLAIN_BSD.match(text)
    if plain is None:
        return _parse_with_patterns(text, years)
    stamp = text[:15]
    if years.last_stamp == stamp:  # consecutive lines share their second
        moment = years.last_time
    else:
        month, day, hh, mm, ss = plain.group(1, 2, 3, 4, 5)
        moment = years.stamp(_MONTHS[month], int(day), int(hh), int(mm), int(ss))
        years.last_stamp, years.last_time = stamp, moment
    host, program, pid, message = plain.group(6, 7, 8, 9)
    return Line(moment, host, program, pid, message)


def _parse_with_patterns(text: str, years: YearGuess) -> Line:
    first = text[:1]
    match = _RFC3339.match(text) if first.isdigit() else None
    if match:
        stamp = match.group(1).replace(" ", "T")
        if re.search(r"[+-]\d{4}$", stamp):
            stamp = stamp[:-2] + ":" + stamp[-2:]
        try:
            moment = datetime.fromisoformat(stamp)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=years.tz)
        return Line(moment, match.group(2), match.group(3), match.group(4), match.group(5))
    match = _BSD.match(text) if first.isupper() else None
    if match and match.group(1) in _MONTHS:
        g = match.groups()
        stamp = text[:15]
        if years.last_stamp == stamp:  # consecutive lines share their second
            moment = years.last_time
        else:
            moment = years.stamp(_MONTHS[g[0]], int(g[1]), int(g[2]), int(g[3]), int(g[4]))
            years.last_stamp, years.last_time = stamp, moment
        return Line(moment, g[5], g[6], g[7], g[8])
    return Line(None, None, None, None, text)


def service(program: str | None) -> str | None:
    """The Postfix service of a program name: postfix/submission/smtpd -> smtpd."""
    if program is None:
        return None
    return program.rsplit("/", 1)[-1]


def shift(moment: datetime, seconds: float) -> datetime:
    return moment + timedelta(seconds=seconds)
