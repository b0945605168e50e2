"""The embedded PostgreSQL run by root: a no-login system user runs it, on data under /var/lib/mailflow,
and no folder that existed before is opened to other users."""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import stat
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from db import embedded_root
from db.embedded import EmbeddedError, EmbeddedPostgres, package_bin_dir

ROOT = Path(__file__).resolve().parent.parent.parent
needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="only root runs PostgreSQL as a system user (a normal user runs it as itself)"
)


def _modes(paths: list[Path]) -> dict[Path, int]:
    return {path: path.stat().st_mode for path in paths}


def _ids(pid: int) -> dict[str, list[int]]:
    """Real, effective, saved and filesystem ids of a process, and its supplementary groups."""
    ids = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, values = line.partition(":")
        if name in ("Uid", "Gid", "Groups"):
            ids[name] = [int(v) for v in values.split()]
    return ids


@pytest.fixture
def closed_parent(tmp_path: Path) -> Path:
    """A folder of mode 0700 that will hold MAILFLOW_HOME."""
    parent = tmp_path / "private"
    parent.mkdir(mode=0o700)
    os.chmod(parent, 0o700)
    return parent


@needs_root
def test_root_opens_no_folder_and_runs_postgres_as_a_no_login_user(closed_parent: Path) -> None:
    home = closed_parent / "home"
    package = package_bin_dir()
    watched = [closed_parent, *closed_parent.parents, package, *package.parents, package.parent / "lib"]
    before = _modes(watched)
    server = EmbeddedPostgres(home / "pgdata")
    try:
        server.start()
        assert stat.S_IMODE(closed_parent.stat().st_mode) == 0o700
        assert _modes(watched) == before, "a folder that existed before changed its permissions"

        entry = pwd.getpwnam(embedded_root.SYSTEM_USER)
        assert Path(entry.pw_shell).name in ("nologin", "false"), f"{entry.pw_name} may log in: {entry.pw_shell}"
        assert entry.pw_uid != 0
        pid = server.postmaster_pid()
        assert pid is not None
        ids = _ids(pid)
        assert set(ids["Uid"]) == {entry.pw_uid}
        assert set(ids["Gid"]) == {entry.pw_gid}, "PostgreSQL kept root's group"
        assert set(ids["Groups"]) <= {entry.pw_gid}, "PostgreSQL kept root's supplementary groups"
        assert Path(os.readlink(f"/proc/{pid}/exe")).is_relative_to(embedded_root.BASE)

        assert server.pgdata.is_relative_to(embedded_root.DATA)
        assert not server.pgdata.is_relative_to(home)
        data = server.pgdata.stat()
        assert (data.st_uid, stat.S_IMODE(data.st_mode)) == (entry.pw_uid, 0o700)
        base = embedded_root.BASE.stat()
        assert base.st_uid == 0
        assert not base.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        assert server.socket_dir == server.pgdata
        # the data directory is the only thing PostgreSQL's user owns on the way
        assert [p for p in server.pgdata.parents if p.stat().st_uid == entry.pw_uid] == [embedded_root.DATA]
    finally:
        server.close()
        server.remove_data()
    assert not server.pgdata.exists()


@needs_root
def test_binaries_in_a_folder_only_root_may_enter_are_copied_not_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A virtual environment under /root (mode 0700): PostgreSQL runs from a root-owned copy of what it
    needs, and the environment's folder stays closed."""
    site = tmp_path / "root-only" / "site-packages"
    real = package_bin_dir().parent.parent.parent
    for part in (*embedded_root.PACKAGE_PARTS, embedded_root.BIN):
        if (real / part).is_dir():
            shutil.copytree(real / part, site / part, symlinks=True)
    os.chmod(tmp_path / "root-only", 0o700)
    base = embedded_root.BASE / f"test-{uuid.uuid4().hex[:8]}"  # a fresh install, beside the real one
    monkeypatch.setattr(embedded_root, "package_bin_dir", lambda: site / embedded_root.BIN)
    monkeypatch.setattr(embedded_root, "BASE", base)
    try:
        base.mkdir(mode=0o755)
        entry = embedded_root.system_user()
        copy = embedded_root.install_binaries(entry)
        assert copy.is_relative_to(base)
        assert stat.S_IMODE((tmp_path / "root-only").stat().st_mode) == 0o700
        for path in [copy, *copy.parents]:
            if path.is_relative_to(base):
                assert (path.stat().st_uid, stat.S_IMODE(path.stat().st_mode)) == (0, 0o755)
        ran = subprocess.run(
            [str(copy / "initdb"), "--version"], capture_output=True, text=True, **embedded_root.run_as(entry)
        )
        assert ran.returncode == 0, ran.stderr
        assert embedded_root.install_binaries(entry) == copy  # installed once
    finally:
        shutil.rmtree(base, ignore_errors=True)


@needs_root
def test_data_an_earlier_mailflow_left_in_the_home_is_used_where_it_is() -> None:
    """Before, root ran PostgreSQL on MAILFLOW_HOME/pgdata as the user `embedded_postgres`, after opening
    every folder above it. Such data stays where it is and runs as the user that owns it; a folder closed
    to that user since is reported, not opened."""
    parent = Path(tempfile.mkdtemp(prefix="mailflow-legacy-", dir="/tmp"))  # /tmp: open to every user
    os.chmod(parent, 0o755)  # as the earlier mailflow left it
    entry = embedded_root.system_user()  # any user without a login shell stands for `embedded_postgres`
    pgdata = parent / "home" / "pgdata"
    servers: list[EmbeddedPostgres] = []
    try:
        pgdata.mkdir(parents=True, mode=0o700)
        os.chown(pgdata, entry.pw_uid, entry.pw_gid)
        bin_dir = embedded_root.install_binaries(entry)
        subprocess.run(
            [str(bin_dir / "initdb"), "-D", str(pgdata), "--auth=trust", "-U", "postgres"],
            check=True,
            capture_output=True,
            **embedded_root.run_as(entry),
        )
        servers.append(EmbeddedPostgres(pgdata))
        assert (servers[0].pgdata, servers[0].user) == (pgdata, entry.pw_name)
        before = _modes([parent, *parent.parents])
        servers[0].start()
        assert servers[0].started_here
        assert _modes([parent, *parent.parents]) == before
        servers[0].close()

        os.chmod(parent, 0o700)
        servers.append(EmbeddedPostgres(pgdata))
        with pytest.raises(EmbeddedError, match=f"cannot reach {pgdata}: {parent} is closed"):
            servers[1].start()
        assert stat.S_IMODE(parent.stat().st_mode) == 0o700
    finally:
        for server in servers:
            server.close()
        if servers:
            servers[0].remove_data()
        shutil.rmtree(parent, ignore_errors=True)


def test_the_readme_says_where_root_keeps_the_data_of_a_home(tmp_path: Path) -> None:
    """The README's shell lines that name a home's data directory (to move older data there) agree with the code."""
    readme = (ROOT / "README.md").read_text()
    lines = [line for line in readme.splitlines() if line.startswith(("name=$(basename", "target=/var/lib/mailflow"))]
    assert len(lines) == 2
    for name in ("mailflow", "mail flow-\u00e9t\u00e9", "x" * 60):
        home = tmp_path / name
        script = "\n".join([f"home={shlex.quote(str(home))}", *lines, 'printf %s "$target"'])
        named = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True).stdout
        assert Path(named) == embedded_root.data_directory(home / "pgdata")
