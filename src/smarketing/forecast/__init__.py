"""The pipeline forecast: the next 1–6 months of new leads, MQLs, SQLs, opportunities, won deals and won revenue,
from the leads already in each stage (their age in it and the historical time to move on: hazards) and the new
leads each channel brings at its recent run rate (with a seasonal index when two years of history exist), with an
80% interval; a backtest of the same forecast made 3 and 6 months earlier; a what-if of budget moved between
channels; the gap to a goal plan. Aggregated in the database into monthly tables (history); the rest is
arithmetic on those (hazards, model, outlook, backtest, goal)."""

from smarketing.forecast.backtest import Backtest, backtest
from smarketing.forecast.goal import goal_gap
from smarketing.forecast.outlook import Forecast, compare, forecast, rounded
from smarketing.forecast.params import MAX_MONTHS, BudgetMove, ForecastParams, ForecastParamsError

__all__ = ["MAX_MONTHS", "Backtest", "BudgetMove", "Forecast", "ForecastParams", "ForecastParamsError", "backtest",
           "compare", "forecast", "goal_gap", "rounded"]
