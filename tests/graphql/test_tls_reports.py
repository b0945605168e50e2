"""tlsReport and tlsReportList answer what REST answers, with a fixed number of statements."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from db.sql import count_statements
from tests.graphql.helpers import gql
from tests.rest.test_tls_report_reads import FULL, WINDOW

FAILURE = """resultType sendingMtaIp receivingMxHostname receivingMxHelo receivingIp failedSessions failureReasonCode
             additionalInformation"""
REPORT = f"""query ($id: ID!) {{ tlsReport(id: $id) {{
  id organizationName contactInfo reportId from to storedAt
  policies {{ policyType policyDomain policyString mxHost {{ hosts asList }} mxHostPattern {{ hosts asList }} mxHosts
              successful failed detailedFailures detailsMismatch accepted failures {{ {FAILURE} }} }}
  flagged flagReason }} }}"""
LIST = """query ($from: DateTime, $to: DateTime, $domain: String, $limit: Int!, $after: String) {
  tlsReportList(from: $from, to: $to, policyDomain: $domain, limit: $limit, after: $after) {
    from to total next reports { id organizationName reportId from to policyDomains successful failed flagged
                                 foreignDomains flagReason } } }"""
GRAPH_WINDOW = {"from": "2026-11-19T00:00:00Z", "to": "2026-11-22T00:00:00Z"}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def as_graphql(value: Any) -> Any:
    """A REST answer as GraphQL spells it (an `mx_host` becomes {hosts, asList})."""
    if isinstance(value, dict):
        shaped = {camel(k): as_graphql(v) for k, v in value.items() if k != "url"}
        for key in ("mx_host", "mx_host_pattern"):
            given = value.get(key)
            if given is not None:
                as_list = isinstance(given, list)
                shaped[camel(key)] = {"hosts": given if as_list else [given], "asList": as_list}
        if "id" in shaped:
            shaped["id"] = str(shaped["id"])
        return shaped
    if isinstance(value, list):
        return [as_graphql(v) for v in value]
    return value


async def test_the_report_and_the_list_match_rest(client: httpx.AsyncClient) -> None:
    await client.post("/api/v1/tls-reports", content=orjson.dumps(FULL))
    rest_list = (await client.get("/api/v1/tls-reports", params=WINDOW)).json()
    graph_list = (await gql(client, LIST, limit=100, **GRAPH_WINDOW))["data"]["tlsReportList"]
    assert graph_list["reports"] == as_graphql(rest_list["reports"])
    assert (graph_list["total"], graph_list["next"]) == (1, None)
    assert (graph_list["from"], graph_list["to"]) == ("2026-11-19T00:00:00+00:00", "2026-11-22T00:00:00+00:00")
    (entry,) = graph_list["reports"]
    rest = (await client.get(f"/api/v1/tls-reports/{entry['id']}")).json()
    graph = (await gql(client, REPORT, id=entry["id"]))["data"]["tlsReport"]
    assert graph == as_graphql(rest)
    assert graph["policies"][0]["mxHost"] == {"hosts": ["*.mail.contoso.com"], "asList": False}
    assert graph["policies"][1]["mxHost"] == {"hosts": ["mx1.mail.contoso.com", "mx2.mail.contoso.com"], "asList": True}
    assert graph["policies"][0]["failures"][0]["receivingMxHelo"] == "mx1.contoso.com"


async def test_statements_do_not_grow_with_the_report(client: httpx.AsyncClient) -> None:
    detail = {"result-type": "validation-failure", "failed-session-count": 1}
    big = {**FULL, "report-id": "big", "policies": [{**FULL["policies"][0], "failure-details": [detail] * 50}] * 10}
    for body in (FULL, big):
        await client.post("/api/v1/tls-reports", content=orjson.dumps(body))
    reports = (await gql(client, LIST, limit=100, **GRAPH_WINDOW))["data"]["tlsReportList"]["reports"]
    counted = []
    for entry in reports:
        with count_statements() as statements:
            report = (await gql(client, REPORT, id=entry["id"]))["data"]["tlsReport"]
        counted.append((sum(len(p["failures"]) for p in report["policies"]), statements))
    assert [n for n, _ in counted] == [500, 3]
    assert counted[0][1] == counted[1][1]
    assert counted[0][1][-1] == "tls_reports/tls_report_by_id"


async def test_paging(client: httpx.AsyncClient) -> None:
    for n in range(3):
        await client.post("/api/v1/tls-reports", content=orjson.dumps({**FULL, "report-id": f"p{n}"}))
    seen: list[str] = []
    after = None
    while True:
        page = (await gql(client, LIST, limit=2, after=after, **GRAPH_WINDOW))["data"]["tlsReportList"]
        assert page["total"] == 3
        seen += [r["reportId"] for r in page["reports"]]
        after = page["next"]
        if after is None:
            break
    assert seen == ["p2", "p1", "p0"]


async def test_an_unknown_report_is_null(client: httpx.AsyncClient) -> None:
    assert await gql(client, REPORT, id="9223372036854775807") == {"data": {"tlsReport": None}}


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        (REPORT, {"id": "abc"}, "id"),
        (REPORT, {"id": "9223372036854775808"}, "id"),
        (REPORT, {"id": "0"}, "id"),
        (LIST, {"limit": 0}, "limit"),
        (LIST, {"limit": 1001}, "limit"),
        (LIST, {"limit": 10, "after": "nope"}, "after"),
        (LIST, {"limit": 10, "from": "2026-01-01T00:00:00Z", "to": "2026-06-01T00:00:00Z"}, "to"),
    ],
)
async def test_bad_arguments_are_bad_user_input(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], field: str
) -> None:
    body = await gql(client, query, **variables)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["details"][0]["field"] == field
