"""The Standard Webhooks format (standardwebhooks.com): the body and its signature (the event types are
core/webhooks.py's).

Each POST carries `webhook-id` (the event's stable id, the same on every attempt), `webhook-timestamp` (Unix
seconds of this attempt) and `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` keyed
with the secret's bytes; the body is `{"type", "timestamp", "data"}`, `data` being for insight events the
same object the SIEM feed gives (GET /api/v1/insights/events).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any

import orjson


def body(event_type: str, at: datetime, data: Any) -> bytes:
    return orjson.dumps({"type": event_type, "timestamp": at.isoformat(), "data": data})


def signature(secret: bytes, message_id: str, timestamp: int, payload: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + payload
    return "v1," + base64.b64encode(hmac.new(secret, signed, hashlib.sha256).digest()).decode()


def headers(secret: bytes, message_id: str, timestamp: int, payload: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, payload),
        "content-type": "application/json",
    }
