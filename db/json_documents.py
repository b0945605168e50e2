"""JSON documents as PostgreSQL writes them (jsonb_build_object, to_jsonb), so that a document read into a
dataclass is given back byte for byte once serialized: jsonb's key order and PostgreSQL's timestamps."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def time_of(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def pg_time(value: datetime | None) -> str | None:
    """A timestamp as PostgreSQL writes it in JSON: ISO 8601, its fraction of a second without trailing zeros."""
    if value is None:
        return None
    text = value.isoformat()
    if value.microsecond:
        whole, _, rest = text.partition(".")
        text = f"{whole}.{rest[:6].rstrip('0')}{rest[6:]}"
    return text


def jsonb_order(document: dict[str, Any]) -> dict[str, Any]:
    """The keys in jsonb's order: shorter first, then by their bytes."""
    return {key: document[key] for key in sorted(document, key=lambda key: (len(key), key.encode()))}
