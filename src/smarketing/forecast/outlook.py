"""The forecast tables: expected leads, chain-stage entries (MQLs, SQLs, opportunities, won deals) and won revenue
for each of the next months, with their interval and what the open pipeline and the new leads bring; the channel
table (run rate, cost per lead, lead-to-won); a what-if of budget moved between channels."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd

from smarketing.filters import ALL_TIME, Filters
from smarketing.forecast.history import History, default_cutoff, index_of, month_start, read_history
from smarketing.forecast.model import SEASON_MONTHS, Inputs, inputs_at, interval, project, to_win
from smarketing.forecast.params import ForecastParams, ForecastParamsError, validate
from smarketing.frozen import frozen_fact
from smarketing.stages import StageModel, resolve

LEADS, REVENUE = "leads", "revenue"
MONTHLY_COLUMNS = ["month", "metric", "stage", "expected", "low", "high", "from_pipeline", "from_new_leads"]


@dataclass
class Forecast:
    """as_of: the first forecast month; monthly: month, metric (leads, the chain's roles, revenue), stage (the stage
    of a role), expected, low, high (the interval), from_pipeline, from_new_leads; channels: channel,
    leads_per_month, spend_per_month, cost_per_lead, lead_to_won, won_in_horizon, cost_per_won; chain: (role, stage) pairs."""

    as_of: date | None
    monthly: pd.DataFrame
    channels: pd.DataFrame
    chain: tuple[tuple[str, str], ...]
    deal_size: float
    seasonal: bool
    history_months: int

    def totals(self) -> pd.DataFrame:
        """metric, stage, expected, low, high summed over the forecast months (the interval of a sum is not the
        sum of intervals: bounds are summed only as a rough band)."""
        return self.monthly.groupby(["metric", "stage"], sort=False, as_index=False, dropna=False)[
            ["expected", "low", "high"]].sum()


def history_of(con, params: ForecastParams, filters: Filters, stages: StageModel) -> History:
    """The database's monthly history for the forecast (once per read-only file version)."""
    key = ("forecast history", tuple(stages.names), repr(sorted(filters.segments.items())), params.channel)
    return frozen_fact(con, key, lambda: read_history(con, stages, filters, params.channel))


def forecast(con, params: ForecastParams | None = None, filters: Filters = ALL_TIME,
             stages: StageModel | None = None) -> Forecast:
    """The forecast for the next params.months months after the last full month of data (or params.as_of); the
    segment filters apply, the date window does not (a forecast starts where the data ends)."""
    params = validate(params or ForecastParams())
    history = history_of(con, params, filters, resolve(stages))
    cutoff = index_of(params.as_of) if params.as_of else default_cutoff(history)
    return build(history, params, cutoff)


def build(history: History, params: ForecastParams, cutoff: int | None) -> Forecast:
    """The forecast at a cut-off month, from the history alone (used for backtests and what-ifs too)."""
    if cutoff is None or history.journeys.empty:
        return Forecast(None, pd.DataFrame(columns=MONTHLY_COLUMNS), pd.DataFrame(), history.chain, float("nan"),
                        False, 0)
    inputs = inputs_at(history, cutoff, params.months, params.run_rate_months)
    costs = channel_costs(history, cutoff, params.run_rate_months)
    if params.moves:
        inputs = moved(inputs, costs.cost_per_lead.to_dict(), params)
    result = project(inputs)
    first = int(history.journeys.m0.min())
    return Forecast(month_start(cutoff), _monthly(result, inputs, history, params), _channels(inputs, costs),
                    history.chain, inputs.deal_size, bool(cutoff - first >= SEASON_MONTHS), cutoff - first)


def _monthly(result, inputs: Inputs, history: History, params: ForecastParams) -> pd.DataFrame:
    months = [pd.Timestamp(month_start(inputs.cutoff + m)) for m in range(inputs.months)]
    names = [(LEADS, None), *history.chain]
    rows = []
    for k, (metric, stage) in enumerate(names):
        low, high = interval(result.mean[k], result.var[k], params.interval)
        rows.append(pd.DataFrame({"month": months, "metric": metric, "stage": stage, "expected": result.mean[k],
                                  "low": low, "high": high, "from_pipeline": result.pipeline_mean[k],
                                  "from_new_leads": result.new_mean[k]}))
    if history.chain and history.chain[-1][0] == "won" and inputs.deal_size == inputs.deal_size:
        won, size = rows[-1], inputs.deal_size
        low, high = interval(won.expected.to_numpy() * size, result.var[-1] * size ** 2, params.interval)
        rows.append(won.assign(metric=REVENUE, stage=None, expected=won.expected * size, low=low, high=high,
                               from_pipeline=won.from_pipeline * size, from_new_leads=won.from_new_leads * size))
    return pd.concat(rows, ignore_index=True)[MONTHLY_COLUMNS]


def channel_costs(history: History, cutoff: int, months: int) -> pd.DataFrame:
    """Per channel with new leads in the run-rate months: cost_per_lead (marketing cost over those leads; NaN: no
    spend recorded) and spend_per_month (the average monthly cost)."""
    window = range(cutoff - months, cutoff)
    spend = history.spend[history.spend.month.isin(window)].groupby("channel")["cost"].sum()
    journeys = history.journeys
    leads = journeys[journeys.m0.isin(window)].groupby("channel")["leads"].sum()
    out = pd.DataFrame({"channel": leads.index.astype(str), "leads": leads.to_numpy(dtype=float)})
    out["spend"] = out.channel.map(spend).astype(float)  # NaN: no spend row for the channel (unknown, not $0)
    out["cost_per_lead"] = (out.spend / out.leads).where((out.spend > 0) & (out.leads > 0))
    out["spend_per_month"] = out.spend / months
    return out.set_index("channel")[["cost_per_lead", "spend_per_month"]]


def moved(inputs: Inputs, costs: dict[str, float], params: ForecastParams) -> Inputs:
    """New leads per channel after the budget moves: amount / cost per lead fewer from one channel, more to the
    other, every month."""
    arrivals = {c: a.copy() for c, a in inputs.arrivals.items()}
    for move in params.moves:
        for channel in (move.from_channel, move.to_channel):
            if channel not in arrivals:
                raise ForecastParamsError("require_known_channel", f"no new leads from '{channel}' in the run-rate "
                                          f"months (channels: {', '.join(sorted(arrivals))})")
            if not costs.get(channel, float("nan")) > 0:
                raise ForecastParamsError("require_cost_per_lead", f"'{channel}' has no spend in the run-rate months: "
                                          "its cost per lead is unknown, so budget cannot be moved from or to it")
        fewer = move.amount / costs[move.from_channel]
        if (arrivals[move.from_channel] - fewer < -1e-9).any():
            raise ForecastParamsError("require_budget_to_move", (
                f"moving {move.amount:,.0f} a month from '{move.from_channel}' removes {fewer:,.0f} leads a month, "
                f"more than it brings ({arrivals[move.from_channel].min():,.0f})"))
        arrivals[move.from_channel] = np.maximum(arrivals[move.from_channel] - fewer, 0)
        arrivals[move.to_channel] = arrivals[move.to_channel] + move.amount / costs[move.to_channel]
    return replace(inputs, arrivals=arrivals)


def _channels(inputs: Inputs, costs: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for channel, arriving in sorted(inputs.arrivals.items()):
        win = to_win(inputs, channel)
        one = Inputs(inputs.cutoff, inputs.months, inputs.steps, inputs.h_all, inputs.h_channel,
                     {channel: arriving}, inputs.pipeline.iloc[0:0], inputs.deal_size)
        won = float(project(one).new_mean[-1].sum()) if inputs.steps else float("nan")
        cpl = float(costs.cost_per_lead.get(channel, float("nan")))
        rows.append((channel, float(arriving.mean()), float(costs.spend_per_month.get(channel, 0.0)), cpl, win, won,
                     cpl / win if win > 0 else float("nan")))
    out = pd.DataFrame(rows, columns=["channel", "leads_per_month", "spend_per_month", "cost_per_lead", "lead_to_won",
                                      "won_in_horizon", "cost_per_won"])
    return out.sort_values(["leads_per_month", "channel"], ascending=[False, True], ignore_index=True)


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """A forecast table as it is shown: counts to one decimal, revenue and money to whole units."""
    numbers = frame.select_dtypes("number").columns
    money = frame["metric"].eq(REVENUE) if "metric" in frame.columns else pd.Series(False, index=frame.index)
    out = frame.copy()
    out[numbers] = out[numbers].round(1)
    out.loc[money, numbers] = out.loc[money, numbers].round(0)
    for column in ("spend_per_month", "cost_per_lead", "cost_per_won"):
        if column in out.columns:
            out[column] = frame[column].round(0)
    for column in ("lead_to_won", "goal_coverage"):
        if column in out.columns:
            out[column] = frame[column]
    return out


def compare(base: Forecast, other: Forecast) -> pd.DataFrame:
    """Totals over the forecast months side by side: metric, stage, forecast, what_if, what_if_change
    (what_if − forecast)."""
    a, b = base.totals(), other.totals()
    out = a[["metric", "stage", "expected"]].rename(columns={"expected": "forecast"})
    out["what_if"] = b["expected"].to_numpy()
    out["what_if_change"] = out["what_if"] - out["forecast"]
    return out
