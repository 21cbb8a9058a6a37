"""Headline KPIs for the overview page, with the change against the previous period."""

from __future__ import annotations

import pandas as pd

from smarketing.filters import Filters, cohort_leads, in_window
from smarketing.funnel import _days, lifecycle_funnel, reach_column, stage_reach
from smarketing.stages import DEFAULT_STAGES, StageModel


def won_revenue(con, filters: Filters) -> float:
    """Won deal amounts: of the cohort's leads (cohort mode) or closed in the window (period mode)."""
    deals = con.table("deals")
    deals = deals.filter(deals.status == "won")
    if filters.mode == "period":
        deals = deals.filter(in_window(deals.closed_at, filters))
    leads = cohort_leads(con.table("leads"), filters)
    deals = deals.semi_join(leads, deals.lead_id == leads.lead_id)
    value = deals.amount.sum().execute()
    return float(value) if pd.notna(value) else 0.0


def median_days_to_customer(con, filters: Filters, stages: StageModel = DEFAULT_STAGES) -> float:
    reach = cohort_leads(stage_reach(con, stages), filters)
    last, first = reach[reach_column(stages.names[-1])], reach[reach_column(stages.names[0])]
    hit = last.notnull() & (in_window(last, filters) if filters.mode == "period" else True)
    value = _days(last, first).median(where=hit).execute()
    return float(value) if pd.notna(value) else float("nan")


def _snapshot(con, filters: Filters, stages: StageModel) -> dict[str, float]:
    funnel = lifecycle_funnel(con, filters, stages)
    counts = dict(zip(funnel.stage, funnel.leads, strict=True))
    leads = counts[stages.names[0]]
    out = {"Leads": leads}
    for name in stages.names[-4:]:
        out[name] = counts[name]
    out["Won revenue"] = won_revenue(con, filters)
    out["Lead → customer"] = counts[stages.names[-1]] / leads if leads else float("nan")
    out["Median days lead → customer"] = median_days_to_customer(con, filters, stages)
    return out


KINDS = {"Won revenue": "money", "Lead → customer": "pct", "Median days lead → customer": "days"}


def headline(con, filters: Filters, stages: StageModel = DEFAULT_STAGES) -> pd.DataFrame:
    """Columns: metric, kind (count|money|pct|days), value, previous, change (relative; NaN if no base)."""
    now = _snapshot(con, filters, stages)
    before = _snapshot(con, filters.previous(), stages) if filters.since and filters.until else {}
    rows = []
    for metric, value in now.items():
        prev = before.get(metric, float("nan"))
        change = (value - prev) / prev if prev and pd.notna(prev) and prev != 0 else float("nan")
        rows.append({"metric": metric, "kind": KINDS.get(metric, "count"), "value": value, "previous": prev,
                     "change": change})
    return pd.DataFrame(rows)
