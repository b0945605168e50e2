"""Prometheus metrics at GET /metrics (MAILFLOW_METRICS=on; MAILFLOW_METRICS_TOKEN guards it when set).

Counters and histograms live in this process's REGISTRY and move as requests, ingests and evaluations
happen; the pool and the response cache are read when scraped. Every `mailflow serve` process has its
own figures: scrape each one (README, "Metrics"). No label carries an organization or anything of its
mail: route templates, methods, status codes and outcomes only.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import Scope

from api.context import AppState
from api.errors import Unauthenticated
from db import sql

REGISTRY = CollectorRegistry()
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "mailflow_http_requests",
    "HTTP requests answered, by route template, method and status code",
    ["route", "method", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "mailflow_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template",
    ["route"],
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
RECORDS = Counter(
    "mailflow_records",
    "Records ingested, by outcome: stored, duplicate (stored before), expired (older than the retention, "
    "not stored), refused (in a request or batch refused as invalid: nothing of it stored)",
    ["outcome"],
    registry=REGISTRY,
)
STORED, DUPLICATE, EXPIRED, REFUSED = (RECORDS.labels(o) for o in ("stored", "duplicate", "expired", "refused"))
IMPORT_LINES = Counter(
    "mailflow_import_lines",
    "Log lines read by imports in this process, by outcome: used, skipped",
    ["outcome"],
    registry=REGISTRY,
)
TLSRPT_POSTS = Counter(
    "mailflow_tlsrpt_posts",
    "POSTs to TLS reporting URLs, by outcome: stored, already stored, rate limited, unknown endpoint, "
    "unsupported content type, too large, not a TLS report, and older than the retention",
    ["outcome"],
    registry=REGISTRY,
)
WEBHOOK_ATTEMPTS = Counter(
    "mailflow_webhook_attempts",
    "Webhook delivery attempts, by outcome: delivered, retrying (to be tried again), failed (given up)",
    ["outcome"],
    registry=REGISTRY,
)
EVALUATIONS = Histogram(
    "mailflow_insight_evaluation_seconds",
    "Insight evaluations (after an ingest, periodic, or on a settings change) and how long each took",
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)


def route_of(scope: Scope) -> str:
    """The template of the route that answered (`/api/v1/connectors/{connector_id}`), never the path
    itself (which holds ids): the labels stay few. `unmatched` when no route did (404)."""
    route = scope.get("route")
    return route.path if isinstance(route, BaseRoute) and hasattr(route, "path") else "unmatched"


def observe_request(scope: Scope, status: int, seconds: float) -> None:
    route = route_of(scope)
    REQUESTS.labels(route, scope["method"], str(status)).inc()
    LATENCY.labels(route).observe(seconds)


class _StateCollector(Collector):
    """What is read when scraped: the database pools and the response cache of this process."""

    def __init__(self, state: AppState, oldest_pending: float) -> None:
        self.state = state
        self.oldest_pending = oldest_pending

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        db = self.state.db
        in_use = GaugeMetricFamily("mailflow_db_connections_in_use", "Database connections in use", labels=["pool"])
        idle = GaugeMetricFamily("mailflow_db_connections_idle", "Database connections open and idle", labels=["pool"])
        for name, pool in (("tenant", db.tenant), ("system", db.system)):
            size, free = pool.get_size(), pool.get_idle_size()
            in_use.add_metric([name], size - free)
            idle.add_metric([name], free)
        yield in_use
        yield idle
        yield GaugeMetricFamily(
            "mailflow_db_connections_waiting", "Requests waiting for a database connection", value=db.use.waiting
        )
        cache = self.state.cache
        lookups = CounterMetricFamily(
            "mailflow_cache_lookups", "Response cache lookups, by result: hit, miss", labels=["result"]
        )
        lookups.add_metric(["hit"], cache.hits if cache else 0)
        lookups.add_metric(["miss"], cache.misses if cache else 0)
        yield lookups
        yield GaugeMetricFamily(
            "mailflow_webhook_oldest_pending_seconds",
            "Age of the oldest webhook delivery not yet delivered or given up, in any organization (0: none)",
            value=self.oldest_pending,
        )
        watcher = self.state.watcher
        yield GaugeMetricFamily(
            "mailflow_graphql_subscriptions",
            "GraphQL subscriptions open on this process",
            value=sum(watcher.subscribers.values()) if watcher else 0,
        )
        held = cache.size if cache else 0
        yield GaugeMetricFamily("mailflow_cache_bytes", "Bytes the response cache holds, as it counts them", value=held)


async def metrics(request: Request) -> Response:
    state: AppState = request.app.state.mailflow
    token = state.settings.metrics_token
    if token:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise Unauthenticated("GET /metrics needs `Authorization: Bearer <MAILFLOW_METRICS_TOKEN>`")
    oldest = await sql.fetchval(state.db.system, "webhooks/oldest_pending_webhook_delivery")
    scraped = CollectorRegistry()
    scraped.register(_StateCollector(state, oldest or 0.0))
    body = generate_latest(REGISTRY) + generate_latest(scraped)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
