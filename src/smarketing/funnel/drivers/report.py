"""What drives a conversion step, the leads behind one driver, and the time the step takes.

`drivers` keeps the population of a step pair (pair.population) in a temporary table, counts every candidate
driver in the database (features), and tests each (stats). `driver_leads` lists the leads of the population
that have one driver; `time_to_convert` is the histogram of the time from the start step to the end step of the
leads that converted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ibis
import pandas as pd

from smarketing.filters import ALL_TIME, Filters
from smarketing.funnel.drivers.features import (
    NONE_VALUE,
    events_before,
    feature_columns,
    feature_counts,
    numeric_bands,
)
from smarketing.funnel.drivers.pair import StepPair, population
from smarketing.funnel.drivers.stats import direction, with_statistics
from smarketing.reach import SECONDS_PER_DAY
from smarketing.stages import StageModel, resolve
from smarketing.store.scratch import Scratch

MIN_COUNT = 30
LIST_LIMIT = 5_000
BINS = 24
LIST_COLUMNS = ("company", "email", "phone", "title", "source_group", "source", "owner")
DRIVER_COLUMNS = ["kind", "feature", "value", "low", "high", "leads_with", "converted_with", "rate_with",
                  "leads_without", "converted_without", "rate_without", "odds_ratio", "ci_low", "ci_high", "p_value",
                  "q_value", "effect", "zero_cell"]


@dataclass(frozen=True)
class DriverReport:
    """drivers: one row per tested driver (DRIVER_COLUMNS; effect is raises / lowers / unclear by the 95%
    interval; zero_cell marks a perfect split, see stats), the strongest evidence first. leads: the population; converted: those that took the step;
    set_aside: candidate values with fewer than min_count leads on a side (not tested)."""

    pair: StepPair
    drivers: pd.DataFrame
    leads: int
    converted: int
    set_aside: int
    min_count: int

    @property
    def rate(self) -> float:
        return self.converted / self.leads if self.leads else float("nan")


def _check_min_count(min_count: int) -> int:
    if int(min_count) != min_count or min_count < 1:
        raise ValueError(f"the minimum count must be a whole number of at least 1, got {min_count}")
    return int(min_count)


def drivers(con, pair: StepPair, filters: Filters = ALL_TIME, min_count: int = MIN_COUNT,
            stages: StageModel | None = None) -> DriverReport:
    """Every lead property value, numeric band and earlier event type tested for its effect on the step."""
    stages, min_count = resolve(stages), _check_min_count(min_count)
    with Scratch(con, "_drivers") as scratch:
        people = scratch.keep(population(con, pair, filters, stages))
        totals = people.aggregate(n=people.count(), c=people._converted.sum()).execute().iloc[0]
        leads, converted = int(totals["n"] or 0), int(totals["c"] or 0)
        categorical, numeric = feature_columns(people.schema())
        found = numeric_bands(people, [c for c in numeric if c in people.columns]) if leads else {}
        counts, aside = feature_counts(con, people, leads, min_count, found, categorical)
    table = with_statistics(counts, leads, converted) if len(counts) else pd.DataFrame(columns=DRIVER_COLUMNS)
    table["effect"] = [direction(o, lo, hi) for o, lo, hi in zip(table.odds_ratio, table.ci_low, table.ci_high,
                                                                 strict=True)]
    return DriverReport(pair, table[DRIVER_COLUMNS], leads, converted, aside, min_count)


def _has_driver(con, people: ibis.Table, kind: str, feature: str, value: str, low: float, high: float):
    if kind == "property":
        return people.filter(people[feature].cast("string").fill_null(NONE_VALUE) == value)
    if kind == "band":
        if value == NONE_VALUE:
            return people.filter(people[feature].isnull())
        number = people[feature].cast("float64")
        inside = number >= low
        return people.filter(inside & (number < high) if math.isfinite(high) else inside)
    if kind == "event":
        done = events_before(con, people)
        done = done.filter(done.event_type == value).select(d_lead=done.lead_id)
        return people.semi_join(done, people.lead_id == done.d_lead)
    raise ValueError(f"unknown driver kind '{kind}' (expected property, band or event)")


def driver_leads(con, pair: StepPair, kind: str, feature: str, value: str, low: float = float("nan"),
                 high: float = float("nan"), filters: Filters = ALL_TIME, stages: StageModel | None = None,
                 limit: int = LIST_LIMIT) -> pd.DataFrame:
    """The leads of the step's population with one driver (a row of DriverReport.drivers): lead_id,
    step_converted, step_start and step_end (when they took the start and end steps), their contact columns (unmasked: pages, downloads and the CLI mask
    them) and the driver's column as driver_value; converted leads first, then the latest start. `limit` 0: every lead."""
    stages = resolve(stages)
    people = population(con, pair, filters, stages)
    if kind in ("property", "band") and feature not in people.columns:
        raise ValueError(f"unknown lead column '{feature}'")
    chosen = _has_driver(con, people, kind, feature, value, low, high)
    extra = {"driver_value": chosen[feature]} if kind != "event" and feature not in LIST_COLUMNS else {}
    t = chosen.select("lead_id", step_converted=chosen._converted, step_start=chosen._start_at,
                      step_end=chosen._end_at, **{c: chosen[c] for c in LIST_COLUMNS if c in people.columns}, **extra)
    t = t.order_by([ibis.desc("step_converted"), ibis.desc("step_start"), "lead_id"])
    return (t.limit(limit) if limit else t).execute()


@dataclass(frozen=True)
class TimeToConvert:
    """histogram: bin_start, bin_end (in `unit`; NaN for the open last bin when `open_end`), leads, share.
    leads: converted leads timed; median and p90 in `unit` (days, or hours when 9 in 10 take under two days)."""

    histogram: pd.DataFrame
    leads: int
    median: float
    p90: float
    unit: str
    open_end: bool


def _step(span: float) -> float:
    """A round bin width (1, 2 or 5 × a power of ten) giving about BINS bins over `span`."""
    if not span > 0:
        return 1.0
    raw = span / BINS
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def time_to_convert(con, pair: StepPair, filters: Filters = ALL_TIME, stages: StageModel | None = None) -> TimeToConvert:
    """The histogram of the time from the start step to the end step, of the leads that converted (a stage skipped
    on the way counts as 0 days, as in the funnel)."""
    people = population(con, pair, filters, resolve(stages))
    done = people.filter(people._converted)
    days = (done._end_at.epoch_seconds() - done._start_at.epoch_seconds()) / SECONDS_PER_DAY
    row = done.aggregate(n=done.count(), p90=days.quantile(0.9), p99=days.quantile(0.99), top=days.max()).execute()
    n = int(row.n.iloc[0] or 0)
    empty = pd.DataFrame(columns=["bin_start", "bin_end", "leads", "share"])
    if n == 0:
        return TimeToConvert(empty, 0, float("nan"), float("nan"), "days", False)
    unit, scale = ("hours", 24.0) if float(row.p90.iloc[0]) < 2 else ("days", 1.0)
    value = days * scale
    cap, top = float(row.p99.iloc[0]) * scale, float(row.top.iloc[0]) * scale
    width = _step(cap)
    last = max(int(math.ceil(cap / width)), 1)
    open_end = top >= last * width
    index = ibis.least((value / width).floor().cast("int64"), last)
    counts = done.group_by(b=index).aggregate(leads=done.count()).order_by("b").execute()
    stats = done.aggregate(median=value.median(), p90=value.quantile(0.9)).execute().iloc[0]
    full = pd.DataFrame({"b": range(last + (1 if open_end else 0))}).merge(counts, on="b", how="left").fillna(0)
    full["bin_start"] = full.b * width
    full["bin_end"] = full.bin_start + width
    if open_end:
        full.loc[full.index[-1], "bin_end"] = float("nan")  # the open last bin: at least bin_start
    full["leads"] = full.leads.astype("int64")
    full["share"] = full.leads / n
    return TimeToConvert(full[["bin_start", "bin_end", "leads", "share"]], n, float(stats["median"]),
                         float(stats["p90"]), unit, open_end)
