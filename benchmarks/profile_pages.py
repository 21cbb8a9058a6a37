"""Where each page's server time goes (issue 13): every page run in a process of its own (Streamlit's AppTest)
on a demo database, once from a cold start and then --runs times warm (caches filled, each a new session),
timed, with py-spy sampling the whole process (AppTest runs the page script in a thread of its own, which
cProfile does not see) and the functions that took the most of the page script's time listed.

    pip install py-spy                                         # benchmarks/requirements.txt
    python benchmarks/profile_pages.py --leads 20000 [--page funnel] [--runs 10] [--top 15]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from bench_funnel import END  # noqa: E402

PAGES = ["home", "funnel", "drivers", "audit", "fit_interest", "scoring_tuner", "attribution", "lead_flow", "planner",
         "forecast"]
NOISE = ("threading.py", "streamlit/runtime/scriptrunner", "exec_code.py", "runpy", "<frozen", "app_test.py",
         "profile_pages.py")


def child(page: str, runs: int, query: dict[str, str]) -> None:
    """Run `page` cold once and say so; when told (a line on stdin: the profiler is attached), `runs` times
    warm (with `query` as its URL's query parameters: a filter change); print the times as JSON."""
    from streamlit.testing.v1 import AppTest

    def run(params: dict[str, str] | None = None) -> float:
        at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=900)
        for key, value in (params or {}).items():
            at.query_params[key] = value
        started = time.perf_counter()
        at.run()
        if at.exception:
            raise SystemExit(f"{page}: {at.exception[0].value}")
        return time.perf_counter() - started

    cold = run()
    print("cold done", flush=True)
    sys.stdin.readline()
    warm = sorted(run(query) for _ in range(runs))
    print(json.dumps({"cold": cold, "warm": warm[len(warm) // 2]}), flush=True)


def hot_spots(raw: Path, page: str, top: int) -> list[tuple[float, str]]:
    """Share of the page script's samples spent in (under) each function, most first."""
    inside, total = collections.Counter(), 0
    marker = f"pages/{page}.py"
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not any(marker in f for f in frames):
            continue
        total += int(count)
        seen = set()
        for frame in frames[next(i for i, f in enumerate(frames) if marker in f) + 1:]:
            name = frame.split(" (")[0] + " (" + frame.split(" (")[1].split(":")[0] + ")" if " (" in frame else frame
            if name not in seen and not any(n in name for n in NOISE):
                inside[name] += int(count)
                seen.add(name)
    return [(n / max(total, 1), name) for name, n in inside.most_common(top)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--page", action="append", default=[])
    parser.add_argument("--query", action="append", default=[], metavar="KEY=VALUE",
                        help="profile the page with these URL parameters after a default first view (a filter "
                             "change, e.g. --query mode=period --runs 1)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    query = dict(q.split("=", 1) for q in args.query)
    if args.child:
        child(args.child, args.runs, query)
        return 0
    from smarketing import demo, precompute

    os.environ["SMARKETING_DB"] = demo.ensure(HERE / f"bench_pages_{args.leads}.duckdb", args.leads, end=END,
                                              derive=precompute.refresh)
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    for page in args.page or [p for p in PAGES if (ROOT / "pages" / f"{p}.py").exists()]:
        with tempfile.TemporaryDirectory() as folder:
            raw = Path(folder) / "raw.txt"
            proc = subprocess.Popen([sys.executable, __file__, "--child", page, "--runs", str(args.runs),
                                     *[f"--query={q}" for q in args.query]],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            while "cold done" not in proc.stdout.readline():
                pass
            sampler = subprocess.Popen([spy, "record", "--rate", "200", "--full-filenames", "--format", "raw",
                                        "--output", str(raw), "--pid", str(proc.pid)],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(2)  # attached
            proc.stdin.write("go\n")
            proc.stdin.flush()
            result = json.loads(next(x for x in proc.stdout if x.startswith("{")))
            proc.wait()
            sampler.wait()
            then = f"with {' '.join(args.query)}" if args.query else "warm"
            print(f"== {page}: cold {result['cold']:.2f} s, {then} (median of {args.runs}) {result['warm']:.3f} s")
            for share, name in hot_spots(raw, page, args.top):
                function, _, path = name.partition(" (")
                print(f"   {share:6.1%}  {function} ({path.replace(str(ROOT) + '/', '').split('site-packages/')[-1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
