"""Input at the edges answers 4xx naming what is wrong, never a 500 (issue 20): numbers in digits other
than ASCII."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from api.importers.exim import EximParser, parse_exim
from api.importers.postfix import PostfixParser, parse_postfix
from api.importers.syslog import YearGuess
from tests.graphql.helpers import gql


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
