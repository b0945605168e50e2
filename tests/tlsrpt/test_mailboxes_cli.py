"""Mailboxes as a user runs them: `mailflow mailboxes add|list|test|remove`, `mailflow reports fetch --once`
from two processes at once, and two server processes polling one mailbox: each report stored once, each
message moved once. Against a real IMAP server (Dovecot)."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from asyncio.subprocess import PIPE
from collections.abc import Iterator

import asyncpg
import orjson
import pytest

from db.organizations import ensure_organization
from tests.cli.helpers import api_server, clean_env, mailflow
from tests.tlsrpt import mails
from tests.tlsrpt.dovecot import PASSWORD, USER, Imap, dovecot
from tests.tlsrpt.helpers import report


@pytest.fixture(scope="module")
def imap() -> Iterator[Imap]:
    with dovecot() as server:
        yield server


def _env(dsn: str, org: str, imap: Imap, **more: str) -> dict[str, str]:
    return clean_env(
        DATABASE_URL=dsn, MAILFLOW_ORG=org, MAILFLOW_MAILBOX_ALLOW_PRIVATE="on", MAILFLOW_MAILBOX_CA_FILE=imap.ca_file,
        **more,
    )  # fmt: skip


def _add(env: dict[str, str], imap: Imap, folder: str) -> int:
    added = mailflow(
        "mailboxes", "add", "127.0.0.1", USER, "--port", str(imap.port), "--folder", folder,
        "--processed-folder", f"{folder}-done", "--error-folder", f"{folder}-errors", "--password-stdin",
        env=env, stdin=PASSWORD.encode() + b"\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    line = added.stdout.splitlines()[-1]
    assert line.startswith("added mailbox ")
    return int(line.split()[2].rstrip(":"))


async def _reports(pool: asyncpg.Pool, org: str) -> int:
    org_id = await ensure_organization(pool, org)
    return int(await pool.fetchval("select count(*) from tls_reports where org_id = $1", org_id))


async def test_add_list_test_fetch_remove(dsn: str, imap: Imap, pool: asyncpg.Pool) -> None:
    org = f"boxes-{uuid.uuid4().hex[:8]}"
    await ensure_organization(pool, org)
    env = _env(dsn, org, imap)
    folder = f"c{uuid.uuid4().hex[:8]}"
    imap.create(folder)
    mailbox_id = _add(env, imap, folder)
    (listed,) = orjson.loads(mailflow("mailboxes", "list", "--json", env=env).stdout)
    assert listed["id"] == mailbox_id
    assert listed["reports_total"] == 0
    tested = mailflow("mailboxes", "test", str(mailbox_id), env=env)
    assert tested.returncode == 0, tested.stderr
    assert "0 new message(s)" in tested.stdout
    for _ in range(3):
        imap.append(mails.gzip_attachment(mails.as_json_report(report())), folder)
    fetched = mailflow("reports", "fetch", "--once", env=env)
    assert fetched.returncode == 0, fetched.stderr
    assert f"mailbox {mailbox_id}: 3 new message(s), 3 report(s) stored" in fetched.stdout
    assert await _reports(pool, org) == 3
    (listed,) = orjson.loads(mailflow("mailboxes", "list", "--json", env=env).stdout)
    assert listed["reports_total"] == 3
    assert mailflow("mailboxes", "remove", str(mailbox_id), env=env).returncode == 0
    missing = mailflow("mailboxes", "test", str(mailbox_id), env=env)
    assert missing.returncode == 1
    assert f"there is no mailbox {mailbox_id}" in missing.stderr


async def test_two_fetches_at_once_store_and_move_each_once(dsn: str, imap: Imap, pool: asyncpg.Pool) -> None:
    org = f"boxes-{uuid.uuid4().hex[:8]}"
    await ensure_organization(pool, org)
    env = _env(dsn, org, imap)
    folder = f"c{uuid.uuid4().hex[:8]}"
    imap.create(folder)
    _add(env, imap, folder)
    for _ in range(10):
        imap.append(mails.gzip_attachment(mails.as_json_report(report())), folder)
    command = [sys.executable, "-m", "api.cli", "reports", "fetch", "--once"]
    runs = [
        await asyncio.create_subprocess_exec(*command, env=env, stdout=PIPE, stderr=PIPE) for _ in range(2)
    ]  # both at once
    for run in runs:
        _, err = await asyncio.wait_for(run.communicate(), 120)
        assert run.returncode == 0, err
    assert await _reports(pool, org) == 10
    assert imap.uids(folder) == []
    assert len(imap.uids(f"{folder}-done")) == 10


async def test_two_servers_poll_one_mailbox_with_idle(dsn: str, imap: Imap, pool: asyncpg.Pool) -> None:
    org = f"boxes-{uuid.uuid4().hex[:8]}"
    await ensure_organization(pool, org)
    folder = f"c{uuid.uuid4().hex[:8]}"
    imap.create(folder)
    env = _env(dsn, org, imap)
    _add(env, imap, folder)
    settings = {"MAILFLOW_MAILBOX_ALLOW_PRIVATE": "on", "MAILFLOW_MAILBOX_CA_FILE": imap.ca_file,
                "MAILFLOW_MAILBOX_POLL_SECONDS": "60"}  # fmt: skip
    with api_server(dsn, org, **settings), api_server(dsn, org, **settings):
        await asyncio.sleep(4)  # one of them holds the mailbox, waiting with IDLE
        for n in range(5):
            imap.append(mails.gzip_attachment(mails.as_json_report(report())), folder)
            mailed = time.monotonic()
            while await _reports(pool, org) < n + 1:
                # well within the 60 s poll: IDLE brought it (30 s leaves room for a loaded Citus cluster)
                assert time.monotonic() - mailed < 30, "a mailed report took more than 30 s to arrive"
                await asyncio.sleep(0.1)
        await asyncio.sleep(1)
        assert await _reports(pool, org) == 5
        assert len(imap.uids(f"{folder}-done")) == 5
        assert imap.uids(folder) == []
