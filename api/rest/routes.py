"""Every HTTP route of the product, with the role each needs (reader < ingest < admin)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from api.rest import connectors, health, insights, messages, openapi, reports, tls_reports
from api.rest.http import requires

ROUTES: list[BaseRoute] = [
    Route("/healthz", health.healthz, methods=["GET"]),
    Route("/readyz", health.readyz, methods=["GET"]),
    Route("/api/v1/messages", requires("ingest", messages.post_messages), methods=["POST"]),
    Route("/api/v1/connectors", requires("reader", connectors.get_connectors), methods=["GET"]),
    Route("/api/v1/connectors", requires("admin", connectors.post_connector), methods=["POST"]),
    Route("/api/v1/connectors/{connector_id:int}/rules", requires("admin", connectors.put_rules), methods=["PUT"]),
    Route("/api/v1/summary", requires("reader", reports.get_summary), methods=["GET"]),
    Route("/api/v1/tls-breakdown", requires("reader", reports.get_tls_breakdown), methods=["GET"]),
    Route("/api/v1/connector-report", requires("reader", reports.get_connector_report), methods=["GET"]),
    Route("/api/v1/insights", requires("reader", insights.get_insights), methods=["GET"]),
    Route("/api/v1/insights/events", requires("reader", insights.get_events), methods=["GET"]),
    Route("/api/v1/insights/{insight_id:int}/dismiss", requires("admin", insights.post_dismiss), methods=["POST"]),
    Route("/api/v1/insight-settings", requires("reader", insights.get_settings), methods=["GET"]),
    Route("/api/v1/insight-settings", requires("admin", insights.put_settings), methods=["PUT"]),
    Route("/api/v1/tls-reports", requires("ingest", tls_reports.post_tls_reports), methods=["POST"]),
    Route("/api/v1/tls-reports", requires("reader", tls_reports.get_tls_reports), methods=["GET"]),
    Route("/api/v1/openapi.json", requires("reader", openapi.get_openapi), methods=["GET"]),
]
