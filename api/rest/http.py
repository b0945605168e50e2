"""Small REST helpers: orjson responses, the app state, bounded (and gzip-aware) request bodies."""

from __future__ import annotations

import zlib
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from api.context import AppState
from api.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def state(request: Request) -> AppState:
    app_state: AppState = request.app.state.mailflow
    return app_state


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the request body is larger than {limit} bytes (after decompression)")


def _gunzip(data: bytes, limit: int) -> bytes:
    """Decompress gzip (several members too) without ever holding more than `limit` bytes."""
    out = bytearray()
    while data:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(data, limit + 1 - len(out))
            if len(out) > limit:
                raise _too_large(limit)
            if inflater.unconsumed_tail:  # more output waits: it cannot fit
                raise _too_large(limit)
            out += inflater.flush()
        except zlib.error as exc:
            raise BadRequest(f"the body is not valid gzip: {exc}") from None
        if len(out) > limit:
            raise _too_large(limit)
        if not inflater.eof:
            raise BadRequest("the gzip body is truncated")
        data = inflater.unused_data
    return bytes(out)


async def read_body(request: Request, limit: int) -> bytes:
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip"):
        raise UnsupportedMediaType(f"Content-Encoding {encoding!r} is not supported (use gzip or none)")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks = bytearray()
    async for chunk in request.stream():
        chunks += chunk
        if len(chunks) > limit:
            raise _too_large(limit)
    if encoding == "identity":
        return bytes(chunks)
    return _gunzip(bytes(chunks), limit)
