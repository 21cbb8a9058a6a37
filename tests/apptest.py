"""Running pages in tests (Streamlit's AppTest): one `run_page` for every page test, and readers of what a
page drew (plotly figures, their arrays, metrics)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def page_path(page: str) -> str:
    """A page file from its key ("funnel"), its path ("pages/funnel.py") or "app.py"."""
    return str(ROOT / (page if page.endswith(".py") else f"pages/{page}.py"))


def run_page(page: str, widgets: dict | None = None, timeout: float = 180, secrets: dict | None = None,
             run: bool = True) -> AppTest:
    """Run a page (key or path) with optional secrets, then set each ((widget kind, key): value) and run again;
    every run must end without an exception. run=False returns the AppTest before its first run."""
    at = AppTest.from_file(page_path(page), default_timeout=timeout)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    if not run:
        return at
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for (kind, key), value in (widgets or {}).items():
        getattr(at, kind)(key=key).set_value(value).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at: AppTest) -> list[dict]:
    """The plotly figures of the page, as JSON."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def figures_by_title(at: AppTest) -> dict[str, dict]:
    """Figures by their title (untitled ones by their first trace type)."""
    out = {}
    for spec in figures(at):
        title = (spec["layout"].get("title") or {}).get("text") or spec["data"][0]["type"]
        out[title] = spec
    return out


def plot_values(array) -> list:
    """A plotly JSON array, plain or typed ({"dtype", "bdata"} base64), as a list."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def metrics(at: AppTest) -> dict[str, str]:
    """The metric cards: {label: value as shown}."""
    return {m.label: m.value for m in at.metric}
