"""A real IMAP server for the tests: Dovecot from Debian's packages (`.ci/run` installs dovecot-imapd),
started on loopback with its own configuration, a test user, and TLS from a certificate made here.

It needs `dovecot` on PATH and root (to start Dovecot's processes under their own users); the tests that
use it fail, never skip, where it cannot start, as CI installs and runs it."""

from __future__ import annotations

import imaplib
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.cli.helpers import free_port

USER, PASSWORD = "reports", "s3cret-pass"


@dataclass(frozen=True)
class Imap:
    port: int  # IMAPS (TLS from the first byte)
    starttls_port: int
    ca_file: str  # the certificate to trust
    home: Path

    def client(self, user: str = USER) -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cafile=self.ca_file)
        client = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=context, timeout=10)
        client.login(user, PASSWORD)
        return client

    def append(self, message: bytes, folder: str = "INBOX", user: str = USER) -> None:
        client = self.client(user)
        try:
            client.create(f'"{folder}"')
            status, _ = client.append(f'"{folder}"', None, None, message)
            assert status == "OK"
        finally:
            client.logout()

    def create(self, folder: str, user: str = USER) -> None:
        client = self.client(user)
        try:
            client.create(f'"{folder}"')
        finally:
            client.logout()

    def uids(self, folder: str = "INBOX", user: str = USER, query: str = "ALL") -> list[int]:
        client = self.client(user)
        try:
            if client.select(f'"{folder}"')[0] != "OK":
                return []
            return [int(u) for u in client.uid("SEARCH", query)[1][0].split()]
        finally:
            client.logout()


def _certificate(directory: Path) -> None:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip


def _config(directory: Path, port: int, starttls_port: int, users: list[str]) -> Path:
    (directory / "passwd").write_text("".join(f"{u}:{{PLAIN}}{PASSWORD}::::::\n" for u in users))
    config = directory / "dovecot.conf"
    config.write_text(f"""
base_dir = {directory}/run
state_dir = {directory}/run/state
log_path = {directory}/dovecot.log
instance_name = mailflow-test-{uuid.uuid4().hex[:8]}
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{directory}/cert.pem
ssl_key = <{directory}/key.pem
auth_mechanisms = plain login
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {directory}/passwd
}}
userdb {{
  driver = static
  args = uid=65534 gid=65534 home={directory}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {starttls_port}
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
""")
    return config


@contextmanager
def dovecot(users: list[str] | None = None) -> Iterator[Imap]:
    """A Dovecot of its own in a new directory (one its users can reach: pytest's are the owner's only),
    stopped and removed at the end."""
    if shutil.which("dovecot") is None:
        raise RuntimeError("dovecot is not installed: apt-get install dovecot-imapd (.ci/run does)")
    directory = Path(tempfile.mkdtemp(prefix="mailflow-dovecot-"))
    directory.chmod(0o755)
    (directory / "home").mkdir()
    os.chown(directory / "home", 65534, 65534)  # the mail user's (nobody's)
    _certificate(directory)
    port, starttls_port = free_port(), free_port()
    config = _config(directory, port, starttls_port, users or [USER])
    subprocess.run(["dovecot", "-c", str(config)], check=True)
    imap = Imap(port, starttls_port, str(directory / "cert.pem"), directory / "home")
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                imap.client().logout()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError((directory / "dovecot.log").read_text()) from None
                time.sleep(0.1)
        yield imap
    finally:
        pid = int((directory / "run" / "master.pid").read_text())
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not (directory / "run" / "master.pid").exists():
                break
            time.sleep(0.05)
        shutil.rmtree(directory, ignore_errors=True)
