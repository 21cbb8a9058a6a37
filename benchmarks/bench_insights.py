"""Benchmark the Data trust and What drives conversion analyses (issue 19) at scale: the audit report, its lead
lists, the drivers of a stage step and of a behaviour step, the leads of a driver and the time-to-convert
histogram.

    python benchmarks/bench_insights.py [--db PATH] [--leads 1000000] [--runs 3] [--write]

Without --db, a demo database of --leads leads is generated once at benchmarks/bench_insights_<N>.duckdb (any
demo database with the fixed end date will do). Each run opens a fresh read-only connection, so nothing a
connection remembers (recorded stages, the reach table's freshness) is carried over. Prints a markdown section;
--write puts it into RESULTS.md between its markers.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from datetime import date
from pathlib import Path

from bench_funnel import END, write_section  # the demo history ends on a fixed day, as in every benchmark

from smarketing import demo, store
from smarketing.filters import Filters
from smarketing.funnel import audit
from smarketing.funnel import drivers as drv

HERE = Path(__file__).resolve().parent
YEAR = Filters(date(2025, 11, 1), date(2026, 10, 31))
MQL_SQL = drv.StepPair("stage", "MQL", "SQL")
LEAD_CUSTOMER = drv.StepPair("stage", "Lead", "Customer")
EVENTS = drv.StepPair("event", "content_download", "demo_request", 30)


def timed(path: str, func, runs: int) -> tuple[float, float, list[float], object]:
    """(median wall seconds, median CPU seconds of this process, wall times, last result) over `runs` calls, each on
    a fresh read-only connection."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        con = store.connect(path, read_only=True)
        wall, cpu = time.perf_counter(), time.process_time()
        result = func(con)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        con.disconnect()
    return statistics.median(walls), statistics.median(cpus), walls, result


STEPS = [
    ("audit report, last 12 months (cohort)", lambda c: audit.audit_report(c, YEAR),
     lambda r: f"{r.leads:,} leads, {r.with_history_issue:,} with a history issue"),
    ("trust line of the Funnel page (history checks only), last 12 months",
     lambda c: audit.audit_report(c, YEAR, only=audit.HISTORY_KEYS), lambda r: f"{r.leads:,} leads"),
    ("audit report, all time", lambda c: audit.audit_report(c), lambda r: f"{r.leads:,} leads"),
    ("audit report, last 12 months (period)", lambda c: audit.audit_report(c, Filters(YEAR.since, YEAR.until, "period")),
     lambda r: f"{r.leads:,} leads"),
    ("offending leads: past the 90th percentile (largest list)", lambda c: audit.offending_leads(c, "past_p90", YEAR),
     lambda r: f"{len(r):,} rows"),
    ("offending leads: backwards", lambda c: audit.offending_leads(c, "backwards", YEAR), lambda r: f"{len(r):,} rows"),
    ("drivers MQL → SQL", lambda c: drv.drivers(c, MQL_SQL, YEAR),
     lambda r: f"{r.leads:,} leads, {len(r.drivers):,} drivers tested"),
    ("drivers Lead → Customer", lambda c: drv.drivers(c, LEAD_CUSTOMER, YEAR),
     lambda r: f"{r.leads:,} leads, {len(r.drivers):,} drivers tested"),
    ("drivers content download → demo request (events)", lambda c: drv.drivers(c, EVENTS, YEAR),
     lambda r: f"{r.leads:,} leads, {len(r.drivers):,} drivers tested"),
    ("leads of an event driver (pricing view before MQL)",
     lambda c: drv.driver_leads(c, MQL_SQL, "event", "event", "pricing_view", filters=YEAR), lambda r: f"{len(r):,} rows"),
    ("time to convert MQL → SQL", lambda c: drv.time_to_convert(c, MQL_SQL, YEAR), lambda r: f"{r.leads:,} timed"),
    ("time to convert, events", lambda c: drv.time_to_convert(c, EVENTS, YEAR), lambda r: f"{r.leads:,} timed"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="update this benchmark's section of RESULTS.md")
    args = parser.parse_args()
    path = args.db or demo.ensure(HERE / f"bench_insights_{args.leads}.duckdb", args.leads, end=END)
    con = store.connect(path, read_only=True)
    counts = store.table_counts(con)
    con.disconnect()
    lines = []
    for name, func, note in STEPS:
        wall, cpu, walls, result = timed(path, func, args.runs)
        lines.append(f"| {name} | {wall:.2f} | {cpu:.2f} | {', '.join(f'{w:.2f}' for w in walls)} | {note(result)} |")
        print(lines[-1], flush=True)
    text = "\n".join([
        f"## Data trust and what drives conversion (issue 19, {counts['leads']:,} leads)\n",
        f"`python benchmarks/bench_insights.py --leads {counts['leads']} --runs {args.runs}`: demo data with "
        f"{counts['leads']:,} leads, {counts['events']:,} events, {counts['stage_changes']:,} stage changes; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores shared with other work, so times are "
        f"upper bounds. Median of {args.runs} runs, each on a fresh read-only connection; the window is the last 12 "
        "months of the demo history.\n",
        "| step | median s | CPU s | runs | result |", "|---|---|---|---|---|", *lines])
    print("\n" + text)
    if args.write:
        write_section(HERE / "RESULTS.md", "insights", text)


if __name__ == "__main__":
    main()
