from __future__ import annotations

import gzip

import httpx
import orjson
import pytest

import api.feed
from api.context import AppState
from db.messages import count_messages_by_tls_bucket
from tests.factories import add_connector, ingest, message


async def stored(state: AppState) -> dict[tuple[str, str], int]:
    return await count_messages_by_tls_bucket(state.pool, state.org_id)


async def rollup_total(state: AppState) -> int:
    total = await state.pool.fetchval(
        "select coalesce(sum(messages), 0) from hourly_rollups where org_id = $1", state.org_id
    )
    return int(total)


async def test_accepts_a_json_array_and_rolls_it_up(client: httpx.AsyncClient, state: AppState) -> None:
    await add_connector(client, "Fabrikam")
    records = [
        message(1, tls_version="TLSv1.3"),
        message(2, tls_version="TLS 1.0", connector="Fabrikam"),
        message(3, tls_version="none", direction="outbound", size_bytes=1000),
    ]
    assert await ingest(client, records) == {"accepted": 3, "duplicates": 0, "expired": 0, "warnings": []}
    assert await stored(state) == {
        ("inbound", "TLS1.0"): 1,
        ("inbound", "TLS1.3"): 1,
        ("outbound", "none"): 1,
    }
    rows = await state.pool.fetch(
        "select direction, connector_id, messages, no_tls, tls10, tls11, tls12, tls13, unknown, bytes"
        " from hourly_rollups where org_id = $1 order by 1, 2",
        state.org_id,
    )
    connector_id = (await client.get("/api/v1/connectors")).json()["connectors"][0]["id"]
    assert [tuple(r) for r in rows] == [
        ("inbound", 0, 1, 0, 0, 0, 0, 1, 0, 0),
        ("inbound", connector_id, 1, 0, 1, 0, 0, 0, 0, 0),
        ("outbound", 0, 1, 1, 0, 0, 0, 0, 0, 1000),
    ]


async def test_a_retry_counts_duplicates_and_changes_nothing(client: httpx.AsyncClient, state: AppState) -> None:
    records = [message(n) for n in range(50)]
    assert await ingest(client, records) == {"accepted": 50, "duplicates": 0, "expired": 0, "warnings": []}
    assert await ingest(client, records) == {"accepted": 0, "duplicates": 50, "expired": 0, "warnings": []}
    # a partial overlap, and a repeat inside one batch
    again = [message(n) for n in range(40, 60)] + [message(59)]
    assert await ingest(client, again) == {"accepted": 10, "duplicates": 11, "expired": 0, "warnings": []}
    assert await stored(state) == {("inbound", "TLS1.2"): 60}
    assert await rollup_total(state) == 60


async def test_same_id_in_the_other_direction_is_another_message(client: httpx.AsyncClient, state: AppState) -> None:
    both = [message(1), message(1, direction="outbound")]
    assert await ingest(client, both) == {"accepted": 2, "duplicates": 0, "expired": 0, "warnings": []}


async def test_an_invalid_record_writes_nothing_and_lists_every_problem(
    client: httpx.AsyncClient, state: AppState
) -> None:
    records = [
        message(1),
        message(2, tls_version="TLSv9"),
        message(3, received_at="2026-11-20T10:00:00"),
        message(4, connector="Nobody"),
        {"received_at": "2026-11-20T10:00:00Z", "direction": "sideways", "tls_version": "1.2"},
        "not an object",
    ]
    response = await client.post("/api/v1/messages", json=records)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_FAILED"
    assert "nothing was stored" in error["message"]
    found = {(d["line"], d["field"]) for d in error["details"]}
    assert found == {
        (2, "tls_version"),
        (3, "received_at"),
        (4, "connector"),
        (5, "message_id"),
        (5, "direction"),
        (6, None),
    }
    assert "no inbound connector is named 'Nobody'" in str(error["details"])
    assert await stored(state) == {}
    assert await rollup_total(state) == 0


async def test_problems_are_capped_at_100(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/messages", json=[message(n, direction="x") for n in range(150)])
    assert response.status_code == 422
    error = response.json()["error"]
    assert len(error["details"]) == 100
    assert error["message"].startswith("150 problem(s)")


async def test_ndjson_reports_the_line_of_a_problem(client: httpx.AsyncClient, state: AppState) -> None:
    body = b"\n".join(orjson.dumps(message(n)) for n in range(3)) + b"\n\n" + orjson.dumps(message(9, direction="up"))
    response = await client.post("/api/v1/messages", content=body, headers={"content-type": "application/x-ndjson"})
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [
        {"line": 5, "field": "direction", "message": "'up' is not inbound, outbound or submission"}
    ]
    malformed = orjson.dumps(message(5, message_id=123))
    response = await client.post(
        "/api/v1/messages", content=malformed, headers={"content-type": "application/x-ndjson"}
    )
    assert response.json()["error"]["details"] == [
        {"line": 1, "field": "message_id", "message": "must be a non-empty string"}  # present, not "required"
    ]
    good = b"\n".join(orjson.dumps(message(n)) for n in range(3)) + b"\n"
    response = await client.post("/api/v1/messages", content=good, headers={"content-type": "application/x-ndjson"})
    assert response.json() == {"accepted": 3, "duplicates": 0, "expired": 0, "warnings": []}


async def test_malformed_json_is_a_400_with_the_line(client: httpx.AsyncClient, state: AppState) -> None:
    response = await client.post(
        "/api/v1/messages",
        content=b'[\n{"message_id": "a",\n oops}\n]',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["details"][0]["line"] == 3
    response = await client.post(
        "/api/v1/messages",
        content=orjson.dumps(message(1)) + b"\n{broken\n",
        headers={"content-type": "application/x-ndjson"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["line"] == 2
    assert await stored(state) == {}


async def test_gzip_body(client: httpx.AsyncClient, state: AppState) -> None:
    body = gzip.compress(b"\n".join(orjson.dumps(message(n)) for n in range(20)))
    response = await client.post(
        "/api/v1/messages",
        content=body,
        headers={"content-type": "application/x-ndjson", "content-encoding": "gzip"},
    )
    assert response.json() == {"accepted": 20, "duplicates": 0, "expired": 0, "warnings": []}
    bad = await client.post("/api/v1/messages", content=b"not gzip", headers={"content-encoding": "gzip"})
    assert bad.status_code == 400
    assert "gzip" in bad.json()["error"]["message"]


async def test_body_over_the_limit_is_413(client: httpx.AsyncClient, state: AppState) -> None:
    limit = state.settings.max_body_bytes
    big = orjson.dumps([message(n, cipher="x" * 900) for n in range(limit // 900 + 10)])
    assert len(big) > limit
    response = await client.post("/api/v1/messages", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_a_gzip_bomb_is_413_after_decompressing_only_the_limit(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bomb = gzip.compress(b" " * (50 * 1024 * 1024))  # 50 MiB of spaces is ~50 KiB compressed
    assert len(bomb) < state.settings.max_body_bytes
    response = await client.post(
        "/api/v1/messages",
        content=bomb,
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )
    assert response.status_code == 413
    assert await stored(state) == {}


async def test_unsupported_content_type_and_encoding(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/messages", content=b"a,b", headers={"content-type": "text/csv"})
    assert response.status_code == 400
    assert "Content-Type" in response.json()["error"]["message"]
    response = await client.post("/api/v1/messages", content=b"[]", headers={"content-encoding": "br"})
    assert response.status_code == 415


async def test_optional_fields_are_normalised(client: httpx.AsyncClient, state: AppState) -> None:
    record = message(
        1,
        sender="Alice <alice@Example.ORG>",
        recipient="bob@contoso.com",
        remote_ip="[2001:db8::1]",
        remote_host="mx.example.org",
        cipher="TLS_AES_256_GCM_SHA384",
        size_bytes=123,
        status="delivered",
        tls_version="TLSv1.3",
    )
    await ingest(client, [record])
    row = await state.pool.fetchrow("select * from messages where org_id = $1", state.org_id)
    assert row is not None
    assert row["sender_domain"] == "example.org"
    assert row["recipient_domain"] == "contoso.com"
    assert str(row["remote_ip"]) == "2001:db8::1"
    assert row["tls_protocol"] == "TLSv1.3"
    assert row["tls_bucket"] == "TLS1.3"


async def test_wrong_types_are_named(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/messages",
        json=[message(1, size_bytes="12", remote_ip="999.1.1.1", cipher=5, extra="x")],
    )
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert fields == {"size_bytes", "remote_ip", "cipher", "extra"}


async def test_a_size_is_a_whole_number_as_json_schema_has_it(client: httpx.AsyncClient, state: AppState) -> None:
    # 2048.0 is the integer 2048 to JSON Schema (and to the OpenAPI document); 1.5 and true are not
    refused = await client.post("/api/v1/messages", json=[message(1, size_bytes=1.5), message(2, size_bytes=True)])
    assert [d["line"] for d in refused.json()["error"]["details"]] == [1, 2]
    accepted = await client.post("/api/v1/messages", json=[message(3, size_bytes=2048.0)])
    assert accepted.json()["accepted"] == 1, accepted.text
    assert await state.pool.fetchval("select size_bytes from messages where org_id = $1", state.org_id) == 2048


async def test_rfc_3339_in_its_other_spellings(client: httpx.AsyncClient) -> None:
    # a lowercase t and z (RFC 3339 allows them; Python's reader refuses the z) and a space for the T
    spellings = ["2026-11-20t10:00:00z", "2026-11-20 10:00:00+01:00", "2026-11-20T10:00:00.123456789Z"]
    records = [message(n, received_at=moment) for n, moment in enumerate(spellings, start=1)]
    assert (await ingest(client, records))["accepted"] == 3
    refused = await client.post("/api/v1/messages", json=[message(9, received_at="0000-01-01T00:00:00Z")])
    assert [d["field"] for d in refused.json()["error"]["details"]] == ["received_at"]


async def test_a_request_in_parts_is_all_or_nothing(
    client: httpx.AsyncClient, state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api.feed, "PART_SIZE", 2)  # PostgreSQL stores each part while the next is checked
    records = [message(n, direction="outbound") for n in range(7)]
    bad = [*records[:6], message(6, direction="outbound", tls_version="TLSv9")]
    ndjson = {"content-type": "application/x-ndjson"}
    body = b"\n".join(orjson.dumps(r) for r in bad)
    response = await client.post("/api/v1/messages", content=b"\n" + body, headers=ndjson)
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [
        {
            "line": 8,
            "field": "tls_version",
            "message": "'TLSv9' is not a TLS version (expected e.g. TLSv1.3, TLS 1.2, TLS1_1, 1.0, none)",
        }
    ]
    assert await stored(state) == {}  # the parts stored before the refused one were rolled back
    assert await rollup_total(state) == 0
    body = b"\n".join(orjson.dumps(r) for r in records + records[:2])
    answer = (await client.post("/api/v1/messages", content=body, headers=ndjson)).json()
    assert answer == {"accepted": 7, "duplicates": 2, "expired": 0, "warnings": []}
    assert await stored(state) == {("outbound", "TLS1.2"): 7}
    assert await rollup_total(state) == 7
