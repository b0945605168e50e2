"""The reports read whole UTC days from the daily rollups and the hours around them from the hourly
rollups; whatever the window, they must count exactly what the messages table holds."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from api.context import AppState
from api.ingest import validate
from core.window import Window
from db.connectors import create_connector
from db.messages import prune, store_messages
from db.traffic_counts import (
    COLUMNS,
    connector_report,
    count_messages_by_day,
    count_messages_by_direction,
    traffic_by_connector,
)
from tests.factories import LATER, message

START = datetime(2030, 3, 10, tzinfo=UTC)  # days no other test writes to
VERSIONS = ["TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1", "none", "unknown"]

WINDOWS = [
    (START, START + timedelta(days=5)),  # whole days only
    (START + timedelta(hours=7), START + timedelta(days=4, hours=19)),  # partial days at both ends
    (START + timedelta(hours=3), START + timedelta(hours=20)),  # inside one day
    (START + timedelta(hours=13), START + timedelta(days=1, hours=2)),  # across one midnight, no whole day
    (START - timedelta(days=2), START + timedelta(days=1)),  # starts before any traffic
]


async def _traffic(state: AppState) -> dict[tuple[str, str], int]:
    partner = await create_connector(state.pool, state.org_id, "Partner", "inbound", "partner", False)
    relay = await create_connector(state.pool, state.org_id, "Relay", "outbound", "on_premises", True)
    assert partner
    assert relay
    names = {("inbound", "Partner"): partner.id, ("outbound", "Relay"): relay.id}
    rng = random.Random(7)
    records = []
    for n in range(3000):
        direction = rng.choice(["inbound", "outbound"])
        connector = rng.choice([None, "Partner" if direction == "inbound" else "Relay"])
        at = START + timedelta(minutes=rng.randrange(5 * 24 * 60))
        records.append(
            message(n, received_at=at.isoformat(), direction=direction, tls_version=rng.choice(VERSIONS))
            | ({"connector": connector} if connector else {})
        )
    batch, problems = validate(records, names, now=LATER)
    assert not problems
    assert (await store_messages(state.pool, state.org_id, batch)).accepted == 3000
    again, _ = validate(records[:500], names, now=LATER)  # a retry adds nothing to either rollup
    assert (await store_messages(state.pool, state.org_id, again)).accepted == 0
    return {(d, n): i for (d, n), i in names.items()}


async def _truth(pool: asyncpg.Pool, org_id: int, window: Window, zone: str) -> list[asyncpg.Record]:
    return await pool.fetch(
        """
        -- the rollups are hourly: an hour counts on the day (in the zone) that its start falls on
        select (date_trunc('hour', received_at, 'UTC') at time zone $4)::date as day, direction,
               coalesce(connector_id, 0) as connector_id, tls_bucket, count(*) as messages
        from messages
        where org_id = $1 and received_at >= $2 and received_at < $3
        group by 1, 2, 3, 4
        """,
        org_id,
        window.start,
        window.end,
        zone,
    )


ZONES = [
    "UTC",
    "Etc/UTC",
    "America/New_York",  # UTC-5, then -4 from 2030-03-10 07:00 UTC: a 23-hour day in the data
    "America/Havana",  # its clocks skip midnight on 2030-03-10: that day starts at 01:00
    "Asia/Kolkata",  # UTC+5:30: days start inside a UTC hour
    "Asia/Tokyo",  # UTC+9
    "Pacific/Kiritimati",  # UTC+14: most of a UTC day falls on the next zone day
    "Pacific/Pago_Pago",  # UTC-11
    "Australia/Lord_Howe",  # UTC+11 in March, with half-hour daylight saving time
]


@pytest.mark.parametrize("zone", ZONES)
async def test_every_window_counts_what_the_messages_table_holds(
    state: AppState, pool: asyncpg.Pool, zone: str
) -> None:
    await _traffic(state)
    for start, end in WINDOWS:
        window = Window(start, end, zone)
        truth = await _truth(pool, state.org_id, window, zone)

        summary = await count_messages_by_direction(state.pool, state.org_id, window)
        for direction in ("inbound", "outbound"):
            expected = {b: 0 for b in COLUMNS}
            for r in truth:
                if r["direction"] == direction:
                    expected[r["tls_bucket"]] += r["messages"]
            assert summary[direction].by_bucket == expected, (window, direction)
            assert summary[direction].total == sum(expected.values())

        breakdown = await count_messages_by_day(state.pool, state.org_id, window, ("inbound", "outbound"), None)
        days: dict[object, dict[str, int]] = {}
        for r in truth:
            days.setdefault(r["day"], {b: 0 for b in COLUMNS})[r["tls_bucket"]] += r["messages"]
        assert {d: c.by_bucket for d, c in breakdown.daily.items() if c.total} == days, (window, zone)
        assert breakdown.total.total == sum(r["messages"] for r in truth)

        report = await connector_report(state.pool, state.org_id, window, ("inbound", "outbound"), None, None)
        cells: dict[tuple[object, str, int], int] = {}
        for r in truth:
            key = (r["day"], r["direction"], r["connector_id"])
            cells[key] = cells.get(key, 0) + r["messages"]
        got = {(r.day, r.connector.direction, r.connector.id): r.counts.total for r in report.rows}
        assert got == cells, (window, zone)

        keys = [(0, "inbound"), (0, "outbound")] + [(c.connector.id, c.connector.direction)
                                                      for c in report.totals if c.connector.id]  # fmt: skip
        counts = await traffic_by_connector(state.pool, state.org_id, window, keys)
        for (connector_id, direction), c in zip(keys, counts, strict=True):
            assert c.total == sum(v for (_, d, i), v in cells.items() if d == direction and i == connector_id)


def test_whole_utc_days_of_a_window() -> None:
    window = Window(START + timedelta(hours=7), START + timedelta(days=4, hours=19))
    assert window.utc_days() == (START + timedelta(days=1), START + timedelta(days=4))
    assert Window(START, START + timedelta(days=2)).utc_days() == (START, START + timedelta(days=2))
    short = Window(START + timedelta(hours=13), START + timedelta(days=1, hours=2))
    assert short.utc_days() == (short.end, short.end)  # no whole day: every hour from the hourly rollups
    berlin = Window(START, START + timedelta(days=2), "Europe/Berlin")
    assert berlin.utc_days() == (START, START + timedelta(days=2))  # the breakdown moves hours to zone days
    assert berlin.zone_days() == (berlin.end, berlin.end)  # the connector report reads hours only


async def test_prune_keeps_both_rollups_for_the_same_whole_days(state: AppState, pool: asyncpg.Pool) -> None:
    await _traffic(state)
    cutoff = START + timedelta(days=2, hours=5)  # inside a day: that whole day stays in both
    await prune(pool, 0, now=cutoff)
    hourly = await pool.fetchval("select sum(messages) from hourly_rollups where org_id = $1", state.org_id)
    daily = await pool.fetchval("select sum(messages) from daily_rollups where org_id = $1", state.org_id)
    first = await pool.fetchval("select min(day) from daily_rollups where org_id = $1", state.org_id)
    assert hourly == daily
    assert first == (START + timedelta(days=2)).date()


async def test_zone_day_moves_names_the_hours_counted_on_another_zone_day(pool: asyncpg.Pool) -> None:
    async def moves(first: datetime, days: int, zone: str) -> list[tuple[datetime, object, object]]:
        rows = await pool.fetch("select * from zone_day_moves($1, $2, $3)", first, first + timedelta(days=days), zone)
        return [(r["hour"], r["day"], r["counted"]) for r in rows]

    winter = datetime(2030, 1, 7, tzinfo=UTC)
    assert await moves(winter, 3, "UTC") == []
    assert await moves(winter, 3, "Europe/London") == []  # UTC+0 in winter
    new_york = await moves(winter, 1, "America/New_York")  # UTC-5: 00:00-04:00 UTC are the evening before
    day = winter.date()
    assert new_york == [(winter + timedelta(hours=h), day - timedelta(days=1), day) for h in range(5)]
    kolkata = await moves(winter, 1, "Asia/Kolkata")  # UTC+5:30: an hour counts on the day its start is on
    assert kolkata == [(winter + timedelta(hours=h), day + timedelta(days=1), day) for h in range(19, 24)]
    assert await moves(winter, 0, "America/New_York") == []  # no whole day
    # the day New York's clocks go forward (07:00 UTC): still the same five hours; the next day has four
    dst = await moves(START, 2, "America/New_York")
    assert [h.hour for h, _, _ in dst] == [0, 1, 2, 3, 4, 0, 1, 2, 3]
