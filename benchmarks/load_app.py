"""A load driver for the running app: simulated users that speak Streamlit's websocket protocol directly.

Each user opens a session on ws://HOST/_stcore/stream (as a browser tab does), asks for a page with a
`rerun_script` BackMsg (page name = the page's URL path, plus a query string with the sidebar filters)
and reads ForwardMsgs until `script_finished`: the time from request to `script_finished` is the
page-ready time. A tour visits every page once on one session with one set of filters; the next tour
opens a new session with other filters. An exception element, an st.error alert, an unknown page, an
abnormal end of the script, a dead socket or a page slower than `page_timeout` count as errors.

    results = asyncio.run(run_load("http://127.0.0.1:8501", users=20, seconds=60, end=date(2026, 11, 1)))
    print(results.table())
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import websockets

from smarketing.launch.session import VIEWER_PAGES, load_page, stream_url

PAGE_TIMEOUT = 120.0


def filter_queries(end: date) -> list[str]:
    """Sidebar filter variations for the tours: the default view, then windows of 3, 6 and 12 months
    ending at or before `end` (the last day of data), in cohort and period mode."""
    queries = [""]
    for days, back, mode in [(364, 0, "period"), (90, 0, "cohort"), (180, 60, "period"), (364, 120, "cohort"),
                             (90, 200, "period"), (180, 0, "cohort")]:
        until = end - timedelta(days=back)
        queries.append(f"since={until - timedelta(days=days):%Y-%m-%d}&until={until:%Y-%m-%d}&mode={mode}")
    return queries


@dataclass
class Results:
    """Page-ready times (seconds) by page, errors, and complete tours per user."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    tours: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    elapsed: float = 0.0

    @property
    def loads(self) -> int:
        return sum(len(v) for v in self.times.values())

    def rows(self) -> list[tuple[str, int, float, float, float]]:
        """(page, loads, p50, p95, max) per page in tour order, then "all pages"."""
        order = [*VIEWER_PAGES, "data"]
        pages = sorted(self.times, key=lambda p: (order.index(p) if p in order else len(order), p))
        out = [(f"/{page}" + ("" if page else " (Overview)"), len(self.times[page]), percentile(self.times[page], 50),
                percentile(self.times[page], 95), max(self.times[page])) for page in pages if self.times[page]]
        every = [t for v in self.times.values() for t in v]
        if every:
            out.append(("all pages", len(every), percentile(every, 50), percentile(every, 95), max(every)))
        return out

    def table(self) -> str:
        """A markdown table of the page-ready times, and the errors."""
        lines = ["| page | loads | p50 | p95 | max |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {p} | {n} | {a:.2f} s | {b:.2f} s | {c:.2f} s |" for p, n, a, b, c in self.rows()]
        lines.append("")
        lines.append(f"Errors: {len(self.errors)}" + "".join(f"\n- `{e}`" for e in self.errors[:5]))
        return "\n".join(lines)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


async def user(url: str, index: int, deadline: float, results: Results, pages=VIEWER_PAGES,
               queries=("",), page_timeout: float = PAGE_TIMEOUT) -> None:
    """One simulated user: tours of every page (each tour on a new session, starting at a different page
    per user, with the next filter variation) until `deadline`, at least one; a tour started is finished."""
    ws_url = stream_url(url)
    tour = 0
    while tour == 0 or time.monotonic() < deadline:
        query = queries[(index + tour) % len(queries)]
        order = pages[index % len(pages):] + pages[:index % len(pages)]
        page, clean = "(connect)", True
        try:
            async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None,
                                          open_timeout=page_timeout) as ws:
                for page in order:
                    async with asyncio.timeout(page_timeout):
                        seconds, problems = await load_page(ws, page, query)
                    results.times[page].append(seconds)
                    results.errors += [f"user {index} ?{query} {p}" for p in problems]
                    clean = clean and not problems
        except (OSError, TimeoutError, websockets.WebSocketException) as exc:
            results.errors.append(f"user {index} /{page}?{query}: {type(exc).__name__}: {exc}")
            if page == "(connect)":
                return  # the server does not take sessions: no point in trying again and again
            clean = False
        results.tours[index] += clean
        tour += 1


async def run_load(url: str, users: int, seconds: float, end: date, pages=VIEWER_PAGES, variations: int = 7,
                   page_timeout: float = PAGE_TIMEOUT, hard_timeout: float | None = None) -> Results:
    """`users` concurrent users touring `pages` of the app at `url` for `seconds` (plus the tours under way),
    with the first `variations` filter variations for the last day of data `end` (see filter_queries).
    Users still touring `hard_timeout` seconds after the start are stopped, with an error each."""
    results = Results()
    start = time.monotonic()
    queries = filter_queries(end)[:variations]
    stop = None if hard_timeout is None else asyncio.get_running_loop().time() + hard_timeout

    async def bounded(index: int) -> None:
        try:
            async with asyncio.timeout_at(stop):
                await user(url, index, start + seconds, results, pages, queries, page_timeout)
        except TimeoutError:
            results.errors.append(f"user {index}: stopped by the hard timeout ({hard_timeout:g} s) mid-tour")

    await asyncio.gather(*(bounded(i) for i in range(users)))
    results.elapsed = time.monotonic() - start
    return results
