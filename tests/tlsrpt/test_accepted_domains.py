"""Accepted domains: REST, GraphQL and CLI; a TLS report for another domain is kept and flagged, and left out
of the organization's figures and insights; organizations apart."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import orjson
import pytest

from api.context import AppState
from db.keys import create_key
from db.organizations import ensure_organization
from tests.cli.helpers import clean_env, mailflow
from tests.conftest import make_client
from tests.graphql.helpers import gql
from tests.insights.test_tls_report_rule import report

ERROR_KEYS = {"code", "message", "details"}


def _error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == ERROR_KEYS
    error: dict[str, Any] = body["error"]
    return error


async def _listed(client: httpx.AsyncClient) -> list[str]:
    response = await client.get("/api/v1/accepted-domains")
    assert response.status_code == 200, response.text
    return [d["domain"] for d in response.json()["accepted_domains"]]


async def test_added_listed_normalised_and_removed(client: httpx.AsyncClient) -> None:
    assert await _listed(client) == []
    made = await client.post("/api/v1/accepted-domains", json={"domain": " Contoso.COM. "})
    assert made.status_code == 201, made.text
    assert made.json()["domain"] == "contoso.com"
    assert made.json()["url"] == "/api/v1/accepted-domains/contoso.com"
    again = await client.post("/api/v1/accepted-domains", json={"domain": "contoso.com"})
    assert again.status_code == 200  # listed already: nothing changes
    idn = await client.post("/api/v1/accepted-domains", json={"domain": "Bücher.de"})
    assert idn.json()["domain"] == "xn--bcher-kva.de"
    assert await _listed(client) == ["contoso.com", "xn--bcher-kva.de"]
    assert (await client.delete("/api/v1/accepted-domains/CONTOSO.com.")).status_code == 204
    assert await _listed(client) == ["xn--bcher-kva.de"]
    _error(await client.delete("/api/v1/accepted-domains/contoso.com"), 404)
    _error(await client.delete("/api/v1/accepted-domains/not a domain"), 400)


@pytest.mark.parametrize(
    "body",
    [
        {"domain": ""},
        {"domain": "localhost"},
        {"domain": 5},
        {"domain": None},
        {"domain": "a..b.com"},
        {"domain": "-x.com"},
        {"domain": "x" * 64 + ".com"},
        {"domain": "10.0.0.1"},
        {"domain": "exa mple.com"},
        {"domain": "ab\n.com"},
        {"domain": "a\u0000b.com"},
        {"domain": "contoso.com", "extra": 1},
        {},
        [],
        "contoso.com",
    ],
)
async def test_bad_domains_are_refused_in_the_one_shape(client: httpx.AsyncClient, body: Any) -> None:
    error = _error(await client.post("/api/v1/accepted-domains", json=body), 422)
    assert error["code"] == "VALIDATION_FAILED"
    assert await _listed(client) == []


async def test_malformed_json_and_roles(state: AppState, client: httpx.AsyncClient) -> None:
    _error(await client.post("/api/v1/accepted-domains", content=b"{"), 400)
    await client.post("/api/v1/accepted-domains", json={"domain": "contoso.com"})
    reader = await create_key(state.db.system, state.org_id, "reader", "tests")
    async with make_client(state, reader) as c:
        assert await _listed(c) == ["contoso.com"]
        _error(await c.post("/api/v1/accepted-domains", json={"domain": "fabrikam.com"}), 403)
        _error(await c.delete("/api/v1/accepted-domains/contoso.com"), 403)
    assert await _listed(client) == ["contoso.com"]


async def _post(client: httpx.AsyncClient, body: bytes) -> int:
    response = await client.post("/api/v1/tls-reports", content=body)
    assert response.status_code == 201, response.text
    return 1


def _mixed(ours: str, theirs: str) -> bytes:
    """One report with a policy for each domain."""
    body = orjson.loads(report(ours, 50, 0))
    other = orjson.loads(report(theirs, 40, 40))["policies"][0]
    body["policies"].append(other)
    return orjson.dumps(body)


async def _days(client: httpx.AsyncClient) -> dict[str, tuple[int, int]]:
    body = (await client.get("/api/v1/tls-reports")).json()
    return {d["policy_domain"]: (d["successful"], d["failed"]) for d in body["days"]}


async def _reports(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await client.get("/api/v1/tls-reports")).json()["reports"]
    return found


async def _tlsrpt_insights(client: httpx.AsyncClient) -> set[str]:
    body = (await client.get("/api/v1/insights")).json()
    return {i["subject"] for i in body["insights"] if i["rule"] == "tlsrpt_failures"}


async def test_a_foreign_report_is_kept_flagged_and_not_counted(client: httpx.AsyncClient) -> None:
    await _post(client, report("contoso.com", 90, 10))
    await _post(client, report("mail.contoso.com", 10, 0))  # a subdomain counts
    await _post(client, report("fabrikam.net", 10, 90))
    await _post(client, _mixed("contoso.com", "fabrikam.net"))
    # with no accepted domain listed, every report counts (as before the list existed)
    assert await _days(client) == {"contoso.com": (140, 10), "mail.contoso.com": (10, 0), "fabrikam.net": (50, 130)}
    assert await _tlsrpt_insights(client) == {"contoso.com", "fabrikam.net"}
    assert not any(r["flagged"] for r in await _reports(client))

    await client.post("/api/v1/accepted-domains", json={"domain": "Contoso.com"})
    # figures are computed from the list when read: the stored reports are not rewritten
    assert await _days(client) == {"contoso.com": (140, 10), "mail.contoso.com": (10, 0)}
    reports = await _reports(client)
    assert len(reports) == 4  # every report is still listed
    flagged = [r for r in reports if r["flagged"]]
    assert len(flagged) == 2
    for r in flagged:
        assert r["foreign_domains"] == ["fabrikam.net"]
        assert "fabrikam.net" in r["flag_reason"]
        assert "accepted domains" in r["flag_reason"]
    mixed = next(r for r in flagged if len(r["policy_domains"]) == 2)
    assert (mixed["successful"], mixed["failed"]) == (50, 0)  # only contoso.com's sessions
    alone = next(r for r in flagged if r is not mixed)
    assert (alone["successful"], alone["failed"]) == (0, 0)
    detail = (await client.get(f"/api/v1/tls-reports/{mixed['id']}")).json()
    assert detail["flagged"] is True
    assert "fabrikam.net" in detail["flag_reason"]
    assert [(p["policy_domain"], p["accepted"]) for p in detail["policies"]] == [
        ("contoso.com", True),
        ("fabrikam.net", False),
    ]
    # the insight of the foreign domain resolved when the list changed
    assert await _tlsrpt_insights(client) == {"contoso.com"}

    assert (await client.delete("/api/v1/accepted-domains/contoso.com")).status_code == 204
    assert "fabrikam.net" in await _days(client)  # none listed again: every report counts


async def test_graphql_adds_lists_removes_and_flags(client: httpx.AsyncClient) -> None:
    await _post(client, report("fabrikam.net", 10, 0))
    added = await gql(client, 'mutation { addAcceptedDomain(domain: "CONTOSO.com.") { domain createdAt } }')
    assert added["data"]["addAcceptedDomain"]["domain"] == "contoso.com"
    bad = await gql(client, 'mutation { addAcceptedDomain(domain: "not a domain") { domain } }')
    assert bad["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"
    listed = await gql(client, "{ acceptedDomains { domain } tlsReportList { reports { id flagged foreignDomains "
                               "flagReason successful } } tlsReports { policyDomain } }")  # fmt: skip
    assert listed["data"]["acceptedDomains"] == [{"domain": "contoso.com"}]
    (summary,) = listed["data"]["tlsReportList"]["reports"]
    assert summary["flagged"] is True
    assert summary["foreignDomains"] == ["fabrikam.net"]
    assert summary["successful"] == 0
    assert "fabrikam.net" in summary["flagReason"]
    assert listed["data"]["tlsReports"] == []
    one = await gql(
        client, "query($id: ID!) { tlsReport(id: $id) { flagged policies { accepted } } }", id=summary["id"]
    )
    assert one["data"]["tlsReport"] == {"flagged": True, "policies": [{"accepted": False}]}
    removed = await gql(client, 'mutation { removeAcceptedDomain(domain: "contoso.com") }')
    assert removed["data"]["removeAcceptedDomain"] == "contoso.com"
    gone = await gql(client, 'mutation { removeAcceptedDomain(domain: "contoso.com") }')
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_graphql_changes_need_an_admin_key(state: AppState) -> None:
    reader = await create_key(state.db.system, state.org_id, "reader", "tests")
    async with make_client(state, reader) as c:
        denied = await gql(c, 'mutation { addAcceptedDomain(domain: "contoso.com") { domain } }')
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert (await gql(c, "{ acceptedDomains { domain } }"))["data"]["acceptedDomains"] == []


async def test_organizations_keep_their_own_lists(state: AppState, client: httpx.AsyncClient) -> None:
    other_org = await ensure_organization(state.db.system, f"test-{uuid.uuid4().hex[:12]}")
    other_state = AppState(settings=state.settings, db=state.db, org_id=other_org)
    other_key = await create_key(state.db.system, other_org, "admin", "tests")
    await _post(client, report("fabrikam.net", 10, 0))
    async with make_client(other_state, other_key) as other:
        await other.post("/api/v1/accepted-domains", json={"domain": "contoso.com"})
        _error(await other.delete("/api/v1/accepted-domains/tailspin.com"), 404)
        await _post(other, report("fabrikam.net", 10, 0))
        assert (await _reports(other))[0]["flagged"] is True
    # the other organization's list changes nothing here
    assert await _listed(client) == []
    assert await _days(client) == {"fabrikam.net": (10, 0)}
    await client.post("/api/v1/accepted-domains", json={"domain": "tailspin.com"})
    async with make_client(other_state, other_key) as other:
        _error(await other.delete("/api/v1/accepted-domains/tailspin.com"), 404)
        assert await _listed(other) == ["contoso.com"]
    assert await _listed(client) == ["tailspin.com"]


async def test_the_cli_adds_lists_and_removes(dsn: str, pool: asyncpg.Pool, tmp_path: Any) -> None:
    org = f"cli-{uuid.uuid4().hex[:8]}"
    env = clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=org)
    org_id = await ensure_organization(pool, org)
    empty = mailflow("domains", "list", env=env)
    assert empty.returncode == 0, empty.stderr
    assert "every TLS report counts" in empty.stdout
    added = mailflow("domains", "add", "Contoso.COM.", "fabrikam.net", env=env)
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines()[-2:] == ["added: contoso.com", "added: fabrikam.net"]
    listed = mailflow("domains", "list", "--json", env=env)
    assert [d["domain"] for d in orjson.loads(listed.stdout)] == ["contoso.com", "fabrikam.net"]
    foreign = tmp_path / "report.json"
    foreign.write_bytes(report("tailspin.net", 10, 0))
    assert mailflow("ingest", "--format", "tlsrpt", str(foreign), env=env).returncode == 0
    listed_reports = mailflow("tls-reports", "list", env=env)
    assert "flagged: tailspin.net not accepted (not counted)" in listed_reports.stdout, listed_reports.stdout
    bad = mailflow("domains", "add", "not a domain", env=env)
    assert bad.returncode == 1
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "domain" in bad.stderr
    removed = mailflow("domains", "remove", "contoso.com", env=env)
    assert removed.returncode == 0
    assert removed.stdout.splitlines()[-1] == "removed: contoso.com"
    missing = mailflow("domains", "remove", "contoso.com", env=env)
    assert missing.returncode == 1
    assert "not an accepted domain" in missing.stderr
    assert await pool.fetchval("select array_agg(domain) from accepted_domains where org_id = $1", org_id) == [
        "fabrikam.net"
    ]
