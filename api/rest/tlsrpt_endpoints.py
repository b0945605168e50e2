"""RFC 8460 HTTPS reporting endpoints over REST (admin keys): make, list, show, rotate, remove. The
endpoint itself, POST /tlsrpt/<token>, is api/tlsrpt/receiver.py."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response

from api.errors import BadRequest
from api.rest.http import JSON, path_id, read_body, state
from api.rest.traffic_reports import check_params
from api.tlsrpt import endpoints as service


def _id(request: Request) -> int:
    return path_id(request, "endpoint_id", "reporting endpoint")


def _base(request: Request) -> str:
    return str(request.base_url)


async def post_endpoint(request: Request) -> Response:
    app = state(request)
    body = await read_body(request, app.settings.max_body_bytes)
    try:
        parsed = orjson.loads(body) if body.strip() else {}  # no body: no description
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"line {exc.lineno}: malformed JSON: {exc.msg}") from None
    return JSON((await service.create(app, parsed, _base(request))).json(), status_code=201)


async def get_endpoints(request: Request) -> Response:
    check_params(request.query_params, ())
    return JSON({"endpoints": await service.list_all(state(request))})


async def get_endpoint(request: Request) -> Response:
    check_params(request.query_params, ())
    return JSON(await service.get(state(request), _id(request)))


async def post_rotate(request: Request) -> Response:
    return JSON((await service.rotate(state(request), _id(request), _base(request))).json())


async def delete_endpoint(request: Request) -> Response:
    await service.remove(state(request), _id(request))
    return Response(status_code=204)
