"""Where an ingest's time goes: each stage of the record path timed alone, in microseconds per record.

    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres python -m bench.ingest_stages [--messages N] [--rounds N]

The same generated NDJSON batches as bench/ingest.py (10,000 records each), in this process: gzip decompression,
the JSON decode, attribution (with one rule per connector, as an organization with connectors has), validation,
the COPY into the staging table, the INSERT ... SELECT with the rollups, and the insight evaluation after it.
Each stage runs over every batch per round; the table gives the median of the rounds. The Python stages are
timed in this process's CPU time (steady on a loaded machine); the COPY, the INSERT and the insight evaluation
in wall time, since PostgreSQL does most of their work.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import statistics
import time

import msgspec
import orjson

from api.attribution import Attributor
from api.ingest import validate
from api.insights.evaluate import evaluate
from api.records import parse_ndjson
from api.typed_records import columns, decode
from bench.common import drop_database, machine, scratch_database, server_url, table
from bench.ingest import BATCH, generate
from db import sql
from db.organizations import ensure_organization
from db.pool import STAGING_COLUMNS, TenantPool, open_database

NDJSON = "application/x-ndjson"


class Clock:
    """Adds the CPU time of this process since the last lap to a stage's total: on a shared machine, what
    the stage costs, not how long it waited for a core."""

    def __init__(self, totals: dict[str, float]) -> None:
        self.totals = totals
        self.last = time.process_time()

    def lap(self, stage: str) -> None:
        now = time.process_time()
        self.totals[stage] += now - self.last
        self.last = now


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = server_url()
    dsn = await scratch_database(url, "mailflow_bench_stages")
    db = await open_database(dsn, 2)
    seconds: dict[str, list[float]] = {}
    plain = msgspec.json.Decoder()
    attribute = Attributor([("inbound", "partner", [{"kind": "hostname", "value": "partner.example"}])])

    def note(stage: str, elapsed: float) -> None:
        seconds.setdefault(stage, []).append(elapsed)

    try:
        for round_ in range(args.rounds):
            org_id = await ensure_organization(db.system, f"stages-{round_}")
            pool = TenantPool(db.tenant, org_id)
            records = generate(args.messages, 100 + round_)
            bodies = [
                b"\n".join(orjson.dumps(r) for r in records[i : i + BATCH]) for i in range(0, len(records), BATCH)
            ]
            zipped = [gzip.compress(body, 6) for body in bodies]
            stages: tuple[str, ...] = ("gzip", "decode", "attribute", "validate", "copy", "insert", "insights")
            stages += (
                "typed decode (msgspec Structs)",
                "typed check, attribution and columns",
                "msgspec into dicts (alternative)",
            )
            totals = dict.fromkeys(stages, 0.0)
            for body, packed in zip(bodies, zipped, strict=True):
                clock = Clock(totals)
                gzip.decompress(packed)
                clock.lap("gzip")
                batch_records, _ = parse_ndjson(body)
                clock.lap("decode")
                attribute.apply(batch_records)
                clock.lap("attribute")
                batch, _ = validate(batch_records, {})
                clock.lap("validate")
                typed = decode(body, NDJSON)
                clock.lap("typed decode (msgspec Structs)")
                assert typed is not None
                columns(typed, {}, attribute)
                clock.lap("typed check, attribution and columns")
                [plain.decode(line) for line in body.split(b"\n")]
                clock.lap("msgspec into dicts (alternative)")
                async with pool.acquire() as conn:
                    await sql.fetchval(conn, "messages/ensure_message_partitions", batch.utc_days())
                    async with conn.transaction():
                        started = time.perf_counter()
                        await conn.copy_records_to_table(
                            "message_staging", records=zip(*batch.columns(), strict=True), columns=STAGING_COLUMNS
                        )
                        totals["copy"] += time.perf_counter() - started
                        started = time.perf_counter()
                        await sql.fetchval(conn, "messages/insert_staged_messages", org_id)
                        totals["insert"] += time.perf_counter() - started
                started = time.perf_counter()
                await evaluate(pool, org_id, batch.touched(), families=("connector",))
                totals["insights"] += time.perf_counter() - started
            for stage, total in totals.items():
                note(stage, total / len(records) * 1e6)
    finally:
        await db.close()
        await drop_database(url, dsn)
    median = {stage: statistics.median(values) for stage, values in seconds.items()}
    rows = [[stage, f"{value:.2f}"] for stage, value in median.items()]
    detailed = sum(median[s] for s in ("decode", "attribute", "validate"))
    fast = sum(median[s] for s in ("typed decode (msgspec Structs)", "typed check, attribution and columns"))
    rows.append(["Python before the COPY: detailed path (decode, attribute, validate)", f"{detailed:.2f}"])
    rows.append(["Python before the COPY: typed path", f"{fast:.2f}"])
    print(f"ingest stages, {args.messages:,} messages in batches of {BATCH:,}, median of {args.rounds}; {machine()}")
    print(table(["stage", "µs per record"], rows))


if __name__ == "__main__":
    asyncio.run(main())
