"""`mailflow ingest --follow`: a live log ingested as it grows, across rotation."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg

from db.organizations import ensure_organization
from tests.cli.helpers import clean_env


def session(n: int, version: str) -> str:
    qid = f"F{n:09X}"
    peer = f"peer{n}.example[192.0.2.{n}]"
    return (
        f"Nov 20 10:00:{n:02d} mx postfix/smtpd[{n}]: connect from {peer}\n"
        f"Nov 20 10:00:{n:02d} mx postfix/smtpd[{n}]: Trusted TLS connection established from {peer}: "
        f"{version} with cipher X\n"
        f"Nov 20 10:00:{n:02d} mx postfix/smtpd[{n}]: {qid}: client={peer}\n"
        f"Nov 20 10:00:{n:02d} mx postfix/smtpd[{n}]: disconnect from {peer} "
        "ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7\n"
    )


def wait_for(condition: object, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


async def _query(dsn: str, org: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        org_id = await ensure_organization(conn, org)
        return await conn.fetch(sql, org_id)
    finally:
        await conn.close()


def test_follow_survives_rotation(dsn: str, tmp_path: Path) -> None:
    org = f"follow-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "mail.log"
    log.write_text(session(1, "TLSv1.3"))
    out = (tmp_path / "follow.out").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "ingest", "--format", "postfix", "--follow", "--year", "2026",
         "--time-zone", "UTC", str(log)],
        env=clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=org), stdout=out, stderr=subprocess.STDOUT,
    )  # fmt: skip

    def stored() -> int:
        return int(asyncio.run(_query(dsn, org, "select count(*) from messages where org_id = $1"))[0][0])

    try:
        wait_for(lambda: stored() == 1)
        with log.open("a") as f:
            f.write(session(2, "TLSv1.2"))
        wait_for(lambda: stored() == 2)
        log.rename(tmp_path / "mail.log.1")  # rotation: the name now points at a new file
        log.write_text(session(3, "TLSv1"))
        wait_for(lambda: stored() == 3)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        out.close()
    text = (tmp_path / "follow.out").read_text()
    assert "stopped; 3 messages stored" in text
    buckets = asyncio.run(_query(dsn, org, "select tls_bucket from messages where org_id = $1 order by message_id"))
    assert [r["tls_bucket"] for r in buckets] == ["TLS1.3", "TLS1.2", "TLS1.0"]
