"""A real Citus cluster for the suite (MAILFLOW_TEST_CITUS=1): ../shared/citus/cluster.sh starts a coordinator and
two workers; each test database is made on every node, with the extension and the workers registered."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from tests.factories import with_database

CLUSTER_SH = Path(os.environ.get("MAILFLOW_CITUS_CLUSTER_SH", Path(__file__).parents[2] / "shared/citus/cluster.sh"))
if not CLUSTER_SH.exists():  # a worktree beside main: /work/<tree>, the script in /work/shared
    CLUSTER_SH = Path("/work/shared/citus/cluster.sh")
SHARD_COUNT = 4  # a day partition of messages makes a shard per shard count: few, so tests stay quick


def wanted() -> bool:
    return os.environ.get("MAILFLOW_TEST_CITUS", "") not in ("", "0")


@contextmanager
def cluster(port: int = 0) -> Iterator[str]:
    """Install Citus (idempotent), start a fresh cluster, yield the coordinator's URL; stop and remove it after.
    MAILFLOW_TEST_CITUS set to a coordinator's URL uses that running cluster instead (while developing)."""
    given = os.environ.get("MAILFLOW_TEST_CITUS", "")
    if given.startswith("postgresql://"):
        yield given
        return
    port = port or int(os.environ.get("MAILFLOW_TEST_CITUS_PORT", "9800"))  # and the next two
    subprocess.run([str(CLUSTER_SH), "install"], check=True, stdout=subprocess.DEVNULL)
    home = Path(tempfile.mkdtemp(prefix="mailflow-citus-"))
    home.chmod(0o777)
    try:
        start = [str(CLUSTER_SH), "start", str(home / "cluster"), str(port)]
        subprocess.run(start, check=True, capture_output=True, text=True)
        # wal_level = logical on every node, so that shards move online (logical replication: writes go on while
        # a shard is copied, tests/citus/test_operations.py); it takes a restart
        for node in range(3):
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-p", str(port + node), "-U", "postgres", "-Atqc",
                 "alter system set wal_level = logical"],
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
        subprocess.run([str(CLUSTER_SH), "stop", str(home / "cluster")], check=True)
        started = subprocess.run(start, check=True, capture_output=True, text=True)
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(CLUSTER_SH), "stop", str(home / "cluster")], check=False)
        shutil.rmtree(home, ignore_errors=True)


async def worker_dsns(coordinator_dsn: str) -> list[str]:
    conn = await asyncpg.connect(coordinator_dsn)
    try:
        rows = await conn.fetch(
            "select nodename, nodeport from pg_dist_node where noderole = 'primary' and groupid <> 0 order by nodeport"
        )
    finally:
        await conn.close()
    base = coordinator_dsn.rsplit("@", 1)[0]
    return [f"{base}@{r['nodename']}:{r['nodeport']}/postgres" for r in rows]


async def create_database(coordinator_dsn: str, name: str, citus: bool = True) -> str:
    """A database on the coordinator and every worker; with `citus`, the extension in each and the workers
    registered (else a plain database on the coordinator, as a single node's was: enable_citus later)."""
    for node in [coordinator_dsn, *await worker_dsns(coordinator_dsn)]:
        admin = await asyncpg.connect(node)
        try:
            await admin.execute(f'create database "{name}"')
        finally:
            await admin.close()
    if citus:
        await enable_citus(coordinator_dsn, name)
    return with_database(coordinator_dsn, name)


def _host_port(dsn: str) -> tuple[str, int]:
    host, port = dsn.rsplit("@", 1)[1].split("/")[0].split(":")
    return host, int(port)


async def enable_citus(coordinator_dsn: str, name: str) -> None:
    """The extension in the database on every node, and the coordinator knowing its workers."""
    workers = await worker_dsns(coordinator_dsn)
    for node in [coordinator_dsn, *workers]:
        conn = await asyncpg.connect(with_database(node, name))
        try:
            await conn.execute("create extension citus")
        finally:
            await conn.close()
    conn = await asyncpg.connect(with_database(coordinator_dsn, name))
    try:
        await conn.execute("select citus_set_coordinator_host($1, $2)", *_host_port(coordinator_dsn))
        for worker in workers:
            await conn.execute("select citus_add_node($1, $2)", *_host_port(worker))
        await conn.execute(f'alter database "{name}" set citus.shard_count = {SHARD_COUNT}')
    finally:
        await conn.close()


async def drop_database(coordinator_dsn: str, name: str) -> None:
    for node in [*await worker_dsns(coordinator_dsn), coordinator_dsn]:
        admin = await asyncpg.connect(node)
        try:
            await admin.execute(f'drop database if exists "{name}" with (force)')
        finally:
            await admin.close()


PGBIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(command: list[str]) -> None:
    if os.getuid() == 0:
        command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{part}'" for part in command)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


@contextmanager
def extra_worker(port: int) -> Iterator[str]:
    """A fourth server, set up as cluster.sh sets up its workers (same binaries, Citus preloaded), for adding a
    worker; stopped and removed after. Yields its URL (database postgres)."""
    home = Path(tempfile.mkdtemp(prefix="mailflow-citus-extra-"))
    home.chmod(0o777)
    data = home / "data"
    try:
        _as_postgres([str(PGBIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"])
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"shared_preload_libraries='citus'\nport={port}\nlisten_addresses='127.0.0.1'\n"
                f"unix_socket_directories='{home}'\nmax_connections=300\nfsync=off\nsynchronous_commit=off\n"
            )
        _as_postgres([str(PGBIN / "pg_ctl"), "-D", str(data), "-l", str(home / "log"), "-w", "start"])
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            _as_postgres([str(PGBIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
    finally:
        shutil.rmtree(home, ignore_errors=True)
