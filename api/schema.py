"""The GraphQL roots and the strawberry Schema."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated, Any

import strawberry
from graphql import (
    ASTValidationRule,
    FieldNode,
    GraphQLError,
    ValidationContext,
    ValidationRule,
    ValuesOfCorrectTypeRule,
    specified_rules,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from strawberry.types import ExecutionContext, Info

from api import remote_domains as remote
from api import subscriptions, traffic_service
from api.context import AppState
from api.documents import Documents
from api.errors import Forbidden, Unauthenticated
from api.executor import LeanExecutor
from api.feed import ingest_records, ingest_warnings
from api.graphql_errors import ArgumentValues, by_client
from api.insights import service as insights
from api.rest.connectors import add_connector
from api.rest.tls_reports import DEFAULT_LIMIT, cursor_text, find_report, report_id_argument, report_list
from api.settings import Settings
from api.tlsrpt.graphql import ReportSourceMutation, ReportSourceQuery
from api.transit_security import transit_view
from api.types.connector import Connector, ConnectorInput
from api.types.connector_report import ConnectorReport
from api.types.enums import ConnectorType, Direction
from api.types.insight import Insight, InsightRuleInput, InsightSettings, InsightStatus
from api.types.insight_event import InsightEvent
from api.types.message import IngestResult, MessageInput
from api.types.remote_domain import RemoteDomainList, RemoteHostList, RemoteParty
from api.types.summary import MailFlowSummary, TlsBreakdown
from api.types.tls_report import TlsReport
from api.types.tls_report_day import TlsReportDay
from api.types.tls_report_list import TlsReportList
from api.types.traffic import Traffic
from api.types.transit_security import TransitSecurity
from api.types.webhook import (
    Webhook,
    WebhookChange,
    WebhookDelivery,
    WebhookEvent,
    WebhookTestResult,
    WebhookWithSecret,
)
from api.webhooks import service as webhooks
from api.window import make_window
from db.connectors import list_connectors
from db.organizations import organization_name
from db.tls_reports import report_days

From = Annotated[
    datetime | None, strawberry.argument(name="from", description="inclusive; default: 7 days before `to`")
]
To = Annotated[datetime | None, strawberry.argument(description="exclusive; default: the end of the current hour")]
TimeZone = Annotated[str | None, strawberry.argument(description="IANA name for days and times without offset; UTC")]
ConnectorId = Annotated[strawberry.ID | None, strawberry.argument(description="0: the internet without a connector")]
RemoteDirection = Annotated[Direction, strawberry.argument(description="INBOUND or OUTBOUND")]
By = Annotated[
    RemoteParty | None, strawberry.argument(description="default: the sender's (inbound) or recipient's domain")
]
TlsVersion = Annotated[
    str | None, strawberry.argument(description="only the rows with mail in this TLS bucket (none, TLS1.0, ...)")
]
Sort = Annotated[
    str | None, strawberry.argument(description="volume or a TLS bucket; default: tlsVersion if given, else volume")
]
Limit = Annotated[int, strawberry.argument(description="rows per page: 1 to 1000")]
Cursor = Annotated[str | None, strawberry.argument(description="the `next` of the previous page")]


def app_state(info: Info, role: str = "reader") -> AppState:
    """The request's state, once its key is allowed `role` (reader: every query)."""
    state: AppState | None = info.context["app"]
    if state is None:
        raise Unauthenticated("an API key is required: Authorization: Bearer <token>")
    if not state.may(role):
        raise Forbidden(f"this needs a key with the {role} role or higher; this key is {state.role}")
    return state


@strawberry.type(description="Who is asking: the organization and role of the API key.")
class Viewer:
    organization_id: strawberry.ID
    organization_name: str = strawberry.field(description="the organization's name, as `mailflow orgs` lists it")
    role: str = strawberry.field(description="reader, ingest or admin")


async def summary_of(app: AppState) -> MailFlowSummary:
    """The dashboard widget's numbers (the query mailFlowSummary and its subscription)."""
    window, counts = await traffic_service.summary(app)
    return MailFlowSummary(
        from_=window.start,
        to=window.end,
        inbound=Traffic.of(counts["inbound"]),
        outbound=Traffic.of(counts["outbound"]),
        submission=Traffic.of(counts["submission"]),
    )


@strawberry.type
class Query(ReportSourceQuery):
    @strawberry.field(description="The organization and role of the key making the request.")
    async def viewer(self, info: Info) -> Viewer:
        app = app_state(info)
        name = await organization_name(app.pool, app.org_id) or ""
        return Viewer(organization_id=strawberry.ID(str(app.org_id)), organization_name=name, role=app.role)

    @strawberry.field(description="The organization's connectors, inbound then outbound, by name.")
    async def connectors(self, info: Info) -> list[Connector]:
        app = app_state(info)
        return [Connector.from_row(c) for c in await list_connectors(app.pool, app.org_id)]

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
        breakdown = await traffic_service.tls_breakdown(
            app, direction.value, from_, to, time_zone, connector_id, "connector_id"
        )
        return TlsBreakdown.of(direction, breakdown, traffic_service.retention(app))

    @strawberry.field(
        description="Client submissions (users' mail clients handing mail over: submission/smtps listeners, "
        "SMTP AUTH) by TLS version: totals and a daily series, as Microsoft's SMTP AUTH clients report."
    )
    async def client_submissions(
        self, info: Info, from_: From = None, to: To = None, time_zone: TimeZone = None
    ) -> TlsBreakdown:
        app = app_state(info)
        breakdown = await traffic_service.tls_breakdown(app, "submission", from_, to, time_zone, None)
        return TlsBreakdown.of(Direction.SUBMISSION, breakdown, traffic_service.retention(app))

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
        report = await traffic_service.connector_table(
            app,
            direction.value,
            connector_type.value if connector_type else None,
            connector_name,
            from_,
            to,
            time_zone,
        )
        return ConnectorReport.of(report, traffic_service.retention(app))

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
        view, page = await remote.domains_page(app_state(info), ask)
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
        view, page = await remote.hosts_page(app_state(info), ask, domain)
        return RemoteHostList.of(view, page)

    @strawberry.field(
        description="Outbound transit security: deliveries per UTC day by security level (DANE, MTA-STS, verified, "
        "opportunistic, none, unknown) and blocked ones, blocked deliveries by recipient domain and reason, and the "
        "recipient domains not supporting TLS."
    )
    async def transit_security(
        self, info: Info, from_: From = None, to: To = None, time_zone: TimeZone = None
    ) -> TransitSecurity:
        return TransitSecurity.of(await transit_view(app_state(info), from_, to, time_zone))

    @strawberry.field(description="Insights, newest first (default: the active ones).")
    async def insights(
        self,
        info: Info,
        status: InsightStatus = InsightStatus.ACTIVE,
        connector_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="0: the internet without a connector")
        ] = None,
    ) -> list[Insight]:
        connector = traffic_service.connector_id_argument(connector_id, "connector_id")
        states = await insights.list_insights(app_state(info), status.value, connector)
        return [Insight.of(s) for s in states]

    @strawberry.field(description="SMTP TLS reports (RFC 8460) per policy domain and day (default: last 7 days).")
    async def tls_reports(
        self, info: Info, from_: From = None, to: To = None, policy_domain: str | None = None
    ) -> list[TlsReportDay]:
        app = app_state(info)
        window = make_window(from_, to)
        domain = traffic_service.text_argument(policy_domain, "policy_domain")
        days = await report_days(app.pool, app.org_id, window.start, window.end, domain)
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
        window, page = await report_list(app_state(info), from_, to, policy_domain, limit, after)
        return TlsReportList.of(window, page, cursor_text(page.next))

    @strawberry.field(description="One stored SMTP TLS report in full; null when this organization has no such one.")
    async def tls_report(self, info: Info, id: strawberry.ID) -> TlsReport | None:
        app = app_state(info)
        found = await find_report(app, report_id_argument(id))
        return TlsReport.of(found) if found else None

    @strawberry.field(description="The insight rules' thresholds and the window, for this organization.")
    async def insight_settings(self, info: Info) -> InsightSettings:
        return InsightSettings.of(await insights.settings(app_state(info)))

    @strawberry.field(description="The webhook subscriptions (admin keys; never their secrets).")
    async def webhooks(self, info: Info) -> list[Webhook]:
        return [Webhook.of(w) for w in await webhooks.list_all(app_state(info, "admin"))]

    @strawberry.field(description="A webhook's newest 100 deliveries, each with its attempts (admin keys).")
    async def webhook_deliveries(self, info: Info, id: strawberry.ID) -> list[WebhookDelivery]:
        found = await webhooks.deliveries(app_state(info, "admin"), traffic_service.webhook_id_argument(id))
        return [WebhookDelivery.of(d) for d in found]


@strawberry.type
class WebhookMutation:
    """Mixed into Mutation: webhook subscriptions (admin keys), as REST /api/v1/webhooks."""

    @strawberry.mutation(
        description="Subscribe a URL (https, public) to events (default: all); the secret is shown once."
    )
    async def create_webhook(
        self,
        info: Info,
        url: str,
        events: list[WebhookEvent] | None = None,
        description: str = "",
    ) -> WebhookWithSecret:
        body: dict[str, Any] = {"url": url, "description": description}
        if events is not None:
            body["events"] = [e.value for e in events]
        return WebhookWithSecret.of(await webhooks.create(app_state(info, "admin"), body))

    @strawberry.mutation(
        description="Change a webhook's URL, events or description, enable or disable it, or rotate its secret."
    )
    async def update_webhook(self, info: Info, id: strawberry.ID, change: WebhookChange) -> WebhookWithSecret:
        app = app_state(info, "admin")
        return WebhookWithSecret.of(await webhooks.change(app, traffic_service.webhook_id_argument(id), change.json()))

    @strawberry.mutation(description="Remove a webhook and its deliveries; returns its id.")
    async def delete_webhook(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        await webhooks.remove(app_state(info, "admin"), traffic_service.webhook_id_argument(id))
        return id

    @strawberry.mutation(description="Send a webhook a ping now and say how it answered (never retried).")
    async def test_webhook(self, info: Info, id: strawberry.ID) -> WebhookTestResult:
        result = await webhooks.test(app_state(info, "admin"), traffic_service.webhook_id_argument(id))
        return WebhookTestResult(**{**result, "delivery_id": strawberry.ID(str(result["delivery_id"]))})


@strawberry.type
class Mutation(WebhookMutation, ReportSourceMutation):
    @strawberry.mutation(
        description="Add a connector; its name must be new in its direction, and not look like another there."
    )
    async def create_connector(self, info: Info, connector: ConnectorInput) -> Connector:
        row = await add_connector(
            app_state(info, "admin"),
            connector.name,
            connector.direction.value,
            connector.type.value,
            connector.forced_tls,
            [],
        )
        return Connector.from_row(row)

    @strawberry.mutation(description="Store messages: all or nothing; a message already stored counts as a duplicate.")
    async def ingest_messages(self, info: Info, records: list[MessageInput]) -> IngestResult:
        app = app_state(info, "ingest")
        stored = await ingest_records(app, [r.to_record() for r in records])
        return IngestResult(
            accepted=stored.accepted,
            duplicates=stored.duplicates,
            expired=stored.expired,
            warnings=ingest_warnings(stored.expired, app.settings.retention_days),
        )

    @strawberry.mutation(description="Dismiss an active insight; it stays dismissed while its condition lasts.")
    async def dismiss_insight(self, info: Info, id: strawberry.ID, reason: str) -> Insight:
        insight_id = traffic_service.insight_id_argument(id)
        return Insight.of(await insights.dismiss(app_state(info, "admin"), insight_id, reason))

    @strawberry.mutation(description="Change rule thresholds (null keeps a value) and the window; re-evaluates.")
    async def update_insight_thresholds(
        self, info: Info, rules: list[InsightRuleInput] | None = None, window_days: int | None = None
    ) -> InsightSettings:
        body: dict[str, object] = {"rules": {r.rule: r.json() for r in rules or []}}
        if window_days is not None:
            body["window_days"] = window_days
        return InsightSettings.of(await insights.update_settings(app_state(info, "admin"), body))


SUMMARY_IDLE_SECONDS = 60.0  # "the last 7 days ending now" rolls forward with the hour
SUMMARY_SPACING_SECONDS = 1.0  # the summary is sent again at most this often, however fast data comes


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Each new insight event, in the SIEM feed's order; from `after` (a cursor) when given, so that "
        "a client that reconnects with its last cursor misses nothing."
    )
    async def insight_events(self, info: Info, after: str | None = None) -> AsyncGenerator[InsightEvent, None]:
        app = app_state(info)
        cursor = after
        insights.parse_cursor(cursor)  # a bad cursor is refused before anything is sent
        if cursor is None:  # only what happens from now on
            cursor = await insights.feed_end(app)
        async for event in subscriptions.new_events(app, cursor):
            yield InsightEvent.of(event)

    @strawberry.subscription(
        description="The dashboard widget's numbers now, then again whenever the organization's data changes "
        "(at most once a second)."
    )
    async def mail_flow_summary(self, info: Info) -> AsyncGenerator[MailFlowSummary, None]:
        app = app_state(info)
        last = None
        assert app.watcher is not None
        async for _ in app.watcher.changes(app.org_id, idle=SUMMARY_IDLE_SECONDS, spacing=SUMMARY_SPACING_SECONDS):
            summary = await summary_of(app)
            if summary != last:
                last = summary
                yield summary


def _max_fields(limit: int) -> type[ASTValidationRule]:
    class MaxFields(ValidationRule):
        """Refuses queries that select more than `limit` fields (fragments counted once)."""

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_field(self, node: FieldNode, *args: object) -> None:
            self.count += 1
            if self.count == limit + 1:
                self.report_error(GraphQLError(f"the query selects more than {limit} fields", node))

    return MaxFields


def validation_rules(settings: Settings) -> list[type[ASTValidationRule]]:
    """GraphQL's own validation rules (the one for argument values marking its errors as the client's input,
    api/graphql_errors.py) and the abuse limits of these settings."""
    rules: list[type[ASTValidationRule]] = [
        *(ArgumentValues if rule is ValuesOfCorrectTypeRule else rule for rule in specified_rules),
        *QueryDepthLimiter(max_depth=settings.graphql_max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases).validation_rules,
        _max_fields(settings.graphql_max_fields),
    ]
    if not settings.graphql_introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


def documents_for(settings: Settings, rules: list[type[ASTValidationRule]] | None = None) -> Documents:
    """The cache of parsed and validated documents under these settings' limits (`rules`: validation_rules)."""
    chosen = tuple(validation_rules(settings) if rules is None else rules)
    return Documents(chosen, max_tokens=settings.graphql_max_query_bytes // 2)


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """strawberry logs every error of a request (its documented hook for this): a client's mistake is
        answered with its 4xx and not logged, so hostile input cannot fill the log; the rest is, as before."""
        super().process_errors([e for e in errors if not by_client(e)], execution_context)


def build_schema(settings: Settings, documents: Documents | None = None) -> strawberry.Schema:
    """The schema with the abuse limits of these settings (`documents`: made by documents_for)."""
    documents = documents_for(settings) if documents is None else documents
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        execution_context_class=LeanExecutor,
        extensions=[documents.extension],
    )


schema = build_schema(Settings())


if __name__ == "__main__":
    print(schema.as_str())
