"""SMTP TLS reports (RFC 8460) as GraphQL root fields: the days, the list a page at a time, one report
(services/tls_reports.py)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from api.roots.access import From, To, app_state
from api.types.tls_report import TlsReport
from api.types.tls_report_day import TlsReportDay
from api.types.tls_report_list import TlsReportList
from core.arguments import DEFAULT_LIMIT
from services import tls_reports


@strawberry.type
class TlsReportQuery:
    """Mixed into Query."""

    @strawberry.field(description="SMTP TLS reports (RFC 8460) per policy domain and day (default: last 7 days).")
    async def tls_reports(
        self, info: Info, from_: From = None, to: To = None, policy_domain: str | None = None
    ) -> list[TlsReportDay]:
        app = app_state(info)
        days = await tls_reports.days(app.pool, app.org_id, from_, to, policy_domain)
        return [TlsReportDay.of(d) for d in days]

    @strawberry.field(description="Stored SMTP TLS reports whose range starts in the window, newest first, a page.")
    async def tls_report_list(
        self,
        info: Info,
        from_: From = None,
        to: To = None,
        policy_domain: Annotated[str | None, strawberry.argument(description="reports with a policy for it")] = None,
        limit: Annotated[int, strawberry.argument(description="reports per page: 1 to 1000")] = DEFAULT_LIMIT,
        after: Annotated[str | None, strawberry.argument(description="the `next` of the previous page")] = None,
    ) -> TlsReportList:
        app = app_state(info)
        window, page = await tls_reports.report_list(app.pool, app.org_id, from_, to, policy_domain, limit, after)
        return TlsReportList.of(window, page, tls_reports.cursor_text(page.next))

    @strawberry.field(description="One stored SMTP TLS report in full; null when this organization has no such one.")
    async def tls_report(self, info: Info, id: strawberry.ID) -> TlsReport | None:
        app = app_state(info)
        found = await tls_reports.find_report(app.pool, app.org_id, tls_reports.report_id_argument(id))
        return TlsReport.of(found) if found else None
