"""Every refusal has the one shape (as Datasette's test_error_shape checks with assert_canonical_error).

One walk over every refusal path there is, REST and GraphQL: each status a client can meet (400 to 503, and
the 500 of a fault) and each GraphQL error code, through the real app and database. REST answers exactly
`{"error": {"code", "message", "details"}}`; GraphQL errors exactly `{"message", "locations"?, "path"?,
"extensions": {"code", "details"}}`. A refusal class that no case reaches fails the last test."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message

from api.app import create_app
from api.context import AppState
from api.errors import ApiError
from api.executor import LeanExecutor
from api.rest.http import requires
from api.rest.http import state as state_of
from db.keys import create_key
from db.pool import open_database
from tests.cli.helpers import clean_env, free_port, wait_ready

CONNECTOR = {"name": "Taken", "direction": "inbound", "type": "partner"}
CREATE = 'mutation { createConnector(connector: {name: "Taken", direction: INBOUND, type: PARTNER}) { id } }'


async def _fault(request: Request) -> Response:
    raise RuntimeError("a bug, with internals the client must not see: /srv/secret.py")


async def _slow(request: Request) -> Response:
    await state_of(request).pool.fetchval("select pg_sleep(1)")  # beyond the statement timeout
    return Response("never")


async def _unstorable(request: Request) -> Response:
    await state_of(request).pool.fetchval("select $1::text::int", "not a number")  # PostgreSQL refuses it
    return Response("never")


FAULTS = [Route(f"/test/{f.__name__[1:]}", requires("reader", f)) for f in (_fault, _slow, _unstorable)]


class World:
    """The clients that reach each refusal: keys of each role, none, a bad one, tight limits, a database that
    is down or slow. Made on demand, closed after the test."""

    def __init__(
        self, state: AppState, dsn: str, stack: AsyncExitStack, monkeypatch: pytest.MonkeyPatch, guarded: Guarded
    ) -> None:
        self.state, self.dsn, self.stack, self.monkeypatch, self.guarded = state, dsn, stack, monkeypatch, guarded

    async def app(self, database: str = "up", **settings: Any) -> Starlette:
        state = dataclasses.replace(self.state, settings=dataclasses.replace(self.state.settings, **settings))
        if database != "up":
            db = await open_database(self.dsn, 2, statement_timeout_ms=50)
            if database == "down":
                await db.close()
            else:
                self.stack.push_async_callback(db.close)
            state = AppState(state.settings, db, state.org_id, cache=None)
        app = create_app(state.settings, state=state)
        app.router.routes.extend(FAULTS)
        return app

    async def token(self, role: str | None) -> str | None:
        if role in (None, "not-a-key"):
            return role
        return await create_key(self.state.db.system, self.state.org_id, role, "error shape")

    async def client(self, role: str | None = "admin", database: str = "up", **settings: Any) -> httpx.AsyncClient:
        app = await self.app(database, **settings)
        token = await self.token(role)
        headers = {"authorization": f"Bearer {token}"} if token else {}
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        client = httpx.AsyncClient(transport=transport, base_url="http://mailflow.test", headers=headers)
        return await self.stack.enter_async_context(client)

    async def graphql(self, query: str, client: httpx.AsyncClient | None = None, **variables: Any) -> httpx.Response:
        return await (client or await self.client()).post("/graphql", json={"query": query, "variables": variables})


class Guarded:
    """A real `mailflow serve` with tight limits on slow and greedy clients, started when a case first needs
    it: the 408 and 429 that its HTTP protocol writes itself, before any app sees the request."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def address(self) -> tuple[str, int]:
        if self.proc is None:
            self.port = free_port()
            env = clean_env(
                DATABASE_URL=self.dsn,
                MAILFLOW_ORG=f"guarded-{uuid.uuid4().hex[:8]}",
                MAILFLOW_LOG_LEVEL="WARNING",
                MAILFLOW_HEADER_TIMEOUT_SECONDS="1",
                MAILFLOW_CONNECTIONS_PER_CLIENT="1",
            )
            command = [sys.executable, "-m", "api.cli", "serve", "--port", str(self.port)]
            self.proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
            wait_ready(self.port, self.proc)
        return "127.0.0.1", self.port

    def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def guarded(dsn: str) -> Iterator[Guarded]:
    server = Guarded(dsn)
    try:
        yield server
    finally:
        server.close()


@dataclasses.dataclass
class Refusal:
    name: str
    status: int
    code: str
    send: Callable[[World], Awaitable[httpx.Response]]
    headers: tuple[str, ...] = ()  # headers the answer must carry


async def _twice(w: World, send: Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]) -> httpx.Response:
    client = await w.client()
    await send(client)
    return await send(client)


async def _broken_executor(w: World) -> httpx.Response:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the executor broke: /srv/secret.py")

    w.monkeypatch.setattr(LeanExecutor, "execute_operation", broken)
    return await w.graphql("{ viewer { role } }")


REST = [
    Refusal("malformed JSON", 400, "BAD_REQUEST", lambda w: _post(w, "/api/v1/messages", b"[{")),
    Refusal("bad argument", 400, "BAD_USER_INPUT", lambda w: _get(w, "/api/v1/tls-breakdown?direction=up")),
    Refusal("no key", 401, "UNAUTHENTICATED", lambda w: _get(w, "/api/v1/summary", None), ("www-authenticate",)),
    Refusal(
        "bad key", 401, "UNAUTHENTICATED", lambda w: _get(w, "/api/v1/summary", "not-a-key"), ("www-authenticate",)
    ),
    Refusal("role too low", 403, "FORBIDDEN", lambda w: _post(w, "/api/v1/connectors", b"{}", "reader")),
    Refusal("no such route", 404, "NOT_FOUND", lambda w: _get(w, "/api/v1/nothing-here")),
    Refusal("no such report", 404, "NOT_FOUND", lambda w: _get(w, "/api/v1/tls-reports/9223372036854775807")),
    Refusal("method", 405, "METHOD_NOT_ALLOWED", lambda w: _call(w, "DELETE", "/api/v1/messages"), ("allow",)),
    Refusal("name taken", 409, "CONFLICT", lambda w: _twice(w, lambda c: c.post("/api/v1/connectors", json=CONNECTOR))),
    Refusal(
        "body too large", 413, "PAYLOAD_TOO_LARGE", lambda w: _post(w, "/api/v1/messages", b"[" + b" " * 200 + b"]")
    ),
    Refusal("encoding", 415, "UNSUPPORTED_MEDIA_TYPE", lambda w: _post(w, "/api/v1/messages", b"[]", encoding="br")),
    Refusal("invalid record", 422, "VALIDATION_FAILED", lambda w: _post(w, "/api/v1/messages", b'[{"message_id": 1}]')),
    Refusal("value PostgreSQL refuses", 422, "VALIDATION_FAILED", lambda w: _get(w, "/test/unstorable")),
    Refusal("rate limit", 429, "RATE_LIMITED", lambda w: _get(w, "/api/v1/summary", rate_burst=0), ("retry-after",)),
    Refusal("headers too slow (protocol)", 408, "REQUEST_TIMEOUT", lambda w: _headers_late(w), ("connection",)),
    Refusal("body too slow", 408, "REQUEST_TIMEOUT", lambda w: _body(w, "/api/v1/messages", LATE), ("connection",)),
    Refusal("connections (protocol)", 429, "RATE_LIMITED", lambda w: _one_too_many(w), ("retry-after", "connection")),
    Refusal("client gone mid-body", 499, "CLIENT_CLOSED_REQUEST", lambda w: _body(w, "/api/v1/messages", GONE)),
    Refusal("fault", 500, "INTERNAL_SERVER_ERROR", lambda w: _get(w, "/test/fault")),
    Refusal(
        "database down",
        503,
        "SERVICE_UNAVAILABLE",
        lambda w: _get(w, "/api/v1/summary", database="down", auth=False),
        ("retry-after",),
    ),
    Refusal(
        "key lookup, database down",
        503,
        "SERVICE_UNAVAILABLE",
        lambda w: _get(w, "/api/v1/summary", database="down"),
        ("retry-after",),
    ),
    Refusal(
        "statement timeout",
        503,
        "SERVICE_UNAVAILABLE",
        lambda w: _get(w, "/test/slow", database="slow"),
        ("retry-after",),
    ),
]
GRAPHQL = [
    Refusal("not JSON", 400, "BAD_REQUEST", lambda w: _post(w, "/graphql", b"{not json", type="application/json")),
    Refusal("syntax", 200, "GRAPHQL_PARSE_FAILED", lambda w: w.graphql("{ viewer { role }")),
    Refusal("unknown field", 200, "GRAPHQL_VALIDATION_FAILED", lambda w: w.graphql("{ viewer { nosuchfield } }")),
    Refusal("unknown argument", 200, "GRAPHQL_VALIDATION_FAILED", lambda w: w.graphql("{ connectors(x: 1) { id } }")),
    Refusal("depth", 200, "GRAPHQL_VALIDATION_FAILED", lambda w: _deep(w)),
    Refusal("literal value", 200, "BAD_USER_INPUT", lambda w: w.graphql("{ tlsBreakdown(direction: UP) { total } }")),
    Refusal(
        "variable value",
        200,
        "BAD_USER_INPUT",
        lambda w: w.graphql("query ($d: Direction!) { tlsBreakdown(direction: $d) { total } }", d="UP"),
    ),
    Refusal(
        "resolver's argument",
        200,
        "BAD_USER_INPUT",
        lambda w: w.graphql('{ tlsBreakdown(timeZone: "Nowhere/x") { total } }'),
    ),
    Refusal("no key", 401, "UNAUTHENTICATED", lambda w: _post(w, "/graphql", b"{}", None, type="application/json")),
    Refusal("role too low", 200, "FORBIDDEN", lambda w: _reader_creates(w)),
    Refusal(
        "no such insight",
        200,
        "NOT_FOUND",
        lambda w: w.graphql('mutation { dismissInsight(id: "9", reason: "x") { id } }'),
    ),
    Refusal("method", 405, "METHOD_NOT_ALLOWED", lambda w: _call(w, "PUT", "/graphql"), ("allow",)),
    Refusal("name taken", 200, "CONFLICT", lambda w: _twice(w, lambda c: w.graphql(CREATE, c))),
    Refusal(
        "too large", 413, "PAYLOAD_TOO_LARGE", lambda w: _post(w, "/graphql", b" " * 30_000, type="application/json")
    ),
    Refusal(
        "invalid thresholds",
        200,
        "VALIDATION_FAILED",
        lambda w: w.graphql("mutation { updateInsightThresholds(windowDays: 0) { windowDays } }"),
    ),
    Refusal("body too slow", 408, "REQUEST_TIMEOUT", lambda w: _body(w, "/graphql", LATE), ("connection",)),
    Refusal("rate limit", 429, "RATE_LIMITED", lambda w: _post(w, "/graphql", b"{}", rate_burst=0), ("retry-after",)),
    Refusal("fault", 200, "INTERNAL_SERVER_ERROR", _broken_executor),
    Refusal("database down", 200, "SERVICE_UNAVAILABLE", lambda w: _down_graphql(w)),
]


async def _call(
    w: World, method: str, path: str, content: bytes = b"", role: str | None = "admin", **kw: Any
) -> httpx.Response:
    headers = {}
    if "encoding" in kw:
        headers["content-encoding"] = kw.pop("encoding")
    headers["content-type"] = kw.pop("type", "application/json")
    client = await w.client(role, **kw)
    return await client.request(method, path, content=content, headers=headers)


async def _get(w: World, path: str, role: str | None = "admin", **kw: Any) -> httpx.Response:
    return await _call(w, "GET", path, b"", role, **kw)


async def _post(w: World, path: str, content: bytes, role: str | None = "admin", **kw: Any) -> httpx.Response:
    return await _call(w, "POST", path, content, role, max_body_bytes=100, **kw)


LATE: list[Message] = [{"type": "http.request", "body": b"[", "more_body": True}]  # and then nothing
GONE: list[Message] = [*LATE, {"type": "http.disconnect"}]


async def _body(w: World, path: str, arriving: list[Message]) -> httpx.Response:
    """The app called as the server calls it, with a body that stops coming (the middleware's 408) or whose
    client leaves (499: for the request log, nobody reads it)."""
    app = await w.app(body_timeout_seconds=0.2)
    messages = list(arriving)

    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()  # never
        raise AssertionError

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    headers = [(b"authorization", f"Bearer {await w.token('admin')}".encode()), (b"content-type", b"application/json")]
    scope = {"type": "http", "method": "POST", "path": path, "headers": headers, "query_string": b"", "root_path": ""}
    await app({**scope, "client": ("192.0.2.9", 4000), "http_version": "1.1"}, receive, send)
    start, *body = sent
    content = b"".join(m.get("body", b"") for m in body)
    return httpx.Response(start["status"], headers=start["headers"], content=content)


def _raw(answer: bytes) -> httpx.Response:
    """An answer the HTTP protocol wrote on the socket."""
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *lines = head.decode().split("\r\n")
    headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines)]
    return httpx.Response(int(status.split()[1]), headers=headers, content=body)


def _until_closed(sock: socket.socket) -> bytes:
    sock.settimeout(15)
    data = b""
    with contextlib.suppress(ConnectionResetError), sock:
        while chunk := sock.recv(65536):
            data += chunk
    return data


async def _headers_late(w: World) -> httpx.Response:
    def late() -> bytes:
        sock = socket.create_connection(w.guarded.address(), source_address=("127.0.0.2", 0))
        sock.sendall(b"GET /api/v1/summary HTTP/1.1\r\n")  # and no more
        return _until_closed(sock)

    return _raw(await asyncio.to_thread(late))


async def _one_too_many(w: World) -> httpx.Response:
    def refused() -> bytes:
        address = w.guarded.address()
        with socket.create_connection(address, source_address=("127.0.0.3", 0)):  # the one allowed
            return _until_closed(socket.create_connection(address, source_address=("127.0.0.3", 0)))

    return _raw(await asyncio.to_thread(refused))


async def _deep(w: World) -> httpx.Response:
    return await w.graphql("{ connectors { report { versions { tlsVersion } } } }", await w.client(graphql_max_depth=2))


async def _reader_creates(w: World) -> httpx.Response:
    return await w.graphql(CREATE, await w.client("reader"))


async def _down_graphql(w: World) -> httpx.Response:
    return await w.graphql("{ connectors { id } }", await w.client(None, database="down", auth=False, cache_bytes=0))


def assert_canonical_error(response: httpx.Response, refusal: Refusal, graphql: bool) -> None:
    assert response.status_code == refusal.status, response.text
    assert response.headers["content-type"] == "application/json"
    for header in refusal.headers:
        assert response.headers.get(header), f"no {header} header"
    body = response.json()
    if not graphql:
        assert list(body) == ["error"], body
        error = body["error"]
        assert set(error) == {"code", "message", "details"}, error
        assert (error["code"], type(error["details"])) == (refusal.code, list), error
    else:
        assert set(body) <= {"data", "errors"}, body
        assert body.get("data") is None, body
        (error,) = body["errors"]
        assert set(error) - {"locations", "path"} == {"message", "extensions"}, error
        assert set(error["extensions"]) == {"code", "details"}, error
        assert (error["extensions"]["code"], type(error["extensions"]["details"])) == (refusal.code, list), error
    message = error["message"]
    assert isinstance(message, str), error
    assert message, error
    for internal in ("Traceback", "/srv/secret.py", "select "):
        assert internal not in message, error
    if refusal.code == "INTERNAL_SERVER_ERROR":  # a fault names the request id to quote, nothing of itself
        assert message == f"unexpected error; quote request id {response.headers['x-request-id']} when reporting it"


@pytest.fixture
async def world(state: AppState, dsn: str, monkeypatch: pytest.MonkeyPatch, guarded: Guarded) -> AsyncIterator[World]:
    async with AsyncExitStack() as stack:
        yield World(state, dsn, stack, monkeypatch, guarded)


@pytest.mark.parametrize(
    ("refusal", "graphql"),
    [pytest.param(r, False, id=f"REST {r.status} {r.name}") for r in REST]
    + [pytest.param(r, True, id=f"GraphQL {r.code} {r.name}") for r in GRAPHQL],
)
async def test_every_refusal_has_the_one_shape(world: World, refusal: Refusal, graphql: bool) -> None:
    assert_canonical_error(await refusal.send(world), refusal, graphql)


def _refusals(cls: type[ApiError]) -> set[type[ApiError]]:
    return {cls}.union(*(_refusals(sub) for sub in cls.__subclasses__()))


def test_the_walk_reaches_every_refusal() -> None:
    codes = {cls.code for cls in _refusals(ApiError)}
    assert codes <= {r.code for r in REST + GRAPHQL}
    graphql_only = {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"}
    assert codes - graphql_only <= {r.code for r in REST}
    # GraphQL reads no compressed body, and its body reader takes a client gone mid-body for an empty body (a
    # 400 that nobody reads)
    assert codes - {"UNSUPPORTED_MEDIA_TYPE", "CLIENT_CLOSED_REQUEST"} <= {r.code for r in GRAPHQL}
