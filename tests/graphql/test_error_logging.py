"""What strawberry logs of a request's errors (api/schema.py Schema.process_errors): a client's mistakes are
answered, not logged at ERROR (hostile input cannot fill the log); a fault still is."""

from __future__ import annotations

import logging

import httpx
import pytest

from services import reports
from tests.graphql.helpers import gql


async def test_a_clients_mistakes_are_not_logged(client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    for query, variables in [
        ("query($l: Int!) { remoteDomains(limit: $l) { total } }", {"l": "x"}),  # a variable of the wrong type
        ('{ tlsBreakdown(direction: INBOUND, from: "yesterday") { total } }', None),  # a resolver's 400
        ("{ nothing }", None),  # validation
        ("{", None),  # parsing
    ]:
        response = await client.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code < 500, query
        assert response.json()["errors"], query
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_fault_is_still_logged(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(reports, "summary", broken)
    answer = await gql(client, "{ mailFlowSummary { inbound { total } } }")
    assert answer["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert any(r.levelno >= logging.ERROR for r in caplog.records)
