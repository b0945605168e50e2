"""The fast path of the ingest pipeline: JSON or NDJSON decoded in one pass into typed records (msgspec
Structs), checked and turned into COPY columns without building a dict per record.

It only ever accepts: a body it cannot take as it is (malformed JSON, a wrong type, an unknown field, any
value the validator would refuse, or anything it does not know to be fine) gives None, and the caller runs
the detailed path (api/records.py, api/ingest.py `validate`), which answers exactly as it always has, with
every problem and its line. What it accepts, the detailed path accepts too, into the same columns
(tests/test_typed_records.py holds the two to that on generated good and bad records).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import msgspec

from api import ingest
from api.attribution import Attributor
from api.ingest import (
    _DIRECTIONS,
    _RFC3339,
    _SECURITY,
    _TLS_BUCKETS,
    _WITH_TLS,
    DEFAULT_SECURITY,
    FUTURE,
    ConnectorIndex,
    Prepared,
    Problems,
    _domain,
    _ip,
)
from api.records import NDJSON_TYPES
from api.tls import tls_bucket
from core.batch import Batch
from core.domains import registrable_domain
from core.window import representable

_MAX_TEXT = 1000
_MAX_SIZE = 2**62
# an address's domain, kept per address (bounded): mail repeats its senders and recipients
_address_domain = functools.lru_cache(maxsize=65_536)(_domain)


class Record(msgspec.Struct, forbid_unknown_fields=True):
    """One message record as the API takes it (api/ingest.py FIELDS); `connector` left out is UNSET, which
    attribution fills, where an explicit null is the internet."""

    message_id: str
    received_at: str
    direction: str
    tls_version: str
    connector: str | msgspec.UnsetType | None = msgspec.UNSET
    cipher: str | None = None
    sender: str | None = None
    recipient: str | None = None
    remote_host: str | None = None
    remote_ip: str | None = None
    size_bytes: int | None = None
    status: str | None = None
    tls_security: str | None = None
    blocked_reason: str | None = None


_ONE = msgspec.json.Decoder(Record)
_MANY = msgspec.json.Decoder(list[Record] | Record)


def decode(data: bytes, content_type: str) -> list[Record] | None:
    """The body's records, or None when the fast path cannot take it (the detailed path then answers)."""
    parts = decode_parts(data, content_type, max(len(data), 1))
    if parts is None:
        return None
    records: list[Record] = []
    for part in parts:
        if part is None:
            return None
        records += part
    return records


def decode_parts(data: bytes, content_type: str, size: int) -> Iterator[list[Record] | None] | None:
    """The body's records in lists of `size`, or None when the fast path cannot take the body. An NDJSON body is
    decoded a part at a time, as they are taken (the next part while PostgreSQL stores one): a part it cannot
    take is None."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in NDJSON_TYPES:
        # line by line, as the detailed path reads it: two objects on one line, or one over two, are malformed
        lines = [line for line in data.split(b"\n") if line.strip()]
        return (_decode_lines(lines[i : i + size]) for i in range(0, len(lines), size))
    if media not in ("", "application/json", "text/json"):
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        value = _MANY.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):  # invalid UTF-8 in a string
        return None
    records = value if isinstance(value, list) else [value]
    return (records[i : i + size] for i in range(0, len(records), size))


def _decode_lines(lines: list[bytes]) -> list[Record] | None:
    try:
        return [_ONE.decode(line) for line in lines]
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
        return None


def decode_line(line: bytes) -> Record | None:
    """One NDJSON line as a typed record, or None when the fast path cannot take it."""
    try:
        return _ONE.decode(line)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
        return None


def as_dict(record: Record) -> dict[str, Any]:
    """The record as the detailed path reads the same JSON: a field left out is None (`get` reads both
    alike), except `connector`, which stays left out (attribution fills only those)."""
    return {name: value for name in Record.__struct_fields__ if (value := getattr(record, name)) is not msgspec.UNSET}


class Checker(ingest.Checker):
    """Checks a batch of typed records on the fast path; a batch it refuses, or one that holds records of
    the detailed path (dicts), goes the detailed way, which names every problem."""

    def __call__(self, pairs: list[tuple[int, Any]]) -> Prepared:
        records = [record for _, record in pairs]
        if all(type(record) is Record for record in records):
            batch = columns(records, self.index, self.attribute)
            if batch is not None:
                return [line for line, _ in pairs], batch, Problems()
        return super().__call__([(line, as_dict(r) if type(r) is Record else r) for line, r in pairs])


def columns(
    records: Iterable[Record],
    connectors: ConnectorIndex,
    attribute: Attributor | None = None,
    now: datetime | None = None,
    batch: Batch | None = None,
) -> Batch | None:
    """The records as COPY columns (appended to `batch`), attributed to connectors; None at the first record
    the detailed validator could refuse (nothing is said about why: that is the detailed path's to say)."""
    batch = batch if batch is not None else Batch()
    latest = (now or datetime.now(UTC)) + FUTURE
    rules = attribute is not None and bool(attribute.rules)
    for r in records:
        message_id = r.message_id
        if not message_id.strip() or len(message_id) > _MAX_TEXT or "\x00" in message_id:
            return None
        raw_time = r.received_at
        if not _RFC3339.match(raw_time):
            return None
        try:
            received_at = datetime.fromisoformat(raw_time[:-1] + "Z" if raw_time[-1] == "z" else raw_time)
        except ValueError:
            return None
        if (received_at.year in (1, 9999) and not representable(received_at)) or received_at > latest:
            return None
        direction = _DIRECTIONS.get(r.direction)
        if direction is None:
            return None
        raw_tls = r.tls_version
        bucket = tls_bucket(raw_tls)
        if bucket is None:
            return None
        name = r.connector
        if name is msgspec.UNSET:
            name = None
            if rules:
                assert attribute is not None
                party = r.sender if direction == "inbound" else r.recipient
                name = attribute.match(direction, r.remote_host, r.remote_ip, party)
        connector_id = None
        if name is not None:
            if direction == "submission":
                return None
            connector_id = connectors.get((direction, name))
            if connector_id is None:
                return None
        cipher, remote_host, status, sender, recipient, blocked = (
            r.cipher,
            r.remote_host,
            r.status,
            r.sender,
            r.recipient,
            r.blocked_reason,
        )
        for text in (cipher, remote_host, status, sender, recipient, blocked):  # no call per field: the hot loop
            if text is not None and (len(text) > _MAX_TEXT or "\x00" in text):
                return None
        security = None
        if r.tls_security is not None:
            security = _SECURITY.get(r.tls_security.lower())
            if (
                security is None
                or (security in _WITH_TLS and bucket == "none")
                or (security == "none" and bucket in _TLS_BUCKETS)
            ):
                return None
        remote_ip = None
        if r.remote_ip is not None:
            remote_ip = _ip(r.remote_ip)
            if remote_ip is None:
                return None
        size = r.size_bytes
        if size is not None and not 0 <= size <= _MAX_SIZE:
            return None
        batch.add(
            message_id, received_at, direction, connector_id, bucket, raw_tls or None, cipher,
            _address_domain(sender) if sender else None, _address_domain(recipient) if recipient else None,
            remote_host, registrable_domain(remote_host) if remote_host else None, remote_ip, size, status,
            security or DEFAULT_SECURITY.get(bucket, "opportunistic"), blocked,
        )  # fmt: skip
    return batch
