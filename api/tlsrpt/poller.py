"""Polling mailboxes for TLS reports: in every `mailflow serve` process, and once for `mailflow reports fetch`.

A process leases a mailbox (two processes never poll one at once), logs in, and handles each message of the
folder once: the reports of a message are committed through the one TLS report path (api/feed.py) before
the message is moved, flagged or deleted, and the message is recorded by its UIDVALIDITY and UID; a process
killed between the two finds the record on the next poll and only moves the message (a report that was
stored but not recorded is found already stored). A message whose report does not parse goes to the error
folder, the reason logged and shown in the mailbox's status; DMARC aggregate reports and other mail are
counted and left alone. Where the server offers IMAP IDLE, the session then waits for new mail (seconds)
for the rest of the interval; elsewhere the next poll comes after MAILFLOW_MAILBOX_POLL_SECONDS."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from api.context import AppState
from api.errors import ApiError
from api.faults import DATABASE_DOWN
from api.feed import STORED, store_tls_reports
from api.importers.tlsrpt import _Budget
from api.importers.tlsrpt_mail import mail_reports
from api.settings import Settings
from api.tlsrpt.imap import Account, MailboxFailed, Session
from api.tlsrpt.mailboxes import MailboxRefused, address_of
from api.tlsrpt.silence import evaluate_all_silence
from api.webhooks.secrets import SecretUnreadable, decrypt
from db import insights as insight_store
from db import mailboxes as store
from db.pool import Database

log = logging.getLogger("mailflow.mailboxes")
FAILING_FOR = timedelta(hours=1)  # then an insight says the mailbox fails
MOVED = ("stored", "already stored")  # outcomes whose message is finished as the mailbox says
SKIPPED = {"dmarc": "DMARC aggregate report", "none": "not a report"}
PARALLEL = 4  # sessions per process at once


@dataclass
class PollResult:
    polled: bool = False  # False: another process holds the mailbox
    messages: int = 0
    reports: int = 0
    error: str | None = None


async def poll_mailbox(db: Database, settings: Settings, org_id: int, mailbox_id: int, idle: float = 0) -> PollResult:
    """Poll one mailbox once; with `idle` seconds, keep waiting for new mail with IDLE that long."""
    app = AppState(settings, db, org_id, "ingest", cache=None)
    result = PollResult()
    if not await store.lease(app.pool, org_id, mailbox_id, idle + settings.mailbox_timeout_seconds * 4 + 60):
        return result
    result.polled = True
    session: Session | None = None
    try:
        found = await store.credentials(app.pool, org_id, mailbox_id)
        if found is None:
            return result
        account = Account(
            found.host, found.port, found.security, found.username, decrypt(settings, org_id, found.sealed_password),
            found.folder, found.processed, found.processed_folder, found.error_folder,
        )  # fmt: skip
        address = await address_of(account.host, account.port, settings.mailbox_allow_private)
        session = await asyncio.to_thread(
            Session, account, address, settings.mailbox_timeout_seconds, settings.mailbox_ca_file
        )
        ends = time.monotonic() + idle
        while True:
            await _handle_folder(app, mailbox_id, session, result)
            left = ends - time.monotonic()
            if left <= 0 or not await asyncio.to_thread(session.idle, left) or session.ended:
                break
    except (MailboxFailed, MailboxRefused, SecretUnreadable) as exc:
        result.error = str(exc)[:500]
        log.warning(
            "mailbox poll failed", extra={"fields": {"org_id": org_id, "mailbox": mailbox_id, "why": result.error}}
        )
    except (OSError, TimeoutError) as exc:
        result.error = f"the connection failed: {exc}"[:500]
    finally:
        if session is not None:
            await asyncio.to_thread(session.close)
    status = await store.release(app.pool, org_id, mailbox_id, result.error)
    if status is not None:
        await _insight(app, mailbox_id, status.failing_since, status.was_failing, result.error)
    return result


def insight_subject(mailbox_id: int) -> str:
    return f"mailbox {mailbox_id}"


async def _insight(
    app: AppState, mailbox_id: int, failing_since: datetime | None, was_failing: bool, error: str | None
) -> None:
    """Open the insight once the mailbox has failed for FAILING_FOR; close it at its first good poll."""
    failing = failing_since is not None and datetime.now(UTC) - failing_since >= FAILING_FOR
    if not failing and not (was_failing and failing_since is None):
        return
    async with app.pool.acquire() as conn, conn.transaction():
        await insight_store.lock_organization(conn, app.org_id)  # insight events: one writer at a time
        subject = insight_subject(mailbox_id)
        if failing:
            hours = (datetime.now(UTC) - failing_since).total_seconds() / 3600  # type: ignore[operator]
            opening = insight_store.Opening(
                subject, "A mailbox of TLS reports cannot be polled",
                f"Polling the mailbox {mailbox_id} for TLS reports has failed for {hours:.3g} hours: {error}",
                "Check the mailbox's host, password and folder (`mailflow mailboxes test`); reports mailed "
                "meanwhile wait in the mailbox.",
            )  # fmt: skip
            opened = await insight_store.open_system_insight(conn, app.org_id, store.MAILBOX_FAILING, opening)
            events = [(opened, "created")] if opened is not None else []
        else:
            resolved = await insight_store.resolve_system_insight(conn, app.org_id, store.MAILBOX_FAILING, subject)
            events = [(resolved, "resolved")] if resolved is not None else []
        await insight_store.insert_events(conn, app.org_id, events)


async def _handle_folder(app: AppState, mailbox_id: int, session: Session, result: PollResult) -> None:
    uids = await asyncio.to_thread(session.unprocessed)
    if not uids:
        return
    done = await store.handled(app.pool, app.org_id, mailbox_id, session.uidvalidity, uids)
    sizes = await asyncio.to_thread(session.sizes, [u for u in uids if u not in done])
    for uid in uids:
        if uid in done:  # handled before: finish what a killed process could not
            if done[uid] in MOVED:
                await asyncio.to_thread(session.finish, uid)
            elif done[uid].startswith("error"):
                await asyncio.to_thread(session.move, uid, session.account.error_folder)
            continue
        result.messages += 1
        result.reports += await _handle_message(app, mailbox_id, session, uid, sizes.get(uid, 0))


async def _handle_message(app: AppState, mailbox_id: int, session: Session, uid: int, size: int) -> int:
    """One new message: its reports stored, then the message finished; the reports it stored."""
    message = (session.uidvalidity, uid)
    limit = app.settings.tlsrpt_max_report_bytes
    try:
        if size > limit:
            raise MailboxMessageRefused(f"is larger than {limit} bytes (MAILFLOW_TLSRPT_MAX_REPORT_BYTES)")
        kind, reports = mail_reports(await asyncio.to_thread(session.fetch, uid), _Budget(limit))
    except (ApiError, MailboxMessageRefused) as exc:
        why = f"message {uid}: {getattr(exc, 'message', exc)}"[:500]
        log.warning("a mailed TLS report was refused", extra={"fields": {"org_id": app.org_id, "why": why}})
        await store.record_message(app.pool, app.org_id, mailbox_id, message, "error", 0, "report does not parse", why)
        await asyncio.to_thread(session.move, uid, session.account.error_folder)
        return 0
    if kind != "tlsrpt":  # counted once, and left alone
        await store.record_message(app.pool, app.org_id, mailbox_id, message, kind, 0, SKIPPED[kind], None)
        return 0
    outcomes = await store_tls_reports(app, reports)
    stored = outcomes.count(STORED)
    outcome = "stored" if stored else "already stored"
    await store.record_message(
        app.pool, app.org_id, mailbox_id, message, outcome, stored, None if stored else outcome, None
    )
    await asyncio.to_thread(session.finish, uid)  # only now that its reports are committed
    return stored


class MailboxMessageRefused(Exception):
    """A message that cannot hold a report we take (too large)."""


async def fetch_once(
    db: Database, settings: Settings, org_id: int | None = None, now: datetime | None = None
) -> list[tuple[int, int, PollResult]]:
    """Poll every enabled mailbox (of one organization, or all) once, without IDLE; then evaluate the
    silent domain insight (api/tlsrpt/silence.py) as of `now`."""
    due = await store.due_mailboxes(db.system, 0, 10_000)
    results = []
    for org, mailbox_id in due:
        if org_id is None or org == org_id:
            results.append((org, mailbox_id, await poll_mailbox(db, settings, org, mailbox_id)))
    await evaluate_all_silence(db, now or datetime.now(UTC), org_id)
    return results


async def run(db: Database, settings: Settings) -> None:
    """The poller of a `mailflow serve` process: sessions for due mailboxes, a few at once; and, every
    MAILFLOW_INSIGHTS_EVERY_SECONDS, the silent domain insight of every organization."""
    running: dict[tuple[int, int], asyncio.Task[PollResult]] = {}
    silence_due = time.monotonic() + settings.insights_every_seconds
    while True:
        try:
            if time.monotonic() >= silence_due:  # the silent domain insight, with the other insights' period
                silence_due = time.monotonic() + settings.insights_every_seconds
                await evaluate_all_silence(db, datetime.now(UTC))
            for key in [k for k, t in running.items() if t.done()]:
                running.pop(key)
            if len(running) < PARALLEL:
                for key in await store.due_mailboxes(db.system, settings.mailbox_poll_seconds, PARALLEL * 2):
                    if key not in running and len(running) < PARALLEL:
                        running[key] = asyncio.create_task(
                            poll_mailbox(db, settings, *key, idle=settings.mailbox_poll_seconds)
                        )
        except DATABASE_DOWN as exc:
            db.outage.failed(exc)
        except Exception:
            log.exception("the mailbox poller failed; will try again")
        await asyncio.sleep(2)
