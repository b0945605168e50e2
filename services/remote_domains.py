"""Who to call: the remote-domains and remote-hosts views behind both REST and GraphQL. Argument checks,
then one db call each (and one more to check a connector id, when one is given)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, cast

import orjson

from core.arguments import connector_id_argument, limit_argument
from core.domains import domain_name
from core.errors import BadArgument
from core.tls import BUCKETS
from core.window import Window, current_time, make_window
from db.connectors import connectors_by_id
from db.pool import TenantPool
from db.remote_domains import (
    PARTY,
    SERVER,
    HostCursor,
    RemoteDomainPage,
    RemoteHostPage,
    RemoteQuery,
    remote_domains,
    remote_hosts,
)
from services.reports import Retention, retention

DIRECTIONS = ("inbound", "outbound")
# what `by` may name in each direction: the remote party's domain or the remote server's registrable domain
BY = {
    "inbound": {"sender_domain": PARTY, "server_domain": SERVER},
    "outbound": {"recipient_domain": PARTY, "server_domain": SERVER},
}
DEFAULT_BY = {"inbound": "sender_domain", "outbound": "recipient_domain"}
SORTS = ("volume", *BUCKETS)
_BUCKETS = {b.lower(): b for b in BUCKETS}
_SORTS = {s.lower(): s for s in SORTS}


def direction_argument(value: str | None) -> str:
    text = "inbound" if value is None else value.lower()
    if text not in DIRECTIONS:
        if text == "submission":
            raise BadArgument("direction", "client submissions have no remote party here: inbound or outbound")
        raise BadArgument("direction", f"{value!r} is not inbound or outbound")
    return text


def by_argument(direction: str, value: str | None) -> tuple[str, str]:
    """The name `by` is shown as, and what the rollups key it by (PARTY or SERVER)."""
    name = DEFAULT_BY[direction] if value is None else value.lower()
    found = BY[direction].get(name)
    if found is None:
        allowed = " or ".join(BY[direction])
        raise BadArgument("by", f"{value!r} is not a remote party of {direction} mail: {allowed}")
    return name, found


def bucket_argument(value: str | None, name: str = "tls_version") -> str | None:
    if value is None:
        return None
    found = _BUCKETS.get(value.lower())
    if found is None:
        raise BadArgument(name, f"{value!r} is not one of {', '.join(BUCKETS)}")
    return found


def sort_argument(value: str | None, bucket: str | None) -> str:
    """Default: the count of `tls_version` when it is given, else the volume."""
    if value is None:
        return bucket or "volume"
    found = _SORTS.get(value.lower())
    if found is None:
        raise BadArgument("sort", f"{value!r} is not volume or one of {', '.join(BUCKETS)}")
    return found


def encode_cursor(sort: str, key: tuple[Any, ...] | None) -> str | None:
    """An opaque cursor: the sort it pages and the last row's key, base64url JSON."""
    if key is None:
        return None
    return base64.urlsafe_b64encode(orjson.dumps([sort, *key])).decode().rstrip("=")


def decode_cursor(text: str | None, sort: str, shape: tuple[type, ...]) -> tuple[Any, ...] | None:
    if text is None:
        return None
    problem = f"{text[:60]!r} is not a cursor of this view (pass the `next` of the previous page)"
    try:
        if len(text) > 2000:
            raise ValueError(text)
        value = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error):
        raise BadArgument("cursor", problem) from None
    if not (isinstance(value, list) and len(value) == len(shape) + 1 and isinstance(value[0], str)):
        raise BadArgument("cursor", problem)
    if any(type(v) is not t for v, t in zip(value[1:], shape, strict=True)) or not 0 <= value[1] < 2**63:
        raise BadArgument("cursor", problem)
    if any("\x00" in v for v in value[2:]):  # PostgreSQL text cannot hold it: no row has it
        raise BadArgument("cursor", problem)
    if value[0] != sort:
        raise BadArgument("cursor", f"it pages the sort {value[0]!r}, not {sort!r}: start again without a cursor")
    return tuple(value[1:])


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


Counted = tuple[datetime, datetime]


def counted_warnings(window: Window, days: tuple[date, date]) -> tuple[Counted, list[str]]:
    """The UTC days a daily rollup counts for the window, as moments, and a warning when they are not it."""
    counted = (_midnight(days[0]), _midnight(days[1]))
    if counted == (window.start, window.end):
        return counted, []
    return counted, [
        f"these figures are kept per UTC day (each counted on the day of its noon, and the current day so far): "
        f"they cover {counted[0].isoformat()} to {counted[1].isoformat()}, not exactly the window asked for"
    ]


@dataclass
class View:
    """What a page of either view answers besides its rows."""

    window: Window
    direction: str
    by: str
    sort: str
    next: str | None
    retained_from: datetime
    warnings: list[str]
    counted: Counted | None = None  # remote domains: the UTC days counted


@dataclass(frozen=True)
class Ask:
    """What both views are asked, as the client gave it (REST's query parameters, GraphQL's arguments);
    `connector_argument` is the name a refusal of the connector calls it by."""

    direction: str | None = None
    by: str | None = None
    connector: str | int | None = None
    tls_version: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    time_zone: str | None = None
    sort: str | None = None
    limit: str | int | None = None
    cursor: str | None = None
    connector_argument: str = "connector"


@dataclass
class Checked:
    """An `Ask` checked: the window, the query, the name `by` is shown as, the cursor's key, the retention."""

    window: Window
    query: RemoteQuery
    by: str
    after: tuple[Any, ...] | None
    kept: Retention

    def view(self, next_key: tuple[Any, ...] | None, warnings: list[str], counted: Counted | None = None) -> View:
        query = self.query
        next_cursor = encode_cursor(query.sort, next_key)
        return View(
            self.window, query.direction, self.by, query.sort, next_cursor, self.kept.retained_from,
            self.kept.warnings(self.window) + warnings, counted,
        )  # fmt: skip


async def check(pool: TenantPool, org_id: int, ask: Ask, kept: Retention, cursor_shape: tuple[type, ...]) -> Checked:
    """The arguments both views share, checked in the order a client is told of them."""
    window = make_window(ask.start, ask.end, ask.time_zone)
    direction = direction_argument(ask.direction)
    by_name, key = by_argument(direction, ask.by)
    bucket = bucket_argument(ask.tls_version)
    order = sort_argument(ask.sort, bucket)
    connector_id = connector_id_argument(ask.connector, ask.connector_argument)
    if connector_id:  # 0 is the internet without a connector
        (found,) = await connectors_by_id(pool, org_id, [connector_id])
        if found is None:
            raise BadArgument(ask.connector_argument, f"there is no connector {connector_id}")
        if found.direction != direction:
            raise BadArgument(ask.connector_argument, f"connector {connector_id} is {found.direction}, not {direction}")
    query = RemoteQuery(direction, key, connector_id, bucket, order, limit_argument(ask.limit))
    after = decode_cursor(ask.cursor, query.sort, cursor_shape)
    return Checked(window, query, by_name, after, kept)


async def domains_page(pool: TenantPool, org_id: int, ask: Ask, retention_days: int) -> tuple[View, RemoteDomainPage]:
    checked = await check(pool, org_id, ask, retention(retention_days), (int, str))
    days = checked.window.noon_days(current_time())
    page = await remote_domains(pool, org_id, checked.query, days, checked.after)
    counted, warnings = counted_warnings(checked.window, days)
    return checked.view(page.next, warnings, counted), page


async def hosts_page(
    pool: TenantPool, org_id: int, ask: Ask, retention_days: int, domain: str | None = None
) -> tuple[View, RemoteHostPage]:
    checked = await check(pool, org_id, ask, retention(retention_days), (int, str, str))
    # a domain as the rollups spell it; '' (or a blank value) asks for the servers of the domains not known
    if domain is not None and ("\x00" in domain or len(domain) > 1000):
        raise BadArgument("domain", "must be a domain name (at most 1000 characters, no NUL)")
    wanted = None if domain is None else (domain_name(domain) or "")[:253]
    window = (checked.window.start, checked.window.end)
    after = cast(HostCursor | None, checked.after)
    page = await remote_hosts(pool, org_id, checked.query, window, wanted, after)
    return checked.view(page.next, []), page
