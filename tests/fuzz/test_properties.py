"""Property tests: no input makes the TLS-version parser, the record validator or the body readers crash."""

from __future__ import annotations

import gzip
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.errors import ApiError
from api.ingest import FIELDS, validate
from api.records import parse_records
from api.rest.http import _gunzip
from api.tls import BUCKETS, tls_bucket

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
field_values = st.one_of(
    json_values,
    st.sampled_from(["TLSv1.2", "tls12", "none", "inbound", "outbound", "2026-11-27T09:00:00Z", "1.2.3.4", "[::1]"]),
)
records = st.lists(
    st.one_of(json_values, st.dictionaries(st.sampled_from([*sorted(FIELDS), "extra"]), field_values, max_size=12)),
    max_size=20,
)


@given(st.text(max_size=40))
def test_tls_parser_answers_a_bucket_or_none(text: str) -> None:
    assert tls_bucket(text) in (*BUCKETS, None)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(records)
def test_validator_never_crashes(batch: list[Any]) -> None:
    valid, problems = validate(batch, {("inbound", "Fabrikam"): 1})
    if problems:
        assert all(1 <= p["line"] <= len(batch) for p in problems.items)
    else:
        assert len(valid) == len(batch)
        assert set(valid.tls_buckets) <= set(BUCKETS)


@given(st.binary(max_size=300), st.sampled_from(["application/json", "application/x-ndjson", "text/plain", ""]))
def test_body_parsing_fails_only_with_a_clear_error(data: bytes, content_type: str) -> None:
    error: ApiError | None = None
    try:
        parse_records(data, content_type)
    except ApiError as exc:
        error = exc
    if error is not None:
        assert error.status == 400
        assert error.message


@given(st.binary(max_size=300))
def test_gunzip_of_anything_is_bytes_or_a_clear_error(data: bytes) -> None:
    for payload in (data, gzip.compress(data)):
        error: ApiError | None = None
        try:
            assert len(_gunzip(payload, 1000)) <= 1000
        except ApiError as exc:
            error = exc
        assert error is None or error.status in (400, 413)
