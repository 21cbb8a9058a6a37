"""Benchmark lead scoring at scale: DuckDB scoring + metrics, the one-query curve, the tuner's features
load and in-memory recompute per slider move, and the suggestion.

    python benchmarks/bench_scoring.py [--db PATH] [--leads 1000000] [--runs 5]

Without --db, a demo database of --leads leads is generated once at benchmarks/bench_scoring_<N>.duckdb.
Prints a markdown section for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from dataclasses import replace
from pathlib import Path

from bench_funnel import END  # the demo history ends on a fixed day, as in every benchmark

from smarketing import demo, store
from smarketing.scoring.evaluation import Capacity, curve, evaluate
from smarketing.scoring.scores import score_leads
from smarketing.scoring.suggest import suggest
from smarketing.scoring.tuner import Tuner
from smarketing.scoring.versions import load_rules, shipped_rules_path

HERE = Path(__file__).resolve().parent


def timed(func, runs: int) -> tuple[float, list[float], object]:
    """Median seconds over `runs` calls (and all timings, and the last result)."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def database(args) -> str:
    return args.db or demo.ensure(HERE / f"bench_scoring_{args.leads}.duckdb", args.leads, end=END)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    con = store.connect(database(args), read_only=True)
    counts = store.table_counts(con)
    rules = load_rules(shipped_rules_path())
    capacity = Capacity(10, 50)
    rows = []

    def add(name, func, runs=args.runs, target=None):
        median, times, result = timed(func, runs)
        rows.append((name, median, min(times), max(times), runs, target))
        print(f"{name}: median {median * 1000:,.0f} ms", flush=True)
        return result

    add("score + metrics in DuckDB (evaluate)", lambda: evaluate(score_leads(con, rules), "won", capacity))
    add("PR + volume curve over all thresholds (one query)", lambda: curve(score_leads(con, rules), rules))
    engine = add("tuner: fetch per-lead features once (Tuner.load)", lambda: Tuner.load(con, rules), runs=3)
    moves = iter(range(10**6))

    def slider_move():
        k = next(moves)
        moved = rules.with_points(fit=[r.points + (k % 5) for r in rules.fit],
                                  interest_threshold=rules.interest_threshold + (k % 7))
        s = engine.scores(moved)
        engine.evaluate(moved, "won", capacity, scores=s)
        engine.curve(moved, "won", "interest", capacity, scores=s)
        engine.weekly(moved, "won", scores=s)

    add("tuner: recompute after a slider move (scores, metrics, curve, weekly)", slider_move, runs=max(args.runs, 15),
        target=0.2)
    add("tuner: recompute, metrics only", lambda: engine.evaluate(replace(rules, fit_threshold=20.0)), runs=15)
    result = add("suggested points (candidates, lift, thresholds, logistic regression)", lambda: suggest(con, rules),
                 runs=1)
    auc = result.auc

    print()
    print(f"## Scoring ({counts['leads']:,} leads, {counts['events']:,} events)")
    print()
    print(f"Demo database (seed 42), shipped rules (`data/scoring.toml`), outcome *won*; {platform.machine()}, "
          f"{os.cpu_count()} cores **shared with other work running at the same time** (timings are noisy, "
          f"upper bounds). Python {platform.python_version()}.")
    print()
    print("| step | median | min | max | runs | target |")
    print("|---|---:|---:|---:|---:|---|")
    for name, median, lo, hi, runs, target in rows:
        goal = "" if target is None else f"< {target * 1000:.0f} ms {'✅' if median < target else '❌'}"
        print(f"| {name} | {median * 1000:,.0f} ms | {lo * 1000:,.0f} ms | {hi * 1000:,.0f} ms | {runs} | {goal} |")
    print()
    cmp = result.comparison.set_index("metric")
    print(f"Suggestion on this data: test AUC current {auc['current']:.3f}, suggested {auc['suggested']:.3f}, "
          f"logistic regression {auc['logistic']:.3f}; on the test period the suggested rules catch "
          f"{int(cmp.loc['caught', 'suggested']):,} won leads with {int(cmp.loc['mqls', 'suggested']):,} MQLs, "
          f"the shipped rules {int(cmp.loc['caught', 'current']):,} with {int(cmp.loc['mqls', 'current']):,}.")


if __name__ == "__main__":
    main()
