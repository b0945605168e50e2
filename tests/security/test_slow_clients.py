"""Slow and greedy clients (issue 20), against a real server process over real sockets: headers and bodies
sent at 1 byte/s are answered 408 and closed in time, one address holds at most so many connections, and
the server's open files stay bounded however many slow clients come."""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
from starlette.types import Message

from api.app import create_app
from api.context import AppState
from tests.cli.helpers import clean_env, free_port, new_key, wait_ready

HEADER_SECONDS = 1
BODY_SECONDS = 2
CAP = 8
LATE = 1.5  # how much later than its limit the server may act (a loaded test machine)


@dataclass
class Server:
    port: int
    pid: int
    token: str

    def open_files(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))


@contextmanager
def serving(command: list[str], env: dict[str, str], port: int, token: str) -> Iterator[Server]:
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_ready(port, proc)
        yield Server(port, proc.pid, token)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def limits(dsn: str, org: str, cap: int = CAP) -> dict[str, str]:
    return clean_env(
        DATABASE_URL=dsn,
        MAILFLOW_ORG=org,
        MAILFLOW_LOG_LEVEL="WARNING",
        MAILFLOW_HEADER_TIMEOUT_SECONDS=str(HEADER_SECONDS),
        MAILFLOW_BODY_TIMEOUT_SECONDS=str(BODY_SECONDS),
        MAILFLOW_CONNECTIONS_PER_CLIENT=str(cap),
    )


@pytest.fixture(scope="module")
def server(dsn: str) -> Iterator[Server]:
    """`mailflow serve` on the test database, with short limits."""
    org = f"slow-{uuid.uuid4().hex[:8]}"
    port = free_port()
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port)]
    with serving(command, limits(dsn, org), port, new_key(dsn, org)) as running:
        yield running


def connect(server: Server, source: str = "127.0.0.1") -> socket.socket:
    """A connection from `source` (any 127.x.y.z is this machine: another client address)."""
    sock = socket.socket()
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", server.port))
    return sock


def until_closed(sock: socket.socket, seconds: float = 15) -> bytes:
    """Everything the server sends until it closes the connection."""
    sock.settimeout(seconds)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    finally:
        sock.close()
    return data


def trickle(sock: socket.socket, data: bytes, give_up: float = 10) -> tuple[bytes, float]:
    """Send `data` at 1 byte/s until the server answers or closes: what it sent until it closed, and after
    how many seconds (a server that does neither within `give_up` seconds fails the test)."""
    started = time.monotonic()
    for n in range(len(data)):
        try:
            sock.send(data[n : n + 1])
        except (BrokenPipeError, ConnectionResetError):
            break
        if select.select([sock], [], [], 1.0)[0] or time.monotonic() - started > give_up:
            break
    # the wait for the close is longer than any limit plus LATE: the callers' assertions bound the seconds (a
    # 2 s wait, as long as the body's limit, failed when the server closed just after it)
    return until_closed(sock, BODY_SECONDS + LATE + 1), time.monotonic() - started


def answer(raw: bytes) -> tuple[int, dict[str, str], Any]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    if headers.get("transfer-encoding") == "chunked":
        size, _, rest = body.partition(b"\r\n")
        body = rest[: int(size, 16)]
    return int(status_line.split()[1]), headers, orjson.loads(body)


def request(path: str, token: str = "", body_length: int = 0, method: str = "POST") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "host: mailflow.test", "content-type: application/json"]
    if token:
        lines.append(f"authorization: Bearer {token}")
    if body_length:
        lines.append(f"content-length: {body_length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_headers_at_one_byte_a_second_are_answered_408_and_closed(server: Server) -> None:
    raw, seconds = trickle(connect(server), request("/api/v1/summary", method="GET") * 10)
    status, headers, body = answer(raw)
    assert status == 408
    assert headers["connection"] == "close"
    assert body["error"]["code"] == "REQUEST_TIMEOUT"
    assert "headers did not arrive within 1 s" in body["error"]["message"]
    assert HEADER_SECONDS - 0.1 < seconds < HEADER_SECONDS + LATE


def test_a_connection_that_sends_nothing_is_closed(server: Server) -> None:
    started = time.monotonic()
    status, _, _ = answer(until_closed(connect(server)))
    assert status == 408
    assert time.monotonic() - started < HEADER_SECONDS + LATE


def test_the_next_request_on_a_kept_connection_has_its_time_too(server: Server) -> None:
    sock = connect(server)
    sock.sendall(request("/healthz", method="GET"))
    first = sock.recv(65536)
    assert first.startswith(b"HTTP/1.1 200")
    raw, seconds = trickle(sock, request("/healthz", method="GET") * 10)
    assert answer(raw)[0] == 408
    assert seconds < HEADER_SECONDS + LATE


@pytest.mark.parametrize(
    ("path", "code_of"),
    [
        ("/api/v1/messages", lambda body: body["error"]["code"]),
        ("/graphql", lambda body: body["errors"][0]["extensions"]["code"]),
    ],
)
def test_a_body_at_one_byte_a_second_is_answered_408_and_closed(server: Server, path: str, code_of: Any) -> None:
    sock = connect(server)
    sock.sendall(request(path, server.token, body_length=1000))
    raw, seconds = trickle(sock, b"[" + b" " * 999)
    status, headers, body = answer(raw)
    assert status == 408
    assert headers["connection"] == "close"
    assert code_of(body) == "REQUEST_TIMEOUT"
    assert BODY_SECONDS - 0.1 < seconds < BODY_SECONDS + LATE


def test_a_slow_body_answered_without_reading_it_is_closed_in_time(server: Server) -> None:
    sock = connect(server)
    sock.sendall(request("/api/v1/messages", "", body_length=1000))  # no key: 401 at once
    raw, seconds = trickle(sock, b"[" + b" " * 999)
    assert answer(raw)[0] == 401
    assert BODY_SECONDS - 0.1 < seconds < BODY_SECONDS + LATE


def test_a_quick_client_is_not_hurried(server: Server) -> None:
    headers = {"authorization": f"Bearer {server.token}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", headers=headers) as client:
        assert client.get("/api/v1/summary").status_code == 200
        time.sleep(HEADER_SECONDS + 0.5)  # idle on a kept connection longer than the headers' limit
        assert client.get("/api/v1/summary").status_code == 200


def test_one_address_holds_at_most_its_share_of_connections(server: Server) -> None:
    held = [connect(server, "127.0.0.2") for _ in range(CAP)]
    try:
        status, headers, body = answer(until_closed(connect(server, "127.0.0.2")))
        assert status == 429
        assert headers["retry-after"] == "1"
        assert body["error"]["code"] == "RATE_LIMITED"
        assert f"at most {CAP}" in body["error"]["message"]
        other = connect(server, "127.0.0.3")  # another address is not refused
        other.sendall(request("/healthz", method="GET"))
        assert other.recv(65536).startswith(b"HTTP/1.1 200")
        other.close()
    finally:
        held.pop().close()
    time.sleep(0.2)
    again = connect(server, "127.0.0.2")  # one closed: one more may open
    again.sendall(request("/healthz", method="GET"))
    assert again.recv(65536).startswith(b"HTTP/1.1 200")
    for sock in [again, *held]:
        sock.close()


def test_open_files_stay_bounded_under_many_slow_clients(server: Server) -> None:
    httpx.get(f"http://127.0.0.1:{server.port}/healthz")
    before = server.open_files()
    sources = [f"127.0.1.{n}" for n in range(1, 6)]
    slow = [connect(server, source) for source in sources for _ in range(4 * CAP)]  # 160 connections
    try:
        for sock in slow:
            with contextlib.suppress(OSError):  # refused at once: over its address's share
                sock.send(b"G")  # one byte, then nothing
        time.sleep(0.5)
        assert server.open_files() <= before + len(sources) * CAP + 2
        time.sleep(HEADER_SECONDS + LATE)
        assert server.open_files() <= before + 2  # all timed out and closed
        answers = [until_closed(sock, 5) for sock in slow]
    finally:
        for sock in slow:
            sock.close()
    assert sum(a.startswith(b"HTTP/1.1 408") for a in answers) == len(sources) * CAP
    assert sum(a.startswith(b"HTTP/1.1 429") for a in answers) == len(slow) - len(sources) * CAP


def test_under_uvicorn_the_protocol_reads_the_environment(dsn: str) -> None:
    org = f"slow-{uuid.uuid4().hex[:8]}"
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "api.app:from_env", "--port", str(port),
        "--log-level", "warning", "--http", "api.connections:GuardedHttp",
    ]  # fmt: skip
    with serving(command, limits(dsn, org, cap=2), port, "") as running:
        held = [connect(running), connect(running)]
        assert answer(until_closed(connect(running)))[0] == 429
        started = time.monotonic()
        assert answer(until_closed(held[0]))[0] == 408
        assert time.monotonic() - started < HEADER_SECONDS + LATE
        held[1].close()


async def test_a_client_gone_mid_body_is_logged_499_not_as_an_error(
    state: AppState, admin_token: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(state.settings, state=state)
    arriving: list[Message] = [{"type": "http.request", "body": b"[", "more_body": True}, {"type": "http.disconnect"}]

    async def receive() -> Message:
        return arriving.pop(0) if arriving else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        pass

    headers = [(b"authorization", f"Bearer {admin_token}".encode()), (b"content-type", b"application/json")]
    scope = {"type": "http", "method": "POST", "path": "/api/v1/messages", "headers": headers, "query_string": b""}
    with caplog.at_level(logging.INFO):
        await app({**scope, "client": ("192.0.2.9", 4000), "http_version": "1.1", "root_path": ""}, receive, send)
    assert [r.levelname for r in caplog.records if r.levelno >= logging.WARNING] == []
    (logged,) = [r for r in caplog.records if r.name == "mailflow.requests"]
    assert getattr(logged, "fields", {})["status"] == 499
