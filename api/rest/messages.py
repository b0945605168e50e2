"""POST /api/v1/messages: ingest a JSON array or NDJSON of message records (gzip optional)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.feed import ingest_body, ingest_warnings
from api.rest.http import JSON, read_body, state


async def post_messages(request: Request) -> Response:
    app = state(request)
    body = await read_body(request, app.settings.max_body_bytes)
    stored = await ingest_body(app, body, request.headers.get("content-type", ""))
    return JSON(
        {
            "accepted": stored.accepted,
            "duplicates": stored.duplicates,
            "expired": stored.expired,
            "warnings": ingest_warnings(stored.expired, app.settings.retention_days),
        }
    )
