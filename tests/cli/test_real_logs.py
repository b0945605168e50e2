"""`mailflow ingest` on real-world classes of log: the summary reconciles, warns, and says what was not
stored; --strict fails; client submissions are stored apart."""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from db.messages import count_messages_by_tls_bucket
from db.organizations import ensure_organization
from tests.cli.helpers import clean_env, mailflow

REAL_WORLD = Path(__file__).parent.parent / "importers" / "real_world"


async def test_the_summary_warns_and_strict_fails(dsn: str, pool: asyncpg.Pool) -> None:
    org = f"real-{uuid.uuid4().hex[:8]}"
    env = clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=org)
    log = str(REAL_WORLD / "spreadsheet.log")
    strict = mailflow("ingest", "--format", "postfix", "--year", "2026", "--strict", log, env=env)
    assert strict.returncode == 1
    assert "line 12: a delivery line that is not understood" in strict.stderr
    assert "--strict" in strict.stderr
    org_id = await ensure_organization(pool, org)
    assert await count_messages_by_tls_bucket(pool, org_id) == {}  # the bad line came in the first batch

    done = mailflow("ingest", "--format", "postfix", "--year", "2026", log, env=env)
    assert done.returncode == 0, done.stderr
    assert "lines read: 14 = 12 used + 2 skipped" in done.stdout
    assert "dates: 2026-11-20 to 2026-11-20" in done.stdout
    assert "warning: 1 delivery line(s) not understood made no record (line 12)" in done.stdout
    assert await count_messages_by_tls_bucket(pool, org_id) == {
        ("inbound", "TLS1.2"): 1,
        ("outbound", "TLS1.3"): 2,
        ("outbound", "none"): 2,
    }


async def test_unknown_where_tls_is_not_logged_and_submissions_apart(dsn: str, pool: asyncpg.Pool) -> None:
    org = f"real-{uuid.uuid4().hex[:8]}"
    env = clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=org)
    quiet = mailflow("ingest", "--format", "postfix", "--year", "2026", str(REAL_WORLD / "no_smtp_tls_logged.log"),
                     str(REAL_WORLD / "submission.log"), env=env)  # fmt: skip
    assert quiet.returncode == 0, quiet.stderr
    assert "3 deliveries are counted as `unknown`" in quiet.stdout
    assert "smtp_tls_loglevel = 1" in quiet.stdout
    org_id = await ensure_organization(pool, org)
    assert await count_messages_by_tls_bucket(pool, org_id) == {
        ("inbound", "TLS1.3"): 2,
        ("inbound", "none"): 1,
        ("outbound", "unknown"): 3,
        ("outbound", "TLS1.3"): 1,
        ("submission", "TLS1.3"): 1,
        ("submission", "TLS1.2"): 1,
        ("submission", "unknown"): 1,
    }


async def test_old_logs_are_not_stored_silently(dsn: str, pool: asyncpg.Pool, tmp_path: Path) -> None:
    # The log's lines have no year; its modification time says they are from about 40 days ago, beyond
    # a 30-day retention: nothing is stored, and the summary says how many, why, and how to keep them.
    org = f"real-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "mail.log"
    shutil.copy(REAL_WORLD / "no_smtp_tls_logged.log", log)
    modified = (datetime.now(UTC) - timedelta(days=40)).replace(month=11, day=21)
    if modified > datetime.now(UTC) - timedelta(days=31):
        modified = modified.replace(year=modified.year - 1)  # Nov 20 of a year at least 31 days ago
    os.utime(log, (modified.timestamp(), modified.timestamp()))
    env = clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=org, MAILFLOW_RETENTION_DAYS="30")
    done = mailflow("ingest", "--format", "postfix", "--time-zone", "UTC", str(log), env=env)
    assert done.returncode == 0, done.stderr
    assert "5 records: 0 stored, 0 already stored, 5 older than the retention (not stored)" in done.stdout
    assert "warning: 5 record(s) received before" in done.stdout
    assert "MAILFLOW_RETENTION_DAYS" in done.stdout
    assert f"dates: {modified.year}-11-20 to {modified.year}-11-20" in done.stdout
    assert await count_messages_by_tls_bucket(pool, await ensure_organization(pool, org)) == {}


def test_a_file_that_is_not_a_log_of_that_format_fails(dsn: str, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello\n\nworld,,\n")
    env = clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=f"real-{uuid.uuid4().hex[:8]}")
    done = mailflow("ingest", "--format", "postfix", str(junk), env=env)
    assert done.returncode == 1
    assert "no line looks like a postfix log" in done.stderr
