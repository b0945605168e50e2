"""POST /tlsrpt/<token>: the RFC 8460 (section 5.4) HTTPS reporting endpoint, open to the internet.

Reporters have no API key: the unguessable token in the URL names the organization and endpoint. Built for
hostile clients: a token bucket per client address is checked before anything else (unknown tokens too),
then one per endpoint, so that a flood on one URL never slows another; the body is bounded as sent and
as decompressed (a gzip bomb stops at the cap); a 2xx is sent only once the report is committed, through
the one TLS report path (api/feed.py), so a report sent again is stored once. Answers say nothing of other
organizations or of the server: a refusal names only what was wrong with the request."""

from __future__ import annotations

import logging
import math
import time

from starlette.requests import Request
from starlette.responses import Response

from api import metrics
from api.auth import Limiter, client_address
from api.context import AppState
from api.error_responses import RETRY_SOON
from api.errors import (
    ApiError,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServiceUnavailable,
    UnsupportedMediaType,
    ValidationFailed,
)
from api.feed import ALREADY_STORED, STORED, store_tls_reports
from api.importers.tlsrpt import decode_posted
from api.rest.http import JSON, read_body
from db.tlsrpt_endpoints import find_endpoint, record_outcome

log = logging.getLogger("mailflow.tlsrpt")
MEDIA_TYPES = {"application/tlsrpt+json": False, "application/tlsrpt+gzip": True}  # gzipped?
_SKIPPED = {  # why a POST stored nothing, as the endpoint's status counts it
    UnsupportedMediaType: "unsupported content type",
    PayloadTooLarge: "too large",
    ValidationFailed: "not a TLS report",
}


class Receiver:
    """The endpoint, with this process's rate limits (made on first use, from the settings)."""

    def __init__(self) -> None:
        self.clients: Limiter | None = None
        self.endpoints: Limiter | None = None

    def _limit(self, limiter: Limiter, key: object, what: str) -> None:
        wait = limiter.wait(key, time.monotonic())
        if wait:
            metrics.TLSRPT_POSTS.labels("rate limited").inc()
            raise RateLimited(f"too many reports {what}; retry later", headers={"Retry-After": str(math.ceil(wait))})

    async def post(self, request: Request) -> Response:
        shared: AppState = request.app.state.mailflow
        settings = shared.settings
        if self.clients is None or self.endpoints is None:
            self.clients = Limiter(settings.tlsrpt_client_per_minute / 60, settings.tlsrpt_client_per_minute)
            self.endpoints = Limiter(settings.tlsrpt_per_minute / 60, settings.tlsrpt_per_minute)
        self._limit(self.clients, client_address(request.scope), "from this address")
        try:
            found = await find_endpoint(shared.db.system, request.path_params["token"])
        except Exception:
            log.warning("reporting endpoint lookup failed", exc_info=True)
            raise ServiceUnavailable(
                "the report cannot be received now; send it again later", headers=RETRY_SOON
            ) from None
        if found is None:
            metrics.TLSRPT_POSTS.labels("unknown endpoint").inc()
            raise NotFound("there is no reporting endpoint at this URL")
        org_id, endpoint_id = found
        self._limit(self.endpoints, found, "for this reporting URL")
        app = shared.for_key(org_id, "ingest")
        try:
            outcome = await self._store(app, request)
        except ApiError as exc:
            reason = next((r for kind, r in _SKIPPED.items() if isinstance(exc, kind)), None)
            if reason is None:
                raise
            metrics.TLSRPT_POSTS.labels(reason).inc()
            await self._record(app, endpoint_id, False, reason, f"{reason}: {exc.message}"[:500])
            raise
        except Exception:
            log.warning("a posted TLS report could not be stored", exc_info=True, extra={"fields": {"org_id": org_id}})
            raise ServiceUnavailable(
                "the report cannot be received now; send it again later", headers=RETRY_SOON
            ) from None
        metrics.TLSRPT_POSTS.labels(outcome).inc()
        await self._record(app, endpoint_id, outcome == STORED, None if outcome == STORED else outcome, None)
        status = "stored" if outcome == STORED else "already stored" if outcome == ALREADY_STORED else "not kept"
        return JSON({"status": status}, status_code=201 if outcome == STORED else 200)

    async def _store(self, app: AppState, request: Request) -> str:
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media not in MEDIA_TYPES:
            raise UnsupportedMediaType("send the report as application/tlsrpt+json or application/tlsrpt+gzip")
        body = await read_body(request, app.settings.tlsrpt_max_bytes)
        report = decode_posted(body, MEDIA_TYPES[media], app.settings.tlsrpt_max_report_bytes)
        return (await store_tls_reports(app, [report]))[0]

    async def _record(
        self, app: AppState, endpoint_id: int, stored: bool, skipped: str | None, error: str | None
    ) -> None:
        """The endpoint's status; the report is committed already, so a failure here is logged, not answered."""
        try:
            await record_outcome(app.pool, app.org_id, endpoint_id, stored, skipped, error)
        except Exception:
            log.warning("could not record a reporting endpoint's status", exc_info=True)
