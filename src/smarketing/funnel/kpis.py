"""Headline KPIs for the overview page, with the change against the previous period."""

from __future__ import annotations

import pandas as pd

from smarketing.deals import has_amounts, won_in_scope
from smarketing.filters import Filters, cohort_leads
from smarketing.funnel.lifecycle import lifecycle_funnel
from smarketing.reach import days_between, reach_column, reached, stage_reach
from smarketing.stages import ROLES, StageModel, resolve


def won_revenue(con, filters: Filters) -> float:
    """Won deal amounts: of the cohort's leads (cohort mode) or closed in the window (period mode); NaN (unknown,
    not zero) when no won deal of the data has an amount."""
    if not has_amounts(con):
        return float("nan")
    value = won_in_scope(con, filters).amount.sum().execute()
    return float(value) if pd.notna(value) else 0.0


def median_days_to_customer(con, filters: Filters, stages: StageModel | None = None) -> float:
    """Median days from creation to the won stage, of leads that reached it (NaN without a won stage)."""
    stages = resolve(stages)
    won = stages.role("won")
    if won is None:
        return float("nan")
    reach = cohort_leads(stage_reach(con, stages), filters)
    column = reach_column(won)
    gap = days_between(reach[column], reach[reach_column(stages.names[0])])
    value = gap.median(where=reached(reach, column, filters)).execute()
    return float(value) if pd.notna(value) else float("nan")


def _snapshot(con, filters: Filters, stages: StageModel) -> dict[str, float]:
    funnel = lifecycle_funnel(con, filters, stages)
    counts = {r.stage: (r.leads if r.recorded else float("nan")) for r in funnel.itertuples()}
    leads = int(funnel.leads.iloc[0])  # every lead in scope has reached the first stage, recorded or not
    out = {"Leads": leads}
    for role in ROLES:
        if name := stages.role(role):
            out[name] = counts[name]  # NaN: a stage the data does not record
    out["Won revenue"] = won_revenue(con, filters)
    won = stages.role("won")
    out["Lead → customer"] = counts[won] / leads if leads and won else float("nan")
    out["Median days lead → customer"] = median_days_to_customer(con, filters, stages)
    return out


KINDS = {"Won revenue": "money", "Lead → customer": "pct", "Median days lead → customer": "days"}
KPI_LABELS = {"Leads": "pack_kpi_leads", "Won revenue": "won_revenue", "Lead → customer": "pack_kpi_lead_to_customer",
              "Median days lead → customer": "kpi_days_to_customer"}  # label keys (stages go by their own names)


def headline(con, filters: Filters, stages: StageModel | None = None) -> pd.DataFrame:
    """Columns: metric, kind (count|money|pct|days), value, previous, change (relative; NaN if no base), points
    (a rate's change in percentage points as a fraction, value - previous; NaN for the other kinds): a rate's
    change is read in points, everything else's relative."""
    stages = resolve(stages)
    now = _snapshot(con, filters, stages)
    before = _snapshot(con, filters.previous(), stages) if filters.since and filters.until else {}
    rows = []
    for metric, value in now.items():
        prev = before.get(metric, float("nan"))
        change = (value - prev) / prev if prev and pd.notna(prev) and prev != 0 else float("nan")
        kind = KINDS.get(metric, "count")
        points = value - prev if kind == "pct" else float("nan")
        rows.append({"metric": metric, "kind": kind, "value": value, "previous": prev, "change": change,
                     "points": points})
    return pd.DataFrame(rows)
