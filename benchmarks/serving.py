"""Starting the app for the benchmarks as a user starts it (`smarketing app`, its own launcher, warm-up and
all), from this checkout or another one (an earlier commit checked out beside it, so before and after are
measured in one run on the same machine load), and reading the CPU its processes spent.

A checkout is given as LABEL=PATH[:WORKERS], e.g. `landed=../before` or `now=.:2`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from smarketing.launch import healthy

HERE = Path(__file__).resolve().parent
TICK = os.sysconf("SC_CLK_TCK")
# URL paths st.navigation gives the page files ("" is the Overview); Data is for analysts only
PAGE_ORDER = ("", "funnel", "drivers", "audit", "fit_interest", "scoring_tuner", "attribution", "lead_flow", "planner",
              "forecast")


@dataclass(frozen=True)
class Checkout:
    label: str
    path: Path
    workers: int = 1

    @classmethod
    def parse(cls, text: str) -> Checkout:
        label, _, rest = text.partition("=")
        path, _, workers = (rest or ".").partition(":")
        return cls(label, Path(path).resolve(), int(workers or 1))

    @property
    def pages(self) -> list[str]:
        """The viewer pages of this checkout's app (its page files: pages/, or views/ before it)."""
        folder = next((self.path / d for d in ("pages", "views") if (self.path / d).is_dir()), None)
        names = {"" if p.stem == "home" else p.stem for p in folder.glob("*.py")} - {"data"} if folder else set()
        return sorted(names, key=lambda n: (PAGE_ORDER.index(n) if n in PAGE_ORDER else len(PAGE_ORDER), n))


def start(checkout: Checkout, db: str, port: int, log: Path, role: str = "viewer") -> subprocess.Popen:
    """`smarketing app` of `checkout` on loopback (its own process group); returns once it answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STREAMLIT_", "SMARKETING_"))}
    env.update(SMARKETING_DB=db, SMARKETING_ROLE=role)
    if checkout.path != HERE.parent:  # another checkout's code (this one's is installed in the virtualenv)
        env["PYTHONPATH"] = str(checkout.path / "src")
    command = [sys.executable, "-c", "import sys; from smarketing.cli import main; sys.exit(main())", "app",
               "--db", db, "--port", str(port), *(["--workers", str(checkout.workers)] if checkout.workers > 1 else [])]
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=checkout.path, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while not healthy(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            raise SystemExit(f"{checkout.label}: the app did not start\n{log.read_text()[-3000:]}")
        time.sleep(0.25)
    return proc


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the app's process group (launcher, Streamlit, nginx, warm-up), then wait."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    except ProcessLookupError:
        pass  # it had ended
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


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
        elif "warmup" in title or not title:  # the warm-up session (an empty title once it has ended)
            name = "warm-up"
        else:
            name = "launcher" if current == pid else title[:40]
        found[name] = found.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / TICK
        pending += [int(c) for c in children]
    return found
