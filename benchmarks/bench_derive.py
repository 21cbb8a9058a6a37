"""What the derived tables cost a write (issue 13): a demo build with and without them, and each part's time.

    python benchmarks/bench_derive.py --leads 1000000 --leads 20000     # writes its section of RESULTS.md
    python benchmarks/bench_derive.py --leads 2000 --no-write           # a quick check

A demo database is built twice per size in one run (`store.writing` around `demo.generate`, as `smarketing demo`
does): once without deriving, once with `smarketing.precompute.refresh`, whose parts are timed one by one.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from smarketing import demo, precompute, store

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_funnel import END, write_section  # noqa: E402


def build(path: Path, leads: int, derive: bool) -> tuple[float, dict[str, float]]:
    parts: dict[str, float] = {}

    def derived(con, db):
        skipped = precompute.refresh(con, db, progress=lambda name, seconds: parts.__setitem__(name, seconds))
        if skipped:
            raise SystemExit(f"parts left out: {skipped}")

    started = time.perf_counter()
    with store.writing(path, fresh=True, derive=derived if derive else None) as con:
        demo.generate(con, leads=leads, seed=42, end=END, progress=False)
    return time.perf_counter() - started, parts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, action="append", default=[])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_derive_", dir=HERE) as folder:
        for leads in args.leads or [20_000]:
            path = Path(folder) / f"demo_{leads}.duckdb"
            plain, _ = build(path, leads, derive=False)
            size_plain = path.stat().st_size
            path.unlink()
            full, parts = build(path, leads, derive=True)
            rows.append((leads, plain, full, parts, size_plain, path.stat().st_size))
            path.unlink()
            print(f"{leads:,} leads: {plain:.1f} s without, {full:.1f} s with derived tables {parts}", flush=True)
    names = list(rows[0][3])
    lines = ["| leads | demo build | with derived tables | the derived parts | " + " | ".join(names) + " | file size |",
             "|---:|---:|---:|---:|" + "---:|" * len(names) + "---:|"]
    for leads, plain, full, parts, before, after in rows:
        spent = sum(parts.values())  # the builds themselves vary by a few seconds: the parts are what it adds
        lines.append(f"| {leads:,} | {plain:.1f} s | {full:.1f} s | {spent:.1f} s (+{spent / plain:.0%}) | "
                     + " | ".join(f"{parts[n]:.1f} s" for n in names)
                     + f" | {before / 2**20:,.0f} → {after / 2**20:,.0f} MB |")
    report = "\n".join([
        "## What the derived tables cost a write (issue 13)", "",
        f"`python benchmarks/bench_derive.py {' '.join(f'--leads {n}' for n in args.leads)}`: a demo build "
        "(`store.writing` around `demo.generate`) without and with the derived tables of smarketing.precompute, "
        f"in one run; load average at the end {os.getloadavg()[0]:.1f}, measured {time.strftime('%Y-%m-%d %H:%M')}.",
        "", *lines])
    print(report)
    if not args.no_write:
        write_section(HERE / "RESULTS.md", "derive", report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
