"""One `mailflow serve` per MAILFLOW_HOME on the embedded PostgreSQL.

`serve` holds an exclusive lock (flock) on MAILFLOW_HOME/serve.lock for as long as it runs, with its pid
and address in the file; a second `serve` on the same home finds the lock taken and refuses to start,
naming the first. The kernel drops the lock when its process ends, however it ends, so a crashed server
never blocks a restart. Against DATABASE_URL any number of `serve` processes may run: nothing to guard.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = "serve.lock"


class ServeRunning(RuntimeError):
    """Another `mailflow serve` runs on this MAILFLOW_HOME."""


def _owner(fd: int) -> str:
    deadline = time.monotonic() + 1  # the owner writes right after taking the lock
    while True:
        try:
            owner = json.loads(os.pread(fd, 4096, 0))
            return f"pid {owner['pid']}, {owner['address']}"
        except (ValueError, KeyError, TypeError):
            if time.monotonic() > deadline:
                return "pid unknown"
            time.sleep(0.05)


@contextmanager
def serving(home: Path, address: str) -> Iterator[None]:
    """Claim `home` for this `serve` (listening on `address`) until the block ends."""
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ServeRunning(
                f"another `mailflow serve` ({_owner(fd)}) is already running on MAILFLOW_HOME {home}: "
                "stop it first, or give this one another MAILFLOW_HOME"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "address": address}).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock
