"""Benchmark: demo generation, lifecycle funnel with a breakdown, cohort table and behaviour funnel at scale,
each beside a straightforward pandas implementation of the same computation on the same data in memory.

    python benchmarks/bench_funnel.py --leads 1000000 --runs 5      # writes its section of RESULTS.md
    python benchmarks/bench_funnel.py --leads 2000 --runs 1 --no-write   # a quick check (CI runs this)

The pandas twins are checked against the DuckDB results before anything is timed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from smarketing import demo, store
from smarketing.filters import Filters
from smarketing.funnel.behaviour import behaviour_funnel
from smarketing.funnel.lifecycle import cohort_table, lifecycle_funnel
from smarketing.stages import PACKAGED_STAGES as DEFAULT_STAGES

HERE = Path(__file__).parent
END = date(2026, 11, 1)
WINDOW = Filters(date(2025, 11, 1), date(2026, 10, 31))
STEPS = ["content_download", "pricing_view", "demo_request"]
STEPS5 = ["content_download", "pricing_view", "webinar_attended", "demo_request", "trial_signup"]
EXCLUDE = ("event_attended", 1, 4)  # drop journeys that met us at an event between the download and the demo
STEP_WINDOW_DAYS = 30
BY = "source_group"
STAGES = DEFAULT_STAGES.names


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# ------------------------------------------------------------------------------------------ pandas twins


def pd_reach(leads: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    idx = changes.stage.map({s: i for i, s in enumerate(STAGES)}).fillna(-1)
    reach = leads.set_index("lead_id")[["created_at", BY]].copy()
    for k, name in enumerate(STAGES):
        firsts = changes[idx >= k].groupby("lead_id").entered_at.min()
        reach[f"at_{name}"] = firsts.reindex(reach.index)
    reach[f"at_{STAGES[0]}"] = reach[f"at_{STAGES[0]}"].where(
        reach[f"at_{STAGES[0]}"] < reach.created_at, reach.created_at)
    return reach


def pd_funnel(leads, changes) -> pd.DataFrame:
    reach = pd_reach(leads, changes)
    reach = reach[(reach.created_at >= WINDOW.start) & (reach.created_at < WINDOW.end)]
    rows = []
    for seg, grp in reach.groupby(BY):
        for k, name in enumerate(STAGES):
            hit = grp[f"at_{name}"].notna()
            median = np.nan
            if k:
                gap = grp[f"at_{name}"] - grp[f"at_{STAGES[k - 1]}"]
                median = (gap.dt.total_seconds() / 86400)[hit].median()
            rows.append((seg, name, int(hit.sum()), median))
    return pd.DataFrame(rows, columns=[BY, "stage", "leads", "median_days_from_previous"])


def pd_cohorts(leads, changes) -> pd.DataFrame:
    reach = pd_reach(leads, changes)
    reach = reach[(reach.created_at >= WINDOW.start) & (reach.created_at < WINDOW.end)]
    month = reach.created_at.dt.to_period("M").dt.to_timestamp()
    out = reach.groupby(month).agg(leads=("created_at", "size"), **{
        name: (f"at_{name}", "count") for name in STAGES})
    for name in STAGES:
        out[name] = out[name] / out["leads"]
    return out.reset_index(names="cohort")


def pd_behaviour(leads, events, steps=STEPS, exclude=None) -> list[int]:
    """Greedy chain from each cohort lead's first step 1 (each step's first event after the previous step, all
    within the window); with `exclude` (event, from, to) journeys that did the event after step `from` and
    before step `to` (before the window closed when `to` was never reached) count at no step."""
    cohort = leads.lead_id[(leads.created_at >= WINDOW.start) & (leads.created_at < WINDOW.end)]
    ev = events[events.event_type.isin(steps) & events.lead_id.isin(cohort)]
    wide = ev[ev.event_type == steps[0]].groupby("lead_id").ts.min().rename("t0").to_frame()
    window = pd.Timedelta(days=STEP_WINDOW_DAYS)
    prev = wide.reset_index()
    for k, step in enumerate(steps[1:], start=1):
        nxt = prev.merge(ev[ev.event_type == step][["lead_id", "ts"]], on="lead_id")
        nxt = nxt[(nxt.ts > nxt[f"t{k - 1}"]) & (nxt.ts <= nxt.t0 + window)]
        keys = ["lead_id", "t0", *[f"t{j}" for j in range(1, k)]]
        prev = nxt.groupby(keys, as_index=False).ts.min().rename(columns={"ts": f"t{k}"})
        wide[f"t{k}"] = prev.set_index("lead_id")[f"t{k}"].reindex(wide.index)
    if exclude is not None:
        kind, low, high = exclude
        start, end = wide[f"t{low - 1}"], wide[f"t{high - 1}"]
        hits = events[events.event_type == kind][["lead_id", "ts"]].merge(
            pd.DataFrame({"start": start, "end": end.fillna(wide.t0 + window), "reached": end.notna()}),
            left_on="lead_id", right_index=True)
        inside = (hits.ts > hits.start) & ((hits.reached & (hits.ts < hits.end)) | (~hits.reached & (hits.ts <= hits.end)))
        wide = wide.drop(index=hits.lead_id[inside].unique())
    return [int(wide[f"t{k}"].notna().sum()) for k in range(len(steps))]


# ------------------------------------------------------------------------------------------------ main


def build(path: Path, leads: int) -> float:
    if path.exists():
        path.unlink()
    con = store.connect(path)
    start = time.perf_counter()
    demo.generate(con, leads=leads, seed=42, end=END, progress=False)
    elapsed = time.perf_counter() - start
    con.disconnect()
    return elapsed


def check(duck_funnel, pd_f, duck_cohorts, pd_c, duck_steps, pd_steps, duck5=None, pd5=None) -> None:
    merged = duck_funnel.merge(pd_f, on=[BY, "stage"], suffixes=("", "_pd"))
    assert (merged.leads == merged.leads_pd).all(), "funnel counts differ from the pandas twin"
    assert np.allclose(merged.median_days_from_previous, merged.median_days_from_previous_pd, equal_nan=True)
    assert np.allclose(duck_cohorts[STAGES].to_numpy(), pd_c[STAGES].to_numpy()), "cohorts differ"
    assert duck_steps == pd_steps, f"behaviour funnel differs: {duck_steps} vs {pd_steps}"
    assert duck5 == pd5, f"5-step behaviour funnel with an exclusion differs: {duck5} vs {pd5}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", default=None, help="database file (default: benchmarks/bench_funnel_N.duckdb)")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing database instead of generating")
    parser.add_argument("--no-write", action="store_true", help="print results, do not update RESULTS.md")
    args = parser.parse_args(argv)
    path = Path(args.db or HERE / f"bench_funnel_{args.leads}.duckdb")
    gen = None if args.reuse and path.exists() else build(path, args.leads)
    con = store.connect(path, read_only=True)
    counts = store.table_counts(con)

    t_funnel, duck_f = timed(lambda: lifecycle_funnel(con, WINDOW, by=BY), args.runs)
    t_cohort, duck_c = timed(lambda: cohort_table(con, WINDOW), args.runs)
    t_behav, duck_b = timed(lambda: behaviour_funnel(con, STEPS, STEP_WINDOW_DAYS, WINDOW), args.runs)
    t_behav5, duck_b5 = timed(lambda: behaviour_funnel(con, STEPS5, STEP_WINDOW_DAYS, WINDOW, exclusions=[EXCLUDE]),
                              args.runs)

    start = time.perf_counter()
    db = store.raw(con)
    leads = db.execute(f"SELECT lead_id, created_at, {BY} FROM leads").df()
    changes = db.execute("SELECT lead_id, stage, entered_at FROM stage_changes").df()
    events = db.execute("SELECT lead_id, ts, event_type FROM events").df()
    t_load = time.perf_counter() - start
    p_funnel, pd_f = timed(lambda: pd_funnel(leads, changes), args.runs)
    p_cohort, pd_c = timed(lambda: pd_cohorts(leads, changes), args.runs)
    p_behav, pd_b = timed(lambda: pd_behaviour(leads, events), args.runs)
    p_behav5, pd_b5 = timed(lambda: pd_behaviour(leads, events, STEPS5, EXCLUDE), args.runs)
    check(duck_f, pd_f, duck_c, pd_c, duck_b.leads.tolist(), pd_b, duck_b5.leads.tolist(), pd_b5)

    rows = [("Lifecycle funnel by source group", t_funnel, p_funnel, 0.3),
            ("Monthly cohort table", t_cohort, p_cohort, None),
            (f"Behaviour funnel ({len(STEPS)} steps, {STEP_WINDOW_DAYS}-day window) over all events", t_behav,
             p_behav, 1.5),
            (f"Behaviour funnel ({len(STEPS5)} steps, {STEP_WINDOW_DAYS}-day window, excluding {EXCLUDE[0]} between "
             f"steps {EXCLUDE[1]} and {EXCLUDE[2]}) over all events", t_behav5, p_behav5, 1.5)]
    report = render(args, counts, gen, t_load, rows)
    print(report)
    if not args.no_write:
        write_section(HERE / "RESULTS.md", "funnel", report)
    return 0


def render(args, counts, gen, t_load, rows) -> str:
    lines = [
        "## Funnel (issue 2)",
        "",
        f"`python benchmarks/bench_funnel.py --leads {args.leads} --runs {args.runs}`; medians of {args.runs} runs; "
        "2 cores, 24 GiB (run it when the machine is otherwise idle: other load inflates every number).",
        "",
        "Data: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()) + ".",
        "",
        f"Demo generation: **{gen:.1f} s** (target < 120 s)." if gen is not None else "Demo generation: reused.",
        "",
        "| computation | DuckDB via Ibis | pandas twin | pandas / DuckDB | target |",
        "|---|---:|---:|---:|---|",
    ]
    for name, duck, pand, target in rows:
        verdict = "" if target is None else (f"< {target} s " + ("✅" if duck < target else "❌"))
        lines.append(f"| {name} | {duck:.3f} s | {pand:.3f} s | {pand / duck:.1f}× | {verdict} |")
    lines += ["", f"Loading the three tables into pandas first took {t_load:.1f} s (not counted above).",
              "The pandas results were checked equal to the DuckDB ones before timing."]
    return "\n".join(lines)


def write_section(path: Path, name: str, text: str) -> None:
    """Replace this benchmark's section of RESULTS.md (between markers), keeping the others."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    body = path.read_text("utf-8") if path.exists() else "# Benchmark results\n"
    block = f"{begin}\n{text}\n{end}"
    if begin in body and end in body:
        body = body[: body.index(begin)] + block + body[body.index(end) + len(end):]
    else:
        body = body.rstrip() + "\n\n" + block + "\n"
    path.write_text(body, "utf-8")


if __name__ == "__main__":
    sys.exit(main())
