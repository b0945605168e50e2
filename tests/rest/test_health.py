from __future__ import annotations

import httpx

from api.app import create_app
from api.context import AppState
from db.migrate import latest_version
from db.pool import Database, create_pool


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["migrations"] == {"applied": latest_version(), "expected": latest_version()}


async def test_readyz_is_503_when_the_database_is_unreachable(state: AppState, admin_token: str) -> None:
    # a pool whose server has gone away: point it at a socket directory with no server
    pool = await create_pool("postgresql://postgres@/postgres?host=/nonexistent", max_size=1, min_size=0)
    broken = AppState(settings=state.settings, db=Database(pool, pool), org_id=state.org_id)
    app = create_app(state.settings, state=broken)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        response = await c.get("/readyz")
        assert response.status_code == 503
        assert response.json()["status"] == "unavailable"
        response = await c.get("/api/v1/connectors", headers={"authorization": f"Bearer {admin_token}"})
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    await pool.close()
