"""GET /api/v1/remote-domains and /api/v1/remote-hosts: exact counts against an independent count, sort,
paging, CSV, argument errors, and a fixed number of statements."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

import httpx
import pytest

from core.tls import BUCKETS
from db.sql import count_statements
from tests.factories import REMOTE_DAY, add_connector, ingest, remote_traffic, stored

WINDOW = {"from": "2026-05-04T00:00:00Z", "to": "2026-05-07T00:00:00Z"}


def expected(records: list[dict[str, Any]], direction: str, key: str) -> dict[str | None, Counter[str]]:
    """Per domain: messages per bucket and in total, counted here from the records."""
    found: dict[str | None, Counter[str]] = {}
    for r in records:
        if r["direction"] == direction:
            counts = found.setdefault(r[key], Counter())
            counts[r["_bucket"]] += 1
            counts["volume"] += 1
    return found


def shown(rows: list[dict[str, Any]], name: str = "domain") -> dict[str | None, Counter[str]]:
    result = {}
    for row in rows:
        counts = Counter({b: n for b, n in row["messages"].items() if n})
        counts["volume"] = row["volume"]
        assert sum(row["messages"].values()) == row["volume"]
        result[row[name]] = counts
    return result


async def all_pages(client: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        response = await client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        rows += body["rows"]
        cursor = body["next"]
        if cursor is None:
            return rows


@pytest.fixture
async def records(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    generated = remote_traffic(1500, 7)
    for i in range(0, len(generated), 500):
        await ingest(client, stored(generated[i : i + 500]))
    await ingest(client, stored(generated[:200]))  # a retried batch: duplicates, counted nowhere
    return generated


@pytest.mark.parametrize(
    ("direction", "by", "key"),
    [
        ("inbound", "sender_domain", "_party"),
        ("inbound", "server_domain", "_server"),
        ("outbound", "recipient_domain", "_party"),
        ("outbound", "server_domain", "_server"),
    ],
)
async def test_remote_domains_equal_an_independent_count(
    client: httpx.AsyncClient, records: list[dict[str, Any]], direction: str, by: str, key: str
) -> None:
    response = await client.get("/api/v1/remote-domains", params={**WINDOW, "direction": direction, "by": by})
    assert response.status_code == 200, response.text
    body = response.json()
    assert shown(body["rows"]) == expected(records, direction, key)
    assert body["total"] == len(body["rows"])
    assert (body["direction"], body["by"], body["sort"], body["next"]) == (direction, by, "volume", None)
    assert (body["counted_from"], body["counted_to"]) == ("2026-05-04T00:00:00+00:00", "2026-05-07T00:00:00+00:00")
    assert body["warnings"] == []
    volumes = [r["volume"] for r in body["rows"]]
    assert volumes == sorted(volumes, reverse=True)
    first = body["rows"][0]
    assert (first["first_day"], first["last_day"]) == ("2026-05-04", "2026-05-06")
    assert first["percent"]["TLS1.0"] == round(100 * first["messages"]["TLS1.0"] / first["volume"], 1)
    folded = {r["domain"] for r in body["rows"]}
    assert "xn--bcher-kva.de" in folded  # IDN spelled one way
    assert None in folded  # a domain not known


async def test_sort_by_a_bucket_lists_who_sends_the_most_of_it(
    client: httpx.AsyncClient, records: list[dict[str, Any]]
) -> None:
    response = await client.get("/api/v1/remote-domains", params={**WINDOW, "sort": "TLS1.0"})
    rows = response.json()["rows"]
    keys = [(-r["messages"]["TLS1.0"], r["domain"] or "") for r in rows]
    assert keys == sorted(keys)
    counts = expected(records, "inbound", "_party")
    assert rows[0]["messages"]["TLS1.0"] == max(c["TLS1.0"] for c in counts.values())
    # tls_version: only the domains with such mail, sorted by it
    only = (await client.get("/api/v1/remote-domains", params={**WINDOW, "tls_version": "tls1.1"})).json()
    assert only["sort"] == "TLS1.1"
    assert {r["domain"] for r in only["rows"]} == {d for d, c in counts.items() if c["TLS1.1"]}


@pytest.mark.parametrize("sort", ["volume", "none", "TLS1.3"])
async def test_pages_hold_every_row_once(client: httpx.AsyncClient, records: list[dict[str, Any]], sort: str) -> None:
    whole = (await client.get("/api/v1/remote-domains", params={**WINDOW, "sort": sort})).json()["rows"]
    paged = await all_pages(client, "/api/v1/remote-domains", **WINDOW, sort=sort, limit=2)
    assert paged == whole
    assert len({r["domain"] for r in paged}) == len(paged) == 6


async def test_csv_guards_cells_against_formulas(client: httpx.AsyncClient, records: list[dict[str, Any]]) -> None:
    response = await client.get("/api/v1/remote-domains", params={**WINDOW, "format": "csv", "limit": 4})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    body = (await client.get("/api/v1/remote-domains", params={**WINDOW, "limit": 4})).json()
    assert [int(r["volume"]) for r in rows] == [r["volume"] for r in body["rows"]]
    assert rows[0]["tls10_percent"] == str(body["rows"][0]["percent"]["TLS1.0"])
    assert 'rel="next"' in response.headers["link"]
    rest = await client.get("/api/v1/remote-domains", params={**WINDOW, "format": "csv", "cursor": body["next"]})
    domains = [r["domain"] for r in rows + list(csv.DictReader(io.StringIO(rest.text)))]
    assert len(domains) == 6
    assert "'=cmd|calc.example" in domains  # a spreadsheet shows it as text, never runs it
    assert "=cmd|calc.example" not in domains


async def test_remote_hosts_equal_an_independent_count(
    client: httpx.AsyncClient, records: list[dict[str, Any]]
) -> None:
    rows = await all_pages(client, "/api/v1/remote-hosts", **WINDOW, direction="outbound", limit=4)
    found = {(r["host"], r["ip"]): r for r in rows}
    counted: dict[tuple[str, str], Counter[str]] = {}
    for r in records:
        if r["direction"] == "outbound":
            c = counted.setdefault((r["remote_host"], r["remote_ip"]), Counter())
            c[r["_bucket"]] += 1
            c["volume"] += 1
    assert {k: shown([v], "host")[v["host"]] for k, v in found.items()} == counted
    assert found[("mx.bücher.de", "192.0.2.3")]["server_domain"] == "xn--bcher-kva.de"
    assert found[("unknown", "192.0.2.6")]["server_domain"] is None
    # one domain's servers: by server domain, in any spelling
    bucher = (
        await client.get(
            "/api/v1/remote-hosts",
            params={**WINDOW, "direction": "outbound", "by": "server_domain", "domain": "Bücher.de"},
        )
    ).json()
    assert {r["host"] for r in bucher["rows"]} == {"mx.bücher.de", "mx.xn--bcher-kva.de"}
    # the senders not known: '' asks for them
    unknown = (await client.get("/api/v1/remote-hosts", params={**WINDOW, "domain": ""})).json()
    assert sum(r["volume"] for r in unknown["rows"]) == sum(
        1 for r in records if r["direction"] == "inbound" and r["_party"] is None
    )


async def test_a_connector_and_a_time_zone(client: httpx.AsyncClient) -> None:
    fab = await add_connector(client, "Fabrikam", "inbound", "partner")
    base = {"direction": "inbound", "tls_version": "TLSv1", "remote_host": "mx.fabrikam.example"}
    await ingest(
        client,
        [
            {**base, "message_id": "<f1@x>", "received_at": "2026-05-04T10:00:00Z", "connector": "Fabrikam",
             "sender": "x@fabrikam.example"},
            {**base, "message_id": "<f2@x>", "received_at": "2026-05-04T11:00:00Z", "sender": "y@other.example"},
        ],
    )  # fmt: skip
    only = (await client.get("/api/v1/remote-domains", params={**WINDOW, "connector": fab["id"]})).json()
    assert [(r["domain"], r["volume"]) for r in only["rows"]] == [("fabrikam.example", 1)]
    internet = (await client.get("/api/v1/remote-domains", params={**WINDOW, "connector": 0})).json()
    assert [r["domain"] for r in internet["rows"]] == ["other.example"]
    zoned = await client.get(
        "/api/v1/remote-domains", params={"from": "2026-05-04", "to": "2026-05-05", "time_zone": "America/New_York"}
    )
    body = zoned.json()
    assert body["from"] == "2026-05-04T04:00:00+00:00"
    assert (body["counted_from"], body["counted_to"]) == ("2026-05-04T00:00:00+00:00", "2026-05-05T00:00:00+00:00")
    assert "per UTC day" in body["warnings"][0]
    assert sum(r["volume"] for r in body["rows"]) == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"direction": "submission"}, "direction"),
        ({"direction": "sideways"}, "direction"),
        ({"by": "recipient_domain"}, "by"),
        ({"direction": "outbound", "by": "sender_domain"}, "by"),
        ({"tls_version": "TLS9"}, "tls_version"),
        ({"sort": "size"}, "sort"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "\uff11"}, "limit"),
        ({"cursor": "not a cursor"}, "cursor"),
        ({"cursor": "WyJ2b2x1bWUiLC0xLCIiXQ"}, "cursor"),  # ["volume",-1,""]
        ({"cursor": "WyJub25lIiwxLCIiXQ", "sort": "volume"}, "cursor"),  # ["none",1,""]: another sort's
        ({"connector": "x"}, "connector"),
        ({"connector": "99999999"}, "connector"),
        ({"time_zone": "Mars/Base"}, "time_zone"),
        ({"from": "2026-05-07", "to": "2026-05-04"}, "from"),
        ({"format": "xml"}, "format"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_bad_arguments_are_400_naming_them(client: httpx.AsyncClient, params: dict[str, str], field: str) -> None:
    for path in ("/api/v1/remote-domains", "/api/v1/remote-hosts"):
        if path.endswith("hosts") and field == "format":
            continue
        response = await client.get(path, params=params)
        assert response.status_code == 400, (path, response.text)
        error = response.json()["error"]
        assert error["code"] in ("BAD_USER_INPUT", "BAD_REQUEST")
        assert error["details"][0]["field"] == field, error


async def test_a_connector_of_the_other_direction_is_400(client: httpx.AsyncClient) -> None:
    wood = await add_connector(client, "Woodgrove", "outbound", "partner")
    response = await client.get("/api/v1/remote-domains", params={"connector": wood["id"]})
    assert response.status_code == 400
    assert response.json()["error"]["details"] == [{"field": "connector", "message": f"connector {wood['id']} is "
                                                   "outbound, not inbound"}]  # fmt: skip


async def test_statements_per_request_do_not_grow_with_rows(client: httpx.AsyncClient) -> None:
    counted = []
    for n in (1, 40):
        records = [
            {"message_id": f"<s{n}.{i}@x>", "received_at": REMOTE_DAY.isoformat(), "direction": "inbound",
             "tls_version": "TLSv1.2", "sender": f"x@d{i}.example", "remote_host": f"mx.d{i}.example"}
            for i in range(n)
        ]  # fmt: skip
        await ingest(client, records)
        for path in ("/api/v1/remote-domains", "/api/v1/remote-hosts"):
            with count_statements() as statements:
                response = await client.get(path, params=WINDOW)
            assert response.status_code == 200
            counted.append((path, len(response.json()["rows"]), statements))
    assert [c[1] for c in counted] == [1, 1, 40, 40]
    assert counted[0][2] == counted[2][2]
    assert counted[1][2] == counted[3][2]
    assert counted[0][2][-1:] == ["remote_domains/remote_domains"]
    assert counted[1][2][-1:] == ["remote_domains/remote_hosts"]


def test_csv_columns_name_every_bucket() -> None:
    from api.rest.remote_domains import CSV_COLUMNS

    assert len(CSV_COLUMNS) == 2 + 2 * len(BUCKETS) + 2
    assert CSV_COLUMNS[2:4] == ["no_tls_percent", "tls10_percent"]
