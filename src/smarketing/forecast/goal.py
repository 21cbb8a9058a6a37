"""The gap between the forecast and a goal plan: what the goal planner (smarketing.planner) says each stage needs in
the forecast months for a revenue target, against what the forecast expects."""

from __future__ import annotations

import pandas as pd

from smarketing import planner
from smarketing.filters import ALL_TIME, Filters
from smarketing.forecast.outlook import LEADS, REVENUE, forecast
from smarketing.forecast.params import ForecastParams
from smarketing.stages import StageModel, resolve


def goal_gap(con, revenue: float, params: ForecastParams | None = None, filters: Filters = ALL_TIME,
             stages: StageModel | None = None) -> pd.DataFrame:
    """The forecast (params) against the goal plan for `revenue` over its months: metric, stage, needed (the
    plan's need inside the forecast months), forecast (expected), goal_gap (needed −
    forecast; above zero: short of the goal), goal_coverage (forecast / needed). The plan covers the forecast months
    from the forecast's first month, with the rates, durations and deal size of the history in the segment."""
    stages = resolve(stages)
    expected = forecast(con, params, filters, stages)
    months = expected.monthly.month.nunique()
    if expected.as_of is None or not months:
        return pd.DataFrame(columns=["metric", "stage", "needed", "forecast", "goal_gap", "goal_coverage"])
    plan = planner.plan(con, revenue, months=months, start=expected.as_of, history=Filters(segments=filters.segments),
                        stages=stages)
    inside = plan.monthly[plan.monthly.in_plan].groupby("stage")["needed"].sum()
    totals = expected.totals().set_index("metric")["expected"]
    rows = [(LEADS, None, float(inside.get(plan.assumptions.stages[0], float("nan"))), float(totals.get(LEADS, 0)))]
    rows += [(role, stage, float(inside.get(stage, float("nan"))), float(totals.get(role, 0)))
             for role, stage in expected.chain]
    if REVENUE in totals.index:
        rows.append((REVENUE, None, float(revenue), float(totals[REVENUE])))
    out = pd.DataFrame(rows, columns=["metric", "stage", "needed", "forecast"])
    out["goal_gap"] = out["needed"] - out["forecast"]
    out["goal_coverage"] = out["forecast"] / out["needed"].where(out["needed"] > 0)
    return out
