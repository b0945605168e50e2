"""Postfix import benchmark: a generated log of N lines parsed, then parsed and stored, in lines/s, with
the peak memory of the process and of its parsing worker, against the same records' raw COPY (the
floor) measured in the same run; and the CPU time per line of the storing process and of the worker during
parse+store (which side an import waits for, and steadier than seconds on a loaded machine).

    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres python -m bench.postfix [--lines 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from api.context import AppState
from api.feed import feed_log
from api.importers.run import Tally, log_records
from api.ingest import validate
from api.settings import Settings
from bench.common import drop_database, machine, scratch_database, server_url, table
from db.organizations import ensure_organization
from db.pool import STAGING_COLUMNS, open_database

VERSIONS = ["TLSv1.3", "TLSv1.3", "TLSv1.2", "TLSv1.2", "TLSv1", None]


def log_lines(total: int, seed: int = 1) -> Iterator[str]:
    """About nine lines per message: inbound over smtpd, then delivered out over smtp."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 20, tzinfo=UTC)
    n = 0
    written = 0
    while written < total:
        n += 1
        at = (start + timedelta(seconds=n * 0.5)).strftime("%b %d %H:%M:%S")
        pid, spid = 1000 + n % 50, 5000 + n % 50
        qid = f"{n:010X}"
        ip = f"198.51.{n % 200}.{n % 250 + 1}"
        version = rng.choice(VERSIONS)
        lines = [f"{at} mx postfix/smtpd[{pid}]: connect from peer{n % 300}.example[{ip}]"]
        if version:
            lines.append(
                f"{at} mx postfix/smtpd[{pid}]: Trusted TLS connection established from peer{n % 300}.example[{ip}]: "
                f"{version} with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)"
            )
        peer, relay = f"peer{n % 300}.example[{ip}]", f"mx{n % 40}.dest.example[192.0.2.{n % 40 + 1}]:25"
        lines += [
            f"{at} mx postfix/smtpd[{pid}]: {qid}: client={peer}",
            f"{at} mx postfix/cleanup[77]: {qid}: message-id=<m{n}@peer{n % 300}.example>",
            f"{at} mx postfix/qmgr[78]: {qid}: from=<a{n % 999}@x.example>, size={1000 + n % 9000}, nrcpt=1",
            f"{at} mx postfix/smtpd[{pid}]: disconnect from {peer} ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5",
            f"{at} mx postfix/smtp[{spid}]: Verified TLS connection established to {relay}: "
            "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
            f"{at} mx postfix/smtp[{spid}]: {qid}: to=<b{n}@dest.example>, relay={relay}, "
            "delay=0.5, delays=0.1/0/0.2/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
            f"{at} mx postfix/qmgr[78]: {qid}: removed",
        ]
        for line in lines:
            yield line
            written += 1
            if written >= total:
                return


def peak_mib() -> tuple[float, float]:
    """This process's peak memory, and the largest worker process's (the parser of a large log)."""
    return (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    )


def write_log(lines: int) -> Path:
    path = Path(tempfile.mkdtemp()) / "mail.log"
    with path.open("w") as out:
        for line in log_lines(lines):
            out.write(line + "\n")
    return path


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds (user and system) of this process, and of its finished children (the parsing worker)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


async def stream_and_store(lines: int, dsn: str) -> tuple[int, float, tuple[float, float], tuple[float, float]]:
    """Records stored, lines/s, the peak memory right after (nothing else held yet), and the CPU seconds of
    the storing process and of the worker during the import (on a loaded machine, steadier than seconds)."""
    path = write_log(lines)
    db = await open_database(dsn, 2)
    try:
        org_id = await ensure_organization(db.system, f"bench-{lines}")
        state = AppState(Settings(), db, org_id)
        started, cpu = time.perf_counter(), cpu_seconds()
        options = {"year": 2026, "time_zone": "UTC", "keep_local": False}
        with path.open("rb") as stream:  # as `mailflow ingest` does: a log this large parses in a worker
            summary = await feed_log(state, "postfix", str(path), stream, Tally(), options)
        rate, after = lines / (time.perf_counter() - started), cpu_seconds()
        return summary.accepted, rate, peak_mib(), (after[0] - cpu[0], after[1] - cpu[1])
    finally:
        await db.close()
        path.unlink()


async def parse_and_floor(lines: int, dsn: str) -> tuple[float, float]:
    """Lines/s parsed only, and lines/s for the raw COPY of the same records (the floor)."""
    path = write_log(lines)
    db = await open_database(dsn, 2)
    try:
        started = time.perf_counter()
        with path.open("rb") as stream:
            records = [
                r
                for _, r in log_records(
                    "postfix", stream, str(path), Tally(), year=2026, time_zone="UTC", keep_local=False
                )
            ]
        parse_rate = lines / (time.perf_counter() - started)
        floor_org = await ensure_organization(db.system, f"floor-{lines}")
        started = time.perf_counter()
        for i in range(0, len(records), 10_000):
            batch, _ = validate(records[i : i + 10_000], {})
            async with db.system.acquire() as conn:
                await conn.fetchval("select ensure_message_partitions($1::date[])", batch.utc_days())
                rows = zip([floor_org] * len(batch), *batch.columns(), strict=True)
                await conn.copy_records_to_table("messages", records=rows, columns=["org_id", *STAGING_COLUMNS])
        return parse_rate, lines / (time.perf_counter() - started)
    finally:
        await db.close()
        path.unlink()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, nargs="+", default=[250_000, 1_000_000])
    args = parser.parse_args()
    url = server_url()
    dsn = await scratch_database(url, "mailflow_bench_postfix")
    try:
        # streaming first, smallest first: the peak memory after each is the importer's own
        streamed = [await stream_and_store(n, dsn) for n in sorted(args.lines)]
        rows = []
        for n, (stored, store_rate, peak, cpu) in zip(sorted(args.lines), streamed, strict=True):
            parse_rate, floor_rate = await parse_and_floor(n, dsn)
            rows.append([f"{n:,}", f"{stored:,}", f"{parse_rate:,.0f}", f"{floor_rate:,.0f}", f"{store_rate:,.0f}",
                         f"{store_rate / floor_rate:.2f}x", f"{peak[0]:,.0f}", f"{peak[1]:,.0f}",
                         f"{cpu[0] / n * 1e6:.2f}", f"{cpu[1] / n * 1e6:.2f}"])  # fmt: skip
    finally:
        await drop_database(url, dsn)
    print(f"postfix import; {machine()}")
    headers = ["log lines", "records", "parse lines/s", "raw COPY lines/s (floor)", "parse+store lines/s",
               "ratio", "peak MiB", "worker peak MiB", "storing CPU µs/line", "worker CPU µs/line"]  # fmt: skip
    print(table(headers, rows))


if __name__ == "__main__":
    asyncio.run(main())
