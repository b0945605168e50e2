"""GET /healthz (the process answers) and GET /readyz (database reachable, migrations current)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from api.rest.http import JSON
from db.migrate import applied_version, latest_version


async def healthz(request: Request) -> Response:
    return JSON({"status": "ok"})


async def readyz(request: Request) -> Response:
    pool = request.app.state.mailflow.db.system
    expected = latest_version()
    try:
        async with asyncio.timeout(2):
            async with pool.acquire() as conn:
                version = await applied_version(conn)
    except Exception as exc:  # any failure to reach the database means not ready
        request.app.state.mailflow.db.outage.failed(exc)
        return JSON({"status": "unavailable", "database": f"unreachable: {type(exc).__name__}"}, status_code=503)
    if version != expected:
        return JSON(
            {
                "status": "unavailable",
                "database": "ok",
                "migrations": {"applied": version, "expected": expected},
            },
            status_code=503,
        )
    return JSON({"status": "ok", "database": "ok", "migrations": {"applied": version, "expected": expected}})
