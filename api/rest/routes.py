"""Every HTTP route of the product."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from api.rest import connectors, health, insights, messages, openapi, reports

ROUTES: list[BaseRoute] = [
    Route("/healthz", health.healthz, methods=["GET"]),
    Route("/readyz", health.readyz, methods=["GET"]),
    Route("/api/v1/messages", messages.post_messages, methods=["POST"]),
    Route("/api/v1/connectors", connectors.get_connectors, methods=["GET"]),
    Route("/api/v1/connectors", connectors.post_connector, methods=["POST"]),
    Route("/api/v1/summary", reports.get_summary, methods=["GET"]),
    Route("/api/v1/tls-breakdown", reports.get_tls_breakdown, methods=["GET"]),
    Route("/api/v1/connector-report", reports.get_connector_report, methods=["GET"]),
    Route("/api/v1/insights", insights.get_insights, methods=["GET"]),
    Route("/api/v1/insights/events", insights.get_events, methods=["GET"]),
    Route("/api/v1/insights/{insight_id:int}/dismiss", insights.post_dismiss, methods=["POST"]),
    Route("/api/v1/insight-settings", insights.get_settings, methods=["GET"]),
    Route("/api/v1/insight-settings", insights.put_settings, methods=["PUT"]),
    Route("/api/v1/openapi.json", openapi.get_openapi, methods=["GET"]),
]
