"""Load test through nginx (issue 13): the same simulated users on one app process, then on N app processes
behind nginx (`smarketing app --workers N`), in one run.

    python benchmarks/bench_workers.py --users 20 --seconds 60 --leads 20000 --workers 2   # writes RESULTS.md
    python benchmarks/bench_workers.py --users 4 --seconds 10 --leads 2000 --no-write       # a quick check

Both are started with `smarketing app` on loopback over the same demo database (history ending 2026-11-01,
benchmarks/bench_load_<N>.duckdb, built once), as viewers, one after the other. The users are those of
bench_load.py (benchmarks/load_app.py, Streamlit's websocket protocol): each tours every page on one session
per tour. Each configuration gets --rounds rounds of the load: the first from a fresh start (cold caches, as
bench_load.py), the next ones on the same server (warm caches: every result the tours ask for computed
before). Reported per round: page-ready times, errors, and the CPU of each process of the app (from /proc),
which says where the time went; per configuration the server CPU with the start-up (getrusage).
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
class Round:
    label: str
    results: Results
    processes: dict[str, float]  # CPU seconds per process during the round (from /proc)
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


def measure(label: str, db: str, port: int, workers: int, args, end, logs: Path) -> tuple[list[Round], float]:
    """Start `smarketing app` (with --workers when > 1), run --rounds rounds of users, stop it; the rounds and
    the server's CPU seconds with the start-up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STREAMLIT_", "SMARKETING_"))}
    env["SMARKETING_ROLE"] = "viewer"
    command = [SMARKETING, "app", "--db", db, "--port", str(port), *(["--workers", str(workers)] if workers > 1 else [])]
    log = logs / f"{label}.log"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log.open("w") as out:
        app = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    rounds = []
    try:
        deadline = time.monotonic() + 180
        while not ("smarketing app:" in log.read_text() and ready(url)):
            if app.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{label}: the app did not start\n{log.read_text()}")
            time.sleep(0.5)
        for number in range(args.rounds):
            load_before, started = os.getloadavg()[0], process_cpu(app.pid)
            results = asyncio.run(run_load(url, args.users, args.seconds, end, VIEWER_PAGES, args.variations))
            load_after = os.getloadavg()
            spent = {name: seconds - started.get(name, 0.0) for name, seconds in process_cpu(app.pid).items()}
            kind = "cold" if number == 0 else "warm"
            rounds.append(Round(f"{label}, {kind}", results, spent, (load_before, load_after[0], load_after[1])))
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if "Traceback" in log.read_text():
        rounds[-1].results.errors.append(f"{label}: traceback in the server log {log}")
    return rounds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variations", type=int, default=7, help="how many filter variations the tours use")
    parser.add_argument("--port", type=int, default=8790, help="the app's port (the workers use the next ones)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per configuration: the first cold, then warm")
    parser.add_argument("--no-write", action="store_true", help="print results, do not update RESULTS.md")
    args = parser.parse_args(argv)
    db = demo.ensure(HERE / f"bench_load_{args.leads}.duckdb", args.leads, end=END)
    con = store.connect(db, read_only=True)
    counts = store.table_counts(con)
    end = store.raw(con).execute("SELECT max(created_at)::DATE FROM leads").fetchone()[0]
    con.disconnect()
    configurations = {"one process": 1, f"{args.workers} processes behind nginx": args.workers}
    rounds, startup_cpu = [], {}
    with tempfile.TemporaryDirectory(prefix="bench_workers_") as logs:
        for label, workers in configurations.items():
            done, startup_cpu[label] = measure(label, db, args.port, workers, args, end, Path(logs))
            rounds += done
    report = render(args, counts, rounds, startup_cpu)
    print(report)
    if not args.no_write:
        write_section(HERE / "RESULTS.md", "workers", report)
    return 0 if not any(r.results.errors for r in rounds) else 1


def render(args, counts, rounds: list[Round], total_cpu: dict[str, float]) -> str:
    rows = {r.label: {page: (p50, p95) for page, _n, p50, p95, _top in r.results.rows()} for r in rounds}
    lines = ["| page | " + " | ".join(f"{r.label}: p50 | p95" for r in rounds) + " |",
             "|---|" + "---:|---:|" * len(rounds)]
    for page in rows[rounds[0].label]:
        cells = [f"{v:.2f} s" for r in rounds for v in rows[r.label].get(page, (float("nan"), float("nan")))]
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    summary = []
    for r in rounds:
        spent = sum(r.processes.values())
        summary.append(
            f"- **{r.label}**: {r.results.loads} page loads in {r.results.elapsed:.0f} s, errors: "
            f"{len(r.results.errors)}" + "".join(f" (`{e}`)" for e in r.results.errors[:3])
            + f"; server CPU {spent:.0f} s ({spent / max(r.results.elapsed, 1e-9):.2f} cores), "
            f"{spent / max(r.results.loads, 1):.2f} s per page load; by process: "
            + ", ".join(f"{name} {sec:.{0 if sec >= 10 else 2}f} s" for name, sec in sorted(r.processes.items()))
            + f"; load average {r.load[0]:.1f} at the start, {r.load[1]:.1f} (1 min) / {r.load[2]:.1f} (5 min) "
            "at the end.")
    startup = "; ".join(f"{label}: {cpu:.0f} s" for label, cpu in total_cpu.items())
    return "\n".join([
        f"## Load test through nginx: one app process against {args.workers} (issue 13)",
        "",
        f"`python benchmarks/bench_workers.py --users {args.users} --seconds {args.seconds:g} --leads {args.leads} "
        f"--workers {args.workers} --rounds {args.rounds}`: the load test of bench_load.py ({args.users} viewers "
        f"touring every page but Data, for {args.seconds:g} s plus the tours under way) on `smarketing app`, "
        f"then on `smarketing app --workers {args.workers}` (Debian's nginx in front, sticky sessions by cookie; "
        "each user's session is its own websocket, so nginx spreads the users over the workers), in one run. "
        "Each configuration: a first round from a fresh start (cold caches, like bench_load.py), then rounds "
        "on the same server (warm: each process has computed what the tours ask for).",
        "",
        "Data: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()) + ".",
        "",
        *lines,
        "",
        *summary,
        f"- Server CPU of each configuration, start-up and every round included: {startup}.",
        f"- Machine: {os.cpu_count()} cores, shared with other sessions (see the load averages); measured "
        f"{time.strftime('%Y-%m-%d %H:%M')}.",
    ])


if __name__ == "__main__":
    sys.exit(main())
