"""The weekly meeting pack: how long `smarketing pack` takes, part by part (issue 18).

    python benchmarks/bench_pack.py --leads 20000            # prints the section; --write puts it in RESULTS.md
    python benchmarks/bench_pack.py --leads 1000000 --runs 1

A demo database of --leads leads (history ending 2026-11-01) is built once at benchmarks/bench_pack_<N>.duckdb.
The pack is the week 2026-W43 (19–25 Oct 2026) in period mode, the default options; each part is the analysis
function the pack calls (smarketing.report.content), then the HTML, then the PDF (WeasyPrint). The whole command
adds Python's start and imports, measured separately.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_funnel import END, write_section  # noqa: E402

from smarketing import demo, report, store  # noqa: E402
from smarketing.attribution import channels  # noqa: E402
from smarketing.attribution import report as attribution  # noqa: E402
from smarketing.filters import Filters  # noqa: E402
from smarketing.funnel import kpis, leaks, lifecycle  # noqa: E402
from smarketing.leadflow import sla  # noqa: E402
from smarketing.report import pdf  # noqa: E402
from smarketing.report.content import goal_progress  # noqa: E402
from smarketing.store.profile import data_profile  # noqa: E402

WEEK = "2026-W43"


def parts(con, options):
    f = options.filters

    def romi():
        credited = attribution.attribution(con, attribution.PathParams(), f, (options.model,))
        spend = attribution.channel_spend(con, f, credited.paths.channels)
        return attribution.channel_romi(credited.credits, spend, options.model)

    return {
        "headline KPIs (kpis.headline)": lambda: kpis.headline(con, f),
        "funnel (lifecycle.lifecycle_funnel)": lambda: lifecycle.lifecycle_funnel(con, f),
        "leaks (leaks.leaks)": lambda: leaks.leaks(con, f),
        "hand-off SLA (sla.sla_report)": lambda: sla.sla_report(con, f, hours=options.sla_hours),
        "channel table (channels.channel_table)": lambda: channels.channel_table(con, f, by="source_group"),
        "ROMI under Markov (attribution + channel_romi)": romi,
        "goal plan and progress (planner.plan, planner.progress)": lambda: goal_progress(con, options),
        "what the data holds (data_profile)": lambda: data_profile(con),
    }


def timed(func, runs: int) -> tuple[float, list[float], object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def row(name: str, seconds: float, times: list[float]) -> str:
    return f"| {name} | {seconds:.2f} | {', '.join(f'{t:.2f}' for t in times)} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="write the section into benchmarks/RESULTS.md")
    args = parser.parse_args()
    path = demo.ensure(HERE / f"bench_pack_{args.leads}.duckdb", args.leads, end=END)
    con = store.connect(path, read_only=True)
    since, until = report.parse_week(WEEK)
    options = report.PackOptions(Filters(since=since, until=until, mode="period"))
    lines = [row(name, *timed(func, args.runs)[:2]) for name, func in parts(con, options).items()]
    gather, gather_times, content = timed(lambda: report.gather(con, options), args.runs)
    render, render_times, html = timed(lambda: report.render(content), args.runs)
    lines += [row("**all numbers (report.gather)**", gather, gather_times), row("HTML (report.render)", render,
                                                                                 render_times)]
    if pdf.available():
        lines.append(row("PDF (WeasyPrint)", *timed(lambda: pdf.html_to_pdf(html), args.runs)[:2]))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import smarketing.cli.pack"], check=True)
    imports = time.perf_counter() - start
    leads = int(con.table("leads").count().execute())
    text = "\n".join([
        f"## Meeting pack (issue 18): week {WEEK} on {leads:,} leads\n",
        f"`smarketing pack --week {WEEK}` on a demo database of {leads:,} leads (history ending {END}), period "
        f"mode, default options (Markov, 24 h SLA, target = run rate + 20%). Median of {args.runs} runs, seconds; "
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores shared with other work "
        f"running at the same time, so times are upper bounds. The command adds Python's start and imports: "
        f"{imports:.1f} s. The HTML is {len(html.encode()):,} bytes.\n",
        "| part | median s | runs |", "|---|---|---|", *lines, "",
        f"Run: `python benchmarks/bench_pack.py --leads {args.leads}`. The Overview's button runs the same "
        "`report.gather` + `report.render` when clicked (never on a page run).",
    ])
    print(text)
    if args.write:
        write_section(HERE / "RESULTS.md", "pack", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
