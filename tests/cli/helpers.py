"""Running the real `mailflow` command in a subprocess."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx

from db.embedded import EmbeddedPostgres


def mailflow(
    *args: str, env: dict[str, str], stdin: bytes | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env=env,
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAILFLOW_", "DATABASE_URL"))}
    env["MAILFLOW_RETENTION_DAYS"] = "36500"  # the fixtures go back to 2016; retention tests set their own
    env["MAILFLOW_SECRET_KEY"] = "tests-only-key-tests-only-key-tests-only"  # none written under the user's home
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_serve(home: Path, port: int, *args: str) -> subprocess.Popen[bytes]:
    """`mailflow serve` on the embedded PostgreSQL in `home`, its output in home/serve.log."""
    env = clean_env(MAILFLOW_HOME=str(home))
    with (home / "serve.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_ready(port: int, proc: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"mailflow serve exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("mailflow serve did not become ready")


def postmaster_pid(pgdata: Path) -> int | None:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return None
    return int(pid_file.read_text().split("\n", 1)[0])


def stop_postgres(server: EmbeddedPostgres) -> None:
    """Stop an embedded PostgreSQL whoever started it, as an operator would (mailflow never does)."""
    command = [str(server.bin_dir / "pg_ctl"), "-D", str(server.pgdata), "-w", "-m", "fast", "stop"]
    subprocess.run(command, check=True, capture_output=True, timeout=90, **server.run_as())


def discard_postgres(home: Path) -> None:
    """After a test: stop the embedded PostgreSQL of `home` if it still runs, and delete its data."""
    server = EmbeddedPostgres(home / "pgdata")
    pid = postmaster_pid(server.pgdata)
    if pid is not None and alive(pid):
        stop_postgres(server)
    server.remove_data()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purposes
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


async def _new_key(dsn: str, org: str, role: str) -> str:
    from db.keys import create_key
    from db.organizations import ensure_organization

    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    assert pool is not None
    try:
        return await create_key(pool, await ensure_organization(pool, org), role, "tests")
    finally:
        await pool.close()


def new_key(dsn: str, org: str, role: str = "admin") -> str:
    """A key of `org` (created if needed), from a test that runs outside the event loop."""
    return asyncio.run(_new_key(dsn, org, role))


@contextmanager
def api_server(dsn: str, org: str = "tests-default", **extra: str) -> Iterator[str]:
    """A real server process (uvicorn, one worker) on a free port, for tests that need one (`extra`: more
    settings)."""
    port = free_port()
    env = clean_env(
        DATABASE_URL=dsn,
        MAILFLOW_ORG=org,
        MAILFLOW_RATE_LIMIT="100000",
        MAILFLOW_RATE_BURST="100000",
        MAILFLOW_AUTH_FAILURES_PER_MINUTE="100000",  # schemathesis sends invalid keys on purpose
        **extra,
    )
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.app:from_env", "--port", str(port)]
    proc = subprocess.Popen([*command, "--http", "api.connections:GuardedHttp", "--log-level", "warning"], env=env)
    try:
        wait_ready(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
