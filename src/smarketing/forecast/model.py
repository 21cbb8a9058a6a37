"""The projection: expected leads, chain-stage entries and won revenue per future month, with an interval.

(a) Leads already in a stage at the cut-off move on with the hazard of their age in it (hazards.from_age), and
    then down the chain as fresh entrants of each next stage (hazards.fresh, hazards.chain).
(b) New leads per channel arrive at the recent run rate (the average of the last full months), times a seasonal
    index when two years of history exist (a month's leads a year earlier over that year's run rate), and follow
    the same chain with their channel's hazards.
Variance: a lead already in the pipeline reaches a stage in a given month or not (Bernoulli: n·p·(1 − p) over
the leads of a group); new leads are a Poisson stream, so every count they produce is Poisson (variance =
mean). The interval is the normal approximation mean ± z·σ, cut at zero. It is the sampling noise of
leads' moves only, not the error of the rates or the run rate: the backtest beside it says how far the
method has been off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd

from smarketing.forecast import hazards as hz
from smarketing.forecast.history import History

SEASON_MONTHS = 24  # months of history before the cut-off that turn on the seasonal index


@dataclass
class Inputs:
    """Everything a projection needs at one cut-off (all small): the chain length, hazards per chain step (pooled,
    per channel), new leads per channel and month, the open pipeline and the average won deal."""

    cutoff: int
    months: int
    steps: int  # chain stages (K)
    h_all: list[np.ndarray]
    h_channel: list[dict[str, np.ndarray]]
    arrivals: dict[str, np.ndarray]  # expected new leads per channel and future month
    pipeline: pd.DataFrame  # channel, state, entry, leads
    deal_size: float
    seasonal: np.ndarray = field(default_factory=lambda: np.ones(0))

    def hazard(self, step: int, channel: str) -> np.ndarray:
        return self.h_channel[step].get(channel, self.h_all[step])


def inputs_at(history: History, cutoff: int, months: int, run_rate_months: int) -> Inputs:
    """Read every input from the history as it stood at the start of month `cutoff` (nothing later is used)."""
    journeys, steps = history.journeys, len(history.chain)
    tables = [hz.life_table(journeys, k, cutoff) for k in range(steps)]
    pairs = [hz.hazards(t) for t in tables]
    rate = run_rate(journeys, cutoff, run_rate_months)
    season = seasonal_index(journeys, cutoff, months, run_rate_months)
    return Inputs(cutoff, months, steps, [p[0] for p in pairs], [p[1] for p in pairs],
                  {c: r * season for c, r in rate.items()}, open_pipeline(journeys, cutoff, steps),
                  deal_size(history.revenue, cutoff), season)


def run_rate(journeys: pd.DataFrame, cutoff: int, months: int) -> dict[str, float]:
    """New leads per month per channel: the average of the `months` full months before the cut-off."""
    recent = journeys[(journeys.m0 >= cutoff - months) & (journeys.m0 < cutoff)]
    return (recent.groupby("channel")["leads"].sum() / months).to_dict()


def seasonal_index(journeys: pd.DataFrame, cutoff: int, months: int, run_rate_months: int) -> np.ndarray:
    """Per future month: that calendar month's leads a year before, over the run rate a year before (1 for every
    month unless SEASON_MONTHS of history lie before the cut-off)."""
    by_month = journeys.groupby("m0")["leads"].sum()
    if by_month.empty or by_month.index.min() > cutoff - SEASON_MONTHS:
        return np.ones(months)
    base = by_month.reindex(range(cutoff - 12 - run_rate_months, cutoff - 12), fill_value=0).mean()
    if not base > 0:
        return np.ones(months)
    return np.array([by_month.get(cutoff + m - 12, 0) / base for m in range(months)], dtype=float)


def open_pipeline(journeys: pd.DataFrame, cutoff: int, steps: int) -> pd.DataFrame:
    """Leads created before the cut-off and not at the chain's end: channel, state (chain stages reached), entry
    (the month it entered that state), leads."""
    rows = journeys[journeys.m0 < cutoff]
    reached = sum(((rows[f"m{k}"] < cutoff).astype(int) for k in range(1, steps + 1)), start=0 * rows.m0)
    entry = rows.m0.copy()
    for k in range(1, steps + 1):
        entry = entry.where(reached != k, rows[f"m{k}"])
    out = pd.DataFrame({"channel": rows.channel, "state": reached, "entry": entry, "leads": rows.leads})
    out = out[out.state < steps]
    return out.groupby(["channel", "state", "entry"], as_index=False)["leads"].sum()


def deal_size(revenue: pd.DataFrame, cutoff: int) -> float:
    """Average amount of the won deals closed before the cut-off (with an amount); NaN without any."""
    before = revenue[revenue.month < cutoff]
    priced = before.priced.sum()
    return float(before.amount.sum() / priced) if priced > 0 else float("nan")


@dataclass
class Projection:
    """mean and variance per metric (0: new leads, 1..K: chain stages) and future month, split into what the open
    pipeline and the new leads contribute."""

    pipeline_mean: np.ndarray
    pipeline_var: np.ndarray
    new_mean: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        return self.pipeline_mean + self.new_mean

    @property
    def var(self) -> np.ndarray:
        return self.pipeline_var + self.new_mean  # Poisson: variance = mean


def project(inputs: Inputs) -> Projection:
    k, m = inputs.steps, inputs.months
    pipe_mean, pipe_var, new_mean = np.zeros((k + 1, m)), np.zeros((k + 1, m)), np.zeros((k + 1, m))
    for row in inputs.pipeline.itertuples(index=False):
        p = hz.from_age(inputs.hazard(row.state, row.channel), int(inputs.cutoff - row.entry), m)
        for stage in range(row.state + 1, k + 1):
            pipe_mean[stage] += row.leads * p
            pipe_var[stage] += row.leads * p * (1 - p)
            if stage < k:
                p = hz.chain(p, hz.fresh(inputs.hazard(stage, row.channel), m))
    for channel, arriving in inputs.arrivals.items():
        flow = np.asarray(arriving, dtype=float)
        new_mean[0] += flow
        for stage in range(1, k + 1):
            flow = hz.chain(flow, hz.fresh(inputs.hazard(stage - 1, channel), m))
            new_mean[stage] += flow
    return Projection(pipe_mean, pipe_var, new_mean)


def to_win(inputs: Inputs, channel: str, months: int = hz.MAX_AGE) -> float:
    """P(a new lead of the channel reaches the chain's last stage within `months` months)."""
    flow = np.zeros(months)
    flow[0] = 1.0
    for step in range(inputs.steps):
        flow = hz.chain(flow, hz.fresh(inputs.hazard(step, channel), months))
    return float(flow.sum()) if inputs.steps else float("nan")


def interval(mean: np.ndarray, var: np.ndarray, probability: float) -> tuple[np.ndarray, np.ndarray]:
    z = NormalDist().inv_cdf(0.5 + probability / 2)
    sd = np.sqrt(np.maximum(var, 0))
    return np.maximum(mean - z * sd, 0), mean + z * sd
