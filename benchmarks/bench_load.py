"""Load test (issue 7): many users at once on the app, over Streamlit's websocket protocol.

    python benchmarks/bench_load.py --users 20 --seconds 60 --leads 20000   # writes its section of RESULTS.md
    python benchmarks/bench_load.py --users 5 --seconds 10 --leads 2000 --no-write   # a quick check

Starts `streamlit run app.py` on loopback against a demo database (benchmarks/bench_load_<N>.duckdb,
generated once, or --db), as a viewer (--analyst: as an analyst, the Data page included in the tours),
drives the simulated users of load_app.py through the pages for --seconds, and reports the page-ready
times (request to `script_finished`) per page, the page loads and the errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from smarketing import demo, store

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from bench_funnel import END, write_section  # noqa: E402
from conftest import running_app  # noqa: E402
from load_app import VIEWER_PAGES, run_load  # noqa: E402


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as resp:
            return resp.status == 200
    except OSError:
        return False


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--db", help="an existing database (default: a demo database of --leads leads)")
    parser.add_argument("--variations", type=int, default=7, help="how many filter variations the tours use")
    parser.add_argument("--analyst", action="store_true", help="run as analysts and include the Data page")
    parser.add_argument("--no-write", action="store_true", help="print results, do not update RESULTS.md")
    args = parser.parse_args(argv)
    path = args.db or demo.ensure(HERE / f"bench_load_{args.leads}.duckdb", args.leads, end=END)
    con = store.connect(path, read_only=True)
    counts = store.table_counts(con)
    end = store.raw(con).execute("SELECT max(created_at)::DATE FROM leads").fetchone()[0]
    con.disconnect()
    pages = (*VIEWER_PAGES, "data") if args.analyst else VIEWER_PAGES
    env = {"SMARKETING_DB": str(path), "SMARKETING_ROLE": "analyst" if args.analyst else "viewer"}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench_load_") as logs, running_app(env, Path(logs)) as url:
        results = asyncio.run(run_load(url, args.users, args.seconds, end, pages, args.variations))
        load_after = os.getloadavg()
        ok = healthy(url)
        log = (Path(logs) / "streamlit.log").read_text("utf-8", errors="replace")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the server, waited for when the app stopped
    server_cpu = usage.ru_utime + usage.ru_stime
    tracebacks = log.count("Traceback")
    if tracebacks:
        print("Server log:\n" + log[-4000:], file=sys.stderr)
    report = render(args, counts, results, ok, tracebacks, server_cpu, load_before, load_after)
    print(report)
    if not args.no_write:
        write_section(HERE / "RESULTS.md", "load", report)
    return 0 if ok and not results.errors and not tracebacks else 1


def render(args, counts, results, ok, tracebacks, server_cpu, load_before, load_after) -> str:
    tours = sum(results.tours.values())
    flags = f"--users {args.users} --seconds {args.seconds:g} " + (
        "--db <database>" if args.db else f"--leads {args.leads}") + (" --analyst" if args.analyst else "")
    return "\n".join([
        "## Load test: 20 users at once (issue 7)",
        "",
        f"`python benchmarks/bench_load.py {flags}`: {args.users} simulated "
        f"{'analysts' if args.analyst else 'viewers'} speak Streamlit's websocket protocol "
        "(benchmarks/load_app.py) to `streamlit run app.py` on loopback, each touring every page "
        f"{'(Data included)' if args.analyst else '(all but Data)'} on one session per tour, the next tour "
        "with other sidebar filters (default, or 3 / 6 / 12 months in cohort or period mode), for "
        f"{args.seconds:g} s plus the tours under way ({results.elapsed:.0f} s in all). Page-ready time = from "
        "the `rerun_script` request to `script_finished`, everything the page draws included.",
        "",
        "Data: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()) + ".",
        "",
        results.table(),
        "",
        f"{results.loads} page loads, {tours} complete tours ({min(results.tours.values(), default=0)}–"
        f"{max(results.tours.values(), default=0)} per user); server healthy afterwards: {'yes' if ok else 'NO'}; "
        f"tracebacks in the server log: {tracebacks}.",
        f"Server CPU time: {server_cpu:.0f} s in {results.elapsed:.0f} s "
        f"({server_cpu / max(results.elapsed, 1e-9):.1f} cores; start-up included), "
        f"{server_cpu / max(results.loads, 1):.2f} s per page load.",
        f"Machine: {os.cpu_count()} cores; load average {load_before[0]:.1f} before the run, "
        f"{load_after[0]:.1f} (1 min) / {load_after[1]:.1f} (5 min) at its end, measured "
        f"{time.strftime('%Y-%m-%d %H:%M')}.",
    ])


if __name__ == "__main__":
    sys.exit(main())
