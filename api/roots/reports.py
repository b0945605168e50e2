"""The traffic reports as GraphQL root fields: the summary, the TLS breakdown and client submissions, the
connector report, remote domains and hosts, transit security (services/reports.py, remote_domains.py,
transit_security.py)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import AppState
from api.roots.access import (
    By,
    ConnectorId,
    Cursor,
    From,
    Limit,
    RemoteDirection,
    Sort,
    TimeZone,
    TlsVersion,
    To,
    app_state,
)
from api.types.connector_report import ConnectorReport
from api.types.enums import ConnectorType, Direction
from api.types.remote_domain import RemoteDomainList, RemoteHostList
from api.types.summary import MailFlowSummary, TlsBreakdown
from api.types.traffic import Traffic
from api.types.transit_security import TransitSecurity
from core.arguments import DEFAULT_LIMIT
from services import remote_domains as remote
from services import reports
from services.transit_security import transit_view


async def summary_of(app: AppState) -> MailFlowSummary:
    """The dashboard widget's numbers (the query mailFlowSummary and its subscription)."""
    window, counts = await reports.summary(app.pool, app.org_id)
    return MailFlowSummary(
        from_=window.start,
        to=window.end,
        inbound=Traffic.of(counts["inbound"]),
        outbound=Traffic.of(counts["outbound"]),
        submission=Traffic.of(counts["submission"]),
    )


@strawberry.type
class ReportQuery:
    """Mixed into Query: the traffic reports."""

    @strawberry.field(description="The dashboard widget: the last 7 days ending now, inbound and outbound.")
    async def mail_flow_summary(self, info: Info) -> MailFlowSummary:
        return await summary_of(app_state(info))

    @strawberry.field(description="Messages protected in transit (by TLS): totals and a daily series.")
    async def tls_breakdown(
        self,
        info: Info,
        direction: Direction = Direction.BOTH,
        from_: From = None,
        to: To = None,
        time_zone: TimeZone = None,
        connector_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="0: the internet without a connector")
        ] = None,
    ) -> TlsBreakdown:
        app = app_state(info)
        breakdown = await reports.tls_breakdown(
            app.pool, app.org_id, direction.value, from_, to, time_zone, connector_id, "connector_id"
        )
        return TlsBreakdown.of(direction, breakdown, reports.retention(app.settings.retention_days))

    @strawberry.field(
        description="Client submissions (users' mail clients handing mail over: submission/smtps listeners, "
        "SMTP AUTH) by TLS version: totals and a daily series, as Microsoft's SMTP AUTH clients report."
    )
    async def client_submissions(
        self, info: Info, from_: From = None, to: To = None, time_zone: TimeZone = None
    ) -> TlsBreakdown:
        app = app_state(info)
        breakdown = await reports.tls_breakdown(app.pool, app.org_id, "submission", from_, to, time_zone, None)
        return TlsBreakdown.of(Direction.SUBMISSION, breakdown, reports.retention(app.settings.retention_days))

    @strawberry.field(description="Volume and TLS shares per connector per day, and per connector overall.")
    async def connector_report(
        self,
        info: Info,
        direction: Direction = Direction.BOTH,
        connector_type: ConnectorType | None = None,
        connector_name: Annotated[str | None, strawberry.argument(description="a name prefix")] = None,
        from_: From = None,
        to: To = None,
        time_zone: TimeZone = None,
    ) -> ConnectorReport:
        app = app_state(info)
        report = await reports.connector_table(
            app.pool,
            app.org_id,
            direction.value,
            connector_type.value if connector_type else None,
            connector_name,
            from_,
            to,
            time_zone,
        )
        return ConnectorReport.of(report, reports.retention(app.settings.retention_days))

    @strawberry.field(
        description="Who to call: one row per remote domain (sender, recipient or server) with volume, TLS shares "
        "and counts, over whole UTC days; most first by the sort count, a page at a time."
    )
    async def remote_domains(
        self,
        info: Info,
        direction: RemoteDirection = Direction.INBOUND,
        by: By = None,
        connector_id: ConnectorId = None,
        tls_version: TlsVersion = None,
        from_: From = None,
        to: To = None,
        time_zone: TimeZone = None,
        sort: Sort = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> RemoteDomainList:
        ask = remote.Ask(
            direction.value, by.value if by else None, connector_id, tls_version, from_, to, time_zone, sort, limit,
            cursor, "connector_id",
        )  # fmt: skip
        app = app_state(info)
        view, page = await remote.domains_page(app.pool, app.org_id, ask, app.settings.retention_days)
        return RemoteDomainList.of(view, page)

    @strawberry.field(
        description="One row per remote server (name and address) from the messages of the window, optionally of "
        "one remote domain; most first by the sort count, a page at a time."
    )
    async def remote_hosts(
        self,
        info: Info,
        direction: RemoteDirection = Direction.INBOUND,
        by: By = None,
        domain: Annotated[str | None, strawberry.argument(description="only this `by` domain's servers")] = None,
        connector_id: ConnectorId = None,
        tls_version: TlsVersion = None,
        from_: From = None,
        to: To = None,
        time_zone: TimeZone = None,
        sort: Sort = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> RemoteHostList:
        ask = remote.Ask(
            direction.value, by.value if by else None, connector_id, tls_version, from_, to, time_zone, sort, limit,
            cursor, "connector_id",
        )  # fmt: skip
        app = app_state(info)
        view, page = await remote.hosts_page(app.pool, app.org_id, ask, app.settings.retention_days, domain)
        return RemoteHostList.of(view, page)

    @strawberry.field(
        description="Outbound transit security: deliveries per UTC day by security level (DANE, MTA-STS, verified, "
        "opportunistic, none, unknown) and blocked ones, blocked deliveries by recipient domain and reason, and the "
        "recipient domains not supporting TLS."
    )
    async def transit_security(
        self, info: Info, from_: From = None, to: To = None, time_zone: TimeZone = None
    ) -> TransitSecurity:
        app = app_state(info)
        days = app.settings.retention_days
        return TransitSecurity.of(await transit_view(app.pool, app.org_id, days, from_, to, time_zone))
