"""A server stopped with SIGTERM in the middle of an ingest request leaves the whole batch or none."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import orjson

from db.organizations import ensure_organization
from tests.cli.helpers import clean_env, free_port, wait_ready
from tests.insights.helpers import records


async def _counts(dsn: str, org: str) -> tuple[int, int]:
    conn = await asyncpg.connect(dsn)
    try:
        org_id = await ensure_organization(conn, org)
        stored = await conn.fetchval("select count(*) from messages where org_id = $1", org_id)
        rolled = await conn.fetchval("select coalesce(sum(messages), 0) from hourly_rollups where org_id = $1", org_id)
        return int(stored), int(rolled)
    finally:
        await conn.close()


def test_sigterm_during_an_ingest_is_all_or_nothing(dsn: str, tmp_path: Path) -> None:
    org = f"sigterm-{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = clean_env(
        DATABASE_URL=dsn, MAILFLOW_ORG=org, MAILFLOW_AUTH="off", MAILFLOW_MAX_BODY_BYTES=str(200 * 1024 * 1024)
    )
    with (tmp_path / "serve.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_ready(port, proc)
        batch = records({"TLS1.2": 60_000})
        body = b"\n".join(orjson.dumps(r) for r in batch)
        result: dict[str, object] = {}

        def send() -> None:
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/api/v1/messages",
                    content=body,
                    headers={"content-type": "application/x-ndjson"},
                    timeout=120,
                )
                result["status"] = response.status_code
            except httpx.HTTPError as exc:
                result["error"] = repr(exc)

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(0.4)  # the request is being parsed, validated or stored
        proc.send_signal(signal.SIGTERM)
        sender.join(timeout=120)
        assert proc.wait(timeout=120) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    stored, rolled = asyncio.run(_counts(dsn, org))
    assert stored in (0, len(batch)), f"a partial batch was stored: {stored}"
    assert rolled == stored
    if result.get("status") == 200:
        assert stored == len(batch)
