"""InsightEvent: one change of an insight, as the SIEM feed gives it (GraphQL subscription insightEvents)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from api.types.insight import Insight
from db.insight_documents import Insight as Stored


@strawberry.type(description="A change of an insight (opened, updated, resolved, reopened, dismissed…)")
class InsightEvent:
    event_id: strawberry.ID
    cursor: str = strawberry.field(description="pass it as `after` to resume after this event")
    type: str = strawberry.field(description="opened, updated, resolved, reopened, dismissed…")
    at: datetime
    insight: Insight = strawberry.field(description="the insight as it stood after this event")

    @classmethod
    def of(cls, event: dict[str, Any]) -> InsightEvent:
        return cls(
            event_id=strawberry.ID(str(event["event_id"])),
            cursor=event["cursor"],
            type=event["type"],
            at=datetime.fromisoformat(event["at"]),
            insight=Insight.of(Stored.of(event["insight"])),
        )
