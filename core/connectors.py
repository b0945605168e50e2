"""What a connector may be: the checks every way to add or rename one shares (REST, GraphQL, the CLI, through
services/connectors.py): its name is clean (core/names.py), its direction and type known, its attribution
rules well formed (api/attribution.py applies them)."""

from __future__ import annotations

import ipaddress
from typing import Any

from core.names import NameRefused, clean_name

DIRECTIONS = ("inbound", "outbound")
TYPES = ("partner", "on_premises")
KINDS = ("ip", "hostname", "domain")


def check_rules(rules: Any) -> list[dict[str, Any]]:
    """Every problem with a list of rules (for the connector API and CLI)."""
    if not isinstance(rules, list):
        return [{"field": "rules", "message": "must be a list of {kind, value}"}]
    problems = []
    for n, rule in enumerate(rules):
        where = f"rules[{n}]"
        if not isinstance(rule, dict) or set(rule) != {"kind", "value"}:
            problems.append({"field": where, "message": 'must be {"kind": ip|hostname|domain, "value": ...}'})
            continue
        kind, value = rule["kind"], rule["value"]
        if kind not in KINDS or not isinstance(value, str) or not value.strip():
            problems.append({"field": where, "message": "kind must be ip, hostname or domain, with a value"})
        elif "\x00" in value:  # an IPv6 address's %scope may hold anything, but PostgreSQL holds no NUL
            problems.append({"field": where, "message": "the value contains a NUL character"})
        elif kind == "ip":
            try:
                ipaddress.ip_network(value.strip(), strict=False)
            except ValueError:
                problems.append({"field": where, "message": f"{value!r} is not an address or network"})
    return problems


def name_problem(name: Any) -> str | None:
    """What is wrong with a connector's name as given (core/names.py: clean_name), or None."""
    if not isinstance(name, str):
        return "is required: 1 to 200 characters"
    try:
        clean_name(name)
    except NameRefused as exc:
        return str(exc)
    return None


def check_connector(name: Any, direction: Any, type_: Any, forced_tls: Any) -> list[dict[str, Any]]:
    """Every problem with a new connector's fields (shared by REST, GraphQL and the CLI)."""
    problems = []
    if wrong := name_problem(name):
        problems.append({"field": "name", "message": wrong})
    if direction not in DIRECTIONS:
        problems.append({"field": "direction", "message": "must be inbound or outbound"})
    if type_ not in TYPES:
        problems.append({"field": "type", "message": "must be partner or on_premises"})
    if not isinstance(forced_tls, bool):
        problems.append({"field": "forced_tls", "message": "must be true or false"})
    return problems
