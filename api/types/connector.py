"""The Connector type and its createConnector input."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.types.enums import ConnectorType, Direction
from api.types.traffic import Traffic
from core.window import make_window
from db.connectors import Connector as ConnectorRow

if TYPE_CHECKING:
    from api.loaders import Loaders


@strawberry.type(description="A named path to a partner's or the organization's own servers.")
class Connector:
    id: strawberry.ID = strawberry.field(description="0 (with a direction) is the internet without a connector")
    name: str
    direction: Direction
    type: ConnectorType
    forced_tls: bool

    @strawberry.field(description="Volume and TLS buckets over a window (default: the last 7 days).")
    async def report(
        self,
        info: Info,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
    ) -> Traffic:
        loaders: Loaders = info.context["loaders"]
        window = make_window(from_, to)
        return Traffic.of(await loaders.traffic(window).load((int(self.id), self.direction.value)))

    @classmethod
    def from_row(cls, row: ConnectorRow) -> Connector:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            direction=Direction(row.direction),
            type=ConnectorType(row.type),
            forced_tls=row.forced_tls,
        )


@strawberry.input
class ConnectorInput:
    name: str
    direction: Direction
    type: ConnectorType
    forced_tls: bool = False
