"""Leak detection: stage-to-stage conversions that fell most against the previous period of equal length."""

from __future__ import annotations

import math

import pandas as pd
from scipy.stats import false_discovery_control, norm

from smarketing.filters import Filters
from smarketing.funnel.lifecycle import lifecycle_funnel
from smarketing.stages import StageModel, resolve

SIGNIFICANCE = 0.05


def two_proportion_p_value(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of the z-test that x1/n1 and x2/n2 come from the same rate (NaN if undefined)."""
    if min(n1, n2) <= 0 or x1 > n1 or x2 > n2:
        return float("nan")
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    return float(2 * norm.sf(abs(x1 / n1 - x2 / n2) / se))


def _transitions(funnel: pd.DataFrame, stages: StageModel, by: str | None) -> pd.DataFrame:
    rows = []
    groups = funnel.groupby(by, sort=False) if by else [(None, funnel)]
    for key, frame in groups:
        counts = dict(zip(frame["stage"], frame["leads"], strict=True))
        kept = frame[frame.recorded & frame.from_stage.notna()]  # between the stages the data records
        for prev, stage in zip(kept.from_stage, kept.stage, strict=True):
            rows.append({**({by: key} if by else {}), "from_stage": prev, "to_stage": stage,
                         "entered": counts.get(prev, 0), "converted": counts.get(stage, 0)})
    return pd.DataFrame(rows, columns=[*([by] if by else []), "from_stage", "to_stage", "entered", "converted"])


def leaks(con, filters: Filters, stages: StageModel | None = None, by: str | None = None) -> pd.DataFrame:
    """Every stage-to-stage conversion now and in the previous period, biggest fall first.

    Columns: [by,] transition, from_stage, to_stage, rate_now, rate_before, change (fraction points),
    entered_now, entered_before, p_value (two-proportion z-test), q_value (Benjamini–Hochberg adjusted
    over all rows), significant (a fall with q < 0.05).
    """
    stages = resolve(stages)
    now = _transitions(lifecycle_funnel(con, filters, stages, by), stages, by)
    before = _transitions(lifecycle_funnel(con, filters.previous(), stages, by), stages, by)
    keys = [*([by] if by else []), "from_stage", "to_stage"]
    merged = now.merge(before, on=keys, how="left", suffixes=("_now", "_before")).fillna(
        {"entered_before": 0, "converted_before": 0})
    merged["rate_now"] = merged.converted_now / merged.entered_now.where(merged.entered_now > 0)
    merged["rate_before"] = merged.converted_before / merged.entered_before.where(merged.entered_before > 0)
    merged["change"] = merged.rate_now - merged.rate_before
    merged["p_value"] = [
        two_proportion_p_value(int(a), int(b), int(c), int(d))
        for a, b, c, d in merged[["converted_now", "entered_now", "converted_before", "entered_before"]].itertuples(
            index=False)
    ]
    tested = merged.p_value.notna()
    merged["q_value"] = float("nan")
    if tested.any():  # Benjamini–Hochberg: many segments x transitions are tested at once
        merged.loc[tested, "q_value"] = false_discovery_control(merged.loc[tested, "p_value"].to_numpy())
    merged["significant"] = (merged.q_value < SIGNIFICANCE) & (merged.change < 0)
    merged["transition"] = merged.from_stage + " → " + merged.to_stage
    merged = merged.dropna(subset=["change"]).sort_values(["change", "p_value"]).reset_index(drop=True)
    return merged[[*([by] if by else []), "transition", "from_stage", "to_stage", "rate_now", "rate_before",
                   "change", "entered_now", "entered_before", "p_value", "q_value", "significant"]]
