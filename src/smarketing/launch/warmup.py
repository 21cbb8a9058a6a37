"""Warm the app's caches: one session opens every page with its default view, so the first person to open a
page after a start or an import finds its numbers computed (every session shares the results).

    python -m smarketing.launch.warmup http://127.0.0.1:8501      # waits for the server, tours, exits

`smarketing app` starts it beside the server (one per worker); the app starts it again when it first sees a
new version of the database (an import). It is quiet, gives up when the server does not answer, and does
nothing useful when login is on (its session is not logged in).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from smarketing.launch.health import wait_healthy
from smarketing.launch.session import load_page, stream_url, viewer_pages

ENV = "SMARKETING_WARMUP"  # set by `smarketing app`: the URL the app's own warm-ups use
OFF = "SMARKETING_NO_WARMUP"  # set to switch warm-ups off (the launch tests count sessions and processes)
PAGE_TIMEOUT = 600.0


async def tour(url: str, pages=None) -> list[str]:
    """Every page (a viewer's, unless `pages`) once on one session; the problems seen."""
    import websockets

    pages = viewer_pages() if pages is None else pages
    problems: list[str] = []
    async with websockets.connect(stream_url(url), subprotocols=["streamlit"], max_size=None) as ws:
        for page in pages:
            async with asyncio.timeout(PAGE_TIMEOUT):
                problems += (await load_page(ws, page))[1]
    return problems


def start(url: str) -> subprocess.Popen | None:
    """Start a warm-up of the app at `url` in the background (its own process, detached)."""
    if os.environ.get(OFF):
        return None
    try:
        return subprocess.Popen([sys.executable, "-m", "smarketing.launch.warmup", url], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    url = (argv or sys.argv[1:] or [os.environ.get(ENV, "")])[0]
    if not url or not wait_healthy(url):
        return 1
    try:
        asyncio.run(tour(url))
    except Exception:  # a warm-up never matters enough to complain: the pages compute on demand anyway
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
