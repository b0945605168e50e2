"""Client submissions: their own direction and view, never inbound mail."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import ingest, rec

WINDOW = {"from": "2026-11-02T00:00:00Z", "to": "2026-11-06T00:00:00Z"}


def counts(body: dict[str, Any]) -> dict[str, int]:
    return {v["tls_version"]: v["messages"] for v in body["versions"] if v["messages"]}


async def test_submissions_have_their_own_view_and_never_count_as_inbound(
    client: httpx.AsyncClient, traffic: dict[str, Any]
) -> None:
    await ingest(client, [rec(20, 9, "TLSv1.3", direction="submission"), rec(21, 9.5, "none", direction="submission")])
    view = (await client.get("/api/v1/client-submissions", params=WINDOW)).json()
    assert (view["direction"], view["total"], counts(view)) == ("submission", 2, {"TLS1.3": 1, "none": 1})
    same = (await client.get("/api/v1/tls-breakdown", params={**WINDOW, "direction": "submission"})).json()
    assert counts(same) == counts(view)
    for direction in ("inbound", "both"):  # the traffic fixture's 11 messages, not one submission more
        body = (await client.get("/api/v1/tls-breakdown", params={**WINDOW, "direction": direction})).json()
        assert body["total"] == (7 if direction == "inbound" else 11)
    report = (await client.get("/api/v1/connector-report", params=WINDOW)).json()
    assert sum(t["volume"] for t in report["totals"]) == 11
    assert {t["connector"]["direction"] for t in report["totals"]} == {"inbound", "outbound"}

    query = """{ clientSubmissions(from: "2026-11-02T00:00:00Z", to: "2026-11-06T00:00:00Z") {
        direction total versions { tlsVersion messages } }
      tlsBreakdown(direction: INBOUND, from: "2026-11-02T00:00:00Z", to: "2026-11-06T00:00:00Z") { total } }"""
    data = (await client.post("/graphql", json={"query": query})).json()["data"]
    assert data["clientSubmissions"]["direction"] == "SUBMISSION"
    assert data["clientSubmissions"]["total"] == 2
    assert data["tlsBreakdown"]["total"] == 7


async def test_submissions_come_over_no_connector(client: httpx.AsyncClient, traffic: dict[str, Any]) -> None:
    response = await client.post(
        "/api/v1/messages", json=[rec(30, 9, "TLSv1.3", direction="submission", connector="Fabrikam")]
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "connector"
    refused = await client.get("/api/v1/connector-report", params={"direction": "submission"})
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["field"] == "direction"
    assert "client-submissions" in refused.json()["error"]["message"]
