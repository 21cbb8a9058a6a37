"""Figures of what drives conversion (smarketing.funnel.drivers): the odds ratios with their intervals, and the
time-to-convert histogram."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from smarketing.charts.style import apply
from smarketing.labels import label, t

EFFECT_COLORS = {"raises": "#16a34a", "lowers": "#dc2626", "unclear": "#94a3b8"}
TOP = 20
ODDS_TICKS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 10, 20]
WIDE_TICKS = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100]
AXIS_LIMIT = (0.01, 100.0)


def driver_name(kind: str, feature: str, value: str) -> str:
    """How a driver reads: "Industry: Software", "Did before: Pricing page view"."""
    if kind == "event":
        return t("drv_did_before").format(event=label(value))
    return f"{label(feature)}: {label(value)}"  # a data value reads as a label: organic_search "Organic search"


def drivers_chart(drivers: pd.DataFrame, top: int = TOP, title: str | None = None) -> go.Figure:
    """The `top` drivers with the strongest evidence, as odds ratios with their 95% intervals on a log scale
    (1 = no effect), largest effect on top; green raises the odds, red lowers them, grey: the interval crosses 1.
    The axis stays within AXIS_LIMIT: a ratio beyond it (a corrected zero cell) is drawn at the edge as an arrow
    head, its hover and the table give the value."""
    data = drivers.head(top).sort_values("odds_ratio")
    names = [driver_name(k, f, v) for k, f, v in zip(data.kind, data.feature, data.value, strict=True)]
    lo_edge, hi_edge = AXIS_LIMIT
    shown = data.odds_ratio.clip(lo_edge, hi_edge)
    low_ci, high_ci = data.ci_low.clip(lo_edge, hi_edge), data.ci_high.clip(lo_edge, hi_edge)
    symbols = ["triangle-left" if o < lo_edge else "triangle-right" if o > hi_edge else "circle" for o in data.odds_ratio]
    custom = np.column_stack([data.ci_low, data.ci_high, data.rate_with * 100, data.rate_without * 100,
                              data.leads_with, data.q_value, data.odds_ratio])
    fig = go.Figure(go.Scatter(
        x=shown, y=names, mode="markers", customdata=custom,
        marker=dict(size=11, color=[EFFECT_COLORS[e] for e in data.effect], symbol=symbols),
        error_x=dict(type="data", symmetric=False, array=high_ci - shown, arrayminus=shown - low_ci,
                     color="#64748b", thickness=1.5),
        hovertemplate="%{y}<br>" + t("odds_ratio") + " %{customdata[6]:.3g} (%{customdata[0]:.3g}–%{customdata[1]:.3g})"
                      "<br>" + t("rate_with") + " %{customdata[2]:.1f}% · " + t("drv_rate_without")
                      + " %{customdata[3]:.1f}%<br>" + t("leads_with") + " %{customdata[4]:,} · q %{customdata[5]:.2g}"
                      "<extra></extra>",
    ))
    fig.add_vline(x=1, line_color="#334155", line_dash="dot")
    low = min(float(low_ci.min()) if len(data) else 1.0, 0.8)
    high = max(float(high_ci.max()) if len(data) else 1.0, 1.25)
    ticks = [v for v in (ODDS_TICKS if high / low < 30 else WIDE_TICKS) if low <= v <= high] or [1]
    fig.update_xaxes(type="log", title=t("drv_odds_axis"), tickvals=ticks, ticktext=[f"{v:g}" for v in ticks],
                     range=[np.log10(low / 1.15), np.log10(high * 1.15)])
    return apply(fig, title, height=max(320, 30 * len(data) + 120))


def time_chart(histogram: pd.DataFrame, unit: str, median: float, p90: float, open_end: bool,
               title: str | None = None) -> go.Figure:
    """Converted leads by the time they took, with the median and the 90th percentile marked."""
    width = float(histogram.bin_start.iloc[1] - histogram.bin_start.iloc[0]) if len(histogram) > 1 else \
        float(histogram.bin_end.iloc[0] - histogram.bin_start.iloc[0]) if len(histogram) else 1.0
    names = [f"{a:g}–{b:g}" for a, b in zip(histogram.bin_start, histogram.bin_end, strict=True)]
    if open_end and names:
        names[-1] = f"≥ {histogram.bin_start.iloc[-1]:g}"
    fig = go.Figure(go.Bar(
        x=histogram.bin_start + width / 2, y=histogram.leads, width=width * 0.95, customdata=np.column_stack(
            [names, histogram.share * 100]), marker_color="#2563eb",
        hovertemplate="%{customdata[0]} " + t(f"drv_unit_{unit}") + ": %{y:,} " + t("leads").lower()
                      + " (%{customdata[1]:.1f}%)<extra></extra>",
    ))
    for value, key, dash in ((median, "drv_median", "dash"), (p90, "drv_p90", "dot")):
        if pd.notna(value):
            fig.add_vline(x=value, line_dash=dash, line_color="#f97316",
                          annotation_text=t(key).format(value=f"{value:,.1f}"), annotation_position="top")
    fig.update_xaxes(title=t(f"drv_unit_{unit}"), rangemode="tozero")
    fig.update_yaxes(title=t("leads"), tickformat=",d")
    return apply(fig, title, height=380)
