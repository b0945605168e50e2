"""Headless Chromium for the browser tests: skipped where it is absent (outside CI), and a way to start it
with every site but this machine unreachable."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

# Names resolve to nothing and anything not on 127.0.0.1 goes to a proxy that is not there: a page that
# needs a CDN fails as it would offline.
OFFLINE = (
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
)


def require_chromium() -> None:
    """Skips the calling test module where Chromium is not installed (fails in CI, which must have it)."""
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):
            raise RuntimeError("CI must install Chromium (Debian packages chromium and chromium-driver)")
        pytest.skip(
            "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
            allow_module_level=True,
        )


def start_chromium(profile: Path, downloads: Path, *flags: str, width: int = 1400, height: int = 2200) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", f"--window-size={width},{height}",
                 "--hide-scrollbars", f"--user-data-dir={profile}", *flags):  # fmt: skip
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads  # type: ignore[attr-defined]
    return driver
