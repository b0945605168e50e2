"""schemathesis over the OpenAPI document and the GraphQL schema, against a running server: no 5xx,
and every response as the document says. Bounded examples keep CI fast."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import orjson
import pytest
import schemathesis
from graphql import introspection_from_schema
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from api.rest.openapi import DOCUMENT
from api.schema import schema as graphql_schema
from db.keys import create_key
from db.organizations import ensure_organization
from tests.cli.helpers import clean_env, free_port, wait_ready


@schemathesis.serializer("application/x-ndjson", "message/rfc822", "application/tlsrpt+gzip")
def as_text(ctx: Any, value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


@schemathesis.serializer("application/tlsrpt+json")
def as_json(ctx: Any, value: Any) -> bytes:
    return orjson.dumps(value)


TOKEN: dict[str, str] = {}


@schemathesis.auth()
class ApiKey:
    """The fixture's admin key, for every generated request (schemathesis then knows the scheme)."""

    def get(self, case: Any, ctx: Any) -> str:
        return TOKEN.get("value", "not-yet")  # also asked while collecting, before the server starts

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


openapi = schemathesis.openapi.from_dict(DOCUMENT)
graphql = schemathesis.graphql.from_dict({"data": introspection_from_schema(graphql_schema._schema)})
EXAMPLES = int(os.environ.get("MAILFLOW_FUZZ_EXAMPLES", "12"))


async def _admin_key(dsn: str, org: str) -> str:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    assert pool is not None
    try:
        return await create_key(pool, await ensure_organization(pool, org), "admin", "fuzz")
    finally:
        await pool.close()


@pytest.fixture(scope="module")
def server(dsn: str) -> Iterator[tuple[str, dict[str, str]]]:
    org = f"fuzz-{uuid.uuid4().hex[:8]}"
    token = asyncio.run(_admin_key(dsn, org))
    port = free_port()
    env = clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=org, MAILFLOW_RATE_LIMIT="100000", MAILFLOW_RATE_BURST="100000")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "api.app:from_env",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        wait_ready(port, proc)
        TOKEN["value"] = token
        yield f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@openapi.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_rest(case: Any, server: tuple[str, dict[str, str]]) -> None:
    base_url, _ = server
    # Every check but positive-data acceptance: the ingest validation is stricter than JSON Schema can say
    # (TLS version spellings, timestamps with offsets, IP addresses), so some schema-valid records are a 422.
    case.call_and_validate(base_url=base_url, excluded_checks=[positive_data_acceptance])


@graphql.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_graphql(case: Any, server: tuple[str, dict[str, str]]) -> None:
    base_url, _ = server
    response = case.call(base_url=base_url + "/graphql")
    assert response.status_code < 500, response.text
