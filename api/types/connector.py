"""The Connector type and its createConnector input."""

from __future__ import annotations

import strawberry

from api.types.enums import ConnectorType, Direction
from db.connectors import Connector as ConnectorRow


@strawberry.type(description="A named path to a partner's or the organization's own servers.")
class Connector:
    id: strawberry.ID
    name: str
    direction: Direction
    type: ConnectorType
    forced_tls: bool

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
