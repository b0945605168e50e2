"""Property tests: no input makes the TLS-version parser, the record validator, the body readers or the
importers (Postfix, Exim, TLS reports) crash."""

from __future__ import annotations

import gzip
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.errors import ApiError
from api.ingest import FIELDS, validate
from api.records import parse_records
from api.rest.http import _gunzip
from api.tls import tls_bucket
from core.tls import BUCKETS

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


SYSLOG_PIECES = [
    "Oct  1 12:00:00 ", "Oct 11 12:00:00 ", "Dec 31 23:59:59", "Jan  1 00:00:00.5 ", "oct  1 ", " ", "  ", "\t",
    "\u00a0", "mx ", "mx", "postfix/smtpd", "[123]", "[]", "[x]", "[\u0661]", ":", ": ", ":\t", "msg", "a b", "é",
]  # fmt: skip

log_text = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda prefix, rest: prefix + rest,
        st.sampled_from(
            [
                "Oct  1 12:00:00 mx postfix/smtpd[1]: ",
                "2026-11-20T10:00:00.5+01:00 mx postfix/smtp[2]: ",
                "2026-11-20 10:00:00 1vABCD-000001-AB <= ",
                "2026-11-20 10:00:00 1vABCD-000001-AB => ",
                "Nov 20 10:00:09 mx exim[1234]: ",
                "",
            ]
        ),
        st.text(max_size=150)
        | st.sampled_from(
            [
                "ABCDE12345: client=h[1.2.3.4]",
                "connect from h[::1]",
                "disconnect from h[x] starttls=9",
                "ABCDE12345: to=<a@b>, relay=h[1.2.3.4]:25, conn_use=2, status=sent",
                "Trusted TLS connection established to h[1.2.3.4]:25: TLSv9 with cipher X",
                "proxy-accept: END-OF-MESSAGE: queued as ABCDE12345;",
                'a@b H=h (x) [1.2.3.4]:1 P=esmtps X=TLS1.2:C:256 S=abc id=x DN="a, b=c"',
            ]
        ),
    ),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(log_text, max_size=30), st.booleans())
def test_log_parsers_never_crash(lines: list[str], keep_local: bool) -> None:
    from datetime import UTC, datetime

    from api.importers.exim import EximParser, parse_exim
    from api.importers.postfix import PostfixParser, parse_postfix
    from api.importers.syslog import YearGuess

    numbered = list(enumerate(lines, start=1))
    now = datetime(2026, 11, 27, tzinfo=UTC)
    for records in (
        parse_postfix(numbered, PostfixParser(YearGuess(None, now), now, keep_local)),
        parse_exim(numbered, EximParser(YearGuess(2026, now), now, keep_local)),
    ):
        for number, record in records:
            assert 1 <= number <= len(lines)
            assert record["direction"] in ("inbound", "outbound")


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.builds(lambda parts: "".join(parts), st.lists(st.sampled_from(SYSLOG_PIECES), max_size=12))
    | st.text(max_size=60)
)
def test_the_fast_bsd_header_split_agrees_with_the_patterns(text: str) -> None:
    from datetime import UTC, datetime

    from api.importers.syslog import YearGuess, _parse_with_patterns, clean, parse_line

    now = datetime(2026, 11, 27, tzinfo=UTC)
    line = text.replace("\r", "").replace("\n", "")
    # parse_line first undoes what a spreadsheet adds (clean); the patterns read the line as cleaned
    assert parse_line(line, YearGuess(2026, now)) == _parse_with_patterns(clean(line), YearGuess(2026, now))


report_like = st.fixed_dictionaries(
    {},
    optional={
        "report-id": json_values,
        "organization-name": json_values,
        "date-range": st.fixed_dictionaries(
            {}, optional={"start-datetime": json_values | st.just("2026-11-20T00:00:00Z"), "end-datetime": json_values}
        )
        | json_values,
        "policies": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "policy": st.dictionaries(
                        st.sampled_from(["policy-type", "policy-domain", "mx-host"]), json_values
                    ),
                    "summary": st.dictionaries(
                        st.sampled_from(["total-successful-session-count", "total-failure-session-count"]), json_values
                    ),
                    "failure-details": st.lists(st.dictionaries(st.text(max_size=20), json_values), max_size=3)
                    | json_values,
                },
            )
            | json_values,
            max_size=3,
        )
        | json_values,
    },
)


@settings(max_examples=300)
@given(st.binary(max_size=400) | st.builds(lambda d: json.dumps(d).encode(), json_values | report_like))
def test_tls_report_decoding_fails_only_with_a_clear_error(data: bytes) -> None:
    from api.importers.tlsrpt import decode

    error: ApiError | None = None
    try:
        decode(data)
    except ApiError as exc:
        error = exc
    assert error is None or (error.status == 422 and error.details)
