"""SMTP TLS reports (RFC 8460) as stored: the days per policy domain, the list a page at a time, one report
in full. Argument checks, then one db call each (db/tls_reports.py). Storing reports is the ingest path's
(api/feed.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from core.arguments import limit_argument, text_argument
from core.errors import BadArgument
from core.window import Window, make_window
from db.pool import TenantPool
from db.tls_reports import (
    Cursor,
    ReportDay,
    ReportPage,
    StoredReport,
    list_tls_reports,
    report_days,
    tls_report_by_id,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
_CURSOR = re.compile(r"^(-?[0-9]{1,19})-([0-9]{1,19})$")  # microseconds since 1970 - report id


def report_id_argument(value: str, name: str = "id") -> int:
    """A stored report's id: a whole number from 1 to 2**63 - 1 (a bigint)."""
    if not (value.isascii() and value.isdigit() and len(value) <= 19 and 1 <= int(value) < 2**63):
        raise BadArgument(name, f"{value[:40]!r} is not a TLS report id (a whole number from 1 to 2^63-1)")
    return int(value)


def cursor_argument(text: str | None) -> Cursor | None:
    if text is None:
        return None
    match = _CURSOR.fullmatch(text)
    try:
        if match is None or int(match.group(2)) >= 2**63:
            raise ValueError(text)
        return EPOCH + timedelta(microseconds=int(match.group(1))), int(match.group(2))
    except (ValueError, OverflowError):
        raise BadArgument("after", f"{text[:60]!r} is not a cursor (pass the `next` of the previous page)") from None


def cursor_text(cursor: Cursor | None) -> str | None:
    if cursor is None:
        return None
    start, key = cursor
    return f"{(start - EPOCH) // MICROSECOND}-{key}"


async def find_report(pool: TenantPool, org_id: int, report_id: int) -> StoredReport | None:
    """This organization's report `report_id` in full; None for a report of another organization too."""
    return await tls_report_by_id(pool, org_id, report_id)


async def report_list(
    pool: TenantPool,
    org_id: int,
    start: datetime | None,
    end: datetime | None,
    policy_domain: str | None,
    limit: str | int | None,
    after: str | None,
) -> tuple[Window, ReportPage]:
    window = make_window(start, end)
    page = await list_tls_reports(
        pool, org_id, window.start, window.end, text_argument(policy_domain, "policy_domain"), limit_argument(limit),
        cursor_argument(after),
    )  # fmt: skip
    return window, page


async def days(
    pool: TenantPool, org_id: int, start: datetime | None, end: datetime | None, policy_domain: str | None
) -> list[ReportDay]:
    """The window's reports summed per policy domain and day."""
    window = make_window(start, end)
    return await days_in(pool, org_id, window, text_argument(policy_domain, "policy_domain"))


async def days_in(pool: TenantPool, org_id: int, window: Window, policy_domain: str | None) -> list[ReportDay]:
    """`days` for a window and a policy domain already checked."""
    return await report_days(pool, org_id, window.start, window.end, policy_domain)
