"""Webhooks as the domain knows them: the event types a subscription can be sent, the subject of the insight
that says one was disabled, and the outcome of one attempt (api/webhooks/ sends them)."""

from __future__ import annotations

from dataclasses import dataclass

INSIGHT_KINDS = ("created", "updated", "resolved", "reopened", "dismissed")  # as the SIEM feed names them
EVENT_TYPES = (*(f"insight.{k}" for k in INSIGHT_KINDS), "tls_report.received", "ping")
SUBSCRIBABLE = tuple(t for t in EVENT_TYPES if t != "ping")  # a ping goes to whoever is tested


@dataclass(frozen=True)
class Outcome:
    """How one attempt went."""

    status_code: int | None  # None: no answer (error says why)
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def insight_subject(subscription_id: int) -> str:
    """The subject of the insight that says the subscription was disabled after failed deliveries."""
    return f"webhook subscription {subscription_id}"
