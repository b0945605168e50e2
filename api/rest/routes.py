"""Every HTTP route of the product."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from api.rest import connectors, health, messages

ROUTES: list[BaseRoute] = [
    Route("/healthz", health.healthz, methods=["GET"]),
    Route("/readyz", health.readyz, methods=["GET"]),
    Route("/api/v1/messages", messages.post_messages, methods=["POST"]),
    Route("/api/v1/connectors", connectors.get_connectors, methods=["GET"]),
    Route("/api/v1/connectors", connectors.post_connector, methods=["POST"]),
]
