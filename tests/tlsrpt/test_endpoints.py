"""HTTPS reporting endpoints (RFC 8460 section 5.4): admin CRUD over REST, and reports POSTed with no key."""

from __future__ import annotations

import dataclasses
import json
import uuid
import zlib

import asyncpg
import httpx
import pytest

from api.context import AppState
from db.keys import create_key
from db.organizations import ensure_organization
from tests.conftest import make_client
from tests.tlsrpt.helpers import GZIP, JSON, as_gzip, as_json, new_endpoint, path_of, report

WINDOW = {"from": "2026-11-19", "to": "2026-11-22"}


async def test_made_listed_rotated_removed(client: httpx.AsyncClient) -> None:
    made = await new_endpoint(client, "primary")
    assert made["url"].startswith("http://mailflow.test/tlsrpt/tr_")
    assert made["txt_record"] == f"v=TLSRPTv1; rua={made['url']}"
    assert made["reports_total"] == 0
    assert made["skipped"] == {}
    listed = (await client.get("/api/v1/tlsrpt-endpoints")).json()["endpoints"]
    assert [e["id"] for e in listed] == [made["id"]]
    assert "url" not in listed[0]  # only a hash of the token is kept: shown once
    rotated = (await client.post(f"/api/v1/tlsrpt-endpoints/{made['id']}/rotate")).json()
    assert rotated["url"] != made["url"]
    assert rotated["rotated_at"] is not None
    old = await client.post(path_of(made["url"]), content=as_json(report()), headers=JSON)
    assert old.status_code == 404  # the old URL stops working at once
    new = await client.post(path_of(rotated["url"]), content=as_json(report()), headers=JSON)
    assert new.status_code == 201, new.text
    assert (await client.delete(f"/api/v1/tlsrpt-endpoints/{made['id']}")).status_code == 204
    gone = await client.post(path_of(rotated["url"]), content=as_json(report()), headers=JSON)
    assert gone.status_code == 404
    assert (await client.get(f"/api/v1/tlsrpt-endpoints/{made['id']}")).status_code == 404
    assert (await client.delete(f"/api/v1/tlsrpt-endpoints/{made['id']}")).status_code == 404


async def test_the_public_url_setting_makes_the_url(state: AppState, admin_token: str) -> None:
    settings = dataclasses.replace(state.settings, public_url="https://reports.example.com")
    async with make_client(dataclasses.replace(state, settings=settings), admin_token) as c:
        made = await new_endpoint(c)
    assert made["url"].startswith("https://reports.example.com/tlsrpt/tr_")
    assert made["txt_record"].startswith("v=TLSRPTv1; rua=https://reports.example.com/tlsrpt/")


async def test_only_admins_manage_endpoints(state: AppState, client: httpx.AsyncClient) -> None:
    made = await new_endpoint(client)
    token = await create_key(state.db.system, state.org_id, "ingest", "tests")
    async with make_client(state, token) as ingest:
        assert (await ingest.get("/api/v1/tlsrpt-endpoints")).status_code == 403
        assert (await ingest.post("/api/v1/tlsrpt-endpoints")).status_code == 403
        assert (await ingest.post(f"/api/v1/tlsrpt-endpoints/{made['id']}/rotate")).status_code == 403


@pytest.mark.parametrize(
    "body", [{"description": 5}, {"description": "x" * 501}, {"url": "x"}, [], {"description": "a\u0000b"}]
)
async def test_invalid_endpoints_are_refused(client: httpx.AsyncClient, body: object) -> None:
    response = await client.post("/api/v1/tlsrpt-endpoints", json=body)
    assert response.status_code == 422, response.text
    assert (await client.get("/api/v1/tlsrpt-endpoints")).json() == {"endpoints": []}


async def test_a_body_that_is_not_an_object_is_refused(client: httpx.AsyncClient) -> None:
    for body in (b"null", b"[]", b'"x"'):
        response = await client.post("/api/v1/tlsrpt-endpoints", content=body)
        assert response.status_code == 422, response.text
    assert (await client.post("/api/v1/tlsrpt-endpoints")).status_code == 201  # no body: no description


async def test_a_report_is_stored_once_gzip_or_not(client: httpx.AsyncClient) -> None:
    made = await new_endpoint(client)
    url = path_of(made["url"])
    sent = report()
    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as reporter:  # no key
        first = await reporter.post(url, content=as_gzip(sent), headers=GZIP)
        assert first.status_code == 201, first.text
        assert first.json() == {"status": "stored"}
        again = await reporter.post(
            url, content=as_json(sent), headers={"content-type": "application/tlsrpt+json; charset=utf-8"}
        )
        assert again.status_code == 200, again.text
        assert again.json() == {"status": "already stored"}
    listed = (await client.get("/api/v1/tls-reports", params=WINDOW)).json()
    assert [r["report_id"] for r in listed["reports"]] == [sent["report-id"]]
    (status,) = (await client.get("/api/v1/tlsrpt-endpoints")).json()["endpoints"]
    assert status["reports_total"] == 1
    assert status["reports_today"] == 1
    assert status["skipped"] == {"already stored": 1}
    assert status["last_success_at"] is not None
    assert status["last_error"] is None


def _bomb() -> bytes:
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"0" * (1024 * 1024)
    return b"".join([*(squeeze.compress(chunk) for _ in range(64)), squeeze.flush()])  # 64 MB of zeros


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (as_json(report()), {"content-type": "application/json"}, 415),
        (as_json(report()), {}, 415),
        (b"{not json", JSON, 422),
        (as_json([report()]), JSON, 422),
        (as_json("a string"), JSON, 422),
        (as_json({**report(), "policies": "none"}), JSON, 422),
        (as_json({**report(), "date-range": {"start-datetime": 5}}), JSON, 422),
        (as_gzip(report()), JSON, 422),  # gzip said to be JSON
        (as_json(report()), GZIP, 422),  # JSON said to be gzip
        (b"\x1f\x8b\x08\x00garbage", GZIP, 422),
        (_bomb(), GZIP, 413),
        (b"{" + b" " * (2 * 1024 * 1024) + b"}", JSON, 413),
    ],
)
async def test_hostile_bodies_are_refused_and_store_nothing(
    client: httpx.AsyncClient, body: bytes, headers: dict[str, str], status: int
) -> None:
    made = await new_endpoint(client)
    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as reporter:
        response = await reporter.post(path_of(made["url"]), content=body, headers=headers)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error"}
    assert (await client.get("/api/v1/tls-reports", params=WINDOW)).json()["reports_total"] == 0
    (status_row,) = (await client.get("/api/v1/tlsrpt-endpoints")).json()["endpoints"]
    assert sum(status_row["skipped"].values()) == 1
    assert status_row["last_error"]


async def test_huge_counts_are_refused(client: httpx.AsyncClient) -> None:
    made = await new_endpoint(client)
    huge = report()
    huge["policies"][0]["summary"]["total-successful-session-count"] = 10**30
    response = await client.post(path_of(made["url"]), content=json.dumps(huge).encode(), headers=JSON)
    assert response.status_code == 422
    assert "sessions" in response.json()["error"]["message"]


@pytest.mark.parametrize("tail", ["", "x", "_1_1_" + "A" * 43])
async def test_an_unknown_url_says_nothing(client: httpx.AsyncClient, tail: str) -> None:
    made = await new_endpoint(client)
    token = path_of(made["url"]).rsplit("/", 1)[1]
    forged = token[:-1] + ("B" if token[-1] != "B" else "C")
    for path in (f"/tlsrpt/{forged}", f"/tlsrpt/tr{tail}"):
        response = await client.post(path, content=as_json(report()), headers=JSON)
        assert response.status_code == 404
        assert response.json()["error"]["message"] == "there is no reporting endpoint at this URL"


async def test_a_flood_on_one_url_leaves_the_others_alone(state: AppState, admin_token: str) -> None:
    settings = dataclasses.replace(state.settings, tlsrpt_per_minute=3, tlsrpt_client_per_minute=1000)
    async with make_client(dataclasses.replace(state, settings=settings), admin_token) as c:
        flooded, other = path_of((await new_endpoint(c))["url"]), path_of((await new_endpoint(c))["url"])
        answers = [(await c.post(flooded, content=as_json(report()), headers=JSON)).status_code for _ in range(5)]
        assert answers == [201, 201, 201, 429, 429]
        limited = await c.post(flooded, content=as_json(report()), headers=JSON)
        assert int(limited.headers["retry-after"]) >= 1
        assert (await c.post(other, content=as_json(report()), headers=JSON)).status_code == 201


async def test_a_flood_from_one_address_is_limited(state: AppState, admin_token: str) -> None:
    settings = dataclasses.replace(state.settings, tlsrpt_client_per_minute=2)
    async with make_client(dataclasses.replace(state, settings=settings), admin_token) as c:
        made = path_of((await new_endpoint(c))["url"])
        answers = [(await c.post(f"/tlsrpt/tr_{n}", content=b"{}", headers=JSON)).status_code for n in range(2)]
        assert answers == [404, 404]
        # unknown URLs count too: the address is out of tokens, for a known URL as well
        assert (await c.post(made, content=as_json(report()), headers=JSON)).status_code == 429


async def test_reports_go_to_the_endpoints_organization_only(
    state: AppState, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    made = await new_endpoint(client)
    other_org = await ensure_organization(pool, f"other-{uuid.uuid4().hex[:8]}")
    other = dataclasses.replace(state, org_id=other_org)
    other = AppState(state.settings, state.db, other_org)
    async with make_client(other, await create_key(pool, other_org, "admin", "tests")) as them:
        assert (await them.post(path_of(made["url"]), content=as_json(report()), headers=JSON)).status_code == 201
        assert (await them.get("/api/v1/tls-reports", params=WINDOW)).json()["reports_total"] == 0
        assert (await them.get(f"/api/v1/tlsrpt-endpoints/{made['id']}")).status_code == 404
        assert (await them.post(f"/api/v1/tlsrpt-endpoints/{made['id']}/rotate")).status_code == 404
        assert (await them.delete(f"/api/v1/tlsrpt-endpoints/{made['id']}")).status_code == 404
    assert (await client.get("/api/v1/tls-reports", params=WINDOW)).json()["reports_total"] == 1
