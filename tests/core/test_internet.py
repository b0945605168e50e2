"""The pseudo-connectors' names are spelled once in Python (core/internet.py); SQL cannot import them, so
every SQL file that names them must spell exactly those, each with its own direction."""

from __future__ import annotations

import re
from pathlib import Path

from core.internet import INTERNET_NAMES, THE_INTERNET

ROOT = Path(__file__).resolve().parents[2]
SQL_FILES = sorted([*ROOT.glob("db/**/*.sql"), *ROOT.glob("bench/**/*.sql")])
_COMMENT = re.compile(r"--[^\n]*")
_LITERAL = re.compile(r"'((?:[^']|'')*)'")
# a direction next to a name: ('inbound', '<name>') or `when 'inbound' then '<name>'`
_PAIRED = re.compile(r"'(inbound|outbound)'\s*(?:,|then)\s*'([^']*)'")


def literals(path: Path) -> list[str]:
    return _LITERAL.findall(_COMMENT.sub("", path.read_text()))


def test_every_sql_file_spells_the_names_of_core() -> None:
    spelled: dict[str, set[str]] = {}
    for path in SQL_FILES:
        names = {text for text in literals(path) if "internet" in text.lower() and text != "internet"}  # not the type
        if names:
            spelled[str(path.relative_to(ROOT))] = names
    wrong = {path: names - set(INTERNET_NAMES.values()) for path, names in spelled.items()}
    assert {path: names for path, names in wrong.items() if names} == {}
    # the insight view (its first and its latest migration) and the connector report's query name them
    assert {
        "db/migrations/0002_insights.sql",
        "db/migrations/0005_insight_subjects.sql",
        "db/queries/traffic_counts/connector_report.sql",
    } <= set(spelled)
    assert all(names == set(INTERNET_NAMES.values()) for names in spelled.values()), spelled


def test_each_name_goes_with_its_direction() -> None:
    pairs = [
        (path.name, direction, name)
        for path in SQL_FILES
        for direction, name in _PAIRED.findall(_COMMENT.sub("", path.read_text()))
        if THE_INTERNET in name
    ]
    assert len(pairs) >= 4  # the two views' `case`, the report's two values
    assert [(file, d, n) for file, d, n in pairs if INTERNET_NAMES[d] != n] == []


def test_the_check_sees_a_misspelling(tmp_path: Path) -> None:
    sql = tmp_path / "x.sql"
    sql.write_text("-- it's a comment\nselect case d when 'inbound' then 'To the internet without a connector' end")
    assert literals(sql) == ["inbound", "To the internet without a connector"]
    assert _PAIRED.findall(sql.read_text()) == [("inbound", "To the internet without a connector")]
