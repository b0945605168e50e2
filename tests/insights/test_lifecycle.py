"""Fire, update, resolve by aging out, reopen, dismiss, and fire again after a dismissal."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.context import AppState
from api.insights.evaluate import evaluate
from tests.factories import add_connector
from tests.insights.helpers import active, evaluate_at, feed, records


async def kinds(client: httpx.AsyncClient) -> list[str]:
    events = (await client.get("/api/v1/insights/events")).json()["events"]
    return [e["type"] for e in events]


async def test_an_insight_is_visible_as_soon_as_the_ingest_answers(client: httpx.AsyncClient) -> None:
    await add_connector(client, "Fabrikam", "inbound", "partner")
    started = time.monotonic()
    await feed(client, records({"TLS1.0": 150, "TLS1.2": 50}, "inbound", "Fabrikam"))
    insights = await active(client)
    assert time.monotonic() - started < 1.0
    assert [i["rule"] for i in insights] == ["inbound_partner_tls10"]
    assert insights[0]["share"] == 75.0
    assert insights[0]["status"] == "active"


async def test_lifecycle(client: httpx.AsyncClient, state: AppState) -> None:
    await add_connector(client, "Fabrikam", "inbound", "partner")
    await feed(client, records({"TLS1.0": 100, "TLS1.2": 50}, "inbound", "Fabrikam"))
    (first,) = await active(client)
    # more of the same: new figures, an `updated` event
    await feed(client, records({"TLS1.0": 100}, "inbound", "Fabrikam"))
    (updated,) = await active(client)
    assert updated["id"] == first["id"]
    assert updated["messages"] == 200
    assert updated["first_detected_at"] == first["first_detected_at"]
    # evaluating again with nothing new changes nothing
    assert await evaluate(state.pool, state.org_id) == {}
    assert await kinds(client) == ["created", "updated"]

    # the traffic ages out of the 7-day window: resolved
    now = datetime.now(UTC)
    assert await evaluate_at(state, now + timedelta(days=8)) == {"resolved": 1}
    assert await active(client) == []
    (resolved,) = await active(client, "resolved")
    assert resolved["resolved_at"] is not None

    # back inside the window (as new traffic would bring it): the same insight reopens
    assert await evaluate_at(state, now) == {"reopened": 1}
    (reopened,) = await active(client)
    assert reopened["id"] == first["id"]
    assert reopened["resolved_at"] is None

    # dismissed: stays dismissed while the condition lasts
    response = await client.post(f"/api/v1/insights/{first['id']}/dismiss", json={"reason": "partner upgrading in May"})
    assert response.status_code == 200, response.text
    assert response.json()["insight"]["status"] == "dismissed"
    assert response.json()["insight"]["dismiss_reason"] == "partner upgrading in May"
    await feed(client, records({"TLS1.0": 10}, "inbound", "Fabrikam"))
    assert await active(client) == []
    (dismissed,) = await active(client, "dismissed")
    assert dismissed["messages"] == 210  # figures still follow the traffic
    assert dismissed["resolved_at"] is None

    # the condition clears (ages out) and returns: a new active insight
    assert await evaluate_at(state, now + timedelta(days=8)) == {"resolved": 1}
    assert await evaluate_at(state, now) == {"created": 1}
    (again,) = await active(client)
    assert again["id"] != first["id"]
    assert await kinds(client) == [
        "created",
        "updated",
        "resolved",
        "reopened",
        "dismissed",
        "resolved",
        "created",
    ]
    every = await active(client, "all")
    assert {i["status"] for i in every} == {"active", "dismissed"}


async def test_dismiss_errors(client: httpx.AsyncClient) -> None:
    await add_connector(client, "Fabrikam", "inbound", "partner")
    await feed(client, records({"TLS1.0": 100}, "inbound", "Fabrikam"))
    (insight,) = await active(client)
    response = await client.post(f"/api/v1/insights/{insight['id']}/dismiss", json={})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "reason"
    assert (await client.post("/api/v1/insights/999999999/dismiss", json={"reason": "x"})).status_code == 404
    assert (await client.post("/api/v1/insights/99999999999999999999/dismiss", json={"reason": "x"})).status_code == 404
    assert (await client.post(f"/api/v1/insights/{insight['id']}/dismiss", json={"reason": "x"})).status_code == 200
    again = await client.post(f"/api/v1/insights/{insight['id']}/dismiss", json={"reason": "x"})
    assert again.status_code == 409
    bad = await client.post(f"/api/v1/insights/{insight['id']}/dismiss", content=b"{nope")
    assert bad.status_code == 400


async def test_concurrent_ingests_and_evaluations_never_duplicate(client: httpx.AsyncClient, state: AppState) -> None:
    await add_connector(client, "Fabrikam", "inbound", "partner")
    batches = [records({"TLS1.0": 60, "TLS1.2": 10}, "inbound", "Fabrikam") for _ in range(6)]
    await asyncio.gather(*(feed(client, b) for b in batches), *(evaluate(state.pool, state.org_id) for _ in range(6)))
    everything = await active(client, "all")
    assert len(everything) == 1
    assert everything[0]["messages"] == 360


async def test_thresholds_are_per_organization(client: httpx.AsyncClient, state: AppState, pool: object) -> None:
    await add_connector(client, "Fabrikam", "inbound", "partner")
    await feed(client, records({"TLS1.0": 120, "TLS1.2": 80}, "inbound", "Fabrikam"))  # 60%
    assert len(await active(client)) == 1
    response = await client.put(
        "/api/v1/insight-settings", json={"rules": {"inbound_partner_tls10": {"threshold": 70}}}
    )
    assert response.status_code == 200, response.text
    assert response.json()["rules"]["inbound_partner_tls10"]["threshold"] == 70.0
    assert response.json()["rules"]["inbound_onprem_tls10"]["threshold"] == 50.0
    assert await active(client) == []  # re-evaluated at once
    settings = (await client.get("/api/v1/insight-settings")).json()
    assert settings["rules"]["inbound_partner_tls10"]["threshold"] == 70.0
    assert settings["window_days"] == 7
    # another organization keeps the defaults
    from db.organizations import ensure_organization
    from services.insights import load_settings

    other = await ensure_organization(state.db.system, f"{state.org_id}-other")
    assert (await load_settings(state.db.for_org(other), other)).rules["inbound_partner_tls10"].threshold == 50.0
    # a lower minimum and a shorter window apply too
    await client.put(
        "/api/v1/insight-settings",
        json={"window_days": 1, "rules": {"inbound_partner_tls10": {"threshold": 50}}},
    )
    assert len(await active(client)) == 1
    await client.put("/api/v1/insight-settings", json={"rules": {"inbound_partner_tls10": {"enabled": False}}})
    assert await active(client) == []


async def test_invalid_settings_change_nothing(client: httpx.AsyncClient) -> None:
    response = await client.put(
        "/api/v1/insight-settings",
        json={
            "window_days": 0,
            "rules": {"nope": {}, "connector_no_tls": {"threshold": 120, "min_messages": 0, "color": "red"}},
        },
    )
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert fields == {
        "window_days",
        "rules.nope",
        "rules.connector_no_tls.threshold",
        "rules.connector_no_tls.min_messages",
        "rules.connector_no_tls.color",
    }
    assert (await client.get("/api/v1/insight-settings")).json()["rules"]["connector_no_tls"]["threshold"] == 25.0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"threshold": {}}, "threshold"),  # was a 500: the update was built from it before refusing
        ({"threshold": "5"}, "threshold"),
        ({"min_messages": 2**63}, "min_messages"),  # beyond a bigint: refused by name, not by PostgreSQL
    ],
)
async def test_a_rule_change_of_the_wrong_kind_is_refused_by_name(
    client: httpx.AsyncClient, change: dict[str, object], field: str
) -> None:
    response = await client.put("/api/v1/insight-settings", json={"rules": {"connector_no_tls": change}})
    assert response.status_code == 422, response.text
    assert [d["field"] for d in response.json()["error"]["details"]] == [f"rules.connector_no_tls.{field}"]
