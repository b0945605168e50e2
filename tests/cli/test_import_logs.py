"""`mailflow ingest --format postfix`, as a user runs it."""

from __future__ import annotations

import asyncio
import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg

from db.messages import count_messages_by_tls_bucket
from db.organizations import ensure_organization
from tests.cli.helpers import clean_env, mailflow

FIXTURE = Path(__file__).parent.parent / "importers" / "postfix_fixture.log"


def with_connector(dsn: str, org: str, name: str, direction: str, host_suffix: str) -> dict[str, str]:
    """The environment of a new organization that has a partner connector with a hostname rule."""
    env = clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=org)
    added = mailflow("connectors", "add", name, "--direction", direction, "--type", "partner",
                     "--rule", f"hostname:{host_suffix}", env=env)  # fmt: skip
    assert added.returncode == 0, added.stderr
    return env


async def attributed(pool: asyncpg.Pool, org_id: int, connector: str) -> int:
    """Messages of the organization stored with this connector."""
    count: int = await pool.fetchval(
        "select count(*) from messages m join connectors c on c.org_id = m.org_id and c.connector_id = m.connector_id "
        "where m.org_id = $1 and c.name = $2",
        org_id,
        connector,
    )
    return count


async def test_postfix_import_dry_run_store_and_again(dsn: str, pool: asyncpg.Pool, tmp_path: Path) -> None:
    org = f"pf-{uuid.uuid4().hex[:8]}"
    env = with_connector(dsn, org, "Fabrikam", "inbound", "fabrikam.com")
    log = tmp_path / "mail.log.gz"
    log.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    dry = mailflow(
        "ingest", "--format", "postfix", "--year", "2025", "--time-zone", "UTC", "--dry-run", str(log), env=env
    )
    assert dry.returncode == 0, dry.stderr
    assert "9 records (dry run: nothing stored)" in dry.stdout
    assert "skipped: loopback client (content filter or local submission): 1" in dry.stdout
    org_id = await ensure_organization(pool, org)
    assert await count_messages_by_tls_bucket(pool, org_id) == {}
    stored = mailflow("ingest", "--format", "postfix", "--year", "2025", "--time-zone", "UTC", str(log), env=env)
    assert stored.returncode == 0, stored.stderr
    assert "9 records: 9 stored, 0 already stored" in stored.stdout
    assert "inbound    TLS1.0   2" in stored.stdout
    counts = await count_messages_by_tls_bucket(pool, org_id)
    assert counts == {
        ("inbound", "TLS1.0"): 2,
        ("inbound", "TLS1.2"): 1,
        ("inbound", "unknown"): 1,
        ("submission", "unknown"): 1,
        ("inbound", "none"): 1,
        ("outbound", "TLS1.3"): 2,
        ("outbound", "none"): 1,
    }
    assert await attributed(pool, org_id, "Fabrikam") == 2  # the two messages from mail.fabrikam.com
    again = mailflow("ingest", "--format", "postfix", "--year", "2025", "--time-zone", "UTC", "-", env=env,
                     stdin=FIXTURE.read_bytes())  # fmt: skip
    assert "9 records: 0 stored, 9 already stored" in again.stdout


def test_a_file_that_is_not_a_postfix_log_fails_clearly(dsn: str, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello\nthis is not a mail log\n")
    result = mailflow(
        "ingest", "--format", "postfix", str(junk), env=clean_env(DATABASE_URL=dsn, MAILFLOW_ORG="pf-junk")
    )
    assert result.returncode == 1
    assert "no line looks like a postfix log" in result.stderr
    assert shutil.which("true")  # keep the import used on every platform


async def test_exim_import(dsn: str, pool: asyncpg.Pool) -> None:
    org = f"exim-{uuid.uuid4().hex[:8]}"
    fixture = Path(__file__).parent.parent / "importers" / "exim_fixture.log"
    result = mailflow("ingest", "--format", "exim", str(fixture), env=clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=org))
    assert result.returncode == 0, result.stderr
    assert "8 records: 8 stored" in result.stdout
    org_id = await ensure_organization(pool, org)
    counts = await count_messages_by_tls_bucket(pool, org_id)
    assert counts[("outbound", "TLS1.3")] == 2
    assert counts[("inbound", "TLS1.2")] == 1


def test_tlsrpt_import_of_an_email(dsn: str) -> None:
    samples = Path(__file__).parent.parent.parent.parent / "shared" / "samples" / "tlsrpt"
    eml = samples / "tlsrpt-digest__tlsrpt_failure.eml"
    if not eml.exists():
        return  # the public samples are not here; tests/importers covers the format
    env = clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=f"rpt-{uuid.uuid4().hex[:8]}")
    first = mailflow("ingest", "--format", "tlsrpt", str(eml), env=env)
    assert first.returncode == 0, first.stderr
    assert "stored; example.com: 4,523 ok, 2 failed" in first.stdout
    again = mailflow("ingest", "--format", "tlsrpt", str(eml), env=env)
    assert "already stored" in again.stdout


def _large_log(messages: int) -> str:
    """A Postfix log of `messages` received (half over TLS 1.3, half without TLS) and relayed out over
    TLS 1.2, with a connector's attribution rule matching the relay."""
    out = []
    for n in range(messages):
        at = f"Nov 20 {n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}"
        qid, peer, pid = f"{n:012X}", f"peer{n % 97}.example[198.51.100.{n % 250 + 1}]", 100 + n % 7
        out.append(f"{at} mx postfix/smtpd[{pid}]: connect from {peer}")
        if n % 2 == 0:
            out.append(f"{at} mx postfix/smtpd[{pid}]: Anonymous TLS connection established from {peer}: "
                       "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)")  # fmt: skip
        out.append(f"{at} mx postfix/smtpd[{pid}]: {qid}: client={peer}")
        out.append(f"{at} mx postfix/smtpd[{pid}]: disconnect from {peer} ehlo=1 mail=1 rcpt=1 data=1 commands=4")
        out.append(f"{at} mx postfix/smtp[900]: Verified TLS connection established to relay.partner.example"
                   "[192.0.2.9]:25: TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)")  # fmt: skip
        out.append(f"{at} mx postfix/smtp[900]: {qid}: to=<user{n}@partner.example>, "
                   "relay=relay.partner.example[192.0.2.9]:25, delay=1, status=sent (250 ok)")  # fmt: skip
    return "\n".join(out) + "\n"


async def test_a_large_log_is_parsed_in_a_second_process(dsn: str, pool: asyncpg.Pool, tmp_path: Path) -> None:
    org = f"pf-big-{uuid.uuid4().hex[:8]}"
    env = with_connector(dsn, org, "Partner relay", "outbound", "partner.example")
    log = tmp_path / "big.log"
    log.write_text(_large_log(10_000))
    assert log.stat().st_size > 4 * 1024 * 1024  # over the worker threshold
    args = ("ingest", "--format", "postfix", "--year", "2026", "--time-zone", "UTC", "--batch-size", "1000", str(log))
    stored = mailflow(*args, env=env)
    assert stored.returncode == 0, stored.stderr
    assert "20,000 records: 20,000 stored, 0 already stored" in stored.stdout
    assert "parsed in a second process" in stored.stdout
    assert "lines read: 55,000" in stored.stdout
    org_id = await ensure_organization(pool, org)
    assert await count_messages_by_tls_bucket(pool, org_id) == {
        ("inbound", "TLS1.3"): 5_000,
        ("inbound", "none"): 5_000,
        ("outbound", "TLS1.2"): 10_000,
    }
    assert await attributed(pool, org_id, "Partner relay") == 10_000  # the worker applied the connector's rule
    again = mailflow(*args, env=env)
    assert "20,000 records: 0 stored, 20,000 already stored" in again.stdout


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _group_members(pgid: int) -> list[int]:
    """Processes still in a process group (Linux /proc)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # after the name: state, ppid, pgrp
            members.append(int(stat.parent.name))
    return members


def test_ctrl_c_stops_a_worker_import_quietly_and_a_rerun_completes_it(dsn: str, tmp_path: Path) -> None:
    org = f"pf-int-{uuid.uuid4().hex[:8]}"
    env = clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=org)
    log = tmp_path / "big.log"
    log.write_text(_large_log(30_000))
    args = ["ingest", "--format", "postfix", "--year", "2026", "--time-zone", "UTC", "--batch-size", "2000", str(log)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives a command
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not stored(dsn, org) and time.monotonic() < deadline:
        time.sleep(0.05)  # until the first batches are stored
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole group: the worker too
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "Traceback" not in err
    deadline = time.monotonic() + 5  # the worker (and multiprocessing's resource tracker) end with it
    while _group_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [_cmdline(pid) for pid in _group_members(proc.pid)] == []
    done = mailflow(*args, env=env)
    assert done.returncode == 0, done.stderr
    assert stored(dsn, org) == {
        ("inbound", "TLS1.3"): 15_000,
        ("inbound", "none"): 15_000,
        ("outbound", "TLS1.2"): 30_000,
    }


def stored(dsn: str, org: str) -> dict[tuple[str, str], int]:
    async def count() -> dict[tuple[str, str], int]:
        conn = await asyncpg.connect(dsn)
        try:
            return await count_messages_by_tls_bucket(conn, await ensure_organization(conn, org))
        finally:
            await conn.close()

    return asyncio.run(count())
