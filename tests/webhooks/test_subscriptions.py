"""Webhook subscriptions over REST: admin only, refused targets, secrets shown once and stored encrypted."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from api.context import AppState
from db.keys import create_key
from tests.conftest import make_client
from tests.webhooks.helpers import subscribe
from tests.webhooks.receiver import receiver, verify


@pytest.fixture
async def strict(state: AppState, admin_token: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a server with the default: public https targets only."""
    settings = dataclasses.replace(state.settings, webhook_allow_private=False)
    async with make_client(dataclasses.replace(state, settings=settings), admin_token) as c:
        yield c


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://example.com/hook", "must start with https://"),
        ("https://127.0.0.1/hook", "127.0.0.1 is a loopback address"),
        ("https://localhost:8443/hook", "a loopback address"),
        ("https://10.1.2.3/hook", "a private address"),
        ("https://192.168.0.10/hook", "a private address"),
        ("https://172.16.5.4/hook", "a private address"),
        ("https://169.254.169.254/latest/meta-data", "a cloud metadata address"),
        ("https://[fd00:ec2::254]/", "a cloud metadata address"),
        ("https://[::1]/hook", "a loopback address"),
        ("https://[::ffff:127.0.0.1]/hook", "a loopback address"),
        ("https://100.64.0.1/hook", "not a public address"),
        ("https://0.0.0.0/hook", "an unspecified address"),
        ("https://user:pw@example.com/hook", "user name or password"),
        ("ftp://example.com/", "must start with https://"),
        ("not a url", "must start with https://"),
    ],
)
async def test_refused_targets(strict: httpx.AsyncClient, url: str, said: str) -> None:
    response = await strict.post("/api/v1/webhooks", json={"url": url})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["details"][0]["field"] == "url"
    assert said in error["details"][0]["message"]
    assert (await strict.get("/api/v1/webhooks")).json() == {"webhooks": []}


async def test_a_change_to_a_refused_target_is_refused(strict: httpx.AsyncClient, client: httpx.AsyncClient) -> None:
    created = await subscribe(client, "http://127.0.0.1:9/hook")
    response = await strict.patch(f"/api/v1/webhooks/{created['id']}", json={"url": "https://10.0.0.1/"})
    assert response.status_code == 422
    assert (await strict.get(f"/api/v1/webhooks/{created['id']}")).json()["url"] == "http://127.0.0.1:9/hook"


async def test_invalid_fields_are_named(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1/", "events": ["insight.opened"], "description": 5, "colour": "red"},
    )
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert fields == {"events", "description", "colour"}
    assert (await client.post("/api/v1/webhooks", json={"events": []})).status_code == 422
    assert (await client.post("/api/v1/webhooks", json=[])).status_code == 422
    empty = await client.post("/api/v1/webhooks", json={})  # no URL: refused, nothing subscribed
    assert empty.status_code == 422
    assert empty.json()["error"]["details"] == [{"field": "url", "message": "is required"}]
    assert (await client.get("/api/v1/webhooks")).json()["webhooks"] == []
    assert (await client.post("/api/v1/webhooks", content=b"{")).status_code == 400


async def test_only_admin_keys(state: AppState) -> None:
    token = await create_key(state.db.system, state.org_id, "ingest", "tests")
    async with make_client(state, token) as ingest:
        assert (await ingest.get("/api/v1/webhooks")).status_code == 403
        assert (await ingest.post("/api/v1/webhooks", json={"url": "https://example.com"})).status_code == 403


async def test_list_show_change_rotate_remove(client: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
    created = await subscribe(client, "http://127.0.0.1:9/hook")
    secret = created.pop("secret")
    assert created["events"] == [
        "insight.created", "insight.updated", "insight.resolved", "insight.reopened", "insight.dismissed",
        "tls_report.received",
    ]  # fmt: skip
    assert (await client.get("/api/v1/webhooks")).json() == {"webhooks": [created]}
    assert (await client.get(f"/api/v1/webhooks/{created['id']}")).json() == created  # never the secret again
    # the database holds no usable secret: neither the text nor its bytes
    stored = await pool.fetchval("select secret from webhook_subscriptions where subscription_id = $1", created["id"])
    assert secret.encode() not in stored
    assert secret.removeprefix("whsec_").encode() not in stored

    changed = await client.patch(
        f"/api/v1/webhooks/{created['id']}", json={"enabled": False, "events": ["tls_report.received"]}
    )
    assert changed.status_code == 200
    assert changed.json()["enabled"] is False
    assert changed.json()["disabled_reason"] == "disabled by an admin"
    assert changed.json()["events"] == ["tls_report.received"]
    assert "secret" not in changed.json()
    rotated = (await client.patch(f"/api/v1/webhooks/{created['id']}", json={"rotate_secret": True})).json()
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != secret
    assert (await client.patch(f"/api/v1/webhooks/{created['id']}", json={"enabled": "yes"})).status_code == 422

    assert (await client.delete(f"/api/v1/webhooks/{created['id']}")).status_code == 204
    assert (await client.get(f"/api/v1/webhooks/{created['id']}")).status_code == 404
    assert (await client.delete(f"/api/v1/webhooks/{created['id']}")).status_code == 404
    assert (await client.get(f"/api/v1/webhooks/{2**63}/deliveries")).status_code == 404


async def test_another_organization_sees_nothing(client: httpx.AsyncClient, state: AppState) -> None:
    created = await subscribe(client, "http://127.0.0.1:9/hook")
    from db.organizations import ensure_organization

    other = await ensure_organization(state.db.system, f"{state.org_id}-other")
    token = await create_key(state.db.system, other, "admin", "tests")
    async with make_client(state, token) as theirs:
        assert (await theirs.get("/api/v1/webhooks")).json() == {"webhooks": []}
        for call in (
            theirs.get(f"/api/v1/webhooks/{created['id']}"),
            theirs.patch(f"/api/v1/webhooks/{created['id']}", json={"enabled": False}),
            theirs.post(f"/api/v1/webhooks/{created['id']}/test"),
            theirs.get(f"/api/v1/webhooks/{created['id']}/deliveries"),
            theirs.delete(f"/api/v1/webhooks/{created['id']}"),
        ):
            assert (await call).status_code == 404


async def test_a_ping_is_sent_at_once_and_listed(client: httpx.AsyncClient) -> None:
    with receiver() as hook:
        created = await subscribe(client, hook.url)
        response = await client.post(f"/api/v1/webhooks/{created['id']}/test")
        assert response.status_code == 200
        result = response.json()
        assert result["delivered"] is True
        assert result["status_code"] == 200
        assert result["error"] is None
        (got,) = hook.received
        assert verify(created["secret"], got.headers, got.body)
        assert got.json()["type"] == "ping"
        assert got.headers["webhook-id"] == result["webhook_id"]
        (delivery,) = (await client.get(f"/api/v1/webhooks/{created['id']}/deliveries")).json()["deliveries"]
        assert delivery["type"] == "ping"
        assert delivery["status"] == "delivered"
        assert [a["status_code"] for a in delivery["attempts"]] == [200]


async def test_a_failed_ping_says_why(client: httpx.AsyncClient) -> None:
    with receiver() as hook:
        hook.answers = [503]
        created = await subscribe(client, hook.url)
        result = (await client.post(f"/api/v1/webhooks/{created['id']}/test")).json()
        assert result["delivered"] is False
        assert result["status_code"] == 503
        assert result["error"] == "answered 503"
    gone = (await client.post(f"/api/v1/webhooks/{created['id']}/test")).json()  # the receiver has stopped
    assert gone["status_code"] is None
    assert gone["error"].startswith("cannot connect")
