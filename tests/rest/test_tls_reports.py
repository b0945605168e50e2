from __future__ import annotations

import gzip

import httpx
import orjson

from tests.graphql.helpers import gql
from tests.importers.test_tlsrpt import REPORT


async def test_post_once_and_read_per_day(client: httpx.AsyncClient) -> None:
    body = gzip.compress(orjson.dumps(REPORT))
    first = await client.post("/api/v1/tls-reports", content=body, headers={"content-type": "application/tlsrpt+gzip"})
    assert first.status_code == 201, first.text
    assert first.json()["reports"][0]["stored"] is True
    assert first.json()["reports"][0]["policies"][0]["details_mismatch"] is True
    again = await client.post("/api/v1/tls-reports", content=body)
    assert again.status_code == 200
    assert again.json()["reports"][0]["stored"] is False  # the same sender's report id: stored once
    days = (await client.get("/api/v1/tls-reports", params={"from": "2026-11-19", "to": "2026-11-22"})).json()["days"]
    assert days == [
        {"day": "2026-11-20", "policy_domain": None, "successful": 5, "failed": 0, "reports": 1, "failures": {}},
        {
            "day": "2026-11-20",
            "policy_domain": "contoso.com",
            "successful": 90,
            "failed": 10,
            "reports": 1,
            "failures": {"certificate-expired": 7, "something-new": 2},
        },
    ]
    one = await client.get(
        "/api/v1/tls-reports", params={"from": "2026-11-19", "to": "2026-11-22", "policy_domain": "CONTOSO.com"}
    )
    assert [d["policy_domain"] for d in one.json()["days"]] == ["contoso.com"]
    graph = await gql(
        client,
        '{ tlsReports(from: "2026-11-19T00:00:00Z", to: "2026-11-22T00:00:00Z", policyDomain: "contoso.com") '
        "{ day policyDomain successful failed failures { resultType sessions } } }",
    )
    assert graph["data"]["tlsReports"] == [
        {
            "day": "2026-11-20",
            "policyDomain": "contoso.com",
            "successful": 90,
            "failed": 10,
            "failures": [
                {"resultType": "certificate-expired", "sessions": 7},
                {"resultType": "something-new", "sessions": 2},
            ],
        }
    ]


async def test_a_report_missing_its_core_is_422(client: httpx.AsyncClient) -> None:
    broken = {k: v for k, v in REPORT.items() if k != "date-range"}
    response = await client.post("/api/v1/tls-reports", content=orjson.dumps(broken))
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "date-range"
    assert (await client.get("/api/v1/tls-reports")).json()["days"] == []
