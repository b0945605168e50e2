"""Small builders for test data."""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx


def with_database(url: str, name: str) -> str:
    """The same server URL with another database name."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


BASE = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
LATER = datetime(2032, 1, 1, tzinfo=UTC)  # "now" for tests that store days far from other tests' (2030, 2031)


def message(n: int, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "message_id": f"<m{n}@example.org>",
        "received_at": (BASE + timedelta(minutes=n)).isoformat(),
        "direction": "inbound",
        "tls_version": "TLSv1.2",
    }
    record.update(fields)
    return record


async def add_connector(
    client: httpx.AsyncClient,
    name: str,
    direction: str = "inbound",
    type_: str = "partner",
    forced: bool = False,
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/connectors", json={"name": name, "direction": direction, "type": type_, "forced_tls": forced}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def ingest(client: httpx.AsyncClient, records: list[dict[str, Any]]) -> dict[str, Any]:
    response = await client.post("/api/v1/messages", json=records)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# Hand-built traffic for the report tests (see the `traffic` fixture in conftest.py).
REPORT_DAY = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday


def at(hours: float) -> str:
    return (REPORT_DAY + timedelta(hours=hours)).isoformat()


def rec(n: int, hours: float, tls: str, direction: str = "inbound", connector: str | None = None) -> dict[str, Any]:
    return {
        "message_id": f"<r{n}@x>",
        "received_at": at(hours),
        "direction": direction,
        "tls_version": tls,
        "connector": connector,
        "size_bytes": 100,
    }


async def garbage_left_by(requests: Callable[[], Awaitable[None]]) -> list[str]:
    """The types (ours, graphql-core's, strawberry's) of the objects that `requests`, run a second time,
    left for the cycle collector: objects in reference cycles outlive their request until a collection,
    whose pauses grew to 100+ ms under load (bench/RESULTS.md). The first run warms the caches."""
    await requests()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        await requests()
        gc.collect()
        found = [f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    return [t for t in found if t.startswith(("api.", "db.", "graphql.", "strawberry.", "starlette."))]
