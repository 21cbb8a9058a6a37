"""How far the forecast has been off: the same forecast made 3 and 6 months before the cut-off, from what was known
then (the history cut at that month), against what happened; the mean absolute percentage error per metric."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from smarketing.filters import ALL_TIME, Filters
from smarketing.forecast.history import History, default_cutoff, index_of
from smarketing.forecast.outlook import LEADS, REVENUE, build, history_of
from smarketing.forecast.params import BACKTEST_LAGS, ForecastParams, validate
from smarketing.stages import StageModel, resolve


@dataclass
class Backtest:
    """series: lag (months before the cut-off the forecast was made), month, metric, stage, forecast, actual;
    errors: metric, stage, then mape_<lag> per lag (NaN where that lag had too little history or no actuals)."""

    series: pd.DataFrame
    errors: pd.DataFrame


def actuals(history: History, first: int, cutoff: int) -> pd.DataFrame:
    """What happened per month in [first, cutoff): new leads, chain-stage entries, won revenue (won deals' amounts
    by month closed). Columns month_index, metric, actual."""
    journeys, months = history.journeys, range(first, cutoff)
    rows = [(m, LEADS, float(journeys.leads[journeys.m0 == m].sum())) for m in months]
    for k, (role, _) in enumerate(history.chain, start=1):
        rows += [(m, role, float(journeys.leads[journeys[f"m{k}"] == m].sum())) for m in months]
    if history.chain and history.chain[-1][0] == "won":
        amounts = history.revenue.set_index("month")["amount"]
        rows += [(m, REVENUE, float(amounts.get(m, 0.0))) for m in months]
    return pd.DataFrame(rows, columns=["month_index", "metric", "actual"])


def mape(forecast: pd.Series, actual: pd.Series) -> float:
    """Mean of |actual − forecast| / actual over the months with an actual above zero (NaN: none)."""
    keep = actual > 0
    return float(np.mean(np.abs(actual[keep] - forecast[keep]) / actual[keep])) if keep.any() else float("nan")


def backtest_history(history: History, params: ForecastParams, cutoff: int | None) -> Backtest:
    columns = ["lag", "month", "metric", "stage", "forecast", "actual"]
    if cutoff is None or history.journeys.empty:
        return Backtest(pd.DataFrame(columns=columns), pd.DataFrame(columns=["metric", "stage"]))
    first = int(history.journeys.m0.min())
    series = []
    for lag in BACKTEST_LAGS:
        then = cutoff - lag
        if then - params.run_rate_months < first:
            continue  # no run rate could be measured then
        made = build(history, ForecastParams(months=lag, run_rate_months=params.run_rate_months,
                                             interval=params.interval, channel=params.channel), then)
        shown = made.monthly.assign(month_index=[index_of(m.date()) for m in made.monthly.month])
        happened = actuals(history, then, cutoff)
        both = shown.merge(happened, on=["month_index", "metric"], how="left")
        series.append(both.assign(lag=lag).rename(columns={"expected": "forecast"})[columns])
    if not series:
        return Backtest(pd.DataFrame(columns=columns), pd.DataFrame(columns=["metric", "stage"]))
    series = pd.concat(series, ignore_index=True)
    errors = {(metric, lag): mape(g.forecast, g.actual) for (metric, lag), g in series.groupby(["metric", "lag"])}
    metrics = series.drop_duplicates("metric")[["metric", "stage"]].reset_index(drop=True)
    wide = metrics.assign(**{f"mape_{lag}": [errors.get((m, lag), float("nan")) for m in metrics.metric]
                             for lag in sorted(series.lag.unique())})
    return Backtest(series, wide)


def backtest(con, params: ForecastParams | None = None, filters: Filters = ALL_TIME,
             stages: StageModel | None = None) -> Backtest:
    """The forecast made 3 and 6 months before the cut-off (params.as_of or after the last full month of data)
    against what happened since."""
    params = validate(params or ForecastParams())
    history = history_of(con, params, filters, resolve(stages))
    cutoff = index_of(params.as_of) if params.as_of else default_cutoff(history)
    return backtest_history(history, params, cutoff)

