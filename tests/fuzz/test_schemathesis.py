"""schemathesis over the OpenAPI document and the GraphQL schema, against a running server: every check,
on data the document calls valid (accepted) and on data it calls invalid (refused with a 4xx), no 5xx, and
every response as documented. Bounded examples and a fixed seed keep CI fast and repeatable."""

from __future__ import annotations

import email.message
import gzip
import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import schemathesis
from graphql import introspection_from_schema
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, positive_data_acceptance
from schemathesis.core.failures import Failure

from api.errors import ApiError, ServiceUnavailable
from api.rest.openapi import DOCUMENT
from api.schema import schema as graphql_schema
from core.window import OUT_OF_RANGE
from tests.cli.helpers import api_server, new_key


# json, not orjson: negative data holds integers beyond 64 bits
@schemathesis.serializer("application/x-ndjson")
def as_ndjson(ctx: Any, value: Any) -> bytes:
    """The records, one a line (the document's schema for NDJSON is that of the records)."""
    return "".join(json.dumps(record) + "\n" for record in (value if isinstance(value, list) else [value])).encode()


@schemathesis.serializer("application/tlsrpt+json")
def as_json(ctx: Any, value: Any) -> bytes:
    return json.dumps(value).encode()


# What JSON Schema cannot say about a TLS report sent gzip'd or by e-mail (bytes): valid ones, made here.
_COUNT = st.integers(0, 10**6)
REPORTS = st.fixed_dictionaries(
    {
        "report-id": st.text(min_size=1).filter(lambda s: bool(s.replace("\x00", "").strip())),
        "date-range": st.fixed_dictionaries(
            {"start-datetime": st.just("2026-11-20T00:00:00Z"), "end-datetime": st.just("2026-11-20T23:59:59Z")}
        ),
        "policies": st.lists(
            st.fixed_dictionaries(
                {
                    "policy": st.fixed_dictionaries({"policy-type": st.sampled_from(["sts", "tlsa"])}),
                    "summary": st.fixed_dictionaries(
                        {"total-successful-session-count": _COUNT, "total-failure-session-count": _COUNT}
                    ),
                }
            ),
            min_size=1,
            max_size=3,
        ),
    },
    optional={"organization-name": st.text(max_size=20)},
)


def _email(report: dict[str, Any]) -> bytes:
    message = email.message.EmailMessage()
    message["Subject"] = "Report Domain: example.com"
    message.set_content("This is an aggregate TLS report.")
    message.add_attachment(
        gzip.compress(orjson.dumps(report)), maintype="application", subtype="tlsrpt+gzip", filename="r.json.gz"
    )
    message.set_boundary("mailflow-fuzz")  # not a random one: hypothesis wants no randomness but its own
    return message.as_bytes()


schemathesis.openapi.media_type("application/tlsrpt+gzip", REPORTS.map(lambda r: gzip.compress(orjson.dumps(r))))
schemathesis.openapi.media_type("message/rfc822", REPORTS.map(_email))


# Rules the document states in words, because JSON Schema cannot relate two values (a window's ends, a
# record's direction and connector, a report's counts added up) or a value to the clock (a day ahead), to
# stored data (a connector's name or id), or to its offset (the first and last representable moments).
# A schema-valid request refused only for these is what the document says; any other refusal fails.
RULES_IN_WORDS = (
    OUT_OF_RANGE,
    "must be before `to`",
    "the window is longer than",
    "days or more after",
    "more than a day in the future",
    "connector is named",
    "there is no connector",
    "come over no connector",
    "add up to more than",
    "count more than",
    "does not agree with tls_version",  # a delivery's transit security and its TLS version (README)
    "names may not hold characters",  # a connector name's characters (README, Connectors)
    "is not a cursor of this view",  # an opaque cursor: only a `next` the server gave
    # a webhook URL: https://, a host that resolves, to public addresses (its description says so)
    "must be an https:// URL",
    "is not a URL",
    "must start with https://",
    "has no host",
    "must not hold a user name",
    "must not have a #fragment",
    "must not hold spaces",
    "does not resolve",
    "public addresses only",
    # a mailbox: its host resolves to public addresses, and TLS unless private ones are allowed (described)
    "needs MAILFLOW_MAILBOX_ALLOW_PRIVATE=on",
    # an accepted domain: a domain name of two labels or more, an internationalized one too (described)
    "must be a domain name",
    "is not a domain name",
)


def positive_data_acceptance_but_for_rules_in_words(ctx: Any, response: Any, case: Any) -> bool | None:
    try:
        positive_data_acceptance(ctx, response, case)
    except Failure:
        details = response.json().get("error", {}).get("details") if response.status_code in (400, 422) else None
        if details and all(any(rule in str(d.get("message")) for rule in RULES_IN_WORDS) for d in details):
            return None
        raise
    return None


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
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def server(dsn: str) -> Iterator[tuple[str, dict[str, str]]]:
    org = f"fuzz-{uuid.uuid4().hex[:8]}"
    TOKEN["value"] = token = new_key(dsn, org)
    with api_server(dsn, org) as base:
        yield base, {"Authorization": f"Bearer {token}"}


REST_CHECKS: dict[str, Any] = {
    "excluded_checks": [positive_data_acceptance],
    "additional_checks": [positive_data_acceptance_but_for_rules_in_words],
}


@openapi.parametrize()
@FUZZ
def test_rest(case: Any, server: tuple[str, dict[str, str]]) -> None:
    base_url, _ = server
    case.call_and_validate(base_url=base_url, **REST_CHECKS)


def test_rest_workflows(server: tuple[str, dict[str, str]]) -> None:
    """Sequences of calls along the document's links (a connector made, then its rules put; a report stored,
    then read): the stateful checks too (a resource used after it is gone, or missing once made)."""
    base_url, headers = server

    class Workflows(openapi.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": base_url, "headers": headers}

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, transport_kwargs=kwargs, recorder=self.recorder, **REST_CHECKS)

    # No shrinking: replaying a sequence meets the server in another state (what earlier steps made)
    steps = settings(FUZZ, max_examples=EXAMPLES, stateful_step_count=6, phases=[Phase.explicit, Phase.generate])
    Workflows.run(settings=steps)


# A GraphQL error is the server's own failure unless it carries one of api/errors.py's codes for a refusal
# (schemathesis takes an error with a path and a code it does not know, such as CONFLICT, for a server error).
REFUSALS = {c.code for c in ApiError.__subclasses__() if c is not ServiceUnavailable} | {"GRAPHQL_VALIDATION_FAILED"}


def graphql_errors_are_refusals(ctx: Any, response: Any, case: Any) -> bool | None:
    assert response.status_code < 500, response.text
    codes = {(e.get("extensions") or {}).get("code") for e in response.json().get("errors") or []}
    assert codes <= REFUSALS, response.text
    return None


@graphql.parametrize()
@FUZZ
def test_graphql(case: Any, server: tuple[str, dict[str, str]]) -> None:
    base_url, _ = server
    # Every check but positive-data acceptance: GraphQL's types carry no pattern, range or list of names
    # (a time zone is a String), so a well-typed argument may be refused, as BAD_USER_INPUT naming it.
    case.call_and_validate(
        base_url=base_url + "/graphql",
        excluded_checks=[not_a_server_error, positive_data_acceptance],
        additional_checks=[graphql_errors_are_refusals],
    )
