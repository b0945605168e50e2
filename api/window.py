"""Report windows: whole hours, `from` inclusive and `to` exclusive, at most 90 days, in a time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from api.errors import bad_argument
from core.window import Window

DEFAULT_DAYS = 7
MAX_DAYS = 90
# `both` is mail flow: client submissions (a user's mail client handing mail over) are apart
DIRECTIONS = {
    "inbound": ("inbound",),
    "outbound": ("outbound",),
    "both": ("inbound", "outbound"),
    "submission": ("submission",),
}


EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, tzinfo=UTC)
OUT_OF_RANGE = f"is outside {EARLIEST.date()} to {LATEST.date()} (UTC)"
# The zones a window may be in: the IANA names of the tz database (the OpenAPI document lists them). Not
# "localtime", which names this machine's zone (and PostgreSQL's may be another), nor "posixrules".
TIME_ZONES = frozenset(available_timezones() - {"localtime"})


def representable(moment: datetime) -> bool:
    """Whether `moment` (with an offset) lies from EARLIEST to LATEST."""
    try:
        return EARLIEST <= moment.astimezone(UTC) <= LATEST
    except OverflowError:  # its offset takes it past year 1 or 9999
        return False


def checked(moment: datetime, argument: str) -> datetime:
    if not representable(moment):
        raise bad_argument(argument, f"{moment.isoformat()} {OUT_OF_RANGE}")
    return moment


@cache
def zone(name: str) -> ZoneInfo:
    try:
        if name not in TIME_ZONES:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise bad_argument("time_zone", f"{name!r} is not an IANA time zone name (e.g. Europe/Berlin)") from None


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def parse_moment(text: str, argument: str, tz: ZoneInfo) -> datetime:
    """An RFC 3339 time; a date or a time without an offset is taken in the window's time zone."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tz)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise bad_argument(argument, f"{text!r} is not an RFC 3339 time or a YYYY-MM-DD date") from None
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
        raise bad_argument("to", f"without `from`, must be {DEFAULT_DAYS} days or more after {EARLIEST.date()}")
    if start_hour >= end_hour:
        raise bad_argument("from", "must be before `to` (bounds are whole hours, rounded down)")
    if end_hour - start_hour > timedelta(days=MAX_DAYS):
        raise bad_argument("to", f"the window is longer than {MAX_DAYS} days")
    return Window(start_hour, end_hour, tz_name)


def directions(value: str | None) -> tuple[str, ...]:
    found = DIRECTIONS.get(("both" if value is None else value).lower())
    if found is None:
        raise bad_argument("direction", f"{value!r} is not inbound, outbound, both or submission")
    return found
