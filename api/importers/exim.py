"""Exim main logs to message records.

Arrivals (`<=`) over the network (`P=smtp|esmtp|esmtps|esmtpa|esmtpsa`, with `H=`) are inbound; deliveries
(`=>`, `->` for more recipients on the same connection, `**` failures and `==` deferrals that name a remote
`H=`) are outbound. The TLS version is the first part of `X=TLS1.2:CIPHER:BITS` (OpenSSL or GnuTLS names);
`P=esmtps` without `X=` means TLS of unknown version, as does a version the test harness munged
(`TLS1.x`); no `X=` means no TLS. Quoted values (`DN="CN=a, O=b"`, `C="250 ..."`) are set aside before the
fields are read. Exim's own timestamps (fractional seconds and a zone optional, `[pid]` optional) and
syslog-wrapped lines (`... exim[1234]: ...`) are both read. Loopback hosts, local submissions
(`P=local`) and local deliveries are skipped unless kept.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from api.importers.postfix import address
from api.importers.syslog import YearGuess, parse_line
from api.tls import tls_bucket

_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(\.\d+)?(?: ([+-])(\d{2})(\d{2}))?(?: \[\d+\])?\s+(.*)$")
_EVENT = re.compile(r"^([0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) (<=|=>|->|\*\*|==) (\S+)(.*)$")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_HOST = re.compile(r"\bH=([^\s(\[]*)\s?(?:\(([^)]*)\)\s)?\[([^\]]+)\](?::(\d+))?")
_FIELD = re.compile(r"\b(P|X|S|id|T|R)=(\S+)")
NETWORK_PROTOCOLS = frozenset({"smtp", "esmtp", "esmtps", "esmtpa", "esmtpsa", "lmtp"})
_CACHE = 100_000


def _loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _version(fields: dict[str, str]) -> tuple[str, str | None]:
    x = fields.get("X")
    if x:
        version, _, rest = x.partition(":")
        cipher = rest.rsplit(":", 1)[0] if rest else None
        return (version if tls_bucket(version) is not None else "TLS"), cipher
    if fields.get("P", "").endswith(("s", "sa")) and fields.get("P") in ("esmtps", "esmtpsa"):
        return "TLS", None
    return "none", None


class EximParser:
    def __init__(self, years: YearGuess, default_time: datetime, keep_local: bool = False) -> None:
        self.years = years
        self.default_time = default_time
        self.keep_local = keep_local
        self.message_ids: OrderedDict[str, tuple[str | None, int | None]] = OrderedDict()
        self.skipped: Counter[str] = Counter()
        self.lines = 0

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

    def feed(self, number: int, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
        self.lines += 1
        text = text.rstrip("\r\n")
        program: str | None = "exim"
        if _STAMP.match(text):  # Exim's own log: its timestamp, no syslog header
            when, rest = self._stamp(text, None)
        else:
            line = parse_line(text, self.years)
            if line.program is not None and not line.program.startswith("exim"):
                self.skipped["not an Exim line"] += 1
                return
            when, rest = self._stamp(line.message, line.time)
            program = line.program
        event = _EVENT.match(rest)
        if not event:
            self.skipped["other Exim line" if program else "not understood"] += 1
            return
        exim_id, kind, address, tail = event.groups()
        tail = _QUOTED.sub('""', tail)
        fields = dict(_FIELD.findall(tail))
        host = _HOST.search(tail)
        if kind == "<=":
            yield from self._arrival(number, when, exim_id, address, fields, host)
        else:
            yield from self._delivery(number, when, exim_id, kind, address, fields, host)

    def _arrival(
        self, number: int, when: datetime, exim_id: str, sender: str, fields: dict[str, str], host: re.Match[str] | None
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        size = fields.get("S")
        size_bytes = int(size) if size and size.isdigit() else None
        message_id = fields.get("id")
        self.message_ids[exim_id] = (message_id, size_bytes)
        if len(self.message_ids) > _CACHE:
            self.message_ids.popitem(last=False)
        if fields.get("P") not in NETWORK_PROTOCOLS or host is None:
            self.skipped["local submission (no network arrival)"] += 1
            return
        name, helo, ip, _port = host.groups()
        if _loopback(ip) and not self.keep_local:
            self.skipped["loopback host"] += 1
            return
        version, cipher = _version(fields)
        yield (
            number,
            {
                "message_id": message_id or exim_id,
                "received_at": when.isoformat(),
                "direction": "inbound",
                "tls_version": version,
                "cipher": cipher,
                "sender": None if sender == "<>" else sender,
                "remote_host": name or helo or None,
                "remote_ip": address(ip),
                "size_bytes": size_bytes,
                "status": "received",
            },
        )

    def _delivery(
        self,
        number: int,
        when: datetime,
        exim_id: str,
        kind: str,
        recipient: str,
        fields: dict[str, str],
        host: re.Match[str] | None,
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        if host is None:
            self.skipped["local or unrouted delivery (no remote host)"] += 1
            return
        name, _helo, ip, _port = host.groups()
        if _loopback(ip) and not self.keep_local:
            self.skipped["loopback host"] += 1
            return
        version, cipher = _version(fields)
        message_id, size = self.message_ids.get(exim_id, (None, None))
        recipient = recipient.strip("<>:")
        yield (
            number,
            {
                "message_id": f"{message_id or exim_id} to {recipient}",
                "received_at": when.isoformat(),
                "direction": "outbound",
                "tls_version": version,
                "cipher": cipher,
                "recipient": recipient or None,
                "remote_host": name or None,
                "remote_ip": address(ip),
                "size_bytes": size,
                "status": {"=>": "sent", "->": "sent", "**": "bounced", "==": "deferred"}[kind],
            },
        )

    def finish(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Exim logs each arrival and delivery whole: nothing waits for the end of the input."""
        return iter(())


def parse_exim(lines: Iterable[tuple[int, str]], parser: EximParser) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, text in lines:
        yield from parser.feed(number, text)
