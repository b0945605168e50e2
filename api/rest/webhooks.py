"""Webhook subscriptions over REST (admin keys): create, list, show, change, remove, test, deliveries
(services/webhooks.py, as GraphQL and the CLI)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from api.context import AppState
from api.rest.http import JSON, path_id, read_json, state
from api.rest.traffic_reports import check_params
from api.webhooks.worker import sending
from services import webhooks as service


def _id(request: Request) -> int:
    return path_id(request, "webhook_id", "webhook")


def _sending(app: AppState) -> service.Sending:
    return sending(app.db, app.settings, app.org_id)


def webhook_json(found: service.WithSecret) -> dict[str, Any]:
    """A subscription, and its secret when it was just made or rotated (else no `secret` at all)."""
    shown = asdict(found.subscription)
    return {**shown, "secret": found.secret} if found.secret else shown


async def post_webhook(request: Request) -> Response:
    app = state(request)
    created = await service.create(app.pool, app.org_id, _sending(app), await read_json(request))
    return JSON(webhook_json(created), status_code=201)


async def get_webhooks(request: Request) -> Response:
    check_params(request.query_params, ())
    app = state(request)
    return JSON({"webhooks": await service.list_all(app.pool, app.org_id)})


async def get_webhook(request: Request) -> Response:
    check_params(request.query_params, ())
    app = state(request)
    return JSON(await service.get(app.pool, app.org_id, _id(request)))


async def patch_webhook(request: Request) -> Response:
    app, webhook_id = state(request), _id(request)
    body = await read_json(request)
    return JSON(webhook_json(await service.change(app.pool, app.org_id, _sending(app), webhook_id, body)))


async def delete_webhook(request: Request) -> Response:
    app = state(request)
    await service.remove(app.pool, app.org_id, _id(request))
    return Response(status_code=204)


async def post_test(request: Request) -> Response:
    app = state(request)
    return JSON(await service.test(app.pool, app.org_id, _sending(app), _id(request)))


async def get_deliveries(request: Request) -> Response:
    check_params(request.query_params, ())
    app = state(request)
    return JSON({"deliveries": await service.deliveries(app.pool, app.org_id, _id(request))})
