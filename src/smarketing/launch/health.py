"""Whether a Streamlit server answers: its /_stcore/health endpoint, asked the same way by the launcher, the
warm-up, the screenshots script, the benchmarks and the tests."""

from __future__ import annotations

import time
import urllib.request


def healthy(url: str, timeout: float = 2) -> bool:
    """True when the app at `url` (http://host:port) answers its health check with 200."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def wait_healthy(url: str, seconds: float = 180, interval: float = 0.5) -> bool:
    """Wait up to `seconds` for the app at `url` to answer; False when it did not."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if healthy(url):
            return True
        time.sleep(interval)
    return False
