"""Every HTTP route of the product, with the role each method needs (reader < ingest < admin).

A path with several methods is one route, so that a 405 answer lists them all in `Allow`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from api.rest import (
    accepted_domains,
    connectors,
    health,
    insights,
    mailboxes,
    messages,
    openapi,
    remote_domains,
    tls_reports,
    tlsrpt_endpoints,
    traffic_reports,
    transit_security,
    webhooks,
)
from api.rest.http import cached, requires

Handler = Callable[[Request], Awaitable[Response]]


def route(path: str, **by_method: Handler) -> Route:
    """One route for `path`; `by_method` maps GET, POST, PUT to their handlers."""

    async def endpoint(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await by_method[method](request)

    return Route(path, endpoint, methods=list(by_method))


ROUTES: list[BaseRoute] = [
    route("/healthz", GET=health.healthz),
    route("/readyz", GET=health.readyz),
    route("/api/v1/messages", POST=requires("ingest", messages.post_messages)),
    route(
        "/api/v1/connectors",
        GET=requires("reader", cached(connectors.get_connectors)),
        POST=requires("admin", connectors.post_connector),
    ),
    route("/api/v1/connectors/{connector_id:id}/rules", PUT=requires("admin", connectors.put_rules)),
    route("/api/v1/summary", GET=requires("reader", cached(traffic_reports.get_summary))),
    route("/api/v1/tls-breakdown", GET=requires("reader", cached(traffic_reports.get_tls_breakdown))),
    route("/api/v1/client-submissions", GET=requires("reader", cached(traffic_reports.get_client_submissions))),
    route("/api/v1/connector-report", GET=requires("reader", cached(traffic_reports.get_connector_report))),
    route("/api/v1/remote-domains", GET=requires("reader", cached(remote_domains.get_remote_domains))),
    route("/api/v1/remote-hosts", GET=requires("reader", cached(remote_domains.get_remote_hosts))),
    route("/api/v1/transit-security", GET=requires("reader", cached(transit_security.get_transit_security))),
    route("/api/v1/insights", GET=requires("reader", cached(insights.get_insights))),
    route("/api/v1/insights/events", GET=requires("reader", insights.get_events)),
    route("/api/v1/insights/{insight_id:id}/dismiss", POST=requires("admin", insights.post_dismiss)),
    route(
        "/api/v1/insight-settings",
        GET=requires("reader", cached(insights.get_settings)),
        PUT=requires("admin", insights.put_settings),
    ),
    route(
        "/api/v1/tls-reports",
        GET=requires("reader", cached(tls_reports.get_tls_reports)),
        POST=requires("ingest", tls_reports.post_tls_reports),
    ),
    route("/api/v1/tls-reports/{id}", GET=requires("reader", cached(tls_reports.get_tls_report))),
    route(
        "/api/v1/webhooks",
        GET=requires("admin", webhooks.get_webhooks),
        POST=requires("admin", webhooks.post_webhook),
    ),
    route(
        "/api/v1/webhooks/{webhook_id:id}",
        GET=requires("admin", webhooks.get_webhook),
        PATCH=requires("admin", webhooks.patch_webhook),
        DELETE=requires("admin", webhooks.delete_webhook),
    ),
    route("/api/v1/webhooks/{webhook_id:id}/test", POST=requires("admin", webhooks.post_test)),
    route("/api/v1/webhooks/{webhook_id:id}/deliveries", GET=requires("admin", webhooks.get_deliveries)),
    route(
        "/api/v1/tlsrpt-endpoints",
        GET=requires("admin", tlsrpt_endpoints.get_endpoints),
        POST=requires("admin", tlsrpt_endpoints.post_endpoint),
    ),
    route(
        "/api/v1/tlsrpt-endpoints/{endpoint_id:id}",
        GET=requires("admin", tlsrpt_endpoints.get_endpoint),
        DELETE=requires("admin", tlsrpt_endpoints.delete_endpoint),
    ),
    route("/api/v1/tlsrpt-endpoints/{endpoint_id:id}/rotate", POST=requires("admin", tlsrpt_endpoints.post_rotate)),
    route(
        "/api/v1/mailboxes",
        GET=requires("admin", mailboxes.get_mailboxes),
        POST=requires("admin", mailboxes.post_mailbox),
    ),
    route(
        "/api/v1/mailboxes/{mailbox_id:id}",
        GET=requires("admin", mailboxes.get_mailbox),
        DELETE=requires("admin", mailboxes.delete_mailbox),
    ),
    route("/api/v1/mailboxes/{mailbox_id:id}/test", POST=requires("admin", mailboxes.post_test)),
    route(
        "/api/v1/accepted-domains",
        GET=requires("reader", cached(accepted_domains.get_accepted_domains)),
        POST=requires("admin", accepted_domains.post_accepted_domain),
    ),
    route("/api/v1/accepted-domains/{domain}", DELETE=requires("admin", accepted_domains.delete_accepted_domain)),
    route("/api/v1/openapi.json", GET=requires("reader", openapi.get_openapi)),
]
