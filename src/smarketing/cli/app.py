"""`smarketing app`: start the Streamlit app (smarketing.launch resolves the options and runs the workers)."""

from __future__ import annotations

import argparse
import os
import sys

from smarketing import settings, store
from smarketing.cli.common import add_db
from smarketing.store import engines

DESCRIPTION = """Start the web app. It listens on 127.0.0.1 (this machine only) unless told otherwise, runs
until Ctrl-C or SIGTERM, and prints one line: where it is, which database, how to stop it. Streamlit's own
settings work too: STREAMLIT_SERVER_PORT, STREAMLIT_SERVER_ADDRESS and .streamlit/config.toml ([server] port,
address, ...); --host and --port win over them when given."""

EPILOG = """examples:
  smarketing app                              http://127.0.0.1:8501 on data/demo.duckdb
  smarketing app --db crm.duckdb --port 8600  another database, another port
  smarketing app --host 0.0.0.0               shared with the network (viewers only, unless login is set up)
  smarketing app --workers 2 --host 0.0.0.0   two app processes behind nginx on port 8501 (they use 8502, 8503)"""


def register(sub) -> None:
    p = sub.add_parser("app", help="start the web app", description=DESCRIPTION, epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_db(p)
    p.add_argument("--host", metavar="ADDRESS",
                   help="address to listen on (default: Streamlit's server.address, else 127.0.0.1). 0.0.0.0 "
                   "shares the app with the network; without an [auth] login in .streamlit/secrets.toml everyone "
                   "is then a viewer (SMARKETING_ROLE=analyst overrides)")
    p.add_argument("--port", type=int, metavar="PORT",
                   help="port to listen on (default: Streamlit's server.port / STREAMLIT_SERVER_PORT, else 8501)")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="run N app processes on the N ports after PORT behind nginx on PORT, with sticky "
                   "sessions, for many users at once (needs Debian's nginx; default 1: one process, no proxy)")
    p.add_argument("--dev", action="store_true",
                   help="for developers: rerun pages when a source file is saved (Streamlit's file watcher, off "
                   "by default)")
    p.set_defaults(func=run_app)


def database_env(db: str | None) -> tuple[dict[str, str], str]:
    """The environment for the app (SMARKETING_DB) and the database as the start line names it (absolute)."""
    chosen = db or settings.current().db  # --db, else $SMARKETING_DB or secrets' db, else the default
    if engines.is_url(chosen):  # a warehouse: the app connects to it (secrets from the environment)
        return dict(os.environ, SMARKETING_DB=str(chosen)), engines.redact(str(chosen))
    path = store.db_path(chosen)
    if not path.exists():
        raise FileNotFoundError(f"database {path} does not exist; create it with `smarketing demo --db {path}` "
                                "or import your files with `smarketing import --db …`")
    # as given (the app runs in this working folder), so the sidebar shows what the user typed
    return dict(os.environ, SMARKETING_DB=str(path)), str(path.resolve())


def run_app(args) -> int:
    from smarketing.launch import app_files, streamlit_options, warmup, workers

    env, database = database_env(args.db)
    launch = streamlit_options.plan(app_files.app_script(), env, host=args.host, port=args.port, dev=args.dev)
    env["SMARKETING_ADDRESS"] = launch.address
    note = streamlit_options.role_note(launch, env)
    if args.workers != 1:
        return workers.serve(launch, env, args.workers, lambda pid: streamlit_options.banner(
            launch, database, note, pid, workers=args.workers))
    print(streamlit_options.banner(launch, database, note), flush=True)
    sys.stderr.flush()
    env[warmup.ENV] = launch.local_url
    warmup.start(launch.local_url)  # the caches of every page's default view, filled before the first visitor
    command = launch.command()
    os.execve(command[0], command, env)  # Streamlit takes this process over: SIGTERM and Ctrl-C reach it
    return 0  # not reached
