"""Shared fixtures: a small demo database, a running app for browser tests, Chromium launch settings."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from smarketing import demo, precompute, store
from smarketing.launch import healthy

ROOT = Path(__file__).resolve().parents[1]
# Property tests check what holds, never how fast: no per-example deadline (a loaded CI machine is slow).
settings.register_profile("smarketing", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("smarketing")
os.environ["SMARKETING_STRICT_LABELS"] = "1"  # a label key missing from the table fails the test (labels.t)
os.environ["SMARKETING_NO_WARMUP"] = "1"  # no background sessions in tests (test_warmup checks the warm-up)
os.environ["SMARKETING_EAGER_TABS"] = "1"  # page tests read every tab in one run (test_lazy_tabs checks the app's)
DEMO_END = date(2026, 11, 1)
DEMO_LEADS = 3000
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> str:
    """Path of a 3,000-lead demo database (seed 7, history ending 2026-11-01), built once per run."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with store.writing(path, fresh=True, derive=precompute.refresh) as con:  # as `smarketing demo` builds it
        demo.generate(con, leads=DEMO_LEADS, seed=7, end=DEMO_END, progress=False)
    return str(path)


@pytest.fixture(scope="session")
def demo_con(demo_db):
    """A read-only Ibis connection to the shared demo database."""
    con = store.connect(demo_db, read_only=True)
    yield con
    con.disconnect()


@pytest.fixture()
def demo_env(demo_db, monkeypatch):
    """Point the app (AppTest runs pages in this process) at the demo database."""
    monkeypatch.setenv("SMARKETING_DB", demo_db)
    return demo_db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        if healthy(url):
            return
        time.sleep(0.5)
    raise RuntimeError(f"streamlit did not answer at {url} within {timeout} s")


@contextlib.contextmanager
def running_app(env_overrides: dict[str, str], log_dir: Path, cwd: Path = ROOT):
    """`streamlit run app.py` on this machine only (loopback: an analyst without login) in its own process with extra
    environment (and working folder, where .streamlit/secrets.toml is read); yields the base URL."""
    port = _free_port()
    env = dict(os.environ, **env_overrides)
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1",
           "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with (log_dir / "streamlit.log").open("w") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def app_url(demo_db, tmp_path_factory):
    """Start the app on the demo database; yield its base URL."""
    with running_app({"SMARKETING_DB": demo_db}, tmp_path_factory.mktemp("app")) as url:
        yield url


def wait_idle(page, timeout: int = 120_000) -> None:
    """Wait until Streamlit has finished running the script (no running indicator)."""
    from playwright.sync_api import expect

    page.wait_for_timeout(500)
    expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=timeout)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium (Playwright cannot download its own browser here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1440, "height": 1000}}


def build_con(**tables):
    """An in-memory database holding the given rows: build_con(leads=[{...}], stage_changes=[...], ...).

    Missing contract columns are NULL; timestamps may be given as ISO strings.
    """
    import pandas as pd

    from smarketing.schema import TABLES

    con = store.connect(":memory:")
    db = store.raw(con)
    for name, rows in tables.items():
        table = TABLES[name]
        frame = pd.DataFrame(rows, columns=None if rows else table.column_names)
        for column in table.columns:
            if column.name not in frame.columns:
                frame[column.name] = None
        db.register("_rows", frame[table.column_names])
        casts = ", ".join(f'CAST("{c.name}" AS {c.sql_type})' for c in table.columns)
        db.execute(f'INSERT INTO "{name}" SELECT {casts} FROM _rows')
        db.unregister("_rows")
    return con


@pytest.fixture()
def make_con():
    """Factory fixture for build_con (tiny hand-made databases)."""
    return build_con


@pytest.fixture()
def downloads(monkeypatch):
    """The file each download button of a page run (AppTest) would give, by file name (bytes; a deferred
    download's callable is called)."""
    import streamlit

    seen, real = {}, streamlit.download_button

    def spy(label, data, file_name=None, *args, **kwargs):
        seen[file_name] = data() if callable(data) else data
        return real(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", spy)
    return seen
