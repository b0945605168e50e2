"""MessageInput and the result of ingestMessages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from api.types.enums import Direction


@strawberry.input(description="One message in one direction; the same fields as POST /api/v1/messages.")
class MessageInput:
    message_id: str
    received_at: datetime
    direction: Direction
    tls_version: str
    connector: str | None = None
    cipher: str | None = None
    sender: str | None = None
    recipient: str | None = None
    remote_host: str | None = None
    remote_ip: str | None = None
    size_bytes: int | None = None
    status: str | None = None
    tls_security: str | None = strawberry.field(
        default=None,
        description="dane, mta_sts, verified, opportunistic, none or unknown; default from tlsVersion: none, "
        "unknown, else opportunistic",
    )
    blocked_reason: str | None = strawberry.field(
        default=None, description="set on a delivery refused or deferred because TLS was required: why"
    )

    def to_record(self) -> dict[str, Any]:
        record = {k: v for k, v in vars(self).items() if v is not None}
        # Keep what the client sent: a time without an offset fails validation, as over REST.
        record["received_at"] = self.received_at.isoformat()
        record["direction"] = self.direction.value
        return record


@strawberry.type
class IngestResult:
    accepted: int
    duplicates: int
    expired: int = strawberry.field(description="valid records older than the retention: not stored")
    warnings: list[str] = strawberry.field(description="what was not stored and why")
