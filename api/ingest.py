"""The one ingest pipeline: validate records (every problem, with its record number), attribute
connectors, then store them with their rollups in one transaction (db/messages.py)."""

from __future__ import annotations

import functools
import ipaddress
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from api.attribution import Attributor
from api.tls import tls_bucket
from core.arguments import whole_number
from core.batch import Batch
from core.domains import domain_name, registrable_domain
from core.window import OUT_OF_RANGE, representable

if TYPE_CHECKING:
    from db.connectors import Connector

MAX_PROBLEMS = 100
FIELDS = frozenset(
    {
        "message_id",
        "received_at",
        "direction",
        "tls_version",
        "connector",
        "cipher",
        "sender",
        "recipient",
        "remote_host",
        "remote_ip",
        "size_bytes",
        "status",
        "tls_security",
        "blocked_reason",
    }
)
_TEXT_FIELDS = ("cipher", "remote_host", "status", "sender", "recipient", "blocked_reason")
# a delivery's transit security (outbound): how the session was protected, strongest first
SECURITY_LEVELS = ("dane", "mta_sts", "verified", "opportunistic", "none", "unknown")
_SECURITY = {level: level for level in SECURITY_LEVELS}
_WITH_TLS = frozenset({"dane", "mta_sts", "verified", "opportunistic"})
# without a level given: TLS without verification, none, or not known when the bucket is not
DEFAULT_SECURITY = {"none": "none", "unknown": "unknown"}
_TLS_BUCKETS = frozenset({"TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3"})
# an RFC 3339 time with an offset (or a space for the T), no year 0, no leap second (Python has neither);
# the OpenAPI document carries it
_YEAR = "(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
_HH_MM = "(?:[01][0-9]|2[0-3]):[0-5][0-9]"  # Python takes an offset's minutes up to 99 (-00:60), RFC 3339 does not
RFC3339 = f"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}[Tt ]{_HH_MM}:[0-5][0-9](?:\\.[0-9]{{1,9}})?(?:[Zz]|[+-]{_HH_MM})$"
_RFC3339 = re.compile(RFC3339)
_DIRECTIONS = {"inbound": "inbound", "outbound": "outbound", "submission": "submission"}
FUTURE = timedelta(days=1)  # a record dated later than this after now is refused: a wrong clock or year

ConnectorIndex = dict[tuple[str, str], int]  # (direction, name) -> connector_id


def connector_index(connectors: Sequence[Connector]) -> ConnectorIndex:
    return {(c.direction, c.name): c.id for c in connectors}


class Problems:
    """Collects at most MAX_PROBLEMS problems and counts them all."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.count = 0

    def add(self, line: int, field_name: str | None, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append({"line": line, "field": field_name, "message": message})

    def __bool__(self) -> bool:
        return self.count > 0

    def at_lines(self, lines: list[int]) -> None:
        """Name each problem by its input line (record n came from lines[n - 1]) instead of its number."""
        for item in self.items:
            item["line"] = lines[item["line"] - 1]

    def summary(self) -> str:
        shown = "" if self.count <= MAX_PROBLEMS else f" (the first {MAX_PROBLEMS} are listed)"
        return f"{self.count} problem(s) in the records{shown}; nothing was stored"


def parse_timestamp(value: Any) -> datetime | None:
    if isinstance(value, datetime):  # from an importer in this process: no need to print and re-read it
        return value if value.tzinfo is not None else None
    if not isinstance(value, str) or not _RFC3339.match(value):
        return None
    try:  # RFC 3339 allows a lowercase z, Python's reader does not
        return datetime.fromisoformat(value[:-1] + "Z" if value[-1] == "z" else value)
    except ValueError:
        return None


def _domain(value: str) -> str | None:
    address = value.strip().strip("<>").strip()
    return domain_name(address.rsplit("@", 1)[-1])


def _parse_ip(value: str) -> str | None:
    text = value.strip().strip("[]").split("%", 1)[0]
    if text.lower().startswith("ipv6:"):
        text = text[5:]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


@functools.lru_cache(maxsize=50_000)
def _ip(value: str) -> str | None:
    """The canonical address; mail logs repeat few peers, so parsed values are kept (bounded)."""
    return _parse_ip(value)


def _optional_text(record: dict[str, Any], name: str, line: int, problems: Problems) -> str | None:
    value = record.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.add(line, name, "must be a string")
        return None
    if len(value) > 1000:
        problems.add(line, name, "is longer than 1000 characters")
        return None
    if "\x00" in value:
        problems.add(line, name, "contains a NUL character")
        return None
    return value


def validate(
    records: list[Any],
    connectors: ConnectorIndex,
    first_line: int = 1,
    problems: Problems | None = None,
    now: datetime | None = None,
) -> tuple[Batch, Problems]:
    """Check every record; return the valid ones as columns and every problem found."""
    batch = Batch()
    problems = problems if problems is not None else Problems()
    latest = (now or datetime.now(UTC)) + FUTURE
    for offset, record in enumerate(records):
        line = first_line + offset
        if not isinstance(record, dict):
            problems.add(line, None, "a record must be a JSON object")
            continue
        if not FIELDS.issuperset(record):
            unknown = sorted(record.keys() - FIELDS)
            problems.add(line, unknown[0], f"unknown field(s): {', '.join(unknown)}")

        message_id = record.get("message_id")
        if message_id is None:
            problems.add(line, "message_id", "is required (a non-empty string)")
        elif not isinstance(message_id, str) or not message_id.strip():
            problems.add(line, "message_id", "must be a non-empty string")
        elif len(message_id) > 1000:
            problems.add(line, "message_id", "is longer than 1000 characters")
        elif "\x00" in message_id:
            problems.add(line, "message_id", "contains a NUL character")

        raw_time = record.get("received_at")
        received_at = parse_timestamp(raw_time)
        if received_at is None:
            if raw_time is None:
                problems.add(
                    line, "received_at", "is required: an RFC 3339 time with an offset, e.g. 2026-11-27T09:00:00Z"
                )
            else:
                problems.add(
                    line,
                    "received_at",
                    f"{str(raw_time)[:60]!r} is not an RFC 3339 time with an offset, e.g. 2026-11-27T09:00:00Z",
                )
        elif received_at.year in (1, 9999) and not representable(received_at):
            problems.add(line, "received_at", f"{received_at.isoformat()} {OUT_OF_RANGE}")
        elif received_at > latest:
            problems.add(
                line,
                "received_at",
                f"{received_at.isoformat()} is more than a day in the future: check the sender's clock "
                "(or, for a log without years, --year)",
            )

        raw_direction = record.get("direction")
        direction = _DIRECTIONS.get(raw_direction) if isinstance(raw_direction, str) else None
        if direction is None:
            if raw_direction is None:
                problems.add(line, "direction", "is required: inbound, outbound or submission")
            else:
                problems.add(line, "direction", f"{str(raw_direction)[:60]!r} is not inbound, outbound or submission")

        raw_tls = record.get("tls_version", ...)
        bucket = None
        if raw_tls is ... or raw_tls is None:
            problems.add(line, "tls_version", 'is required (use "none" for mail without TLS)')
        elif not isinstance(raw_tls, str):
            problems.add(line, "tls_version", "must be a string such as TLSv1.2 or none")
        else:
            bucket = tls_bucket(raw_tls)
            if bucket is None:
                problems.add(
                    line,
                    "tls_version",
                    f"{raw_tls!r} is not a TLS version (expected e.g. TLSv1.3, TLS 1.2, TLS1_1, 1.0, none)",
                )

        connector_id = None
        name = record.get("connector")
        if name is not None:
            if not isinstance(name, str):
                problems.add(line, "connector", "must be a connector name or null")
            elif direction == "submission":
                problems.add(line, "connector", "client submissions come over no connector: leave it out or null")
            elif direction is not None:
                connector_id = connectors.get((direction, name))
                if connector_id is None:
                    problems.add(line, "connector", f"no {direction} connector is named {name!r}")

        texts = []
        for field in _TEXT_FIELDS:  # cipher, remote_host, status, sender, recipient, blocked_reason
            value = record.get(field)
            if value is not None and not (type(value) is str and len(value) <= 1000 and "\x00" not in value):
                value = _optional_text(record, field, line, problems)  # says what is wrong
            texts.append(value)
        sender, recipient = texts[3], texts[4]

        security = None
        raw_security = record.get("tls_security")
        if raw_security is not None:
            security = _SECURITY.get(raw_security.lower()) if isinstance(raw_security, str) else None
            if security is None:
                levels = ", ".join(SECURITY_LEVELS)
                problems.add(line, "tls_security", f"{str(raw_security)[:60]!r} is not one of {levels}")
            elif (security in _WITH_TLS and bucket == "none") or (security == "none" and bucket in _TLS_BUCKETS):
                problems.add(line, "tls_security", f"{security} does not agree with tls_version {raw_tls!r}")

        remote_ip = None
        raw_ip = record.get("remote_ip")
        if raw_ip is not None:
            remote_ip = _ip(raw_ip) if isinstance(raw_ip, str) else None
            if remote_ip is None:
                problems.add(line, "remote_ip", f"{raw_ip!r} is not an IPv4 or IPv6 address")

        size = record.get("size_bytes")
        if size is not None:
            size = whole_number(size)  # 2.0 is 2, as JSON Schema has it
            if size is None or size < 0 or size > 2**62:
                problems.add(line, "size_bytes", "must be a whole number of bytes, 0 or more")
                size = None

        if problems:  # the batch will not be stored: stop building it
            continue
        # with no problem recorded, every required field was checked and set above
        assert isinstance(message_id, str)
        assert isinstance(raw_tls, str)
        assert received_at is not None
        assert direction is not None
        assert bucket is not None
        host = texts[1]
        batch.add(
            message_id, received_at, direction, connector_id, bucket, raw_tls or None, texts[0],
            _domain(sender) if sender else None, _domain(recipient) if recipient else None, host,
            registrable_domain(host) if host else None, remote_ip, size, texts[2],
            security or DEFAULT_SECURITY.get(bucket, "opportunistic"), texts[5],
        )  # fmt: skip
    return batch, problems


Prepared = tuple[list[int], Batch, Problems]  # a batch's input lines, its valid records, its problems


def prepare(
    records: Iterable[tuple[int, Any]],
    connectors: Sequence[Connector],
    batch_size: int,
    checker: type[Checker] | None = None,
) -> Iterator[Prepared]:
    """Batches of (line, record) pairs, attributed to connectors and validated (by `checker`: one that also
    reads typed records, api/typed_records.py, where the input can have them)."""
    checked = (checker or Checker)(connectors)
    source = iter(records)
    while pairs := list(itertools.islice(source, batch_size)):
        yield checked(pairs)


class Checker:
    """Attributes and validates one batch of (line, record) pairs for an organization's connectors."""

    def __init__(self, connectors: Sequence[Connector]) -> None:
        self.index = connector_index(connectors)
        self.attribute = Attributor.of(connectors)

    def __call__(self, pairs: list[tuple[int, Any]]) -> Prepared:
        chunk = [record for _, record in pairs]
        self.attribute.apply(chunk)
        batch, problems = validate(chunk, self.index)
        return [line for line, _ in pairs], batch, problems
