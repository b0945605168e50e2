from __future__ import annotations

from pathlib import Path

from api.schema import schema

ROOT = Path(__file__).resolve().parent.parent.parent


def test_schema_graphql_is_what_the_code_builds() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    built = schema.as_str() + "\n"
    assert committed == built, "schema.graphql is stale: run `python -m api.schema > schema.graphql`"
