"""The browser pages' files (dashboard, GraphiQL, API reference): served by mailflow itself without a key,
nothing fetched from elsewhere, and the vendored GraphiQL files exactly the pinned ones."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.context import AppState
from tests.conftest import make_client

ROOT = Path(__file__).resolve().parent.parent.parent
STATIC = ROOT / "api" / "static"


@pytest.mark.parametrize(("page", "accept"), [("/", "text/html"), ("/docs", "text/html"), ("/graphql", "text/html")])
async def test_the_pages_and_their_assets_need_no_key(state: AppState, page: str, accept: str) -> None:
    async with make_client(state, None) as anonymous:
        response = await anonymous.get(page, headers={"accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', response.text)
        assert assets
        for asset in assets:
            assert (await anonymous.get(asset)).status_code == 200, asset
        assert (await anonymous.get("/static/nothing.js")).status_code == 404
        # the data behind them still needs a key
        assert (await anonymous.get("/api/v1/openapi.json")).status_code == 401
        assert (await anonymous.post("/graphql", json={"query": "{ viewer { role } }"})).status_code == 401


def test_nothing_is_fetched_from_the_internet() -> None:
    for path in STATIC.iterdir():
        if path.is_file():
            assert not re.search(r"https?://", path.read_text()), f"{path.name} refers to another site"


def test_the_dashboard_uses_only_the_public_api() -> None:
    """GraphQL for everything, and the REST connector and remote-domain reports for their CSV (the server's,
    formula-guarded), through one download function."""
    script = "\n".join((STATIC / name).read_text() for name in ("app.js", "who.js", "sources.js"))
    assert re.findall(r'fetch\("([^"]+)"', script) == ["/graphql"]
    assert re.findall(r"fetch\(`([^`?]+)", script) == ["${path}"]  # download(path, ...): the one REST fetch
    assert sorted(re.findall(r'download\("([^"]+)"', script)) == ["/api/v1/connector-report", "/api/v1/remote-domains"]
    assert httpx  # the client fixture's library, imported for its type


def _build_backend() -> Any:
    spec = importlib.util.spec_from_file_location("mailflow_build", ROOT / "build_backend" / "mailflow_build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_vendored_files_are_the_pinned_ones() -> None:
    """`pip install` put GraphiQL's, React's and ReactDOM's files under api/static/vendor, as pinned."""
    backend = _build_backend()
    for package in backend.PACKAGES:
        for target, sha256 in package.files.values():
            path = STATIC / "vendor" / target
            assert path.is_file(), f"{target} is missing: reinstall (pip install -e .) to fetch it"
            assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256, target


def test_a_tarball_that_does_not_match_its_hash_is_refused() -> None:
    backend = _build_backend()
    package = backend.PACKAGES[0]
    with pytest.raises(RuntimeError, match="integrity"):
        backend._check_integrity(package, b"not the tarball")
