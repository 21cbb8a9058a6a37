"""The shared look of every figure: palette, fonts, number formats."""

from __future__ import annotations

import plotly.graph_objects as go

PALETTE = ["#2563eb", "#f97316", "#10b981", "#a855f7", "#ef4444", "#0ea5e9", "#eab308", "#64748b",
           "#ec4899", "#14b8a6"]
OUTCOME_COLORS = {"won": "#16a34a", "lost": "#dc2626", "open": "#f59e0b", "no deal": "#94a3b8"}


def apply(fig: go.Figure, title: str | None = None, height: int = 420) -> go.Figure:
    """Apply the house style; legends above the plot so they never cover data."""
    fig.update_layout(
        title=title,
        height=height,
        template="plotly_white",
        colorway=PALETTE,
        margin=dict(l=10, r=10, t=60 if title else 30, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        font=dict(size=13),
        separators=".,",
    )
    return fig
