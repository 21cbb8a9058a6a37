"""`smarketing app` as an operator runs it: one process that SIGTERM stops with its port freed, and
`--workers 2` behind nginx (sticky sessions, websockets, a page through the proxy, one SIGTERM stops all)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import websockets
from conftest import wait_idle
from launching import free_ports, healthy, is_free, run_async

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from load_app import load_page  # noqa: E402

SMARKETING = str(Path(sys.executable).parent / "smarketing")
COOKIE = "smarketing_worker"
NOISE = ("Did not auto detect external IP", "Inotify", "External URL", "Traceback", "Uvicorn server started")


def start(args: list[str], cwd: Path) -> tuple[subprocess.Popen, Path]:
    """`smarketing app …` in its own process group (so a test can clean up even a process it orphaned)."""
    log = cwd / "app.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STREAMLIT_", "SMARKETING_"))}
    env["SMARKETING_NO_WARMUP"] = "1"  # no background session to count
    with log.open("w") as out:
        proc = subprocess.Popen([SMARKETING, "app", *args], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                process_group=0)
    return proc, log


def wait_for(predicate, proc: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            raise AssertionError(f"smarketing app exited with {proc.returncode}:\n{log.read_text()}")
        time.sleep(0.3)
    raise AssertionError(f"not ready within {timeout} s:\n{log.read_text()}")


def stop(proc: subprocess.Popen) -> int:
    """SIGTERM to the process `smarketing app` started as; its exit code."""
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=30)


def clean_up(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # anything it left behind in its group (a child it did not stop)


def test_sigterm_stops_the_app_and_frees_its_port(demo_db, tmp_path):
    port = free_ports(1)
    proc, log = start(["--db", demo_db, "--port", str(port)], tmp_path)
    try:
        wait_for(lambda: healthy(f"http://127.0.0.1:{port}"), proc, log)
        assert stop(proc) == 0
        assert is_free(port), "the app still holds its port after SIGTERM"
    finally:
        clean_up(proc)
    text = log.read_text()
    first = text.splitlines()[0]
    assert first == (f"smarketing app: http://127.0.0.1:{port} · database {Path(demo_db).resolve()} · "
                     f"stop with Ctrl-C or `kill {proc.pid}`")  # exec: the pid is Streamlit's own
    assert not [n for n in NOISE if n in text], text


# ------------------------------------------------------------------------------------- --workers 2


@pytest.fixture(scope="module")
def proxied(demo_db, tmp_path_factory):
    """`smarketing app --workers 2` on the demo database: (launcher process, nginx port, worker ports, log)."""
    port = free_ports(3)
    folder = tmp_path_factory.mktemp("workers")
    proc, log = start(["--db", demo_db, "--port", str(port), "--workers", "2"], folder)
    try:
        wait_for(lambda: "smarketing app:" in log.read_text(), proc, log)
        yield proc, port, [port + 1, port + 2], log
    finally:
        clean_up(proc)


def established(ports: list[int]) -> set[int]:
    """The ports among `ports` with an established TCP connection on loopback (Linux /proc/net/tcp)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "01" and int(local.rsplit(":", 1)[1], 16) in ports:
                found.add(int(local.rsplit(":", 1)[1], 16))
    return found


async def worker_for(port: int, workers: list[int], cookie: str | None = None, page: str | None = None):
    """Open a session through nginx (with the sticky cookie, if given): the worker it reached, and the problems
    of `page` run on it."""
    headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
    deadline = time.monotonic() + 10
    while established(workers) and time.monotonic() < deadline:  # the previous session's connection closing
        await asyncio.sleep(0.05)
    async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                  additional_headers=headers, max_size=None, open_timeout=60) as ws:
        problems = (await load_page(ws, page, ""))[1] if page is not None else []
        return established(workers), problems


def test_two_workers_answer_through_nginx_with_sticky_sessions(proxied):
    proc, port, workers, log = proxied
    line = next(x for x in log.read_text().splitlines() if x.startswith("smarketing app:"))
    assert f"http://127.0.0.1:{port}" in line and f"2 app processes behind nginx (ports {workers[0]}–{workers[1]})" in line
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=10) as response:
        assert response.status == 200 and response.headers["Server"].startswith("nginx")
        assert re.search(rf"{COOKIE}=[0-9a-f]{{32}}; Path=/; HttpOnly", " ".join(response.headers.get_all("Set-Cookie") or []))
    assert all(healthy(f"http://127.0.0.1:{p}") for p in workers)
    reached, problems = run_async(worker_for(port, workers, page=""))  # the Overview, through the proxy
    assert len(reached) == 1 and not problems
    sticky = [run_async(worker_for(port, workers, cookie="0" * 32))[0] for _ in range(3)]
    assert len(sticky[0]) == 1 and sticky[0] == sticky[1] == sticky[2]  # one browser, one worker
    spread = set().union(*(run_async(worker_for(port, workers, cookie=f"{i:032x}"))[0] for i in range(1, 17)))
    assert spread == set(workers)  # different browsers use both workers


@pytest.mark.browser
def test_a_page_loads_in_a_real_browser_through_nginx(proxied, page):
    from playwright.sync_api import expect

    _proc, port, _workers, _log = proxied
    page.goto(f"http://127.0.0.1:{port}/funnel")
    expect(page.get_by_role("heading", name="Lifecycle funnel")).to_be_visible(timeout=120_000)
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert any(c["name"] == COOKIE for c in page.context.cookies())


def test_sigterm_stops_every_worker_and_nginx(proxied):
    proc, port, workers, log = proxied
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    assert len(children) == 3  # two workers and the nginx master
    assert stop(proc) == 0
    assert [p for p in (port, *workers) if not is_free(p)] == []
    assert [c for c in children if Path(f"/proc/{c}").exists()] == []
    assert not [n for n in NOISE if n in log.read_text()], log.read_text()
