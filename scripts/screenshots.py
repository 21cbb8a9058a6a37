"""Take full-page screenshots of app pages in headless Chromium (for the README and for review).

    ./run screenshots [page-path ...]                  # what the README's pictures are made with
    python scripts/screenshots.py --serve [page-path ...]
    python scripts/screenshots.py http://127.0.0.1:8501 OUT_DIR [page-path ...]

--serve starts `smarketing app` on a free port over a 20,000-lead demo database whose history ends on a fixed
day (data/screenshots.duckdb, built once), writes docs/screenshots/<page>.png and stops the app. Page paths are
URL paths of the app (e.g. "", "funnel", "attribution"); default: every page. Needs Playwright (in
requirements.lock) and Debian's chromium (./run screenshots installs it when missing).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from playwright.sync_api import sync_playwright

from smarketing.launch import healthy

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["", "funnel", "drivers", "audit", "fit_interest", "scoring_tuner", "attribution", "lead_flow", "planner",
         "forecast", "data"]  # every page, in the navigation's order
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--no-first-run", "--disable-component-update", "--disable-sync"]
DEMO_END = date(2026, 11, 1)  # fixed, so the pictures do not change with the day they are taken


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


def serve_and_shoot(pages: list[str], height: int) -> None:
    """Start the app on the screenshot database, shoot `pages` into docs/screenshots, stop the app."""
    from smarketing import demo

    os.chdir(ROOT)
    db = demo.ensure(Path("data") / "screenshots.duckdb", 20_000, seed=42, end=DEMO_END)  # relative: shown so
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMARKETING_", "STREAMLIT_"))}
    app = subprocess.Popen([str(Path(sys.executable).parent / "smarketing"), "app", "--db", db, "--port", str(port)],
                           cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while not healthy(url):
            if app.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the app did not start at {url}")
            time.sleep(0.5)
        shoot(url, ROOT / "docs" / "screenshots", pages, height)
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=30)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serve", action="store_true", help="start the app itself and write docs/screenshots")
    parser.add_argument("where", nargs="*", help="URL OUT_DIR [pages] (without --serve), or pages (with it)")
    args = parser.parse_args(argv)
    height = int(os.environ.get("SHOT_HEIGHT", 2600))
    if args.serve:
        serve_and_shoot(args.where or PAGES, height)
    elif len(args.where) >= 2:
        shoot(args.where[0], Path(args.where[1]), args.where[2:] or PAGES, height)
    else:
        parser.error("give --serve, or URL OUT_DIR")


if __name__ == "__main__":
    main()
