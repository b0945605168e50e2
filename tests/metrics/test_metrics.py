"""GET /metrics: off by default, Prometheus text that prometheus_client's parser reads, counters that
move with traffic, its own token, and no organization or mail data in any label."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.context import AppState
from db.keys import create_key
from tests.conftest import make_client
from tests.factories import add_connector
from tests.insights.helpers import records

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
async def metered(state: AppState) -> AsyncIterator[httpx.AsyncClient]:
    """An admin client of a server with MAILFLOW_METRICS=on."""
    on = AppState(dataclasses.replace(state.settings, metrics=True), state.db, state.org_id)
    async with make_client(on, await create_key(state.db.system, state.org_id, "admin", "tests")) as c:
        yield c


async def scrape(client: httpx.AsyncClient, **headers: str) -> Samples:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_are_off_unless_turned_on(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


async def test_counters_move_with_traffic(metered: httpx.AsyncClient) -> None:
    before = await scrape(metered)
    batch = records({"TLS1.2": 3, "none": 1})
    assert (await metered.post("/api/v1/messages", json=batch)).status_code == 200
    assert (await metered.post("/api/v1/messages", json=batch)).status_code == 200  # a retry: duplicates
    refused = await metered.post("/api/v1/messages", json=[*records({"TLS1.3": 2}), {"message_id": "x"}])
    assert refused.status_code == 422
    for _ in range(2):  # the second answer comes from the cache
        assert (await metered.get("/api/v1/summary")).status_code == 200
    after = await scrape(metered)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("mailflow_records_total", outcome="stored") == 4
    assert moved("mailflow_records_total", outcome="duplicate") == 4
    assert moved("mailflow_records_total", outcome="refused") == 3
    assert moved("mailflow_http_requests_total", route="/api/v1/messages", method="POST", status="200") == 2
    assert moved("mailflow_http_requests_total", route="/api/v1/messages", method="POST", status="422") == 1
    assert moved("mailflow_http_request_duration_seconds_count", route="/api/v1/summary") == 2
    assert moved("mailflow_cache_lookups_total", result="hit") >= 1
    assert moved("mailflow_cache_lookups_total", result="miss") >= 1
    assert moved("mailflow_insight_evaluation_seconds_count") >= 1  # after the ingest that stored
    assert value(after, "mailflow_db_connections_idle", pool="tenant") >= 1
    assert ("mailflow_db_connections_waiting", ()) in after


async def test_labels_carry_no_organization_or_mail_data(metered: httpx.AsyncClient, state: AppState) -> None:
    await add_connector(metered, "Fabrikam Secret Partner", "inbound", "partner")
    connector_id = (await metered.get("/api/v1/connectors")).json()["connectors"][0]["id"]
    rules = await metered.put(f"/api/v1/connectors/{connector_id}/rules", json={"rules": []})
    assert rules.status_code == 200, rules.text
    assert (await metered.get("/api/v1/no-such-thing")).status_code == 404
    text = (await metered.get("/metrics")).text
    organization = await state.db.system.fetchval("select name from organizations where org_id = $1", state.org_id)
    assert organization not in text
    assert "Fabrikam" not in text
    assert 'route="/api/v1/connectors/{connector_id:id}/rules"' in text  # the template, not the id
    assert f"/api/v1/connectors/{connector_id}/" not in text
    assert 'route="unmatched"' in text


async def test_a_metrics_token_guards_the_endpoint(state: AppState) -> None:
    settings = dataclasses.replace(state.settings, metrics=True, metrics_token="s3cret")
    guarded = AppState(settings, state.db, state.org_id)
    api_key = await create_key(state.db.system, state.org_id, "admin", "tests")
    async with make_client(guarded, api_key) as client:  # an API key does not open it
        refused = await client.get("/metrics")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "UNAUTHENTICATED"
        assert "MAILFLOW_METRICS_TOKEN" in refused.json()["error"]["message"]
        assert (await client.get("/metrics", headers={"authorization": "Bearer wrong"})).status_code == 401
        assert "mailflow_records_total" in str(await scrape(client, authorization="Bearer s3cret"))
