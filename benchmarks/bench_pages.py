"""One user, a real browser: how long each page takes to be drawn (issue 13).

    python benchmarks/bench_pages.py --leads 20000                  # writes its section of RESULTS.md
    python benchmarks/bench_pages.py --leads 2000 --no-write        # a quick check
    python benchmarks/bench_pages.py --config landed=../before --config now=.   # before and after in one run

The app (`smarketing app`, headless Chromium via Playwright) runs on a demo database (history ending
2026-11-01, built once as benchmarks/bench_pages_<N>.duckdb with its derived tables, as `smarketing demo`
builds it). Each configuration is a checkout (serving.py); it shows its own pages. A page counts as drawn when Streamlit shows no
running indicator for 1.5 s (the time reported excludes that quiet wait). The tour: every page once from a
fresh start (the first view, caches cold), every page again (warm), then on each page a filter change (the
time mode) and back. Several checkouts in one run compare before and after on the same machine load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_funnel import END, write_section  # noqa: E402
from serving import Checkout, start, stop  # noqa: E402

QUIET = 1.5  # seconds without the running indicator that count as "drawn"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


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


def tour(url: str, pages: list[str]) -> dict[str, dict[str, float]]:
    """{what: {page: seconds}} for the first view of every page, a warm view, and a filter change (the time
    mode switched to Period, and back: both counted, the slower kept)."""
    from playwright.sync_api import sync_playwright

    times: dict[str, dict[str, float]] = {"first view": {}, "warm view": {}, "filter change": {}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        for label in ("first view", "warm view"):
            for name in pages:
                start_at = time.perf_counter()
                page.goto(f"{url}/{name}")
                times[label][name] = drawn(page, start_at)
        for name in pages:
            page.goto(f"{url}/{name}")
            drawn(page, time.perf_counter())
            changes = []
            for mode in ("Period", "Cohort"):
                start_at = time.perf_counter()
                page.locator("[data-testid='stSidebar']").get_by_text(mode, exact=False).first.click()
                changes.append(drawn(page, start_at))
            times["filter change"][name] = max(changes)
        browser.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--config", action="append", default=[], metavar="LABEL=CHECKOUT",
                        help="app checkouts to compare, e.g. landed=../before (default: now=.)")
    parser.add_argument("--port", type=int, default=8741)
    parser.add_argument("--settle", type=float, default=30.0,
                        help="seconds between the server answering and the first visit (default 30)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    from smarketing import demo, precompute

    db = demo.ensure(HERE / f"bench_pages_{args.leads}.duckdb", args.leads, end=END, derive=precompute.refresh)
    checkouts = [Checkout.parse(c) for c in args.config] or [Checkout.parse(f"now={HERE.parent}")]
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench_pages_") as logs:
        for k, checkout in enumerate(checkouts):
            proc = start(checkout, db, args.port + 10 * k, Path(logs) / f"app{k}.log")
            try:
                time.sleep(args.settle)  # a visitor arrives a little after the start
                results[checkout.label] = tour(f"http://127.0.0.1:{args.port + 10 * k}", checkout.pages)
            finally:
                stop(proc)
    report = render(args, results)
    print(report)
    if not args.no_write:
        write_section(HERE / "RESULTS.md", f"pages_{args.leads}", report)
    return 0


def render(args, results: dict[str, dict[str, dict[str, float]]]) -> str:
    labels = list(results)
    whats = ("first view", "warm view", "filter change")
    pages = list(dict.fromkeys(p for r in results.values() for p in r["first view"]))
    head = "| page | " + " | ".join(f"{label}: {w}" for w in whats for label in labels) + " |"
    lines = [head, "|---|" + "---:|" * (len(whats) * len(labels))]
    for name in pages:
        cells = [f"{results[label][w][name]:.2f} s" if name in results[label][w] else "–" for w in whats
                 for label in labels]
        lines.append(f"| /{name}{' (Overview)' if not name else ''} | " + " | ".join(cells) + " |")
    for stat, fn in (("median", statistics.median), ("slowest", max)):
        lines.append(f"| **{stat}** | " + " | ".join(f"{fn(results[label][w].values()):.2f} s" for w in whats
                                                      for label in labels) + " |")
    configs = " ".join(f'--config "{c}"' for c in args.config)
    return "\n".join([
        f"## Pages for one user, {args.leads:,} leads (issue 13)", "",
        f"`python benchmarks/bench_pages.py --leads {args.leads} {configs}`: one user in headless Chromium; "
        f"each configuration started with its own `smarketing app`, the first visit {args.settle:g} s after it "
        f"answers; drawn = no running indicator for {QUIET} s (that quiet wait not counted); the filter change "
        f"is the slower of switching the time mode to Period and back. Load average at the end: "
        f"{os.getloadavg()[0]:.1f}; measured {time.strftime('%Y-%m-%d %H:%M')}.", "", *lines])


if __name__ == "__main__":
    raise SystemExit(main())
