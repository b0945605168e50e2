"""Small REST helpers: orjson responses, the app state, bounded (and gzip-aware) request bodies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import Response

from api.cache import Entry, cache_key
from api.context import AppState
from api.errors import BadRequest, Forbidden, NotFound, PayloadTooLarge, Unauthenticated, UnsupportedMediaType
from api.gunzip import NotGzip, gunzip


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


class IdConvertor(Convertor[int]):
    """`{name:id}` in a route: up to 19 ASCII digits (a bigint's); a longer path matches no route (404), and
    never reaches int(), which refuses 4,300 digits and more."""

    regex = "[0-9]{1,19}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())


def path_id(request: Request, name: str, what: str) -> int:
    """An id from the path (`{name:id}`); one beyond a bigint names nothing there is."""
    value: int = request.path_params[name]
    if value >= 2**63:
        raise NotFound(f"there is no {what} {value}")
    return value


def state(request: Request) -> AppState:
    """The request's state: the organization and role of its API key."""
    shared: AppState = request.app.state.mailflow
    key = request.scope.get("state", {}).get("auth")
    if key is None:
        raise Unauthenticated("an API key is required: Authorization: Bearer <token>")
    return shared.for_key(key.org_id, key.role)


def cached(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """A GET handler whose 200 answers are cached per organization, data generation and hour (api/cache.py)."""

    async def endpoint(request: Request) -> Response:
        app = state(request)
        if app.cache is None:
            return await handler(request)
        query = tuple(sorted(request.query_params.multi_items()))
        key = await cache_key(app.pool, app.org_id, "rest", request.url.path, query, request.headers.get("accept", ""))
        hit = app.cache.get(key)
        if hit is not None:
            return Response(hit.body, status_code=hit.status, media_type=hit.media_type, headers=dict(hit.headers))
        response = await handler(request)
        if response.status_code == 200:
            kept = tuple((k, v) for k, v in response.headers.items() if k not in ("content-length", "content-type"))
            app.cache.put(key, Entry(200, response.media_type or "application/json", kept, bytes(response.body)))
        return response

    endpoint.__name__ = handler.__name__
    return endpoint


def requires(role: str, handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """A handler that answers 403 unless the key has `role` (reader < ingest < admin)."""

    async def endpoint(request: Request) -> Response:
        app = state(request)
        if not app.may(role):
            raise Forbidden(f"this needs a key with the {role} role or higher; this key is {app.role}")
        return await handler(request)

    endpoint.__name__ = handler.__name__
    return endpoint


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the request body is larger than {limit} bytes (after decompression)")


def _gunzip(data: bytes, limit: int) -> bytes:
    """Decompress gzip (several members too) without ever holding more than `limit` bytes."""
    try:
        return gunzip(data, limit, _too_large(limit).message)
    except NotGzip as exc:
        raise BadRequest(f"the body is {exc}") from None


async def read_json(request: Request) -> Any:
    """The request's JSON body: 400 when it is empty or malformed (with the line), 413 when too large."""
    body = await read_body(request, state(request).settings.max_body_bytes)
    if not body.strip():
        raise BadRequest("a JSON body is required")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"line {exc.lineno}: malformed JSON: {exc.msg}") from None


async def read_body(request: Request, limit: int) -> bytes:
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip"):
        raise UnsupportedMediaType(f"Content-Encoding {encoding!r} is not supported (use gzip or none)")
    declared = request.headers.get("content-length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks = bytearray()
    async for chunk in request.stream():
        chunks += chunk
        if len(chunks) > limit:
            raise _too_large(limit)
    if encoding == "identity":
        return bytes(chunks)
    return _gunzip(bytes(chunks), limit)
