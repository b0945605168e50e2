"""An insight as consumers see it: the document the insight_states view builds, read into dataclasses, and
given back byte for byte."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.json_documents import jsonb_order, pg_time, time_of


@dataclass(frozen=True)
class RemoteCount:
    """A remote domain (or server's registrable domain) behind an insight's condition: None, not known."""

    domain: str | None
    messages: int
    volume: int


@dataclass(frozen=True)
class InsightConnector:
    """The connector an insight is about (id 0 with type `internet`: the internet without a connector)."""

    id: int
    name: str
    direction: str
    type: str
    forced_tls: bool


@dataclass(frozen=True)
class Insight:
    """An insight as consumers see it: the document the insight_states view builds (db/migrations/0013), read
    into fields. `json()` gives that document back as the database wrote it, byte for byte once serialized
    (REST and the CLI answer it): jsonb's key order and PostgreSQL's timestamps; numbers as they were read.
    An event keeps the document as it stood (InsightEvent.state, which the SIEM feed and webhooks answer as
    stored): one written before db/migrations/0005 and 0013 lacks `subject` and the remote parties, read here
    as none."""

    id: int
    rule: str
    title: str
    description: str
    recommended_action: str
    severity: int
    status: str
    connector: InsightConnector
    subject: str | None
    share: float
    messages: int
    volume: int
    threshold: float
    window_from: datetime
    window_to: datetime
    first_detected_at: datetime
    last_detected_at: datetime
    resolved_at: datetime | None
    dismissed_at: datetime | None
    dismiss_reason: str | None
    remote_domains: list[RemoteCount]
    remote_servers: list[RemoteCount]

    @classmethod
    def of(cls, state: dict[str, Any]) -> Insight:
        return cls(
            id=state["id"],
            rule=state["rule"],
            title=state["title"],
            description=state["description"],
            recommended_action=state["recommended_action"],
            severity=state["severity"],
            status=state["status"],
            connector=InsightConnector(**state["connector"]),
            subject=state.get("subject"),
            share=state["share"],
            messages=state["messages"],
            volume=state["volume"],
            threshold=state["threshold"],
            window_from=datetime.fromisoformat(state["window_from"]),
            window_to=datetime.fromisoformat(state["window_to"]),
            first_detected_at=datetime.fromisoformat(state["first_detected_at"]),
            last_detected_at=datetime.fromisoformat(state["last_detected_at"]),
            resolved_at=time_of(state["resolved_at"]),
            dismissed_at=time_of(state["dismissed_at"]),
            dismiss_reason=state["dismiss_reason"],
            remote_domains=[RemoteCount(**e) for e in state.get("remote_domains", [])],
            remote_servers=[RemoteCount(**e) for e in state.get("remote_servers", [])],
        )

    def json(self) -> dict[str, Any]:
        document = {name: getattr(self, name) for name in _PLAIN}
        document |= {name: pg_time(getattr(self, name)) for name in _TIMES}
        document["connector"] = jsonb_order(vars(self.connector))
        document["remote_domains"] = [jsonb_order(vars(e)) for e in self.remote_domains]
        document["remote_servers"] = [jsonb_order(vars(e)) for e in self.remote_servers]
        return jsonb_order(document)


_TIMES = ("window_from", "window_to", "first_detected_at", "last_detected_at", "resolved_at", "dismissed_at")
_NESTED = ("connector", "remote_domains", "remote_servers")
_PLAIN = tuple(name for name in Insight.__dataclass_fields__ if name not in _TIMES + _NESTED)
