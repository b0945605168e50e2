"""GraphQL's Traffic and VersionCount: TLS bucket counts (shared by the summary, the breakdown and connectors)."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from core.tls import BUCKETS
from db.traffic_counts import Counts, share


@strawberry.type(description="Messages in one TLS bucket and their share of the total, in percent.")
class VersionCount:
    tls_version: str = strawberry.field(description="none, TLS1.0, TLS1.1, TLS1.2, TLS1.3 or unknown")
    messages: int
    share: float


@dataclass(slots=True)
class VersionRow:
    """A VersionCount's values as the resolvers hand them over (strawberry reads a type's fields by name from
    any object): six per day of a breakdown, made at a third of a strawberry object's cost."""

    tls_version: str
    messages: int
    share: float


def version_counts(counts: Counts) -> list[VersionRow]:
    total, by_bucket = counts.total, counts.by_bucket
    return [VersionRow(b, m, share(m, total)) for b in BUCKETS for m in (by_bucket.get(b, 0),)]


def versions_field() -> list[VersionRow]:
    """A `versions` field: VersionRow values, declared to GraphQL as VersionCounts (one field object per class)."""
    made: list[VersionRow] = strawberry.field(graphql_type=list[VersionCount])
    return made


@strawberry.type(description="Messages and every TLS bucket (all six, in a fixed order).")
class Traffic:
    total: int
    volume: int = strawberry.field(description="the same as total: the Connector report's word for it")
    versions: list[VersionRow] = versions_field()

    @classmethod
    def of(cls, counts: Counts) -> Traffic:
        return cls(total=counts.total, volume=counts.total, versions=version_counts(counts))
