"""The shared look of every figure: palette, fonts, number formats; data text shown as text."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

PALETTE = ["#2563eb", "#f97316", "#10b981", "#a855f7", "#ef4444", "#0ea5e9", "#eab308", "#64748b",
           "#ec4899", "#14b8a6"]
OUTCOME_COLORS = {"won": "#16a34a", "lost": "#dc2626", "open": "#f59e0b", "no deal": "#94a3b8"}
# The house template, set once as plotly's default: naming it per figure (template="plotly_white") makes
# plotly validate and copy the whole template every time, 25 ms of each figure (benchmarks/RESULTS.md, load).
pio.templates.default = "plotly_white"


def apply(fig: go.Figure, title: str | None = None, height: int = 420) -> go.Figure:
    """Apply the house style; legends above the plot so they never cover data."""
    fig.update_layout(
        title=title,
        height=height,
        colorway=PALETTE,
        margin=dict(l=10, r=10, t=60 if title else 30, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        font=dict(size=13),
        separators=".,",
    )
    return escape_text(fig)


def escape_text(fig: go.Figure) -> go.Figure:
    """Escape `&`, `<` and `>` in every text of the figure's traces and layout (names, categories, labels,
    custom data, titles), so a company called `<b>x</b>` is shown as those characters: plotly renders a
    subset of HTML in text and decodes entities back. Templates (`hovertemplate`, `texttemplate`) are our
    own markup and are left alone; data goes into them only through %{…} fields. Call once per figure."""
    for trace in fig.data:
        _escape_into(trace, trace.to_plotly_json())
    layout = fig.layout.to_plotly_json()
    layout.pop("template", None)
    _escape_into(fig.layout, layout)
    return fig


def _escape_into(target, values: dict) -> None:
    for key, value in values.items():
        new = _escaped(value)
        if new is not value and not key.endswith("template"):
            target[key] = new


def _escaped(value):
    """`value` with HTML-escaped strings (at any depth); the very same object when nothing changes."""
    if isinstance(value, str):
        new = html.escape(value, quote=False)
        return value if new == value else new
    if isinstance(value, dict):
        items = {k: value[k] if k.endswith("template") else _escaped(value[k]) for k in value}
        return items if any(items[k] is not value[k] for k in value) else value
    if isinstance(value, np.ndarray):
        if value.dtype != object:
            return value
        items = [_escaped(v) for v in value.flat]
        if all(new is old for new, old in zip(items, value.flat, strict=True)):
            return value
        return np.array(items, dtype=object).reshape(value.shape)
    if isinstance(value, list | tuple):
        items = [_escaped(v) for v in value]
        return value if all(new is old for new, old in zip(items, value, strict=True)) else type(value)(items)
    return value
