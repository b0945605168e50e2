"""One IMAP session with a mailbox (blocking: the poller runs each call in a thread).

The connection goes to the address that was checked (api/webhooks/targets.py's rules: public addresses
only, unless MAILFLOW_MAILBOX_ALLOW_PRIVATE=on), with the host's name for TLS SNI and the certificate check,
so a DNS answer that changes in between cannot steer it elsewhere. TLS is required unless the mailbox says
`none` (allowed only with private addresses allowed)."""

from __future__ import annotations

import contextlib
import imaplib
import re
import socket
import ssl
from dataclasses import dataclass
from typing import Any

DONE_KEYWORD = "$MailflowDone"  # `flag`: the keyword a processed message gets (with \Seen)
_SIZE = re.compile(rb"UID (\d+) RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+) UID (\d+)")


class MailboxFailed(Exception):
    """The mailbox could not be reached, logged into or used; the message says why (never the password)."""


@dataclass(frozen=True)
class Account:
    host: str
    port: int
    security: str  # tls, starttls or none
    username: str
    password: str
    folder: str
    processed: str  # move, flag or delete
    processed_folder: str
    error_folder: str


class _Plain(imaplib.IMAP4):
    def __init__(self, address: str, host: str, port: int, timeout: float) -> None:
        self.address = address
        super().__init__(host, port, timeout)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        return socket.create_connection((self.address, self.port), timeout)


class _Tls(imaplib.IMAP4_SSL):
    def __init__(self, address: str, host: str, port: int, context: ssl.SSLContext, timeout: float) -> None:
        self.address = address
        super().__init__(host, port, ssl_context=context, timeout=timeout)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        sock = socket.create_connection((self.address, self.port), timeout)
        wrapped: socket.socket = self.ssl_context.wrap_socket(sock, server_hostname=self.host)
        return wrapped


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ok(answer: tuple[str, Any], doing: str) -> Any:
    status, data = answer
    if status != "OK":
        said = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")[:200]
        raise MailboxFailed(f"{doing}: the server said {status} {said}".strip())
    return data


class Session:
    """A logged-in session, its folder selected."""

    def __init__(self, account: Account, address: str, timeout: float, ca_file: str) -> None:
        self.account = account
        self.ended = False  # the connection can no longer be used (an IDLE timed out)
        context = ssl.create_default_context(cafile=ca_file or None)
        try:
            if account.security == "tls":
                self.client: imaplib.IMAP4 = _Tls(address, account.host, account.port, context, timeout)
            else:
                self.client = _Plain(address, account.host, account.port, timeout)
        except ssl.SSLError as exc:
            raise MailboxFailed(f"TLS with {account.host}:{account.port} failed: {exc.reason or exc}") from None
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxFailed(f"could not connect to {account.host}:{account.port}: {exc}") from None
        try:
            if account.security == "starttls":
                self.client.starttls(context)
            try:
                self.client.login(account.username, account.password)
            except imaplib.IMAP4.error as exc:
                raise MailboxFailed(f"logging in as {account.username} failed: {exc}") from None
            self.uidvalidity = self.select(account.folder)
        except ssl.SSLError as exc:
            self.client.shutdown()
            raise MailboxFailed(f"TLS with {account.host}:{account.port} failed: {exc.reason or exc}") from None
        except BaseException:
            self.client.shutdown()
            raise

    def select(self, folder: str) -> int:
        _ok(self.client.select(_quoted(folder)), f"opening the folder {folder!r}")
        found = self.client.response("UIDVALIDITY")[1]
        return int(found[0]) if found and found[0] else 0

    def unprocessed(self) -> list[int]:
        """The UIDs of the folder's messages not yet deleted (and, with `flag`, not flagged by us)."""
        query = f"UNDELETED UNKEYWORD {DONE_KEYWORD}" if self.account.processed == "flag" else "UNDELETED"
        data = _ok(self.client.uid("SEARCH", query), "searching the folder")
        return sorted(int(u) for u in (data[0] or b"").split())

    def sizes(self, uids: list[int]) -> dict[int, int]:
        if not uids:
            return {}
        data = _ok(self.client.uid("FETCH", ",".join(map(str, uids)), "(RFC822.SIZE)"), "reading message sizes")
        found = {}
        for item in data:
            match = _SIZE.search(item if isinstance(item, bytes) else b"")
            if match:
                uid, size = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
                found[int(uid)] = int(size)
        return found

    def fetch(self, uid: int) -> bytes:
        data = _ok(self.client.uid("FETCH", str(uid), "(BODY.PEEK[])"), f"reading message {uid}")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                return bytes(item[1])
        raise MailboxFailed(f"message {uid} has no body")

    def ensure_folder(self, folder: str) -> None:
        self.client.create(_quoted(folder))  # NO when it exists already: fine

    def move(self, uid: int, folder: str) -> None:
        self.ensure_folder(folder)
        if "MOVE" in self.client.capabilities:
            _ok(self.client.uid("MOVE", str(uid), _quoted(folder)), f"moving message {uid} to {folder!r}")
            return
        _ok(self.client.uid("COPY", str(uid), _quoted(folder)), f"copying message {uid} to {folder!r}")
        self.delete(uid)

    def delete(self, uid: int) -> None:
        _ok(self.client.uid("STORE", str(uid), "+FLAGS", "(\\Deleted)"), f"deleting message {uid}")
        _ok(self.client.expunge(), "expunging")

    def finish(self, uid: int) -> None:
        """What the mailbox says to do with a processed message."""
        if self.account.processed == "move":
            self.move(uid, self.account.processed_folder)
        elif self.account.processed == "flag":
            flags = f"(\\Seen {DONE_KEYWORD})"
            _ok(self.client.uid("STORE", str(uid), "+FLAGS", flags), f"flagging message {uid}")
        else:
            self.delete(uid)

    def idle(self, seconds: float) -> bool:
        """Wait up to `seconds` for new mail with IMAP IDLE; False when the server does not offer IDLE."""
        if "IDLE" not in self.client.capabilities:
            return False
        # New mail the server announced in the answer to an earlier command (a mail appended while the last
        # one was being handled): IDLE would not announce it again, so the caller looks at the folder now.
        announced = [self.client.untagged_responses.pop(kind, None) for kind in ("EXISTS", "RECENT")]
        if any(announced):
            return True
        tag = self.client._new_tag().decode()
        self.client.send(f"{tag} IDLE\r\n".encode())
        if not self.client.readline().startswith(b"+"):
            raise MailboxFailed("the server refused IDLE")
        sock = self.client.socket()
        previous = sock.gettimeout()
        sock.settimeout(seconds)
        try:
            while True:
                line = self.client.readline()
                if not line:
                    raise MailboxFailed("the server closed the connection")
                if b"EXISTS" in line or b"RECENT" in line:
                    break
        except TimeoutError:
            # A timed-out socket cannot be read again: the session ends here (the poll that follows logs
            # in anew), which also bounds how long one session lasts.
            self.ended = True
            return True
        sock.settimeout(previous)
        self.client.send(b"DONE\r\n")
        while True:  # the untagged lines up to IDLE's own answer
            line = self.client.readline()
            if not line or line.startswith(tag.encode()):
                break
        return True

    def close(self) -> None:
        if not self.ended:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                self.client.logout()
                return
        with contextlib.suppress(OSError):
            self.client.shutdown()
