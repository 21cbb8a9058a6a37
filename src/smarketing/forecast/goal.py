"""The gap between the forecast and a goal plan: what the goal planner (smarketing.planner) says each stage needs in
the forecast months for a revenue target, against what the forecast expects."""

from __future__ import annotations

import pandas as pd

from smarketing import planner
from smarketing.filters import ALL_TIME, Filters
from smarketing.forecast.outlook import LEADS, REVENUE, Forecast
from smarketing.stages import StageModel, resolve


def goal_gap(con, forecast: Forecast, revenue: float, filters: Filters = ALL_TIME,
             stages: StageModel | None = None) -> pd.DataFrame:
    """metric, stage, needed (the plan's need inside the forecast months), forecast (expected), gap (needed −
    forecast; above zero: short of the goal), coverage (forecast / needed). The plan covers the forecast months
    from the forecast's first month, with the rates, durations and deal size of the history in the segment."""
    stages = resolve(stages)
    months = forecast.monthly.month.nunique()
    if forecast.as_of is None or not months:
        return pd.DataFrame(columns=["metric", "stage", "needed", "forecast", "gap", "coverage"])
    plan = planner.plan(con, revenue, months=months, start=forecast.as_of, history=Filters(segments=filters.segments),
                        stages=stages)
    inside = plan.monthly[plan.monthly.in_plan].groupby("stage")["needed"].sum()
    totals = forecast.totals().set_index("metric")["expected"]
    rows = [(LEADS, None, float(inside.get(plan.assumptions.stages[0], float("nan"))), float(totals.get(LEADS, 0)))]
    rows += [(role, stage, float(inside.get(stage, float("nan"))), float(totals.get(role, 0)))
             for role, stage in forecast.chain]
    if REVENUE in totals.index:
        rows.append((REVENUE, None, float(revenue), float(totals[REVENUE])))
    out = pd.DataFrame(rows, columns=["metric", "stage", "needed", "forecast"])
    out["gap"] = out["needed"] - out["forecast"]
    out["coverage"] = out["forecast"] / out["needed"].where(out["needed"] > 0)
    return out
