"""Screenshots of a winset report for the README, in headless Chromium (``pip install playwright``;
Debian's ``chromium``; ``fonts-noto-cjk`` for the Japanese labels).

    winset demo --out kuril-report.html
    python docs/report_screenshot.py kuril-report.html docs/report.png docs/report-map.png docs/explorer.png
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
WIDTH = 1280


def main(report: str, top: str, ratification_map: str, explorer: str | None = None) -> None:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
        page = browser.new_page(viewport={"width": WIDTH, "height": 1500}, device_scale_factor=1)
        page.goto(Path(report).resolve().as_uri())
        page.screenshot(path=top)  # the verdict, the rules and the start of the proposals table
        page.locator("#map figure").screenshot(path=ratification_map)
        if explorer:  # the explorer on "two plus alpha", a fishing agreement added, what would pass found
            page.goto(
                Path(report).resolve().as_uri() + "#package=habomai=japan,shikotan=japan,treaty=signed,"
                "economy=special_regime,exchanges=restored,fishing=joint_management"
            )
            page.locator("#explorer-find").click()
            page.locator("#explorer-best").filter(has_not_text="Searching").wait_for(timeout=120_000)
            page.locator("#explorer").screenshot(path=explorer)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:5])
