"""The tuner's in-memory engine: per-lead features fetched once, re-weighted in numpy per slider move.

`lead_features` (in the database) gives one column per rule condition; scores are then weighted sums,
so new points or thresholds need no query. Rules are matched to feature columns by their condition,
so any rule set whose conditions were fetched (e.g. current and suggested rules) can be evaluated.
The formulas mirror `scores.score_table` and `evaluation` (the tests check they agree).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from smarketing.scoring.evaluation import CURVE_COLUMNS, Capacity, as_dict, derive_arrays, weeks_between
from smarketing.scoring.rules import Bonus, Rules
from smarketing.scoring.scores import DEFAULT_CUTOFF, OUTCOMES, Cutoff, lead_features


class FeaturesMismatch(KeyError):
    """The rules use a condition or decay that the fetched features do not hold: fetch them again."""


def bonus_key(b: Bonus) -> tuple:
    return (b.event_type, b.min_count, b.within_days)


@dataclass
class Scores:
    fit: np.ndarray
    interest: np.ndarray
    is_mql: np.ndarray

    @property
    def score(self) -> np.ndarray:
        return self.fit + self.interest


class Tuner:
    """Per-lead feature columns for a rule structure, with fast scoring and evaluation."""

    def __init__(self, features: pd.DataFrame, structure: Rules):
        self.structure = structure
        self.n = len(features)
        self.lead_id = features["lead_id"].to_numpy()
        self.created = pd.to_datetime(features["created_at"]).to_numpy()
        self.fit_cols = {r.key: features[f"fit_{i}"].to_numpy(dtype=bool) for i, r in enumerate(structure.fit)}
        self.evt_cols = {
            r.event_type: features[f"evt_{i}"].to_numpy(dtype=np.float64) for i, r in enumerate(structure.interest)
        }
        self.bonus_cols = {
            bonus_key(b): features[f"bonus_{i}"].to_numpy(dtype=bool) for i, b in enumerate(structure.bonus)
        }
        self.outcomes = {o: features[o].fillna(False).to_numpy(dtype=bool) for o in OUTCOMES}
        self.revenue = features["won_amount"].fillna(0).to_numpy(dtype=np.float64)
        self.deal_status = features["deal_status"].to_numpy()
        self._rev_idx = np.flatnonzero(self.revenue)
        self._rev_val = self.revenue[self._rev_idx]
        self._pos = {o: np.flatnonzero(self.outcomes[o]) for o in OUTCOMES}
        self._last: dict = {}  # memo of the last fit / interest arrays
        self._index_patterns()

    def _index_patterns(self) -> None:
        """Group leads by their pattern of 0/1 features (fit conditions and bonuses): fit and bonus points then
        cost one small matrix product and one gather per slider move, however many rules there are."""
        flags = [("fit", k) for k in self.fit_cols] + [("bonus", k) for k in self.bonus_cols]
        self._flag_index = {f: i for i, f in enumerate(flags)}
        if not flags or len(flags) > 62:
            self._pattern = None
            return
        code = np.zeros(self.n, dtype=np.uint64)
        for i, (kind, key) in enumerate(flags):
            column = self.fit_cols[key] if kind == "fit" else self.bonus_cols[key]
            code |= column.astype(np.uint64) << np.uint64(i)
        patterns, self._pattern = np.unique(code, return_inverse=True)
        self._pattern = self._pattern.ravel()
        self._bits = ((patterns[:, None] >> np.arange(len(flags), dtype=np.uint64)) & np.uint64(1)).astype(float)

    def _flag_sum(self, kind: str, points: list[tuple]) -> np.ndarray:
        """Per-lead sum of the points of 0/1 features of one kind ("fit" or "bonus"): [(key, points), …]."""
        weights = np.zeros(len(self._flag_index))
        for key, value in points:
            weights[self._flag_index[(kind, key)]] += value
        if self._pattern is not None:
            return (self._bits @ weights)[self._pattern]
        total = np.zeros(self.n)
        for key, value in points:
            total += value * (self.fit_cols[key] if kind == "fit" else self.bonus_cols[key])
        return total

    @classmethod
    def load(cls, con, rules: Rules, cutoff: Cutoff = DEFAULT_CUTOFF, filters=None, now=None) -> Tuner:
        """Fetch the features of `rules` (one query) and build the engine. Arrow's own conversion to pandas: the same
        frame as Ibis' execute in a third of the time at 1M leads (benchmarks/RESULTS.md)."""
        frame = lead_features(con, rules, cutoff, filters, now).order_by("lead_id").to_pyarrow().to_pandas()
        return cls(frame, rules)

    def supports(self, rules: Rules) -> bool:
        try:
            self._check(rules)
        except FeaturesMismatch:
            return False
        return True

    def _check(self, rules: Rules) -> None:
        if rules.decay != self.structure.decay:
            raise FeaturesMismatch("the decay setting changed")
        missing = [r.name for r in rules.fit if r.key not in self.fit_cols]
        missing += [r.event_type for r in rules.interest if r.event_type not in self.evt_cols]
        missing += [b.name for b in rules.bonus if bonus_key(b) not in self.bonus_cols]
        if missing:
            raise FeaturesMismatch(f"no features for: {', '.join(missing)}")

    # ---------------------------------------------------------------------------------- scoring

    def scores(self, rules: Rules) -> Scores:
        """Fit, interest and MQL flag of every lead. The fit and interest arrays of the last call are kept
        (read-only), so moving a threshold or one kind of points recomputes only what changed."""
        self._check(rules)
        fit_points = [(r.key, r.points) for r in rules.fit]
        events = [(r.event_type, r.points, r.cap) for r in rules.interest]
        bonus = [(bonus_key(b), b.points) for b in rules.bonus]
        fit = self._memo("fit", fit_points, lambda: self._flag_sum("fit", fit_points))
        interest = self._memo("interest", (events, bonus), lambda: self._interest(events, bonus))
        is_mql = (fit >= rules.fit_threshold) & (interest >= rules.interest_threshold)
        if rules.combined_threshold is not None:
            is_mql |= fit + interest >= rules.combined_threshold
        return Scores(fit, interest, is_mql)

    def _memo(self, kind: str, key, compute) -> np.ndarray:
        last = self._last.get(kind)
        if last is None or last[0] != key:
            array = compute()
            array.flags.writeable = False
            last = self._last[kind] = (key, array)
        return last[1]

    def _interest(self, events: list[tuple], bonus: list[tuple]) -> np.ndarray:
        interest = self._flag_sum("bonus", bonus)
        buf = np.empty(self.n)
        for event_type, points, cap in events:
            if points:  # decayed counts are ≥ 0, so the sign of the points says which side the cap is on
                np.multiply(self.evt_cols[event_type], points, out=buf)
                if cap is not None:
                    (np.minimum if points > 0 else np.maximum)(buf, cap if points > 0 else -cap, out=buf)
                np.add(interest, buf, out=interest)
        return interest

    def _positives(self, outcome: str) -> np.ndarray:
        """Indices of the leads that reached the outcome (few, so counting them is cheap)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got '{outcome}'")
        return self._pos[outcome]

    def _weeks(self, mask: np.ndarray | None) -> float:
        if mask is None:
            if "weeks" not in self._last:
                self._last["weeks"] = weeks_between(self.created.min(), self.created.max()) if self.n else 1.0
            return self._last["weeks"]
        created = self.created[mask]
        return weeks_between(created.min(), created.max()) if len(created) else 1.0

    # ---------------------------------------------------------------------------------- evaluation

    def _selected(self, outcome: str, mask: np.ndarray | None):
        """Leads counted, and the (sparse) indices of the selected positives and of won revenue."""
        pos, rev_idx, rev_val = self._positives(outcome), self._rev_idx, self._rev_val
        if mask is None:
            return self.n, pos, rev_idx, rev_val
        keep = mask[rev_idx]
        return int(np.count_nonzero(mask)), pos[mask[pos]], rev_idx[keep], rev_val[keep]

    def evaluate(
        self,
        rules: Rules,
        outcome: str = "won",
        capacity: Capacity | None = None,
        mask: np.ndarray | None = None,
        scores: Scores | None = None,
    ) -> dict:
        """The metrics of `evaluation.evaluate`, on all leads or on those where `mask` is True."""
        s = scores or self.scores(rules)
        leads, pos, rev_idx, rev_val = self._selected(outcome, mask)
        m = s.is_mql if mask is None else s.is_mql & mask
        counts = {
            "leads": leads, "mqls": int(np.count_nonzero(m)), "positives": len(pos),
            "caught": int(np.count_nonzero(m[pos])),
            "revenue": float(rev_val.sum()), "revenue_captured": float(rev_val[m[rev_idx]].sum()),
        }
        rates = derive_arrays(counts, self._weeks(mask), capacity)
        return as_dict(counts | {k: float(v) for k, v in rates.items()})

    def curve(
        self,
        rules: Rules,
        outcome: str = "won",
        vary: str = "interest",
        capacity: Capacity | None = None,
        mask: np.ndarray | None = None,
        scores: Scores | None = None,
    ) -> pd.DataFrame:
        """The metrics at every whole-number threshold of one score (see `evaluation.curve`)."""
        s = scores or self.scores(rules)
        value, include, always = _curve_parts(s, rules, vary)
        if mask is not None:
            include, always = include & mask, always & mask
        leads, pos, rev_idx, rev_val = self._selected(outcome, mask)
        k = np.floor(value[include]).astype(np.int64)
        if not len(k):
            return pd.DataFrame(columns=list(CURVE_COLUMNS))
        lo, hi = int(k.min()), int(k.max())
        if hi - lo > 2_000_000:
            raise ValueError("scores span too wide a range for a curve; use smaller points")
        size = hi - lo + 1

        def per_bin(idx: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
            """Counts (or weight sums) per threshold bin of the leads `idx`; bin 0 = the highest threshold."""
            inside = include[idx]
            w = None if weights is None else weights[inside]
            return np.bincount(hi - np.floor(value[idx[inside]]).astype(np.int64), weights=w, minlength=size)

        n = np.bincount(hi - k, minlength=size)
        keep = n > 0
        counts = {
            "threshold": np.arange(hi, lo - 1, -1, dtype=float)[keep],
            "leads": np.full(keep.sum(), leads),
            "mqls": (np.cumsum(n) + int(np.count_nonzero(always)))[keep],
            "positives": np.full(keep.sum(), len(pos)),
            "caught": (np.cumsum(per_bin(pos)) + int(np.count_nonzero(always[pos])))[keep],
            "revenue": np.full(keep.sum(), float(rev_val.sum())),
            "revenue_captured": (np.cumsum(per_bin(rev_idx, rev_val)) + float(rev_val[always[rev_idx]].sum()))[keep],
        }
        rates = derive_arrays(counts, self._weeks(mask), capacity)
        return pd.DataFrame(counts | rates).iloc[::-1].reset_index(drop=True)

    def weekly(
        self, rules: Rules, outcome: str = "won", mask: np.ndarray | None = None, scores: Scores | None = None
    ) -> pd.DataFrame:
        """MQLs and caught outcomes per week of lead creation (weeks start on Monday)."""
        s = scores or self.scores(rules)
        week, size = self._week_index, len(self._week_starts)
        m = s.is_mql if mask is None else s.is_mql & mask
        _, pos, _, _ = self._selected(outcome, mask)
        frame = pd.DataFrame({
            "week": self._week_starts,
            "leads": self._leads_per_week() if mask is None else np.bincount(week[mask], minlength=size),
            "mqls": np.bincount(week[m], minlength=size),
            "caught": np.bincount(week[pos[m[pos]]], minlength=size),
        })
        return frame[frame.leads > 0].reset_index(drop=True)

    def _leads_per_week(self) -> np.ndarray:
        if "leads_per_week" not in self._last:
            self._last["leads_per_week"] = np.bincount(self._week_index, minlength=len(self._week_starts))
        return self._last["leads_per_week"]

    @property
    def _week_index(self) -> np.ndarray:
        """Index of each lead's creation week in `_week_starts` (computed once)."""
        if not hasattr(self, "_weeks_cache"):
            days = self.created.astype("datetime64[D]")
            monday = days - ((days.astype(np.int64) + 3) % 7)  # 1970-01-01 was a Thursday
            starts, index = np.unique(monday, return_inverse=True)
            self._weeks_cache = (pd.to_datetime(starts), index.ravel())
        return self._weeks_cache[1]

    @property
    def _week_starts(self) -> pd.DatetimeIndex:
        self._week_index  # noqa: B018 (fills the cache)
        return self._weeks_cache[0]


def _curve_parts(s: Scores, rules: Rules, vary: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The varied score, where its threshold decides (include), and the leads that are MQL whatever it is
    (always); mirrors `evaluation._curve_key`."""
    good_fit, high = s.fit >= rules.fit_threshold, s.interest >= rules.interest_threshold
    if vary == "combined":
        both = good_fit & high
        return s.score, ~both, both
    if vary not in ("interest", "fit"):
        raise ValueError(f"vary must be one of interest, fit, combined, got '{vary}'")
    other, value = (good_fit, s.interest) if vary == "interest" else (high, s.fit)
    if rules.combined_threshold is None:
        return value, other, np.zeros(s.fit.shape, dtype=bool)
    combined = s.score >= rules.combined_threshold
    return value, other & ~combined, combined
