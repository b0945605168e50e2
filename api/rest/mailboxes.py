"""Mailboxes polled for TLS reports over REST (admin keys): add, list, show, remove, test (poll now)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.rest.http import JSON, path_id, read_json, state
from api.rest.traffic_reports import check_params
from api.tlsrpt import mailboxes as service


def _id(request: Request) -> int:
    return path_id(request, "mailbox_id", "mailbox")


async def post_mailbox(request: Request) -> Response:
    return JSON(await service.create(state(request), await read_json(request)), status_code=201)


async def get_mailboxes(request: Request) -> Response:
    check_params(request.query_params, ())
    return JSON({"mailboxes": await service.list_all(state(request))})


async def get_mailbox(request: Request) -> Response:
    check_params(request.query_params, ())
    return JSON(await service.get(state(request), _id(request)))


async def delete_mailbox(request: Request) -> Response:
    await service.remove(state(request), _id(request))
    return Response(status_code=204)


async def post_test(request: Request) -> Response:
    return JSON(await service.poll_now(state(request), _id(request)))
