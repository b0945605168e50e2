"""The OpenAPI document's patterns say exactly what the validators take: every string a pattern matches is
accepted and every other one refused, by the JSON Schema validator schemathesis uses and by Python's `re`."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.errors import ApiError
from api.importers.tlsrpt import COUNT_TEXT, _count
from api.ingest import RFC3339, _parse_ip, parse_timestamp
from api.patterns import DIGITS, LOGGED_IP, NETWORK, NOT_BLANK, TEXT, WHITE_SPACE
from api.rest import tls_reports
from api.tls import PATTERN as TLS_VERSION
from api.tls import tls_bucket
from core.connectors import check_rules
from core.errors import Refusal
from services import insights as service
from services.tls_reports import cursor_argument as tls_report_cursor


def test_white_space_is_what_python_strips() -> None:
    assert {chr(c) for c in range(0x110000) if chr(c).isspace()} == set(WHITE_SPACE)


def test_digits_are_what_python_calls_digits() -> None:
    assert {chr(c) for c in range(0x110000) if chr(c).isdigit()} == set(DIGITS)


def test_only_the_kelvin_sign_lowers_to_an_ascii_letter_from_outside_ascii() -> None:
    # api/tls.py spells words in any case as [xX], adding the Kelvin sign for k
    lowered = {chr(c) for c in range(0x80, 0x110000) if len(chr(c).lower()) == 1 and chr(c).lower().isascii()}
    assert {c for c in lowered if c.lower().isalpha()} == {"\u212a"}


def _network(value: str) -> bool:
    try:
        ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return False
    return check_rules([{"kind": "ip", "value": value}]) == []


def _takes(parse: Callable[[str], object]) -> Callable[[str], bool]:
    def judge(value: str) -> bool:
        try:
            parse(value)
        except (ApiError, Refusal):
            return False
        return True

    return judge


def _string(pattern: str, **more: Any) -> dict[str, Any]:
    return {"type": "string", "pattern": pattern, **more}


# name: (the document's schema, what the server takes)
JUDGES: dict[str, tuple[dict[str, Any], Callable[[str], bool]]] = {
    "text": (_string(TEXT), lambda s: "\x00" not in s),
    "not blank": (_string(NOT_BLANK), lambda s: "\x00" not in s and bool(s.strip())),
    "logged ip": (_string(LOGGED_IP), lambda s: _parse_ip(s) is not None),
    "network": (_string(NETWORK), _network),
    "tls version": (_string(TLS_VERSION), lambda s: tls_bucket(s) is not None),
    "session count": (_string(COUNT_TEXT), _takes(lambda s: _count(s, "count"))),
    "event cursor": (_string(service.CURSOR), _takes(service.parse_cursor)),
    "tls report cursor": (_string(tls_reports.CURSOR), _takes(tls_report_cursor)),
    # the server also takes a space for the T, which the document only says in words
    "received at": (
        _string(RFC3339, format="date-time"),
        lambda s: parse_timestamp(s) is not None and s[10] in "Tt",
    ),
}

ADDRESSES = st.ip_addresses().flatmap(
    lambda a: st.sampled_from([str(a), a.exploded, str(ipaddress.IPv6Address(int(a))) if a.version == 4 else str(a)])
)
NETWORKS = st.builds(
    lambda address, bits: f"{address}/{bits}", st.ip_addresses(), st.integers(0, 130).map(str) | st.just("024")
)
PIECES = [
    " ", "\t", "\n", "\u3000", "\x1c", "\x00", "[", "]", "%", "%eth0", "/", "/24", "/0.0.0.255", "/255.255.0.0",
    "/33", "IPv6:", "ipv6:", "::", ":", ".", "1", "01", "255", "256", "ffff", "g", "1.2.3.4", "::1", "fe80::1",
    "tls", "TLS", "v", "V", "1", "1.2", ".", "_", "3", "4", "ssl", "SSL", "2", "0", "no", "NO", "-", "none",
    "unknown", "UN\u212aNOWN", "\u0130", "x", "2026-11-20", "T", "t", " ", "10:00:00", "23:59:60", ".5", "Z", "z",
    "+01:00", "+24:00", "-14:00", "0001-01-01", "9999-12-31", "2026-02-30",
]  # fmt: skip
near_misses = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
NUMBERS = st.integers(-(2**66), 2**66).flatmap(lambda n: st.sampled_from([str(n), f"{n:021}", f"{n:019}"]))
numbers = st.lists(NUMBERS | st.sampled_from(["-", " ", "\u0661", "\U0001d7d7", "\xb2", "1"]), max_size=3).map("".join)


@pytest.mark.parametrize("name", sorted(JUDGES))
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_a_pattern_matches_exactly_what_its_validator_accepts(name: str, data: st.DataObject) -> None:
    schema, accepts = JUDGES[name]
    pattern = schema["pattern"]
    value = data.draw(
        st.from_regex(pattern) | near_misses | numbers | ADDRESSES | NETWORKS | st.text(max_size=12), label="value"
    )
    by_schema = jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value)
    assert by_schema == accepts(value), (value, by_schema)
    # Python's `$` also matches before a final newline: `\Z` is ECMA's `$`
    if "format" not in schema:
        assert (re.search(pattern.removesuffix("$") + r"\Z", value) is not None) == by_schema, value
