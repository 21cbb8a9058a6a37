"""The Dockerfile stays consistent with the lock file, the package and `smarketing app` (no container runtime is
needed: it is read, not built; test_packaging.py runs the same install steps in a fresh virtual environment)."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import sys
import tomllib
from pathlib import Path

import pytest

from smarketing.cli import build_parser
from smarketing.cli.app import run_app

ROOT = Path(__file__).resolve().parents[1]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text("utf-8"))
    rows = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(row.split(None, 1)[0].upper(), row.split(None, 1)[1]) for row in rows]


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last = max(i for i, (name, _) in enumerate(steps) if name == "FROM")
    return steps[last:]


def one(name: str) -> str:
    found = [args for instruction, args in final_stage() if instruction == name]
    assert len(found) == 1, f"the final stage needs exactly one {name}, has {len(found)}"
    return found[0]


def words(args: str) -> list[str]:
    return json.loads(args) if args.startswith("[") else shlex.split(args)


def env() -> dict[str, str]:
    values = {}
    for instruction, args in final_stage():
        if instruction == "ENV":
            values.update(dict(part.split("=", 1) for part in shlex.split(args)))
    return values


@pytest.fixture(scope="module")
def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def test_every_stage_is_python_slim_on_the_python_the_lock_is_tested_with(project):
    bases = [args.split()[0] for name, args in instructions() if name == "FROM"]
    tested = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert bases and all(re.fullmatch(r"python:\d+\.\d+-slim", b) for b in bases), bases
    assert {b.split(":")[1].removesuffix("-slim") for b in bases} == {tested}, (
        f"requirements.lock is installed and tested on Python {tested} (./run test); the image uses {bases}")
    assert project["project"]["requires-python"] == ">=3.11" and tested >= "3.11"


def test_the_dependencies_are_installed_at_the_locks_versions(project):
    copies = {words(args)[-1]: words(args)[:-1] for name, args in final_stage() if name == "COPY"}
    lock_target = next(dest for dest, sources in copies.items() if sources == ["requirements.lock"])
    install = next(words(args) for name, args in final_stage() if name == "RUN" and "pip install" in args)
    assert install[install.index("--constraint") + 1] == lock_target
    assert any(w.startswith("/tmp/wheels/smarketing-") and w.endswith(".whl") for w in install)
    locked = {line.split("==")[0].strip().lower().replace("_", "-")
              for line in (ROOT / "requirements.lock").read_text("utf-8").splitlines() if "==" in line}
    needed = {re.split(r"[\[<>=!~; ]", d, maxsplit=1)[0].lower().replace("_", "-")
              for d in project["project"]["dependencies"]}
    assert needed - locked == set(), "runtime dependencies missing from requirements.lock (so not pinned)"


def test_what_the_build_copies_exists_and_is_not_ignored():
    ignored = [p.strip() for p in (ROOT / ".dockerignore").read_text("utf-8").splitlines()
               if p.strip() and not p.startswith("#")]
    sources = [s for name, args in instructions() if name == "COPY" and "--from=" not in args
               for s in words(args)[:-1]]
    assert "requirements.lock" in sources and "setup.py" in sources and "pages" in sources and "app.py" in sources
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
        assert not [p for p in ignored if fnmatch.fnmatch(source, p) or source.startswith(p.rstrip("/") + "/")]
    for secret in (".streamlit/secrets.toml", ".venv", "data", "**/*.duckdb"):
        assert secret in ignored  # never sent to the build, so never in an image


def test_the_app_runs_as_a_user_with_its_data_in_a_volume():
    user = one("USER")
    assert user not in ("root", "0") and any("useradd" in a and user in a for n, a in final_stage() if n == "RUN")
    volumes = words(one("VOLUME"))
    database = Path(env()["SMARKETING_DB"])
    assert str(database.parent) in volumes
    assert any(f"chown {user}" in args and str(database.parent) in args for name, args in final_stage() if name == "RUN")


def test_the_entry_point_serves_on_the_exposed_port_that_the_healthcheck_asks(project):
    command = words(one("CMD"))
    assert command[0] in project["project"]["scripts"]  # the console script of the package
    args = build_parser().parse_args(command[1:])
    assert args.func is run_app and args.host == "0.0.0.0" and args.workers == 1
    exposed = int(one("EXPOSE"))
    assert args.port == exposed
    health = one("HEALTHCHECK")
    probe = words(health[health.index("CMD") + 3:].strip())
    assert probe[:2] == ["python", "-c"]
    compile(probe[2], "HEALTHCHECK", "exec")
    assert f"http://127.0.0.1:{exposed}/_stcore/health" in probe[2]
