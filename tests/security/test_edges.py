"""Input at the edges answers 4xx naming what is wrong, never a 500 (issue 20): numbers in digits other
than ASCII, dates that time zones or window arithmetic move past year 1 or 9999, deep or broken JSON in
GraphQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest

from api.importers.exim import EximParser, parse_exim
from api.importers.postfix import PostfixParser, parse_postfix
from api.importers.syslog import YearGuess
from tests.graphql.helpers import gql
from tests.insights.test_tls_report_rule import report

INGEST = "mutation($r: [MessageInput!]!) { ingestMessages(records: $r) { accepted } }"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/insights/events", {"limit": "²"}, "limit"),
        ("/api/v1/insights/events", {"limit": "\u0661\u0660"}, "limit"),
        ("/api/v1/insights/events", {"limit": "５"}, "limit"),  # noqa: RUF001
        ("/api/v1/insights/events", {"after": "1-9999999999999999999"}, "after"),
        ("/api/v1/insights/events", {"after": "1-1\n"}, "after"),
        ("/api/v1/insights", {"connector": "\u0661"}, "connector"),
        ("/api/v1/insights", {"connector": " 1"}, "connector"),
        ("/api/v1/tls-breakdown", {"connector": "1_0"}, "connector"),
    ],
)
async def test_a_number_not_in_ascii_digits_is_400_naming_it(
    client: httpx.AsyncClient, path: str, params: dict[str, str], field: str
) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["details"][0]["field"] == field


@pytest.mark.parametrize(
    "query", ['{ tlsBreakdown(connectorId: "\u0661") { total } }', '{ insights(connectorId: "1_0") { id } }']
)
async def test_a_graphql_id_not_in_ascii_digits_is_bad_user_input(client: httpx.AsyncClient, query: str) -> None:
    (error,) = (await gql(client, query))["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "is not a connector id" in error["message"]


async def test_a_content_length_in_other_digits_is_not_a_500(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/messages", content=b"[]", headers={b"content-length": b"\xb2"})
    assert response.status_code < 500


def test_log_numbers_in_other_digits_or_5000_long_are_no_crash() -> None:
    now = datetime(2026, 11, 27, tzinfo=UTC)
    huge = "9" * 5000
    postfix = [
        f"Nov 20 10:00:00 mx postfix/qmgr[1]: ABCDE12345: from=<a@b.example>, size={huge}, nrcpt=1 (queue active)",
        f"Nov 20 10:00:01 mx postfix/smtpd[2]: disconnect from h[192.0.2.1] ehlo=1 starttls={huge} commands=2",
        "Nov 20 10:00:01 mx postfix/smtpd[2]: disconnect from h[192.0.2.1] ehlo=1 starttls=\u0661 commands=2",
    ]
    list(parse_postfix(list(enumerate(postfix, 1)), PostfixParser(YearGuess(2026, now), now, False)))
    exim: list[Any] = [
        f"2026-11-20 10:00:00 1vABCD-000001-AB <= a@b.example H=h [192.0.2.1] P=esmtps S={s} id=x" for s in ("²", huge)
    ]
    list(parse_exim(list(enumerate(exim, 1)), EximParser(YearGuess(2026, now), now, False)))


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/tls-breakdown", {"to": "0001-01-01"}, "to"),
        ("/api/v1/tls-breakdown", {"to": "0001-01-03"}, "to"),  # in range, but 7 days before it is not
        ("/api/v1/tls-breakdown", {"from": "0001-01-01T00:00:00+14:00", "to": "0001-01-05"}, "from"),
        ("/api/v1/connector-report", {"from": "9999-12-31T23:00:00-05:00"}, "from"),
        ("/api/v1/connector-report", {"to": "9999-12-30T23:00", "time_zone": "America/Adak"}, "to"),
        ("/api/v1/client-submissions", {"to": "9999-12-31T23:59:59-14:00"}, "to"),
        ("/api/v1/tls-reports", {"to": "0001-01-01T00:00:00Z"}, "to"),
        ("/api/v1/insights/events", {"since": "0001-01-01T00:00:00+01:00"}, "since"),
    ],
)
async def test_a_date_past_the_years_is_400_naming_it(
    client: httpx.AsyncClient, path: str, params: dict[str, str], field: str
) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["details"][0]["field"] == field


async def test_the_widest_windows_that_exist_are_answered(client: httpx.AsyncClient) -> None:
    for params in (
        {"from": "0001-01-03", "to": "0001-02-01", "time_zone": "America/Adak"},  # LMT, +12:13:22
        {"from": "9999-12-01", "to": "9999-12-31", "time_zone": "Pacific/Kiritimati"},
    ):
        for path in ("/api/v1/tls-breakdown", "/api/v1/connector-report", "/api/v1/client-submissions"):
            response = await client.get(path, params=params)
            assert response.status_code == 200, (path, params, response.text)
    last = {"from": "9999-12-01", "to": "9999-12-31"}
    assert (await client.get("/api/v1/tls-reports", params=last)).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        '{ tlsBreakdown(to: "0001-01-01T00:00:00Z") { total } }',
        '{ connectorReport(from: "9999-12-31T23:00:00-05:00") { from } }',
        '{ clientSubmissions(to: "0001-01-01T00:00:00+01:00") { total } }',
        '{ tlsReports(to: "0001-01-01T00:00:00Z") { day } }',
    ],
)
async def test_a_graphql_date_past_the_years_is_bad_user_input(client: httpx.AsyncClient, query: str) -> None:
    (error,) = (await gql(client, query))["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error


@pytest.mark.parametrize("received_at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
async def test_a_received_at_past_the_years_is_422_naming_it(client: httpx.AsyncClient, received_at: str) -> None:
    record = {"message_id": "<x>", "received_at": received_at, "direction": "inbound", "tls_version": "none"}
    response = await client.post("/api/v1/messages", json=[record])
    assert response.status_code == 422, response.text
    assert "outside" in response.json()["error"]["details"][0]["message"]
    variables = {"r": [{"messageId": "<x>", "receivedAt": received_at, "direction": "INBOUND", "tlsVersion": "none"}]}
    (error,) = (await gql(client, INGEST, **variables))["errors"]
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert error["extensions"]["details"][0]["field"] == "receivedAt"


@pytest.mark.parametrize(
    ("where", "value", "field"),
    [
        ("start-datetime", "0001-01-01T00:00:00+01:00", "date-range.start-datetime"),
        ("end-datetime", "9999-12-31T23:59:59-01:00", "date-range.end-datetime"),
    ],
)
async def test_a_tls_report_range_past_the_years_is_422_naming_it(
    client: httpx.AsyncClient, where: str, value: str, field: str
) -> None:
    body = orjson.loads(report("contoso.com", 1, 1))
    body["date-range"][where] = value
    response = await client.post("/api/v1/tls-reports", content=orjson.dumps(body))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == field


async def test_nul_characters_in_a_tls_report_are_dropped(client: httpx.AsyncClient) -> None:
    """PostgreSQL stores no NUL: the report is stored without them (an e-mail's earlier reports were
    stored before a later one failed, under an answer that said nothing was)."""
    body = orjson.loads(report("contoso.com\x00", 1, 1))
    body["organization-name"] = "Send\x00er"
    body["policies"][0]["policy"]["mx-host"] = ["mx\x00.contoso.com", "\x00"]
    response = await client.post("/api/v1/tls-reports", content=orjson.dumps(body))
    assert response.status_code == 201, response.text
    stored = response.json()["reports"][0]
    assert (stored["organization_name"], stored["policies"][0]["policy_domain"]) == ("Sender", "contoso.com")


DEEP = "[" * 2000 + "]" * 2000


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ viewer { role } }", "variables": {"a": ' + DEEP.encode() + b"}}",
        b'{"query": "{ viewer { role } }", "extensions": {"a": ' + DEEP.encode() + b"}}",
        b'{"query": "{ viewer { role } }\xff"}',
        b'{"query": "' + INGEST.encode() + b'", "variables": {"r": [{"messageId": "x\\udc00", '
        b'"receivedAt": "2026-11-20T00:00:00Z", "direction": "INBOUND", "tlsVersion": "none"}]}}',
    ],
)
async def test_a_graphql_body_that_is_not_json_is_400(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize("name", ["variables", "extensions"])
async def test_a_graphql_get_with_deep_json_is_400(client: httpx.AsyncClient, name: str) -> None:
    response = await client.get("/graphql", params={"query": "{ viewer { role } }", name: '{"a": ' + DEEP + "}"})
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_json_at_the_depth_limit_is_answered(client: httpx.AsyncClient) -> None:
    nested = "[" * 1020 + "]" * 1020
    body = b'{"query": "{ viewer { role } }", "variables": {"a": ' + nested.encode() + b"}}"
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
