"""What REST, GraphQL and the CLI share about HTTPS reporting endpoints: make, list, rotate, remove.

An endpoint's URL is `<public base URL>/tlsrpt/<token>`, and the TXT record to publish at
`_smtp._tls.<domain>` is `v=TLSRPTv1; rua=<URL>`. The token is shown when it is made or rotated, never
again (only its hash is kept): rotating gives a new URL, and the old one stops working at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from api.context import AppState
from api.errors import NotFound, ValidationFailed
from db import tlsrpt_endpoints as store
from db.pool import TenantPool
from db.tlsrpt_endpoints import Endpoint

Source = TypeVar("Source")  # a report source: an endpoint, a mailbox

MAX_DESCRIPTION = 500
FIELDS = ("description",)


def base_url(app: AppState, request_base: str) -> str:
    """Where reporters reach this server: MAILFLOW_PUBLIC_URL, else the base of the request at hand."""
    return app.settings.public_url or request_base.rstrip("/")


@dataclass(frozen=True)
class Made:
    """An endpoint just made or rotated, with its URL and the TXT record to publish: the only time they are shown."""

    endpoint: Endpoint
    url: str
    txt_record: str

    def json(self) -> dict[str, Any]:
        """As REST answers it: the endpoint's fields, then the URL and the TXT record."""
        return {**vars(self.endpoint), "url": self.url, "txt_record": self.txt_record}


def with_url(endpoint: Endpoint, base: str, token: str) -> Made:
    url = f"{base}/tlsrpt/{token}"
    return Made(endpoint, url, f"v=TLSRPTv1; rua={url}")


def _description(body: Any) -> str:
    problems: list[dict[str, Any]] = []
    if not isinstance(body, dict):
        problems.append({"field": None, "message": "must be a JSON object"})
    else:
        problems += [{"field": k, "message": "unknown field"} for k in sorted(set(body) - set(FIELDS))]
        value = body.get("description", "")
        if not isinstance(value, str) or len(value) > MAX_DESCRIPTION or "\x00" in value:
            problems.append(
                {"field": "description", "message": f"must be text of at most {MAX_DESCRIPTION} characters"}
            )
    if problems:
        said = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        raise ValidationFailed(f"the reporting endpoint is not valid: {said}", problems)
    return str(body.get("description", ""))


async def create(app: AppState, body: Any, request_base: str) -> Made:
    """A new endpoint (`{"description"?}`) with its URL and TXT record: the only time they are shown."""
    made, token = await store.create_endpoint(app.pool, app.org_id, _description(body))
    return with_url(made, base_url(app, request_base), token)


async def list_all(app: AppState) -> list[Endpoint]:
    return await store.list_endpoints(app.pool, app.org_id)


async def one_of(
    app: AppState, listing: Callable[[TenantPool, int, int], Awaitable[list[Source]]], item_id: int, what: str
) -> Source:
    """One report source (an endpoint, a mailbox) with its status, from its list function; 404 when there is no
    such one in the organization."""
    found = await listing(app.pool, app.org_id, item_id)
    if not found:
        raise NotFound(f"there is no {what} {item_id}")
    return found[0]


async def get(app: AppState, endpoint_id: int) -> Endpoint:
    return await one_of(app, store.list_endpoints, endpoint_id, "reporting endpoint")


async def rotate(app: AppState, endpoint_id: int, request_base: str) -> Made:
    """A new URL for the endpoint; the old one stops working at once (publish the new TXT record first)."""
    rotated = await store.rotate_endpoint(app.pool, app.org_id, endpoint_id)
    if rotated is None:
        raise NotFound(f"there is no reporting endpoint {endpoint_id}")
    return with_url(rotated[0], base_url(app, request_base), rotated[1])


async def remove(app: AppState, endpoint_id: int) -> None:
    if not await store.delete_endpoint(app.pool, app.org_id, endpoint_id):
        raise NotFound(f"there is no reporting endpoint {endpoint_id}")
