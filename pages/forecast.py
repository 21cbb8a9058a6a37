"""Forecast: the next months of leads, MQLs, SQLs, opportunities, won deals and revenue, with the backtest beside it,
a budget what-if between channels and the gap to a goal plan."""

import streamlit as st

from smarketing import forecast, ui
from smarketing.charts import forecast as charts
from smarketing.filters import Filters
from smarketing.formatting import fmt_int, fmt_money, fmt_month, fmt_pct, md_text
from smarketing.labels import label, t

ui.guard("forecast")
filters = Filters(segments=ui.sidebar().segments)  # a forecast starts where the data ends: no date window
st.title(t("fc_title"))
st.caption(t("fc_caption"))

c = st.columns(4)
months = c[0].slider(t("fc_months"), 1, forecast.MAX_MONTHS, 6, key="fc_months", help=t("fc_help_months"))
pace = c[1].number_input(t("fc_run_rate_months"), 1, 12, 3, key="fc_run_rate", help=t("fc_help_run_rate"))
params = forecast.ForecastParams(months=int(months), run_rate_months=int(pace))
with st.spinner(t("computing")):
    outlook = ui.cached(forecast.forecast, params, filters)
if outlook.as_of is None:
    ui.empty_state()
    st.stop()

metrics = outlook.monthly.drop_duplicates("metric")[["metric", "stage"]]
names = {m: charts.metric_name(m, s) for m, s in metrics.itertuples(index=False)}
st.caption(t("fc_as_of").format(start=fmt_month(outlook.as_of), history=outlook.history_months) + " "
           + t("fc_seasonal_on" if outlook.seasonal else "fc_seasonal_off"))
if not outlook.chain:
    st.info(t("fc_no_stages"), icon=":material/info:")
if "revenue" not in names:
    ui.empty_state(t("fc_no_revenue"), needs=("deals",))

totals = outlook.totals()
cards = st.columns(len(totals))
for card, row in zip(cards, totals.itertuples(index=False), strict=True):
    fmt = fmt_money if row.metric == "revenue" else fmt_int
    card.metric(names[row.metric], fmt(row.expected), border=True,
                help=t("fc_help_total").format(months=int(months), low=fmt(row.low), high=fmt(row.high)))

chosen = st.segmented_control(t("fc_show"), list(names), format_func=names.get, key="fc_metric",
                              default="revenue" if "revenue" in names else list(names)[-1]) or list(names)[-1]
ui.chart(charts.forecast_chart, outlook.monthly, chosen, key="fc_chart")
st.caption(t("fc_chart_caption"))
table = forecast.rounded(outlook.monthly).assign(metric=outlook.monthly.metric.map(names)).drop(columns=["stage"])
ui.table(table.assign(month=table.month.dt.strftime("%Y-%m")), "forecast",
         ints=("expected", "low", "high", "from_pipeline", "from_new_leads"))

tabs = ui.tabs(key="fc_tab", labels=[t("fc_tab_backtest"), t("fc_tab_what_if"), t("fc_tab_goal"),
                                     t("fc_tab_channels")])
with tabs[0]:
    if ui.shown(tabs[0]):
        tested = ui.cached(forecast.backtest, params, filters)
        if tested.series.empty:
            st.info(t("fc_no_backtest"), icon=":material/info:")
        else:
            st.caption(t("fc_backtest_caption"))
            errors = tested.errors.assign(metric=tested.errors.metric.map(names)).drop(columns=["stage"])
            ui.table(errors, "forecast_backtest", percent=[c for c in errors.columns if c.startswith("mape_")],
                     help={c: t("fc_help_mape") for c in errors.columns if c.startswith("mape_")})
            ui.chart(charts.backtest_chart, tested.series, chosen, key="fc_backtest_chart")

with tabs[1]:
    if ui.shown(tabs[1]):
        priced = outlook.channels[outlook.channels.cost_per_lead > 0].set_index("channel")
        if len(priced) < 2:
            ui.empty_state(t("fc_no_costs"), needs=("spend",))
        else:
            w = st.columns(3)
            source = w[0].selectbox(t("fc_move_from"), list(priced.index), key="fc_move_from", format_func=label)
            target = w[1].selectbox(t("fc_move_to"), [p for p in priced.index if p != source], key="fc_move_to",
                                    format_func=label)
            share = w[2].slider(t("fc_move_share"), 5, 100, 20, step=5, format="%d%%", key="fc_move_share",
                                help=t("fc_help_move"))
            amount = round(float(priced.at[source, "spend_per_month"]) * share / 100, 2)
            st.caption(t("fc_move_caption").format(amount=fmt_money(amount), source=md_text(label(source)),
                                                    target=md_text(label(target))))
            moved = forecast.ForecastParams(months=params.months, run_rate_months=params.run_rate_months,
                                            moves=(forecast.BudgetMove(source, target, amount),))
            try:
                after = ui.cached(forecast.forecast, moved, filters)
            except forecast.ForecastParamsError as exc:
                st.warning(md_text(exc), icon=":material/warning:")
            else:
                compared = forecast.compare(outlook, after)
                ui.chart(charts.change_chart, compared, key="fc_change_chart")
                shown = forecast.rounded(compared).assign(metric=compared.metric.map(names)).drop(columns=["stage"])
                ui.table(shown, "forecast_what_if", ints=("forecast", "what_if", "what_if_change"))

with tabs[2]:
    if ui.shown(tabs[2]):
        expected = float(totals.loc[totals.metric == "revenue", "expected"].sum())
        default = float(max(10_000, round(expected * 1.2, -4)))
        goal = st.columns(3)[0].number_input(t("fc_goal_revenue").format(months=int(months)), min_value=1_000.0,
                                             value=default, step=10_000.0, format="%.0f", key="fc_goal",
                                             help=t("fc_help_goal"))
        try:
            gap = ui.cached(forecast.goal_gap, float(goal), params, filters)
        except ValueError as exc:
            st.warning(md_text(exc), icon=":material/warning:")
        else:
            if not gap.empty and "revenue" in set(gap.metric):
                row = gap.set_index("metric").loc["revenue"]
                st.markdown(t("fc_goal_summary").format(goal=fmt_money(row.needed), expected=fmt_money(row.forecast),
                                                        coverage=fmt_pct(row.goal_coverage)))
            ui.chart(charts.gap_chart, gap, key="fc_gap_chart")
            ui.table(forecast.rounded(gap).assign(metric=gap.metric.map(names)).drop(columns=["stage"]),
                     "forecast_goal_gap",
                     ints=("needed", "forecast", "goal_gap"), percent=("goal_coverage",))

with tabs[3]:
    if ui.shown(tabs[3]):
        st.caption(t("fc_channels_caption"))
        ui.chart(charts.channels_chart, outlook.channels, key="fc_channels_chart")
        ui.table(forecast.rounded(outlook.channels), "forecast_channels", ints=("leads_per_month",), percent=("lead_to_won",),
                 money=("spend_per_month", "cost_per_lead", "cost_per_won"),
                 kinds={"won_in_horizon": "score"})  # an expected number of deals: 3.4, not days
