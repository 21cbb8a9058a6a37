"""The package as a user installs it: a wheel built from the checkout's files, installed with its dependencies
(pinned by requirements.lock, as the Dockerfile installs them) into a fresh virtual environment, then
`smarketing demo` and `smarketing app` run outside the checkout and the app serves a page.

Marked `packaging` (`-m "not packaging"` skips it). About 50 s here: the wheel 3 s, the install 11 s from a
wheelhouse that `pip download` fills once per requirements.lock (pytest's cache folder; +20 s the first time),
demo and app from the fresh install (nothing byte-compiled yet: installed with --no-compile, 20 s faster) 31 s.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import websockets
from launching import free_ports, healthy, is_free, run_async

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from load_app import load_page  # noqa: E402

SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "requirements.lock", "app.py", "pages",
           ".streamlit/config.toml", "src")
APP_FILES = ("app.py", ".streamlit/config.toml", *(f"pages/{p.name}" for p in sorted((ROOT / "pages").glob("*.py"))))


def clean_env() -> dict[str, str]:
    """The environment without this checkout's virtual environment, Python path or app settings."""
    return {k: v for k, v in os.environ.items()
            if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME") and not k.startswith(("STREAMLIT_", "SMARKETING_"))}


def run(*args, cwd: Path, timeout: float = 600) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=clean_env(), capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def pins() -> dict[str, str]:
    lines = (ROOT / "requirements.lock").read_text("utf-8").splitlines()
    return {name.strip().lower().replace("_", "-"): version.split()[0]
            for name, version in (line.split("==", 1) for line in lines if "==" in line)}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the files a source distribution carries (not from the checkout)."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", out, source, cwd=source)
    return next(out.glob("smarketing-*.whl"))


@pytest.fixture(scope="module")
def wheelhouse(request, wheel) -> Path:
    """The wheel's dependencies at the lock's versions, downloaded once per requirements.lock."""
    key = hashlib.sha1((ROOT / "requirements.lock").read_bytes() + (ROOT / "pyproject.toml").read_bytes())
    folder = request.config.cache.mkdir(f"wheelhouse-{key.hexdigest()[:12]}")
    if not (folder / ".complete").exists():
        run(sys.executable, "-m", "pip", "download", "--quiet", "--dest", folder, "--constraint",
            ROOT / "requirements.lock", wheel, cwd=folder)
        (folder / ".complete").touch()
    return folder


@pytest.fixture(scope="module")
def installed(tmp_path_factory, wheel, wheelhouse) -> Path:
    """A fresh virtual environment (no site packages of this one) with the wheel installed; its bin folder."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=venv.parent)
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-compile", "--no-index", "--find-links",
        wheelhouse, "--constraint", ROOT / "requirements.lock", wheel, cwd=venv.parent)
    return venv / "bin"


def test_the_wheel_carries_the_app(wheel):
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"smarketing/_app/{f}" for f in APP_FILES} <= names
    assert {"smarketing/config/scoring.toml", "smarketing/config/stages.toml", "smarketing/labels/en.toml"} <= names
    assert not [n for n in names if n.endswith("secrets.toml") or n.endswith(".duckdb")]


def test_the_fresh_environment_has_only_the_wheel_and_the_locked_versions(installed):
    frozen = run(installed / "python", "-m", "pip", "freeze", "--exclude", "smarketing", cwd=installed)
    versions = dict(line.lower().replace("_", "-").split("==", 1) for line in frozen.splitlines() if "==" in line)
    locked = pins()
    assert {name: v for name, v in versions.items() if locked.get(name) != v} == {}
    assert "pytest" not in versions and "pyspark" not in versions  # test tools are not runtime dependencies


def test_demo_and_app_run_from_the_installed_wheel_outside_the_checkout(installed, tmp_path):
    db = tmp_path / "demo.duckdb"
    out = run(installed / "smarketing", "demo", "--db", db, "--leads", "200", "--end-date", "2026-11-01",
              "--quiet", cwd=tmp_path)
    assert out.startswith(f"demo database {db}: 200 leads")
    port = free_ports(1)
    log = tmp_path / "app.log"
    with log.open("w") as sink:
        proc = subprocess.Popen([installed / "smarketing", "app", "--db", db, "--port", str(port)], cwd=tmp_path,
                                env=clean_env(), stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while not healthy(url):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
            assert response.read() == b"ok"
        script = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")[4].decode()
        assert script.startswith(str(installed.parent / "lib")) and script.endswith("smarketing/_app/app.py")

        async def overview() -> list[str]:
            async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                          max_size=None, open_timeout=60) as ws:
                return (await load_page(ws, "", ""))[1]

        assert run_async(overview()) == []  # the Overview ran from the wheel's pages without an error
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0 and is_free(port)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in log.read_text()
