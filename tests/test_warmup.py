"""The warm-up tours every page's default view on its own session without a problem, and fills the caches: a
page opened after it is served from them."""

from __future__ import annotations

import asyncio
import time

import pytest
import websockets
from launching import run_async

from smarketing.launch import warmup
from smarketing.launch.session import load_page, stream_url

pytestmark = pytest.mark.browser  # a real app server (the shared one of the browser tests)


async def _page(url: str, page: str) -> float:
    async with websockets.connect(stream_url(url), subprotocols=["streamlit"], max_size=None) as ws:
        return (await load_page(ws, page))[0]


def test_the_warm_up_fills_the_caches_of_every_page(app_url):
    started = time.perf_counter()
    assert run_async(warmup.tour(app_url)) == []  # every page's default view, no exception, no st.error
    tour = time.perf_counter() - started
    again = sum(run_async(_page(app_url, page)) for page in warmup.viewer_pages())
    assert again < tour  # the same pages from the caches the warm-up filled
    assert run_async(asyncio.to_thread(warmup.main, [app_url])) == 0  # the command form
