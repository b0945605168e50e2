"""API keys on every request: who is calling (organization and role), and how often.

Pure ASGI middleware. `/healthz`, `/readyz`, the dashboard, the API reference (`/docs`) and the GraphiQL
page stay open (they are static pages whose requests carry the key), and so do the TLS reporting URLs
(`/tlsrpt/<token>`: the token is their key, checked by api/tlsrpt/receiver.py); everything else needs
`Authorization: Bearer <token>` (401 without a valid one). Each key has a token bucket (429 with
Retry-After when it is empty), and so has each client address for its failed authentications: once it is
empty, a token that is not already known answers 429 without a database lookup. With authentication off
(loopback only), every request acts as admin of the default organization.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import asyncpg
from starlette.types import ASGIApp, Receive, Scope, Send

from api.error_responses import RETRY_SOON, response
from api.errors import ApiError, RateLimited, ServiceUnavailable, Unauthenticated
from api.faults import DATABASE_DOWN
from db.keys import Key, digest, find_key

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})  # /metrics has its own token (api/metrics.py)
UNAVAILABLE: tuple[type[BaseException], ...] = (*DATABASE_DOWN, asyncpg.QueryCanceledError)
_CACHE_SIZE = 10_000


@dataclass
class Bucket:
    tokens: float
    updated: float


class Limiter:
    """A token bucket per key: `rate` per second, up to `burst` at once. Bounded in memory."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self.buckets: OrderedDict[Hashable, Bucket] = OrderedDict()

    def wait(self, key: Hashable, now: float, take: bool = True) -> float:
        """0 when the request may go ahead (taking a token unless `take` is false), else the seconds
        until it could."""
        bucket = self.buckets.pop(key, None) or Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        self.buckets[key] = bucket
        if len(self.buckets) > _CACHE_SIZE:
            self.buckets.popitem(last=False)
        if bucket.tokens >= 1:
            if take:
                bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate


def client_address(scope: Scope) -> str:
    """Who failed authentications are counted for: the client's address (behind a proxy, the one that
    uvicorn's proxy headers give it); IPv6 by its /64, which one host can hold whole."""
    client = scope.get("client")
    return _counted_as(client[0] if client else "")


@functools.lru_cache(maxsize=4096)
def _counted_as(host: str) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class Authenticate:
    def __init__(self, app: ASGIApp, starlette: Any) -> None:
        self.app = app
        self.starlette = starlette  # app.state holds the shared state once the lifespan ran
        self.cache: OrderedDict[bytes, tuple[Key, float]] = OrderedDict()  # keys checked lately
        self.limiter: Limiter | None = None
        self.failures: Limiter | None = None  # failed authentications per client address

    def _is_open(self, scope: Scope) -> bool:
        path = scope["path"]
        if path in OPEN_PATHS or path in ("/", "/docs") or path.startswith(("/static/", "/tlsrpt/")):
            return True
        if path == "/graphql" and scope["method"] == "GET" and not scope.get("query_string"):
            accept = dict(scope["headers"]).get(b"accept", b"")
            return b"text/html" in accept  # the GraphiQL page itself; its queries carry the key
        return False

    def _remembered(self, token: str) -> Key | None:
        cached = self.cache.get(digest(token))
        return cached[0] if cached is not None and cached[1] > time.monotonic() else None

    async def _key(self, token: str, ttl: int) -> Key | None:
        key = self._remembered(token)
        if key is not None:
            return key
        key = await find_key(self.starlette.state.mailflow.db.system, token)
        if ttl and key is not None:  # tokens that fail are not kept: a stream of them would push keys out
            self.cache[digest(token)] = (key, time.monotonic() + ttl)
            if len(self.cache) > _CACHE_SIZE:
                self.cache.popitem(last=False)
        return key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._is_open(scope):
            await self.app(scope, receive, send)
            return
        refusal = await self._refusal(scope)
        if refusal is not None:
            await response(refusal, scope["path"])(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _refusal(self, scope: Scope) -> ApiError | None:
        """None when the request may go on (its key is then in the scope's state), else why not."""
        shared = self.starlette.state.mailflow
        settings = shared.settings
        if not settings.auth:
            scope.setdefault("state", {})["auth"] = Key(shared.org_id, 0, "admin")
            return None
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            message = "an API key is required: Authorization: Bearer <token>"
            return Unauthenticated(message, headers={"WWW-Authenticate": "Bearer"})
        if self.failures is None:
            self.failures = Limiter(settings.auth_failures_per_minute / 60, settings.auth_failures_per_minute)
        address = client_address(scope)
        failed_before = address in self.failures.buckets
        blocked = self.failures.wait(address, time.monotonic(), take=False) if failed_before else 0.0
        if blocked and self._remembered(token.strip()) is None:  # only a key already proved goes on: no lookup
            message = "too many failed authentications from this address; retry later"
            return RateLimited(message, headers={"Retry-After": str(math.ceil(blocked))})
        try:
            key = await self._key(token.strip(), settings.key_cache_seconds)
        except UNAVAILABLE:
            return ServiceUnavailable("the database is unavailable; try again shortly", headers=RETRY_SOON)
        if key is None:
            self.failures.wait(address, time.monotonic())
            message = "the API key is not valid or was revoked"
            return Unauthenticated(message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if self.limiter is None:
            self.limiter = Limiter(settings.rate_limit, settings.rate_burst)
        wait = self.limiter.wait(key.key_id, time.monotonic())
        if wait:
            message = f"too many requests for this key (at most {settings.rate_limit}/s); retry later"
            return RateLimited(message, headers={"Retry-After": str(math.ceil(wait))})
        scope.setdefault("state", {})["auth"] = key
        return None
