"""`smarketing app --workers N`: N app processes on the N ports after the app's port, nginx on the app's port in
front of them, started and stopped as one.

The processes share the database: the app opens it read-only and imports swap in a new file atomically. They
also share one cookie secret (Streamlit's server.cookieSecret, unless set), so a session cookie signed by one
worker is valid on the others. SIGTERM, SIGINT (Ctrl-C) or SIGHUP stops every child; so does any child
exiting, and on Linux the children also stop if this process is killed outright.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from smarketing.launch import nginx, warmup
from smarketing.launch.health import healthy
from smarketing.launch.streamlit_options import LOOPBACK, Launch, url_for

MAX_WORKERS = 64
START_TIMEOUT = 180.0
STOP_TIMEOUT = 15.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def worker_ports(launch: Launch, workers: int) -> list[int]:
    """The workers' ports: the `workers` ports after the app's."""
    if not 1 < workers <= MAX_WORKERS:
        raise ValueError(f"--workers must be between 2 and {MAX_WORKERS} (1 is the default: one process), "
                         f"got {workers}")
    ports = [launch.port + i for i in range(1, workers + 1)]
    if ports[-1] > 65535:
        raise ValueError(f"--workers {workers} needs the ports after {launch.port}, past 65535: choose a lower --port")
    return ports


def check_free(address: str, port: int, role: str) -> None:
    """ValueError when address:port cannot be listened on (another program holds it)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address.strip("[]") or "0.0.0.0", port))
        except OSError as exc:
            raise ValueError(f"port {port} ({role}) is not free: {exc.strerror}") from None


def serve(launch: Launch, env: dict[str, str], workers: int, announce: Callable[[int], str]) -> int:
    """Run `workers` app processes and nginx until a stop signal or until one of them exits; return the
    exit code (0 after a stop signal). `announce(pid)` is the line printed once everything answers."""
    ports = worker_ports(launch, workers)
    binary = nginx.find_nginx()
    check_free(launch.address, launch.port, "nginx")
    for port in ports:
        check_free(LOOPBACK, port, "a worker")
    env = dict(env)
    if "server.cookieSecret" not in launch.user_set:
        env["STREAMLIT_SERVER_COOKIE_SECRET"] = secrets.token_hex(32)
    stopping: list[int] = []
    previous = {s: signal.signal(s, lambda number, _frame: stopping.append(number)) for s in STOP_SIGNALS}
    run_dir = Path(tempfile.mkdtemp(prefix="smarketing-nginx-"))
    children: list[tuple[str, subprocess.Popen]] = []
    try:
        for port in ports:
            command = launch.command({"server.address": LOOPBACK, "server.port": str(port)})
            worker_env = {**env, warmup.ENV: f"http://{LOOPBACK}:{port}"}
            children.append((f"worker on port {port}", _start(command, worker_env)))
            warmup.start(worker_env[warmup.ENV])  # each worker's caches, filled before its first visitor
        (run_dir / "nginx.conf").write_text(nginx.config(launch.address, launch.port, ports, run_dir,
                                                         launch.max_upload_mb), "utf-8")
        children.append(("nginx", _start(nginx.command(binary, run_dir), env)))
        front = {"": LOOPBACK, "0.0.0.0": LOOPBACK, "::": "::1"}.get(launch.address, launch.address)
        health = [f"http://{LOOPBACK}:{p}" for p in ports] + [url_for(front, launch.port)]
        if _wait(health, children, stopping):
            print(announce(os.getpid()), flush=True)
        elif not stopping and not _exited(children):
            return 1  # did not answer in time (said on stderr)
        return _watch(children, stopping)
    finally:
        _stop(children)
        shutil.rmtree(run_dir, ignore_errors=True)
        for number, handler in previous.items():
            signal.signal(number, handler)


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    # Own process group: a Ctrl-C reaches only this process, which then stops the children in order.
    return subprocess.Popen(command, env=env, process_group=0, preexec_fn=_stop_with_parent)


def _stop_with_parent() -> None:
    """In the child (Linux): SIGTERM when the launcher dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _exited(children) -> tuple[str, int] | None:
    for name, child in children:
        if child.poll() is not None:
            return name, child.returncode
    return None


def _wait(urls: list[str], children, stopping: list[int]) -> bool:
    """Wait until every URL answers /_stcore/health; False when stopped or a child exits first."""
    deadline = time.monotonic() + START_TIMEOUT
    pending = list(urls)
    while pending and not stopping and not _exited(children):
        if time.monotonic() > deadline:
            print(f"smarketing app: {', '.join(pending)} did not answer within {START_TIMEOUT:.0f} s",
                  file=sys.stderr)
            return False
        if healthy(pending[0]):
            pending.pop(0)
            continue
        time.sleep(0.3)
    return not pending


def _watch(children, stopping: list[int]) -> int:
    """Block until a stop signal (exit code 0) or a child exiting (1)."""
    while not stopping:
        if (gone := _exited(children)) is not None:
            print(f"smarketing app: {gone[0]} stopped (exit code {gone[1]}); stopping the others", file=sys.stderr)
            return 1
        time.sleep(0.2)
    return 0


def _stop(children) -> None:
    """SIGTERM to every child (nginx first, so no request reaches a stopping worker), then SIGKILL to any
    still running after STOP_TIMEOUT seconds."""
    for _name, child in reversed(children):
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for _name, child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
