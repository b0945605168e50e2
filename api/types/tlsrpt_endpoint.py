"""The TlsrptEndpoint type: an RFC 8460 HTTPS reporting URL of the organization and what it received."""

from __future__ import annotations

from datetime import datetime

import strawberry

from db.tlsrpt_endpoints import Endpoint


@strawberry.type(description="How many times something was skipped for one reason.")
class SkippedCount:
    reason: str
    count: int


def skipped_counts(skipped: dict[str, int]) -> list[SkippedCount]:
    return [SkippedCount(reason=r, count=int(n)) for r, n in sorted(skipped.items())]


@strawberry.type(description="An HTTPS reporting endpoint (RFC 8460): reporters POST TLS reports to its URL.")
class TlsrptEndpoint:
    id: strawberry.ID
    description: str
    created_at: datetime
    rotated_at: datetime | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    reports_total: int = strawberry.field(description="reports stored through it (each once)")
    reports_today: int = strawberry.field(description="reports stored through it this UTC day")
    skipped: list[SkippedCount] = strawberry.field(description="POSTs that stored nothing, by reason")
    url: str | None = strawberry.field(description="<public URL>/tlsrpt/<token>: only when made or rotated")
    txt_record: str | None = strawberry.field(
        description="v=TLSRPTv1; rua=<url>, for _smtp._tls.<domain>: only when made or rotated"
    )

    @classmethod
    def of(cls, e: Endpoint, url: str | None = None, txt_record: str | None = None) -> TlsrptEndpoint:
        return cls(
            id=strawberry.ID(str(e.id)), description=e.description, created_at=e.created_at, rotated_at=e.rotated_at,
            last_success_at=e.last_success_at, last_error_at=e.last_error_at, last_error=e.last_error,
            reports_total=e.reports_total, reports_today=e.reports_today, skipped=skipped_counts(e.skipped), url=url,
            txt_record=txt_record,
        )  # fmt: skip
