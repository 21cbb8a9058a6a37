"""Benchmark lead flow at scale: de-duplication, the SLA report, the flow and the goal planner.

    python benchmarks/bench_leadflow.py [--db PATH] [--leads 1000000] [--runs 3]

Without --db, a demo database of --leads leads is generated once at benchmarks/bench_leadflow_<N>.duckdb
(any demo database of that size will do, e.g. the attribution benchmark's). Prints a markdown section for
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from bench_funnel import END  # the demo history ends on a fixed day, as in every benchmark

from smarketing import demo, planner, store
from smarketing.leadflow import flow as leadflow
from smarketing.leadflow import normalize
from smarketing.leadflow.dedupe import lead_keys

HERE = Path(__file__).resolve().parent


def timed(func, runs: int, before=None) -> tuple[float, list[float], object]:
    """Median seconds over `runs` calls (all timings, the last result); `before` runs untimed each time."""
    times, result = [], None
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def database(args) -> str:
    return args.db or demo.ensure(HERE / f"bench_leadflow_{args.leads}.duckdb", args.leads, end=END)


def sizes(con) -> dict[str, int]:
    leads = con.table("leads")
    counts = store.table_counts(con)
    counts["distinct phones"] = int(leads.phone.nunique().execute())
    counts["distinct companies"] = int(leads.company.nunique().execute())
    return counts


def row(name: str, seconds: float, times: list[float], note: str = "") -> str:
    spread = ", ".join(f"{t:.2f}" for t in times)
    return f"| {name} | {seconds:.2f} | {spread} | {note} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = database(args)
    con = store.connect(path, read_only=True)
    n = sizes(con)
    runs = args.runs
    lines = [row(*r) for r in _measure(con, runs)]
    print(f"## Lead flow: de-duplication, SLA, flow, planner ({n['leads']:,} leads)\n")
    print(f"Database: demo data, {n['leads']:,} leads, {n['handoffs']:,} hand-offs, {n['deals']:,} deals, "
          f"{n['distinct phones']:,} distinct phone spellings, {n['distinct companies']:,} distinct company "
          f"spellings. Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores shared "
          f"with other work running at the same time (other helpers' tests and benchmarks), so times are "
          f"upper bounds. Median of {runs} runs, seconds; every run re-plans and re-executes its queries.\n")
    print("| step | median s | runs | note |\n|---|---|---|---|")
    print("\n".join(lines))


def _measure(con, runs: int):
    cold = normalize.e164.cache_clear
    t, ts, report = timed(lambda: leadflow.dedupe_report(con), runs, before=cold)
    total = report.by_group.iloc[-1]
    yield ("dedupe report, cold (phones parsed by `phonenumbers`)", t, ts,
           f"{total['not_new_share']:.1%} not new: {int(total['duplicate']):,} duplicates, "
           f"{int(total['existing_customer']):,} existing customers, {int(total['open_deal']):,} open deals")
    t, ts, _ = timed(lambda: leadflow.dedupe_report(con), runs)
    yield "dedupe report, warm (phone cache of the process filled)", t, ts, "what a page re-run with new filters pays"
    t, ts, frame = timed(lambda: leadflow.dedupe(con), 1)
    yield "dedupe per lead into pandas (the CSV of `smarketing dedupe`)", t, ts, f"{len(frame):,} rows"
    keys = lead_keys(con)
    t, ts, _ = timed(lambda: keys.aggregate(n=keys.key_phone.count()).execute(), runs, before=cold)
    yield "of which: matching keys alone, cold", t, ts, "E.164 UDF over distinct (phone, country) pairs"
    t, ts, s = timed(lambda: leadflow.sla_report(con), runs)
    yield ("SLA report (8 tables)", t, ts,
           f"{int(s.summary.iloc[0]['dispatched']):,} hand-offs, {s.summary.iloc[0]['sla_met_share']:.1%} within SLA")
    t, ts, links = timed(lambda: leadflow.flow(con), runs)
    yield "flow MQL → won / lost (Sankey)", t, ts, f"{int(links[links.source == 'mql'].leads.sum()):,} MQLs"
    t, ts, plan = timed(lambda: planner.plan(con, 5_000_000, months=3), runs)
    yield "goal plan from history", t, ts, f"{plan.needed_map()[plan.assumptions.stages[0]]:,} leads needed for $5M"


if __name__ == "__main__":
    main()
