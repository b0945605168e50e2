"""The GraphQL roots and the strawberry Schema."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types import Info

from api.context import AppState
from api.rest.connectors import add_connector
from api.rest.messages import ingest_records
from api.types.connector import Connector, ConnectorInput
from api.types.message import IngestResult, MessageInput
from db.connectors import list_connectors


def app_state(info: Info) -> AppState:
    state: AppState = info.context["app"]
    return state


@strawberry.type
class Query:
    @strawberry.field(description="The organization's connectors, inbound then outbound, by name.")
    async def connectors(self, info: Info) -> list[Connector]:
        app = app_state(info)
        return [Connector.from_row(c) for c in await list_connectors(app.pool, app.org_id)]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Add a connector; its name must be new in its direction.")
    async def create_connector(self, info: Info, connector: ConnectorInput) -> Connector:
        row = await add_connector(
            app_state(info),
            connector.name,
            connector.direction.value,
            connector.type.value,
            connector.forced_tls,
        )
        return Connector.from_row(row)

    @strawberry.mutation(
        description="Store messages: all or nothing; a message already stored counts as a duplicate."
    )
    async def ingest_messages(self, info: Info, records: list[MessageInput]) -> IngestResult:
        stored = await ingest_records(app_state(info), [r.to_record() for r in records])
        return IngestResult(accepted=stored.accepted, duplicates=stored.duplicates)


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)],
)


if __name__ == "__main__":
    print(schema.as_str())
