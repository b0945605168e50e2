"""Insights as GraphQL root fields: the list, the rules' settings, dismissals and settings changes
(services/insights.py; a settings change is evaluated at once, api/insights/evaluate.py)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from api.insights.evaluate import update_settings
from api.roots.access import app_state
from api.types.insight import Insight, InsightRuleInput, InsightSettings, InsightStatus
from core.arguments import connector_id_argument, insight_id_argument
from services import insights


@strawberry.type
class InsightQuery:
    """Mixed into Query."""

    @strawberry.field(description="Insights, newest first (default: the active ones).")
    async def insights(
        self,
        info: Info,
        status: InsightStatus = InsightStatus.ACTIVE,
        connector_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="0: the internet without a connector")
        ] = None,
    ) -> list[Insight]:
        connector = connector_id_argument(connector_id, "connector_id")
        app = app_state(info)
        states = await insights.list_insights(app.pool, app.org_id, status.value, connector)
        return [Insight.of(s) for s in states]

    @strawberry.field(description="The insight rules' thresholds and the window, for this organization.")
    async def insight_settings(self, info: Info) -> InsightSettings:
        app = app_state(info)
        return InsightSettings.of(await insights.load_settings(app.pool, app.org_id))


@strawberry.type
class InsightMutation:
    """Mixed into Mutation."""

    @strawberry.mutation(description="Dismiss an active insight; it stays dismissed while its condition lasts.")
    async def dismiss_insight(self, info: Info, id: strawberry.ID, reason: str) -> Insight:
        insight_id = insight_id_argument(id)
        app = app_state(info, "admin")
        return Insight.of(await insights.dismiss(app.pool, app.org_id, insight_id, reason))

    @strawberry.mutation(description="Change rule thresholds (null keeps a value) and the window; re-evaluates.")
    async def update_insight_thresholds(
        self, info: Info, rules: list[InsightRuleInput] | None = None, window_days: int | None = None
    ) -> InsightSettings:
        body: dict[str, object] = {"rules": {r.rule: r.json() for r in rules or []}}
        if window_days is not None:
            body["window_days"] = window_days
        app = app_state(info, "admin")
        return InsightSettings.of(await update_settings(app.pool, app.org_id, body))
