"""Mailboxes polled for TLS reports, against a real IMAP server (Dovecot, tests/tlsrpt/dovecot.py): report
mails in every shape stored once and moved, other mail left alone, broken reports to the error folder, IDLE,
a poller killed between commit and move, and the mailbox's status."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from api.context import AppState
from api.importers.tlsrpt import decode
from api.tlsrpt import poller
from api.tlsrpt.imap import DONE_KEYWORD, Session
from api.webhooks.secrets import encrypt
from tests.conftest import make_client
from tests.graphql.helpers import gql
from tests.tlsrpt import mails
from tests.tlsrpt.dovecot import PASSWORD, USER, Imap, dovecot
from tests.tlsrpt.helpers import report


@pytest.fixture(scope="module")
def imap() -> Iterator[Imap]:
    with dovecot() as server:
        yield server


@pytest.fixture
def folder() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def local(state: AppState, admin_token: str, imap: Imap) -> AsyncIterator[tuple[AppState, httpx.AsyncClient]]:
    """A server that may reach the test's IMAP server (loopback) and trusts its certificate."""
    settings = dataclasses.replace(state.settings, mailbox_allow_private=True, mailbox_ca_file=imap.ca_file)
    local_state = dataclasses.replace(state, settings=settings)
    async with make_client(local_state, admin_token) as c:
        yield local_state, c


async def add(client: httpx.AsyncClient, imap: Imap, folder: str, **more: Any) -> dict[str, Any]:
    body = {"host": "127.0.0.1", "port": imap.port, "username": USER, "password": PASSWORD, "folder": folder,
            "processed_folder": f"{folder}-done", "error_folder": f"{folder}-errors", **more}  # fmt: skip
    response = await client.post("/api/v1/mailboxes", json=body)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def stored_reports(pool: asyncpg.Pool, org_id: int) -> list[tuple[str, str]]:
    rows = await pool.fetch("select organization_name, report_id from tls_reports where org_id = $1", org_id)
    return sorted((r["organization_name"], r["report_id"]) for r in rows)


def expected(*data: bytes) -> list[tuple[str, str]]:
    return sorted({(r.organization_name, r.report_id) for d in data for r in decode(d)})


async def test_added_listed_removed_and_the_password_kept_encrypted(
    client: httpx.AsyncClient, local: tuple[AppState, httpx.AsyncClient], imap: Imap, folder: str, pool: asyncpg.Pool
) -> None:
    refused = await client.post(
        "/api/v1/mailboxes", json={"host": "127.0.0.1", "username": USER, "password": PASSWORD}
    )  # the default: public addresses only
    assert refused.status_code == 422
    assert "public addresses only" in refused.json()["error"]["details"][0]["message"]
    no_tls = await client.post(
        "/api/v1/mailboxes", json={"host": "8.8.8.8", "username": "u", "password": "p", "security": "none"}
    )
    assert no_tls.status_code == 422
    state, c = local
    made = await add(c, imap, folder)
    assert made["security"] == "tls"
    assert made["processed"] == "move"
    assert "password" not in made
    stored = await pool.fetchval("select password from mailboxes where org_id = $1", state.org_id)
    assert PASSWORD.encode() not in bytes(stored)
    assert [m["id"] for m in (await c.get("/api/v1/mailboxes")).json()["mailboxes"]] == [made["id"]]
    assert (await c.delete(f"/api/v1/mailboxes/{made['id']}")).status_code == 204
    assert (await c.get(f"/api/v1/mailboxes/{made['id']}")).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"host": "127.0.0.1", "username": "u"},
        {"host": "127.0.0.1", "username": "u", "password": "p", "port": 0},
        {"host": "127.0.0.1", "username": "u", "password": "p", "processed": "burn"},
        {"host": "127.0.0.1", "username": " ", "password": "p"},
        {"host": "127.0.0.1", "username": "u", "password": "p", "extra": 1},
        [],
    ],
)
async def test_invalid_mailboxes_are_refused(local: tuple[AppState, httpx.AsyncClient], body: object) -> None:
    _, c = local
    assert (await c.post("/api/v1/mailboxes", json=body)).status_code == 422
    assert (await c.get("/api/v1/mailboxes")).json() == {"mailboxes": []}


@pytest.mark.skipif(not mails.sample_emls(), reason="../shared/samples is not here")
async def test_every_shape_of_report_mail_is_stored_once_and_moved(
    local: tuple[AppState, httpx.AsyncClient], imap: Imap, folder: str, pool: asyncpg.Pool
) -> None:
    state, c = local
    made = await add(c, imap, folder)
    emls = [p.read_bytes() for p in mails.sample_emls()]
    jsons = mails.sample_reports()
    shaped = [shape(jsons[n % len(jsons)]) for n, shape in enumerate(
        (mails.gzip_attachment, mails.json_attachment, mails.zip_attachment, mails.inline)
    )]  # fmt: skip
    for message in [*emls, *shaped, mails.dmarc_aggregate(), mails.plain(), mails.broken()]:
        imap.append(message, folder)
    result = await poller.poll_mailbox(state.db, state.settings, state.org_id, made["id"])
    assert result.error is None
    assert result.messages == len(emls) + len(shaped) + 3
    wanted = expected(*emls, *jsons[:4])
    assert await stored_reports(pool, state.org_id) == wanted
    assert len(imap.uids(folder)) == 2  # the DMARC report and the plain message: left alone
    assert len(imap.uids(f"{folder}-done")) == len(emls) + len(shaped)
    assert len(imap.uids(f"{folder}-errors")) == 1
    status = (await c.get(f"/api/v1/mailboxes/{made['id']}")).json()
    assert status["reports_total"] == len(wanted)
    assert status["reports_today"] == len(wanted)
    assert status["skipped"] == {"DMARC aggregate report": 1, "not a report": 1, "report does not parse": 1}
    assert "not JSON" in status["last_error"]
    assert status["last_success_at"] is not None
    # polling again finds nothing new, and counts nothing twice
    again = await poller.poll_mailbox(state.db, state.settings, state.org_id, made["id"])
    assert again.messages == 0
    assert (await c.get(f"/api/v1/mailboxes/{made['id']}")).json()["skipped"] == status["skipped"]


async def test_flag_leaves_processed_messages_flagged_in_place(
    local: tuple[AppState, httpx.AsyncClient], imap: Imap, folder: str, pool: asyncpg.Pool
) -> None:
    state, c = local
    made = await add(c, imap, folder, processed="flag")
    imap.append(mails.gzip_attachment(mails.as_json_report(report())), folder)
    first = await poller.poll_mailbox(state.db, state.settings, state.org_id, made["id"])
    assert (first.messages, first.reports) == (1, 1)
    assert len(imap.uids(folder, query=f"KEYWORD {DONE_KEYWORD}")) == 1
    again = await poller.poll_mailbox(state.db, state.settings, state.org_id, made["id"])
    assert again.messages == 0
    assert len(await stored_reports(pool, state.org_id)) == 1


async def test_killed_between_commit_and_move_the_message_is_moved_once(
    local: tuple[AppState, httpx.AsyncClient],
    imap: Imap,
    folder: str,
    pool: asyncpg.Pool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state, c = local
    made = await add(c, imap, folder)
    sent = report()
    imap.append(mails.gzip_attachment(mails.as_json_report(sent)), folder)

    def killed(self: Session, uid: int) -> None:
        raise OSError("killed after the commit, before the move")

    monkeypatch.setattr(Session, "finish", killed)
    crashed = await poller.poll_mailbox(state.db, state.settings, state.org_id, made["id"])
    assert crashed.error is not None
    assert await stored_reports(pool, state.org_id) == [("Sender", sent["report-id"])]
    assert len(imap.uids(folder)) == 1  # committed, not moved
    monkeypatch.undo()
    recovered = await poller.poll_mailbox(state.db, state.settings, state.org_id, made["id"])
    assert recovered.error is None
    assert recovered.messages == 0  # handled before: only moved now
    assert imap.uids(folder) == []
    assert len(imap.uids(f"{folder}-done")) == 1
    assert await stored_reports(pool, state.org_id) == [("Sender", sent["report-id"])]
    status = (await c.get(f"/api/v1/mailboxes/{made['id']}")).json()
    assert status["reports_total"] == 1
    assert status["failing_since"] is None


async def test_idle_brings_a_report_in_within_seconds(
    local: tuple[AppState, httpx.AsyncClient], imap: Imap, folder: str, pool: asyncpg.Pool
) -> None:
    state, c = local
    made = await add(c, imap, folder)
    imap.create(folder)
    session = asyncio.create_task(poller.poll_mailbox(state.db, state.settings, state.org_id, made["id"], idle=8))
    await asyncio.sleep(1.5)  # logged in, the folder empty, waiting with IDLE
    sent = report()
    mailed = time.monotonic()
    await asyncio.to_thread(imap.append, mails.gzip_attachment(mails.as_json_report(sent)), folder)
    while not await stored_reports(pool, state.org_id):
        assert time.monotonic() - mailed < 5, "the report did not arrive within 5 s of being mailed"
        await asyncio.sleep(0.1)
    result = await session
    assert result.error is None
    assert result.reports == 1


async def test_a_failing_mailbox_says_why(
    local: tuple[AppState, httpx.AsyncClient], imap: Imap, folder: str, state: AppState, admin_token: str
) -> None:
    _, c = local
    wrong = await add(c, imap, folder, password="not-the-password")
    tested = (await c.post(f"/api/v1/mailboxes/{wrong['id']}/test")).json()
    assert tested["ok"] is False
    assert "logging in as reports failed" in tested["error"]
    assert tested["mailbox"]["failing_since"] is not None
    assert PASSWORD not in str(tested)
    untrusted = await add(c, imap, folder)
    settings = dataclasses.replace(state.settings, mailbox_allow_private=True)  # the system's CAs only
    async with make_client(dataclasses.replace(state, settings=settings), admin_token) as strict:
        answer = (await strict.post(f"/api/v1/mailboxes/{untrusted['id']}/test")).json()
    assert answer["ok"] is False
    assert "TLS" in answer["error"]


def test_dovecot_is_real(imap: Imap, tmp_path: Path) -> None:
    client = imap.client()
    try:
        assert "IDLE" in client.capabilities
    finally:
        client.logout()


async def test_graphql_adds_tests_lists_and_removes(
    local: tuple[AppState, httpx.AsyncClient], imap: Imap, folder: str
) -> None:
    _, c = local
    imap.create(folder)
    imap.append(mails.gzip_attachment(mails.as_json_report(report())), folder)
    made = await gql(
        c,
        "mutation($m: MailboxInput!) { createMailbox(mailbox: $m) { id host security processed } }",
        m={"host": "127.0.0.1", "port": imap.port, "username": USER, "password": PASSWORD, "folder": folder,
           "processedFolder": f"{folder}-done", "errorFolder": f"{folder}-errors"},
    )  # fmt: skip
    box = made["data"]["createMailbox"]
    assert box["security"] == "tls"
    tested = await gql(c, "mutation($id: ID!) { testMailbox(id: $id) { ok error messages reports } }", id=box["id"])
    assert tested["data"]["testMailbox"] == {"ok": True, "error": None, "messages": 1, "reports": 1}
    listed = await gql(c, "{ mailboxes { id reportsTotal skipped { reason count } lastError } }")
    assert listed["data"]["mailboxes"] == [{"id": box["id"], "reportsTotal": 1, "skipped": [], "lastError": None}]
    refused = await gql(
        c,
        'mutation { createMailbox(mailbox: {host: "127.0.0.1", username: "u", password: "p", processed: "x"}) { id } }',
    )
    assert refused["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"
    assert (await gql(c, "mutation($id: ID!) { deleteMailbox(id: $id) }", id=box["id"]))["data"] == {
        "deleteMailbox": box["id"]
    }


async def test_an_insight_opens_after_an_hour_of_failures_and_closes_when_it_works(
    local: tuple[AppState, httpx.AsyncClient], imap: Imap, folder: str, pool: asyncpg.Pool
) -> None:
    state, c = local
    imap.create(folder)
    made = await add(c, imap, folder, password="not-the-password")
    poll = poller.poll_mailbox
    assert (await poll(state.db, state.settings, state.org_id, made["id"])).error is not None
    assert (await c.get("/api/v1/insights")).json()["insights"] == []  # failing, not yet for an hour
    await pool.execute(
        "update mailboxes set failing_since = now() - interval '61 minutes' where org_id = $1", state.org_id
    )
    assert (await poll(state.db, state.settings, state.org_id, made["id"])).error is not None
    (insight,) = (await c.get("/api/v1/insights")).json()["insights"]
    assert insight["rule"] == "mailbox_failing"
    assert "logging in as reports failed" in insight["description"]
    right = encrypt(state.settings, state.org_id, PASSWORD)
    await pool.execute("update mailboxes set password = $2 where org_id = $1", state.org_id, right)
    assert (await poll(state.db, state.settings, state.org_id, made["id"])).error is None
    assert (await c.get("/api/v1/insights")).json()["insights"] == []
    deadline = time.monotonic() + 60  # events show once every older transaction of the server has ended
    while len(events := (await c.get("/api/v1/insights/events")).json()["events"]) < 2:
        assert time.monotonic() < deadline, events
        await asyncio.sleep(0.5)
    assert [e["type"] for e in events] == ["created", "resolved"]


async def test_a_mail_arriving_while_another_is_handled_is_not_left_for_the_next_poll(
    local: tuple[AppState, httpx.AsyncClient],
    imap: Imap,
    folder: str,
    pool: asyncpg.Pool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server announces the second mail in its answer to the first one's move; IDLE would not say it again."""
    state, c = local
    made = await add(c, imap, folder)
    imap.create(folder)
    first, second = report(), report()
    imap.append(mails.gzip_attachment(mails.as_json_report(first)), folder)
    finish = Session.finish

    def mail_arrives_meanwhile(self: Session, uid: int) -> None:
        if len(imap.uids(folder)) == 1:
            imap.append(mails.gzip_attachment(mails.as_json_report(second)), folder)
        finish(self, uid)

    monkeypatch.setattr(Session, "finish", mail_arrives_meanwhile)
    started = time.monotonic()
    session = asyncio.create_task(poller.poll_mailbox(state.db, state.settings, state.org_id, made["id"], idle=6))
    while len(await stored_reports(pool, state.org_id)) < 2:
        assert time.monotonic() - started < 5, "the second mail waited for the next poll"
        await asyncio.sleep(0.1)
    assert await stored_reports(pool, state.org_id) == sorted(
        [("Sender", first["report-id"]), ("Sender", second["report-id"])]
    )
    result = await session
    assert (result.error, result.reports) == (None, 2)
