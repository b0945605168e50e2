"""POST /api/v1/messages: ingest a JSON array or NDJSON of message records (gzip optional)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from api.errors import ValidationFailed
from api.ingest import validate
from api.records import parse_records
from api.rest.http import JSON, read_body, state
from db.connectors import connector_index, list_connectors
from db.messages import Stored, store_messages


async def ingest_records(request_state: Any, records: list[Any], lines: list[int] | None = None) -> Stored:
    """Validate every record, then store all or nothing. Shared by REST and GraphQL."""
    app = request_state
    index = connector_index(await list_connectors(app.pool, app.org_id))
    batch, problems = validate(records, index)
    if problems:
        if lines is not None:  # NDJSON: report the physical line, not the record number
            for item in problems.items:
                item["line"] = lines[item["line"] - 1]
        raise ValidationFailed(problems.summary(), problems.items)
    return await store_messages(app.pool, app.org_id, batch)


async def post_messages(request: Request) -> Response:
    app = state(request)
    body = await read_body(request, app.settings.max_body_bytes)
    records, lines = parse_records(body, request.headers.get("content-type", ""))
    stored = await ingest_records(app, records, lines)
    return JSON({"accepted": stored.accepted, "duplicates": stored.duplicates})
