"""POST /api/v1/messages: ingest a JSON array or NDJSON of message records (gzip optional)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.feed import ingest_records, ingest_warnings
from api.records import parse_records
from api.rest.http import JSON, read_body, state


async def post_messages(request: Request) -> Response:
    app = state(request)
    body = await read_body(request, app.settings.max_body_bytes)
    records, lines = parse_records(body, request.headers.get("content-type", ""))
    stored = await ingest_records(app, records, lines)
    return JSON(
        {
            "accepted": stored.accepted,
            "duplicates": stored.duplicates,
            "expired": stored.expired,
            "warnings": ingest_warnings(stored.expired, app.settings.retention_days),
        }
    )
