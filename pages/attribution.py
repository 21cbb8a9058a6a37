"""Attribution: the full-chain channel table, models side by side, ROMI per channel, journeys."""

import streamlit as st

from smarketing import ui
from smarketing.attribution import channels
from smarketing.attribution import report as attribution
from smarketing.charts import attribution as charts
from smarketing.formatting import fmt_int, fmt_money
from smarketing.labels import t
from smarketing.ui import channels as channel_views

ui.guard("attribution")

filters = ui.sidebar()
st.title(t("attribution_title"))
st.caption(t("attribution_caption") + " · " + t(f"mode_{filters.mode}"))

with st.expander(t("attribution_settings"), expanded=False, icon=":material/tune:"):
    c1, c2, c3, c4, c5 = st.columns(5)
    conversion = c1.selectbox(t("conversion_event"), attribution.CONVERSIONS, help=t("conversion_help"),
                              format_func=lambda c: t(f"conversion_{c}"), key="attr_conversion")
    value = c2.selectbox(t("value_measure"), attribution.VALUES, help=t("value_help"),
                         format_func=lambda v: t(f"value_{v}"), key="attr_value")
    lookback = c3.number_input(t("lookback_days"), 1, 3650, 90, step=15, help=t("lookback_help"), key="attr_lookback")
    half_life = c4.number_input(t("half_life_days"), 0.5, 365.0, 7.0, step=1.0, help=t("half_life_help"),
                                key="attr_half_life")
    order = c5.selectbox(t("markov_order"), (1, 2, 3), help=t("markov_order_help"), key="attr_order")


tab_table, tab_models, tab_romi, tab_paths = ui.tabs(key="attr_tab", labels=
    [t("tab_channel_table"), t("tab_models"), t("tab_romi"), t("tab_paths")])

with tab_table:
    if ui.shown(tab_table):
        pick_level, pick_view = st.columns([2, 3])
        level = pick_level.segmented_control(t("channel_level"), channels.LEVELS, default="source_group", format_func=t,
                                             help=t("channel_level_help"), key="attr_level") or "source_group"
        with pick_view:
            view = channel_views.view_picker("attr_view")  # a third of the columns at a time: none off-screen
        table = ui.cached(channels.channel_table, filters, by=level)
        if table.empty or table["leads"].iloc[-1] == 0 and not table["cost"].iloc[-1] > 0:
            ui.empty_state()
        else:
            channel_views.channel_table(table, view, key="channel_table")
            ui.download(table, f"channel_table_by_{level}")  # every column
            if not ui.profile().has("spend"):  # costs, cost per lead and ROMI are "–", not $0
                ui.empty_state(needs=("spend",))
            if not ui.profile().won_with_amount:
                st.caption(t("no_deal_amounts"))
            ui.revenue_outlier_note(filters)
            if note := table.attrs.get("note"):  # spend under a segment filter that spend cannot split
                st.caption(note)

if ui.shown(tab_table) and not ui.shown(tab_models):  # the paths only when models, ROMI or journeys are open
    st.stop()
params = attribution.PathParams(conversion, value, int(lookback), float(half_life))
with st.spinner():
    result = ui.cached(attribution.attribution, params, filters, attribution.MODELS, markov_order=order)
paths = result.paths
if paths.total_conversions == 0:
    for tab in (tab_models, tab_romi, tab_paths):
        with tab:
            ui.empty_state(needs=("events", "touches"))
    st.stop()

summary = t("attribution_totals").format(conversions=fmt_int(paths.total_conversions),
                                         value=fmt_money(paths.total_value) if value == "revenue" else
                                         fmt_int(paths.total_value), paths=fmt_int(len(paths.paths)))
if paths.unattributed[0]:
    summary += " " + t("unattributed_note").format(n=fmt_int(paths.unattributed[0]))

with tab_models:
    if ui.shown(tab_models):
        st.caption(summary)
        chosen = st.multiselect(t("models_pick"), attribution.MODELS, default=list(attribution.MODELS),
                                format_func=lambda m: t(f"model_{m}"), help=t("models_pick_help"), key="attr_models")
        measure = st.segmented_control(t("value_measure"), ("conversions", "value", "share"), default="conversions",
                                       format_func=lambda m: t({"conversions": "credited_conversions",
                                                                "value": "credited_value", "share": "credit_share"}[m]),
                                       key="attr_measure") or "conversions"
        credits = result.credits[result.credits["model"].isin(chosen)]
        if credits.empty:
            ui.empty_state()
        else:
            ui.chart(charts.credit_bars, credits, measure, t("credit_chart_title"), key="credit_bars")
            shares = attribution.model_spread(credits, chosen)
            ui.chart(charts.share_heatmap, shares.drop(columns="spread"), t("credit_share"), key="share_heatmap")
            left, right = st.columns([2, 3])
            with left:
                st.caption(t("agreement_caption"))
            with right:
                effects = attribution.disputed_effects(result.removal_effects, shares)
                ui.dataframe(effects, hide_index=True, width="stretch", column_config={
                    "channel": t("channel"),
                    "spread": ui.percent_column(t("spread"), t("help_spread")),
                    "removal_effect": ui.percent_column(t("removal_effect"), t("help_removal_effect")),
                    "value_removal_effect": None,
                })
            with st.expander(t("models_explained")):
                for m in chosen:
                    st.markdown(f"**{t(f'model_{m}')}**: {t(f'help_model_{m}')}")
            wide = attribution.credit_matrix(credits, measure)
            kind = "share" if measure == "share" else "money" if measure == "value" and value == "revenue" else "score"
            ui.dataframe(wide, hide_index=True, width="stretch", kinds=dict.fromkeys(chosen, kind), column_config={
                "channel": t("channel"), **{m: {"label": t(f"model_{m}"), "help": t(f"help_model_{m}")} for m in chosen}})
            ui.download(credits, "attribution_credits")

with tab_romi:
    if ui.shown(tab_romi):
        model = st.selectbox(t("model_for_romi"), attribution.MODELS, index=attribution.MODELS.index("markov"),
                             format_func=lambda m: t(f"model_{m}"), key="attr_romi_model")
        spend = ui.cached(attribution.channel_spend, filters, paths.channels)
        romi = attribution.channel_romi(result.credits, spend, model)
        model_name = t(f"model_{model}")
        if romi["romi"].notna().any():
            ui.chart(charts.romi_bars, romi, t("romi_chart_title").format(model=model_name), key="romi_bars")
        st.caption(t("help_romi_model") + " " + t("romi_no_cost"))
        ui.dataframe(romi, hide_index=True, width="stretch", key="romi_table", column_config={
            "channel": t("channel"), "cost": ui.number_column(t("cost"), t("help_cost"), "$%,.0f"),
            "conversions": ui.number_column(t("credited_conversions"), t(f"help_model_{model}")),
            "value": ui.number_column(t("credited_value"), t(f"help_model_{model}"),
                                      "$%,.0f" if value == "revenue" else "%,.1f"),
            "cost_per_conversion": ui.number_column(t("cost_per_conversion"), None, "$%,.0f"),
            "romi": ui.number_column(t("romi"), t("help_romi_model"), "%.2f×")})
        ui.download(romi, f"romi_{model}")

with tab_paths:
    if ui.shown(tab_paths):
        st.subheader(t("top_paths"), help=t("top_paths_help"))
        c1, c2 = st.columns([2, 1])
        path_view = c1.segmented_control(t("path_view"), attribution.PATH_VIEWS, default="first_last",
                                         format_func=lambda v: t(f"path_view_{v}"), key="attr_path_view") or "first_last"
        least = c2.number_input(t("min_journeys"), 1, 1000, 5, help=t("min_journeys_help"), key="attr_min_journeys")
        top = attribution.top_paths(paths, 20, view=path_view, min_journeys=int(least))
        st.caption(t("top_paths_caption").format(n=len(top), least=int(least)))
        ui.dataframe(top, hide_index=True, width="stretch", column_config={
            "path": st.column_config.TextColumn(t("path"), width="large"),
            "steps": ui.int_column(t("steps")) if path_view == "full" else None,
            "journeys": ui.int_column(t("journeys"), t("help_path_journeys")),
            "conversions": ui.number_column(t("conversions"), None, "%,.0f"),
            "value": ui.number_column(t("value"), None, "$%,.0f" if value == "revenue" else "%,.1f"),
            "conversion_rate": ui.percent_column(t("conversion_rate"))})
        ui.download(paths.to_frame(), "paths")
        c1, c2 = st.columns([1, 2])
        steps = c1.slider(t("sankey_steps"), 2, 6, 3, key="attr_sankey_steps")
        everyone = c2.toggle(t("sankey_all"), value=False, key="attr_sankey_all")
        flows = attribution.journey_flows(paths, steps, converting_only=not everyone)
        ui.chart(charts.journey_sankey, flows, t("sankey_title"), key="sankey")
