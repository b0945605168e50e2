"""No ingest key can exhaust the process' memory with a gzip bomb (issue 20): every decompression stops at
its cap (the body limit over HTTP, tlsrpt.MAX_BYTES for reports, a ratio for the CLI's files) with a 413,
never holding more than the cap. Memory is measured with tracemalloc around the one request (the
process' peak RSS is a high-water mark of the whole test session, so it cannot tell one request)."""

from __future__ import annotations

import tracemalloc
import zlib
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from api.errors import PayloadTooLarge
from api.gunzip import gunzip
from api.importers.run import MAX_RATIO, RATIO_FREE_BYTES, open_input
from api.importers.tlsrpt import decode
from tests.cli.helpers import mailflow
from tests.cli.test_commands import env_for
from tests.importers.test_tlsrpt import REPORT

BOMB_BYTES = 200 * 1024 * 1024
BOUND = 100 * 1024 * 1024  # what one request may allocate at its peak


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """200 MB of zeros, gzipped to about 200 KB (made in chunks, never whole)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    data = b"".join(packer.compress(zeros) for _ in range(BOMB_BYTES // len(zeros))) + packer.flush()
    assert len(data) < 1024 * 1024  # under the tests' body limit (1 MB)
    return data


async def peak_of(call: Callable[[], Awaitable[httpx.Response]]) -> tuple[httpx.Response, int]:
    tracemalloc.start()
    try:
        response = await call()
        return response, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def eml(payload: bytes) -> bytes:
    message = EmailMessage()
    message["Subject"] = "Report Domain: contoso.com"
    message.set_content("the report is attached")
    message.add_attachment(payload, maintype="application", subtype="tlsrpt+gzip", filename="r.json.gz")
    assert b"base64" in message.as_bytes()
    return message.as_bytes()


def assert_413(response: httpx.Response, peak: int) -> None:
    assert response.status_code == 413, response.text
    assert set(response.json()["error"]) == {"code", "message", "details"}
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert peak < BOUND, f"{peak:,} bytes at the peak"


async def test_a_tls_report_bomb_without_content_encoding_is_413(client: httpx.AsyncClient, bomb: bytes) -> None:
    headers = {"content-type": "application/tlsrpt+gzip"}
    assert_413(*await peak_of(lambda: client.post("/api/v1/tls-reports", content=bomb, headers=headers)))


async def test_a_tls_report_bomb_in_an_email_part_is_413(client: httpx.AsyncClient, bomb: bytes) -> None:
    body = eml(bomb)
    assert_413(*await peak_of(lambda: client.post("/api/v1/tls-reports", content=body)))


def test_the_parts_of_one_email_share_the_cap() -> None:
    """Each part within the cap, together beyond it."""
    report = orjson.dumps(REPORT) + b" " * 60_000
    message = EmailMessage()
    message.set_content("three reports")
    for n in range(3):
        part = zlib.compress(report, 9, wbits=16 + zlib.MAX_WBITS)
        message.add_attachment(part, maintype="application", subtype="tlsrpt+gzip", filename=f"r{n}.json.gz")
    assert len(decode(message.as_bytes(), 3 * len(report))) == 3
    with pytest.raises(PayloadTooLarge):
        decode(message.as_bytes(), 3 * len(report) - 1)


@pytest.mark.parametrize("path", ["/api/v1/messages", "/api/v1/tls-reports"])
async def test_a_bomb_with_content_encoding_is_413(client: httpx.AsyncClient, bomb: bytes, path: str) -> None:
    headers = {"content-encoding": "gzip", "content-type": "application/json"}
    assert_413(*await peak_of(lambda: client.post(path, content=bomb, headers=headers)))


def test_gunzip_stops_at_the_cap(bomb: bytes) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(PayloadTooLarge, match="too big"):
            gunzip(bomb, 1024 * 1024, "too big")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024
    assert gunzip(zlib.compress(b"x" * 1000, wbits=16 + zlib.MAX_WBITS) * 2, 2000, "too big") == b"x" * 2000
    with pytest.raises(PayloadTooLarge):
        gunzip(zlib.compress(b"x" * 1000, wbits=16 + zlib.MAX_WBITS) * 2, 1999, "too big")


def test_a_gzip_file_for_the_cli_stops_at_its_ratio(bomb: bytes, tmp_path: Path) -> None:
    path = tmp_path / "bomb.ndjson.gz"
    path.write_bytes(bomb)
    read = 0

    def read_all() -> None:
        nonlocal read
        with open_input(str(path)) as stream:
            while chunk := stream.read(1 << 20):
                read += len(chunk)

    with pytest.raises(PayloadTooLarge, match="inflates to more than"):
        read_all()
    assert read <= RATIO_FREE_BYTES + MAX_RATIO * len(bomb)
    assert read < BOMB_BYTES


def test_the_cli_says_so_in_one_line(dsn: str, bomb: bytes, tmp_path: Path) -> None:
    path = tmp_path / "bomb.ndjson.gz"
    path.write_bytes(bomb)
    result: Any = mailflow("ingest", str(path), env=env_for(dsn, "cli-bomb"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"mailflow: error: {path}: inflates to more than {MAX_RATIO} times its compressed size: not a log "
        "or a report (a gzip bomb?)"
    ]
