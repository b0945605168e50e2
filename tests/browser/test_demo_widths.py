"""The demo's dashboard at a desktop's and a phone's width: every section there, nothing wider than the screen;
the desktop one is the README's screenshot (docs/dashboard.png, refreshed when MAILFLOW_UPDATE_SCREENSHOT is set)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.browser.chromium import require_chromium
from tests.browser.test_dashboard import ROOT, open_dashboard, wait_for
from tests.cli.helpers import clean_env, mailflow, new_key

require_chromium()

from selenium.webdriver.common.by import By  # noqa: E402

ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def demo(dsn: str) -> str:
    """The Contoso demo (`mailflow demo`: a week of mail), and an admin key for it."""
    loaded = mailflow("demo", env=clean_env(DATABASE_URL=dsn), timeout=300)
    assert loaded.returncode == 0, loaded.stderr
    return new_key(dsn, "Contoso")


def save_screenshot(browser: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    browser.save_screenshot(str(path))
    return path


@pytest.mark.parametrize("width", [1400, 390])
def test_the_demo_at_a_desktops_and_a_phones_width(server: str, browser: Any, demo: str, width: int) -> None:
    """The page an admin leaves open, at 1400 and 390 pixels: nothing wider than the screen, every section
    there; the 1400-pixel one is the README's screenshot (refreshed only when MAILFLOW_UPDATE_SCREENSHOT is set)."""
    height = 2500 if width > 500 else 1600
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        open_dashboard(browser, f"{server}/#key={demo}")
        wait_for(browser, lambda d: d.find_element(By.ID, "org-name").text == "Contoso")
        rows = wait_for(browser, lambda d: (r := d.find_elements(By.CSS_SELECTOR, "#report tbody tr.connector")) and r)
        assert len(rows) == 5  # the demo's connectors and the internet, both ways
        assert len(browser.find_elements(By.CSS_SELECTOR, "#insight-list li.active")) >= 2
        for section in ("widget", "insights", "trends", "connectors", "who", "transit", "tls-reports"):
            assert browser.find_element(By.ID, section).is_displayed(), section
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow} pixels wider than the screen"
        for row in rows:  # every connector's figures are on screen, not scrolled away
            box = row.find_element(By.CSS_SELECTOR, "[data-volume]").rect
            assert box["x"] + box["width"] <= width, row.text
        bottom = "return Math.ceil(document.querySelector('main').getBoundingClientRect().bottom)"
        whole = browser.execute_script(bottom)
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": whole})  # the whole page
        browser.execute_script("window.scrollTo(0, 0)")
        path = save_screenshot(browser, f"dashboard-{width}.png")  # a test artifact
        if width == 1400 and os.environ.get("MAILFLOW_UPDATE_SCREENSHOT"):  # the README's copy: only when asked
            shutil.copy(path, ROOT / "docs" / "dashboard.png")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
