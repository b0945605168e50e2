"""`mailflow serve` on the embedded PostgreSQL: it starts, serves, and stops PostgreSQL with it, unless
PostgreSQL was running before it or another process still uses it."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from db.embedded import EmbeddedPostgres
from tests.cli.helpers import (
    alive,
    clean_env,
    discard_postgres,
    free_port,
    mailflow,
    postmaster_pid,
    start_serve,
    stop_postgres,
    wait_ready,
)


def test_running_without_keys_is_refused_off_loopback(tmp_path: Path) -> None:
    env = clean_env(MAILFLOW_HOME=str(tmp_path), MAILFLOW_AUTH="off")
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "serve", "--host", "0.0.0.0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "MAILFLOW_AUTH=off is allowed only on a loopback address" in result.stderr


def wait_gone(pid: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.1)
    return False


def test_sigterm_stops_the_embedded_server_and_a_crash_is_recovered(tmp_path: Path) -> None:
    pgdata = EmbeddedPostgres(tmp_path / "pgdata").pgdata
    port = free_port()
    proc = start_serve(tmp_path, port)
    try:
        wait_ready(port, proc)
        pid = postmaster_pid(pgdata)
        assert pid is not None
        assert alive(pid)
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/connectors").status_code == 401  # a key is needed
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        assert wait_gone(pid), "PostgreSQL kept running after SIGTERM"

        # a crash (SIGKILL) leaves PostgreSQL running: the next start adopts it, and leaves it running
        # when it stops, since it did not start it
        proc = start_serve(tmp_path, port)
        wait_ready(port, proc)
        pid = postmaster_pid(pgdata)
        assert pid is not None
        proc.kill()
        proc.wait(timeout=30)
        assert alive(pid)
        proc = start_serve(tmp_path, port)
        wait_ready(port, proc)
        assert postmaster_pid(pgdata) == pid
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        assert alive(pid), "serve stopped a PostgreSQL it had not started"
        stop_postgres(EmbeddedPostgres(tmp_path / "pgdata"))
        assert wait_gone(pid)

        # a stale pid file (PostgreSQL killed hard, pid not running) does not prevent a start
        (pgdata / "postmaster.pid").write_text("999999\n" + str(pgdata) + "\n")
        proc = start_serve(tmp_path, port, "--demo")
        wait_ready(port, proc)
        token = re.search(r"mf_[0-9]+_[0-9]+_[A-Za-z0-9_-]+", (tmp_path / "serve.log").read_text())
        assert token, "serve --demo prints an admin key"
        headers = {"authorization": f"Bearer {token.group(0)}"}
        summary = httpx.get(f"http://127.0.0.1:{port}/api/v1/summary", headers=headers).json()
        assert summary["inbound"]["total"] > 50_000
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        output = (tmp_path / "serve.log").read_bytes()
        assert b"demo data for Contoso" in output
        assert f"http://127.0.0.1:{port}/graphql".encode() in output
        new_pid = postmaster_pid(pgdata)
        assert new_pid is None or not alive(new_pid)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        discard_postgres(tmp_path)


def test_a_command_beside_serve_shares_its_server_and_leaves_it_running(tmp_path: Path) -> None:
    """`mailflow ingest` (or any command) while `serve` runs uses serve's PostgreSQL and does not stop it;
    and `serve` started while a command runs does not lose the server when that command ends."""
    pgdata = EmbeddedPostgres(tmp_path / "pgdata").pgdata
    env = clean_env(MAILFLOW_HOME=str(tmp_path))
    log = tmp_path / "mail.log"
    log.write_text("")
    follow = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "ingest", "--format", "postfix", "--follow", str(log)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    port = free_port()
    proc: subprocess.Popen[bytes] | None = None
    try:
        assert follow.stdout is not None
        assert b"organization 'default'" in follow.stdout.readline(), "ingest --follow names its organization"
        assert b"following" in follow.stdout.readline(), "ingest --follow started"
        pid = postmaster_pid(pgdata)
        assert pid is not None  # the ingest started it
        proc = start_serve(tmp_path, port)
        wait_ready(port, proc)
        assert postmaster_pid(pgdata) == pid  # serve adopted it
        follow.send_signal(signal.SIGTERM)
        assert follow.wait(timeout=60) == 0
        assert alive(pid), "the ingest stopped the PostgreSQL that serve was using"
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200

        created = mailflow("keys", "create", "--org", "default", "--role", "admin", env=env)
        assert created.returncode == 0, created.stderr
        assert alive(pid), "a short command stopped serve's PostgreSQL"
        headers = {"authorization": f"Bearer {created.stdout.strip().splitlines()[-1]}"}
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/summary", headers=headers).status_code == 200
    finally:
        for process in (follow, proc):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=30)
        if follow.stdout is not None:
            follow.stdout.close()
        discard_postgres(tmp_path)
