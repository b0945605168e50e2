"""The direct path (a plain JSON POST straight to strawberry's Schema.execute) answers exactly what strawberry's
view answers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import strawberry

from api.executor import LeanExecutor
from api.graphql import GraphQLApp
from api.settings import Settings

WINDOW = {"from": "2026-11-02T00:00:00Z", "to": "2026-11-06T00:00:00Z"}
REPORT = """query Report($from: DateTime, $to: DateTime) {
  connectorReport(from: $from, to: $to) { rows { day connector { name type } volume tls10 } totals { volume } } }
query Other { viewer { role } }"""

REQUESTS: list[dict[str, Any]] = [
    {"query": "{ mailFlowSummary { inbound { total versions { tlsVersion share } } } }"},
    {"query": REPORT, "variables": WINDOW, "operationName": "Report"},
    {"query": REPORT, "operationName": "Other"},
    {"query": REPORT},  # two operations and no name: strawberry's error
    {"query": REPORT, "operationName": "Missing"},
    {"query": '{ tlsBreakdown(timeZone: "Nowhere/Special") { total } }'},  # a resolver's BAD_USER_INPUT
    {"query": "query ($d: Direction) { tlsBreakdown(direction: $d) { total } }", "variables": {"d": "SIDEWAYS"}},
    {"query": "{ tlsBreakdown { nosuchfield } }"},  # a validation error
    {"query": "{ tlsBreakdown { "},  # a syntax error
    {"query": '{ connectors { name report(from: "2026-11-02T00:00:00Z") { total } } }'},
    {"query": 'mutation { createConnector(connector: {name: "Fabrikam", direction: INBOUND, type: PARTNER}) { id } }'},
    {"query": "{ __typename }", "extensions": {"x": 1}},
    {"query": 42},
]


@pytest.fixture
def settings() -> Settings:
    """No response cache: every request here must be executed, one way or the other."""
    return Settings(key_cache_seconds=0, rate_limit=10_000, rate_burst=10_000, cache_bytes=0)


def _without_request_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_request_ids(v) for k, v in value.items() if k != "request_id"}
    if isinstance(value, list):
        return [_without_request_ids(v) for v in value]
    return value


async def _answers(client: httpx.AsyncClient) -> list[tuple[int, Any]]:
    out = []
    for body in REQUESTS:
        response = await client.post("/graphql", json=body)
        json_body = response.headers.get("content-type", "").startswith("application/json")
        out.append((response.status_code, _without_request_ids(response.json()) if json_body else response.text))
    return out


async def test_direct_and_strawberry_answer_the_same(
    client: httpx.AsyncClient, traffic: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    viewed: list[int] = []  # requests the view read (the rest went straight to Schema.execute)
    through_view = GraphQLApp._through_strawberry

    async def counted(self: GraphQLApp, *args: Any) -> None:
        viewed.append(1)
        await through_view(self, *args)

    monkeypatch.setattr(GraphQLApp, "_through_strawberry", counted)
    executed: list[str] = []
    execute = strawberry.Schema.execute

    async def every(self: strawberry.Schema, query: str | None, *args: Any, **kwargs: Any) -> Any:
        executed.append(str(query))
        return await execute(self, query, *args, **kwargs)

    monkeypatch.setattr(strawberry.Schema, "execute", every)
    direct = await _answers(client)
    by_view = len(viewed)
    assert all(q in executed for q in (r["query"] for r in REQUESTS) if isinstance(q, str))  # strawberry ran each
    monkeypatch.setattr(GraphQLApp, "_direct", lambda self, scope, body: None)
    viewed.clear()
    through_strawberry = await _answers(client)
    assert direct == through_strawberry
    assert direct[1][1]["data"]["connectorReport"]["rows"]  # real data, not an empty answer both ways
    assert direct[10][1]["errors"]  # the mutation's name is taken: an error, the same both ways
    assert direct[6][1]["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # a variable's bad enum value
    # the view read only the requests without a single operation and those that are not plain JSON queries
    assert by_view == 3  # an operation name not in the document, extensions, a query that is not text
    assert len(viewed) == len(REQUESTS)
    monkeypatch.undo()  # the direct path again: a mutation that succeeds
    created = await client.post(
        "/graphql",
        json={"query": 'mutation { createConnector(connector: {name: "Direct", direction: INBOUND, type: PARTNER}) '
              "{ name type } }"},
    )  # fmt: skip
    assert created.json() == {"data": {"createConnector": {"name": "Direct", "type": "PARTNER"}}}


async def test_the_direct_path_keeps_the_abuse_limits(client: httpx.AsyncClient) -> None:
    deep = "{ connectors { report { versions { tlsVersion } } } }"
    body = (await client.post("/graphql", json={"query": deep})).json()
    assert "errors" not in body  # within the depth limit
    aliases = "{ " + " ".join(f"a{n}: viewer {{ role }}" for n in range(40)) + " }"
    body = (await client.post("/graphql", json={"query": aliases})).json()
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_an_error_outside_the_resolvers_is_an_error_in_the_answer(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the executor broke")

    monkeypatch.setattr(LeanExecutor, "execute_operation", broken)
    response = await client.post("/graphql", json={"query": "{ viewer { role } }"})
    assert response.status_code == 200
    error = response.json()["errors"][0]
    request_id = response.headers["x-request-id"]  # no internals to the client: the id to quote, as REST says it
    assert error["message"] == f"unexpected error; quote request id {request_id} when reporting it"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
