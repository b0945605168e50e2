"""Where an ingest's time goes: each stage of the record path timed alone, in microseconds per record.

    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres python -m bench.ingest_stages [--messages N] [--rounds N]

The same generated NDJSON batches as bench/ingest.py (10,000 records each), in this process: gzip decompression,
the JSON decode, attribution (with one rule per connector, as an organization with connectors has), validation,
then the database's stages (db/messages.py): the COPY into the staging table, the plain insert into messages,
the rollups, and the insight evaluation after them; and the same new records stored the exact way (the way of
a retry, into another organization), and a retry of them. Each stage runs over every batch per round; the table
gives the median of the rounds. The Python stages are timed in this process's CPU time (steady on a loaded
machine); the database's stages in wall time, this process's CPU time and the PostgreSQL backend's.
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
from bench.common import drop_database, machine, process_cpu, scratch_database, server_url, table
from bench.ingest import BATCH, generate
from db import sql
from db.messages import stage
from db.organizations import ensure_organization
from db.pool import TenantPool, open_database

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


# the database's stages, each timed three ways: wall, this process's CPU (encoding), the backend's CPU
STORE = ("COPY into the staging table", "plain insert (the cheap way)", "rollups", "insight evaluation")
EXACT = ("exact way: COPY", "exact way: insert (keep_new_staged_messages)", "exact way: rollups",
         "a retry (all stored): COPY and keep_new_staged_messages")  # fmt: skip


class Timed:
    """Adds wall seconds, this process's CPU seconds and a backend's CPU seconds to a stage's totals."""

    def __init__(self, totals: dict[str, list[float]], backend: int) -> None:
        self.totals, self.backend = totals, backend

    def __call__(self, stage: str) -> Timed:
        self.stage = stage
        return self

    def __enter__(self) -> None:
        self.started = (time.perf_counter(), time.process_time(), process_cpu(self.backend))

    def __exit__(self, *exc: object) -> None:
        ended = (time.perf_counter(), time.process_time(), process_cpu(self.backend))
        totals = self.totals.setdefault(self.stage, [0.0, 0.0, 0.0])
        for i in range(3):
            totals[i] += ended[i] - self.started[i]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = server_url()
    dsn = await scratch_database(url, "mailflow_bench_stages")
    db = await open_database(dsn, 2)
    seconds: dict[str, list[float]] = {}
    database: dict[str, list[list[float]]] = {}
    plain = msgspec.json.Decoder()
    attribute = Attributor([("inbound", "partner", [{"kind": "hostname", "value": "partner.example"}])])

    def note(stage: str, elapsed: float) -> None:
        seconds.setdefault(stage, []).append(elapsed)

    try:
        for round_ in range(args.rounds):
            org_id = await ensure_organization(db.system, f"stages-{round_}")
            pool = TenantPool(db.tenant, org_id)
            other = await ensure_organization(db.system, f"stages-exact-{round_}")
            exact = TenantPool(db.tenant, other)
            store_totals: dict[str, list[float]] = {}
            records = generate(args.messages, 100 + round_)
            bodies = [
                b"\n".join(orjson.dumps(r) for r in records[i : i + BATCH]) for i in range(0, len(records), BATCH)
            ]
            zipped = [gzip.compress(body, 6) for body in bodies]
            stages: tuple[str, ...] = ("gzip", "decode", "attribute", "validate")
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
                    timed = Timed(store_totals, conn.get_server_pid())
                    await sql.fetchval(conn, "messages/ensure_message_partitions", batch.utc_days())
                    async with conn.transaction():
                        with timed(STORE[0]):
                            await stage(conn, batch, 0)
                        with timed(STORE[1]):
                            await sql.execute(conn, "messages/insert_staged_messages", org_id, 0)
                        with timed(STORE[2]):
                            await sql.fetchval(conn, "messages/add_staged_to_rollups", org_id)
                with timed(STORE[3]):  # its statements run on connections of their own: their backends not counted
                    await evaluate(pool, org_id, batch.touched(), families=("connector",))
                async with exact.acquire() as conn:
                    timed = Timed(store_totals, conn.get_server_pid())
                    for retry in (False, True):
                        async with conn.transaction():
                            with timed(EXACT[3] if retry else EXACT[0]):
                                await stage(conn, batch, 0)
                            with timed(EXACT[3] if retry else EXACT[1]):
                                await sql.execute(conn, "messages/delete_repeated_staged_messages")
                                await sql.execute(conn, "messages/keep_new_staged_messages", other)
                            if not retry:
                                with timed(EXACT[2]):
                                    await sql.fetchval(conn, "messages/add_staged_to_rollups", other)
            for stage_name, total in totals.items():
                note(stage_name, total / len(records) * 1e6)
            for stage_name, three in store_totals.items():
                database.setdefault(stage_name, []).append([value / len(records) * 1e6 for value in three])
    finally:
        await db.close()
        await drop_database(url, dsn)
    median = {name: statistics.median(values) for name, values in seconds.items()}
    rows = [[name, "", f"{value:.2f}", ""] for name, value in median.items()]
    detailed = sum(median[s] for s in ("decode", "attribute", "validate"))
    fast = sum(median[s] for s in ("typed decode (msgspec Structs)", "typed check, attribution and columns"))
    rows.append(["Python before the COPY: detailed path (decode, attribute, validate)", "", f"{detailed:.2f}", ""])
    rows.append(["Python before the COPY: typed path", "", f"{fast:.2f}", ""])
    for name in (*STORE, *EXACT):
        rows.append([name, *(f"{statistics.median(r[i] for r in database[name]):.2f}" for i in range(3))])
    print(f"ingest stages, {args.messages:,} messages in batches of {BATCH:,}, median of {args.rounds}; {machine()}")
    print(table(["stage", "µs per record: wall", "this process's CPU", "PostgreSQL backend's CPU"], rows))


if __name__ == "__main__":
    asyncio.run(main())
