"""Retention said out loud: what is older than it is not stored and the answer says so; a report window
that starts before it says so instead of showing silent zeros; nothing dated in the future is stored."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from api.context import AppState
from db.messages import retained_from
from tests.conftest import make_client
from tests.factories import message


async def test_records_older_than_the_retention_are_counted_not_stored(state: AppState, admin_token: str) -> None:
    short = dataclasses.replace(state, settings=dataclasses.replace(state.settings, retention_days=30))
    now = datetime.now(UTC)
    records = [
        message(1, received_at=(now - timedelta(days=40)).isoformat()),
        message(2, received_at=(now - timedelta(days=31, hours=1)).isoformat()),
        message(3, received_at=(now - timedelta(days=1)).isoformat()),
    ]
    async with make_client(short, admin_token) as client:
        body = (await client.post("/api/v1/messages", json=records)).json()
        assert (body["accepted"], body["duplicates"], body["expired"]) == (1, 0, 2)
        (warning,) = body["warnings"]
        assert "2 record(s) received before" in warning
        assert "MAILFLOW_RETENTION_DAYS" in warning
        again = (await client.post("/api/v1/messages", json=records)).json()
        assert (again["accepted"], again["duplicates"], again["expired"]) == (0, 1, 2)

        mutation = """mutation($r: [MessageInput!]!) { ingestMessages(records: $r) { accepted expired warnings } }"""
        old = {"messageId": "m-old", "receivedAt": (now - timedelta(days=45)).isoformat(), "direction": "INBOUND",
               "tlsVersion": "TLSv1.2"}  # fmt: skip
        answer = (await client.post("/graphql", json={"query": mutation, "variables": {"r": [old]}})).json()
        assert answer["data"]["ingestMessages"]["accepted"] == 0
        assert answer["data"]["ingestMessages"]["expired"] == 1
        assert answer["data"]["ingestMessages"]["warnings"]


async def test_a_window_that_starts_before_the_retention_says_so(state: AppState, admin_token: str) -> None:
    short = dataclasses.replace(state, settings=dataclasses.replace(state.settings, retention_days=30))
    kept = retained_from(30)
    async with make_client(short, admin_token) as client:
        inside = (await client.get("/api/v1/tls-breakdown")).json()  # the last 7 days
        assert inside["retained_from"] == kept.isoformat()
        assert inside["warnings"] == []
        start = (kept - timedelta(days=10)).date().isoformat()
        before = (await client.get("/api/v1/tls-breakdown", params={"from": start})).json()
        (warning,) = before["warnings"]
        assert kept.isoformat() in warning
        assert "MAILFLOW_RETENTION_DAYS=30" in warning
        report = (await client.get("/api/v1/connector-report", params={"from": start})).json()
        assert report["warnings"] == before["warnings"]
        query = f'{{ connectorReport(from: "{start}") {{ retainedFrom warnings }} }}'
        data = (await client.post("/graphql", json={"query": query})).json()["data"]["connectorReport"]
        assert data["warnings"] == before["warnings"]
        assert datetime.fromisoformat(data["retainedFrom"]) == kept


async def test_a_record_dated_in_the_future_is_refused(client: httpx.AsyncClient) -> None:
    later = datetime.now(UTC) + timedelta(days=2)
    response = await client.post("/api/v1/messages", json=[message(1, received_at=later.isoformat())])
    assert response.status_code == 422
    (problem,) = response.json()["error"]["details"]
    assert problem["field"] == "received_at"
    assert "more than a day in the future" in problem["message"]
    soon = datetime.now(UTC) + timedelta(hours=20)  # clocks disagree a little: within a day is fine
    assert (await client.post("/api/v1/messages", json=[message(2, received_at=soon.isoformat())])).status_code == 200


async def test_tls_reports_older_than_the_retention_are_said_not_stored(
    state: AppState, admin_token: str, pool: asyncpg.Pool
) -> None:
    short = dataclasses.replace(state, settings=dataclasses.replace(state.settings, retention_days=30))
    start = datetime.now(UTC) - timedelta(days=60)

    def report(report_id: str, start: datetime) -> dict[str, Any]:
        return {
            "organization-name": "Example Sender",
            "report-id": report_id,
            "date-range": {"start-datetime": start.isoformat(), "end-datetime": (start + timedelta(1)).isoformat()},
            "policies": [
                {"policy": {"policy-type": "sts", "policy-domain": "contoso.com"},
                 "summary": {"total-successful-session-count": 9, "total-failure-session-count": 1}}
            ],
        }  # fmt: skip

    async with make_client(short, admin_token) as client:
        old = await client.post("/api/v1/tls-reports", json=report("old-1", start))
        assert old.status_code == 200
        (entry,) = old.json()["reports"]
        assert (entry["stored"], entry["expired"]) == (False, True)
        (warning,) = old.json()["warnings"]
        assert "MAILFLOW_RETENTION_DAYS" in warning
        recent = await client.post("/api/v1/tls-reports", json=report("new-1", datetime.now(UTC) - timedelta(days=2)))
        assert recent.status_code == 201
        assert recent.json()["warnings"] == []
    stored = await pool.fetch("select report_id from tls_reports where org_id = $1", state.org_id)
    assert [r["report_id"] for r in stored] == ["new-1"]
