"""The browser tests' server (one per module, on the session's database) and headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.chromium import start_chromium
from tests.cli.helpers import api_server


@pytest.fixture(scope="module")
def server(dsn: str) -> Iterator[str]:
    with api_server(dsn, "browser-default") as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    driver = start_chromium(tmp_path_factory.mktemp("profile"), tmp_path_factory.mktemp("downloads"))
    try:
        yield driver
    finally:
        driver.quit()
