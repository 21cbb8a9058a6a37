"""Where each page's server time goes (issue 13): every page run in-process (Streamlit's AppTest) on a demo
database, once cold (the first view after a start) and once warm (caches filled, a new session), timed, with
cProfile's top entries for the warm run.

    python benchmarks/profile_pages.py --leads 20000 [--top 12] [--page funnel]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from bench_funnel import END  # noqa: E402

PAGES = ["home", "funnel", "fit_interest", "scoring_tuner", "attribution", "lead_flow", "planner"]


def run(page: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=600)
    at.run()
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].value}")
    return at


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--page", action="append", default=[])
    args = parser.parse_args()
    from smarketing import demo

    os.environ["SMARKETING_DB"] = demo.ensure(HERE / f"bench_pages_{args.leads}.duckdb", args.leads, end=END)
    for page in args.page or PAGES:
        started = time.perf_counter()
        run(page)
        cold = time.perf_counter() - started
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        run(page)
        profiler.disable()
        warm = time.perf_counter() - started
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(r"smarketing|streamlit/(elements|runtime/caching)|plotly/(io|basedatatypes)|pandas/io",
                          args.top)
        print(f"== {page}: cold {cold:.2f} s, warm {warm:.2f} s")
        print("\n".join(line for line in out.getvalue().splitlines()[8:] if line.strip())[:4000])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
