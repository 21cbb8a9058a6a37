"""Figures of the scoring area: precision–recall, MQL volume vs capacity, fit vs interest, lift."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from smarketing.charts.style import OUTCOME_COLORS, PALETTE, apply
from smarketing.formatting import day_format
from smarketing.labels import label, t

QUADRANT_COLORS = {"hot": "#dc2626", "nurture": "#2563eb", "low_cost_followup": "#f59e0b", "drop": "#94a3b8"}


def pr_curve(curve: pd.DataFrame, current: dict | None = None, proposed: dict | None = None,
             title: str | None = None) -> go.Figure:
    """Precision against recall over every threshold; the current and proposed settings marked."""
    fig = go.Figure(go.Scatter(
        x=curve.recall, y=curve.precision, mode="lines+markers", name=t("sc_curve"),
        marker=dict(size=4, color=PALETTE[0]), line=dict(color=PALETTE[0]),
        customdata=curve[["threshold", "mqls"]].to_numpy(),
        hovertemplate=t("chart_pr_hover").format(threshold="%{customdata[0]:,.0f}", recall="%{x:.1%}",
                                                 precision="%{y:.1%}", mqls="%{customdata[1]:,}") + "<extra></extra>",
    ))
    for point, name, color, symbol in ((current, t("sc_saved_rules"), "#64748b", "circle-open"),
                                       (proposed, t("sc_proposed_rules"), PALETTE[1], "star")):
        if point and point.get("recall") is not None and point.get("precision") is not None:
            fig.add_trace(go.Scatter(
                x=[point["recall"]], y=[point["precision"]], mode="markers", name=name,
                marker=dict(size=16, color=color, symbol=symbol, line=dict(width=2, color=color)),
                hovertemplate=t("chart_pr_point").format(name=name, recall="%{x:.1%}", precision="%{y:.1%}")
                              + "<extra></extra>",
            ))
    fig.update_xaxes(title=t("recall"), tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(title=t("precision"), tickformat=".0%", rangemode="tozero")
    return apply(fig, title, height=400)


def volume_curve(curve: pd.DataFrame, capacity: float | None, threshold: float | None = None,
                 title: str | None = None) -> go.Figure:
    """MQLs per week at each threshold, with the sales capacity line and the chosen threshold."""
    fig = go.Figure(go.Scatter(
        x=curve.threshold, y=curve.mqls_per_week, mode="lines", name=t("mqls_per_week"), line=dict(color=PALETTE[0]),
        hovertemplate=t("chart_volume_hover").format(threshold="%{x:,.0f}", mqls="%{y:,.1f}") + "<extra></extra>",
    ))
    if capacity:
        fig.add_hline(y=capacity, line=dict(color=PALETTE[4], dash="dash"), annotation_text=t("capacity"))
    if threshold is not None:
        fig.add_vline(x=threshold, line=dict(color=PALETTE[1], dash="dot"), annotation_text=t("sc_threshold_now"))
    fig.update_xaxes(title=t("sc_threshold"))
    fig.update_yaxes(title=t("mqls_per_week"), rangemode="tozero")
    return apply(fig, title, height=360)


def weekly_volume(weekly: pd.DataFrame, capacity: float | None, title: str | None = None) -> go.Figure:
    """MQLs per week of lead creation as bars, the caught outcomes inside, capacity as a line."""
    fig = go.Figure([
        go.Bar(x=weekly.week, y=weekly.mqls, name=t("mqls"), marker_color=PALETTE[0],
               hovertemplate=t("chart_week_mqls").format(week=f"%{{x|{day_format()}}}", n="%{y:,}") + "<extra></extra>"),
        go.Bar(x=weekly.week, y=weekly.caught, name=t("caught"), marker_color=PALETTE[2],
               hovertemplate=t("chart_week_caught").format(week=f"%{{x|{day_format()}}}", n="%{y:,}")
                             + "<extra></extra>"),
    ])
    fig.update_xaxes(tickformat=day_format())
    fig.update_layout(barmode="overlay")
    if capacity:
        fig.add_hline(y=capacity, line=dict(color=PALETTE[4], dash="dash"), annotation_text=t("capacity"))
    fig.update_yaxes(title=t("mqls"), rangemode="tozero")
    return apply(fig, title, height=340)


def _quadrant_lines(fig: go.Figure, fit_threshold: float, interest_threshold: float) -> None:
    fig.add_vline(x=fit_threshold, line=dict(color="#334155", dash="dash", width=1))
    fig.add_hline(y=interest_threshold, line=dict(color="#334155", dash="dash", width=1))
    for key, xa, ya, xanchor, yanchor in (("hot", 1, 1, "right", "top"), ("nurture", 1, 0, "right", "bottom"),
                                          ("low_cost_followup", 0, 1, "left", "top"), ("drop", 0, 0, "left", "bottom")):
        fig.add_annotation(text=t(f"q_{key}"), xref="paper", yref="paper", x=xa, y=ya, showarrow=False,
                           xanchor=xanchor, yanchor=yanchor, font=dict(color=QUADRANT_COLORS[key], size=13))


def quadrant_scatter(points: pd.DataFrame, fit_threshold: float, interest_threshold: float,
                     title: str | None = None) -> go.Figure:
    """Leads by fit (x) and interest (y) coloured by deal outcome (WebGL), with the quadrant lines."""
    traces = []
    # Fit scores are sums of whole points, so leads stack on a few columns: spread them a little
    # (deterministic jitter of at most ±1.5 points); the hover shows the true score.
    jitter = np.random.default_rng(0).uniform(-1.5, 1.5, len(points))
    for status in ("no deal", "open", "lost", "won"):  # won drawn last, on top
        mask = (points.deal_status == status).to_numpy()
        part = points[mask]
        traces.append(go.Scattergl(
            x=part.fit + jitter[mask], y=part.interest, mode="markers",
            name=t(f"status_{status.replace(' ', '_')}"),
            marker=dict(color=OUTCOME_COLORS[status], size=5 if status == "no deal" else 7,
                        opacity=0.45 if status == "no deal" else 0.85),
            customdata=part[["lead_id", "fit"]].to_numpy(),
            hovertemplate=t("chart_fit_interest_hover").format(lead="%{customdata[0]}", fit="%{customdata[1]:,.0f}",
                                                               interest="%{y:,.1f}") + "<extra></extra>",
        ))
    fig = go.Figure(traces)
    _quadrant_lines(fig, fit_threshold, interest_threshold)
    fig.update_xaxes(title=t("fit_score"))
    fig.update_yaxes(title=t("interest_score"))
    return apply(fig, title, height=520)


def quadrant_density(grid: pd.DataFrame, fit_threshold: float, interest_threshold: float,
                     title: str | None = None) -> go.Figure:
    """Lead density over fit × interest (grid from `scoring.quadrants.density`, log colour scale)."""
    wide = grid.pivot_table(index="interest", columns="fit", values="leads", aggfunc="sum")
    counts = wide.to_numpy()
    with np.errstate(divide="ignore"):
        z = np.where(counts > 0, np.log10(counts), np.nan)
    fig = go.Figure(go.Heatmap(
        x=wide.columns, y=wide.index, z=z, customdata=counts, colorscale="Blues", hoverongaps=False,
        colorbar=dict(title=t("leads"), tickvals=[0, 1, 2, 3, 4, 5], ticktext=["1", "10", "100", "1k", "10k", "100k"]),
        hovertemplate=t("chart_density_hover").format(fit="%{x:,.0f}", interest="%{y:,.1f}", n="%{customdata:,}")
                      + "<extra></extra>",
    ))
    _quadrant_lines(fig, fit_threshold, interest_threshold)
    fig.update_xaxes(title=t("fit_score"))
    fig.update_yaxes(title=t("interest_score"))
    return apply(fig, title, height=520)


def quadrant_by_chart(frame: pd.DataFrame, by: str, title: str | None = None) -> go.Figure:
    """Share of each quadrant within each value of `by` (stacked bars, largest values first)."""
    order = frame.groupby(by).leads.sum().sort_values(ascending=False).index[:15].tolist()
    fig = go.Figure([
        go.Bar(y=[label(v) for v in part[by]], x=part.share, name=t(f"q_{q}"), orientation="h",
               marker_color=QUADRANT_COLORS[q],
               customdata=part[["leads"]].to_numpy(),
               hovertemplate="%{y}: %{x:.1%} (" + t("chart_n_leads").format(n="%{customdata[0]:,}") + ")<extra></extra>")
        for q in QUADRANT_COLORS
        if not (part := frame[(frame.quadrant == q) & frame[by].isin(order)]).empty
    ])
    fig.update_layout(barmode="stack")
    fig.update_yaxes(categoryorder="array", categoryarray=[label(v) for v in order[::-1]], title=label(by))
    fig.update_xaxes(tickformat=".0%", title=t("share"))
    return apply(fig, title, height=max(300, 28 * len(order) + 120))


_RULE_KEY = re.compile(r"^([a-z][a-z0-9]*(?:_[a-z0-9]+)*)( = |: | )(.+)$")  # "industry = Software", "page_view: 1–3"
_LEVELS = {"up to 1": "level_up_to_1", "over 15": "level_over_15"}


def rule_label(kind: str, name: str) -> str:
    """How a scoring attribute reads: an event type by its label ("Webinar attended"), an activity level after
    it ("Page view: up to 1"), a generated fit rule by its column's label and value ("Industry: Software",
    "Employees 120–450"); rule names people wrote stay as they are. The raw key goes in a tooltip."""
    if kind == "event":
        return label(name)
    found = _RULE_KEY.match(str(name))
    if kind == "bonus" or not found:
        return str(name)
    key, sep, rest = found.groups()
    rest = t(_LEVELS[rest]) if kind == "event level" and rest in _LEVELS else label(rest) if sep == " = " else rest
    return f"{label(key)}{': ' if sep != ' ' else ' '}{rest}"


def lift_chart(attributes: pd.DataFrame, top: int = 25, min_leads: int = 30, title: str | None = None) -> go.Figure:
    """Lift over the average outcome rate with its confidence interval, strongest first (attributes with
    at least `min_leads` leads)."""
    data = attributes.dropna(subset=["lift"])
    data = data[(data.leads >= min_leads) & (data.lift > 0)]
    data = data.reindex(data.lift.sub(1).abs().sort_values(ascending=False).index)[:top]
    data = data.iloc[::-1]
    names = [rule_label(k, n) for k, n in zip(data.kind, data.name, strict=True)]
    fig = go.Figure(go.Scatter(
        x=data.lift, y=names, mode="markers",
        error_x=dict(type="data", symmetric=False, array=data.lift_high - data.lift, arrayminus=data.lift - data.lift_low,
                     color="#94a3b8"),
        marker=dict(size=9, color=[PALETTE[2] if v > 1 else PALETTE[4] for v in data.lift]),
        customdata=data[["leads", "rate", "points", "name"]].to_numpy(),
        hovertemplate=t("chart_lift_hover").format(name="%{y}", lift="%{x:.2f}×", rate="%{customdata[1]:.1%}",
                                                   n="%{customdata[0]:,}", points="%{customdata[2]}")
                      + "<br><span style='color:#64748b'>%{customdata[3]}</span><extra></extra>",  # the raw key
    ))
    fig.add_vline(x=1, line=dict(color="#334155", dash="dot"))
    ticks = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20]
    fig.update_xaxes(title=t("lift"), type="log", tickvals=ticks, ticktext=[f"{v:g}×" for v in ticks])
    return apply(fig, title, height=max(320, 22 * len(data) + 100))
