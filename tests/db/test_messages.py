from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import orjson

from api.context import AppState
from api.importers.tlsrpt import decode
from api.ingest import validate
from core.batch import Batch
from db.messages import count_messages_by_tls_bucket, prune, store_messages, store_parts
from db.tls_reports import store_report
from tests.factories import LATER, message


async def test_prune_drops_old_day_partitions_and_rollups(state: AppState, pool: asyncpg.Pool) -> None:
    now = datetime(2031, 6, 30, 12, tzinfo=UTC)  # far from other tests' days
    old = now - timedelta(days=100)
    records = [
        message(1, received_at=old.isoformat()),
        message(2, received_at=(now - timedelta(days=1)).isoformat()),
    ]
    batch, problems = validate(records, {}, now=LATER)
    assert not problems
    assert (await store_messages(state.pool, state.org_id, batch)).accepted == 2
    old_partition = f"messages_{old:%Y%m%d}"
    assert await pool.fetchval("select to_regclass($1) is not null", old_partition)
    old_report = {
        "organization-name": "Example Sender",
        "report-id": f"prune-{state.org_id}",
        "date-range": {"start-datetime": old.isoformat(), "end-datetime": (old + timedelta(days=1)).isoformat()},
        "policies": [
            {"policy": {"policy-type": "sts", "policy-domain": "contoso.com"},
             "summary": {"total-successful-session-count": 5, "total-failure-session-count": 0}}
        ],
    }  # fmt: skip
    (report,) = decode(orjson.dumps(old_report))
    assert await store_report(state.pool, state.org_id, report)
    pruned = await prune(pool, 90, now=now)
    assert pruned.tls_reports_deleted >= 1  # TLS reports follow the same retention as messages
    assert not await pool.fetchval("select count(*) from tls_reports where org_id = $1", state.org_id)
    assert pruned.partitions_dropped >= 1
    assert pruned.rollups_deleted >= 1
    assert not await pool.fetchval("select to_regclass($1) is not null", old_partition)
    assert await count_messages_by_tls_bucket(pool, state.org_id) == {("inbound", "TLS1.2"): 1}
    assert await pool.fetchval("select sum(messages) from hourly_rollups where org_id = $1", state.org_id) == 1


async def test_concurrent_batches_with_the_same_messages_store_them_once(state: AppState, pool: asyncpg.Pool) -> None:
    import asyncio

    records = [message(n) for n in range(2000)]
    batch, _ = validate(records, {}, now=LATER)
    reversed_batch, _ = validate(list(reversed(records)), {})
    results = await asyncio.gather(
        *(store_messages(state.pool, state.org_id, b) for b in (batch, reversed_batch, batch, reversed_batch))
    )
    assert sum(r.accepted for r in results) == 2000
    assert sum(r.duplicates for r in results) == 6000
    assert await pool.fetchval("select sum(messages) from hourly_rollups where org_id = $1", state.org_id) == 2000


def test_share_rounds_half_up_to_one_decimal() -> None:
    from db.traffic_counts import share

    assert share(0, 0) == 0.0
    assert share(1, 3) == 33.3
    assert share(2, 3) == 66.7
    assert share(1, 8) == 12.5
    assert share(1, 16) == 6.3  # 6.25 rounds up
    assert share(1, 2000) == 0.1  # 0.05 rounds up
    assert share(1, 2001) == 0.0
    assert share(5, 5) == 100.0


def _parts(records: list[dict[str, object]], size: int) -> list[Batch | None]:
    parts: list[Batch | None] = []
    for i in range(0, len(records), size):
        batch, problems = validate(records[i : i + size], {}, now=LATER)
        parts.append(None if problems else batch)
    return parts


async def test_parts_are_stored_in_one_transaction_and_counted(state: AppState, pool: asyncpg.Pool) -> None:
    day = datetime(2031, 3, 1, tzinfo=UTC)
    records = [message(n, received_at=(day + timedelta(minutes=n)).isoformat()) for n in range(10)]
    done = await store_parts(state.pool, state.org_id, iter(_parts(records + records[:3], 4)))
    assert done is not None
    whole, stored = done
    assert (len(whole), stored.accepted, stored.duplicates) == (13, 10, 3)
    assert await pool.fetchval("select sum(messages) from hourly_rollups where org_id = $1", state.org_id) == 10


async def test_a_refused_part_rolls_back_the_parts_before_it(state: AppState, pool: asyncpg.Pool) -> None:
    day = datetime(2031, 3, 2, tzinfo=UTC)
    records = [message(n, received_at=(day + timedelta(minutes=n)).isoformat()) for n in range(8)]
    assert await store_parts(state.pool, state.org_id, iter([*_parts(records, 3), None])) is None
    assert not await pool.fetchval("select count(*) from messages where org_id = $1", state.org_id)
    assert not await pool.fetchval("select count(*) from hourly_rollups where org_id = $1", state.org_id)


async def test_a_later_part_on_a_new_day_gets_its_partition(state: AppState, pool: asyncpg.Pool) -> None:
    # days no other test stores: the later part's partition does not exist before this request
    first = datetime(2031, 7, 11, tzinfo=UTC)
    records = [message(n, received_at=(first + timedelta(days=n // 3)).isoformat()) for n in range(9)]
    done = await store_parts(
        state.pool, state.org_id, iter(_parts(records, 3)), keep_from=datetime(2031, 7, 12, tzinfo=UTC)
    )
    assert done is not None
    whole, stored = done
    assert (len(whole), stored.accepted, stored.duplicates, stored.expired) == (6, 6, 0, 3)
    assert await pool.fetchval("select count(*) from messages where org_id = $1", state.org_id) == 6
