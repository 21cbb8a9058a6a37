"""Take full-page screenshots of app pages in headless Chromium (for the README and for review).

Usage: python scripts/screenshots.py http://127.0.0.1:8501 OUT_DIR [page-path ...]
Page paths are URL paths of the app (e.g. "", "funnel", "attribution"); default: every page.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = ["", "funnel", "fit_interest", "scoring_tuner", "attribution", "lead_flow", "planner", "data"]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--no-first-run", "--disable-component-update", "--disable-sync"]


def shoot(base: str, out: Path, pages: list[str], height: int = 2600) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        # Streamlit scrolls inside its own container, so a tall viewport is what captures the whole page
        page = browser.new_page(viewport={"width": 1440, "height": int(height)})
        for path in pages:
            page.goto(f"{base}/{path}", wait_until="networkidle")
            page.wait_for_selector("h1", timeout=120_000)
            page.wait_for_timeout(1000)
            page.wait_for_function(
                "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=180_000)
            page.wait_for_timeout(3000)
            name = path or "home"
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            print(f"{name}: {out / (name + '.png')}")
        browser.close()


if __name__ == "__main__":
    shoot(sys.argv[1], Path(sys.argv[2]), sys.argv[3:] or PAGES, int(os.environ.get("SHOT_HEIGHT", 2600)))
