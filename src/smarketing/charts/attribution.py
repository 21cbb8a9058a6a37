"""Figures of the attribution area: credit per channel by model, share heatmap, ROMI, journey Sankey."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from smarketing.charts.style import PALETTE, apply
from smarketing.labels import label, t


def _model_label(model: str) -> str:
    return t(f"model_{model}")


def credit_bars(credits: pd.DataFrame, measure: str = "conversions", title: str | None = None) -> go.Figure:
    """Grouped bars: one group per channel, one bar per model (credits: model, channel, measure)."""
    data = credits.assign(model_label=credits["model"].map(_model_label))
    order = (data.groupby("channel")[measure].mean().sort_values(ascending=False).index.tolist())
    fig = px.bar(
        data, x="channel", y=measure, color="model_label", barmode="group",
        category_orders={"channel": order, "model_label": list(dict.fromkeys(data["model_label"]))},
        labels={"channel": t("channel"), measure: t(f"credited_{measure}" if measure != "share" else "credit_share"),
                "model_label": t("models_pick")},
    )
    fmt = ".1%" if measure == "share" else ",.1f"
    fig.update_traces(hovertemplate=f"%{{x}}: %{{y:{fmt}}}<extra>%{{fullData.name}}</extra>")
    if measure == "share":
        fig.update_yaxes(tickformat=".0%")
    fig = apply(fig, title, height=480)
    fig.update_layout(legend_title_text="", margin=dict(t=110))  # room for a two-row legend under the title
    return fig


def share_heatmap(matrix: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Channels × models, cell = share of credit; channels as rows (matrix: channel + one column per model)."""
    models = [c for c in matrix.columns if c != "channel"]
    values = matrix[models].to_numpy()
    fig = go.Figure(go.Heatmap(
        z=values, x=[_model_label(m) for m in models], y=matrix["channel"], colorscale="Blues",
        text=[[f"{v:.1%}" for v in row] for row in values], texttemplate="%{text}", zmin=0,
        hovertemplate="%{y} · %{x}: %{z:.1%}<extra></extra>", showscale=False,  # every cell says its share
    ))
    fig.update_yaxes(autorange="reversed")
    return apply(fig, title, height=max(300, 60 + 36 * len(matrix)))


def romi_bars(romi: pd.DataFrame, title: str | None = None) -> go.Figure:
    """ROMI per channel (romi: channel, romi, cost, value); channels without cost are left out."""
    data = romi.dropna(subset=["romi"]).sort_values("romi")
    colors = [PALETTE[2] if r >= 1 else PALETTE[4] for r in data["romi"]]
    fig = go.Figure(go.Bar(
        x=data["romi"], y=data["channel"], orientation="h", marker_color=colors,
        text=[f"{r:,.2f}×" for r in data["romi"]], textposition="auto",
        customdata=data[["cost", "value"]].to_numpy(),
        hovertemplate=t("chart_romi_hover").format(channel="%{y}", romi="%{x:,.2f}×", value="%{customdata[1]:$,.0f}",
                                                   cost="%{customdata[0]:$,.0f}") + "<extra></extra>",
    ))
    fig.add_vline(x=1, line_dash="dot", line_color="#64748b")
    fig.update_xaxes(title=t("romi"))
    return apply(fig, title, height=max(280, 60 + 40 * len(data)))


def journey_sankey(flows: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Sankey of journeys (flows: source, target, journeys) from the first touches to the outcome."""
    nodes = list(dict.fromkeys([*flows["source"], *flows["target"]]))
    nodes.sort(key=_node_order)
    index = {n: i for i, n in enumerate(nodes)}
    channel_colors: dict[str, str] = {}

    def color(node: str) -> str:
        if node == "Converted":
            return "#16a34a"
        if node == "No conversion":
            return "#94a3b8"
        name = node.split(". ", 1)[-1]
        return channel_colors.setdefault(name, PALETTE[len(channel_colors) % len(PALETTE)])

    fig = go.Figure(go.Sankey(
        arrangement="snap", textfont=dict(color="#0f172a", size=13),
        node=dict(label=[label(n) for n in nodes], color=[color(n) for n in nodes], pad=12, thickness=14),
        link=dict(source=flows["source"].map(index), target=flows["target"].map(index), value=flows["journeys"],
                  hovertemplate="%{source.label} → %{target.label}: %{value:,.0f}<extra></extra>"),
    ))
    return apply(fig, title, height=520)


def _node_order(node: str) -> tuple:
    step, _, name = node.partition(". ")
    if step.isdigit():
        return (int(step), name)
    return (99, node)
