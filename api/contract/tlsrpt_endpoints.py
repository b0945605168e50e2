"""HTTPS reporting endpoints for RFC 8460 reporters (they POST to /tlsrpt/<token>; no API key)."""

from __future__ import annotations

from typing import Annotated

from msgspec import UNSET, Meta, Struct, UnsetType

from api.contract.common import BAD_ARGUMENT, MALFORMED, Answer, Counts, Operation, Time, about, json, json_body
from api.patterns import TEXT
from api.tlsrpt.endpoints import MAX_DESCRIPTION


class TlsrptEndpoint(Struct, kw_only=True):
    id: int
    description: str
    created_at: Time
    rotated_at: Time | UnsetType | None = UNSET
    last_success_at: Time | UnsetType | None = UNSET
    last_error_at: Time | UnsetType | None = UNSET
    last_error: str | UnsetType | None = UNSET
    reports_total: Annotated[int, about("reports stored through it (each once)")]
    reports_today: Annotated[int, about("reports stored through it this UTC day")]
    skipped: Annotated[
        Counts, about("POSTs that stored nothing, by reason (already stored, not a TLS report, too large, ...)")
    ]
    url: Annotated[str, about("<public URL>/tlsrpt/<token>: only when made or rotated")] | UnsetType = UNSET
    txt_record: (
        Annotated[str, about("v=TLSRPTv1; rua=<url>: publish it at _smtp._tls.<domain> (only when made or rotated)")]
        | UnsetType
    ) = UNSET


class TlsrptEndpoints(Struct):
    endpoints: list[TlsrptEndpoint] | UnsetType = UNSET


class NewTlsrptEndpoint(Struct, forbid_unknown_fields=True):
    description: Annotated[str, Meta(max_length=MAX_DESCRIPTION, pattern=TEXT)] | UnsetType = UNSET


NO_SUCH = {404: "no such reporting endpoint in this organization"}

TAG = "tlsrpt-endpoints"
OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/tlsrpt-endpoints",
        "the HTTPS reporting endpoints, with what each received (never their URLs: rotate for a new one)",
        {200: json(TlsrptEndpoints, "endpoints")},
        BAD_ARGUMENT,
    ),
    Operation(
        "POST",
        "/api/v1/tlsrpt-endpoints",
        "a new unguessable reporting URL and the TXT record to publish; shown once",
        {201: json(TlsrptEndpoint, "made, with its url and txt_record")},
        {**MALFORMED, 422: "invalid fields, in details[]"},
        body=json_body(NewTlsrptEndpoint, required=False),
    ),
    Operation(
        "GET",
        "/api/v1/tlsrpt-endpoints/{endpoint_id}",
        "one reporting endpoint and what it received",
        {200: json(TlsrptEndpoint, "the endpoint")},
        {400: "a bad argument", **NO_SUCH},
    ),
    Operation(
        "DELETE",
        "/api/v1/tlsrpt-endpoints/{endpoint_id}",
        "remove a reporting endpoint: its URL stops working at once (stored reports stay)",
        {204: Answer("removed")},
        NO_SUCH,
    ),
    Operation(
        "POST",
        "/api/v1/tlsrpt-endpoints/{endpoint_id}/rotate",
        "a new URL for the endpoint; the old one stops working at once (publish the new TXT record)",
        {200: json(TlsrptEndpoint, "the endpoint, with its new url and txt_record")},
        NO_SUCH,
    ),
]
