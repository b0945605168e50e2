"""Slow and greedy clients: a request's headers and body must arrive in time, and one client address may
hold only so many connections open.

uvicorn closes idle kept-alive connections, but has no limit on how long a request may take to arrive:
600 clients sending headers or bodies at 1 byte/s held 510 sockets for as long as they liked (issue 20).
The body's limit is ASGI middleware (`BodyTimeout`). The headers' cannot be: the application sees a
request only once its headers are complete. So the headers' limit and the count of connections per
address live in uvicorn's HTTP protocol, through its supported `http=` option (a protocol class):
`GuardedHttp` is uvicorn's httptools protocol with a timer armed when a connection opens (and when a
request's first byte arrives on a reused one) and stopped when its headers are complete.

`mailflow serve` uses it; under uvicorn directly, pass `--http api.connections:GuardedHttp` (it reads
the settings from the environment).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, ClassVar

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.auth import client_address
from api.error_responses import response, serialize
from api.errors import ApiError, ClientClosedRequest, RateLimited, RequestTimeout
from api.settings import Settings


class BodyTooSlow(Exception):
    """The request's body did not arrive in time (raised by `receive`, answered by `BodyTimeout`)."""


class BodyTimeout:
    """Pure ASGI middleware: the whole body must arrive within `seconds` of the request reaching the app,
    else 408 and the connection is closed. Once the body is complete, `receive` (which then waits for a
    disconnect) is not timed."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + self.seconds
        complete = False
        started = False

        async def receive_in_time() -> Message:
            nonlocal complete
            if complete:
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTooSlow from None
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive_in_time, watch)
        except BodyTooSlow:
            if started:  # nothing more can be said: uvicorn closes the connection
                return
            message = f"the request body did not arrive within {self.seconds:g} s"
            late = RequestTimeout(message, headers={"connection": "close"})
            await response(late, scope["path"])(scope, receive, send)
        except ClientDisconnect:
            # the client left before its body was complete (a slow client giving up, say): nobody to answer,
            # nothing wrong here. 499 (nginx's "client closed request") is for the request log only; it was
            # a logged "unexpected error" and a 500.
            if not started:
                gone = ClientClosedRequest("the client closed the connection before its request body was complete")
                await response(gone, scope["path"])(scope, receive, send)


def _answer(error: ApiError) -> bytes:
    """A whole HTTP response in the one error shape, that closes the connection (no request path yet: REST's
    shape)."""
    body = serialize(error, "")
    lines = [
        f"HTTP/1.1 {error.status} {HTTPStatus(error.status).phrase}",
        "content-type: application/json",
        f"content-length: {len(body)}",
        "connection: close",
        *(f"{name}: {value}" for name, value in error.headers.items()),
    ]
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + body


class GuardedHttp(HttpToolsProtocol):
    """uvicorn's httptools protocol with the headers' time limit and the connections per client address.

    The body has its time too: an answer made without reading all of it (a 401, say) leaves the rest to
    arrive on the connection, which is closed if it does not arrive in time (while the app reads the body,
    `BodyTimeout` answers). Counts are per process (`open_by_address`, shared by the process's connections).
    A connection that becomes a WebSocket leaves this protocol, and the count: its headers arrived, and it
    is authenticated like any other request."""

    settings: ClassVar[Settings | None] = None  # None: from the environment, on the first connection
    open_by_address: ClassVar[dict[str, int]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        protocol = type(self)
        if protocol.settings is None:
            protocol.settings = Settings.from_env()
        self.limits = protocol.settings
        self.address = ""
        self.counted = False
        self.timer: asyncio.TimerHandle | None = None  # the headers', then the body's

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.address = client_address({"client": self.client})
        cap = self.limits.connections_per_client
        held = self.open_by_address.get(self.address, 0)
        if cap and held >= cap:
            message = f"too many open connections from this address (at most {cap}); retry later"
            self.transport.write(_answer(RateLimited(message, headers={"retry-after": "1"})))
            self.transport.close()
            return
        self.open_by_address[self.address] = held + 1
        self.counted = True
        self._arm(self.limits.header_timeout_seconds, self._headers_late)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self._uncount()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        self._disarm()
        self._uncount()
        super().handle_websocket_upgrade()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.timer is None:  # a request on a reused connection: its headers have their time too
            self._arm(self.limits.header_timeout_seconds, self._headers_late)

    def on_headers_complete(self) -> None:
        self._arm(self.limits.body_timeout_seconds, self._body_late)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def _uncount(self) -> None:
        if self.counted:
            self.counted = False
            left = self.open_by_address[self.address] - 1
            if left:
                self.open_by_address[self.address] = left
            else:
                del self.open_by_address[self.address]

    def _arm(self, seconds: float, late: Callable[[], None]) -> None:
        self._disarm()
        self.timer = self.loop.call_later(seconds, late)

    def _disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _headers_late(self) -> None:
        self.timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # a pipelined request arriving slowly behind one being answered: close after that answer
            self.cycle.keep_alive = False
            return
        message = f"the request headers did not arrive within {self.limits.header_timeout_seconds} s"
        self.transport.write(_answer(RequestTimeout(message)))
        self.transport.close()

    def _body_late(self) -> None:
        self.timer = None
        if self.cycle is not None and self.cycle.response_complete and not self.transport.is_closing():
            self.transport.close()  # answered already; the rest of the body is late


def protocol_for(settings: Settings) -> type[GuardedHttp]:
    """The protocol of one server (`mailflow serve`), with its settings and its own counts."""

    class Guarded(GuardedHttp):
        pass

    Guarded.settings = settings
    Guarded.open_by_address = {}
    return Guarded
