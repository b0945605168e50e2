"""The GraphQL roots and the strawberry Schema. The roots' fields are kept by domain in api/roots/ (and
api/tlsrpt/graphql.py) and mixed in here."""

from __future__ import annotations

from collections.abc import AsyncGenerator

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

from api import subscriptions
from api.documents import Documents
from api.executor import LeanExecutor
from api.feed import ingest_records, ingest_warnings
from api.graphql_errors import ArgumentValues, by_client
from api.roots.access import app_state
from api.roots.insights import InsightMutation, InsightQuery
from api.roots.reports import ReportQuery, summary_of
from api.roots.tls_reports import TlsReportQuery
from api.roots.webhooks import WebhookMutation, WebhookQuery
from api.settings import Settings
from api.tlsrpt.graphql import ReportSourceMutation, ReportSourceQuery
from api.types.connector import Connector, ConnectorInput
from api.types.insight_event import InsightEvent
from api.types.message import IngestResult, MessageInput
from api.types.summary import MailFlowSummary
from services import connectors, insights, organizations


@strawberry.type(description="Who is asking: the organization and role of the API key.")
class Viewer:
    organization_id: strawberry.ID
    organization_name: str = strawberry.field(description="the organization's name, as `mailflow orgs` lists it")
    role: str = strawberry.field(description="reader, ingest or admin")


@strawberry.type
class Query(WebhookQuery, InsightQuery, TlsReportQuery, ReportQuery, ReportSourceQuery):
    @strawberry.field(description="The organization and role of the key making the request.")
    async def viewer(self, info: Info) -> Viewer:
        app = app_state(info)
        name = await organizations.name_of(app.pool, app.org_id)
        return Viewer(organization_id=strawberry.ID(str(app.org_id)), organization_name=name, role=app.role)

    @strawberry.field(description="The organization's connectors, inbound then outbound, by name.")
    async def connectors(self, info: Info) -> list[Connector]:
        app = app_state(info)
        return [Connector.from_row(c) for c in await connectors.list_connectors(app.pool, app.org_id)]


@strawberry.type
class Mutation(InsightMutation, WebhookMutation, ReportSourceMutation):
    @strawberry.mutation(
        description="Add a connector; its name must be new in its direction, and not look like another there."
    )
    async def create_connector(self, info: Info, connector: ConnectorInput) -> Connector:
        app = app_state(info, "admin")
        row = await connectors.add_connector(
            app.pool,
            app.org_id,
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
            cursor = await insights.feed_end(app.pool, app.org_id)
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
