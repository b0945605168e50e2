"""GraphQL enums shared by several types."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(
    description="Mail entering (inbound) or leaving (outbound) the organization; BOTH in filters is the two. "
    "SUBMISSION is client submission: users' mail clients handing mail to the organization's servers "
    "(submission/smtps listeners, SMTP AUTH), never counted as inbound mail."
)
class Direction(Enum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    BOTH = "both"
    SUBMISSION = "submission"


@strawberry.enum(description="Where a connector leads; INTERNET is the mail that uses no connector.")
class ConnectorType(Enum):
    PARTNER = "partner"
    ON_PREMISES = "on_premises"
    INTERNET = "internet"
