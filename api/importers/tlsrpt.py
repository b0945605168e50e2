"""SMTP TLS reports (RFC 8460): JSON, gzip'd JSON, or an e-mail with an application/tlsrpt+gzip or
application/tlsrpt+json part. Tolerant of what real senders do (an `mx-host` array, `mx-host-pattern`,
missing or empty fields, non-standard result types, details that do not add up to the summary); a
report without its core (`report-id`, `date-range`, `policies`) is refused, naming the field."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from typing import Any

import orjson

from api.errors import PayloadTooLarge, ValidationFailed
from api.gunzip import NotGzip, gunzip
from api.patterns import DIGITS, WHITE_SPACE, char_class
from core.arguments import digits_up_to
from core.domains import domain_name
from core.tls_report import Failure, MxHost, Policy, Report
from core.window import OUT_OF_RANGE, representable

MAX_BYTES = 20 * 1024 * 1024
# The most sessions a count, a policy's failure details or a whole report may add up to (JSON's safe
# integers): a report's own sums stay far from a bigint's maximum; sums over many reports are numeric.
MAX_SESSIONS = 2**53


def _invalid(where: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"not a TLS report: {where} {message}", [{"field": where, "message": message}])


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value) if not isinstance(value, (dict, list)) else orjson.dumps(value).decode()
    return text.replace("\x00", "").strip() or None  # PostgreSQL stores no NUL


_SPACE, _DIGIT = char_class(WHITE_SPACE), char_class(DIGITS)
# The strings _count takes, as a pattern: no digits alone (0), or ASCII digits up to MAX_SESSIONS
COUNT_TEXT = (
    f"^(?:{_SPACE}*|[\\s\\S]*{char_class(DIGITS + WHITE_SPACE, negate=True)}[\\s\\S]*"
    f"|{_SPACE}*{_DIGIT}+(?:{_SPACE}+{_DIGIT}+)+{_SPACE}*|{_SPACE}*{digits_up_to(MAX_SESSIONS, 20)}{_SPACE}*)$"
)


def _count(value: Any, where: str) -> int:
    """A session count: tolerant of what is no count at all (0), but a number beyond MAX_SESSIONS or in
    digits other than ASCII is refused, naming the field."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, str) and value.strip().isdigit():
        text = value.strip()
        if not text.isascii():
            raise _invalid(where, f"{text[:20]!r} is not a count in ASCII digits")
        value = int(text) if len(text) <= 20 else MAX_SESSIONS + 1
    if isinstance(value, int | float) and value > MAX_SESSIONS:  # JSON's 1e20 is a float
        raise _invalid(where, f"is more than {MAX_SESSIONS} sessions")
    return max(value, 0) if isinstance(value, int) else 0


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    texts = (str(v).replace("\x00", "").strip() for v in items)
    return [t for t in texts if t]


def _as_given(value: Any) -> MxHost:
    """One text or a list of texts, in the shape the report used (None: absent or empty)."""
    return _texts(value) if isinstance(value, list) else _text(value)


def _time(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise _invalid(where, "is required (an RFC 3339 time)")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise _invalid(where, f"{value!r} is not an RFC 3339 time") from None
    if moment.tzinfo is None:
        raise _invalid(where, "has no time zone offset")
    if not representable(moment):
        raise _invalid(where, f"{moment.isoformat()} {OUT_OF_RANGE}")
    return moment


def parse_report(data: Any) -> Report:
    """A report from its decoded JSON object."""
    if not isinstance(data, dict):
        raise _invalid("report", "must be a JSON object")
    report_id = _text(data.get("report-id"))
    if report_id is None:
        raise _invalid("report-id", "is required")
    date_range = data.get("date-range")
    if not isinstance(date_range, dict):
        raise _invalid("date-range", "is required (start-datetime and end-datetime)")
    start = _time(date_range.get("start-datetime"), "date-range.start-datetime")
    end = _time(date_range.get("end-datetime"), "date-range.end-datetime")
    raw_policies = data.get("policies")
    if not isinstance(raw_policies, list) or not raw_policies:
        raise _invalid("policies", "is required (a list of policies)")
    policies = []
    for n, item in enumerate(raw_policies):
        if not isinstance(item, dict):
            raise _invalid(f"policies[{n}]", "must be an object")
        policy: dict[str, Any] = item["policy"] if isinstance(item.get("policy"), dict) else {}
        summary: dict[str, Any] = item["summary"] if isinstance(item.get("summary"), dict) else {}
        where = f"policies[{n}].summary"
        details = item.get("failure-details") or []
        failures = [
            Failure(
                result_type=_text(d.get("result-type")) or "unspecified",
                sending_mta_ip=_text(d.get("sending-mta-ip")),
                receiving_mx_hostname=_text(d.get("receiving-mx-hostname")),
                receiving_ip=_text(d.get("receiving-ip")),
                failed_sessions=_count(
                    d.get("failed-session-count"), f"policies[{n}].failure-details[{m}].failed-session-count"
                ),
                failure_reason_code=_text(d.get("failure-reason-code")),
                additional_information=_text(d.get("additional-information") or d.get("additional-info-uri")),
                receiving_mx_helo=_text(d.get("receiving-mx-helo")),
            )
            for m, d in enumerate(details if isinstance(details, list) else [])
            if isinstance(d, dict)
        ]
        policies.append(
            Policy(
                policy_type=_text(policy.get("policy-type")) or "unspecified",
                # one spelling (lower case, A-labels, no trailing dot), as accepted domains are kept
                policy_domain=domain_name(_text(policy.get("policy-domain")) or ""),
                policy_string=_texts(policy.get("policy-string")),
                mx_hosts=_texts(policy.get("mx-host")) + _texts(policy.get("mx-host-pattern")),
                successful=_count(
                    summary.get("total-successful-session-count"), f"{where}.total-successful-session-count"
                ),
                failed=_count(summary.get("total-failure-session-count"), f"{where}.total-failure-session-count"),
                failures=failures,
                mx_host=_as_given(policy.get("mx-host")),
                mx_host_pattern=_as_given(policy.get("mx-host-pattern")),
            )
        )
        if policies[-1].detailed > MAX_SESSIONS:
            raise _invalid(f"policies[{n}].failure-details", f"add up to more than {MAX_SESSIONS} sessions")
    if sum(p.successful + p.failed for p in policies) > MAX_SESSIONS:
        raise _invalid("policies", f"count more than {MAX_SESSIONS} sessions in all")
    return Report(
        organization_name=_text(data.get("organization-name")) or "unknown",
        report_id=report_id,
        start=start,
        end=end,
        contact_info=_text(data.get("contact-info")),
        policies=policies,
    )


class _Budget:
    """What the reports of one input may decompress to, together."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit

    def gunzip(self, payload: bytes) -> bytes:
        too_large = f"the TLS report(s) decompress to more than {self.limit} bytes"
        try:
            out = gunzip(payload, self.left, too_large)
        except NotGzip:
            raise _invalid("report", "is not valid gzip") from None
        self.left -= len(out)
        return out


def _json(payload: bytes, budget: _Budget) -> Any:
    if payload[:2] == b"\x1f\x8b":  # gzip: a `.gz` may also hold plain JSON, so look at the bytes
        payload = budget.gunzip(payload)
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise _invalid("report", f"is not JSON (line {exc.lineno}: {exc.msg})") from None


def decode_posted(data: bytes, gzipped: bool, limit: int) -> Report:
    """The one report of a POST to a reporting URL (RFC 8460 section 5.4): `application/tlsrpt+gzip`
    (`gzipped`) or `application/tlsrpt+json`, nothing else (no e-mail); at most `limit` bytes of JSON."""
    if gzipped:
        if data[:2] != b"\x1f\x8b":
            raise _invalid("report", "is not gzip (the content type is application/tlsrpt+gzip)")
        data = _Budget(limit).gunzip(data)
    elif len(data) > limit:
        raise PayloadTooLarge(f"the TLS report is larger than {limit} bytes")
    try:
        loaded = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise _invalid("report", f"is not JSON (line {exc.lineno}: {exc.msg})") from None
    return parse_report(loaded)


def decode(data: bytes, limit: int = MAX_BYTES) -> list[Report]:
    """The reports in a file or request body: JSON, gzip'd JSON, or an e-mail carrying them. What gzip
    holds may decompress to `limit` bytes in all, not more (413)."""
    budget = _Budget(limit)
    stripped = data.lstrip()
    if stripped[:1] in (b"{", b"[") or data[:2] == b"\x1f\x8b":
        return [parse_report(_json(data, budget))]
    message = email.message_from_bytes(data, policy=email.policy.default)
    reports = []
    for part in message.walk():
        kind = part.get_content_type()
        name = (part.get_filename() or "").lower()
        if kind in ("application/tlsrpt+gzip", "application/tlsrpt+json") or name.endswith((".json", ".json.gz")):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload:
                reports.append(parse_report(_json(payload, budget)))
    if not reports:
        raise _invalid("report", "found no JSON, gzip or e-mail with an application/tlsrpt+gzip or +json part")
    return reports
