"""Who to call: the remote parties (domains and servers) behind the figures."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import UNSET, Meta, Struct, UnsetType
from msgspec import field as renamed

from api.contract.common import (
    BAD_ARGUMENT,
    Answer,
    Day,
    FreeText,
    Operation,
    Retained,
    Time,
    WindowQuery,
    about,
    json,
    one_of,
)
from api.contract.traffic_reports import BucketCounts, BucketShares, ConnectorId
from core.arguments import DEFAULT_LIMIT, MAX_LIMIT
from core.tls import BUCKETS
from services.remote_domains import BY, DIRECTIONS, SORTS

BYS = list(dict.fromkeys(by for kinds in BY.values() for by in kinds))
Sort = Annotated[str, one_of(SORTS)]
Direction = Annotated[str, one_of(DIRECTIONS)]
By = Annotated[str, one_of(BYS)]


class RemoteQuery(WindowQuery, kw_only=True):
    direction: Annotated[Direction, about("inbound (default) or outbound")] | UnsetType = UNSET
    by: (
        Annotated[
            By,
            about(
                "sender_domain (inbound, the default there), recipient_domain (outbound, the default there) or "
                "server_domain (the remote server's registrable domain, by the Public Suffix List)"
            ),
        ]
        | UnsetType
    ) = UNSET
    connector: (
        Annotated[ConnectorId, about("a connector id of the direction; 0: the internet without a connector")]
        | UnsetType
    ) = UNSET
    tls_version: (
        Annotated[str, one_of(BUCKETS, "only the rows with mail in this TLS bucket (case-insensitive)")] | UnsetType
    ) = UNSET
    sort: Annotated[Sort, about("the count that orders the rows, most first: volume, or tls_version when given")] | (
        UnsetType
    ) = UNSET
    limit: (
        Annotated[
            int, Meta(ge=1, le=MAX_LIMIT, description=f"rows per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})")
        ]
        | UnsetType
    ) = UNSET
    cursor: (
        Annotated[str, Meta(min_length=1, description="the `next` of the previous page (with the same sort)")]
        | UnsetType
    ) = UNSET


class RemoteDomainsQuery(RemoteQuery, kw_only=True):
    format: (
        Annotated[Literal["json", "csv"], about("json (default) or csv; Accept: text/csv also gives CSV")] | UnsetType
    ) = UNSET


class RemoteHostsQuery(RemoteQuery, kw_only=True):
    domain: (
        Annotated[
            FreeText,
            Meta(
                max_length=1000,  # services/remote_domains.py: hosts_page
                description="only the messages of this `by` domain (any spelling); empty: the domains not known",
            ),
        ]
        | UnsetType
    ) = UNSET


class RemoteDomain(Struct):
    domain: Annotated[
        str | None,
        about("lower case, IDN as A-labels; null: not known (a null sender, a server without a name)"),
    ]
    volume: int
    messages: BucketCounts
    percent: BucketShares
    first_day: Annotated[Day, about("the first UTC day with mail")]
    last_day: Day


class RemoteHost(Struct):
    host: Annotated[str | None, about("the name as logged")]
    ip: str | None
    server_domain: Annotated[str | None, about("the host's registrable domain")]
    volume: int
    messages: BucketCounts
    percent: BucketShares
    first_seen: Time
    last_seen: Time


class RemotePage(Retained, kw_only=True):
    direction: Direction
    by: By
    from_: Time = renamed(name="from")
    to: Time
    time_zone: str
    sort: Sort
    total: Annotated[int, about("the rows on every page")]
    next: Annotated[str | None, about("pass as `cursor` for the next page; null: the last page")]


class RemoteDomains(RemotePage, kw_only=True):
    counted_from: Time
    counted_to: Time
    rows: list[RemoteDomain]


class RemoteHosts(RemotePage, kw_only=True):
    rows: list[RemoteHost]


TAG = "remote-parties"
OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/remote-domains",
        "who to call: one row per remote domain with volume, TLS counts and shares, days seen",
        {
            200: Answer(
                "a page of remote domains (CSV: a Link header names the next page)",
                {"application/json": RemoteDomains, "text/csv": str},
            )
        },
        BAD_ARGUMENT,
        query=RemoteDomainsQuery,
        description="Counted from the remote-party daily rollup: whole UTC days, those whose noon falls in the "
        "window (`counted_from`, `counted_to`; a warning says when they differ from the window).",
    ),
    Operation(
        "GET",
        "/api/v1/remote-hosts",
        "one row per remote server (name and address) from the messages of the window",
        {200: json(RemoteHosts, "a page of remote servers")},
        BAD_ARGUMENT,
        query=RemoteHostsQuery,
    ),
]
