"""Figures of the funnel area: funnel, breakdown, time in stage, cohorts, leaks, behaviour, trend."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from smarketing.charts.style import PALETTE, apply
from smarketing.formatting import fmt_int, fmt_month, fmt_p_text, fmt_pct, month_format
from smarketing.funnel.lifecycle import OTHER
from smarketing.labels import label, t

SMALL_SEGMENT = 30  # a segment on fewer leads than this is drawn pale: its rate moves a lot by chance
LOG_RATE_TICKS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]
LOG_COUNT_TICKS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000,
                   200_000, 500_000, 1_000_000]


def funnel_chart(funnel: pd.DataFrame, title: str | None = None) -> go.Figure:
    """The lifecycle funnel: leads per recorded stage with conversion from the previous recorded stage."""
    funnel = funnel[funnel.recorded] if "recorded" in funnel else funnel
    text = [
        f"{n:,}" if k == 0 else f"{n:,} · {fmt_pct(rate)}"
        for k, (n, rate) in enumerate(zip(funnel.leads, funnel.conversion_from_previous, strict=True))
    ]
    fig = go.Figure(go.Funnel(
        y=[label(s) for s in funnel.stage], x=funnel.leads, text=text, textinfo="text", textposition="auto",
        marker=dict(color=PALETTE[0]), connector=dict(fillcolor="#dbeafe"), cliponaxis=False,
        hovertemplate="%{y}: " + t("chart_n_leads").format(n="%{x:,}")
                      + "<br>" + t("chart_of_first_stage").format(share="%{percentInitial:.1%}")
                      + "<br>" + t("chart_of_previous_stage").format(share="%{percentPrevious:.1%}") + "<extra></extra>",
    ))
    fig = apply(fig, title, height=380)
    fig.update_layout(margin=dict(r=90))
    return fig


def breakdown_chart(frame: pd.DataFrame, by: str, stage: str | None = None, title: str | None = None) -> go.Figure:
    """Conversion from the first recorded stage to `stage` (default: the last recorded one) per segment, as bars:
    best first, the grouped rest (OTHER) last, numeric bands in their order; each bar says its rate and its leads;
    a segment on fewer than SMALL_SEGMENT leads is drawn pale; the rate of all these leads is the dotted line."""
    frame = frame[frame.recorded] if "recorded" in frame else frame
    stages = list(dict.fromkeys(frame.stage))
    stage = stage if stage in stages[1:] else stages[-1]
    start = frame[frame.stage == stages[0]].groupby(by, dropna=False).leads.sum()
    data = frame[frame.stage == stage].assign(start=lambda d: d[by].map(start).fillna(0))
    if not frame.attrs.get("bands"):  # a number's bands keep their order (lowest first)
        data = data.sort_values("conversion_from_first", kind="stable")
    data = pd.concat([data[data[by] == OTHER], data[data[by] != OTHER]])  # the grouped rest at the bottom
    names = [label(v) for v in data[by].astype(str)]
    small = data.start < SMALL_SEGMENT
    fig = go.Figure(go.Bar(
        y=names, x=data.conversion_from_first, orientation="h",
        marker_color=["#cbd5e1" if s else PALETTE[0] for s in small],
        text=[t("chart_share_of_leads").format(share=fmt_pct(r), n=fmt_int(n))
              for r, n in zip(data.conversion_from_first, data.start, strict=True)],
        textposition="auto", customdata=data[["start", "leads"]].to_numpy(),
        hovertemplate="%{y}: %{x:.1%} (" + t("chart_n_leads").format(n="%{customdata[1]:,}") + " / "
                      + "%{customdata[0]:,})<extra></extra>",
    ))
    everyone = data.leads.sum() / data.start.sum() if data.start.sum() else None
    if everyone is not None:
        fig.add_vline(x=everyone, line=dict(color="#334155", dash="dot"), annotation_text=t(
            "chart_all_leads_rate").format(share=fmt_pct(everyone)), annotation_position="top")
    fig.update_xaxes(tickformat=".0%", title=t("chart_conversion_to").format(first=label(stages[0]),
                                                                            stage=label(stage)))
    fig.update_yaxes(categoryorder="array", categoryarray=names)
    return apply(fig, title, height=max(300, 30 * len(data) + 130))


def time_in_stage_chart(funnel: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Median and 90th-percentile days between consecutive recorded stages, each bar named for both."""
    data = funnel[funnel.from_stage.notna()]
    labels = [f"{label(a)} → {label(b)}" for a, b in zip(data.from_stage, data.stage, strict=True)]
    fig = go.Figure([
        go.Bar(y=labels, x=data.median_days_from_previous, name=t("median_days_from_previous"), orientation="h",
               marker_color=PALETTE[0],
               hovertemplate="%{y}: " + t("chart_median_days").format(days="%{x:.1f}") + "<extra></extra>"),
        go.Bar(y=labels, x=data.p90_days_from_previous, name=t("p90_days_from_previous"), orientation="h",
               marker_color="#93c5fd",
               hovertemplate="%{y}: " + t("chart_p90_days").format(days="%{x:.1f}") + "<extra></extra>"),
    ])
    fig.update_layout(barmode="group", xaxis_title=t("days"), yaxis=dict(autorange="reversed"))
    return apply(fig, title, height=360)


def cohort_heatmap(cohorts: pd.DataFrame, stages: list[str], title: str | None = None) -> go.Figure:
    """Share of each monthly cohort reaching each stage (the first stage, always 100%, left out)."""
    shown = stages[1:]
    z = cohorts[shown].to_numpy() * 100
    months = [fmt_month(m) for m in cohorts.cohort]
    fig = go.Figure(go.Heatmap(
        z=z, x=[label(s) for s in shown], y=months, colorscale="Blues", zmin=0,
        text=[[f"{v:.1f}%" for v in row] for row in z],
        texttemplate="%{text}", customdata=[[n] * len(shown) for n in cohorts.leads],
        hovertemplate=t("chart_cohort_hover").format(cohort="%{y}", share="%{z:.1f}%", stage="%{x}",
                                                     n="%{customdata:,}") + "<extra></extra>",
        colorbar=dict(title=t("chart_share_of_cohort"), ticksuffix="%"),
    ))
    fig.update_yaxes(autorange="reversed", title=t("cohort"))
    return apply(fig, title, height=max(320, 26 * len(cohorts) + 120))


def leaks_chart(leaks: pd.DataFrame, by: str | None = None, limit: int = 10, title: str | None = None) -> go.Figure:
    """The conversions that fell most, in percentage points; significant falls in red."""
    data = leaks.head(limit).iloc[::-1]
    transitions = data.transition.map(label)
    names = transitions if not by else data[by].astype(str) + ": " + transitions
    colors = ["#dc2626" if s else ("#fca5a5" if c < 0 else "#86efac") for s, c in
              zip(data.significant, data.change, strict=True)]
    fig = go.Figure(go.Bar(
        y=names, x=data.change * 100, orientation="h", marker_color=colors,
        customdata=data[["rate_before", "rate_now"]].assign(p=data.p_value.map(fmt_p_text)).to_numpy(),
        hovertemplate="%{y}<br>%{customdata[0]:.1%} → %{customdata[1]:.1%} ("
                      + t("chart_points").format(change="%{x:+.1f}") + ")<br>%{customdata[2]}<extra></extra>",
    ))
    fig.update_xaxes(title=t("change_points"), ticksuffix=t("chart_points_suffix"), zeroline=True,
                     zerolinecolor="#334155")
    return apply(fig, title, height=max(300, 34 * len(data) + 100))


def behaviour_chart(steps: pd.DataFrame, title: str | None = None) -> go.Figure:
    text = [f"{n:,} · {fmt_pct(r)}" for n, r in zip(steps.leads, steps.conversion_from_first, strict=True)]
    fig = go.Figure(go.Funnel(
        y=[f"{s}. {t(e)}" for s, e in zip(steps.step, steps.event_type, strict=True)], x=steps.leads,
        text=text, textinfo="text", textposition="auto", cliponaxis=False, marker=dict(color=PALETTE[2]),
        hovertemplate="%{y}: " + t("chart_n_leads").format(n="%{x:,}") + "<extra></extra>",
    ))
    return apply(fig, title, height=80 * len(steps) + 120)


def trend_chart(trend: pd.DataFrame, stages: list[str], title: str | None = None) -> go.Figure:
    """Stage reaches per month, one line per stage (log scale so small late stages stay visible)."""
    trend = trend.assign(stage=trend.stage.map(label))
    fig = px.line(trend, x="month", y="leads", color="stage", markers=True,
                  category_orders={"stage": [label(s) for s in stages]},
                  labels={"month": t("month"), "leads": t("leads"), "stage": t("stage")})
    top = max(float(trend.leads.max()), 1.0)
    ticks = [v for v in LOG_COUNT_TICKS if v <= top * 2]
    fig.update_yaxes(type="log", tickvals=ticks, tickformat=",d", title=t("chart_log_scale").format(title=t("leads")))
    fig.update_xaxes(tickformat=month_format())
    fig.update_traces(hovertemplate=f"%{{x|{month_format()}}}: %{{y:,}}")
    return apply(fig, title, height=380)
