"""Following a live log (`--follow`): read the file, then keep reading what is appended, across
rotation (the name pointing at a new file) and truncation, in small time-bounded batches."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path


class Follower:
    def __init__(self, path: Path, poll_seconds: float = 0.5) -> None:
        self.path = path
        self.poll = poll_seconds
        self.stream = path.open("rb")
        self.inode = os.fstat(self.stream.fileno()).st_ino
        self.number = 0
        self.partial = b""

    def _rotated(self) -> bool:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return False  # between the rename and the new file: keep the old one for now
        return stat.st_ino != self.inode or stat.st_size < self.stream.tell()

    def _drain(self, limit: int) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        while len(out) < limit:
            chunk = self.stream.readline()
            if not chunk:
                break
            if not chunk.endswith(b"\n"):  # a line still being written: wait for the rest
                self.partial += chunk
                break
            chunk, self.partial = self.partial + chunk, b""
            self.number += 1
            out.append((self.number, chunk.decode("utf-8", "replace").rstrip("\r\n")))
        return out

    def batches(
        self, stop: threading.Event, max_lines: int = 5000, max_wait: float = 1.0
    ) -> Iterator[list[tuple[int, str]]]:
        """Lists of new lines: at most `max_lines`, or whatever arrived within `max_wait` seconds, until
        `stop` is set."""
        while not stop.is_set():
            lines = self._drain(max_lines)
            deadline = time.monotonic() + max_wait
            while len(lines) < max_lines and time.monotonic() < deadline and not stop.is_set():
                if self._rotated():
                    lines += self._drain(max_lines - len(lines))  # the rest of the old file first
                    self.stream.close()
                    self.stream = self.path.open("rb")
                    self.inode = os.fstat(self.stream.fileno()).st_ino
                    self.partial = b""
                time.sleep(self.poll)
                lines += self._drain(max_lines - len(lines))
            yield lines

    def close(self) -> None:
        self.stream.close()
