"""tlsrpt_failures: a policy domain whose reported failure share reaches 5% over at least 10 sessions."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest

from api.context import AppState
from tests.graphql.helpers import gql
from tests.insights.helpers import active, evaluate_at

_ids = itertools.count()


def report(domain: str, ok: int, failed: int, days_ago: int = 1, kinds: tuple[str, ...] = ("sts",)) -> bytes:
    start = (datetime.now(UTC) - timedelta(days=days_ago)).replace(hour=0, minute=0, second=0, microsecond=0)
    body: dict[str, Any] = {
        "organization-name": "Sender",
        "report-id": f"r{next(_ids)}",
        "date-range": {"start-datetime": start.isoformat(), "end-datetime": (start + timedelta(days=1)).isoformat()},
        "policies": [
            {
                "policy": {"policy-type": kind, "policy-domain": domain},
                "summary": {"total-successful-session-count": ok, "total-failure-session-count": failed},
                "failure-details": [{"result-type": "certificate-expired", "failed-session-count": failed}],
            }
            for kind in kinds
        ],
    }
    return orjson.dumps(body)


@pytest.mark.parametrize(
    ("ok", "failed", "fires"),
    [
        (95, 5, True),  # exactly 5%
        (96, 4, False),  # just below
        (94, 6, True),  # just above
        (8, 1, False),  # 11%, but 9 sessions: below the minimum of 10
        (9, 1, True),  # 10 sessions
    ],
)
async def test_threshold_and_minimum(client: httpx.AsyncClient, ok: int, failed: int, fires: bool) -> None:
    response = await client.post("/api/v1/tls-reports", content=report("contoso.com", ok, failed))
    assert response.status_code == 201
    found = [i for i in await active(client) if i["rule"] == "tlsrpt_failures"]
    assert bool(found) is fires
    if fires:
        (insight,) = found
        assert insight["subject"] == "contoso.com"
        assert insight["title"] == "Receiving MTAs report TLS failures for contoso.com"
        assert (insight["messages"], insight["volume"]) == (failed, ok + failed)


async def test_domains_apart_and_aging_out(client: httpx.AsyncClient, state: AppState) -> None:
    await client.post("/api/v1/tls-reports", content=report("contoso.com", 50, 50))
    await client.post("/api/v1/tls-reports", content=report("fabrikam.com", 50, 50))
    await client.post("/api/v1/tls-reports", content=report("ok.example", 100, 0))
    assert sorted(i["subject"] for i in await active(client)) == ["contoso.com", "fabrikam.com"]
    body = await gql(client, "{ insights { rule subject connector { type } } }")
    assert {i["subject"] for i in body["data"]["insights"]} == {"contoso.com", "fabrikam.com"}
    # an ingest of messages evaluates only connector rules: the report insights stay
    await client.post("/api/v1/messages", json=[{"message_id": "<x>", "received_at": datetime.now(UTC).isoformat(),
                                                  "direction": "inbound", "tls_version": "TLSv1.2"}])  # fmt: skip
    assert len(await active(client)) == 2
    # the reports age out of the window: both resolve
    assert await evaluate_at(state, datetime.now(UTC) + timedelta(days=9)) == {"resolved": 2}


async def test_sessions_under_sts_and_tlsa_count_once(client: httpx.AsyncClient) -> None:
    await client.post("/api/v1/tls-reports", content=report("contoso.com", 95, 5, kinds=("sts", "tlsa")))
    (insight,) = [i for i in await active(client) if i["rule"] == "tlsrpt_failures"]
    assert (insight["messages"], insight["volume"]) == (5, 100)  # not 10 of 200
