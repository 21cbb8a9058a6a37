"""Helpers for tests that start `smarketing app` as a process: free ports, health."""

from __future__ import annotations

import asyncio
import socket
import threading

from smarketing.launch import healthy  # noqa: F401 (the launch tests' one health check)


def free_ports(count: int) -> int:
    """A port such that it and the `count - 1` ports after it are free on loopback."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        if first + count < 65536 and all(is_free(first + i) for i in range(count)):
            return first
    raise RuntimeError("no free ports")


def is_free(port: int) -> bool:
    """Nothing listens on the port (connections of the past, in TIME_WAIT, do not count: servers reuse those)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def run_async(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API keeps an event loop running in the main
    thread once a browser test has run, and asyncio.run refuses to start inside it."""
    outcome = {}

    def target():
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # re-raised in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
