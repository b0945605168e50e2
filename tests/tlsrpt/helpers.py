"""Reports to send, and an endpoint to send them to."""

from __future__ import annotations

import copy
import gzip
import uuid
from typing import Any

import httpx
import orjson

from tests.importers.test_tlsrpt import REPORT

JSON = {"content-type": "application/tlsrpt+json"}
GZIP = {"content-type": "application/tlsrpt+gzip"}


def report(report_id: str | None = None) -> dict[str, Any]:
    """The importer tests' report, under a report id of its own."""
    made = copy.deepcopy(REPORT)
    made["report-id"] = report_id or f"r-{uuid.uuid4().hex}"
    return made


def as_json(data: Any) -> bytes:
    return orjson.dumps(data)


def as_gzip(data: Any) -> bytes:
    return gzip.compress(orjson.dumps(data))


async def new_endpoint(client: httpx.AsyncClient, description: str = "") -> dict[str, Any]:
    response = await client.post("/api/v1/tlsrpt-endpoints", json={"description": description})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def path_of(url: str) -> str:
    return httpx.URL(url).path
