"""A TLS report read back in full, by id and from the list: every field kept, bad and unknown ids refused,
another organization's reports never shown."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest

from api.context import AppState
from api.rest.openapi import DOCUMENT
from api.settings import Settings
from db.keys import create_key
from db.organizations import ensure_organization
from db.pool import Database
from db.sql import count_statements
from tests.conftest import make_client
from tests.graphql.helpers import gql
from tests.importers.test_tlsrpt import REPORT, SAMPLES, needs_samples
from tests.rest.test_tls_reports import two_policy_report

FULL: dict[str, Any] = {
    "organization-name": "Company-X",
    "date-range": {"start-datetime": "2026-11-20T00:00:00Z", "end-datetime": "2026-11-20T23:59:59Z"},
    "contact-info": "sts-reporting@company-x.example",
    "report-id": "full-1",
    "policies": [
        {
            "policy": {
                "policy-type": "sts",
                "policy-string": ["version: STSv1", "mode: enforce", "mx: *.mail.contoso.com", "max_age: 86400"],
                "policy-domain": "contoso.com",
                "mx-host": "*.mail.contoso.com",
            },
            "summary": {"total-successful-session-count": 120, "total-failure-session-count": 5},
            "failure-details": [
                {
                    "result-type": "certificate-expired",
                    "sending-mta-ip": "2001:db8::1",
                    "receiving-mx-hostname": "mx1.mail.contoso.com",
                    "receiving-mx-helo": "mx1.contoso.com",
                    "receiving-ip": "203.0.113.56",
                    "failed-session-count": 3,
                    "failure-reason-code": "X509_V_ERR_CERT_HAS_EXPIRED",
                    "additional-information": "https://company-x.example/tlsrpt#expired",
                },
                {"result-type": "starttls-not-supported", "receiving-mx-hostname": "mx2.mail.contoso.com",
                 "failed-session-count": 2},
            ],
        },
        {
            "policy": {
                "policy-type": "tlsa",
                "policy-string": ["3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6"],
                "policy-domain": "contoso.com",
                "mx-host": ["mx1.mail.contoso.com", "mx2.mail.contoso.com"],
            },
            "summary": {"total-successful-session-count": 120, "total-failure-session-count": 5},
            "failure-details": [{"result-type": "tlsa-invalid", "failed-session-count": 4}],
        },
    ],
}  # fmt: skip

FAILURE = {
    "result_type": None,
    "sending_mta_ip": None,
    "receiving_mx_hostname": None,
    "receiving_mx_helo": None,
    "receiving_ip": None,
    "failed_sessions": None,
    "failure_reason_code": None,
    "additional_information": None,
}

FULL_POLICIES = [
    {
        "policy_type": "sts",
        "policy_domain": "contoso.com",
        "policy_string": ["version: STSv1", "mode: enforce", "mx: *.mail.contoso.com", "max_age: 86400"],
        "mx_host": "*.mail.contoso.com",
        "mx_host_pattern": None,
        "mx_hosts": ["*.mail.contoso.com"],
        "successful": 120,
        "failed": 5,
        "detailed_failures": 5,
        "details_mismatch": False,
        "accepted": True,  # no accepted domain listed: every policy counts
        "failures": [
            {
                "result_type": "certificate-expired",
                "sending_mta_ip": "2001:db8::1",
                "receiving_mx_hostname": "mx1.mail.contoso.com",
                "receiving_mx_helo": "mx1.contoso.com",
                "receiving_ip": "203.0.113.56",
                "failed_sessions": 3,
                "failure_reason_code": "X509_V_ERR_CERT_HAS_EXPIRED",
                "additional_information": "https://company-x.example/tlsrpt#expired",
            },
            {**FAILURE, "result_type": "starttls-not-supported", "receiving_mx_hostname": "mx2.mail.contoso.com",
             "failed_sessions": 2},
        ],
    },
    {
        "policy_type": "tlsa",
        "policy_domain": "contoso.com",
        "policy_string": ["3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6"],
        "mx_host": ["mx1.mail.contoso.com", "mx2.mail.contoso.com"],
        "mx_host_pattern": None,
        "mx_hosts": ["mx1.mail.contoso.com", "mx2.mail.contoso.com"],
        "successful": 120,
        "failed": 5,
        "detailed_failures": 4,
        "details_mismatch": True,
        "accepted": True,
        "failures": [{**FAILURE, "result_type": "tlsa-invalid", "failed_sessions": 4}],
    },
]  # fmt: skip

WINDOW = {"from": "2026-11-19", "to": "2026-11-22"}


async def test_a_report_in_full_from_the_list(client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/v1/tls-reports", content=orjson.dumps(FULL))).status_code == 201
    listed = (await client.get("/api/v1/tls-reports", params=WINDOW)).json()
    (entry,) = listed["reports"]
    assert entry == {
        "id": entry["id"],
        "organization_name": "Company-X",
        "report_id": "full-1",
        "from": "2026-11-20T00:00:00+00:00",
        "to": "2026-11-20T23:59:59+00:00",
        "policy_domains": ["contoso.com"],
        "successful": 120,  # the sts and tlsa policies count the same sessions: once
        "failed": 5,
        "flagged": False,
        "foreign_domains": [],
        "flag_reason": None,
        "url": f"/api/v1/tls-reports/{entry['id']}",
    }
    assert (listed["reports_total"], listed["next"]) == (1, None)
    assert [d["successful"] for d in listed["days"]] == [120]
    with count_statements() as statements:
        response = await client.get(entry["url"])
    assert response.status_code == 200, response.text
    report = response.json()
    stored_at = datetime.fromisoformat(report.pop("stored_at"))
    assert abs(stored_at - datetime.now(UTC)) < timedelta(minutes=5)
    assert report == {
        "id": entry["id"],
        "organization_name": "Company-X",
        "contact_info": "sts-reporting@company-x.example",
        "report_id": "full-1",
        "from": "2026-11-20T00:00:00+00:00",
        "to": "2026-11-20T23:59:59+00:00",
        "policies": FULL_POLICIES,
        "flagged": False,
        "flag_reason": None,
    }
    assert statements[-1:] == ["tls_reports/tls_report_by_id"]  # policies and failures: the same statement


async def test_statements_per_report_do_not_grow_with_its_size(client: httpx.AsyncClient) -> None:
    small = {**FULL, "report-id": "small", "policies": FULL["policies"][:1]}
    detail = {"result-type": "validation-failure", "failed-session-count": 1}
    big_policies = [
        {**FULL["policies"][0], "policy": {"policy-type": "sts", "policy-domain": f"d{n}.example"},
         "failure-details": [detail] * 30}
        for n in range(20)
    ]  # fmt: skip
    big = {**FULL, "report-id": "big", "policies": big_policies}
    counted = []
    for body in (small, big):
        await client.post("/api/v1/tls-reports", content=orjson.dumps(body))
    for entry in (await client.get("/api/v1/tls-reports", params=WINDOW)).json()["reports"]:
        with count_statements() as statements:
            report = (await client.get(entry["url"])).json()
        counted.append((len(report["policies"]), sum(len(p["failures"]) for p in report["policies"]), statements))
    assert [c[:2] for c in counted] == [(20, 600), (1, 2)]  # newest first: same start, higher id
    assert counted[0][2] == counted[1][2]


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "1.5", "+1", "\uff19", "9223372036854775808", "1" * 40])
async def test_a_malformed_or_out_of_range_id_is_400(client: httpx.AsyncClient, bad: str) -> None:
    response = await client.get(f"/api/v1/tls-reports/{bad}")
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "BAD_USER_INPUT"
    assert response.json()["error"]["details"][0]["field"] == "id"


@pytest.mark.parametrize("unknown", ["1", "9223372036854775807"])
async def test_an_unknown_id_is_404(client: httpx.AsyncClient, unknown: str) -> None:
    response = await client.get(f"/api/v1/tls-reports/{unknown}")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "NOT_FOUND", "message": f"there is no TLS report {unknown}", "details": []}
    }


async def test_another_organizations_report_is_404_and_never_listed(
    client: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    other = AppState(settings, database, await ensure_organization(database.system, f"o-{uuid.uuid4().hex[:10]}"))
    async with make_client(other, await create_key(database.system, other.org_id, "admin", "t")) as theirs:
        assert (await theirs.post("/api/v1/tls-reports", content=orjson.dumps(FULL))).status_code == 201
        (entry,) = (await theirs.get("/api/v1/tls-reports", params=WINDOW)).json()["reports"]
        assert (await theirs.get(entry["url"])).status_code == 200
    # the same sender and report id in our organization is another report, with another id
    assert (await client.post("/api/v1/tls-reports", content=orjson.dumps(REPORT))).status_code == 201
    ours = (await client.get("/api/v1/tls-reports", params=WINDOW)).json()
    assert [r["report_id"] for r in ours["reports"]] == ["r-1"]
    assert ours["reports_total"] == 1
    hidden = await client.get(entry["url"])
    assert hidden.status_code == 404
    assert hidden.json()["error"]["message"] == f"there is no TLS report {entry['id']}"
    graph = await gql(client, "query ($id: ID!) { tlsReport(id: $id) { reportId } }", id=str(entry["id"]))
    assert graph == {"data": {"tlsReport": None}}
    listed = await gql(client, '{ tlsReportList(from: "2026-11-19T00:00:00Z") { total reports { reportId } } }')
    assert listed == {"data": {"tlsReportList": {"total": 1, "reports": [{"reportId": "r-1"}]}}}


async def test_the_list_pages_and_filters(client: httpx.AsyncClient) -> None:
    for n, (day, domain) in enumerate([("20", "contoso.com"), ("21", "fabrikam.com"), ("21", "contoso.com")]):
        body = two_policy_report(f"p{n}", f"2026-11-{day}", ("sts", domain, 10 + n, n, "x"))
        await client.post("/api/v1/tls-reports", content=body)
    first = (await client.get("/api/v1/tls-reports", params={**WINDOW, "limit": "2"})).json()
    assert [r["report_id"] for r in first["reports"]] == ["p2", "p1"]  # newest first
    assert (first["reports_total"], len(first["days"])) == (3, 3)
    second = (await client.get("/api/v1/tls-reports", params={**WINDOW, "limit": "2", "after": first["next"]})).json()
    assert [r["report_id"] for r in second["reports"]] == ["p0"]
    assert (second["reports_total"], second["next"]) == (3, None)
    after_all = {**WINDOW, "after": "0-1"}  # after a report of 1970: every report is newer
    assert (await client.get("/api/v1/tls-reports", params=after_all)).json()["reports"] == []
    contoso = (await client.get("/api/v1/tls-reports", params={**WINDOW, "policy_domain": "Contoso.com"})).json()
    assert [(r["report_id"], r["successful"], r["failed"]) for r in contoso["reports"]] == [
        ("p2", 12, 2),
        ("p0", 10, 0),
    ]
    assert [d["policy_domain"] for d in contoso["days"]] == ["contoso.com", "contoso.com"]
    empty = (await client.get("/api/v1/tls-reports", params={"from": "2026-10-01", "to": "2026-10-02"})).json()
    assert (empty["days"], empty["reports"], empty["reports_total"], empty["next"]) == ([], [], 0, None)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"after": "yesterday"}, "after"),
        ({"after": "1-99999999999999999999"}, "after"),
        ({"after": "9999999999999999999-1"}, "after"),
        ({"after": "\u0661-\u0661"}, "after"),  # digits other than ASCII (taken before)
        ({"after": "1-1\n"}, "after"),
        ({"policy_domain": "contoso.com\x00"}, "policy_domain"),  # no NUL in PostgreSQL (a 422 naming nothing)
        ({"bogus": "1"}, "bogus"),
    ],
)
async def test_bad_list_arguments_are_400(client: httpx.AsyncClient, params: dict[str, str], field: str) -> None:
    response = await client.get("/api/v1/tls-reports", params=params)
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == field


@needs_samples
async def test_a_real_report_read_back_in_full(client: httpx.AsyncClient) -> None:
    sample = (SAMPLES / "parsedmarc__rfc8460.json").read_bytes()
    assert (await client.post("/api/v1/tls-reports", content=sample)).status_code == 201
    params = {"from": "2016-04-01", "to": "2016-04-02"}
    (entry,) = (await client.get("/api/v1/tls-reports", params=params)).json()["reports"]
    report = (await client.get(entry["url"])).json()
    sent = orjson.loads(sample)
    assert (report["organization_name"], report["contact_info"], report["report_id"]) == (
        sent["organization-name"], sent["contact-info"], sent["report-id"]
    )  # fmt: skip
    assert (report["from"], report["to"]) == ("2016-04-01T00:00:00+00:00", "2016-04-01T23:59:59+00:00")
    (policy,) = report["policies"]
    (sent_policy,) = sent["policies"]
    assert policy["policy_type"] == sent_policy["policy"]["policy-type"]
    assert policy["policy_domain"] == sent_policy["policy"]["policy-domain"]
    assert policy["policy_string"] == sent_policy["policy"]["policy-string"]
    assert policy["mx_host"] == "*.mail.company-y.example"  # a string, as sent
    assert (policy["successful"], policy["failed"], policy["details_mismatch"]) == (5326, 303, False)
    keys = {
        "result_type": "result-type",
        "sending_mta_ip": "sending-mta-ip",
        "receiving_mx_hostname": "receiving-mx-hostname",
        "receiving_mx_helo": "receiving-mx-helo",
        "receiving_ip": "receiving-ip",
        "failed_sessions": "failed-session-count",
        "failure_reason_code": "failure-reason-code",
        "additional_information": "additional-information",
    }
    assert policy["failures"] == [{ours: d.get(theirs) for ours, theirs in keys.items()}
                                  for d in sent_policy["failure-details"]]  # fmt: skip


async def test_the_openapi_document_names_every_field(client: httpx.AsyncClient) -> None:
    await client.post("/api/v1/tls-reports", content=orjson.dumps(FULL))
    listed = (await client.get("/api/v1/tls-reports", params=WINDOW)).json()
    report = (await client.get(listed["reports"][0]["url"])).json()
    schemas = DOCUMENT["components"]["schemas"]
    get = DOCUMENT["paths"]["/api/v1/tls-reports"]["get"]["responses"]["200"]["content"]["application/json"]
    for schema, value in [
        (get["schema"], listed),
        (schemas["TlsReportDay"], listed["days"][0]),
        (schemas["TlsReportSummary"], listed["reports"][0]),
        (schemas["TlsReport"], report),
        (schemas["TlsReportPolicy"], report["policies"][0]),
        (schemas["TlsReportFailure"], report["policies"][0]["failures"][0]),
    ]:
        assert set(value) == set(schema["required"]) == set(schema["properties"]), schema
