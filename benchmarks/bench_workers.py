"""Load test through nginx (issue 13): the same simulated users on one app process, then on N app processes
behind nginx (`smarketing app --workers N`), in one run.

    python benchmarks/bench_workers.py --users 20 --seconds 60 --leads 20000 --workers 2   # writes RESULTS.md
    python benchmarks/bench_workers.py --users 4 --seconds 10 --leads 2000 --no-write       # a quick check

Both are started with `smarketing app` on loopback over the same demo database (history ending 2026-11-01,
benchmarks/bench_load_<N>.duckdb, built once), as viewers, from a fresh start (cold caches), one after the
other. The users are those of bench_load.py (benchmarks/load_app.py, Streamlit's websocket protocol): each
tours every page on one session per tour. Reported per configuration: page-ready times, errors, server CPU
(every process of the app: waited for, so counted by getrusage) and each process's own CPU (from /proc just
before the stop), which says where the time went.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from smarketing import demo, store

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_funnel import END, write_section  # noqa: E402
from load_app import VIEWER_PAGES, Results, run_load  # noqa: E402

SMARKETING = str(Path(sys.executable).parent / "smarketing")
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    label: str
    results: Results
    cpu: float  # seconds, every process of the app, start-up included
    processes: dict[str, float]  # seconds per process during the load (from /proc)
    load: tuple[float, float, float]  # load average before, 1 min and 5 min after


def process_cpu(pid: int) -> dict[str, float]:
    """CPU seconds of `pid` and its descendants, by a short name (Linux /proc)."""
    found, pending = {}, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{current}/cmdline").read_bytes().split(b"\0")
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        title = b" ".join(command).decode(errors="replace")
        if b"--server.port" in command:
            name = f"app process :{command[command.index(b'--server.port') + 1].decode()}"
        elif title.startswith("nginx:"):
            name = "nginx " + ("master" if "master" in title else "worker")
        else:
            name = "launcher" if current == pid else title[:40]
        found[name] = (int(fields[11]) + int(fields[12])) / TICK
        pending += [int(c) for c in children]
    return found


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def measure(label: str, db: str, port: int, workers: int, args, end, logs: Path) -> Run:
    """Start `smarketing app` (with --workers when > 1), run the users, read the CPU, stop it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STREAMLIT_", "SMARKETING_"))}
    env["SMARKETING_ROLE"] = "viewer"
    command = [SMARKETING, "app", "--db", db, "--port", str(port), *(["--workers", str(workers)] if workers > 1 else [])]
    log = logs / f"{label}.log"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log.open("w") as out:
        app = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while not ("smarketing app:" in log.read_text() and ready(url)):
            if app.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{label}: the app did not start\n{log.read_text()}")
            time.sleep(0.5)
        load_before, started = os.getloadavg()[0], process_cpu(app.pid)
        results = asyncio.run(run_load(url, args.users, args.seconds, end, VIEWER_PAGES, args.variations))
        load_after = os.getloadavg()
        processes = {name: seconds - started.get(name, 0.0) for name, seconds in process_cpu(app.pid).items()}
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if "Traceback" in log.read_text():
        results.errors.append(f"{label}: traceback in the server log {log}")
    return Run(label, results, cpu, processes, (load_before, load_after[0], load_after[1]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variations", type=int, default=7, help="how many filter variations the tours use")
    parser.add_argument("--port", type=int, default=8790, help="the app's port (the workers use the next ones)")
    parser.add_argument("--no-write", action="store_true", help="print results, do not update RESULTS.md")
    args = parser.parse_args(argv)
    db = demo.ensure(HERE / f"bench_load_{args.leads}.duckdb", args.leads, end=END)
    con = store.connect(db, read_only=True)
    counts = store.table_counts(con)
    end = store.raw(con).execute("SELECT max(created_at)::DATE FROM leads").fetchone()[0]
    con.disconnect()
    with tempfile.TemporaryDirectory(prefix="bench_workers_") as logs:
        runs = [measure("one process", db, args.port, 1, args, end, Path(logs)),
                measure(f"{args.workers} processes behind nginx", db, args.port, args.workers, args, end, Path(logs))]
    report = render(args, counts, runs)
    print(report)
    if not args.no_write:
        write_section(HERE / "RESULTS.md", "workers", report)
    return 0 if not any(r.results.errors for r in runs) else 1


def render(args, counts, runs: list[Run]) -> str:
    rows = {run.label: {page: (n, p50, p95, top) for page, n, p50, p95, top in run.results.rows()} for run in runs}
    pages = list(rows[runs[0].label])
    head = "| page | " + " | ".join(f"{r.label}: p50 | p95" for r in runs) + " |"
    lines = [head, "|---|" + "---:|---:|" * len(runs)]
    for page in pages:
        cells = []
        for run in runs:
            n, p50, p95, _top = rows[run.label].get(page, (0, float("nan"), float("nan"), 0))
            cells += [f"{p50:.2f} s", f"{p95:.2f} s"]
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    summary = []
    for run in runs:
        r = run.results
        during = sum(run.processes.values())
        summary.append(
            f"- **{run.label}**: {r.loads} page loads in {r.elapsed:.0f} s, errors: {len(r.errors)}"
            + "".join(f" (`{e}`)" for e in r.errors[:3])
            + f"; server CPU during the load {during:.0f} s ({during / max(r.elapsed, 1e-9):.2f} cores), "
            f"{during / max(r.loads, 1):.2f} s per page load ({run.cpu:.0f} s with the start-up); by process: "
            + ", ".join(f"{name} {seconds:.{0 if seconds >= 10 else 2}f} s" for name, seconds in sorted(run.processes.items()))
            + f"; load average {run.load[0]:.1f} at the start, {run.load[1]:.1f} (1 min) / {run.load[2]:.1f} "
            "(5 min) at the end.")
    return "\n".join([
        f"## Load test through nginx: one app process against {args.workers} (issue 13)",
        "",
        f"`python benchmarks/bench_workers.py --users {args.users} --seconds {args.seconds:g} --leads {args.leads} "
        f"--workers {args.workers}`: the load test of bench_load.py ({args.users} viewers touring every page but "
        f"Data, for {args.seconds:g} s plus the tours under way) on `smarketing app`, then on `smarketing app "
        f"--workers {args.workers}` (Debian's nginx in front, sticky sessions by cookie; each user's session is "
        "its own websocket, so nginx spreads the users over the workers), each from a fresh start, in one run.",
        "",
        "Data: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()) + ".",
        "",
        *lines,
        "",
        *summary,
        f"- Machine: {os.cpu_count()} cores; measured {time.strftime('%Y-%m-%d %H:%M')}.",
    ])


if __name__ == "__main__":
    sys.exit(main())
