"""Turning a JSON array or NDJSON body into records, with the line of any malformed JSON."""

from __future__ import annotations

from typing import Any

import orjson

from api.errors import BadRequest

NDJSON_TYPES = frozenset({"application/x-ndjson", "application/ndjson", "application/jsonl", "application/jsonlines"})


def parse_ndjson(data: bytes, first_line: int = 1) -> tuple[list[Any], list[int]]:
    """Records and the 1-based line each came from; blank lines are skipped."""
    records: list[Any] = []
    lines: list[int] = []
    for number, line in enumerate(data.split(b"\n"), start=first_line):
        if not line.strip():
            continue
        try:
            records.append(orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            raise BadRequest(
                f"line {number}: malformed JSON: {exc.msg}",
                [
                    {
                        "line": number,
                        "field": None,
                        "message": f"malformed JSON: {exc.msg} (column {exc.colno})",
                    }
                ],
            ) from None
        lines.append(number)
    return records, lines


def parse_json_array(data: bytes) -> list[Any]:
    """A JSON array of records (a single object counts as one record)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(
            f"line {exc.lineno}: malformed JSON: {exc.msg}",
            [
                {
                    "line": exc.lineno,
                    "field": None,
                    "message": f"malformed JSON: {exc.msg} (column {exc.colno})",
                }
            ],
        ) from None
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise BadRequest("the body must be a JSON array of message records (or NDJSON)")
    return value


def parse_records(data: bytes, content_type: str) -> tuple[list[Any], list[int] | None]:
    """Records, and for NDJSON the line of each (None: record n is on 'line' n)."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in NDJSON_TYPES:
        return parse_ndjson(data)
    if media not in ("", "application/json", "text/json"):
        raise BadRequest(f"Content-Type {media!r} is not supported: use application/json or application/x-ndjson")
    return parse_json_array(data), None
