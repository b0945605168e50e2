"""Exim main logs to message records.

Arrivals (`<=`) over the network (`P=smtp|esmtp|esmtps|esmtpa|esmtpsa`, with `H=`) are inbound; deliveries
(`=>`, `->` for more recipients on the same connection, `**` failures and `==` deferrals that name a remote
`H=`) are outbound. The TLS version is the first part of `X=TLS1.2:CIPHER:BITS` (OpenSSL or GnuTLS names);
`P=esmtps` without `X=` means TLS of unknown version, as does a version the test harness munged
(`TLS1.x`); no `X=` means no TLS. Quoted values (`DN="CN=a, O=b"`, `C="250 ..."`) are set aside before the
fields are read. Exim's own timestamps (fractional seconds and a zone optional, `[pid]` optional) and
syslog-wrapped lines (`... exim[1234]: ...`) are both read. Loopback hosts, local submissions
(`P=local`) and local deliveries are skipped unless kept.

Client submission: an arrival from an authenticated client (`P=esmtpa`/`esmtpsa`, or an `A=`
authenticator) is a user's mail client handing mail over: direction `submission`. A failure or deferral
whose remote host is named only in the error text (`host NAME [IP]: 550 ...`, no `H=`) is a delivery to
that host. Exim states TLS (`X=`) on successful deliveries only: failures and deferrals are `unknown`.
Arrivals always say whether TLS was used (`P=esmtps`); a delivery without `X=` is `none` only where the
log shows `X=` on some delivery (Exim's default `log_selector` has `+tls_cipher`), else `unknown`,
counted in `unlogged`.
"""

from __future__ import annotations

import ipaddress
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from api.importers.lines import NONE, NOT_UNDERSTOOD, CountedParser, Records, Result
from api.importers.postfix import address
from api.importers.syslog import clean, parse_line
from api.tls import tls_bucket

_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(\.\d+)?(?: ([+-])(\d{2})(\d{2}))?(?: \[\d+\])?\s+(.*)$")
_EVENT = re.compile(r"^([0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) (<=|=>|->|\*\*|==) (\S+)(.*)$")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_HOST = re.compile(r"\bH=([^\s(\[]*)\s?(?:\(([^)]*)\)\s)?\[([^\]]+)\](?::(\d+))?")
_FIELD = re.compile(r"\b(P|X|S|id|T|R|A|CV)=(\S+)")
# CV= on a delivery: how the server's certificate was verified (log_selector +tls_certificate_verified)
_VERIFIED = {"dane": "dane", "yes": "verified", "no": "opportunistic"}
# a delivery that failed because TLS was required, with the reason as Postfix words it (one list for both)
_TLS_REQUIRED = (
    (re.compile(r"a TLS session is required"), "TLS is required, but was not offered"),
    (re.compile(r"certificate verif\w* failed"), "Server certificate not verified"),
)
_ERROR_HOST = re.compile(r"\bhost (\S+) \[([^\]]+)\]")
_LOOSE_EVENT = re.compile(r"^\S+ (?:=>|->|\*\*|==) ")
# `utf8` forms are SMTPUTF8 sessions; `smtps` is HELO over TLS
NETWORK_PROTOCOLS = frozenset(
    {"smtp", "smtps", "esmtp", "esmtps", "esmtpa", "esmtpsa", "lmtp"}
    | {"utf8esmtp", "utf8esmtps", "utf8esmtpa", "utf8esmtpsa"}
)
AUTHENTICATED = frozenset({"esmtpa", "esmtpsa", "utf8esmtpa", "utf8esmtpsa"})
OVER_TLS = frozenset({"smtps", "esmtps", "esmtpsa", "utf8esmtps", "utf8esmtpsa"})
_CACHE = 100_000


def _loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _version(fields: dict[str, str]) -> tuple[str, str | None] | None:
    """The TLS version and cipher the line states, or None when it states none."""
    x = fields.get("X")
    if x:
        version, _, rest = x.partition(":")
        cipher = rest.rsplit(":", 1)[0] if rest else None
        return (version if tls_bucket(version) is not None else "TLS"), cipher
    if fields.get("P") in OVER_TLS:
        return "TLS", None
    return None


class EximParser(CountedParser):
    def _begin(self) -> None:
        self.tls_logged["inbound"] = True  # arrivals always say (P=esmtps); deliveries only with +tls_cipher
        self.message_ids: OrderedDict[str, tuple[str | None, int | None]] = OrderedDict()

    def _stamp(self, text: str, fallback: datetime | None) -> tuple[datetime, str]:
        match = _STAMP.match(text)
        if not match:
            return (fallback or self.default_time), text
        moment = datetime.fromisoformat(match.group(1) + (match.group(2) or ""))
        if match.group(3):
            offset = timedelta(hours=int(match.group(4)), minutes=int(match.group(5)))
            moment = moment.replace(tzinfo=timezone(offset if match.group(3) == "+" else -offset))
        else:
            moment = moment.replace(tzinfo=self.years.tz)
        return moment, match.group(6)

    def _read(self, number: int, text: str) -> Result:
        text = clean(text)
        program: str | None = "exim"
        if _STAMP.match(text):  # Exim's own log: its timestamp, no syslog header
            when, rest = self._stamp(text, None)
        else:
            line = parse_line(text, self.years)
            if line.program is not None and not line.program.startswith("exim"):
                return NONE, "not an Exim line"
            when, rest = self._stamp(line.message, line.time)
            program = line.program
        event = _EVENT.match(rest)
        if not event:
            if _LOOSE_EVENT.match(rest):
                return NONE, NOT_UNDERSTOOD
            return NONE, ("other Exim line" if program else "not understood")
        exim_id, kind, address, tail = event.groups()
        tail = _QUOTED.sub('""', tail)
        fields = dict(_FIELD.findall(tail))
        host = _HOST.search(tail)
        if kind == "<=":
            return self._arrival(number, when, exim_id, address, fields, host)
        return self._delivery(number, when, exim_id, kind, address, fields, tail, host)

    def _arrival(
        self, number: int, when: datetime, exim_id: str, sender: str, fields: dict[str, str], host: re.Match[str] | None
    ) -> Result:
        size = fields.get("S")
        size_bytes = int(size) if size and size.isascii() and size.isdigit() and len(size) <= 18 else None
        message_id = fields.get("id")
        self.message_ids[exim_id] = (message_id, size_bytes)
        if len(self.message_ids) > _CACHE:
            self.message_ids.popitem(last=False)
        protocol = fields.get("P")
        if protocol not in NETWORK_PROTOCOLS or host is None:
            return NONE, "local submission (no network arrival)"
        name, helo, ip, _port = host.groups()
        if _loopback(ip) and not self.keep_local:
            return NONE, "loopback host"
        version, cipher = _version(fields) or ("none", None)
        # A=tls:... is a client certificate (another server), not a user's mail client
        submission = protocol in AUTHENTICATED or ("A" in fields and not fields["A"].startswith("tls:"))
        return [
            (
                number,
                {
                    "message_id": message_id or exim_id,
                    "received_at": when,
                    "direction": "submission" if submission else "inbound",
                    "tls_version": version,
                    "cipher": cipher,
                    "sender": None if sender == "<>" else sender,
                    "remote_host": name or helo or None,
                    "remote_ip": address(ip),
                    "size_bytes": size_bytes,
                    "status": "received",
                },
            )
        ], None

    def _delivery(
        self,
        number: int,
        when: datetime,
        exim_id: str,
        kind: str,
        recipient: str,
        fields: dict[str, str],
        tail: str,
        host: re.Match[str] | None,
    ) -> Result:
        stated = _version(fields)
        failed = kind in ("**", "==")
        if host is not None:
            name, _helo, ip, _port = host.groups()
        elif failed and (named := _ERROR_HOST.search(tail)):
            name, ip = named.groups()  # the host is only in the error text
        else:
            return NONE, "delivery without a remote host (local, unrouteable, retry time-out, DANE lookup)"
        if stated is not None:
            self.tls_logged["outbound"] = True
            version, cipher = stated
        elif failed:  # Exim states no TLS on failures and deferrals: the session may have had it
            version, cipher = "unknown", None
        else:
            version, cipher = self._no_tls("outbound"), None
        if _loopback(ip) and not self.keep_local:
            return NONE, "loopback host"
        message_id, size = self.message_ids.get(exim_id, (None, None))
        recipient = recipient.strip("<>:")
        blocked = next((reason for pattern, reason in _TLS_REQUIRED if pattern.search(tail)), None) if failed else None
        return [
            (
                number,
                {
                    "message_id": f"{message_id or exim_id} to {recipient}",
                    "received_at": when,
                    "direction": "outbound",
                    "tls_version": version,
                    "cipher": cipher,
                    "recipient": recipient or None,
                    "remote_host": name or None,
                    "remote_ip": address(ip),
                    "size_bytes": size,
                    "status": {"=>": "sent", "->": "sent", "**": "bounced", "==": "deferred"}[kind],
                    "tls_security": _VERIFIED.get(fields.get("CV", "")) if stated is not None else None,
                    "blocked_reason": blocked,
                },
            )
        ], None

    def finish(self) -> Records:
        """Exim logs each arrival and delivery whole: nothing waits for the end of the input."""
        return NONE


def parse_exim(lines: Iterable[tuple[int, str]], parser: EximParser) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, text in lines:
        yield from parser.feed(number, text)
