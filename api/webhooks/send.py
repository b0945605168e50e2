"""One delivery attempt: a POST to the checked address of the target, bounded in time and in what is read.

Any 2xx is success. Redirects are not followed (a 3xx is a failed attempt); at most 64 KiB of the answer is
read, undecoded; the whole attempt (resolving, connecting, sending, reading) has MAILFLOW_WEBHOOK_TIMEOUT_SECONDS.
A fresh connection per attempt: a pooled one could carry one host name's TLS session to another name on the
same address.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time

import httpx

from api import __version__
from core.targets import TargetRefused, parse_target, resolve
from core.webhooks import Outcome

MAX_READ = 64 * 1024
USER_AGENT = f"mailflow-webhooks/{__version__}"


@functools.cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


def _host_header(host: str, scheme: str, port: int) -> str:
    name = f"[{host}]" if ":" in host else host
    return name if port == (443 if scheme == "https" else 80) else f"{name}:{port}"


async def _post(url: str, headers: dict[str, str], payload: bytes, allow_private: bool, seconds: float) -> int:
    target = parse_target(url, allow_private)
    address = await resolve(target, allow_private)
    pinned = httpx.URL(url).copy_with(host=str(address))
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    sent = {
        **headers,
        "host": _host_header(target.host, target.scheme, target.port),
        "user-agent": USER_AGENT,
        "accept-encoding": "identity",
    }
    async with (
        httpx.AsyncClient(verify=_tls(), trust_env=False, follow_redirects=False, timeout=seconds) as client,
        client.stream("POST", pinned, content=payload, headers=sent, extensions=extensions) as response,
    ):
        read = 0
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if read >= MAX_READ:
                break
        return response.status_code


def _error(exc: BaseException) -> str:
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {exc}" if str(exc) else "cannot connect"
    if isinstance(exc, httpx.HTTPError):
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return f"{type(exc).__name__}: {exc}"


async def attempt(url: str, headers: dict[str, str], payload: bytes, allow_private: bool, seconds: float) -> Outcome:
    started = time.monotonic()
    status: int | None = None
    error: str | None = None
    try:
        async with asyncio.timeout(seconds):
            status = await _post(url, headers, payload, allow_private, seconds)
    except TargetRefused as exc:
        error = f"refused: {exc}"
    except TimeoutError:
        error = f"no answer within {seconds:g} s"
    except (httpx.HTTPError, OSError, ssl.SSLError) as exc:
        error = _error(exc)
    if status is not None and 300 <= status < 400:
        error = "a redirect: webhooks do not follow redirects"
    elif status is not None and not 200 <= status < 300:
        error = f"answered {status}"
    return Outcome(status, error, round((time.monotonic() - started) * 1000))
