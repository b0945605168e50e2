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


# Traffic with remote parties, for the remote-domain views (each test has an organization of its own).
REMOTE_DAY = datetime(2026, 5, 4, tzinfo=UTC)
REMOTE_VERSIONS = {"TLSv1": "TLS1.0", "TLSv1.1": "TLS1.1", "TLSv1.2": "TLS1.2", "TLSv1.3": "TLS1.3", "none": "none"}
# (remote host as logged, its registrable domain as the views show it): subdomains fold, IDN in ASCII
REMOTE_HOSTS = [
    ("mx1.mail.partner.co.uk", "partner.co.uk"),
    ("MX2.Partner.co.uk.", "partner.co.uk"),
    ("mx.bücher.de", "xn--bcher-kva.de"),
    ("mx.xn--bcher-kva.de", "xn--bcher-kva.de"),
    ("relay.example.com", "example.com"),
    ("unknown", None),
]
# (address as logged, its domain as the views show it): a missing sender is a domain not known
REMOTE_ADDRESSES = [
    ("a@partner.co.uk", "partner.co.uk"),
    ("b@Sub.Partner.co.uk", "sub.partner.co.uk"),
    ("c@bücher.de", "xn--bcher-kva.de"),
    ("d@example.com", "example.com"),
    ("e@=cmd|calc.example", "=cmd|calc.example"),
    (None, None),
]


def remote_traffic(n: int, seed: int, days: int = 3) -> list[dict[str, Any]]:
    """Records of both directions over `days` UTC days from REMOTE_DAY, each with `_party`, `_server` and
    `_bucket`: what the views must count it as (strip the underscored keys before ingesting)."""
    import random

    rng = random.Random(seed)
    records = []
    for i in range(n):
        direction = rng.choice(["inbound", "outbound"])
        host, server = rng.choice(REMOTE_HOSTS)
        address, party = rng.choice(REMOTE_ADDRESSES)
        version = rng.choice(list(REMOTE_VERSIONS))
        record: dict[str, Any] = {
            "message_id": f"<remote{seed}.{i}@x>",
            "received_at": (REMOTE_DAY + timedelta(minutes=rng.randrange(days * 24 * 60))).isoformat(),
            "direction": direction,
            "tls_version": version,
            "remote_host": host,
            "remote_ip": f"192.0.2.{REMOTE_HOSTS.index((host, server)) + 1}",
            "sender" if direction == "inbound" else "recipient": address,
            "_party": party,
            "_server": server,
            "_bucket": REMOTE_VERSIONS[version],
        }
        records.append(record)
    return records


def stored(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in records]
