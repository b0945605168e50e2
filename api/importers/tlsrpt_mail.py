"""TLS reports in an e-mail, as reporters mail them to the `mailto:` of a domain's _smtp._tls record: parts of
type application/tlsrpt+gzip or +json, `.json`/`.json.gz` attachments, `.zip` attachments holding them, or
the report inline as the message's body. DMARC aggregate reports (XML, zipped or gzip'd) are told apart, so
that a mailbox that receives both can leave them alone. What the reports decompress to is bounded in all."""

from __future__ import annotations

import email
import email.policy
import io
import zipfile
import zlib
from email.message import EmailMessage, Message
from typing import Literal

import orjson

from api.errors import PayloadTooLarge
from api.importers.tlsrpt import _Budget, _invalid, _json, parse_report
from core.tls_report import Report

TLSRPT_TYPES = ("application/tlsrpt+gzip", "application/tlsrpt+json")
_REPORT_NAMES = (".json", ".json.gz")
_DMARC_NAMES = (".xml", ".xml.gz", ".xml.zip")
_DMARC_TYPES = ("text/xml", "application/xml")
Kind = Literal["tlsrpt", "dmarc", "none"]


def _name(part: Message) -> str:
    return (part.get_filename() or "").lower()


def _zip_reports(payload: bytes, budget: _Budget) -> list[bytes] | None:
    """The `.json`/`.json.gz` members of a zip, each read no further than the budget; None: no such member."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
        members = [i for i in archive.infolist() if i.filename.lower().endswith(_REPORT_NAMES)]
        found = []
        for info in members:
            with archive.open(info) as member:
                data = member.read(budget.left + 1)  # the header's size may lie: read no more than allowed
            if len(data) > budget.left:
                raise PayloadTooLarge(f"the TLS report(s) decompress to more than {budget.limit} bytes")
            budget.left -= len(data)
            found.append(data)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise _invalid("report", f"is not a zip that can be read ({exc})") from None
    return found or None


def _inline(message: Message) -> bytes | None:
    """A report sent as the message's own body (text/plain or application/json), if that is what it is."""
    if message.is_multipart() or message.get_content_type() not in ("text/plain", "application/json"):
        return None
    payload = message.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload.lstrip().startswith(b"{"):
        return None
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    return payload if isinstance(data, dict) and "report-id" in data and "policies" in data else None


def mail_reports(data: bytes | EmailMessage, budget: _Budget) -> tuple[Kind, list[Report]]:
    """What a message holds: TLS reports (all parsed, or ValidationFailed naming what is wrong), a DMARC
    aggregate report (nothing parsed), or neither."""
    message = data if isinstance(data, Message) else email.message_from_bytes(data, policy=email.policy.default)
    payloads: list[bytes] = []
    dmarc = False
    for part in message.walk():
        kind, name = part.get_content_type(), _name(part)
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload:
            continue
        if kind in TLSRPT_TYPES or name.endswith(_REPORT_NAMES):
            payloads.append(payload)
        elif name.endswith(".zip") or kind in ("application/zip", "application/x-zip-compressed"):
            members = _zip_reports(payload, budget)
            payloads += members or []
            dmarc = dmarc or members is None
        elif name.endswith(_DMARC_NAMES) or kind in _DMARC_TYPES or (kind == "application/gzip" and ".xml" in name):
            dmarc = True
    if not payloads:
        inline = _inline(message)
        payloads = [inline] if inline is not None else []
    if payloads:
        return "tlsrpt", [parse_report(_json(p, budget)) for p in payloads]
    return ("dmarc" if dmarc else "none"), []
