"""`smarketing app`: start the Streamlit app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from smarketing import store
from smarketing.cli.common import add_db
from smarketing.store import engines

APP = Path(__file__).resolve().parents[3] / "app.py"


def register(sub) -> None:
    p = sub.add_parser("app", help="start the web app")
    add_db(p)
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=run_app)


def run_app(args) -> int:
    if not APP.exists():
        raise FileNotFoundError(f"app.py not found next to the package ({APP}); run from a source checkout")
    chosen = args.db or os.environ.get("SMARKETING_DB")
    if engines.is_url(chosen):  # a warehouse: the app connects to it (secrets from the environment)
        env = dict(os.environ, SMARKETING_DB=str(chosen))
    else:
        path = store.db_path(args.db)
        if not path.exists():
            raise FileNotFoundError(f"database {path} does not exist; create it with `smarketing demo --db {path}`")
        env = dict(os.environ, SMARKETING_DB=str(path.resolve()))
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(args.port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    return subprocess.call(cmd, env=env)
