"""A report window: whole UTC hours, `from` inclusive and `to` exclusive, in a time zone. A domain type:
the database layer reads rollups for it, the API makes and checks it (api/window.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

# zones whose days are UTC days
UTC_ZONES = frozenset(
    {"UTC", "Etc/UTC", "UCT", "Etc/UCT", "GMT", "Etc/GMT", "GMT0", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Zulu",
     "Etc/Zulu", "Universal", "Etc/Universal", "Greenwich", "Etc/Greenwich"}
)  # fmt: skip


# The moments an argument or a record may name: a day inside Python's years 1 to 9999 on either side, so
# that no time zone offset (under a day) or window arithmetic takes a moment out of them.


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
