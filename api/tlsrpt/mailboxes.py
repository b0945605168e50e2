"""What REST, GraphQL and the CLI share about mailboxes polled for TLS reports: checks, add, list, remove, test.

A mailbox's password (or app password) is kept encrypted with the server's key, bound to the organization
(api/webhooks/secrets.py, MAILFLOW_SECRET_KEY), and never shown again. Its host must resolve to public
addresses only (MAILFLOW_MAILBOX_ALLOW_PRIVATE=on allows others, and IMAP without TLS)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any

from api.context import AppState
from api.errors import NotFound, ValidationFailed
from api.tlsrpt.endpoints import one_of
from api.webhooks.secrets import encrypt
from core.targets import why_refused
from db import insights as insight_store
from db import mailboxes as store
from db.mailboxes import Mailbox

SECURITY = ("tls", "starttls", "none")
PROCESSED = ("move", "flag", "delete")
DEFAULTS: dict[str, Any] = {
    "port": None,  # 993 with tls, else 143
    "security": "tls",
    "folder": "INBOX",
    "processed": "move",
    "processed_folder": "mailflow/processed",
    "error_folder": "mailflow/errors",
    "description": "",
}
REQUIRED = ("host", "username", "password")
FIELDS = (*REQUIRED, *DEFAULTS)
MAX_TEXT = 500


class MailboxRefused(Exception):
    """A mailbox host that may not be used; the message says why."""


async def address_of(host: str, port: int, allow_private: bool) -> str:
    """The address to connect to: the first the host resolves to, once every one is allowed."""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise MailboxRefused(f"{host} does not resolve ({exc})") from None
        addresses = [ipaddress.ip_address(str(i[4][0]).split("%", 1)[0]) for i in infos]
    if not addresses:
        raise MailboxRefused(f"{host} does not resolve")
    if not allow_private:
        for address in addresses:
            reason = why_refused(address)
            if reason:
                raise MailboxRefused(
                    f"{host} resolves to {address}, {reason}: mailboxes are reached at public addresses only "
                    "(MAILFLOW_MAILBOX_ALLOW_PRIVATE=on allows others)"
                )
    return str(addresses[0])


def _text(body: dict[str, Any], name: str, problems: list[dict[str, Any]]) -> str:
    value = body[name]
    if (
        not isinstance(value, str)
        or len(value) > MAX_TEXT
        or "\x00" in value
        or (name != "description" and not value.strip())
    ):
        problems.append({"field": name, "message": f"must be text of 1 to {MAX_TEXT} characters"})
        return ""
    return value


async def _checked(app: AppState, body: Any) -> dict[str, Any]:
    problems: list[dict[str, Any]] = []
    if not isinstance(body, dict):
        raise ValidationFailed(
            "the mailbox is not valid: must be a JSON object", [{"field": None, "message": "must be a JSON object"}]
        )
    problems += [{"field": k, "message": "unknown field"} for k in sorted(set(body) - set(FIELDS))]
    problems += [{"field": k, "message": "is required"} for k in REQUIRED if body.get(k) is None]
    fields = {**DEFAULTS, **{k: v for k, v in body.items() if k in FIELDS and v is not None}}
    for name in ("host", "username", "password", "folder", "processed_folder", "error_folder", "description"):
        if name in fields:
            fields[name] = _text(fields, name, problems)
    if fields["security"] not in SECURITY:
        problems.append({"field": "security", "message": f"must be one of {', '.join(SECURITY)}"})
    elif fields["security"] == "none" and not app.settings.mailbox_allow_private:
        problems.append({"field": "security", "message": "none (no TLS) needs MAILFLOW_MAILBOX_ALLOW_PRIVATE=on"})
    if fields["processed"] not in PROCESSED:
        problems.append({"field": "processed", "message": f"must be one of {', '.join(PROCESSED)}"})
    port = fields["port"]
    if isinstance(port, float) and port.is_integer():  # JSON's 993.0 is 993
        port = fields["port"] = int(port)
    if port is None:
        fields["port"] = 993 if fields["security"] == "tls" else 143
    elif isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        problems.append({"field": "port", "message": "must be a TCP port, 1 to 65535"})
    if not problems:
        try:
            await address_of(fields["host"].strip().lower(), fields["port"], app.settings.mailbox_allow_private)
        except MailboxRefused as exc:
            problems.append({"field": "host", "message": str(exc)})
    if problems:
        said = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        raise ValidationFailed(f"the mailbox is not valid: {said}", problems)
    fields["host"] = fields["host"].strip().lower()
    return fields


async def create(app: AppState, body: Any) -> Mailbox:
    """A new mailbox: `{"host", "username", "password", "port"?, "security"?, "folder"?, "processed"?,
    "processed_folder"?, "error_folder"?, "description"?}`."""
    fields = await _checked(app, body)
    password = encrypt(app.settings, app.org_id, fields.pop("password"))
    return await store.insert_mailbox(app.pool, app.org_id, fields, password)


async def list_all(app: AppState) -> list[Mailbox]:
    return await store.list_mailboxes(app.pool, app.org_id)


async def get(app: AppState, mailbox_id: int) -> Mailbox:
    return await one_of(app, store.list_mailboxes, mailbox_id, "mailbox")


async def remove(app: AppState, mailbox_id: int) -> None:
    """Forget the mailbox, and close the insight that said it failed."""
    async with app.pool.acquire() as conn, conn.transaction():
        if not await store.delete_mailbox(conn, app.org_id, mailbox_id):
            raise NotFound(f"there is no mailbox {mailbox_id}")
        await insight_store.lock_organization(conn, app.org_id)
        subject = f"mailbox {mailbox_id}"
        resolved = await insight_store.resolve_system_insight(conn, app.org_id, store.MAILBOX_FAILING, subject)
        await insight_store.insert_events(conn, app.org_id, [(resolved, "resolved")] if resolved else [])


async def poll_now(app: AppState, mailbox_id: int) -> dict[str, Any]:
    """Poll the mailbox now (the `test`): how it went, and the mailbox with its status."""
    from api.tlsrpt.poller import poll_mailbox  # the poller imports this module

    await get(app, mailbox_id)
    result = await poll_mailbox(app.db, app.settings, app.org_id, mailbox_id)
    return {
        "polled": result.polled,
        "ok": result.polled and result.error is None,
        "error": result.error if result.polled else "another server process is polling it now; try again shortly",
        "messages": result.messages,
        "reports": result.reports,
        "mailbox": await get(app, mailbox_id),
    }
