"""Connectors: named paths to partners' and the organization's own servers, and the rules that attribute
mail to them."""

from __future__ import annotations

from typing import Annotated

from msgspec import UNSET, Meta, Struct, UnsetType

from api.contract.common import MALFORMED, NotBlank, Operation, about, json, json_body, one_of
from api.patterns import NETWORK
from core.connectors import DIRECTIONS, KINDS, TYPES
from core.names import MAX_LENGTH
from services.reports import CONNECTOR_TYPES

IP, HOSTNAME, DOMAIN = KINDS  # api/attribution.py: addresses, then host names, then domains


class IpRule(Struct, tag_field="kind", tag=IP, forbid_unknown_fields=True):
    value: Annotated[
        str,
        Meta(
            pattern=NETWORK,
            description="an address or network: 192.0.2.0/24, 192.0.2.0/255.255.255.0, 2001:db8::/32",
        ),
    ]


class HostnameRule(Struct, tag_field="kind", tag=HOSTNAME, forbid_unknown_fields=True):
    value: NotBlank


class DomainRule(Struct, tag_field="kind", tag=DOMAIN, forbid_unknown_fields=True):
    value: NotBlank


Rules = Annotated[
    list[IpRule | HostnameRule | DomainRule],
    about("attribution rules: the first match wins (addresses, then host names, then domains)"),
]


class Connector(Struct, kw_only=True):
    id: Annotated[int, about("0: the internet without a connector")]
    name: str
    direction: Annotated[str, one_of(DIRECTIONS)]
    type: Annotated[str, one_of(CONNECTOR_TYPES)]
    forced_tls: bool
    rules: Rules | UnsetType = UNSET


class NewConnector(Struct, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[NotBlank, Meta(min_length=1, max_length=MAX_LENGTH)]
    direction: Annotated[str, one_of(DIRECTIONS)]
    type: Annotated[str, one_of(TYPES)]
    forced_tls: bool = False
    rules: Rules | UnsetType = UNSET


class NewRules(Struct):
    rules: Rules


class Connectors(Struct):
    connectors: list[Connector] | UnsetType = UNSET


TAG = "connectors"
OPERATIONS = [
    Operation("GET", "/api/v1/connectors", "the connectors", {200: json(Connectors, "connectors")}),
    Operation(
        "POST",
        "/api/v1/connectors",
        "add a connector",
        {201: json(Connector, "created")},
        {
            **MALFORMED,
            409: "the name, or one that looks like it, is taken in that direction",
            422: "invalid fields, in details[] (a name with an invisible or reordering character)",
        },
        body=json_body(NewConnector),
    ),
    Operation(
        "PUT",
        "/api/v1/connectors/{connector_id}/rules",
        "replace a connector's attribution rules",
        {200: json(Connector, "the connector with its new rules")},
        {**MALFORMED, 404: "no such connector", 422: "invalid rules, in details[]; nothing changed"},
        body=json_body(NewRules),
    ),
]
