"""TLS reports (RFC 8460): decoding and tolerance, on reports of our own and on every public sample."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from api.errors import ApiError
from api.importers.tlsrpt import decode, parse_report

SAMPLES = Path(__file__).parent.parent.parent.parent / "shared" / "samples" / "tlsrpt"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not here")

REPORT = {
    "organization-name": "Sender",
    "date-range": {"start-datetime": "2026-11-20T00:00:00Z", "end-datetime": "2026-11-20T23:59:59Z"},
    "contact-info": None,
    "report-id": "r-1",
    "policies": [
        {
            "policy": {"policy-type": "sts", "policy-domain": "Contoso.COM", "mx-host": ["mx1.contoso.com"]},
            "summary": {"total-successful-session-count": 90, "total-failure-session-count": 10},
            "failure-details": [
                {"result-type": "certificate-expired", "failed-session-count": 7, "sending-mta-ip": ""},
                {"result-type": "something-new", "failed-session-count": 2},
            ],
        },
        {"policy": {"policy-type": "no-policy-found"}, "summary": {"total-successful-session-count": 5}},
    ],
}


def test_tolerant_parsing() -> None:
    report = parse_report(REPORT)
    first, second = report.policies
    assert first.policy_domain == "contoso.com"
    assert first.mx_hosts == ["mx1.contoso.com"]
    assert first.failures[0].sending_mta_ip is None  # an empty string is no value
    assert first.failures[1].result_type == "something-new"  # non-standard, kept
    assert (first.detailed, first.mismatch) == (9, True)  # details add up to 9, not 10: flagged
    assert second.policy_domain is None
    assert (second.successful, second.failed, second.mismatch) == (5, 0, False)
    assert report.contact_info is None


def test_mx_host_keeps_its_shape_and_helo_is_read() -> None:
    as_list = parse_report(REPORT).policies[0]
    assert (as_list.mx_host, as_list.mx_host_pattern) == (["mx1.contoso.com"], None)
    policy = {"policy-type": "sts", "policy-domain": "contoso.com", "mx-host": " *.contoso.com ",
              "mx-host-pattern": ["", "mx?.contoso.com"]}  # fmt: skip
    detail = {"result-type": "certificate-expired", "receiving-mx-helo": "mx1.contoso.com", "failed-session-count": 1}
    (one,) = parse_report({**REPORT, "policies": [{"policy": policy, "failure-details": [detail]}]}).policies
    assert (one.mx_host, one.mx_host_pattern) == ("*.contoso.com", ["mx?.contoso.com"])
    assert one.mx_hosts == ["*.contoso.com", "mx?.contoso.com"]
    assert one.failures[0].receiving_mx_helo == "mx1.contoso.com"
    (absent,) = parse_report({**REPORT, "policies": [{"policy": {"policy-type": "tlsa"}}]}).policies
    assert (absent.mx_host, absent.mx_host_pattern, absent.mx_hosts) == (None, None, [])


@pytest.mark.parametrize(
    ("missing", "field"),
    [("report-id", "report-id"), ("date-range", "date-range"), ("policies", "policies")],
)
def test_a_report_without_its_core_is_refused_naming_the_field(missing: str, field: str) -> None:
    broken = {k: v for k, v in REPORT.items() if k != missing}
    with pytest.raises(ApiError) as caught:
        parse_report(broken)
    assert caught.value.status == 422
    assert caught.value.details[0]["field"] == field


@pytest.mark.parametrize("report_id", ["", "  ", "\x00", "\x00 \x00", None])
def test_a_report_id_of_nothing_but_white_space_and_nul_is_refused(report_id: str | None) -> None:
    with pytest.raises(ApiError) as caught:
        parse_report({**REPORT, "report-id": report_id})
    assert caught.value.details[0]["field"] == "report-id"


def test_json_gzip_and_plain_json_in_a_gz_name() -> None:
    body = orjson.dumps(REPORT)
    assert decode(body)[0].report_id == "r-1"
    assert decode(gzip.compress(body))[0].report_id == "r-1"
    with pytest.raises(ApiError):
        decode(b"hello, this is not a report")


@needs_samples
@pytest.mark.parametrize(
    ("name", "domain", "ok", "failed", "mismatch"),
    [
        # read from the files (report summaries and failure details as published)
        ("mail-tls-rpt__google_fastmaildmarc.com_2020-03-02.json", "fastmaildmarc.com", 343, 0, False),
        ("parsedmarc__empty_failure_detail_fields.json", "example.com", 0, 1, False),
        ("parsedmarc__google.com_cardinalhealth.ca_2024-09-03.extracted.json", "cardinalhealth.ca", 48, 0, False),
        ("parsedmarc__mail.ru.json", "example.com", 0, 1, True),  # details add up to 2
        ("parsedmarc__rfc8460.json", "company-y.example", 5326, 303, False),
        ("parsedmarc__smtp_tls.json", "example.com", 0, 3, False),
        ("tls-rpt-monitor__microsoft-report.json", "josh.scot", 2, 2, True),  # 3 in details
        ("tlsrpt-be__report.json", "xn--gpher-jua.test", 99, 102, False),  # no details: nothing to compare
        ("tlsrpt-be__testing.json", "xn--gpher-jua.test", 5326, 303, False),
        ("tlsrpt-digest__tlsrpt_failure.extracted.json", "example.com", 4523, 2, False),
        ("tlsrpt-digest__tlsrpt_success_google_2.extracted.json", "example.com", 4, 0, False),
        ("parsedmarc__google.com_smtp_tls_report.eml", "cardinalhealth.ca", 48, 0, False),
        ("tlsrpt-digest__tlsrpt_failure.eml", "example.com", 4523, 2, False),
        ("tlsrpt-digest__tlsrpt_success_google_2.eml", "example.com", 4, 0, False),
    ],
)
def test_every_sample(name: str, domain: str, ok: int, failed: int, mismatch: bool) -> None:
    (report,) = decode((SAMPLES / name).read_bytes())
    (policy,) = report.policies
    assert (policy.policy_domain, policy.successful, policy.failed, policy.mismatch) == (domain, ok, failed, mismatch)


@needs_samples
def test_mx_host_of_the_samples_as_sent() -> None:
    (rfc,) = decode((SAMPLES / "parsedmarc__rfc8460.json").read_bytes())
    assert rfc.policies[0].mx_host == "*.mail.company-y.example"
    (google,) = decode((SAMPLES / "tlsrpt-digest__tlsrpt_success_google_2.extracted.json").read_bytes())
    assert google.policies[0].mx_host == ["in1-smtp.messagingengine.com", "in2-smtp.messagingengine.com"]


@needs_samples
def test_the_samples_are_all_covered() -> None:
    assert len(list(SAMPLES.glob("*"))) == 14
