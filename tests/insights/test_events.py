"""The SIEM pull: formats, paging, and no event skipped or repeated under concurrent writers."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import asyncpg
import httpx
import orjson

from api.context import AppState
from api.insights.cef import cef_line, extension, header
from db import insights as store
from tests.factories import add_connector
from tests.insights.helpers import active, feed, records


async def one_insight(client: httpx.AsyncClient, name: str = "Fabrikam") -> dict[str, Any]:
    await add_connector(client, name, "inbound", "partner")
    await feed(client, records({"TLS1.0": 100}, "inbound", name))
    (insight,) = await active(client)
    return insight


async def pull(client: httpx.AsyncClient, after: str | None = None, limit: int = 1000) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": limit}
    if after:
        params["after"] = after
    response = await client.get("/api/v1/insights/events", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert response.headers["x-next-cursor"] == body["next"]
    assert f"after={body['next']}" in response.headers["link"]
    assert response.headers["link"].endswith('rel="next"')
    return body


async def test_json_page_and_cursor(client: httpx.AsyncClient, state: AppState) -> None:
    insight = await one_insight(client)
    page = await pull(client)
    (event,) = page["events"]
    assert event["type"] == "created"
    assert event["insight"]["id"] == insight["id"]
    assert event["insight"]["connector"]["name"] == "Fabrikam"
    assert page["next"] == event["cursor"]
    assert (await pull(client, page["next"]))["events"] == []
    await client.post(f"/api/v1/insights/{insight['id']}/dismiss", json={"reason": "known"})
    later = await pull(client, page["next"])
    assert [e["type"] for e in later["events"]] == ["dismissed"]
    assert later["events"][0]["insight"]["status"] == "dismissed"
    assert later["events"][0]["event_id"] > event["event_id"]


async def test_limit_pages(client: httpx.AsyncClient) -> None:
    insight = await one_insight(client)
    for n in range(4):
        await feed(client, records({"TLS1.0": 1 + n}, "inbound", "Fabrikam"))  # four `updated` events
    seen: list[int] = []
    cursor = None
    while True:
        page = await pull(client, cursor, limit=2)
        assert len(page["events"]) <= 2
        if not page["events"]:
            break
        seen += [e["event_id"] for e in page["events"]]
        cursor = page["next"]
    assert len(seen) == 5 == len(set(seen))
    assert seen == sorted(seen)
    assert insight["id"]


async def test_ndjson_and_cef(client: httpx.AsyncClient) -> None:
    await one_insight(client, "Fab|rikam = partner")
    response = await client.get("/api/v1/insights/events", headers={"accept": "application/x-ndjson"})
    assert response.headers["content-type"] == "application/x-ndjson"
    lines = [orjson.loads(line) for line in response.content.splitlines()]
    assert [e["type"] for e in lines] == ["created"]
    assert response.headers["x-next-cursor"] == lines[-1]["cursor"]
    cef = await client.get("/api/v1/insights/events", params={"format": "cef"})
    (line,) = cef.text.splitlines()
    assert line.startswith("CEF:0|mailflow|mailflow|")
    assert "|inbound_partner_tls10|Inbound partner connector seeing significant TLS1.0 mail flow|6|" in line
    assert "cs2=Fab|rikam \\= partner" in line  # in extensions a pipe stays, an equals sign is escaped
    assert "act=created" in line


def test_cef_escaping() -> None:
    assert header("a|b\\c") == "a\\|b\\\\c"
    assert extension("a=b\\c\nd") == "a\\=b\\\\c\\nd"
    event = {
        "event_id": 7,
        "cursor": "1-7",
        "type": "resolved",
        "at": "2026-11-27T10:00:00+00:00",
        "insight": {
            "id": 3, "rule": "r|1", "title": "T|itle", "severity": 6, "status": "resolved",
            "connector": {"name": "n", "direction": "inbound"}, "messages": 1, "volume": 2, "share": 50.0,
            "description": "x=y",
        },
    }  # fmt: skip
    line = cef_line(event)
    assert line.startswith("CEF:0|mailflow|mailflow|0.1.0|r\\|1|T\\|itle|6|rt=1795773600000 ")
    assert "msg=x\\=y" in line


async def test_bad_event_arguments(client: httpx.AsyncClient) -> None:
    for params, field in (
        ({"after": "abc"}, "after"),
        ({"limit": "0"}, "limit"),
        ({"limit": "5001"}, "limit"),
        ({"limit": "9" * 5000}, "limit"),  # more digits than int() takes
        ({"format": "xml"}, "format"),
        ({"since": "yesterday"}, "since"),
    ):
        response = await client.get("/api/v1/insights/events", params=params)
        assert response.status_code == 400, params
        assert response.json()["error"]["details"][0]["field"] == field


async def test_since_starts_at_a_time(client: httpx.AsyncClient) -> None:
    await one_insight(client)
    everything = (await pull(client))["events"]
    at = everything[0]["at"]
    response = await client.get("/api/v1/insights/events", params={"since": at})
    assert [e["event_id"] for e in response.json()["events"]] == [everything[0]["event_id"]]
    response = await client.get("/api/v1/insights/events", params={"since": "2100-01-01T00:00:00Z"})
    assert response.json()["events"] == []


async def _write_event(pool: asyncpg.Pool, org_id: int, insight_id: int, before: float, after: float) -> int:
    async with pool.acquire() as conn, conn.transaction():
        await asyncio.sleep(before)
        await store.insert_events(conn, org_id, [(insight_id, "updated")])
        event_id = int(await conn.fetchval("select max(event_id) from insight_events where org_id = $1", org_id))
        await asyncio.sleep(after)
    return event_id


async def test_a_reader_never_passes_an_event_that_commits_later(
    client: httpx.AsyncClient, state: AppState, dsn: str
) -> None:
    insight = await one_insight(client)
    start = (await pull(client))["next"]
    # A writes an event and stays open; B's event must wait for A's commit (the organization's event counter is
    # locked until then), so no reader can see B's event while A's, numbered before it, is still to come.
    a = await asyncpg.connect(dsn)
    b = await asyncpg.connect(dsn)
    ta, tb = a.transaction(), b.transaction()
    await ta.start()
    await tb.start()
    await store.insert_events(a, state.org_id, [(insight["id"], "updated")])
    writing_b = asyncio.create_task(store.insert_events(b, state.org_id, [(insight["id"], "updated")]))
    await asyncio.sleep(0.3)
    assert not writing_b.done(), "B numbered its event while A's was not committed"
    assert (await pull(client, start))["events"] == []
    await ta.commit()
    await writing_b
    first = await pull(client, start)
    assert len(first["events"]) == 1  # A's
    await tb.commit()
    second = await pull(client, first["next"])
    assert len(second["events"]) == 1  # B's, after A's
    got = [e["event_id"] for e in first["events"] + second["events"]]
    assert len(set(got)) == 2
    await a.close()
    await b.close()


async def test_paging_under_concurrent_writers_skips_and_repeats_nothing(
    client: httpx.AsyncClient, state: AppState, pool: asyncpg.Pool
) -> None:
    insight = await one_insight(client)
    cursor = (await pull(client))["next"]
    rng = random.Random(7)
    writers = [
        asyncio.create_task(_write_event(pool, state.org_id, insight["id"], rng.random() * 0.3, rng.random() * 0.3))
        for _ in range(24)
    ]
    seen: list[int] = []
    while not all(w.done() for w in writers):
        page = await pull(client, cursor, limit=3)
        seen += [e["event_id"] for e in page["events"]]
        cursor = page["next"]
        await asyncio.sleep(0.01)
    written = sorted(await asyncio.gather(*writers))
    while True:
        page = await pull(client, cursor, limit=3)
        if not page["events"]:
            break
        seen += [e["event_id"] for e in page["events"]]
        cursor = page["next"]
    assert len(seen) == len(set(seen)), "an event was repeated"
    assert sorted(seen) == written, "an event was skipped"
