"""Postfix mail logs to message records.

Inbound: an smtpd process logs its connection (`connect from`), the TLS handshake (`... TLS connection
established from host[ip]: TLSv1.3 with cipher ...`) and the queue ID of each message it receives
(`QUEUEID: client=host[ip]`); a message takes its connection's TLS version. Without a TLS line, the
`disconnect from ... starttls=1` counters (Postfix 3.0+) or a `setting up TLS connection` line tell
that STARTTLS was used (bucket `unknown`); otherwise the message came without TLS. A record is emitted
when its connection ends (or at the end of the input).

Outbound: an smtp process logs `... TLS connection established to host[ip]:25: TLSv1.2 ...`; each
delivery (`QUEUEID: to=<...>, relay=host[ip]:25, ..., status=sent|deferred|bounced`) over that endpoint
takes its version, also on a reused connection (`conn_use=N`, possibly by another process, or through
tlsproxy). Plain deliveries are `none`. One record per delivery attempt and recipient.

Client submission: messages received by a submission or smtps listener (`postfix/submission/smtpd`,
`postfix/smtps/smtpd`, `postfix/submissions/smtpd`) or from an authenticated client (`sasl_username=`)
are a user's mail client handing mail over, not mail from the internet: direction `submission`.

Honest buckets: a session without a TLS line is `none` only where the log shows TLS lines for that side
(`TLS connection established from` for smtpd, `... to` for smtp; `tls_logged`), or the smtpd
disconnect counters show that STARTTLS was never issued; otherwise TLS is not logged for that side
(`smtpd_tls_loglevel`/`smtp_tls_loglevel = 0`) and the message is `unknown`, counted in `unlogged`.

Every line is accounted for: `feed` counts it as used (it made a record or carried what records need)
or skipped under a named reason. A line with a queue ID and `status=` that makes no record and has no
other reason is a "delivery line not understood", with its line number kept (the first few).

Skipped (by default): loopback clients and relays (content-filter re-injection), local, virtual, lmtp
and pipe deliveries, relay=none (no connection was made), address-verification probes.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from api.importers.lines import NONE, NOT_UNDERSTOOD, USED, CountedParser, Records, Result, Server
from api.importers.syslog import parse_line, service

_Q = r"([0-9A-Za-z]{5,20})"
_TRUST = r"^(?:Anonymous|Untrusted|Trusted|Verified) TLS connection (?:established|reused)"
# `from host[ip]`, `from [ip]:port` (tlsproxy), and ` to sni.name` when the client sent an SNI the server took
_TLS_FROM = re.compile(_TRUST + r" from ([^\[\s]*)\[([^\]]+)\](?::\d+)?(?: to \S+?)?:?\s+(\S+) with cipher (\S+)")
# outbound, with the trust Postfix states: Verified (the certificate matched the policy), Trusted, Untrusted or
# Anonymous (TLS without verification)
_TLS_TO = re.compile(
    r"^(Anonymous|Untrusted|Trusted|Verified) TLS connection (?:established|reused)"
    r" to ([^\[\s]*)\[([^\]]+)\](?::(\d+))?:?\s+(\S+) with cipher (\S+)"
)
# a delivery refused or deferred because TLS was required and not offered or not verified
_TLS_REQUIRED = re.compile(r"TLS is required, but was not offered|Server certificate not verified")
_DATA = re.compile(r"\b(?:data|bdat)=(\d+)")
_CLEANUP_REJECT = re.compile(rf"^{_Q}: (?:milter-reject|reject): ")
_CONNECT = re.compile(r"^connect from ([^\[\s]*)\[([^\]]+)\]")
_DISCONNECT = re.compile(r"^disconnect from ([^\[\s]*)\[([^\]]+)\](.*)$")
_STARTTLS = re.compile(r"\bstarttls=([0-9]+)")
_SETUP_TLS = re.compile(r"^setting up TLS connection from")
_CLIENT = re.compile(rf"^{_Q}: client=([^\[\s]*)\[([^\]]+)\]")
_MESSAGE_ID = re.compile(rf"^{_Q}: message-id=<?([^>\s]*)>?")
_ADDRESS = r"(?:<([^>]*)>|([^,\s<>]*))"  # <user@example.com>, or bare as spreadsheets leave it
_FROM = re.compile(rf"^{_Q}: from={_ADDRESS},(?: size=([0-9]+))?")
_DELIVERY = re.compile(
    rf"^{_Q}: to={_ADDRESS},(?: orig_to=(?:<[^>]*>|[^,\s<>]*),)? relay=([^,\s]+),(?: conn_use=(\d+),)?"
    r".*?\bstatus=(\w+)"
)
_STATUS_LINE = re.compile(rf"^{_Q}: .*\bstatus=")
_REMOVED = re.compile(rf"^{_Q}: removed")
_PROXY_ACCEPT = re.compile(r"^proxy-accept: .*?queued as ([0-9A-Za-z]{5,20})")
_ENDPOINT = re.compile(r"^([^\[]*)\[([^\]]+)\](?::(\d+))?$")
LOCAL_SERVICES = frozenset({"local", "virtual", "lmtp", "pipe"})
SUBMISSION_LISTENERS = frozenset({"submission", "submissions", "smtps"})
IMPLICIT_TLS_LISTENERS = frozenset({"submissions", "smtps"})
PROBES = frozenset({"deliverable", "undeliverable"})
_CACHE = 100_000  # queue IDs remembered at most (constant memory on any log size)


@functools.lru_cache(maxsize=50_000)  # logs repeat few peers
def address(ip: str | None) -> str | None:
    """The address if it is one (logs also say `unknown`, or munge them), else None."""
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip.split("%", 1)[0]))
    except ValueError:
        return None


_service = functools.lru_cache(maxsize=1024)(service)  # the few program names of a log


@functools.lru_cache(maxsize=1024)
def instance(program: str | None) -> str | None:
    """The Postfix instance of a program name: postfix-out/smtp -> postfix-out (its own main.cf)."""
    return program.split("/", 1)[0] if program else None


@functools.lru_cache(maxsize=1024)
def listener(program: str | None) -> str | None:
    """The master.cf service an smtpd runs as, when it is a client listener: postfix/submission/smtpd ->
    submission; postfix/smtps/smtpd -> smtps; None for the port 25 smtpd."""
    if program is None:
        return None
    parts = program.split("/")
    return next((p for p in parts[1:-1] if p in SUBMISSION_LISTENERS), None)


def _loopback(ip: str) -> bool:
    if ip[:1].isdigit() and "." in ip:  # the common case, IPv4, without the cost of ipaddress
        return ip.startswith("127.")
    try:
        return ipaddress.ip_address(ip.split("%", 1)[0]).is_loopback
    except ValueError:
        return ip.startswith(("private/", "public/", "unix:"))


@dataclass
class Tls:
    host: str
    ip: str
    version: str
    cipher: str
    security: str | None = None  # outbound: verified or opportunistic, as the TLS line says


@dataclass
class Inbound:
    line: int
    queue_id: str
    time: datetime
    host: str
    ip: str
    tls: Tls | None
    submission: bool
    server: Server  # the syslog host and Postfix instance that received it


@dataclass
class Connection:
    tls: Tls | None = None
    starttls: bool = False  # STARTTLS was used (or the listener speaks TLS from the start)
    counted: bool = False  # the disconnect counters were logged: no `starttls=` there means no STARTTLS
    accepted: int | None = None  # DATA/BDAT commands that succeeded, by those counters
    messages: list[Inbound] = field(default_factory=list)


class Bounded(OrderedDict[str, Any]):
    def remember(self, key: str, value: Any) -> None:
        self[key] = value
        if len(self) > _CACHE:
            self.popitem(last=False)


class PostfixParser(CountedParser):
    def _begin(self) -> None:
        self.refused = Bounded()  # queue IDs cleanup refused (milter, header or body checks): never received
        self.removed = Bounded()  # queue IDs of open smtpd sessions -> whether qmgr has removed them already
        self.connections: dict[tuple[str | None, str | None, str | None], Connection] = {}
        self.message_ids = Bounded()
        self.senders = Bounded()
        self.smtp_tls: dict[tuple[str | None, str | None, str | None], Tls] = {}
        self.endpoint_tls = Bounded()

    # -- records -------------------------------------------------------------------------------------

    def _inbound_record(self, m: Inbound, conn: Connection) -> tuple[int, dict[str, Any]]:
        if m.tls is not None:
            version, cipher = m.tls.version, m.tls.cipher
        else:
            version, cipher = ("TLS" if conn.starttls else self._no_tls("inbound", conn.counted, m.server)), None
        sender, size = self.senders.get(m.queue_id, (None, None))
        # a message a before-queue filter never named: its client, time and line identify it
        queue_id = m.queue_id if m.queue_id != "NOQUEUE" else f"NOQUEUE {m.ip} {m.time.isoformat()} {m.line}"
        return m.line, {
            "message_id": self.message_ids.get(m.queue_id) or queue_id,
            "received_at": m.time,
            "direction": "submission" if m.submission else "inbound",
            "tls_version": version,
            "cipher": cipher,
            "sender": sender or None,
            "remote_host": m.host or None,
            "remote_ip": address(m.ip),
            "size_bytes": size,
            "status": "received",
        }

    def _close(self, key: tuple[str | None, str | None, str | None]) -> Records:
        conn = self.connections.pop(key, None)
        if conn is None or not conn.messages:
            return NONE
        received = [m for m in conn.messages if m.queue_id not in self.refused]
        self.not_received += len(conn.messages) - len(received)
        records: Records = NONE
        if conn.accepted == 0:  # the counters say no DATA succeeded: no message was received
            self.not_received += len(received)
        else:
            records = [self._inbound_record(m, conn) for m in received]
        for m in conn.messages:
            if self.removed.pop(m.queue_id, None):  # qmgr was done with it first: forget it now
                self._forget(m.queue_id)
        return records

    def _saw_tls(self, side: str, host: str | None, program: str | None) -> None:
        """A TLS line of this side: the lines so far show it (stdin, --follow), for this server too."""
        self.tls_logged[side] = True
        if self.tls_servers is not None:
            self.tls_servers.add(side, (host, instance(program)))

    def _forget(self, queue_id: str) -> None:
        self.message_ids.pop(queue_id, None)
        self.senders.pop(queue_id, None)

    # -- lines ---------------------------------------------------------------------------------------

    def _read(self, number: int, text: str) -> Result:
        line = parse_line(text, self.years)
        if line.program is not None and "postfix" not in line.program:
            return NONE, "not a Postfix line"
        svc = _service(line.program)
        msg = line.message
        key = (line.host, line.program, line.pid)
        when = line.time or self.default_time
        # Cheap substring tests pick the one pattern worth trying (most lines are one of these).
        if svc in (None, "smtpd"):
            if msg.startswith("connect from "):
                closed = self._close(key)
                self.connections[key] = Connection(starttls=listener(line.program) in IMPLICIT_TLS_LISTENERS)
                return closed, None
            if msg.startswith("disconnect from ") and (match := _DISCONNECT.match(msg)):
                ending = self.connections.get(key)
                if ending is not None:
                    tail = match.group(3)
                    counters = _STARTTLS.search(tail)
                    if counters and counters.group(1).strip("0"):  # not 0 (without int() of 5,000 digits)
                        ending.starttls = True
                    ending.counted = "commands=" in tail
                    if ending.counted:
                        ending.accepted = sum(int(n) for n in _DATA.findall(tail))
                return self._close(key), None
            if " client=" in msg and (match := _CLIENT.match(msg)):
                queue_id, host, ip = match.groups()
                if _loopback(ip) and not self.keep_local:
                    return NONE, "loopback client (content filter or local submission)"
                conn = self.connections.get(key)
                if conn is None:
                    conn = self.connections[key] = Connection(starttls=listener(line.program) in IMPLICIT_TLS_LISTENERS)
                submission = listener(line.program) is not None or "sasl_username=" in msg
                server = (line.host, instance(line.program))
                conn.messages.append(Inbound(number, queue_id, when, host, ip, conn.tls, submission, server))
                self.removed.remember(queue_id, False)  # received in a session still open
                return USED
            if " TLS connection " in msg and " from " in msg and (match := _TLS_FROM.match(msg)):
                host, ip, version, cipher = match.groups()
                self.connections.setdefault(key, Connection()).tls = Tls(host, ip, version, cipher)
                self._saw_tls("inbound", line.host, line.program)
                return USED
            if msg.startswith("setting up TLS connection from"):
                self.connections.setdefault(key, Connection()).starttls = True
                self._saw_tls("inbound", line.host, line.program)
                return USED
            if msg.startswith("proxy-"):  # a before-queue content filter: NOQUEUE until it says
                current = self.connections.get(key)
                waiting = [m for m in current.messages if m.queue_id == "NOQUEUE"] if current else []
                if current and waiting and (match := _PROXY_ACCEPT.match(msg)):
                    waiting[-1].queue_id = match.group(1)
                    self.removed.remember(match.group(1), False)
                    return USED
                if current and waiting and msg.startswith("proxy-reject"):
                    current.messages.remove(waiting[-1])
                    return NONE, "refused by the before-queue content filter"
                return NONE, "other Postfix line"
        if " TLS connection " in msg:
            if svc in ("tlsproxy", "postscreen") and _TLS_FROM.match(msg):
                self._saw_tls("inbound", line.host, line.program)
                return NONE, "TLS handshake logged by tlsproxy/postscreen (counted with smtpd)"
            if svc in (None, "smtp", "lmtp", "tlsproxy") and (match := _TLS_TO.match(msg)):
                trust, host, ip, port, version, cipher = match.groups()
                tls = Tls(host, ip, version, cipher, "verified" if trust == "Verified" else "opportunistic")
                if svc != "tlsproxy":
                    self.smtp_tls[key] = tls
                self.endpoint_tls.remember(f"{host.lower()}[{ip}]:{port or 25}", tls)
                self._saw_tls("outbound", line.host, line.program)
                return USED
        if ", relay=" in msg and (match := _DELIVERY.match(msg)):
            return self._delivery(number, when, svc, key, match)
        if svc == "cleanup" and "reject: " in msg and (match := _CLEANUP_REJECT.match(msg)):
            self.refused.remember(match.group(1), True)  # the client was refused: no message was received
            return NONE, "message refused before queueing (milter, header or body check)"
        if "message-id=" in msg and (match := _MESSAGE_ID.match(msg)):
            self.message_ids.remember(match.group(1), match.group(2))
            return USED
        if "status=" in msg and ("to=" in msg or _STATUS_LINE.match(msg)):  # a delivery no pattern reads
            if "status=expired" in msg:
                return NONE, "message expired in the queue (its delivery attempts are counted)"
            return NONE, NOT_UNDERSTOOD
        if "from=" in msg and (match := _FROM.match(msg)):
            size = match.group(4)
            self.senders.remember(
                match.group(1), (match.group(2) or match.group(3), int(size) if size and len(size) <= 18 else None)
            )
            return USED
        if msg.endswith(": removed") and (match := _REMOVED.match(msg)):
            queue_id = match.group(1)
            if queue_id in self.removed:  # its smtpd session has not ended: forget it when it does
                self.removed[queue_id] = True
            else:
                self._forget(queue_id)
            return USED
        return NONE, ("other Postfix line" if line.program or line.time else "not understood")

    def _delivery(self, number: int, when: datetime, svc: str | None, key: Any, match: re.Match[str]) -> Result:
        queue_id, bracketed, bare, relay, conn_use, status = match.groups()
        recipient = bracketed if bracketed is not None else bare
        if status in PROBES:
            return NONE, "address verification probe"
        if relay == "none":
            return NONE, "delivery attempt without a connection (relay=none)"
        endpoint = _ENDPOINT.match(relay)
        local = svc in LOCAL_SERVICES or endpoint is None or _loopback(endpoint.group(2))
        if local and not self.keep_local:
            return NONE, "local delivery (local, virtual, lmtp, pipe, loopback)"
        host, ip, port = endpoint.groups() if endpoint else (relay, None, None)
        tls = self.smtp_tls.get(key)
        if tls is None or tls.ip != ip or tls.host.lower() != (host or "").lower():
            tls = (
                self.endpoint_tls.get(f"{(host or '').lower()}[{ip}]:{port or 25}") if conn_use or svc is None else None
            )
        sender, size = self.senders.get(queue_id, (None, None))
        mid = self.message_ids.get(queue_id) or queue_id
        blocked = _TLS_REQUIRED.search(match.string) if status != "sent" else None
        return [
            (
                number,
                {
                    "message_id": f"{mid} to {recipient}",
                    "received_at": when,
                    "direction": "outbound",
                    "tls_version": tls.version if tls else self._no_tls("outbound", server=(key[0], instance(key[1]))),
                    "cipher": tls.cipher if tls else None,
                    "sender": sender or None,
                    "recipient": recipient or None,
                    "remote_host": host or None,
                    "remote_ip": address(ip),
                    "size_bytes": size,
                    "status": status,
                    "tls_security": tls.security if tls else None,
                    "blocked_reason": blocked.group(0) if blocked else None,
                },
            )
        ], None

    def finish(self) -> Records:
        """Messages whose connection did not end inside the input."""
        return [record for key in list(self.connections) for record in self._close(key)]


def parse_postfix(lines: Iterable[tuple[int, str]], parser: PostfixParser) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, text in lines:
        yield from parser.feed(number, text)
    yield from parser.finish()
