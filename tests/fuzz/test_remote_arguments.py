"""Property test: any value of every parameter of the remote-domain views (REST and GraphQL), cursors included:
never a 5xx, never an unexpected GraphQL error, always the one error shape."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ingest, remote_traffic, stored

NAMES = ("direction", "by", "connector", "tls_version", "from", "to", "time_zone", "sort", "limit", "cursor")
KNOWN = ["inbound", "outbound", "submission", "sender_domain", "recipient_domain", "server_domain", "TLS1.0", "none",
         "volume", "0", "1", "1000", "1001", "2026-05-04", "2026-05-07T00:00:00Z", "9999-12-31", "Europe/Berlin",
         ""]  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=6,
)
cursors = st.builds(lambda v: base64.urlsafe_b64encode(json.dumps(v).encode()).decode().rstrip("="), json_values)
values = st.sampled_from(KNOWN) | st.text(max_size=12) | cursors


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    path = draw(st.sampled_from(["/api/v1/remote-domains", "/api/v1/remote-hosts"]))
    names = draw(st.lists(st.sampled_from([*NAMES, "domain" if path.endswith("hosts") else "format"]), unique=True))
    return path, {name: draw(values) for name in names}


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(requests())
async def test_remote_parameters_never_answer_a_5xx(
    client: httpx.AsyncClient, request: tuple[str, dict[str, str]]
) -> None:
    path, params = request
    response = await client.get(path, params=params)
    assert response.status_code < 500, (path, params, response.text)
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}


QUERY = """query($d: Direction!, $by: RemoteParty, $tls: String, $sort: String, $limit: Int!, $cursor: String,
  $domain: String, $id: ID) {
  remoteDomains(direction: $d, by: $by, tlsVersion: $tls, sort: $sort, limit: $limit, cursor: $cursor,
    connectorId: $id) { total next rows { domain } }
  remoteHosts(direction: $d, by: $by, tlsVersion: $tls, sort: $sort, limit: $limit, cursor: $cursor,
    domain: $domain) { total next rows { host } } }"""
variables = st.fixed_dictionaries(
    {
        "d": st.sampled_from(["INBOUND", "OUTBOUND", "BOTH", "SUBMISSION"]),
        "limit": st.integers(min_value=-(2**31), max_value=2**31 - 1),
    },
    optional={
        "by": st.sampled_from(["SENDER_DOMAIN", "RECIPIENT_DOMAIN", "SERVER_DOMAIN"]),
        "tls": values,
        "sort": values,
        "cursor": values,
        "domain": values,
        "id": st.sampled_from(["0", "1", "x", "9" * 30]),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(variables)
async def test_graphql_remote_arguments_never_fail_unexpectedly(
    client: httpx.AsyncClient, given_variables: dict[str, Any]
) -> None:
    response = await client.post("/graphql", json={"query": QUERY, "variables": given_variables})
    assert response.status_code < 500, response.text
    codes = {e["extensions"]["code"] for e in response.json().get("errors", [])}
    assert "INTERNAL_SERVER_ERROR" not in codes, (given_variables, response.text)


async def test_a_page_of_real_rows_then_garbage_cursors(client: httpx.AsyncClient) -> None:
    await ingest(client, stored(remote_traffic(50, 3)))
    window = {"from": "2026-05-04", "to": "2026-05-07"}
    first = (await client.get("/api/v1/remote-hosts", params={**window, "limit": 1})).json()
    assert first["next"]
    for cursor in (first["next"][:-2], first["next"] + "AA", "W1widm9sdW1lIiwxLCJcdTAwMDAiLCIiXQ"):
        response = await client.get("/api/v1/remote-hosts", params={**window, "cursor": cursor})
        assert response.status_code == 400, (cursor, response.text)
