"""GraphQL's Traffic and VersionCount: TLS bucket counts (shared by the summary, the breakdown and connectors)."""

from __future__ import annotations

import strawberry

from core.tls import BUCKETS
from db.traffic_counts import Counts


@strawberry.type(description="Messages in one TLS bucket and their share of the total, in percent.")
class VersionCount:
    tls_version: str = strawberry.field(description="none, TLS1.0, TLS1.1, TLS1.2, TLS1.3 or unknown")
    messages: int
    share: float


def version_counts(counts: Counts) -> list[VersionCount]:
    return [VersionCount(tls_version=b, messages=counts.messages(b), share=counts.share(b)) for b in BUCKETS]


@strawberry.type(description="Messages and every TLS bucket (all six, in a fixed order).")
class Traffic:
    total: int
    volume: int = strawberry.field(description="the same as total: the Connector report's word for it")
    versions: list[VersionCount]

    @classmethod
    def of(cls, counts: Counts) -> Traffic:
        return cls(total=counts.total, volume=counts.total, versions=version_counts(counts))
