"""Webhook subscriptions over REST (admin keys): create, list, show, change, remove, test, deliveries."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.rest.http import JSON, path_id, read_json, state
from api.rest.traffic_reports import check_params
from api.webhooks import service


def _id(request: Request) -> int:
    return path_id(request, "webhook_id", "webhook")


async def post_webhook(request: Request) -> Response:
    return JSON(await service.create(state(request), await read_json(request)), status_code=201)


async def get_webhooks(request: Request) -> Response:
    check_params(request.query_params, ())
    return JSON({"webhooks": await service.list_all(state(request))})


async def get_webhook(request: Request) -> Response:
    check_params(request.query_params, ())
    return JSON(await service.get(state(request), _id(request)))


async def patch_webhook(request: Request) -> Response:
    return JSON(await service.change(state(request), _id(request), await read_json(request)))


async def delete_webhook(request: Request) -> Response:
    await service.remove(state(request), _id(request))
    return Response(status_code=204)


async def post_test(request: Request) -> Response:
    return JSON(await service.test(state(request), _id(request)))


async def get_deliveries(request: Request) -> Response:
    check_params(request.query_params, ())
    return JSON({"deliveries": await service.deliveries(state(request), _id(request))})
