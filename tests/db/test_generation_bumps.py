"""The data generation has no trigger (Citus refuses them on distributed tables): every statement that writes
a table a report, an insight or a setting shows bumps org_generations itself. This walks every .sql file, so
a new statement cannot forget it."""

from __future__ import annotations

import re
from pathlib import Path

import asyncpg

QUERIES = Path(__file__).parents[2] / "db" / "queries"

# the tables behind what a cached answer or a subscription shows
WATCHED = {
    "hourly_rollups",
    "daily_rollups",
    "remote_daily_rollups",
    "transit_daily_rollups",
    "connectors",
    "insights",
    "insight_settings",
    "tls_reports",
    "tls_report_policies",
    "tls_report_failures",
    "accepted_domains",
}
_WRITE = re.compile(r"\b(?:insert\s+into|update|delete\s+from)\s+([a-z_]+)", re.IGNORECASE)
_BUMP = re.compile(
    r"insert\s+into\s+org_generations\s+as\s+g\s*\(org_id,\s*generation\).*?"
    r"on\s+conflict\s*\(org_id\)\s+do\s+update\s+set\s+generation\s*=\s*g\.generation\s*\+\s*1",
    re.IGNORECASE | re.DOTALL,
)


def _statement(path: Path) -> str:
    return "\n".join(line.split("--", 1)[0] for line in path.read_text().splitlines())


def writes(path: Path) -> set[str]:
    return {m.group(1).lower() for m in _WRITE.finditer(_statement(path))} & WATCHED


def test_every_statement_writing_a_watched_table_bumps_the_generation() -> None:
    writing = {p: writes(p) for p in sorted(QUERIES.rglob("*.sql")) if writes(p)}
    assert len(writing) >= 15, "the walk found too few writing statements: is the pattern broken?"
    forgot = [
        f"{p.relative_to(QUERIES)} writes {sorted(t)}" for p, t in writing.items() if not _BUMP.search(_statement(p))
    ]
    assert not forgot, "these statements change what a report shows without bumping the data generation:\n" + "\n".join(
        forgot
    )


def test_the_walk_sees_a_write_that_forgets(tmp_path: Path) -> None:
    forgetful = tmp_path / "forgetful.sql"
    forgetful.write_text("-- $1 org_id bigint\nupdate connectors set rules = '[]' where org_id = $1\n")
    assert writes(forgetful) == {"connectors"}
    assert not _BUMP.search(_statement(forgetful))


def test_no_trigger_is_left_on_any_table() -> None:
    migrations = Path(__file__).parents[2] / "db" / "migrations"
    latest = sorted(migrations.glob("*.sql"))
    created = [p.name for p in latest if re.search(r"create\s+trigger|create trigger", _statement(p), re.I)]
    # 0006 created the generation triggers; 0015 drops them (the database check is in test_migrate)
    assert created == ["0006_generations.sql"]


async def test_the_migrated_database_has_no_trigger_of_ours(pool: asyncpg.Pool) -> None:
    names = await pool.fetch(
        "select t.tgname from pg_trigger t join pg_class c on c.oid = t.tgrelid "
        "where not t.tgisinternal and c.relnamespace = 'public'::regnamespace "
        "and t.tgfoid <> coalesce(to_regproc('citus_truncate_trigger')::oid, 0)"
    )
    assert [r["tgname"] for r in names] == []
