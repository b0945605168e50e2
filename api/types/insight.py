"""The Insight type, its settings, and their inputs."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from api.types.connector import Connector
from api.types.enums import ConnectorType, Direction
from core.insights import InsightSettings as Settings
from db.insight_documents import Insight as Stored
from db.insight_documents import RemoteCount as StoredCount


@strawberry.enum
class InsightStatus(Enum):
    ACTIVE = "active"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"
    ALL = "all"


@strawberry.type(description="A remote domain behind an insight's condition.")
class RemoteCount:
    domain: str | None = strawberry.field(description="null: not known (a null sender, a server without a name)")
    messages: int = strawberry.field(description="its messages that the rule counts (e.g. over TLS 1.0)")
    volume: int = strawberry.field(description="all its messages through the connector")

    @classmethod
    def all_of(cls, entries: list[StoredCount]) -> list[RemoteCount]:
        return [cls(domain=e.domain, messages=e.messages, volume=e.volume) for e in entries]


@strawberry.type(description="A rule that fired for a connector over a sliding window.")
class Insight:
    id: strawberry.ID
    rule: str
    title: str
    description: str
    recommended_action: str
    severity: int
    status: InsightStatus
    connector: Connector
    subject: str | None = strawberry.field(description="what the insight is about beyond the connector (a domain)")
    share: float = strawberry.field(description="percent of the connector's volume the rule counts")
    messages: int = strawberry.field(description="the messages the rule counts (e.g. over TLS 1.0)")
    volume: int
    threshold: float
    window_from: datetime
    window_to: datetime
    first_detected_at: datetime
    last_detected_at: datetime
    resolved_at: datetime | None
    dismissed_at: datetime | None
    dismiss_reason: str | None
    remote_domains: list[RemoteCount] = strawberry.field(
        description="the top ten remote domains behind the condition (the sender's inbound, the recipient's "
        "outbound), most messages first, as the evaluation that last saw it fire found them"
    )
    remote_servers: list[RemoteCount] = strawberry.field(
        description="the same for the remote servers' registrable domains"
    )

    @classmethod
    def of(cls, insight: Stored) -> Insight:
        c = insight.connector
        return cls(
            id=strawberry.ID(str(insight.id)),
            rule=insight.rule,
            title=insight.title,
            description=insight.description,
            recommended_action=insight.recommended_action,
            severity=insight.severity,
            status=InsightStatus(insight.status),
            connector=Connector(
                id=strawberry.ID(str(c.id)),
                name=c.name,
                direction=Direction(c.direction),
                type=ConnectorType(c.type),
                forced_tls=c.forced_tls,
            ),
            subject=insight.subject,
            share=float(insight.share),
            messages=insight.messages,
            volume=insight.volume,
            threshold=float(insight.threshold),
            window_from=insight.window_from,
            window_to=insight.window_to,
            first_detected_at=insight.first_detected_at,
            last_detected_at=insight.last_detected_at,
            resolved_at=insight.resolved_at,
            dismissed_at=insight.dismissed_at,
            dismiss_reason=insight.dismiss_reason,
            remote_domains=RemoteCount.all_of(insight.remote_domains),
            remote_servers=RemoteCount.all_of(insight.remote_servers),
        )


@strawberry.type
class InsightRuleSettings:
    rule: str
    title: str
    threshold: float
    min_messages: int
    enabled: bool
    comparison: str = strawberry.field(description="at_least or above")


@strawberry.type
class InsightSettings:
    window_days: int
    rules: list[InsightRuleSettings]

    @classmethod
    def of(cls, settings: Settings) -> InsightSettings:
        data = settings.json()
        return cls(
            window_days=data["window_days"],
            rules=[InsightRuleSettings(rule=name, **fields) for name, fields in data["rules"].items()],
        )


@strawberry.input
class InsightRuleInput:
    rule: str
    threshold: float | None = None
    min_messages: int | None = None
    enabled: bool | None = None

    def json(self) -> dict[str, Any]:
        fields = {"threshold": self.threshold, "min_messages": self.min_messages, "enabled": self.enabled}
        return {k: v for k, v in fields.items() if v is not None}
