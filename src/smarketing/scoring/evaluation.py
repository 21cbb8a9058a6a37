"""How good is a scoring rule set: MQL volume, precision, recall, lift, F1, revenue captured, capacity.

Counts are aggregated in the database; `derive` turns counts into rates for one threshold or for a
whole curve (the same formulas for the database and for the in-memory tuner engine).
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from smarketing.scoring.rules import Rules
from smarketing.scoring.scores import OUTCOMES

VARY = ("interest", "fit", "combined")
COUNTS = ("leads", "mqls", "positives", "caught", "revenue", "revenue_captured")
METRICS = (
    "mqls", "mql_share", "precision", "recall", "base_rate", "lift", "f1", "caught",
    "won_revenue_captured", "won_revenue_share", "mqls_per_week", "capacity", "capacity_use",
)
CURVE_COLUMNS = ("threshold", *COUNTS, *(m for m in METRICS if m not in COUNTS))
# How each metric reads: a count, a fraction (shown as %), a ratio (×), money, or a plain number.
METRIC_KINDS = {
    "leads": "int", "mqls": "int", "positives": "int", "caught": "int", "mql_share": "pct", "precision": "pct",
    "recall": "pct", "base_rate": "pct", "f1": "pct", "won_revenue_share": "pct", "capacity_use": "pct",
    "lift": "ratio", "revenue": "money", "revenue_captured": "money", "won_revenue_captured": "money",
    "mqls_per_week": "num", "capacity": "num",
}
_BIG = 1e15  # sort key of leads that are always (or never) MQL whatever the varied threshold


@dataclass(frozen=True)
class Capacity:
    """Sales capacity: reps × leads one rep can work per week."""

    reps: float = 5
    per_rep_per_week: float = 25

    @property
    def per_week(self) -> float:
        return self.reps * self.per_rep_per_week


def _ratio(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)


def derive_arrays(c: dict, weeks: float, capacity: Capacity | None = None) -> dict[str, np.ndarray]:
    """Rate columns from count arrays (keys COUNTS): plain numpy, fast enough for every slider move."""
    c = {k: np.asarray(c[k], dtype=float) for k in COUNTS}
    precision = _ratio(c["caught"], c["mqls"])
    base_rate = _ratio(c["positives"], c["leads"])
    per_week = c["mqls"] / weeks
    cap = np.full_like(per_week, capacity.per_week if capacity else np.nan)
    return {
        "mql_share": _ratio(c["mqls"], c["leads"]),
        "precision": precision,
        "recall": _ratio(c["caught"], c["positives"]),
        "base_rate": base_rate,
        "lift": _ratio(precision, base_rate),
        "f1": _ratio(2 * c["caught"], c["mqls"] + c["positives"]),  # = 2PR / (P + R)
        "won_revenue_captured": c["revenue_captured"],
        "won_revenue_share": _ratio(c["revenue_captured"], c["revenue"]),
        "mqls_per_week": per_week,
        "capacity": cap,
        "capacity_use": _ratio(per_week, cap),
    }


def derive(counts: pd.DataFrame, weeks: float, capacity: Capacity | None = None) -> pd.DataFrame:
    """Add the rate columns to a frame of counts (one row per threshold, or a single row)."""
    columns = {name: counts[name].to_numpy() for name in counts.columns}
    return pd.DataFrame(columns | derive_arrays(columns, weeks, capacity), index=counts.index)


def weeks_between(first, last) -> float:
    """Length of the lead-creation span in weeks (at least one)."""
    if first is None or last is None or pd.isna(first) or pd.isna(last):
        return 1.0
    return max(1.0, (pd.Timestamp(last) - pd.Timestamp(first)).total_seconds() / (7 * 86_400))


def _outcome(t: ir.Table, outcome: str) -> ir.BooleanValue:
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got '{outcome}'")
    return t[outcome]


def evaluate(scored: ir.Table, outcome: str = "won", capacity: Capacity | None = None) -> dict:
    """Metrics of a scored table (from `score_leads`) against an outcome, as a dict of plain numbers."""
    y = _outcome(scored, outcome)
    row = scored.aggregate(
        leads=scored.count(),
        mqls=scored.is_mql.sum(),
        positives=y.sum(),
        caught=(scored.is_mql & y).sum(),
        revenue=scored.won_amount.sum(),
        revenue_captured=scored.won_amount.sum(where=scored.is_mql),
        first=scored.created_at.min(),
        last=scored.created_at.max(),
    ).execute()
    row[list(COUNTS)] = row[list(COUNTS)].fillna(0)
    weeks = weeks_between(row["first"].iloc[0], row["last"].iloc[0])
    return as_dict(derive(row.drop(columns=["first", "last"]), weeks, capacity).iloc[0])


def as_dict(row) -> dict:
    """A metrics row (Series or dict of scalars) as JSON-ready plain numbers (NaN → None, counts as int)."""
    out = {}
    for key, value in row.items():
        if value is None or pd.isna(value):
            out[key] = None
        elif key in ("leads", "mqls", "positives", "caught"):
            out[key] = int(value)
        else:
            out[key] = float(value)
    return out


def _curve_key(t: ir.Table, rules: Rules, vary: str) -> ir.NumericValue:
    """The varied score of each lead, or ±BIG if the lead is MQL (never MQL) whatever that threshold."""
    if vary not in VARY:
        raise ValueError(f"vary must be one of {', '.join(VARY)}, got '{vary}'")
    good_fit, high = t.fit >= rules.fit_threshold, t.interest >= rules.interest_threshold
    combined = (
        (t.score >= rules.combined_threshold) if rules.combined_threshold is not None else ibis.literal(False)
    )
    if vary == "combined":
        return ibis.ifelse(good_fit & high, _BIG, t.score.floor().cast("float64"))
    other, value = (good_fit, t.interest) if vary == "interest" else (high, t.fit)
    return ibis.cases((combined, _BIG), (other, value.floor().cast("float64")), else_=-_BIG)


def curve(
    scored: ir.Table, rules: Rules, outcome: str = "won", vary: str = "interest", capacity: Capacity | None = None
) -> pd.DataFrame:
    """Precision–recall and volume over every threshold of one score, in one query.

    Row `threshold` T holds the metrics of the rules with that threshold set to T (the other thresholds as
    in `rules`); thresholds are the whole-number score values present in the data.
    """
    y = _outcome(scored, outcome)
    k = scored.mutate(key=_curve_key(scored, rules, vary), y=y.cast("int64"))
    g = k.group_by("key").aggregate(
        n=k.count(), pos=k.y.sum(), rev=k.won_amount.sum(), cmin=k.created_at.min(), cmax=k.created_at.max()
    )
    running = ibis.window(order_by=ibis.desc(g.key), preceding=None, following=0)
    everything = ibis.window()
    g = g.mutate(
        mqls=g.n.sum().over(running),
        caught=g.pos.sum().over(running),
        revenue_captured=g.rev.sum().over(running),
        leads=g.n.sum().over(everything),
        positives=g.pos.sum().over(everything),
        revenue=g.rev.sum().over(everything),
        first=g.cmin.min().over(everything),
        last=g.cmax.max().over(everything),
    )
    frame = g.filter(g.key.abs() < _BIG).order_by("key").execute()
    if frame.empty:
        return pd.DataFrame(columns=list(CURVE_COLUMNS))
    weeks = weeks_between(frame["first"].iloc[0], frame["last"].iloc[0])
    frame = frame.rename(columns={"key": "threshold"})[["threshold", *COUNTS]]
    frame[list(COUNTS)] = frame[list(COUNTS)].fillna(0)
    return derive(frame, weeks, capacity).reset_index(drop=True)


def weekly_volume(scored: ir.Table, outcome: str = "won") -> pd.DataFrame:
    """MQLs per week of lead creation (week starting Monday), with the caught outcomes."""
    y = _outcome(scored, outcome)
    week = scored.created_at.truncate("W").name("week")
    out = (
        scored.group_by(week)
        .aggregate(leads=scored.count(), mqls=scored.is_mql.sum(), caught=(scored.is_mql & y).sum())
        .order_by("week")
        .execute()
    )
    return out
