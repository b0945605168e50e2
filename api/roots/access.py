"""What every GraphQL root field shares: the request's state once its key is allowed, and the arguments
several fields take alike."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import AppState
from api.errors import Forbidden, Unauthenticated
from api.types.enums import Direction
from api.types.remote_domain import RemoteParty

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
