"""Serving the schema over HTTP: the per-request context and the error shape."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import strawberry
from cross_web import HTTPException
from graphql import FieldNode, OperationDefinitionNode
from graphql import OperationType as GraphQLOperation
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api.cache import Entry, cache_key
from api.documents import Documents
from api.error_responses import from_exception, response
from api.errors import PayloadTooLarge
from api.graphql_errors import located, refusal
from api.loaders import Loaders
from api.subscriptions import authorize

GRAPHIQL_PAGE = Path(__file__).parent / "static" / "graphiql.html"
DIRECT_OPERATIONS = frozenset((OperationType.QUERY, OperationType.MUTATION))
QUERY = GraphQLOperation.QUERY
# Lists that background work changes without a data generation (delivery attempts, mailbox polls) or that
# admins change through their own settings: answered afresh every time, never from the response cache.
UNCACHED_FIELDS = frozenset({"webhooks", "webhookDeliveries", "tlsrptEndpoints", "mailboxes"})


def _cacheable(operation: OperationDefinitionNode) -> bool:
    """A query is cached when it selects only plain root fields (no fragment at the root), none of them one
    of UNCACHED_FIELDS."""
    return all(
        isinstance(s, FieldNode) and s.name.value not in UNCACHED_FIELDS for s in operation.selection_set.selections
    )


Direct = tuple[str, dict[str, Any] | None, str | None]  # a plain JSON POST's query, variables, operation name


def _drop_tracebacks(error: BaseException) -> None:
    """Once an error is shaped (and logged), its tracebacks go: their frames hold the error itself (a
    reference cycle), and with it the request's executor, context and resolvers' objects."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        exc = todo.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        exc.__traceback__ = None
        todo += [exc.__cause__, exc.__context__, getattr(exc, "original_error", None)]


async def _send_json(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class TextFrames(ASGIWebSocketAdapter):
    """graphql-transport-ws messages as text frames, as its clients expect (encode_json gives bytes)."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(self.view.encode_json_string(message))
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class GraphQLApp(GraphQL[dict[str, Any], None]):
    """strawberry's ASGI app, with a body limit, the response cache, the error shape, and a direct path.

    The direct path: a plain JSON POST (a query string, optional variables and operation name) goes
    straight to strawberry's `Schema.execute` (its extensions, parsing and validation through
    api/documents.py, execution, error processing), skipping only the view's generic reading of requests
    and writing of responses; the answer is the same (tests/graphql/test_direct.py). Anything else (GET,
    other bodies, subscriptions, a request without a single operation) goes through strawberry's view."""

    max_bytes = 20_000
    websocket_adapter_class = TextFrames

    def __init__(self, schema: strawberry.Schema, documents: Documents) -> None:
        super().__init__(
            schema,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=10,
        )
        self.documents = documents  # the schema's (api/documents.py): the cache asks it for the operation

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> dict[str, Any]:
        shared = request.app.state.mailflow
        key = request.scope.get("state", {}).get("auth")
        if key is None:  # only the GraphiQL page is served without a key (see api/auth.py)
            return {"app": None, "request": request, "loaders": None}
        app = shared.for_key(key.org_id, key.role)
        return {"app": app, "request": request, "loaders": Loaders(app)}

    async def on_ws_connect(self, context: dict[str, Any]) -> None:
        """A WebSocket connection acts for the key in `connection_init`'s payload (api/subscriptions.py)."""
        app = await authorize(context["request"].app.state.mailflow, context.get("connection_params"))
        context.update(app=app, loaders=Loaders(app))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Reads the body first, refusing one over the GraphQL size limit with 413."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        limit = self.max_bytes
        body = bytearray()
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                await response(PayloadTooLarge(f"the request is larger than {limit} bytes"), scope["path"])(
                    scope, receive, send
                )
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        direct = self._direct(scope, bytes(body))
        key = await self._cache_key(scope, direct, bytes(body))
        if key is None:
            await self._answer(scope, replay, send, direct)
            return
        cache = scope["app"].state.mailflow.cache
        hit = cache.get(key)
        if hit is not None:
            await _send_json(send, 200, hit.body)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self._answer(scope, replay, keep, direct)
        answer = b"".join(chunks)
        if start.get("status") == 200 and b'"errors"' not in answer:
            cache.put(key, Entry(200, "application/json", (), answer))

    async def _answer(self, scope: Scope, receive: Receive, send: Send, direct: Direct | None) -> None:
        if direct is None:
            await self._through_strawberry(scope, receive, send)
            return
        query, variables, operation_name = direct
        request = Request(scope, receive)
        context = await self.get_context(request, None)  # type: ignore[arg-type]  # no response to change
        try:
            result = await self.schema.execute(
                query,
                variable_values=variables,
                context_value=context,
                operation_name=operation_name,
                allowed_operation_types=DIRECT_OPERATIONS,
            )
        except (CannotGetOperationTypeError, InvalidOperationTypeError, MissingQueryError):
            # refused before anything ran (no single operation, a subscription): the view's own answer
            await self._through_strawberry(scope, receive, send)
            return
        await _send_json(send, 200, orjson.dumps(await self.process_result(request, result)))

    async def _through_strawberry(self, scope: Scope, receive: Receive, send: Send) -> None:
        """strawberry's handling of an HTTP request, with a request it refuses (a body that is not JSON,
        say) answered in the error shape instead of plain text."""
        request = Request(scope, receive)
        try:
            answer = await self.run(request)
        except HTTPException as exc:
            answer = response(from_exception(exc, request), scope["path"])
        await answer(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        """orjson, as everywhere else: it refuses invalid UTF-8, lone surrogates and JSON nested deeper than
        1,024 levels with a JSONDecodeError (the json module raised UnicodeDecodeError or RecursionError,
        or let a lone surrogate through to fail later: 500s)."""
        return orjson.loads(data)

    def _direct(self, scope: Scope, body: bytes) -> Direct | None:
        """The query, variables and operation name of a plain JSON POST with a key, or None (then the view
        reads the request itself)."""
        if scope["method"] != "POST" or scope.get("state", {}).get("auth") is None:
            return None
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        if content_type.split(b";", 1)[0].strip().lower() != b"application/json":
            return None
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(data, dict) or not data.keys() <= {"query", "variables", "operationName", "extensions"}:
            return None
        query, variables, name = data.get("query"), data.get("variables"), data.get("operationName")
        if not isinstance(query, str) or not query or data.get("extensions") is not None:
            return None
        if not (variables is None or isinstance(variables, dict)) or not (name is None or isinstance(name, str)):
            return None
        return query, variables, name

    async def _cache_key(self, scope: Scope, direct: Direct | None, body: bytes) -> tuple[Hashable, ...] | None:
        """A cache key (the body) for a plain JSON POST whose parsed operation is a query, or None: decided
        on the document, never on the body's bytes (a mutation spelled `\\u006dutation` is still one)."""
        shared = scope["app"].state.mailflow
        key = scope.get("state", {}).get("auth")
        if shared.cache is None or key is None or direct is None:
            return None
        query, _, name = direct
        operation = self.documents.operation(query, name)
        if operation is None or operation.operation is not QUERY or not _cacheable(operation):
            return None
        return await cache_key(shared.db.for_org(key.org_id), key.org_id, "graphql", key.role, body)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from the server's own files (api/static/graphiql.html), so that it works offline."""
        return HTMLResponse(GRAPHIQL_PAGE.read_text())

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        data: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            data["errors"] = [refusal(e, request).graphql(located(e)) for e in result.errors]
            for error in result.errors:
                _drop_tracebacks(error)
        if result.extensions:
            data["extensions"] = result.extensions
        return data
