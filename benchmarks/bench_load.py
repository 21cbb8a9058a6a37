"""Load test: many users at once on the app (a smarketing meeting opening the dashboard), over Streamlit's
websocket protocol, for one or several app configurations in one run.

    python benchmarks/bench_load.py --users 20 --seconds 60 --leads 20000 \\
        --config landed=../before --config now=. --config "now, 2 processes=.:2"   # writes RESULTS.md
    python benchmarks/bench_load.py --users 5 --seconds 10 --leads 2000 --no-write  # a quick check of this one

Each configuration (LABEL=CHECKOUT[:WORKERS], see serving.py; default: this checkout, one process) is started
with its own `smarketing app` on loopback over the same demo database (history ending 2026-11-01, its derived
tables built as `smarketing demo` builds them; benchmarks/bench_load_<N>.duckdb, built once, or --db), as
viewers. A first visit comes --settle seconds after the server answers (as a meeting's first person arrives
some time after the start); then --rounds rounds of the simulated users of load_app.py, each touring every page
of that checkout on one session per tour with the next sidebar filter variation: the first round right after
the start, the next ones on the same server. Page-ready time is from the page request to Streamlit's
`script_finished`, everything the page draws included; CPU is read from /proc for every process of the app.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from smarketing import demo, precompute, store

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_funnel import END, write_section  # noqa: E402
from load_app import Results, run_load  # noqa: E402
from serving import Checkout, process_cpu, start, stop  # noqa: E402


@dataclass
class Round:
    label: str
    results: Results
    processes: dict[str, float]  # CPU seconds per process during the round
    load: tuple[float, float, float]  # load average at the start, 1 and 5 min at the end


def measure(checkout: Checkout, db: str, port: int, args, end, logs: Path) -> list[Round]:
    proc = start(checkout, db, port, logs / f"{checkout.label}.log".replace(" ", "_").replace(",", ""),
                 role="analyst" if args.analyst else "viewer")
    url, rounds = f"http://127.0.0.1:{port}", []
    pages = checkout.pages + (["data"] if args.analyst else [])
    try:
        time.sleep(args.settle)
        for number in range(args.rounds):
            load_before, before = os.getloadavg()[0], process_cpu(proc.pid)
            results = asyncio.run(run_load(url, args.users, args.seconds, end, tuple(pages), args.variations))
            after, load_after = process_cpu(proc.pid), os.getloadavg()
            spent = {name: seconds - before.get(name, 0.0) for name, seconds in after.items()}
            kind = "first round" if number == 0 else "next round"
            rounds.append(Round(f"{checkout.label}, {kind}", results, spent, (load_before, *load_after[:2])))
    finally:
        stop(proc)
    return rounds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--db", help="an existing database (default: a demo database of --leads leads)")
    parser.add_argument("--config", action="append", default=[], metavar="LABEL=CHECKOUT[:WORKERS]",
                        help="an app configuration to measure (repeat to compare; default: now=.)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per configuration (default 2)")
    parser.add_argument("--settle", type=float, default=20, help="seconds from start to the first visit (20)")
    parser.add_argument("--variations", type=int, default=7, help="how many filter variations the tours use")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--analyst", action="store_true", help="run as analysts and include the Data page")
    parser.add_argument("--no-write", action="store_true", help="print results, do not update RESULTS.md")
    args = parser.parse_args(argv)
    db = args.db or demo.ensure(HERE / f"bench_load_{args.leads}.duckdb", args.leads, end=END,
                                derive=precompute.refresh)
    con = store.connect(db, read_only=True)
    counts = store.table_counts(con)
    end = store.raw(con).execute("SELECT max(created_at)::DATE FROM leads").fetchone()[0]
    con.disconnect()
    checkouts = [Checkout.parse(c) for c in args.config] or [Checkout.parse(f"now={HERE.parent}")]
    rounds = []
    with tempfile.TemporaryDirectory(prefix="bench_load_") as logs:
        for k, checkout in enumerate(checkouts):
            rounds += measure(checkout, db, args.port + 10 * k, args, end, Path(logs))
    report = render(args, counts, rounds)
    print(report)
    if not args.no_write:
        write_section(HERE / "RESULTS.md", "load", report)
    return 0 if not any(r.results.errors for r in rounds) else 1


def render(args, counts, rounds: list[Round]) -> str:
    rows = {r.label: {page: (p50, p95) for page, _n, p50, p95, _top in r.results.rows()} for r in rounds}
    pages = list(dict.fromkeys(page for r in rounds for page in rows[r.label] if page != "all pages"))
    lines = ["| page | " + " | ".join(f"{r.label}: p50 | p95" for r in rounds) + " |",
             "|---|" + "---:|---:|" * len(rounds)]
    for page in [*pages, "all pages"]:
        cells = [f"{v:.2f} s" if page in rows[r.label] else "–" for r in rounds
                 for v in rows[r.label].get(page, (0.0, 0.0))]
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    summary = []
    for r in rounds:
        app = sum(s for name, s in r.processes.items() if name.startswith("app process"))
        spent = sum(r.processes.values())
        summary.append(
            f"- **{r.label}**: {r.results.loads} page loads in {r.results.elapsed:.0f} s, errors: "
            f"{len(r.results.errors)}" + "".join(f" (`{e}`)" for e in r.results.errors[:3])
            + f"; server CPU {spent:.0f} s ({spent / max(r.results.elapsed, 1e-9):.2f} cores), "
            f"{app / max(r.results.loads, 1):.3f} s of app-process CPU per page load; by process: "
            + ", ".join(f"{name} {sec:.{0 if sec >= 10 else 2}f} s" for name, sec in sorted(r.processes.items()))
            + f"; load average {r.load[0]:.1f} at the start, {r.load[1]:.1f} (1 min) / {r.load[2]:.1f} (5 min) "
            "at the end.")
    configs = " ".join(f'--config "{r}"' for r in args.config)
    return "\n".join([
        "## Load test: many users at once (issues 7 and 13)",
        "",
        f"`python benchmarks/bench_load.py --users {args.users} --seconds {args.seconds:g} --leads {args.leads} "
        f"--rounds {args.rounds} --settle {args.settle:g} {configs}`: {args.users} simulated "
        f"{'analysts' if args.analyst else 'viewers'} (Streamlit's websocket protocol, benchmarks/load_app.py) "
        f"each touring every page of the configuration's app for {args.seconds:g} s plus the tours under way, "
        "one session per tour, the next tour with other sidebar filters (default, or 3 / 6 / 12 months in "
        "cohort or period mode); each configuration started with its own `smarketing app`, the first round "
        f"{args.settle:g} s after it answers, the next on the same server. Page-ready time = from the page "
        "request to `script_finished`.",
        "",
        "Data: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()) + ".",
        "",
        *lines,
        "",
        *summary,
        f"- Machine: {os.cpu_count()} cores, shared with other sessions (see the load averages); measured "
        f"{time.strftime('%Y-%m-%d %H:%M')}.",
    ])


if __name__ == "__main__":
    sys.exit(main())
