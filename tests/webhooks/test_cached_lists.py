"""Webhooks and TLS reporting URLs listed through GraphQL: a change (a new one, a removal) shows in the next
answer. Such lists change without a data generation (delivery attempts, mailbox polls), so the response cache
answers them afresh every time (api/graphql.py UNCACHED_FIELDS)."""

from __future__ import annotations

import httpx

from tests.graphql.helpers import gql
from tests.webhooks.helpers import subscribe


async def test_admin_lists_show_their_writes_at_once(client: httpx.AsyncClient) -> None:
    query = "{ webhooks { id } tlsrptEndpoints { id } }"
    before = (await gql(client, query))["data"]
    assert (await gql(client, query))["data"] == before  # from the cache
    hook = await subscribe(client, "http://127.0.0.1:9/hook")
    endpoint = await client.post("/api/v1/tlsrpt-endpoints", json={})
    assert endpoint.status_code == 201, endpoint.text
    after = (await gql(client, query))["data"]
    assert str(hook["id"]) in {w["id"] for w in after["webhooks"]}
    assert str(endpoint.json()["id"]) in {e["id"] for e in after["tlsrptEndpoints"]}
    assert (await client.delete(f"/api/v1/webhooks/{hook['id']}")).status_code in (200, 204)
    assert str(hook["id"]) not in {w["id"] for w in (await gql(client, query))["data"]["webhooks"]}
