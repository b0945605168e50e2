"""Accepted domains over REST: list (any key), add and remove (admin keys). TLS report policies for other
domains are flagged and not counted (api/tlsrpt/accepted_domains.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.rest.http import JSON, read_json, state
from api.rest.traffic_reports import check_params
from api.tlsrpt import accepted_domains as service
from db.accepted_domains import AcceptedDomain


def _shown(found: AcceptedDomain) -> dict[str, object]:
    return {"domain": found.domain, "created_at": found.created_at, "url": f"/api/v1/accepted-domains/{found.domain}"}


async def get_accepted_domains(request: Request) -> Response:
    check_params(request.query_params, ())
    return JSON({"accepted_domains": [_shown(d) for d in await service.list_all(state(request))]})


async def post_accepted_domain(request: Request) -> Response:
    made, new = await service.add(state(request), await read_json(request))
    return JSON(_shown(made), status_code=201 if new else 200)


async def delete_accepted_domain(request: Request) -> Response:
    await service.remove(state(request), request.path_params["domain"])
    return Response(status_code=204)
