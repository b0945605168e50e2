"""Property test: every query parameter of the report, insight and TLS report views, and every argument of
the GraphQL reports, given dates at the edges of what can be represented (years 1 and 9999, offsets up to
±14 hours, time zones with odd historic offsets) and numbers in digits other than ASCII: never a 5xx, and
never an unexpected error in a GraphQL answer."""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DAYS = ["0001-01-01", "0001-01-02", "0001-01-08", "9999-12-24", "9999-12-30", "9999-12-31", "2026-11-20"]
TIMES = ["", "T00:00:00", "T23:59:59", "T23:00", "T12:00:00.999999"]
OFFSETS = ["", "Z", "+14:00", "-14:00", "+01:00", "-05:00", "+13:59"]
ZONES = ["UTC", "Pacific/Kiritimati", "Etc/GMT+12", "America/Adak", "Asia/Manila", "Europe/Berlin", "Nope/Nowhere"]
DIGITS = "0123456789²³¹١٠٣５９０𝟗߁"  # noqa: RUF001

moments = st.builds(
    lambda day, time, offset: day + time + (offset if time else ""),
    st.sampled_from(DAYS),
    st.sampled_from(TIMES),
    st.sampled_from(OFFSETS),
)
numbers = (
    st.text(alphabet=DIGITS, min_size=1, max_size=6)
    | st.sampled_from(["0", "1", "5000", "5001", "9" * 19, "9" * 30, "9" * 5000, " 1", "1_0", "-1", "+1", "1\n"])
    | st.builds(
        lambda a, b: f"{a}-{b}", st.text(alphabet=DIGITS, min_size=1, max_size=20), st.text(DIGITS, max_size=20)
    )
)
values = moments | numbers | st.sampled_from(ZONES) | st.text(max_size=8)

PARAMETERS = {
    "/api/v1/summary": (),
    "/api/v1/tls-breakdown": ("direction", "from", "to", "time_zone", "connector"),
    "/api/v1/client-submissions": ("from", "to", "time_zone"),
    "/api/v1/connector-report": (
        "direction", "connector_type", "connector_name", "from", "to", "time_zone", "format",
    ),
    "/api/v1/insights": ("status", "connector", "direction"),
    "/api/v1/insights/events": ("after", "limit", "since", "format"),
    "/api/v1/tls-reports": ("from", "to", "policy_domain"),
}  # fmt: skip
for_name = {"from": moments, "to": moments, "since": moments, "time_zone": st.sampled_from(ZONES)}


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    path = draw(st.sampled_from(sorted(PARAMETERS)))
    names = draw(st.lists(st.sampled_from(PARAMETERS[path]), unique=True)) if PARAMETERS[path] else []
    return path, {name: draw(for_name.get(name, values) | values) for name in names}


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(requests())
async def test_rest_report_parameters_never_answer_a_5xx(
    client: httpx.AsyncClient, request: tuple[str, dict[str, str]]
) -> None:
    path, params = request
    response = await client.get(path, params=params)
    assert response.status_code < 500, (path, params, response.text)
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}


QUERIES = {
    "tlsBreakdown": (
        "query($from: DateTime, $to: DateTime, $zone: String, $id: ID) "
        "{ tlsBreakdown(from: $from, to: $to, timeZone: $zone, connectorId: $id) { total } }"
    ),
    "connectorReport": (
        "query($from: DateTime, $to: DateTime, $zone: String) "
        "{ connectorReport(from: $from, to: $to, timeZone: $zone) { from } }"
    ),
    "clientSubmissions": (
        "query($from: DateTime, $to: DateTime, $zone: String) "
        "{ clientSubmissions(from: $from, to: $to, timeZone: $zone) { total } }"
    ),
    "tlsReports": "query($from: DateTime, $to: DateTime) { tlsReports(from: $from, to: $to) { day } }",
    "insights": "query($id: ID) { insights(connectorId: $id) { id } }",
    "dismissInsight": 'mutation($id: ID!) { dismissInsight(id: $id, reason: "r") { id } }',
}
variables = st.fixed_dictionaries(
    {},
    optional={"from": moments | values, "to": moments | values, "zone": st.sampled_from(ZONES), "id": numbers},
)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(sorted(QUERIES)), variables)
async def test_graphql_report_arguments_never_fail_unexpectedly(
    client: httpx.AsyncClient, field: str, given_variables: dict[str, Any]
) -> None:
    if field == "dismissInsight":
        given_variables.setdefault("id", "1")
    response = await client.post("/graphql", json={"query": QUERIES[field], "variables": given_variables})
    assert response.status_code < 500, response.text
    codes = {e["extensions"]["code"] for e in response.json().get("errors", [])}
    assert "INTERNAL_SERVER_ERROR" not in codes, (field, given_variables, response.text)
