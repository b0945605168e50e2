"""A report window: whole UTC hours, `from` inclusive and `to` exclusive, at most 90 days, in a time zone. A
domain type: the database layer reads rollups for it; services make and check it (`make_window`), refusing
a wrong bound or zone as a BadArgument naming it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from core.errors import BadArgument

DEFAULT_DAYS = 7
MAX_DAYS = 90
# `both` is mail flow: client submissions (a user's mail client handing mail over) are apart
DIRECTIONS = {
    "inbound": ("inbound",),
    "outbound": ("outbound",),
    "both": ("inbound", "outbound"),
    "submission": ("submission",),
}

# zones whose days are UTC days
UTC_ZONES = frozenset(
    {"UTC", "Etc/UTC", "UCT", "Etc/UCT", "GMT", "Etc/GMT", "GMT0", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Zulu",
     "Etc/Zulu", "Universal", "Etc/Universal", "Greenwich", "Etc/Greenwich"}
)  # fmt: skip


# The moments an argument or a record may name: a day inside Python's years 1 to 9999 on either side, so
# that no time zone offset (under a day) or window arithmetic takes a moment out of them.
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, tzinfo=UTC)
OUT_OF_RANGE = f"is outside {EARLIEST.date()} to {LATEST.date()} (UTC)"
# The zones a window may be in: the IANA names of the tz database (the OpenAPI document lists them). Not
# "localtime", which names this machine's zone (and PostgreSQL's may be another), nor "posixrules".
TIME_ZONES = frozenset(available_timezones() - {"localtime"})


@dataclass(frozen=True)
class Window:
    start: datetime  # inclusive, a whole UTC hour
    end: datetime  # exclusive, a whole UTC hour
    time_zone: str = "UTC"

    def utc_days(self) -> tuple[datetime, datetime]:
        """The whole UTC days inside the window, [first midnight, last midnight): what the daily rollups
        can answer; the hours before and after come from the hourly rollups. Empty (at `end`) when the
        window holds no whole UTC day."""
        midnight = self.start.astimezone(UTC).replace(hour=0)
        first = midnight if midnight == self.start else midnight + timedelta(days=1)
        last = self.end.astimezone(UTC).replace(hour=0)
        return (first, last) if first < last else (self.end, self.end)

    def zone_days(self) -> tuple[datetime, datetime]:
        """Like `utc_days`, for the connector report (grouped by day in the window's time zone): whole
        UTC days only when the zone's days are UTC days, else none. (The breakdown takes `utc_days` in
        any zone and moves the hours that fall on other zone days; see zone_day_moves in the migrations.)"""
        return self.utc_days() if self.time_zone in UTC_ZONES else (self.end, self.end)

    def noon_days(self, now: datetime | None = None) -> tuple[date, date]:
        """The UTC days whose noon falls in the window, [first, last): what a rollup kept per UTC day counts
        for it (a day in a time zone within 12 hours of UTC is so the UTC day of the same date). A window that
        reaches past `now` counts the current UTC day too: it holds no mail after now, and its mail so far is
        the freshest there is (the default window, ending with the current hour, would else leave it out
        until noon)."""

        def first_noon_from(moment: datetime) -> date:
            day = (moment - timedelta(hours=12)).astimezone(UTC)
            return day.date() if day.time() == time() else day.date() + timedelta(days=1)

        first, last = first_noon_from(self.start), first_noon_from(self.end)
        if now is not None and self.start <= now < self.end:
            last = max(last, now.astimezone(UTC).date() + timedelta(days=1))
        return first, max(first, last)


def representable(moment: datetime) -> bool:
    """Whether `moment` (with an offset) lies from EARLIEST to LATEST."""
    try:
        return EARLIEST <= moment.astimezone(UTC) <= LATEST
    except OverflowError:  # its offset takes it past year 1 or 9999
        return False


def checked(moment: datetime, argument: str) -> datetime:
    if not representable(moment):
        raise BadArgument(argument, f"{moment.isoformat()} {OUT_OF_RANGE}")
    return moment


@cache
def zone(name: str) -> ZoneInfo:
    try:
        if name not in TIME_ZONES:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise BadArgument("time_zone", f"{name!r} is not an IANA time zone name (e.g. Europe/Berlin)") from None


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def parse_moment(text: str, argument: str, tz: ZoneInfo) -> datetime:
    """An RFC 3339 time; a date or a time without an offset is taken in the window's time zone."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tz)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadArgument(argument, f"{text!r} is not an RFC 3339 time or a YYYY-MM-DD date") from None
    return checked(moment if moment.tzinfo else moment.replace(tzinfo=tz), argument)


def current_time() -> datetime:
    """Now (tests move it forward)."""
    return datetime.now(UTC)


def last_days(days: int = DEFAULT_DAYS, now: datetime | None = None) -> Window:
    """The snapshot window: the last `days` days ending now (through the end of the current hour)."""
    end = _hour(now or current_time()) + timedelta(hours=1)
    return Window(end - timedelta(days=days), end)


def make_window(
    start: datetime | None, end: datetime | None, time_zone: str | None = None, now: datetime | None = None
) -> Window:
    tz_name = "UTC" if time_zone is None else time_zone
    tz = zone(tz_name)
    if start is not None:
        start = checked(start if start.tzinfo else start.replace(tzinfo=tz), "from")
    if end is not None:
        end = checked(end if end.tzinfo else end.replace(tzinfo=tz), "to")
    default = last_days(now=now)
    end_hour = _hour(end) if end is not None else default.end
    if start is not None:
        start_hour = _hour(start)
    elif end_hour - EARLIEST >= timedelta(days=DEFAULT_DAYS):
        start_hour = end_hour - timedelta(days=DEFAULT_DAYS)
    else:
        raise BadArgument("to", f"without `from`, must be {DEFAULT_DAYS} days or more after {EARLIEST.date()}")
    if start_hour >= end_hour:
        raise BadArgument("from", "must be before `to` (bounds are whole hours, rounded down)")
    if end_hour - start_hour > timedelta(days=MAX_DAYS):
        raise BadArgument("to", f"the window is longer than {MAX_DAYS} days")
    return Window(start_hour, end_hour, tz_name)


def directions(value: str | None) -> tuple[str, ...]:
    found = DIRECTIONS.get(("both" if value is None else value).lower())
    if found is None:
        raise BadArgument("direction", f"{value!r} is not inbound, outbound, both or submission")
    return found
