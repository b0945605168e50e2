"""The benchmarks' process harness refuses to measure a server it did not start."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest

from bench.common import process_answering


class Ready(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_port_already_answering_is_refused_before_anything_starts() -> None:
    server = HTTPServer(("127.0.0.1", 0), Ready)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/readyz"
    try:
        harness = process_answering([sys.executable, "-c", "pass"], {}, lambda: httpx.get(url, timeout=1), "the server")
        with pytest.raises(SystemExit, match="already answers"), harness:
            pass
    finally:
        server.shutdown()
        server.server_close()


def test_a_process_that_exits_before_answering_is_reported_at_once() -> None:
    command = [sys.executable, "-c", "raise SystemExit(3)"]
    harness = process_answering(command, {}, lambda: httpx.get("http://127.0.0.1:9/readyz", timeout=1), "the server")
    with pytest.raises(SystemExit, match="exited with status 3"), harness:
        pass
