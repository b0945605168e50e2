"""GraphQL enums shared by several types."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Mail entering (inbound) or leaving (outbound) the organization; BOTH in filters.")
class Direction(Enum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    BOTH = "both"


@strawberry.enum(description="Where a connector leads; INTERNET is the mail that uses no connector.")
class ConnectorType(Enum):
    PARTNER = "partner"
    ON_PREMISES = "on_premises"
    INTERNET = "internet"
