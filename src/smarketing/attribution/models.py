"""Multi-touch attribution models over a PathTable (pure functions, no I/O).

Each model takes the aggregated paths (`paths.PathTable`: one row per distinct journey
with its conversions, value and nulls) and returns one row per channel with `conversions` and
`value` credit. The credits of every model sum to the table's total conversions and value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from smarketing.attribution import markov as markov_chain
from smarketing.attribution.paths import PathTable, Touches, from_frame

MODELS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay", "markov", "shapley")
HEURISTIC = MODELS[:6]


@dataclass(frozen=True)
class ModelOptions:
    """Knobs of the models: time-decay half-life (days, or steps for path files) and Markov order."""

    half_life: float = 7.0
    markov_order: int = 1

    def __post_init__(self) -> None:
        if not self.half_life > 0:
            raise ValueError(f"the half-life must be positive, got {self.half_life}")
        if self.markov_order not in (1, 2, 3):
            raise ValueError(f"the Markov order must be 1, 2 or 3, got {self.markov_order}")


# ----------------------------------------------------------------------------------------- heuristics


def first_touch(paths: PathTable, options: ModelOptions) -> pd.DataFrame:
    t = paths.touches(converting_only=True)
    return t.credit((t.pos == 0).astype(float))


def last_touch(paths: PathTable, options: ModelOptions) -> pd.DataFrame:
    t = paths.touches(converting_only=True)
    return t.credit(t.is_last.astype(float))


def linear(paths: PathTable, options: ModelOptions) -> pd.DataFrame:
    """Equal credit per touch: a channel touched twice in a path gets two shares."""
    t = paths.touches(converting_only=True)
    return t.credit(1.0 / t.length)


def u_shaped(paths: PathTable, options: ModelOptions) -> pd.DataFrame:
    """40% first, 40% last, 20% spread over the touches between; 50/50 for two touches, all for one."""
    t = paths.touches(converting_only=True)
    ends = (t.pos == 0) | t.is_last
    weight = np.where(ends, 0.4, 0.2 / np.maximum(t.length - 2, 1))
    weight = np.where(t.length == 2, 0.5, weight)
    return t.credit(np.where(t.length == 1, 1.0, weight))


def w_shaped(paths: PathTable, options: ModelOptions) -> pd.DataFrame:
    """30% each to the first touch, the lead-creation touch and the opportunity-creation touch, 10%
    spread over the other touches. Milestones on one touch add up; when every touch is a milestone
    they share everything in proportion (so a single touch gets 100%).

    From the database the lead-creation touch is the last one at or before the lead was created and
    the opportunity touch the last one at or before the won deal was created (for earlier
    conversions: the converting touch). A path file without milestone columns takes the first touch
    as lead creation and the last as opportunity creation.
    """
    t = paths.touches(converting_only=True)
    lead = _milestone(t, t.lead_touch, default=np.zeros_like(t.pos))
    opportunity = _milestone(t, t.opportunity_touch, default=t.length - 1)
    milestone = 0.3 * ((t.pos == 0).astype(float) + (t.pos == lead) + (t.pos == opportunity))
    others = t.row_sum((milestone == 0).astype(float))
    weight = np.where(milestone > 0, milestone, 0.1 / np.maximum(others, 1))
    return t.credit(np.where(others == 0, milestone / t.row_sum(milestone), weight))


def _milestone(t: Touches, per_row: np.ndarray | None, default: np.ndarray) -> np.ndarray:
    if per_row is None:
        return default
    values = t.per_touch(per_row)
    values = np.where(np.isnan(values), default, values)
    return np.clip(values, 0, t.length - 1).astype(np.int64)


def time_decay(paths: PathTable, options: ModelOptions) -> pd.DataFrame:
    """Credit halves for every half-life between a touch and the conversion.

    From the database the weights use the real touch times (half-life in days) and were summed per
    channel there (`PathTable.decay`). A path file has no times: the half-life counts steps back
    from the last touch.
    """
    if paths.decay is not None:
        return paths.decay[["channel", "conversions", "value"]].reset_index(drop=True)
    t = paths.touches(converting_only=True)
    raw = 0.5 ** ((t.length - 1 - t.pos) / options.half_life)
    return t.credit(raw / t.row_sum(raw))


def markov(paths: PathTable, options: ModelOptions) -> pd.DataFrame:
    """Credit in proportion to each channel's removal effect on the exactly solved chain."""
    effects = markov_chain.removal_effects(paths.touches(), options.markov_order)
    return pd.DataFrame({
        "channel": effects["channel"],
        "conversions": _share(effects["removal_effect"]) * paths.total_conversions,
        "value": _share(effects["value_removal_effect"]) * paths.total_value,
    })


def _share(effects: pd.Series) -> np.ndarray:
    total = effects.sum()
    return (effects / total).to_numpy() if total > 0 else np.zeros(len(effects))


def shapley(paths: PathTable, options: ModelOptions) -> pd.DataFrame:
    """Shapley value of the game v(S) = conversions (value) of the paths whose channels all lie in S.

    As Zhao et al. (2018) show, this v is a sum of unanimity games, one per channel set T seen in
    the data with weight r(T) (the conversions of paths touching exactly the channels T), so the
    exact Shapley value is phi_i = sum over seen T containing i of r(T) / |T|. That is one pass over
    the distinct (path, channel) pairs instead of 2^n coalitions: exact for any number of channels,
    so no sampling fallback is needed (the tests check it against the textbook coalition sum).
    """
    t = paths.touches(converting_only=True)
    n = len(t.channels)
    present = np.zeros((t.n_rows, n), dtype=bool)
    present[t.row, t.code] = True
    share = present / np.maximum(present.sum(axis=1, keepdims=True), 1)
    return pd.DataFrame({
        "channel": t.channels,
        "conversions": share.T @ t.conversions,
        "value": share.T @ t.value,
    })


MODEL_FUNCTIONS = {
    "first_touch": first_touch,
    "last_touch": last_touch,
    "linear": linear,
    "u_shaped": u_shaped,
    "w_shaped": w_shaped,
    "time_decay": time_decay,
    "markov": markov,
    "shapley": shapley,
}


def attribute(
    paths: PathTable | pd.DataFrame, models=MODELS, options: ModelOptions = ModelOptions()
) -> pd.DataFrame:
    """Credits of each model: columns model, channel, conversions, value, share (of conversions)."""
    unknown = [m for m in models if m not in MODEL_FUNCTIONS]
    if unknown:
        raise ValueError(f"unknown model(s) {', '.join(unknown)} (expected: {', '.join(MODELS)})")
    table = paths if isinstance(paths, PathTable) else from_frame(paths)
    total = table.total_conversions
    frames = []
    for model in models:
        credit = MODEL_FUNCTIONS[model](table, options)
        credit.insert(0, "model", model)
        credit["share"] = credit["conversions"] / total if total > 0 else 0.0
        frames.append(credit)
    if not frames:
        return pd.DataFrame(columns=["model", "channel", "conversions", "value", "share"])
    return pd.concat(frames, ignore_index=True)
