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


def two_policy_report(report_id: str, day: str, *policies: tuple[str, str, int, int, str]) -> bytes:
    """A report with policies (type, domain, successful, failed, result type of all failures)."""
    return orjson.dumps(
        {
            "organization-name": "Sender",
            "report-id": report_id,
            "date-range": {"start-datetime": f"{day}T00:00:00Z", "end-datetime": f"{day}T23:59:59Z"},
            "policies": [
                {
                    "policy": {"policy-type": kind, "policy-domain": domain},
                    "summary": {"total-successful-session-count": ok, "total-failure-session-count": failed},
                    "failure-details": [{"result-type": result, "failed-session-count": failed}] if failed else [],
                }
                for kind, domain, ok, failed, result in policies
            ],
        }
    )


async def test_sessions_reported_under_sts_and_tlsa_count_once(client: httpx.AsyncClient) -> None:
    # Report a: contoso.com under sts (100 sessions) and tlsa (102): the same sessions, the tlsa count is kept.
    a = two_policy_report(
        "a", "2026-11-20",
        ("sts", "contoso.com", 90, 10, "certificate-expired"),
        ("tlsa", "contoso.com", 88, 14, "tlsa-invalid"),
        ("sts", "fabrikam.com", 40, 0, ""),
    )  # fmt: skip
    b = two_policy_report("b", "2026-11-20", ("sts", "contoso.com", 50, 2, "certificate-expired"))
    # Report c: a tie at 50 sessions: the policy with more failures (sts, 5) is kept.
    c = two_policy_report(
        "c", "2026-11-21",
        ("tlsa", "contoso.com", 48, 2, "tlsa-invalid"),
        ("sts", "contoso.com", 45, 5, "certificate-expired"),
    )  # fmt: skip
    for body in (a, b, c):
        assert (await client.post("/api/v1/tls-reports", content=body)).status_code == 201
    days = (await client.get("/api/v1/tls-reports", params={"from": "2026-11-20", "to": "2026-11-22"})).json()["days"]
    assert days == [
        {
            "day": "2026-11-20",
            "policy_domain": "contoso.com",
            "successful": 88 + 50,
            "failed": 14 + 2,
            "reports": 2,
            "failures": {"certificate-expired": 2, "tlsa-invalid": 14},
        },
        {"day": "2026-11-20", "policy_domain": "fabrikam.com", "successful": 40, "failed": 0, "reports": 1,
         "failures": {}},
        {"day": "2026-11-21", "policy_domain": "contoso.com", "successful": 45, "failed": 5, "reports": 1,
         "failures": {"certificate-expired": 5}},
    ]  # fmt: skip
