"""Figures of the pipeline forecast: a metric by month (open pipeline and new leads, with the interval), the
backtest against what happened, the what-if change, the gap to the goal plan and the channels."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from smarketing.charts.style import PALETTE, apply
from smarketing.formatting import fmt_pct, month_format
from smarketing.labels import label, t

MONEY = "revenue"


def metric_name(metric: str, stage) -> str:
    """What a forecast metric is called: the stage of a role (data), else its label."""
    return label(stage) if isinstance(stage, str) and stage else t(f"fc_metric_{metric}")


def _fmt(metric: str) -> str:
    return "$,.0f" if metric == MONEY else ",.0f"


def forecast_chart(monthly: pd.DataFrame, metric: str, title: str | None = None) -> go.Figure:
    """One metric by month: what the open pipeline and the new leads bring (stacked bars) and the interval."""
    data = monthly[monthly.metric == metric]
    fmt, month = _fmt(metric), month_format()
    fig = go.Figure([
        go.Bar(x=data.month, y=data.from_pipeline, name=t("fc_from_pipeline"), marker_color=PALETTE[0],
               hovertemplate=f"%{{x|{month}}}: %{{y:{fmt}}}<extra>{t('fc_from_pipeline')}</extra>"),
        go.Bar(x=data.month, y=data.from_new_leads, name=t("fc_from_new_leads"), marker_color=PALETTE[2],
               hovertemplate=f"%{{x|{month}}}: %{{y:{fmt}}}<extra>{t('fc_from_new_leads')}</extra>"),
        go.Scatter(x=data.month, y=data.expected, mode="markers", name=t("fc_interval"),
                   marker=dict(color="#0f172a", size=7, symbol="line-ew-open"),
                   error_y=dict(type="data", symmetric=False, array=data.high - data.expected,
                                arrayminus=data.expected - data.low, color="#0f172a", thickness=1.5, width=8),
                   customdata=data[["low", "high"]].to_numpy(),
                   hovertemplate=f"%{{x|{month}}}: %{{y:{fmt}}} (%{{customdata[0]:{fmt}}} – %{{customdata[1]:{fmt}}})"
                                 "<extra></extra>"),
    ])
    fig.update_layout(barmode="stack", xaxis=dict(dtick="M1", tickformat=month))
    fig.update_yaxes(title=metric_name(metric, data.stage.iloc[0] if len(data) else None),
                     tickprefix="$" if metric == MONEY else None, rangemode="tozero")
    return apply(fig, title, height=380)


def backtest_chart(series: pd.DataFrame, metric: str, title: str | None = None) -> go.Figure:
    """What happened against the forecasts made 3 and 6 months before, for one metric."""
    data = series[series.metric == metric]
    fmt, month = _fmt(metric), month_format()
    fig = go.Figure()
    actual = data.drop_duplicates("month").sort_values("month")
    fig.add_scatter(x=actual.month, y=actual.actual, name=t("fc_actual"), mode="lines+markers",
                    line=dict(color="#0f172a", width=3), hovertemplate=f"%{{x|{month}}}: %{{y:{fmt}}}<extra></extra>")
    for k, (lag, made) in enumerate(data.groupby("lag", sort=True)):
        fig.add_scatter(x=made.month, y=made.forecast, name=t("fc_made_before").format(months=lag),
                        mode="lines+markers", line=dict(color=PALETTE[k % len(PALETTE)], dash="dash"),
                        hovertemplate=f"%{{x|{month}}}: %{{y:{fmt}}}<extra></extra>")
    fig.update_layout(xaxis=dict(dtick="M1", tickformat=month))
    fig.update_yaxes(tickprefix="$" if metric == MONEY else None, rangemode="tozero")
    return apply(fig, title, height=360)


def change_chart(compared: pd.DataFrame, title: str | None = None) -> go.Figure:
    """The what-if's change per metric, as a share of the forecast without it."""
    share = compared["what_if_change"] / compared["forecast"].where(compared["forecast"] != 0)
    names = [metric_name(m, s) for m, s in zip(compared.metric, compared.stage, strict=True)]
    fig = go.Figure(go.Bar(
        x=names, y=share.fillna(0), marker_color=[PALETTE[2] if v >= 0 else PALETTE[4] for v in share.fillna(0)],
        customdata=compared[["forecast", "what_if"]].to_numpy(),
        hovertemplate="%{x}: %{y:+.1%} (%{customdata[0]:,.0f} → %{customdata[1]:,.0f})<extra></extra>",
    ))
    fig.update_yaxes(title=t("fc_change_share"), tickformat="+.1%", zeroline=True, zerolinecolor="#334155")
    return apply(fig, title, height=320)


def gap_chart(gap: pd.DataFrame, title: str | None = None) -> go.Figure:
    """How much of each stage's need for the goal the forecast covers (100%: on target)."""
    data = gap[gap.goal_coverage.notna()]
    names = [metric_name(m, s) for m, s in zip(data.metric, data.stage, strict=True)]
    fig = go.Figure(go.Bar(
        x=names, y=data.goal_coverage,
        marker_color=[PALETTE[2] if v >= 1 else PALETTE[1] for v in data.goal_coverage],
        customdata=data[["forecast", "needed"]].to_numpy(),
        hovertemplate="%{x}: %{y:.0%} (" + t("chart_forecast_of_needed").format(
            forecast="%{customdata[0]:,.0f}", needed="%{customdata[1]:,.0f}") + ")<extra></extra>",
    ))
    fig.add_hline(y=1, line_dash="dot", line_color="#334155")
    fig.update_yaxes(title=t("fc_goal_axis"), tickformat=".0%", rangemode="tozero")
    return apply(fig, title, height=320)


def channels_chart(channels: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Won deals each channel's new leads bring within the forecast months, with the lead-to-won rate."""
    data = channels.sort_values("won_in_horizon", ascending=True)
    fig = go.Figure(go.Bar(
        y=[label(c) for c in data.channel], x=data.won_in_horizon, orientation="h", marker_color=PALETTE[0],
        text=[t("fc_won_share_text").format(share=fmt_pct(r)) for r in data.lead_to_won],  # unknown: "–"
        textposition="auto", hovertemplate="%{y}: %{x:,.1f}<extra></extra>",
    ))
    fig.update_xaxes(title=t("fc_won_in_horizon"))
    return apply(fig, title, height=max(260, 30 * len(data) + 90))
