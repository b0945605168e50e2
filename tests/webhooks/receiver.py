"""A real HTTP receiver on loopback for webhook tests, verifying signatures as the README tells a receiver to."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson

README = Path(__file__).resolve().parent.parent.parent / "README.md"


def readme_verify() -> Callable[[str, dict[str, str], bytes], bool]:
    """The README's receiver check (its python block), as a receiver would copy it."""
    (block,) = re.findall(r"^```python\n(.*?)^```$", README.read_text(), re.DOTALL | re.MULTILINE)
    namespace: dict[str, Any] = {}
    exec(block, namespace)
    check: Callable[[str, dict[str, str], bytes], bool] = namespace["verify"]
    return check


verify = readme_verify()


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return orjson.loads(self.body)


@dataclass
class Receiver:
    url: str
    answers: list[int] = field(default_factory=list)  # the statuses to answer in turn; then 200
    received: list[Received] = field(default_factory=list)
    delay: float = 0.0  # seconds before answering
    location: str = ""  # answered with a 3xx
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def arrived(self, count: int, seconds: float = 10) -> list[Received]:
        """Wait (without blocking the event loop) until `count` requests have come."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            await asyncio.sleep(0.02)
        raise AssertionError(f"{len(self.received)} request(s) received within {seconds} s, expected {count}")

    def wait_for(self, count: int, seconds: float = 10) -> list[Received]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"{len(self.received)} request(s) received within {seconds} s, expected {count}")


@contextmanager
def receiver(host: str = "127.0.0.1") -> Iterator[Receiver]:
    state = Receiver("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            with state.lock:
                state.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body, time.time()))
                status = state.answers.pop(0) if state.answers else 200
            if state.delay:
                time.sleep(state.delay)
            try:
                self.send_response(status)
                if state.location:
                    self.send_header("location", state.location)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:  # the sender gave up waiting (a timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False  # a request still waiting (a delay) does not hold the test up
    state.url = f"http://{host}:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
