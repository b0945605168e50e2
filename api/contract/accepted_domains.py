"""The domains an organization owns: with any listed, a TLS report policy for another domain is flagged and not
counted (api/tlsrpt/accepted_domains.py)."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from api.contract.common import BAD_ARGUMENT, MALFORMED, Answer, NotBlank, Operation, Time, about, json, json_body
from core.domains import MAX_LENGTH

DOMAIN = "a domain name of two labels or more (letters, digits, hyphens), an internationalized one too"


class AcceptedDomain(Struct):
    domain: Annotated[str, about("lower case, A-labels, no trailing dot; subdomains count too")]
    created_at: Time
    url: Annotated[str, about("/api/v1/accepted-domains/{domain}: DELETE it there")]


class AcceptedDomains(Struct):
    accepted_domains: list[AcceptedDomain]


class NewAcceptedDomain(Struct, forbid_unknown_fields=True):
    # written in Unicode a name may take up to four times its A-label length
    domain: Annotated[NotBlank, Meta(min_length=1, max_length=4 * MAX_LENGTH, description=DOMAIN)]


TAG = "accepted-domains"
OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/accepted-domains",
        "the domains the organization owns; none listed: every TLS report counts",
        {200: json(AcceptedDomains, "accepted domains")},
        BAD_ARGUMENT,
        description="With any listed, a TLS report policy for a domain that is neither one of them nor a "
        "subdomain of one is shown, flagged, and not counted in the TLS report figures or insights. Reports "
        "already stored count as soon as their domain is added (nothing is rewritten).",
    ),
    Operation(
        "POST",
        "/api/v1/accepted-domains",
        "add an accepted domain (normalised: lower case, IDN to A-labels, no trailing dot)",
        {
            201: json(AcceptedDomain, "added"),
            200: json(AcceptedDomain, "listed already: nothing changed"),
        },
        {**MALFORMED, 422: "not a domain name, in details[]"},
        body=json_body(NewAcceptedDomain),
    ),
    Operation(
        "DELETE",
        "/api/v1/accepted-domains/{domain}",
        "remove an accepted domain (its reports stay, flagged while other domains are listed)",
        {204: Answer("removed")},
        {400: "not a domain name", 404: "not an accepted domain of this organization"},
        path_parameters={"domain": {"type": "string", "description": DOMAIN}},
    ),
]
