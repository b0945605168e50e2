"""Connector attribution: which connector a record without one came over, from the connectors' rules.

Rules are kept on each connector as data: `{"kind": "ip", "value": "192.0.2.0/24"}` (the client's or
relay's address, or a network), `{"kind": "hostname", "value": "fabrikam.com"}` (the client's or relay's
host name is it or ends with `.fabrikam.com`), `{"kind": "domain", "value": "fabrikam.com"}` (inbound: the
sender's domain; outbound: the recipient's, or a subdomain). The first match wins, in this order: address
rules, then host names, then domains; within a kind, the most specific (longest network or name) first,
then connectors by name. No match: the internet without a connector.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.connectors import KINDS

if TYPE_CHECKING:
    from db.connectors import Connector


@dataclass(frozen=True)
class Rule:
    rank: tuple[int, int, str]
    direction: str
    connector: str
    kind: str
    value: str
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None


@functools.lru_cache(maxsize=50_000)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """A record's remote address as a rule compares it; mail logs repeat few peers, so it is kept (bounded)."""
    try:
        return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _host_matches(name: str, suffix: str) -> bool:
    return name == suffix or name.endswith("." + suffix)


class Attributor:
    @classmethod
    def of(cls, connectors: Sequence[Connector]) -> Attributor:
        return cls([(c.direction, c.name, c.rules) for c in connectors])

    def __init__(self, connectors: list[tuple[str, str, list[dict[str, str]]]]) -> None:
        """`connectors`: (direction, name, rules) for every connector of the organization."""
        rules = []
        for direction, name, connector_rules in connectors:
            for rule in connector_rules or []:
                kind, value = rule["kind"], rule["value"].strip().lower().lstrip(".")
                network = ipaddress.ip_network(value, strict=False) if kind == "ip" else None
                specificity = network.prefixlen if network is not None else len(value)
                rules.append(Rule((KINDS.index(kind), -specificity, name), direction, name, kind, value, network))
        self.rules = sorted(rules, key=lambda r: r.rank)

    def connector(self, record: dict[str, Any]) -> str | None:
        direction = record.get("direction")
        party = record.get("sender") if direction == "inbound" else record.get("recipient")
        return self.match(direction, record.get("remote_host"), record.get("remote_ip"), party)

    def match(self, direction: Any, remote_host: Any, remote_ip: Any, party: Any) -> str | None:
        """The connector of a record with these values (the sender inbound, the recipient outbound as `party`)."""
        host = str(remote_host or "").lower().rstrip(".")
        ip = _address(remote_ip) if isinstance(remote_ip, str) else None
        domain = str(party or "").strip("<>").rsplit("@", 1)[-1].lower()
        for rule in self.rules:
            if rule.direction != direction:
                continue
            if rule.kind == "ip":
                if (
                    ip is not None
                    and rule.network is not None
                    and ip.version == rule.network.version
                    and ip in rule.network
                ):
                    return rule.connector
            elif rule.kind == "hostname":
                if host and _host_matches(host, rule.value):
                    return rule.connector
            elif domain and _host_matches(domain, rule.value):
                return rule.connector
        return None

    def apply(self, records: list[Any]) -> None:
        """Set `connector` on records that do not name one (an explicit null stays the internet)."""
        if not self.rules:
            return
        for record in records:
            if isinstance(record, dict) and "connector" not in record:
                record["connector"] = self.connector(record)
