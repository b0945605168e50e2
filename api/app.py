"""create_app: the Starlette application with REST under /api/v1 and GraphQL at /graphql."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib.util
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from api.auth import Authenticate
from api.connections import BodyTimeout
from api.context import AppState
from api.error_responses import EXPECTED, from_exception, response
from api.faults import DATABASE_DOWN
from api.graphql import GraphQLApp
from api.insights.evaluate import evaluate_all
from api.logs import RequestLog
from api.metrics import metrics
from api.rest.openapi import document_bytes
from api.rest.routes import ROUTES
from api.schema import build_schema, documents_for
from api.settings import Settings
from api.tlsrpt import poller as mailbox_poller
from api.tlsrpt.receiver import Receiver
from api.webhooks import worker as webhooks
from db.organizations import ensure_organization
from db.pool import open_database
from services.reports import prune

log = logging.getLogger("mailflow.app")
PRUNE_EVERY_SECONDS = 24 * 3600
NO_ORGANIZATION = 0  # the shared state's organization when every request brings its own (a key)


async def refuse(request: Request, exc: Exception) -> Response:
    """Every failure a handler raises, answered in the one error shape (api/error_responses.py)."""
    return response(from_exception(exc, request), request.url.path)


async def _evaluate_periodically(state: AppState) -> None:
    while True:
        await asyncio.sleep(state.settings.insights_every_seconds)
        try:
            changes = await evaluate_all(state.db)
            log.info("insights evaluated", extra={"fields": {"events": changes}})
        except DATABASE_DOWN as exc:
            state.db.outage.failed(exc)
        except Exception:
            log.exception("insight evaluation failed; will try again")


async def _prune_daily(state: AppState) -> None:
    while True:
        try:
            pruned = await prune(state.db.system, state.settings.retention_days)
            log.info(
                "pruned",
                extra={
                    "fields": {
                        "partitions": pruned.partitions_dropped,
                        "rollups": pruned.rollups_deleted,
                        "tls_reports": pruned.tls_reports_deleted,
                    }
                },
            )
        except DATABASE_DOWN as exc:
            state.db.outage.failed(exc)
        except Exception:
            log.exception("pruning failed; will try again")
        await asyncio.sleep(PRUNE_EVERY_SECONDS)


STATIC = Path(__file__).parent / "static"


async def dashboard(request: Request) -> Response:
    """The dashboard page: static files that talk to the public GraphQL API only."""
    return FileResponse(STATIC / "index.html", media_type="text/html")


def swagger_ui_files() -> str:
    """Swagger UI's browser files, as the pinned swagger-ui-py package ships them (found, not imported)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is missing: reinstall mailflow (pip install)")
    return str(Path(spec.submodule_search_locations[0]) / "static")


async def api_reference(request: Request) -> Response:
    """/docs: Swagger UI over /api/v1/openapi.json, from the server's own files."""
    return FileResponse(STATIC / "docs.html", media_type="text/html")


def from_env() -> Starlette:
    """For `uvicorn --factory api.app:from_env --http api.connections:GuardedHttp` (several workers against
    DATABASE_URL; the protocol times out slow headers and counts connections per address)."""
    settings = Settings.from_env()
    if not settings.database_url:
        raise SystemExit("mailflow: error: set DATABASE_URL to run under uvicorn directly (or use `mailflow serve`)")
    return create_app(settings, settings.database_url)


def settle_garbage_collector() -> None:
    """Everything made at startup (the schema, modules, pools) lives as long as the process: it is moved
    out of the collector's sight, and the young generation is collected every 200,000 allocations instead
    of 700. Requests free all their objects by reference counting (they make no reference cycles; tests
    check it), so collections find little: those that a report's allocations triggered every 700 cost
    the GraphQL connector report ~1.5 ms per request, and every 200,000 with cycles left per request they
    paused the server for 100+ ms (bench/RESULTS.md)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(200_000, 50, 100)


def create_app(settings: Settings, dsn: str = "", state: AppState | None = None) -> Starlette:
    """The app. Given a ready `state` (tests), it uses it; otherwise it connects to `dsn` at startup."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if state is not None:
            app.state.mailflow = state
            yield
            return
        db = await open_database(dsn, settings.pool_size, settings.statement_timeout_ms)
        # Only without keys does the server act for MAILFLOW_ORG; with keys, every request acts for its key's
        # organization, and making MAILFLOW_ORG's here would leave a second organization ("default" beside
        # the demo's Contoso) that makes every CLI command ask which one to act on.
        org_id = await ensure_organization(db.system, settings.org_name) if not settings.auth else NO_ORGANIZATION
        app.state.mailflow = AppState(settings=settings, db=db, org_id=org_id)
        tasks = [
            asyncio.create_task(_prune_daily(app.state.mailflow)),
            asyncio.create_task(_evaluate_periodically(app.state.mailflow)),
            asyncio.create_task(webhooks.run(db, settings)),
            asyncio.create_task(mailbox_poller.run(db, settings)),
        ]
        settle_garbage_collector()
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            if app.state.mailflow.watcher is not None:
                await app.state.mailflow.watcher.close()
            await db.close()

    document_bytes()  # the OpenAPI document, built once, before the first request asks for it
    documents = documents_for(settings)
    graphql = GraphQLApp(build_schema(settings, documents), documents)
    graphql.max_bytes = settings.graphql_max_query_bytes
    # GraphQL first: Starlette tries routes in order, and the REST routes' ~30 patterns cost every GraphQL
    # request a few microseconds each; no REST path is /graphql.
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),  # subscriptions (graphql-transport-ws)
        *ROUTES,
        Route("/tlsrpt/{token}", Receiver().post, methods=["POST"]),  # RFC 8460 reporters: no API key
        Route("/", dashboard, methods=["GET"]),
        Route("/docs", api_reference, methods=["GET"]),
        Mount("/static/swagger-ui", StaticFiles(directory=swagger_ui_files()), name="swagger-ui"),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    if settings.metrics:
        routes.append(Route("/metrics", metrics, methods=["GET"]))
    # The expected failures are answered by Starlette's exception middleware; any other exception by its
    # server-error middleware, which also re-raises it for the server to log.
    handlers: dict[Any, Any] = dict.fromkeys((*EXPECTED, Exception), refuse)
    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)
    if state is not None:
        app.state.mailflow = state
    app.add_middleware(Authenticate, starlette=app)
    app.add_middleware(BodyTimeout, seconds=settings.body_timeout_seconds)
    app.add_middleware(RequestLog)  # outermost: every answer, a 401 too, is logged with its request id
    return app
