"""Report mails as reporters send them: the samples' real .eml files, and messages built from the samples'
reports in every shape a mailbox receives (gzip and JSON attachments, a zip, inline), beside mail that holds
no TLS report (a DMARC aggregate report, a plain message) and one whose report is broken."""

from __future__ import annotations

import email.message
import gzip
import io
import uuid
import zipfile
from pathlib import Path

import orjson

from tests.importers.test_tlsrpt import SAMPLES


def _message(subject: str) -> email.message.EmailMessage:
    message = email.message.EmailMessage()
    message["From"] = "noreply-smtp-tls-reporting@example.net"
    message["To"] = "tlsrpt@contoso.com"
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.net>"
    message["TLS-Report-Domain"] = "contoso.com"
    message["TLS-Report-Submitter"] = "example.net"
    message.set_content("This is an aggregate TLS report from example.net")
    return message


def gzip_attachment(report: bytes) -> bytes:
    message = _message("Report Domain: contoso.com Submitter: example.net")
    message.add_attachment(
        gzip.compress(report), maintype="application", subtype="tlsrpt+gzip", filename="report.json.gz"
    )
    return message.as_bytes()


def json_attachment(report: bytes) -> bytes:
    message = _message("Report Domain: contoso.com")
    message.add_attachment(report, maintype="application", subtype="octet-stream", filename="report.json")
    return message.as_bytes()


def zip_attachment(report: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("example.net!contoso.com!1!2.json", report)
    message = _message("Report Domain: contoso.com (zipped)")
    message.add_attachment(out.getvalue(), maintype="application", subtype="zip", filename="report.zip")
    return message.as_bytes()


def inline(report: bytes) -> bytes:
    message = _message("Report Domain: contoso.com (inline)")
    message.set_content(report.decode(), subtype="plain")
    return message.as_bytes()


def dmarc_aggregate() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("google.com!contoso.com!1!2.xml", "<?xml version='1.0'?><feedback></feedback>")
    message = _message("Report domain: contoso.com Submitter: google.com")
    message.add_attachment(out.getvalue(), maintype="application", subtype="zip", filename="google.com!contoso.com.zip")
    return message.as_bytes()


def plain() -> bytes:
    return _message("Lunch on Friday?").as_bytes()


def broken() -> bytes:
    message = _message("Report Domain: contoso.com (broken)")
    message.add_attachment(b"{not json", maintype="application", subtype="tlsrpt+json", filename="report.json")
    return message.as_bytes()


def sample_emls() -> list[Path]:
    return sorted(SAMPLES.glob("*.eml"))


def sample_reports() -> list[bytes]:
    """The samples' JSON reports that are not also in an .eml (those come as the .eml)."""
    return [p.read_bytes() for p in sorted(SAMPLES.glob("*.json")) if not p.name.endswith(".extracted.json")]


def as_json_report(data: object) -> bytes:
    return orjson.dumps(data)
