"""Goal planner: a revenue target worked back to the leads, pipeline and budget it needs, per month and channel."""

from datetime import date

import pandas as pd
import streamlit as st

from smarketing import planner, ui
from smarketing.charts import planner as charts
from smarketing.formatting import DAYS, column_format, fmt_int, fmt_money, fmt_pct, md_text
from smarketing.labels import label, t
from smarketing.stages import active_stages
from smarketing.ui import plans

ui.guard("planner")

filters = ui.sidebar()
st.title(t("pl_title"))
st.caption(t("pl_caption"))

with st.spinner(t("computing")):
    history = ui.cached(planner.historical, filters)
    mix = ui.cached(planner.channel_mix, filters)
    end = ui.cached(planner.data_end)

c = st.columns(4)
pace_months = c[3].number_input(t("pl_run_rate_months"), 1, 24, 3, key="pl_pace_months", help=t("pl_help_run_rate"))
pace = ui.cached(planner.run_rate, int(pace_months), filters)
default_target = planner.default_target(pace, 3)  # the run rate + 20% (the meeting pack's default too)
revenue = c[0].number_input(t("pl_revenue"), min_value=1_000.0, value=default_target, step=10_000.0,
                            format="%.0f", key="pl_revenue", help=t("pl_help_revenue"))
months = c[1].number_input(t("pl_months"), 1, 24, 3, key="pl_months", help=t("pl_help_months"))
start = c[2].date_input(t("pl_start"), value=planner.next_month(end), key="pl_start", help=t("pl_help_start"))
start = date(start.year, start.month, 1)

known = history.deal_size == history.deal_size and history.deal_size > 0  # won deals with an amount
deal_size = st.columns(4)[0].number_input(t("pl_deal_size"), min_value=1.0, value=float(round(history.deal_size))
                                          if known else None, step=500.0, format="%.0f", key="pl_deal_size",
                                          help=t("pl_help_deal_size"), placeholder=t("pl_deal_size_placeholder"))
if deal_size is None:
    st.info(t("pl_no_deal_size"), icon=":material/payments:")
    st.stop()
plans.inputs_read_back(revenue, int(months), start, deal_size)  # $3,930,000, not 3930000
ui.revenue_outlier_note(filters)

st.subheader(t("pl_assumptions"))
st.caption(t("pl_assumptions_caption"))
base = history.table().iloc[1:]
editor = pd.DataFrame({
    "stage": base.stage.map(label),  # shown in the interface language; the index keeps the stage names
    "rate_a": (base.conversion_from_previous * 100).round(1),
    "rate_b": (base.conversion_from_previous * 100).round(1),  # scenario B: A with the first sales stage +5 pt
    "days": base.days_from_previous.round(1),
}).set_axis(base.stage.to_numpy())
sales_stage = active_stages().role("sql") or base.stage.iloc[-1]  # into sales' hands
editor.loc[editor.index == sales_stage, "rate_b"] = (editor.loc[editor.index == sales_stage, "rate_b"] + 5).clip(
    upper=100)
edited = st.data_editor(editor, hide_index=True, width="stretch", key="pl_rates", disabled=["stage"], column_config={
    "stage": st.column_config.TextColumn(t("stage")),
    "rate_a": st.column_config.NumberColumn(t("pl_rate_a"), help=t("pl_help_rate"), min_value=0.1, max_value=100.0,
                                            format="%.1f%%"),
    "rate_b": st.column_config.NumberColumn(t("pl_rate_b"), help=t("pl_help_rate_b"), min_value=0.1,
                                            max_value=100.0, format="%.1f%%"),
    "days": st.column_config.NumberColumn(t("pl_days"), help=t("pl_help_days"), min_value=0.0,
                                          format=column_format(DAYS)[0]),  # 14.7 d; zh 14.7 天
})


def assumptions(rate_column: str) -> planner.Assumptions:
    """History with the edited rates, days and deal size (only what differs counts as edited)."""
    rows = edited  # indexed by stage name
    rates = {s: rows.at[s, rate_column] / 100 for s in rows.index
             if abs(rows.at[s, rate_column] / 100 - history.rates[s]) > 1e-3 or history.rates[s] != history.rates[s]}
    days = {s: rows.at[s, "days"] for s in rows.index if abs(rows.at[s, "days"] - history.days[s]) > 0.05}
    return planner.edited(history, rates=rates, days=days, deal_size=deal_size)


try:
    plan_a = planner.build_plan(revenue, int(months), start, assumptions("rate_a"), mix, pace)
    plan_b = planner.build_plan(revenue, int(months), start, assumptions("rate_b"), mix, pace)
except ValueError as exc:
    st.error(md_text(exc), icon=":material/error:")
    st.stop()

needs = plan_a.needed_map()
first, last = plan_a.assumptions.stages[0], plan_a.assumptions.stages[-1]
k = st.columns(4)
k[0].metric(t("pl_customers_needed").format(stage=md_text(label(last))), fmt_int(needs[last]), help=t("pl_help_customers"),
            border=True)
k[1].metric(plans.first_stage_label(first), fmt_int(needs[first]), help=t("pl_help_leads"), border=True)
k[2].metric(t("budget"), fmt_money(plan_a.budget), help=t("pl_help_budget"), border=True)
coverage = plan_a.gap.coverage.iloc[0]
k[3].metric(t("pl_run_rate_cover"), fmt_pct(coverage), help=t("pl_help_cover"), border=True)

left, right = st.columns([2, 3])
with left:
    ui.chart(charts.needed_chart, plan_a.needed, key="pl_needed_chart")
with right:
    ui.dataframe(plan_a.needed.assign(stage=plan_a.needed.stage.map(label)), hide_index=True, width="stretch",
                 column_config={"stage": t("stage"), "conversion_from_previous": t("conversion_from_previous"),
                                "needed": {"label": t("needed"), "help": t("pl_help_needed")},
                                "per_customer": {"label": t("per_customer"), "help": t("pl_help_per_customer")}})
    ui.download(plan_a.needed, "plan_needed")

tabs = ui.tabs(key="pl_tab", labels=[t("pl_tab_month"), t("pl_tab_channel"), t("pl_tab_gap"), t("pl_tab_compare")])
with tabs[0]:
    if ui.shown(tabs[0]):
        ui.chart(charts.monthly_chart, plan_a.monthly, start, list(plan_a.assumptions.stages), key="pl_monthly")
        st.caption(t("pl_monthly_caption"))
        plans.monthly(plan_a)
        st.subheader(t("pl_budget_by_month"))
        if not ui.profile().has("spend"):  # no cost per lead: no budget to draw, not $0
            ui.empty_state(needs=("spend",))
        else:
            ui.chart(charts.monthly_budget_chart, plan_a.budget_by_month, start, key="pl_monthly_budget")
            plans.budget(plan_a)
with tabs[1]:
    if ui.shown(tabs[1]):
        if not ui.profile().has("spend"):  # the budget is "–", not $0: the leads needed per channel only
            ui.empty_state(needs=("spend",))
        ui.chart(charts.channel_chart, plan_a.channels, key="pl_channels")
        plans.channels(plan_a, first)
with tabs[2]:
    if ui.shown(tabs[2]):
        st.markdown(t("pl_gap_text").format(need=fmt_money(plan_a.revenue_per_month),
                                            now=fmt_money(plan_a.run_rate_revenue_per_month), months=int(pace_months)))
        ui.chart(charts.gap_chart, plan_a.gap, key="pl_gap")
        plans.gap(plan_a)
with tabs[3]:
    if ui.shown(tabs[3]):
        st.caption(t("pl_compare_caption"))
        compared = planner.compare(plan_a, plan_b)
        ui.chart(charts.compare_chart, compared, key="pl_compare")
        plans.comparison(plan_a, plan_b)
