"""The candidate drivers of a step and their counts, aggregated in the database: every value of every categorical
lead column (extra columns included), numeric lead columns in quantile bands, and every event type done before
the step.

- Categorical: text and true/false columns; a missing value is a value of its own, "(none)". Left out: the lead
  id, the creation time, the company and personal data (emails, phones, names), which would name people rather
  than describe them.
- Numeric: quintile bands over the population (cut points at the 20th, 40th, 60th and 80th percentiles, rounded
  up to whole numbers for whole-number columns; equal cut points merge), each band is [low, high).
- Events: an event type the lead did before it took the start step (before it reached the start stage, or
  before its start event), so nothing that happened because of the conversion counts.

Only values with at least `min_count` leads on both sides (with and without) come back; the others are counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ibis
import pandas as pd

from smarketing import privacy

NONE_VALUE = "(none)"
SKIPPED = ("lead_id", "created_at", "company", "name", "full_name", "first_name", "last_name")
QUANTILES = (0.2, 0.4, 0.6, 0.8)
COUNT_COLUMNS = ["kind", "feature", "value", "low", "high", "leads_with", "converted_with"]


@dataclass(frozen=True)
class Band:
    label: str
    low: float
    high: float  # exclusive; inf for the top band


def feature_columns(schema) -> tuple[list[str], list[str]]:
    """(categorical, numeric) lead columns that can be drivers."""
    categorical, numeric = [], []
    for name, dtype in schema.items():
        if name in SKIPPED or name.startswith("_") or privacy.EMAIL_NAME.search(name) or \
                privacy.PHONE_NAME.search(name):
            continue
        if dtype.is_string() or dtype.is_boolean():
            categorical.append(name)
        elif dtype.is_integer() or dtype.is_floating() or dtype.is_decimal():
            numeric.append(name)
    return categorical, numeric


def _number(value: float, whole: bool) -> str:
    return f"{int(value):,}" if whole else f"{value:,.3g}"


def bands(low: float, high: float, cuts: list[float], whole: bool) -> list[Band]:
    """The bands between the smallest value `low` and the largest `high` at the cut points (duplicates and cut
    points outside (low, high] dropped)."""
    if whole:
        cuts = [math.ceil(c) for c in cuts]
    edges = [low, *sorted({c for c in cuts if low < c <= high})]
    out = []
    for k, lo in enumerate(edges):
        top = k == len(edges) - 1
        hi = math.inf if top else edges[k + 1]
        last = high if top else (hi - 1 if whole else hi)
        if whole:
            text = _number(lo, True) if last == lo else f"{_number(lo, True)}–{_number(last, True)}"
        else:
            text = f"{_number(lo, False)} to {_number(last, False)}" if top else \
                f"{_number(lo, False)} to < {_number(hi, False)}"
        out.append(Band(text, float(lo), float(hi)))
    return out


def numeric_bands(population: ibis.Table, numeric: list[str]) -> dict[str, list[Band]]:
    """Quintile bands of each numeric column over the population (one query)."""
    if not numeric:
        return {}
    metrics = {}
    for k, col in enumerate(numeric):
        value = population[col].cast("float64")
        metrics[f"lo{k}"], metrics[f"hi{k}"] = value.min(), value.max()
        metrics.update({f"q{k}_{j}": value.quantile(q) for j, q in enumerate(QUANTILES)})
    row = population.aggregate(**metrics).execute().iloc[0]
    out = {}
    for k, col in enumerate(numeric):
        lo, hi = row[f"lo{k}"], row[f"hi{k}"]
        if pd.isna(lo) or pd.isna(hi):
            continue
        whole = population[col].type().is_integer()
        cuts = [float(row[f"q{k}_{j}"]) for j in range(len(QUANTILES)) if pd.notna(row[f"q{k}_{j}"])]
        out[col] = bands(float(lo), float(hi), cuts, whole)
    return out


def band_value(column, found: list[Band]):
    """The band label of each value (NONE_VALUE when missing)."""
    value = column.cast("float64")
    cases = [((value >= b.low) & (value < b.high) if math.isfinite(b.high) else value >= b.low, b.label)
             for b in found]
    return ibis.cases(*cases, else_=NONE_VALUE)


def _counts(table: ibis.Table, value, kind: str, feature: str) -> ibis.Table:
    grouped = table.group_by(value=value).aggregate(leads_with=table.count(), converted_with=table._converted.sum())
    return grouped.select(kind=ibis.literal(kind), feature=ibis.literal(feature), value=grouped.value.cast("string"),
                          leads_with=grouped.leads_with.cast("int64"),
                          converted_with=grouped.converted_with.cast("int64"))


def events_before(con, population: ibis.Table) -> ibis.Table:
    """(lead_id, event_type, _converted), one row per lead and event type it did before its start step."""
    events = con.table("events")
    starts = population.select(p_lead=population.lead_id, p_start=population._start_at, p_converted=population._converted)
    joined = events.join(starts, (events.lead_id == starts.p_lead) & (events.ts < starts.p_start))
    return joined.select(lead_id=joined.lead_id, event_type=joined.event_type, _converted=joined.p_converted).distinct()


def feature_counts(con, population: ibis.Table, leads: int, min_count: int,
                   found: dict[str, list[Band]], categorical: list[str]) -> tuple[pd.DataFrame, int]:
    """(counts of the candidate drivers with at least min_count leads on both sides, how many were set aside)."""
    parts = [_counts(population, population[c].cast("string").fill_null(NONE_VALUE), "property", c)
             for c in categorical]
    parts += [_counts(population, band_value(population[c], b), "band", c) for c, b in found.items()]
    done = events_before(con, population)
    parts.append(_counts(done, done.event_type, "event", "event"))
    union = ibis.union(*parts, distinct=False)
    keep = (union.leads_with >= min_count) & (union.leads_with <= leads - min_count)
    union = union.mutate(set_aside=(~keep).cast("int64").sum().over(ibis.window()), keep=keep)
    frame = union.filter(union.keep).order_by(["kind", "feature", "value"]).execute()
    if frame.empty:
        aside = int(ibis.union(*parts, distinct=False).count().execute())
        return pd.DataFrame(columns=COUNT_COLUMNS), aside
    aside = int(frame.set_aside.iloc[0])
    limits = {(c, b.label): (b.low, b.high) for c, bs in found.items() for b in bs}
    bounds = [limits.get((f, v), (math.nan, math.nan)) if k == "band" else (math.nan, math.nan)
              for k, f, v in zip(frame.kind, frame.feature, frame.value, strict=True)]
    frame["low"] = [lo for lo, _ in bounds]
    frame["high"] = [hi for _, hi in bounds]
    return frame[COUNT_COLUMNS], aside
