from __future__ import annotations

import httpx
import pytest

from tests.factories import add_connector
from tests.graphql.helpers import gql
from tests.insights.helpers import active, feed, records

FIELDS = """id rule title description recommendedAction status share messages windowFrom windowTo
  firstDetectedAt lastDetectedAt resolvedAt connector { id name direction type }"""


async def test_insights_query_matches_rest(client: httpx.AsyncClient) -> None:
    fab = await add_connector(client, "Fabrikam", "inbound", "partner")
    await feed(client, records({"TLS1.0": 130, "TLS1.2": 70}, "inbound", "Fabrikam"))
    body = await gql(client, f"{{ insights {{ {FIELDS} }} }}")
    (insight,) = body["data"]["insights"]
    (rest,) = await active(client)
    assert insight["id"] == str(rest["id"])
    assert insight["rule"] == "inbound_partner_tls10"
    assert insight["share"] == rest["share"] == 65.0
    assert insight["messages"] == 130
    assert insight["status"] == "ACTIVE"
    assert insight["connector"] == {
        "id": str(fab["id"]),
        "name": "Fabrikam",
        "direction": "INBOUND",
        "type": "PARTNER",
    }
    assert insight["resolvedAt"] is None
    by_connector = await gql(client, "query ($c: ID) { insights(status: ALL, connectorId: $c) { id } }", c="0")
    assert by_connector["data"]["insights"] == []


async def test_dismiss_and_thresholds(client: httpx.AsyncClient) -> None:
    await add_connector(client, "Fabrikam", "inbound", "partner")
    await feed(client, records({"TLS1.0": 130, "TLS1.2": 70}, "inbound", "Fabrikam"))
    (insight,) = await active(client)
    dismissed = await gql(
        client,
        'mutation ($id: ID!) { dismissInsight(id: $id, reason: "known") { status dismissReason } }',
        id=str(insight["id"]),
    )
    assert dismissed["data"]["dismissInsight"] == {"status": "DISMISSED", "dismissReason": "known"}
    again = await gql(
        client,
        'mutation ($id: ID!) { dismissInsight(id: $id, reason: "x") { status } }',
        id=str(insight["id"]),
    )
    assert again["errors"][0]["extensions"]["code"] == "CONFLICT"
    missing = await gql(client, 'mutation { dismissInsight(id: "999999", reason: "x") { status } }')
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    update = """mutation ($rules: [InsightRuleInput!]) {
      updateInsightThresholds(rules: $rules, windowDays: 14) {
        windowDays rules { rule threshold minMessages enabled } } }"""
    body = await gql(client, update, rules=[{"rule": "connector_no_tls", "threshold": 10, "minMessages": 5}])
    settings = body["data"]["updateInsightThresholds"]
    assert settings["windowDays"] == 14
    rule = next(r for r in settings["rules"] if r["rule"] == "connector_no_tls")
    assert rule == {"rule": "connector_no_tls", "threshold": 10.0, "minMessages": 5, "enabled": True}
    bad = await gql(client, update, rules=[{"rule": "nope", "threshold": 10}])
    assert bad["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"
    assert bad["errors"][0]["extensions"]["details"][0]["field"] == "rules.nope"
    read = await gql(client, "{ insightSettings { windowDays } }")
    assert read["data"]["insightSettings"]["windowDays"] == 14


@pytest.mark.parametrize("given", ["abc", "1_0", "-1", "99999999999999999999"])
async def test_dismiss_names_a_bad_insight_id_as_one(client: httpx.AsyncClient, given: str) -> None:
    body = await gql(client, 'mutation ($id: ID!) { dismissInsight(id: $id, reason: "x") { status } }', id=given)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == f"id: {given!r} is not an insight id"
