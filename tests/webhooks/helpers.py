from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import orjson


def tls_report(report_id: str, failed: int = 0, domains: tuple[str | None, ...] = ("contoso.com",)) -> bytes:
    """A TLS report of today, one policy per domain (None: a policy without one); its `tls_report.received`
    is queued when it is stored."""
    day = datetime.now(UTC).date().isoformat()
    return orjson.dumps(
        {
            "organization-name": "Sender",
            "report-id": report_id,
            "date-range": {"start-datetime": f"{day}T00:00:00Z", "end-datetime": f"{day}T23:59:59Z"},
            "policies": [
                {
                    "policy": {"policy-type": "sts", **({"policy-domain": d} if d is not None else {})},
                    "summary": {"total-successful-session-count": 100, "total-failure-session-count": failed},
                    "failure-details": [],
                }
                for d in domains
            ],
        }
    )


async def subscribe(client: httpx.AsyncClient, url: str, events: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"url": url, "description": "tests"}
    if events is not None:
        body["events"] = events
    response = await client.post("/api/v1/webhooks", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def store_report(
    client: httpx.AsyncClient, report_id: str, domains: tuple[str | None, ...] = ("contoso.com",)
) -> None:
    response = await client.post("/api/v1/tls-reports", content=tls_report(report_id, domains=domains))
    assert response.status_code == 201, response.text
