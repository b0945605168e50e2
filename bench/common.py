"""Shared pieces of the benchmarks: a scratch database, a server process, a table printer."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import asyncpg
import httpx

from db.migrate import migrate
from tests.factories import with_database


def server_url() -> str:
    url = os.environ.get("DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not url:
        raise SystemExit("set DATABASE_URL to the PostgreSQL server to benchmark against")
    return url


async def scratch_database(url: str, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(url)
    await admin.execute(f'create database "{name}"')
    await admin.close()
    dsn = with_database(url, name)
    conn = await asyncpg.connect(dsn)
    await migrate(conn)
    await conn.close()
    return dsn


async def drop_database(url: str, dsn: str) -> None:
    name = dsn.rsplit("/", 1)[1].split("?", 1)[0]
    admin = await asyncpg.connect(url)
    await admin.execute(f'drop database if exists "{name}" with (force)')
    await admin.close()


@contextmanager
def running_server(dsn: str, port: int, org: str = "bench", **settings: str) -> Iterator[str]:
    """`settings`: more environment for the server (MAILFLOW_CACHE_BYTES="0", say)."""
    with server_process(dsn, port, org, **settings) as (base, _):
        yield base


@contextmanager
def server_process(dsn: str, port: int, org: str = "bench", **settings: str) -> Iterator[tuple[str, int]]:
    """The server (uvicorn, one process, as `mailflow serve` runs it) for the block: its URL and its pid."""
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "MAILFLOW_ORG": org,
        "MAILFLOW_LOG_LEVEL": "WARNING",
        "MAILFLOW_RATE_LIMIT": "1000000",
        "MAILFLOW_RATE_BURST": "1000000",
        **settings,
    }
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "api.app:from_env", "--port", str(port),
        "--log-level", "warning", "--no-access-log", "--loop", "uvloop", "--http", "api.connections:GuardedHttp",
    ]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with process_answering(command, env, lambda: httpx.get(f"{base}/readyz", timeout=1), "the server") as proc:
        yield base, proc.pid


@contextmanager
def process_answering(
    command: list[str], env: dict[str, str], probe: Callable[[], httpx.Response], name: str, **popen: Any
) -> Iterator[subprocess.Popen[bytes]]:
    """Runs `command` for the block, entered once `probe` answers 200 (within 30 s); stopped after. Refuses to start
    when something already answers `probe` (another run's server on the port would be measured instead)."""
    try:
        probe()
    except httpx.HTTPError:
        pass
    else:
        raise SystemExit(f"something already answers where {name} would listen: stop it or choose another port")
    proc = subprocess.Popen(command, env=env, **popen)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{name} exited with status {proc.returncode} before answering")
            try:
                if probe().status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{name} did not start")
            time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


async def admin_key(dsn: str, org: str) -> str:
    """An admin key of `org` (created if needed), for the load generators."""
    from db.keys import create_key
    from db.organizations import ensure_organization

    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    assert pool is not None
    try:
        return await create_key(pool, await ensure_organization(pool, org), "admin", "bench")
    finally:
        await pool.close()


def process_cpu(pid: int) -> float:
    """CPU seconds (user and system) that a process has used so far (Linux /proc); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def backends_cpu(dsn: str) -> dict[int, float]:
    """The CPU seconds used so far by each PostgreSQL backend connected to `dsn`'s database (the server must run
    on this machine): measured before and after a run, what the database's work cost, steady on a loaded machine."""
    conn = await asyncpg.connect(dsn)
    try:
        pids = await conn.fetch(
            "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()
    return {r["pid"]: process_cpu(r["pid"]) for r in pids}


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """The CPU seconds used between two `backends_cpu` readings (a backend that came meanwhile counts whole)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def machine() -> str:
    cpus = os.cpu_count()
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    memory = f"{mem_kb / 1024 / 1024:.0f} GiB"
    return f"{platform.machine()}, {cpus} cores, {memory}, Python {platform.python_version()}"


def table(headers: list[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(c) for c in r] for r in [headers, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
