from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from api.context import AppState
from api.insights.evaluate import evaluate

_ids = itertools.count()


def records(
    counts: dict[str, int], direction: str = "inbound", connector: str | None = None, hours_ago: float = 1
) -> list[dict[str, Any]]:
    """Messages in the given TLS buckets, received `hours_ago` before now."""
    at = (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat()
    spelling = {
        "none": "none",
        "TLS1.0": "TLSv1",
        "TLS1.1": "TLSv1.1",
        "TLS1.2": "TLSv1.2",
        "TLS1.3": "TLSv1.3",
    }
    return [
        {
            "message_id": f"<i{next(_ids)}@x>",
            "received_at": at,
            "direction": direction,
            "tls_version": spelling[bucket],
            "connector": connector,
        }
        for bucket, n in counts.items()
        for _ in range(n)
    ]


async def feed(client: httpx.AsyncClient, recs: list[dict[str, Any]]) -> None:
    response = await client.post("/api/v1/messages", json=recs)
    assert response.status_code == 200, response.text


async def active(client: httpx.AsyncClient, status: str = "active") -> list[dict[str, Any]]:
    response = await client.get("/api/v1/insights", params={"status": status})
    assert response.status_code == 200, response.text
    insights: list[dict[str, Any]] = response.json()["insights"]
    return insights


async def evaluate_at(state: AppState, now: datetime) -> dict[str, int]:
    return await evaluate(state.pool, state.org_id, None, now)
