"""Figures of the lead-flow area: the hand-off flow, SLA gauges and trend, owners, returns, response time,
de-duplication."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from smarketing.charts.style import OUTCOME_COLORS, PALETTE, apply
from smarketing.formatting import day_format
from smarketing.labels import label, t

NODE_COLORS = {
    "mql": PALETTE[0], "accepted": "#16a34a", "returned": "#f97316", "pending": "#f59e0b",
    "not_dispatched": "#94a3b8", "sql": PALETTE[5], "no_sql": "#cbd5e1", "opportunity": PALETTE[3],
    "no_opportunity": "#cbd5e1", "won": OUTCOME_COLORS["won"], "lost": OUTCOME_COLORS["lost"],
    "open": OUTCOME_COLORS["open"],
}
STATUS_COLORS = {"duplicate": "#f59e0b", "existing_customer": "#16a34a", "open_deal": PALETTE[3],
                 "new": "#cbd5e1"}


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def flow_sankey(links: pd.DataFrame, title: str | None = None) -> go.Figure:
    """The hand-off as a flow: MQL → accepted / returned / pending → SQL → opportunity → won / lost."""
    nodes = list(dict.fromkeys([*links.source, *links.target]))
    order = list(NODE_COLORS)
    nodes.sort(key=lambda n: order.index(n) if n in order else len(order))
    index = {n: i for i, n in enumerate(nodes)}
    totals = {n: int(max(links.loc[links.target == n, "leads"].sum(), links.loc[links.source == n, "leads"].sum()))
              for n in nodes}
    fig = go.Figure(go.Sankey(
        arrangement="snap", textfont=dict(color="#0f172a", size=13),
        node=dict(label=[f"{t('flow_' + n)} ({totals[n]:,})" for n in nodes], pad=18, thickness=16,
                  color=[NODE_COLORS.get(n, "#64748b") for n in nodes],
                  hovertemplate="%{label}<extra></extra>"),
        link=dict(source=[index[s] for s in links.source], target=[index[x] for x in links.target],
                  value=links.leads.tolist(),
                  color=[_rgba(NODE_COLORS.get(x, "#64748b"), 0.35) for x in links.target],
                  hovertemplate="%{source.label} → %{target.label}: " + t("chart_n_leads").format(n="%{value:,}")
                                + "<extra></extra>"),
    ))
    return apply(fig, title, height=460)


def weekly_trend(weekly: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Hand-offs per week (bars) and the share accepted within the SLA (line)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    day = f"%{{x|{day_format()}}}: "
    fig.add_bar(x=weekly.week, y=weekly.dispatched, name=t("dispatched"), marker_color="#cbd5e1",
                hovertemplate=day + t("chart_n_handoffs").format(n="%{y:,}") + "<extra></extra>", secondary_y=False)
    fig.add_scatter(x=weekly.week, y=weekly.sla_met_share, name=t("sla_met_share"), mode="lines+markers",
                    line=dict(color=PALETTE[0], width=2),
                    hovertemplate=day + t("chart_within_sla").format(share="%{y:.1%}") + "<extra></extra>",
                    secondary_y=True)
    fig.add_scatter(x=weekly.week, y=weekly.answered_in_time_share, name=t("answered_in_time_share"),
                    mode="lines", line=dict(color=PALETTE[2], dash="dot"),
                    hovertemplate=day + t("chart_answered_in_time").format(share="%{y:.1%}") + "<extra></extra>",
                    secondary_y=True)
    fig.update_xaxes(tickformat=day_format())
    fig.update_yaxes(title_text=t("dispatched"), secondary_y=False)
    fig.update_yaxes(title_text=t("share"), tickformat=".0%", range=[0, 1.05], tickvals=[0, 0.25, 0.5, 0.75, 1],
                     showgrid=False, secondary_y=True)  # round shares, not the bars' grid lines (39%, 59%, 78%)
    return apply(fig, title, height=380)


def owner_chart(owners: pd.DataFrame, title: str | None = None) -> go.Figure:
    """SLA met share per owner, worst first; bar text shows median hours to accept."""
    data = owners.sort_values("sla_met_share", ascending=True)
    fig = go.Figure(go.Bar(
        y=data.owner, x=data.sla_met_share, orientation="h",
        marker_color=[PALETTE[4] if v < 0.6 else PALETTE[6] if v < 0.85 else PALETTE[2]
                      for v in data.sla_met_share.fillna(0)],
        text=[t("chart_median_hours").format(hours=f"{h:.1f}") if pd.notna(h) else "" for h in data.median_hours_to_accept],
        textposition="auto", customdata=data[["dispatched", "reassigned"]].to_numpy(),
        hovertemplate=t("chart_owner_hover").format(owner="%{y}", share="%{x:.1%}", n="%{customdata[0]:,}",
                                                    reassigned="%{customdata[1]:,}") + "<extra></extra>",
    ))
    fig.update_xaxes(tickformat=".0%", range=[0, 1], title=t("sla_met_share"))
    return apply(fig, title, height=max(300, 28 * len(data) + 80))


def reasons_chart(reasons: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Returned hand-offs per reason."""
    data = reasons.sort_values("returns", ascending=True)
    fig = go.Figure(go.Bar(
        y=data.return_reason, x=data.returns, orientation="h", marker_color=PALETTE[1],
        text=[f"{s:.0%}" for s in data.share], textposition="auto",
        hovertemplate="%{y}: " + t("chart_n_returns").format(n="%{x:,}") + "<extra></extra>",
    ))
    fig.update_xaxes(title=t("returns"))
    return apply(fig, title, height=max(280, 30 * len(data) + 80))


def response_chart(response: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Conversion to opportunity and to won by response-time bucket of the first hand-off."""
    fig = go.Figure()
    for col, color in (("sql_rate", PALETTE[5]), ("opportunity_rate", PALETTE[3]), ("won_rate", "#16a34a")):
        fig.add_bar(x=[label(b) for b in response.bucket], y=response[col], name=t(col), marker_color=color,
                    customdata=response.leads, hovertemplate="%{x}: " + t("chart_share_of_leads").format(
                        share="%{y:.1%}", n="%{customdata:,}") + "<extra></extra>")
    fig.update_layout(barmode="group", xaxis_title=t("response_time"))
    fig.update_yaxes(tickformat=".0%", title=t("conversion"))
    return apply(fig, title, height=380)


def dedupe_chart(by_group: pd.DataFrame, by: str, title: str | None = None, top: int = 15) -> go.Figure:
    """Share of "new" leads that were not new, per group, split by what they really were."""
    data = by_group[by_group[by] != "All"].nlargest(top, "leads").sort_values("not_new_share")
    fig = go.Figure()
    for status in ("duplicate", "existing_customer", "open_deal"):
        share = data[status] / data["leads"]
        fig.add_bar(y=data[by], x=share, orientation="h", name=t(f"dd_{status}"),
                    marker_color=STATUS_COLORS[status], customdata=data[status],
                    hovertemplate="%{y}: %{x:.1%} (" + t("chart_n_leads").format(n="%{customdata:,}")
                                  + ")<extra></extra>")
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(tickformat=".0%", title=t("not_new_share"))
    return apply(fig, title, height=max(300, 26 * len(data) + 90))
