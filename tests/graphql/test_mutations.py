from __future__ import annotations

from typing import Any

import httpx

from api.context import AppState
from db.messages import count_messages_by_tls_bucket
from tests.graphql.helpers import gql

CREATE = """
mutation ($c: ConnectorInput!) { createConnector(connector: $c) { id name direction type forcedTls } }
"""
INGEST = "mutation ($r: [MessageInput!]!) { ingestMessages(records: $r) { accepted duplicates } }"


def record(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "messageId": f"<g{n}@example.org>",
        "receivedAt": "2026-11-20T10:00:00+01:00",
        "direction": "INBOUND",
        "tlsVersion": "TLSv1.3",
        **fields,
    }


async def test_create_connector_and_list(client: httpx.AsyncClient) -> None:
    body = await gql(client, CREATE, c={"name": "Fabrikam", "direction": "INBOUND", "type": "PARTNER"})
    created = body["data"]["createConnector"]
    assert created["name"] == "Fabrikam"
    assert created["forcedTls"] is False
    again = await gql(client, CREATE, c={"name": "Fabrikam", "direction": "INBOUND", "type": "PARTNER"})
    assert again["errors"][0]["extensions"]["code"] == "CONFLICT"
    listed = await gql(client, "{ connectors { id name type } }")
    assert listed["data"]["connectors"] == [{"id": created["id"], "name": "Fabrikam", "type": "PARTNER"}]


async def test_ingest_messages_counts_duplicates(client: httpx.AsyncClient, state: AppState) -> None:
    records = [record(1), record(2, tlsVersion="none", direction="OUTBOUND")]
    assert (await gql(client, INGEST, r=records))["data"]["ingestMessages"] == {
        "accepted": 2,
        "duplicates": 0,
    }
    assert (await gql(client, INGEST, r=records))["data"]["ingestMessages"] == {
        "accepted": 0,
        "duplicates": 2,
    }
    assert await count_messages_by_tls_bucket(state.pool, state.org_id) == {
        ("inbound", "TLS1.3"): 1,
        ("outbound", "none"): 1,
    }


async def test_invalid_records_write_nothing_and_name_fields(client: httpx.AsyncClient, state: AppState) -> None:
    body = await gql(
        client,
        INGEST,
        r=[
            record(1),
            record(2, tlsVersion="TLSv5", connector="Nobody"),
            record(3, receivedAt="2026-11-20T10:00:00"),
        ],
    )
    error = body["errors"][0]
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert {(d["line"], d["field"]) for d in error["extensions"]["details"]} == {
        (2, "tlsVersion"),
        (2, "connector"),
        (3, "receivedAt"),
    }
    assert body["data"] is None
    assert await count_messages_by_tls_bucket(state.pool, state.org_id) == {}


async def test_a_malformed_query_is_a_validation_error(client: httpx.AsyncClient) -> None:
    body = await gql(client, "{ connectors { nope } }")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_create_connector_refuses_look_alikes_and_invisible_characters(client: httpx.AsyncClient) -> None:
    body = await gql(client, CREATE, c={"name": "Contoso", "direction": "INBOUND", "type": "PARTNER"})
    contoso = body["data"]["createConnector"]
    look_alike = await gql(client, CREATE, c={"name": "\u0421ontoso", "direction": "INBOUND", "type": "PARTNER"})
    error = look_alike["errors"][0]
    assert error["extensions"]["code"] == "CONFLICT"
    assert f"looks like the inbound connector 'Contoso' (id {contoso['id']})" in error["message"]
    assert error["extensions"]["details"][0]["field"] == "name"
    hidden = await gql(client, CREATE, c={"name": "Fab\u202erikam", "direction": "INBOUND", "type": "PARTNER"})
    error = hidden["errors"][0]
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    [detail] = error["extensions"]["details"]
    assert detail["field"] == "name"
    assert detail["message"].startswith(
        "contains U+202E RIGHT-TO-LEFT OVERRIDE (a bidirectional control character) at position 4"
    )
    fullwidth = await gql(client, CREATE, c={"name": "\uff37oodgrove", "direction": "INBOUND", "type": "PARTNER"})
    assert fullwidth["data"]["createConnector"]["name"] == "Woodgrove"
    listed = await gql(client, "{ connectors { name } }")
    assert listed["data"]["connectors"] == [{"name": "Contoso"}, {"name": "Woodgrove"}]
