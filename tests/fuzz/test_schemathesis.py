"""schemathesis over the OpenAPI document and the GraphQL schema, against a running server: no 5xx,
and every response as the document says. Bounded examples keep CI fast."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import schemathesis
from graphql import introspection_from_schema
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from api.rest.openapi import DOCUMENT
from api.schema import schema as graphql_schema
from tests.cli.helpers import api_server, new_key


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


@pytest.fixture(scope="module")
def server(dsn: str) -> Iterator[tuple[str, dict[str, str]]]:
    org = f"fuzz-{uuid.uuid4().hex[:8]}"
    TOKEN["value"] = token = new_key(dsn, org)
    with api_server(dsn, org) as base:
        yield base, {"Authorization": f"Bearer {token}"}


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
