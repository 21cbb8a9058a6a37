"""Figures of the goal planner: needs per stage, per month, per channel, the gap and the scenario compare."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from smarketing.charts.style import PALETTE, apply
from smarketing.formatting import fmt_money, month_format
from smarketing.labels import label, t


def needed_chart(needed: pd.DataFrame, title: str | None = None) -> go.Figure:
    """How many of each stage the target needs, as a funnel."""
    fig = go.Figure(go.Funnel(
        y=[label(s) for s in needed.stage], x=needed.needed, texttemplate="%{x:,}", marker=dict(color=PALETTE[0]),
        connector=dict(fillcolor="#dbeafe"),
        hovertemplate="%{y}: " + t("chart_n_needed").format(n="%{x:,}") + "<extra></extra>",
    ))
    return apply(fig, title, height=360)


def monthly_chart(monthly: pd.DataFrame, start: date, stages: list[str], title: str | None = None) -> go.Figure:
    """Stage reaches needed per month; months before the plan start are shaded (needed earlier)."""
    fig = go.Figure()
    for k, stage in enumerate(stages):
        data = monthly[monthly.stage == stage]
        fig.add_bar(x=pd.to_datetime(data.month), y=data.needed, name=label(stage), marker_color=PALETTE[k % len(PALETTE)],
                    hovertemplate=f"%{{fullData.name}}, %{{x|{month_format()}}}: %{{y:,.0f}}<extra></extra>")
    first = pd.to_datetime(monthly.month).min()
    if pd.notna(first) and first < pd.Timestamp(start):
        fig.add_vrect(x0=first - pd.Timedelta(days=16), x1=pd.Timestamp(start) - pd.Timedelta(days=16),
                      fillcolor="#f1f5f9", line_width=0, layer="below",
                      annotation_text=t("before_period"), annotation_position="top left")
    fig.update_layout(barmode="group", xaxis=dict(dtick="M1", tickformat=month_format()))
    fig.update_yaxes(title=t("needed"))
    return apply(fig, title, height=400)


def channel_chart(channels: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Budget per channel (bars) with the leads each must bring."""
    data = channels.sort_values("budget", ascending=True)
    fig = go.Figure(go.Bar(
        y=[label(c) for c in data.channel], x=data.budget, orientation="h", marker_color=PALETTE[1],
        text=[t("chart_n_leads").format(n=f"{n:,.0f}") for n in data.leads_needed], textposition="auto",
        customdata=[fmt_money(c) for c in data.cost_per_lead],  # unknown: "–", not $0
        hovertemplate=t("chart_cost_per_lead_hover").format(channel="%{y}", budget="%{x:$,.0f}", cpl="%{customdata}")
                      + "<extra></extra>",
    ))
    fig.update_xaxes(title=t("budget"), tickprefix="$")
    return apply(fig, title, height=max(280, 30 * len(data) + 80))


def monthly_budget_chart(budget: pd.DataFrame, start: date, title: str | None = None) -> go.Figure:
    """Budget per month, stacked by channel (spent when the leads must come in, before the revenue)."""
    fig = go.Figure()
    spending = budget.groupby("channel").budget.sum().sort_values(ascending=False)
    for k, channel in enumerate(spending[spending > 0].index):
        data = budget[budget.channel == channel]
        fig.add_bar(x=pd.to_datetime(data.month), y=data.budget, name=label(channel), marker_color=PALETTE[k % len(PALETTE)],
                    hovertemplate=f"%{{fullData.name}}, %{{x|{month_format()}}}: %{{y:$,.0f}}<extra></extra>")
    fig.update_layout(barmode="stack", legend_traceorder="reversed",  # the legend reads as the stack, top first
                      xaxis=dict(dtick="M1", tickformat=month_format()))
    fig.update_yaxes(title=t("budget"), tickprefix="$")
    return apply(fig, title, height=380)


def gap_chart(gap: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Needed per month against the current run rate, per stage (log scale: stages differ by 10×)."""
    fig = go.Figure([
        go.Bar(x=[label(s) for s in gap.stage], y=gap.needed_per_month, name=t("needed_per_month"),
               marker_color=PALETTE[0],
               hovertemplate="%{x}: " + t("chart_needed_per_month").format(n="%{y:,.0f}") + "<extra></extra>"),
        go.Bar(x=[label(s) for s in gap.stage], y=gap.run_rate_per_month, name=t("run_rate_per_month"),
               marker_color="#94a3b8",
               hovertemplate="%{x}: " + t("chart_per_month_now").format(n="%{y:,.0f}") + "<extra></extra>"),
    ])
    fig.update_layout(barmode="group")
    fig.update_traces(texttemplate="%{y:,.0f}", textposition="outside")  # each bar says its number
    fig.update_yaxes(type="log", showticklabels=False, showgrid=False, title=t("per_month"))  # the bars say it
    return apply(fig, title, height=360)


def compare_chart(compare: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Scenario A against B: needed per stage."""
    data = compare[compare["item"] != "budget"]
    fig = go.Figure([
        go.Bar(x=[label(i) for i in data["item"]], y=data.scenario_a, name=t("scenario_a"), marker_color="#94a3b8",
               hovertemplate="%{x}: %{y:,} (A)<extra></extra>"),
        go.Bar(x=[label(i) for i in data["item"]], y=data.scenario_b, name=t("scenario_b"), marker_color=PALETTE[0],
               hovertemplate="%{x}: %{y:,} (B)<extra></extra>"),
    ])
    fig.update_layout(barmode="group")
    fig.update_traces(texttemplate="%{y:,.0f}", textposition="outside")
    fig.update_yaxes(type="log", showticklabels=False, showgrid=False, title=t("needed"))
    return apply(fig, title, height=360)
