"""`tls_report.received` carries the report's `flagged` and `flag_reason` as the REST report list gives them,
as they were when the report was stored (db/migrations/0019: accepted domains)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from db import sql
from tests.webhooks.helpers import store_report, subscribe
from tests.webhooks.receiver import receiver

pytestmark = pytest.mark.usefixtures("deliveries")


async def _accept(client: httpx.AsyncClient, *domains: str) -> None:
    for domain in domains:
        response = await client.post("/api/v1/accepted-domains", json={"domain": domain})
        assert response.status_code == 201, response.text


async def _delivered(client: httpx.AsyncClient, report_id: str, domains: tuple[str | None, ...]) -> dict[str, Any]:
    """The event's data, once the report with these policy domains is stored and delivered."""
    with receiver() as hook:
        await subscribe(client, hook.url, ["tls_report.received"])
        await store_report(client, report_id, domains)
        (got,) = await hook.arrived(1, seconds=10)
    body = got.json()
    assert body["type"] == "tls_report.received"
    data: dict[str, Any] = body["data"]
    assert data["report_id"] == report_id
    return data


async def _listed(client: httpx.AsyncClient, report_id: str) -> dict[str, Any]:
    response = await client.get("/api/v1/tls-reports")
    assert response.status_code == 200, response.text
    (found,) = [r for r in response.json()["reports"] if r["report_id"] == report_id]
    listed: dict[str, Any] = found
    return listed


async def test_a_report_for_a_domain_not_accepted_is_delivered_flagged_with_the_lists_reason(
    client: httpx.AsyncClient,
) -> None:
    await _accept(client, "contoso.com")
    data = await _delivered(client, "mixed", ("fabrikam.net", "mail.contoso.com", None, "adatum.com"))
    assert data["flagged"] is True
    assert data["flag_reason"] == (
        "not one of the organization's accepted domains: adatum.com, fabrikam.net, (no policy domain); those "
        "policies are shown but not counted in the TLS report figures or insights"
    )
    listed = await _listed(client, "mixed")
    assert (data["flagged"], data["flag_reason"]) == (listed["flagged"], listed["flag_reason"])
    whole = await client.get(f"/api/v1/tls-reports/{listed['id']}")  # one report in full: the same text
    assert whole.status_code == 200, whole.text
    assert (whole.json()["flagged"], whole.json()["flag_reason"]) == (True, data["flag_reason"])
    assert [p["policy_domain"] for p in data["policies"]] == ["fabrikam.net", "mail.contoso.com", None, "adatum.com"]


async def test_a_report_for_accepted_domains_is_delivered_unflagged(client: httpx.AsyncClient) -> None:
    await _accept(client, "contoso.com", "fabrikam.net")
    data = await _delivered(client, "ours", ("contoso.com", "mx.fabrikam.net."))
    assert data["flagged"] is False
    assert data["flag_reason"] is None
    listed = await _listed(client, "ours")
    assert (listed["flagged"], listed["flag_reason"]) == (False, None)


async def test_with_no_accepted_domain_listed_no_report_is_flagged(client: httpx.AsyncClient) -> None:
    data = await _delivered(client, "any", ("fabrikam.net", None))
    assert data["flagged"] is False
    assert data["flag_reason"] is None


async def test_with_no_subscription_storing_a_report_runs_no_enqueue(client: httpx.AsyncClient) -> None:
    """The foreign domains are looked up only when a subscription wants the event: one statement otherwise."""
    await _accept(client, "contoso.com")
    with sql.count_statements() as seen:
        await store_report(client, "unwatched", ("fabrikam.net",))
    assert seen.count("webhooks/tls_report_foreign_domains") == 1
    assert "webhooks/enqueue_tls_report" not in seen
    assert (await _listed(client, "unwatched"))["flagged"] is True
