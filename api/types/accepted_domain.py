"""The AcceptedDomain type: a domain the organization owns; TLS reports for other domains are flagged."""

from __future__ import annotations

from datetime import datetime

import strawberry

from db.accepted_domains import AcceptedDomain as Stored


@strawberry.type(
    description="A domain the organization owns (and its subdomains). With any listed, a TLS report policy for "
    "another domain is shown, flagged, and not counted in the figures or insights; with none, every report counts."
)
class AcceptedDomain:
    domain: str = strawberry.field(description="lower case, A-labels (IDN in ASCII), no trailing dot")
    created_at: datetime

    @classmethod
    def of(cls, found: Stored) -> AcceptedDomain:
        return cls(domain=found.domain, created_at=found.created_at)
