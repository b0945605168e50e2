"""The dashboard's files: served by mailflow itself without a key, nothing fetched from elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from api.context import AppState
from tests.conftest import make_client

STATIC = Path(__file__).resolve().parent.parent.parent / "api" / "static"


async def test_the_page_and_its_assets_need_no_key(state: AppState) -> None:
    async with make_client(state, None) as anonymous:
        page = await anonymous.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
            assert (await anonymous.get(asset)).status_code == 200, asset
        assert (await anonymous.get("/static/nothing.js")).status_code == 404


def test_nothing_is_fetched_from_the_internet() -> None:
    for path in STATIC.iterdir():
        text = path.read_text()
        assert not re.search(r"https?://", text), f"{path.name} refers to another site"


def test_the_page_uses_only_the_graphql_api() -> None:
    script = (STATIC / "app.js").read_text()
    assert re.findall(r'fetch\("([^"]+)"', script) == ["/graphql"]
    assert httpx  # the client fixture's library, imported for its type
