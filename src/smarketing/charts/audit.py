"""Figures and the trust line of the funnel integrity audit (smarketing.funnel.audit)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from smarketing.charts.style import PALETTE, apply
from smarketing.formatting import fmt_int, fmt_pct, md_text
from smarketing.labels import label, t

GOOD, FAIR = 0.95, 0.80  # trust at or above GOOD is green, at or above FAIR amber, below red
COLORS = {"good": "#16a34a", "fair": "#f59e0b", "poor": "#dc2626"}


def trust_level(trust: float) -> str:
    if pd.isna(trust):
        return "fair"
    return "good" if trust >= GOOD else "fair" if trust >= FAIR else "poor"


def issue_label(key: str) -> str:
    return t(f"issue_{key}")


def trust_line(by_stage: pd.DataFrame) -> str:
    """One line for the Funnel page: the trust of each stage (markdown, stage names escaped)."""
    parts = [f"{md_text(label(row.stage))} {fmt_pct(row.trust, 0)}" for row in by_stage.itertuples() if row.leads]
    return t("audit_trust_line").format(stages=" · ".join(parts)) if parts else ""


def trust_chart(by_stage: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Trust per stage: the share of the stage's leads whose stage record is clean up to it."""
    data = by_stage[by_stage.leads > 0]
    colors = [COLORS[trust_level(v)] for v in data.trust]
    text = [t("audit_trust_bar").format(trust=fmt_pct(v), clean=fmt_int(c), leads=fmt_int(n))
            for v, c, n in zip(data.trust, data.clean, data.leads, strict=True)]
    fig = go.Figure(go.Bar(
        y=[label(s) for s in data.stage], x=data.trust * 100, orientation="h", marker_color=colors, text=text,
        textposition="auto",
        cliponaxis=False, hovertemplate="%{y}: %{text}<extra></extra>",
    ))
    fig.update_xaxes(range=[0, 100], dtick=25, ticksuffix="%", title=t("audit_trust"))
    fig.update_yaxes(autorange="reversed")
    return apply(fig, title, height=max(260, 44 * len(data) + 110))


def issues_chart(by_stage: pd.DataFrame, keys: list[str], title: str | None = None) -> go.Figure:
    """Leads with each issue type, per stage the issue is about (stacked); issue types nobody has are left out."""
    shown = [k for k in keys if k in by_stage and by_stage[k].fillna(0).sum() > 0]
    fig = go.Figure([
        go.Bar(x=[label(s) for s in by_stage.stage], y=by_stage[k].fillna(0), name=issue_label(k),
               marker_color=PALETTE[i % len(PALETTE)],
               hovertemplate="%{x}: %{y:,} " + t("leads").lower() + "<extra>" + issue_label(k) + "</extra>")
        for i, k in enumerate(shown)
    ])
    fig.update_layout(barmode="stack", yaxis_title=t("leads"), legend_traceorder="reversed")  # as stacked, top first
    fig.update_yaxes(tickformat=",d")
    fig = apply(fig, title, height=420)
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0))  # below: many types
    return fig


def effects_heatmap(effects: pd.DataFrame, keys: list[str], title: str | None = None) -> go.Figure:
    """Change of each headline conversion (columns) when the leads of each issue type (rows) are left out, in
    percentage points; red: the conversion would be lower without them, blue: higher."""
    data = effects[effects.issue.isin(keys)]
    pivot = data.pivot_table(index="issue", columns="transition", values="change", sort=False) * 100
    pivot = pivot.reindex(index=[k for k in keys if k in pivot.index],
                          columns=list(dict.fromkeys(data.transition)))
    z = pivot.to_numpy()
    top = max(float(abs(pd.DataFrame(z).stack()).max()) if z.size else 0.0, 0.5)
    text = [[("–" if pd.isna(v) else f"{v:+.1f}") for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=[label(c) for c in pivot.columns], y=[issue_label(k) for k in pivot.index], zmid=0, zmin=-top, zmax=top,
        colorscale="RdBu", text=text, texttemplate="%{text}",
        hovertemplate="%{y}<br>%{x}: %{z:+.1f} " + t("audit_points") + "<extra></extra>",
        colorbar=dict(title=t("audit_points"), ticksuffix=t("chart_points_suffix")),
    ))
    fig.update_yaxes(autorange="reversed")
    return apply(fig, title, height=max(300, 38 * len(pivot) + 140))
