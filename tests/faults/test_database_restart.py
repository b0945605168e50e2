"""PostgreSQL stopped while clients ingest and query: 503s, never a 500 or a hang; the pools recover by
themselves, in the app and in a real `mailflow serve`; after clients retry, every message is stored
exactly once."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import orjson
import pytest

from api.app import create_app
from api.context import AppState
from api.settings import Settings
from db.embedded import EmbeddedPostgres
from db.keys import create_key
from db.migrate import migrate
from db.organizations import ensure_organization
from db.pool import open_database
from tests.cli.helpers import clean_env, discard_postgres, free_port, mailflow, start_serve, stop_postgres, wait_ready
from tests.insights.helpers import records


@pytest.fixture
def own_server() -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL server this test may stop and start."""
    home = Path(tempfile.mkdtemp(prefix="mailflow-fault-"))
    server = EmbeddedPostgres(home / "pgdata")
    try:
        server.start()
        yield server
    finally:
        server.close()
        server.remove_data()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
async def app_client(own_server: EmbeddedPostgres) -> AsyncIterator[tuple[httpx.AsyncClient, AppState]]:
    conn = await asyncpg.connect(own_server.uri)
    await migrate(conn)
    await conn.close()
    settings = Settings(key_cache_seconds=0, rate_limit=10_000, rate_burst=10_000)
    db = await open_database(own_server.uri, 4)
    org_id = await ensure_organization(db.system, "faults")
    token = await create_key(db.system, org_id, "admin", "faults")
    state = AppState(settings, db, org_id)
    transport = httpx.ASGITransport(app=create_app(settings, state=state), raise_app_exceptions=False)
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers, timeout=30) as client:
        yield client, state
    await db.close()


async def test_requests_answer_503_while_down_and_recover(
    own_server: EmbeddedPostgres, app_client: tuple[httpx.AsyncClient, AppState]
) -> None:
    client, state = app_client
    first, second = records({"TLS1.2": 300}), records({"TLS1.3": 200})
    assert (await client.post("/api/v1/messages", json=first)).status_code == 200
    assert (await client.get("/readyz")).status_code == 200

    own_server.stop()
    started = time.monotonic()
    for request in (
        client.post("/api/v1/messages", json=second),
        client.get("/api/v1/summary"),
        client.post("/graphql", json={"query": "{ mailFlowSummary { inbound { total } } }"}),
        client.get("/readyz"),
    ):
        response = await request
        assert response.status_code == 503, response.text
    assert time.monotonic() - started < 20, "requests must not hang while the database is down"
    graphql = await client.post("/graphql", json={"query": "{ connectors { id } }"})
    assert graphql.status_code == 503

    own_server.start()
    deadline = time.monotonic() + 30
    while (await client.get("/readyz")).status_code != 200:
        assert time.monotonic() < deadline, "the pool did not recover"
        await asyncio.sleep(0.2)
    # clients retry what failed, and a little more than that: exactly once each
    assert (await client.post("/api/v1/messages", json=second)).json() == {
        "accepted": 200,
        "duplicates": 0,
        "expired": 0,
        "warnings": [],
    }
    assert (await client.post("/api/v1/messages", json=first)).json() == {
        "accepted": 0,
        "duplicates": 300,
        "expired": 0,
        "warnings": [],
    }
    summary = (await client.get("/api/v1/summary")).json()
    assert summary["inbound"]["total"] == 500
    stored = await state.db.system.fetchval("select count(*) from messages where org_id = $1", state.org_id)
    assert stored == 500


def test_serve_recovers_when_its_embedded_postgres_returns(tmp_path: Path) -> None:
    """`mailflow serve` whose PostgreSQL an operator stops and starts again: 503 meanwhile, then ready and
    answering again without a restart, and one warning for the outage instead of a traceback per retry."""
    port = free_port()
    proc = start_serve(tmp_path, port)
    returned: EmbeddedPostgres | None = None
    try:
        wait_ready(port, proc)
        env = clean_env(MAILFLOW_HOME=str(tmp_path))
        assert mailflow("orgs", "create", "default", env=env).returncode == 0  # serve makes none (with keys on)
        created = mailflow("keys", "create", "--org", "default", "--role", "admin", env=env)
        assert created.returncode == 0, created.stderr
        headers = {"authorization": f"Bearer {created.stdout.strip().splitlines()[-1]}"}
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/api/v1/summary", headers=headers).status_code == 200

        stop_postgres(EmbeddedPostgres(tmp_path / "pgdata"))
        deadline = time.monotonic() + 8  # long enough for the pools to retry a few times
        while time.monotonic() < deadline:
            assert httpx.get(f"{base}/readyz").status_code == 503
            assert httpx.get(f"{base}/api/v1/summary", headers=headers).status_code == 503
            time.sleep(0.5)

        returned = EmbeddedPostgres(tmp_path / "pgdata")
        returned.start()
        deadline = time.monotonic() + 30
        while httpx.get(f"{base}/readyz").status_code != 200:
            assert time.monotonic() < deadline, "serve did not recover when its database returned"
            time.sleep(0.2)
        assert httpx.get(f"{base}/api/v1/summary", headers=headers).status_code == 200
        graphql = httpx.post(f"{base}/graphql", headers=headers, json={"query": "{ connectors { id } }"})
        assert graphql.status_code == 200, graphql.text
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=60)
        if returned is not None:
            returned.close()
        discard_postgres(tmp_path)
    lines = [orjson.loads(line) for line in (tmp_path / "serve.log").read_bytes().splitlines() if line.startswith(b"{")]
    assert not [line for line in lines if "exception" in line], "tracebacks in the log"
    warnings = [line["message"] for line in lines if line["level"] in ("warning", "error")]
    assert len(warnings) == 1, warnings
