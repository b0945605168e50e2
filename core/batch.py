"""Validated message records as columns, ready for one COPY: what the ingest pipeline (api/ingest.py)
hands to the store (db/messages.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any


@dataclass
class Batch:
    """Validated records as columns, ready for one `unnest` insert."""

    message_ids: list[str] = field(default_factory=list)
    received_at: list[datetime] = field(default_factory=list)
    directions: list[str] = field(default_factory=list)
    connector_ids: list[int | None] = field(default_factory=list)
    tls_buckets: list[str] = field(default_factory=list)
    tls_protocols: list[str | None] = field(default_factory=list)
    ciphers: list[str | None] = field(default_factory=list)
    sender_domains: list[str | None] = field(default_factory=list)
    recipient_domains: list[str | None] = field(default_factory=list)
    remote_hosts: list[str | None] = field(default_factory=list)
    server_domains: list[str | None] = field(default_factory=list)  # the remote host's registrable domain
    remote_ips: list[str | None] = field(default_factory=list)
    sizes: list[int | None] = field(default_factory=list)
    statuses: list[str | None] = field(default_factory=list)
    tls_securities: list[str] = field(default_factory=list)  # dane, mta_sts, verified, opportunistic, none, unknown
    blocked_reasons: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.message_ids)

    def add(
        self, message_id: str, received_at: datetime, direction: str, connector_id: int | None, tls_bucket: str,
        tls_protocol: str | None, cipher: str | None, sender_domain: str | None, recipient_domain: str | None,
        remote_host: str | None, server_domain: str | None, remote_ip: str | None, size: int | None,
        status: str | None, tls_security: str, blocked_reason: str | None,
    ) -> None:  # fmt: skip
        """One validated record, its values in the order of columns()."""
        self.message_ids.append(message_id)
        self.received_at.append(received_at)
        self.directions.append(direction)
        self.connector_ids.append(connector_id)
        self.tls_buckets.append(tls_bucket)
        self.tls_protocols.append(tls_protocol)
        self.ciphers.append(cipher)
        self.sender_domains.append(sender_domain)
        self.recipient_domains.append(recipient_domain)
        self.remote_hosts.append(remote_host)
        self.server_domains.append(server_domain)
        self.remote_ips.append(remote_ip)
        self.sizes.append(size)
        self.statuses.append(status)
        self.tls_securities.append(tls_security)
        self.blocked_reasons.append(blocked_reason)

    def columns(self) -> tuple[list[Any], ...]:
        return (
            self.message_ids,
            self.received_at,
            self.directions,
            self.connector_ids,
            self.tls_buckets,
            self.tls_protocols,
            self.ciphers,
            self.sender_domains,
            self.recipient_domains,
            self.remote_hosts,
            self.server_domains,
            self.remote_ips,
            self.sizes,
            self.statuses,
            self.tls_securities,
            self.blocked_reasons,
        )

    def extend(self, other: Batch) -> None:
        """Append `other`'s records."""
        for mine, theirs in zip(self.columns(), other.columns(), strict=True):
            mine.extend(theirs)

    def drop_before(self, cutoff: datetime) -> int:
        """Remove the records received before `cutoff`; how many there were."""
        if not self.received_at or min(self.received_at) >= cutoff:
            return 0
        keep = [i for i, moment in enumerate(self.received_at) if moment >= cutoff]
        dropped = len(self) - len(keep)
        for column in self.columns():
            column[:] = [column[i] for i in keep]
        return dropped

    def touched(self) -> list[tuple[str, int]]:
        """The (direction, connector) pairs the batch feeds (0: the internet without a connector)."""
        return sorted({(d, c or 0) for d, c in zip(self.directions, self.connector_ids, strict=True)})

    def utc_days(self) -> list[date]:
        """The UTC days the records fall on (the message partitions they need)."""
        return sorted({ts.astimezone(UTC).date() for ts in self.received_at})
