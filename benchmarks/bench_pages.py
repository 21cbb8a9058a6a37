"""One user, a real browser: how long each page takes to be drawn (issue 13).

    python benchmarks/bench_pages.py --leads 20000                  # writes the pages section of RESULTS.md
    python benchmarks/bench_pages.py --leads 2000 --no-write        # a quick check
    python benchmarks/bench_pages.py --checkout ../other-clone      # the same tour on another checkout's app

The app (`smarketing app`, headless Chromium via Playwright) runs on a demo database (history ending
2026-11-01, built once as benchmarks/bench_pages_<N>.duckdb). A page counts as drawn when Streamlit shows no
running indicator for 1.5 s (the time reported excludes that quiet wait). The tour: every page once from a
fresh start (the first view, caches cold), every page again (warm), then on each page a filter change (the
time mode) and back. Several checkouts in one run compare before and after on the same machine load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_funnel import END, write_section  # noqa: E402

PAGES = ["", "funnel", "fit_interest", "scoring_tuner", "attribution", "lead_flow", "planner"]
QUIET = 1.5  # seconds without the running indicator that count as "drawn"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def start(checkout: Path, db: str, port: int) -> subprocess.Popen:
    """`smarketing app` of that checkout, as a user starts it (its own launcher, warm-up and all)."""
    env = dict(os.environ, SMARKETING_DB=db, SMARKETING_ROLE="viewer")
    if checkout != HERE.parent:  # another checkout's code (the installed one is this checkout's)
        env["PYTHONPATH"] = str(checkout / "src")
    env.pop("SMARKETING_NO_WARMUP", None)
    cmd = [sys.executable, "-c", "import sys; from smarketing.cli import main; sys.exit(main())", "app", "--db", db,
           "--port", str(port)]
    log = open(Path(tempfile.gettempdir()) / f"bench_pages_{checkout.name}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=checkout, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            return proc
        except OSError:
            time.sleep(0.25)
    proc.kill()
    raise RuntimeError("the app did not start")


def drawn(page, started: float) -> float:
    """Seconds from `started` until the page shows no running indicator for QUIET seconds."""
    page.wait_for_timeout(200)
    last_busy = time.perf_counter()
    while time.perf_counter() - last_busy < QUIET:
        if page.locator("[data-testid='stStatusWidget']").count() or page.locator(
                "[data-testid='stSkeleton']").count():
            last_busy = time.perf_counter()
        page.wait_for_timeout(50)
    return last_busy - started


def tour(url: str) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {"first view": [], "warm view": [], "filter change": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        for label in ("first view", "warm view"):
            for name in PAGES:
                start_at = time.perf_counter()
                page.goto(f"{url}/{name}")
                times[label].append(drawn(page, start_at))
        for name in PAGES:
            page.goto(f"{url}/{name}")
            drawn(page, time.perf_counter())
            for mode in ("Period", "Cohort"):
                start_at = time.perf_counter()
                page.get_by_text(mode, exact=False).first.click()
                times["filter change"].append(drawn(page, start_at))
        browser.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--checkout", action="append", default=[], help="app checkouts to compare (default: this one)")
    parser.add_argument("--port", type=int, default=8741)
    parser.add_argument("--settle", type=float, default=30.0,
                        help="seconds between the server answering and the first visit (default 30)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    from smarketing import demo

    db = demo.ensure(HERE / f"bench_pages_{args.leads}.duckdb", args.leads, end=END)
    checkouts = [Path(c).resolve() for c in args.checkout] or [HERE.parent]
    rows = []
    for k, checkout in enumerate(checkouts):
        proc = start(checkout, db, args.port + k)
        try:
            time.sleep(args.settle)  # a visitor arrives a little after the start
            times = tour(f"http://127.0.0.1:{args.port + k}")
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=20)
        for label, values in times.items():
            rows.append((checkout.name, label, statistics.median(values), max(values), len(values)))
            print(f"{checkout.name:20} {label:14} median {statistics.median(values):5.2f} s  max {max(values):5.2f} s")
    if not args.no_write:
        lines = [f"`python benchmarks/bench_pages.py --leads {args.leads:,}`: one user in headless Chromium, "
                 f"{len(PAGES)} pages, the first visit {args.settle:g} s after `smarketing app` answers; drawn = no running indicator for {QUIET} s (not counted). Load average "
                 f"at the end: {os.getloadavg()[0]:.1f}.", "", "| checkout | what | median | slowest | pages |",
                 "|---|---|---:|---:|---:|"]
        lines += [f"| {c} | {what} | {m:.2f} s | {x:.2f} s | {n} |" for c, what, m, x, n in rows]
        write_section(HERE / "RESULTS.md", "pages", "## Pages for one user (issue 13)\n\n" + "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
