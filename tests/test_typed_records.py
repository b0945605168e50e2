"""The fast path (api/typed_records.py) against the detailed validator (api/records.py, api/ingest.py): on
generated good and bad records, whatever the fast path accepts the detailed path accepts too, into the same
columns; whatever the detailed path refuses, the fast path refuses (and so leaves to the detailed path's
answer). And the fast path does take ordinary records: it is not a path that always declines."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.attribution import Attributor
from api.errors import BadRequest
from api.ingest import Problems, prepare, validate
from api.records import parse_records
from api.typed_records import Checker, columns, decode, decode_line
from core.batch import Batch
from db.connectors import Connector

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
INDEX = {("inbound", "Fabrikam"): 7, ("outbound", "Relay"): 8}
ATTRIBUTE = Attributor(
    [
        ("inbound", "Fabrikam", [{"kind": "hostname", "value": "fabrikam.example"}]),
        ("outbound", "Relay", [{"kind": "ip", "value": "192.0.2.0/24"}, {"kind": "domain", "value": "relay.example"}]),
    ]
)
NDJSON, JSON = "application/x-ndjson", "application/json"

# each field: values the validator takes, and values it refuses or that only the detailed path reads (2.0)
texts = st.one_of(
    st.sampled_from(["", " ", "x", "a@b.example", "<a@fabrikam.example>", "Bücher.de", "mx.relay.example."]),
    st.text(max_size=12),
    st.text(min_size=999, max_size=1001, alphabet="ab"),
)
odd = st.one_of(
    st.none(), st.integers(-3, 3), st.floats(allow_nan=False), st.booleans(), st.lists(st.none(), max_size=1)
)
times = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)).map(
        lambda d: d.isoformat()
    ),
    st.sampled_from(
        [
            "2026-11-27T09:00:00Z",
            "2026-11-27t09:00:00z",
            "2026-11-27 09:00:00.123456789+01:00",
            "2026-11-27T09:00:00",
            "2026-11-29T09:00:00Z",  # more than a day in the future
            "0001-01-01T00:00:00+00:01",
            "9999-12-31T23:59:59-00:01",
            "2026-02-30T09:00:00Z",
            "2026-11-27T24:00:00Z",
        ]
    ),
)
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "message_id": st.one_of(st.sampled_from(["<m1@x>", "m2", " ", "a\x00b"]), texts, odd),
    "received_at": st.one_of(times, odd, texts),
    "direction": st.one_of(st.sampled_from(["inbound", "outbound", "submission", "Inbound", "sideways"]), odd),
    "tls_version": st.one_of(
        st.sampled_from(["TLSv1.3", "TLS 1.2", "tls1_1", "1.0", "none", "", "SSLv3", "TLSv9"]), odd
    ),
    "connector": st.one_of(st.sampled_from(["Fabrikam", "Relay", "Nobody"]), odd),
    "cipher": st.one_of(texts, odd),
    "sender": st.one_of(texts, odd),
    "recipient": st.one_of(st.sampled_from(["b@relay.example", "c@elsewhere.example"]), texts, odd),
    "remote_host": st.one_of(
        st.sampled_from(["mx1.fabrikam.example", "MX.Fabrikam.Example.", "[192.0.2.1]"]), texts, odd
    ),
    "remote_ip": st.one_of(
        st.sampled_from(["192.0.2.9", "[2001:db8::1]", "IPv6:2001:db8::2", "fe80::1%eth0", "999.1.1.1"]), odd
    ),
    "size_bytes": st.one_of(st.integers(-2, 2**63), st.sampled_from([2.0, 2.5, 1e20, 2**62, 2**62 + 1]), odd),
    "status": st.one_of(texts, odd),
    "tls_security": st.one_of(
        st.sampled_from(["dane", "MTA_STS", "verified", "opportunistic", "none", "unknown", "weak"]), odd
    ),
    "blocked_reason": st.one_of(texts, odd),
}
REQUIRED = ("message_id", "received_at", "direction", "tls_version")
GOOD = {"message_id": "<m1@x>", "received_at": "2026-11-27T09:00:00Z", "direction": "inbound", "tls_version": "TLSv1.2"}


@st.composite
def record(draw: st.DrawFn) -> Any:
    """Mostly a good record with a few fields drawn at random, sometimes one left out or an unknown one."""
    if draw(st.integers(0, 30)) == 0:
        return draw(odd)  # not an object at all
    value: dict[str, Any] = dict(GOOD)
    for name in draw(st.lists(st.sampled_from(sorted(FIELDS)), max_size=4, unique=True)):
        value[name] = draw(FIELDS[name])
    if draw(st.integers(0, 10)) == 0:
        value.pop(draw(st.sampled_from(REQUIRED)))
    if draw(st.integers(0, 20)) == 0:
        value["extra"] = 1
    return value


def body_of(records: list[Any], content_type: str, spelling: bool = False) -> bytes:
    """An NDJSON or JSON array body; `spelling`: the other way to write it (one object alone; CRLF and blank lines)."""
    if content_type == JSON:
        return orjson.dumps(records[0] if len(records) == 1 and spelling else records)
    lines = [orjson.dumps(r) for r in records]
    if spelling:  # blank lines and CRLF, which NDJSON readers skip
        lines = [line + b"\r" for line in lines] + [b"", b"  "]
    return b"\n".join(lines)


def detailed(body: bytes, content_type: str) -> Batch | None:
    """The detailed path's batch, or None when it refuses (400 or 422)."""
    try:
        records, _ = parse_records(body, content_type)
    except BadRequest:
        return None
    ATTRIBUTE.apply(records)
    batch, problems = validate(records, INDEX, problems=Problems(), now=NOW)
    return None if problems else batch


def fast(body: bytes, content_type: str) -> Batch | None:
    records = decode(body, content_type)
    return None if records is None else columns(records, INDEX, ATTRIBUTE, NOW)


def agree(body: bytes, content_type: str) -> Batch | None:
    mine, theirs = fast(body, content_type), detailed(body, content_type)
    if mine is not None:
        assert theirs is not None, "the fast path accepted what the validator refuses"
        assert mine.columns() == theirs.columns()
    return mine


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.lists(record(), min_size=1, max_size=4), st.sampled_from([NDJSON, JSON]))
def test_the_fast_path_accepts_only_what_the_validator_accepts_into_the_same_columns(
    data: st.DataObject, records: list[Any], content_type: str
) -> None:
    agree(body_of(records, content_type, data.draw(st.booleans())), content_type)


@settings(max_examples=300, deadline=None)
@given(st.data(), st.lists(record(), min_size=1, max_size=3), st.sampled_from([NDJSON, JSON]))
def test_bodies_cut_or_spliced_are_refused_by_both_or_read_alike(
    data: st.DataObject, records: list[Any], content_type: str
) -> None:
    body = body_of(records, content_type, data.draw(st.booleans()))
    start = data.draw(st.integers(0, len(body)))
    end = data.draw(st.integers(start, min(len(body), start + 4)))
    splice = data.draw(st.sampled_from([b"", b"\n", b"}", b"{", b",", b'"', b"\\u0000", b"\xff", b"\\ud800", b" {}"]))
    agree(body[:start] + splice + body[end:], content_type)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fixed_dictionaries({k: FIELDS[k] for k in ("received_at", "tls_version")}), min_size=1, max_size=5))
def test_good_records_take_the_fast_path(varied: list[dict[str, Any]]) -> None:
    records = [{**GOOD, "message_id": f"<m{n}@x>", **v} for n, v in enumerate(varied)]
    for content_type in (NDJSON, JSON):
        body = body_of(records, content_type)
        accepted = agree(body, content_type)
        assert (accepted is not None) == (detailed(body, content_type) is not None)


def test_attribution_and_every_field_on_the_fast_path() -> None:
    records = [
        {**GOOD, "remote_host": "mx1.fabrikam.example", "sender": "<a@fabrikam.example>", "size_bytes": 10},
        {**GOOD, "direction": "outbound", "remote_ip": "192.0.2.7", "tls_security": "DANE", "status": "sent"},
        {**GOOD, "direction": "outbound", "recipient": "b@relay.example", "connector": None, "cipher": "X"},
        {**GOOD, "direction": "submission", "tls_version": "TLS 1.3", "blocked_reason": "none offered"},
    ]
    body = b"\n".join(orjson.dumps(r) for r in records)
    batch = agree(body, NDJSON)
    assert batch is not None
    assert batch.connector_ids == [7, 8, None, None]
    assert batch.tls_securities == ["opportunistic", "dane", "opportunistic", "opportunistic"]
    assert batch.sender_domains[0] == "fabrikam.example"


def test_what_only_the_detailed_path_reads_is_left_to_it() -> None:
    # JSON Schema's integer 2.0, and a JSON document that is not an array of objects
    for body, content_type in (
        (orjson.dumps([{**GOOD, "size_bytes": 2.0}]), JSON),
        (b'{"message_id": "a"} {"message_id": "b"}', NDJSON),
        (b"[1, 2]", JSON),
        (orjson.dumps([GOOD]), "text/csv"),
    ):
        assert fast(body, content_type) is None
    assert detailed(orjson.dumps([{**GOOD, "size_bytes": 2.0}]), JSON) is not None


@settings(max_examples=400, deadline=None)
@given(st.data(), st.lists(record(), min_size=1, max_size=4))
def test_a_batch_of_typed_lines_is_checked_as_the_detailed_path_checks_its_dicts(
    data: st.DataObject, records: list[Any]
) -> None:
    """`mailflow ingest` reads NDJSON lines as typed records where it can (api/cli/ingest.py): every batch,
    good or bad, gives the same columns and the same problems as the lines read as dicts."""
    lines = [orjson.dumps(r) for r in records]
    if data.draw(st.booleans()):  # a line cut short or spliced, as in the test above
        n = data.draw(st.integers(0, len(lines) - 1))
        at = data.draw(st.integers(0, len(lines[n])))
        lines[n] = (
            lines[n][:at] + data.draw(st.sampled_from([b"", b"}", b'"', b"\\u0000", b"\xff"])) + lines[n][at + 2 :]
        )
    read: list[tuple[int, Any]] = []
    plain: list[tuple[int, Any]] = []
    for number, line in enumerate(lines, start=1):
        typed = decode_line(line)
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            assert typed is None, "the fast path read a line the detailed path finds malformed"
            return
        read.append((number, typed or value))
        plain.append((number, value))
    connectors = [
        Connector(7, "Fabrikam", "inbound", "partner", False, [{"kind": "hostname", "value": "fabrikam.example"}]),
        Connector(8, "Relay", "outbound", "partner", False, [{"kind": "ip", "value": "192.0.2.0/24"}]),
    ]
    (mine,) = prepare(read, connectors, 10, Checker)
    (theirs,) = prepare(plain, connectors, 10)
    assert mine[0] == theirs[0]
    assert mine[1].columns() == theirs[1].columns()
    assert mine[2].items == theirs[2].items
