"""A second `mailflow serve` on the home of a running one refuses to start, naming the first, and the
first keeps its database."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from db.embedded import EmbeddedPostgres
from tests.cli.helpers import alive, clean_env, discard_postgres, free_port, postmaster_pid, start_serve, wait_ready


def test_a_second_serve_on_the_same_home_refuses_and_the_first_keeps_serving(tmp_path: Path) -> None:
    pgdata = EmbeddedPostgres(tmp_path / "pgdata").pgdata
    first_port, second_port = free_port(), free_port()
    first = start_serve(tmp_path, first_port)
    try:
        wait_ready(first_port, first)
        postgres = postmaster_pid(pgdata)
        assert postgres is not None

        started = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(second_port)],
            env=clean_env(MAILFLOW_HOME=str(tmp_path)),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert time.monotonic() - started < 15, "the second serve must refuse promptly"
        assert second.returncode == 1
        message = second.stderr.strip()
        assert len(message.splitlines()) == 1, message
        assert message.startswith("mailflow: error: another `mailflow serve`"), message
        assert f"pid {first.pid}" in message
        assert f"http://127.0.0.1:{first_port}" in message

        assert alive(postgres)
        assert postmaster_pid(pgdata) == postgres
        for _ in range(3):  # still ready a while later, on the same PostgreSQL
            assert httpx.get(f"http://127.0.0.1:{first_port}/readyz").status_code == 200
            time.sleep(0.5)
        assert first.poll() is None

        # once the first has stopped, a new serve starts (its lock went with it)
        first.terminate()
        assert first.wait(timeout=60) == 0
        first = start_serve(tmp_path, second_port)
        wait_ready(second_port, first)
    finally:
        if first.poll() is None:
            first.terminate()
            first.wait(timeout=60)
        discard_postgres(tmp_path)
