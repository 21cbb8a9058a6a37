"""The Goal planner's tables as people read them: what was typed, read back with separators; needs as whole
numbers; money with the currency; the scenario comparison row by row in each row's own format (stages in
counts, the budget in money) with its change relative to scenario A."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from smarketing import planner
from smarketing.formatting import COUNT, MONEY, fmt_amount, fmt_change, fmt_int, fmt_month
from smarketing.labels import label, t
from smarketing.ui.tables import dataframe, download


def inputs_read_back(revenue: float, months: int, start: date, deal_size: float) -> None:
    """The inputs as sentences: number inputs cannot show thousands separators (3930000)."""
    st.caption(t("pl_inputs_read").format(revenue=fmt_amount(revenue), months=fmt_int(months),
                                          start=fmt_month(pd.Timestamp(start)), deal=fmt_amount(deal_size)))


def first_stage_label(stage: str) -> str:
    """The card of the first stage's need is named by the stage ("Subscribers needed"), not "Leads"."""
    return t("pl_customers_needed").format(stage=label(stage))


def monthly(plan: planner.Plan) -> None:
    wide = planner.monthly_table(plan)
    dataframe(wide, hide_index=True, width="stretch", kinds=dict.fromkeys(wide.columns[1:], COUNT),
              column_config={"month": st.column_config.DateColumn(t("month"), format="MMM YYYY"),
                             **{c: label(c) for c in wide.columns[1:]}})
    download(plan.monthly, "plan_by_month")


def budget(plan: planner.Plan) -> None:
    money = planner.budget_table(plan, t("total"))
    channels = [c for c in money.columns if c != "month"]
    dataframe(money, hide_index=True, width="stretch", kinds=dict.fromkeys(channels, MONEY), column_config={
        "month": st.column_config.DateColumn(t("month"), format="MMM YYYY"), **{c: label(c) for c in channels}})
    download(plan.budget_by_month, "plan_budget_by_month")


def channels(plan: planner.Plan, first: str) -> None:
    dataframe(plan.channels.assign(channel=plan.channels.channel.map(label)), hide_index=True, width="stretch",
              kinds={"leads_needed": COUNT}, column_config={
                  "channel": t("channel"), "share": {"label": t("pl_mix"), "help": t("pl_help_mix")},
                  "leads_needed": first_stage_label(first),
                  "cost_per_lead": {"label": t("cost_per_lead"), "help": t("pl_help_cpl")},
                  "budget": {"label": t("budget"), "help": t("pl_help_budget")}})
    download(plan.channels, "plan_by_channel")


def gap(plan: planner.Plan) -> None:
    """Needs per month against the pace now, in whole leads (1,549, not 1549.3333)."""
    per_month = ("needed_per_month", "run_rate_per_month", "gap")
    dataframe(plan.gap, hide_index=True, width="stretch", kinds=dict.fromkeys(per_month, COUNT),
              column_config={"coverage": {"label": t("coverage"), "help": t("pl_help_cover")}})
    download(plan.gap, "plan_gap")


def compared(a: planner.Plan, b: planner.Plan) -> pd.DataFrame:
    """Scenario A against B: one row per stage (counts) and the budget (money), each in its format."""
    rows = planner.compare(a, b)
    money = rows["item"] == "budget"
    show = [fmt_amount if m else fmt_int for m in money]
    return pd.DataFrame({
        "item": [t("budget") if m else label(i) for i, m in zip(rows["item"], money, strict=True)],
        "scenario_a": [f(v) for f, v in zip(show, rows["scenario_a"], strict=True)],
        "scenario_b": [f(v) for f, v in zip(show, rows["scenario_b"], strict=True)],
        "difference": [f(v) if v != v or v < 0 else "+" + f(v) for f, v in zip(show, rows["difference"], strict=True)],
        "change": [fmt_change(v) for v in rows["change"]],
    })


def comparison(a: planner.Plan, b: planner.Plan) -> None:
    right = {"alignment": "right"}
    dataframe(compared(a, b), hide_index=True, width="stretch", column_config={
        "item": t("item"), "scenario_a": st.column_config.TextColumn(t("scenario_a"), **right),
        "scenario_b": st.column_config.TextColumn(t("scenario_b"), **right),
        "difference": st.column_config.TextColumn(t("difference"), **right),
        "change": st.column_config.TextColumn(t("pl_change_vs_a"), help=t("pl_help_change_vs_a"), **right)})
    download(planner.compare(a, b), "plan_compare")
