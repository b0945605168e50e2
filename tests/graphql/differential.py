"""A pytest plugin (pyproject's addopts load it for the whole suite): every value LeanExecutor completes with a
plan (api/plans.py) is completed by graphql-core's own path too, and the two must serialize to the same bytes.
Values a plan refuses go through graphql-core's path alone (the errors are graphql-core's), so with this every
GraphQL request the suite makes checks that the plans answer exactly what graphql-core answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from graphql import GraphQLResolveInfo

import api.executor

compared: list[int] = [0]  # values compared so far, in this process
mismatches: list[str] = []


def check(info: GraphQLResolveInfo[Any], lean: Any, plain: Any) -> None:
    compared[0] += 1
    if hasattr(plain, "__await__") or orjson.dumps(lean) != orjson.dumps(plain):
        mismatches.append(f"{info.parent_type.name}.{info.field_name} at {info.path.as_list()}: {lean!r} != {plain!r}")


def pytest_configure(config: pytest.Config) -> None:
    api.executor.differential = check


def pytest_unconfigure(config: pytest.Config) -> None:
    api.executor.differential = None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(f"LeanExecutor: {compared[0]:,} planned values compared with graphql-core's path")


@pytest.fixture(autouse=True)
def lean_answers_what_graphql_core_answers() -> Iterator[None]:
    mismatches.clear()
    yield
    assert mismatches == [], "LeanExecutor's plans and graphql-core's path answered differently"
