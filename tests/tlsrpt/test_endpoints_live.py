"""The reporting endpoint over real HTTP, against a server process: the samples' real reports, gzip'd and
not, each stored once; hostile bodies refused; GraphQL and the CLI manage the same endpoints."""

from __future__ import annotations

import gzip
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import httpx
import orjson
import pytest

from api.importers.tlsrpt import decode
from tests.cli.helpers import api_server, clean_env, mailflow, new_key
from tests.importers.test_tlsrpt import SAMPLES, needs_samples
from tests.tlsrpt.helpers import GZIP, JSON, path_of, report


@pytest.fixture(scope="module")
def live(dsn: str) -> Iterator[tuple[httpx.Client, str]]:
    org = f"tlsrpt-{uuid.uuid4().hex[:8]}"
    token = new_key(dsn, org)
    headers = {"authorization": f"Bearer {token}"}
    with (
        api_server(dsn, org, MAILFLOW_PUBLIC_URL="https://reports.example.com") as base,
        httpx.Client(base_url=base, headers=headers, timeout=30) as client,
    ):
        yield client, org


@needs_samples
def test_the_samples_over_real_http(live: tuple[httpx.Client, str]) -> None:
    client, _ = live
    made = client.post("/api/v1/tlsrpt-endpoints", json={"description": "samples"}).json()
    assert made["url"].startswith("https://reports.example.com/tlsrpt/")
    url = path_of(made["url"])
    samples = sorted(SAMPLES.glob("*.json"))
    assert samples
    ids: dict[tuple[str, str], str] = {}
    with httpx.Client(base_url=client.base_url, timeout=30) as reporter:  # reporters have no key
        for n, sample in enumerate(samples):
            (parsed,) = decode(sample.read_bytes())
            ids[parsed.organization_name, parsed.report_id] = parsed.start.date().isoformat()
            body, headers = (gzip.compress(sample.read_bytes()), GZIP) if n % 2 else (sample.read_bytes(), JSON)
            first = reporter.post(url, content=body, headers=headers)
            assert first.status_code in (200, 201), (sample.name, first.text)
            again = reporter.post(url, content=sample.read_bytes(), headers=JSON)
            assert again.status_code == 200, again.text
            assert again.json() == {"status": "already stored"}
    for (sender, report_id), day in ids.items():  # each in the organization's TLS report views
        window = {"from": day, "to": (date.fromisoformat(day) + timedelta(days=1)).isoformat(), "limit": "1000"}
        listed = client.get("/api/v1/tls-reports", params=window).json()["reports"]
        assert [r["organization_name"] for r in listed if r["report_id"] == report_id] == [sender]
    (status,) = [e for e in client.get("/api/v1/tlsrpt-endpoints").json()["endpoints"] if e["id"] == made["id"]]
    assert status["reports_total"] == len(ids)
    assert status["skipped"] == {"already stored": 2 * len(samples) - len(ids)}


def test_hostile_bodies_over_real_http(live: tuple[httpx.Client, str]) -> None:
    client, _ = live
    url = path_of(client.post("/api/v1/tlsrpt-endpoints").json()["url"])
    bomb = gzip.compress(b"[" + b" " * (64 * 1024 * 1024) + b"]", 9)
    with httpx.Client(base_url=client.base_url, timeout=30) as reporter:
        assert reporter.post(url, content=bomb, headers=GZIP).status_code == 413
        assert reporter.post(url, content=b"x" * (2 * 1024 * 1024), headers=JSON).status_code == 413
        assert reporter.post(url, content=b"[]", headers=JSON).status_code == 422
        assert (
            reporter.post(url, content=orjson.dumps(report()), headers={"content-type": "text/plain"}).status_code
            == 415
        )
        assert reporter.get(url).status_code == 405
        assert reporter.post(url + "x", content=orjson.dumps(report()), headers=JSON).status_code == 404
        assert reporter.post(url, content=orjson.dumps(report()), headers=JSON).status_code == 201


def test_graphql_makes_rotates_and_removes(live: tuple[httpx.Client, str]) -> None:
    client, _ = live

    def gql(query: str, **variables: object) -> dict[str, object]:
        answer = client.post("/graphql", json={"query": query, "variables": variables}).json()
        assert "errors" not in answer, answer
        data: dict[str, object] = answer["data"]
        return data

    made = gql('mutation { createTlsrptEndpoint(description: "gql") { id url txtRecord } }')["createTlsrptEndpoint"]
    assert isinstance(made, dict)
    assert made["txtRecord"] == f"v=TLSRPTv1; rua={made['url']}"
    rotated = gql("mutation($id: ID!) { rotateTlsrptEndpoint(id: $id) { url } }", id=made["id"])
    assert rotated["rotateTlsrptEndpoint"] != {"url": made["url"]}
    listed = gql("{ tlsrptEndpoints { id description reportsTotal skipped { reason count } url } }")
    assert {"id": made["id"], "description": "gql", "reportsTotal": 0, "skipped": [], "url": None} in listed[
        "tlsrptEndpoints"
    ]  # type: ignore[operator]
    assert gql("mutation($id: ID!) { deleteTlsrptEndpoint(id: $id) }", id=made["id"]) == {
        "deleteTlsrptEndpoint": made["id"]
    }


def test_the_cli_makes_lists_rotates_and_removes(dsn: str, live: tuple[httpx.Client, str]) -> None:
    _, org = live
    env = clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=org, MAILFLOW_PUBLIC_URL="https://r.example.com")
    added = mailflow("tlsrpt-endpoints", "add", "--description", "cli", env=env)
    assert added.returncode == 0, added.stderr
    lines = added.stdout.splitlines()
    assert lines[-1].startswith("v=TLSRPTv1; rua=https://r.example.com/tlsrpt/tr_")
    endpoint_id = lines[-3].split()[3].rstrip(":")
    listed = orjson.loads(mailflow("tlsrpt-endpoints", "list", "--json", env=env).stdout)
    assert any(e["id"] == int(endpoint_id) and e["description"] == "cli" for e in listed)
    rotated = mailflow("tlsrpt-endpoints", "rotate", endpoint_id, env=env)
    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout.splitlines()[-1] != lines[-1]
    assert mailflow("tlsrpt-endpoints", "remove", endpoint_id, env=env).returncode == 0
    missing = mailflow("tlsrpt-endpoints", "remove", endpoint_id, env=env)
    assert missing.returncode == 1
    assert f"there is no reporting endpoint {endpoint_id}" in missing.stderr
