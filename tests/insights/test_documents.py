"""db/insights.py reads an insight's document (the insight_states view) into an Insight, and its json() gives
back the document byte for byte as the database wrote it: REST and the CLI answer it, so its key order,
numbers and timestamps must not change on the way through the dataclass."""

from __future__ import annotations

import json
from typing import Any

import httpx
import orjson

from api.context import AppState
from db.insight_documents import Insight
from tests.factories import add_connector
from tests.insights.helpers import feed, records


def made(**changes: Any) -> dict[str, Any]:
    """A document as PostgreSQL writes it (jsonb's key order: shorter keys first)."""
    text = (
        '{"id": 7, "rule": "inbound_partner_tls10", "share": 75.5, "title": "T", "status": "dismissed", '
        '"volume": 200, "subject": null, "messages": 151, "severity": 3, "connector": {"id": 0, "name": '
        '"From the internet without a connector", "type": "internet", "direction": "inbound", "forced_tls": false}, '
        '"threshold": 30, "window_to": "2026-06-01T10:04:56.12-02:30", "description": "D", "resolved_at": '
        'null, "window_from": "2026-05-25T12:00:00+00:00", "dismissed_at": "2026-06-01T12:34:56.000001+00:00", '
        '"dismiss_reason": "known", "remote_domains": [{"domain": null, "volume": 5, "messages": 4}], '
        '"remote_servers": [], "last_detected_at": "2026-06-01T12:34:56.5+00:00", "first_detected_at": '
        '"2026-05-30T00:00:00.1+05:30", "recommended_action": "A"}'
    )
    document: dict[str, Any] = json.loads(text)
    return document | changes


def test_a_document_comes_back_byte_for_byte() -> None:
    document = made()
    insight = Insight.of(document)
    assert insight.dismissed_at is not None
    assert insight.dismissed_at.microsecond == 1
    assert insight.window_to.microsecond == 120000
    assert insight.remote_domains[0].domain is None
    assert orjson.dumps(insight.json()) == orjson.dumps(document)
    assert b'"threshold":30,' in orjson.dumps(insight.json())  # an integral numeric stays an integer


def test_an_old_event_document_reads_without_the_later_keys() -> None:
    """Events keep the document as it stood: before db/migrations/0005 and 0013 it had no subject and no
    remote parties."""
    document = made()
    for key in ("subject", "remote_domains", "remote_servers"):
        del document[key]
    insight = Insight.of(document)
    assert (insight.subject, insight.remote_domains, insight.remote_servers) == (None, [], [])


async def test_rest_answers_the_stored_document(client: httpx.AsyncClient, state: AppState) -> None:
    await add_connector(client, "Fabrikam", "inbound", "partner")
    await feed(client, records({"TLS1.0": 150, "TLS1.2": 50}, "inbound", "Fabrikam"))
    response = await client.get("/api/v1/insights")
    async with state.pool.acquire() as conn:
        stored = await conn.fetch("select state::text as state from insight_states order by insight_id desc")
    assert stored
    documents = [json.loads(r["state"]) for r in stored]
    assert response.content == orjson.dumps({"insights": documents})
    dismissed = await client.post(f"/api/v1/insights/{documents[0]['id']}/dismiss", json={"reason": "known"})
    assert dismissed.status_code == 200, dismissed.text
    async with state.pool.acquire() as conn:
        text = await conn.fetchval("select state::text from insight_states where insight_id = $1", documents[0]["id"])
    assert json.loads(text)["dismissed_at"] is not None
    assert dismissed.content == orjson.dumps({"insight": json.loads(text)})
