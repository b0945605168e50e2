"""The GraphQL views answer exactly what REST answers, with a fixed number of statements."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from db.sql import count_statements
from tests.factories import add_connector, ingest, rec
from tests.graphql.helpers import gql

WINDOW = {"from": "2026-11-02T00:00:00Z", "to": "2026-11-06T00:00:00Z"}
VERSIONS = "versions { tlsVersion messages share }"


def rest_versions(versions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"tlsVersion": v["tls_version"], "messages": v["messages"], "share": v["share"]} for v in versions]


async def test_summary_matches_rest(client: httpx.AsyncClient, traffic: dict[str, Any]) -> None:
    body = await gql(
        client,
        f"{{ mailFlowSummary {{ from to inbound {{ total {VERSIONS} }} outbound {{ total {VERSIONS} }} }} }}",
    )
    summary = body["data"]["mailFlowSummary"]
    rest = (await client.get("/api/v1/summary")).json()
    for direction in ("inbound", "outbound"):
        assert summary[direction]["total"] == rest[direction]["total"]
        assert summary[direction]["versions"] == rest_versions(rest[direction]["versions"])


@pytest.mark.parametrize("time_zone", ["UTC", "Europe/Berlin", "America/Los_Angeles"])
@pytest.mark.parametrize("direction", ["INBOUND", "OUTBOUND", "BOTH"])
async def test_breakdown_matches_rest(
    client: httpx.AsyncClient, traffic: dict[str, Any], time_zone: str, direction: str
) -> None:
    query = f"""query ($d: Direction!, $from: DateTime, $to: DateTime, $tz: String) {{
      tlsBreakdown(direction: $d, from: $from, to: $to, timeZone: $tz) {{
        direction from to timeZone total {VERSIONS} daily {{ day total {VERSIONS} }} }} }}"""
    body = await gql(client, query, d=direction, tz=time_zone, **WINDOW)
    graph = body["data"]["tlsBreakdown"]
    rest = (
        await client.get(
            "/api/v1/tls-breakdown", params={**WINDOW, "time_zone": time_zone, "direction": direction.lower()}
        )
    ).json()
    assert graph["total"] == rest["total"]
    assert graph["timeZone"] == rest["time_zone"] == time_zone
    assert graph["versions"] == rest_versions(rest["versions"])
    assert [(d["day"], d["total"]) for d in graph["daily"]] == [(d["day"], d["total"]) for d in rest["daily"]]
    assert [d["versions"] for d in graph["daily"]] == [rest_versions(d["versions"]) for d in rest["daily"]]


async def test_breakdown_for_a_connector(client: httpx.AsyncClient, traffic: dict[str, Any]) -> None:
    query = """query ($c: ID, $from: DateTime, $to: DateTime) {
      tlsBreakdown(connectorId: $c, from: $from, to: $to) { total } }"""
    body = await gql(client, query, c=str(traffic["fabrikam"]), **WINDOW)
    assert body["data"]["tlsBreakdown"]["total"] == 3


async def test_connector_report_matches_rest(client: httpx.AsyncClient, traffic: dict[str, Any]) -> None:
    fields = "connector { id name direction type forcedTls } volume noTls tls10 tls11 tls12 tls13 unknown"
    counts = "counts { none tls10 tls11 tls12 tls13 unknown }"
    query = f"""query ($from: DateTime, $to: DateTime) {{
      connectorReport(from: $from, to: $to, timeZone: "Europe/Berlin") {{
        rows {{ day {fields} {counts} }} totals {{ {fields} {counts} }} }} }}"""
    graph = (await gql(client, query, **WINDOW))["data"]["connectorReport"]
    rest = (await client.get("/api/v1/connector-report", params={**WINDOW, "time_zone": "Europe/Berlin"})).json()

    def from_rest(row: dict[str, Any]) -> dict[str, Any]:
        c = row["connector"]
        p = row["percent"]
        m = row["messages"]
        shaped = {
            "connector": {
                "id": str(c["id"]),
                "name": c["name"],
                "direction": c["direction"].upper(),
                "type": c["type"].upper(),
                "forcedTls": c["forced_tls"],
            },
            "volume": row["volume"],
            "noTls": p["none"],
            "tls10": p["TLS1.0"],
            "tls11": p["TLS1.1"],
            "tls12": p["TLS1.2"],
            "tls13": p["TLS1.3"],
            "unknown": p["unknown"],
            "counts": {
                "none": m["none"],
                "tls10": m["TLS1.0"],
                "tls11": m["TLS1.1"],
                "tls12": m["TLS1.2"],
                "tls13": m["TLS1.3"],
                "unknown": m["unknown"],
            },
        }
        return {"day": row["day"], **shaped} if "day" in row else shaped

    assert graph["rows"] == [from_rest(r) for r in rest["rows"]]
    assert graph["totals"] == [from_rest(r) for r in rest["totals"]]
    assert len(graph["rows"]) == 5


async def test_connectors_report_without_n_plus_1(client: httpx.AsyncClient, traffic: dict[str, Any]) -> None:
    query = f"""query ($from: DateTime, $to: DateTime) {{
      connectors {{ name report(from: $from, to: $to) {{ volume total {VERSIONS} }} }} }}"""
    with count_statements() as few:
        body = await gql(client, query, **WINDOW)
    reports = {c["name"]: c["report"]["volume"] for c in body["data"]["connectors"]}
    assert reports == {"Fabrikam": 3, "Contoso Exchange": 1, "Woodgrove": 2}
    assert all(c["report"]["total"] == c["report"]["volume"] for c in body["data"]["connectors"])
    for n in range(8):
        await add_connector(client, f"Extra {n}", "outbound", "partner")
    await ingest(client, [rec(100 + n, 50, "TLSv1.2", "outbound", f"Extra {n}") for n in range(8)])
    with count_statements() as many:
        body = await gql(client, query, **WINDOW)
    assert len(body["data"]["connectors"]) == 11
    assert all(c["report"]["total"] == 1 for c in body["data"]["connectors"] if c["name"].startswith("Extra"))
    assert len(many) == len(few)
    assert many == [
        "keys/key_by_id",
        "organizations/organization_generation",
        "connectors/list_connectors",
        "traffic_counts/traffic_by_connector",
    ]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ('from: "2026-11-05T00:00:00Z", to: "2026-11-02T00:00:00Z"', "from"),
        ('from: "2026-01-01T00:00:00Z", to: "2026-06-01T00:00:00Z"', "to"),
        ('timeZone: "Nowhere/Special"', "timeZone"),
        ('connectorId: "424242424"', "connectorId"),
        ('connectorId: "1581042900100899667968"', "connectorId"),
    ],
)
async def test_bad_arguments_are_bad_user_input(client: httpx.AsyncClient, arguments: str, field: str) -> None:
    body = await gql(client, f"{{ tlsBreakdown({arguments}) {{ total }} }}")
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["details"][0]["field"] == field
    assert error["path"] == ["tlsBreakdown"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ('{ connectorReport(connectorName: "Fab\\u0000") { from } }', "connectorName"),
        ('{ tlsReports(policyDomain: "contoso.com\\u0000") { day } }', "policyDomain"),
        ('{ tlsReportList(policyDomain: "contoso.com\\u0000") { total } }', "policyDomain"),
    ],
)
async def test_a_nul_in_a_text_filter_is_bad_user_input_naming_it(
    client: httpx.AsyncClient, query: str, field: str
) -> None:
    error = (await gql(client, query))["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["details"][0]["field"] == field


async def test_a_malformed_argument_value_is_bad_user_input(client: httpx.AsyncClient) -> None:
    body = await gql(client, "{ tlsBreakdown(direction: SIDEWAYS) { total } }")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await gql(client, '{ tlsBreakdown(from: "not a date") { total } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_viewer_names_the_organization_and_role(client: httpx.AsyncClient, state: Any) -> None:
    body = await gql(client, "{ viewer { organizationId organizationName role } }")
    name = await state.db.system.fetchval("select name from organizations where org_id = $1", state.org_id)
    assert name.startswith("test-")
    assert body["data"]["viewer"] == {"organizationId": str(state.org_id), "organizationName": name, "role": "admin"}
