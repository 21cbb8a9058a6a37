"""The statistics of a driver: a 2×2 table of leads with / without a property and converted / not, its odds ratio
with a 95% confidence interval, a p-value and the Benjamini–Hochberg q-value over every driver tested.

Cells: a = with and converted, b = with and not, c = without and converted, d = without and not.
- Odds ratio (a·d)/(b·c); when a cell is 0, 0.5 is added to every cell first (Haldane–Anscombe), for the ratio
  and its interval alike.
- 95% interval: exp(ln OR ± 1.96·√(1/a + 1/b + 1/c + 1/d)) (Woolf, on the same cells).
- p-value: Pearson's chi-square test (1 degree of freedom, no continuity correction) when every expected cell
  count is at least 5, else Fisher's exact test (two-sided).
- q-value: Benjamini–Hochberg adjusted p over all drivers tested at once (a false-discovery rate).
- zero_cell: a cell is 0 (every lead with the value converted, or none did, or the same without it). Such a
  perfect split is often a property filled in only when a lead converts (a won-deals file's columns), not a cause.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import chi2, false_discovery_control, fisher_exact

Z95 = 1.959963984540054
MIN_EXPECTED = 5.0


def cells(with_leads, with_converted, leads: int, converted: int) -> tuple:
    """(a, b, c, d) from the leads with the property, those of them converted and the population's totals."""
    a = np.asarray(with_converted, dtype=float)
    b = np.asarray(with_leads, dtype=float) - a
    c = converted - a
    d = (leads - converted) - b
    return a, b, c, d


def odds_ratio(a, b, c, d) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(odds ratio, low, high) of the 95% interval, with the Haldane–Anscombe correction where a cell is 0."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    a, b, c, d = (np.where(zero, x + 0.5, x) for x in (a, b, c, d))
    log_or = np.log(a) + np.log(d) - np.log(b) - np.log(c)
    se = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return np.exp(log_or), np.exp(log_or - Z95 * se), np.exp(log_or + Z95 * se)


def p_value(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of no association: chi-square when every expected count is ≥ 5, else Fisher exact."""
    a, b, c, d = (int(x) for x in (a, b, c, d))
    n = a + b + c + d
    rows, cols = (a + b, c + d), (a + c, b + d)
    if n == 0 or 0 in rows or 0 in cols:
        return 1.0
    if min(r * k / n for r in rows for k in cols) >= MIN_EXPECTED:
        statistic = n * (a * d - b * c) ** 2 / (rows[0] * rows[1] * cols[0] * cols[1])
        return float(chi2.sf(statistic, 1))
    return float(fisher_exact([[a, b], [c, d]]).pvalue)


def q_values(p: pd.Series) -> pd.Series:
    """Benjamini–Hochberg adjusted p-values (NaN stays NaN and is not counted)."""
    out = pd.Series(float("nan"), index=p.index)
    tested = p.notna()
    if tested.any():
        out[tested] = false_discovery_control(p[tested].to_numpy(dtype=float))
    return out


def with_statistics(counts: pd.DataFrame, leads: int, converted: int) -> pd.DataFrame:
    """`counts` (leads_with, converted_with per driver) with the counts of both sides, the rates, the odds ratio
    and its interval, p and q; the strongest evidence first (q, then the size of the effect)."""
    a, b, c, d = cells(counts.leads_with, counts.converted_with, leads, converted)
    out = counts.copy()
    out["rate_with"] = a / np.where(a + b > 0, a + b, np.nan)
    out["leads_without"] = (c + d).astype("int64")
    out["converted_without"] = c.astype("int64")
    out["rate_without"] = c / np.where(c + d > 0, c + d, np.nan)
    out["odds_ratio"], out["ci_low"], out["ci_high"] = odds_ratio(a, b, c, d)
    out["zero_cell"] = (a == 0) | (b == 0) | (c == 0) | (d == 0)  # perfect separation: corrected, and suspicious
    out["p_value"] = [p_value(*row) for row in zip(a, b, c, d, strict=True)]
    out["q_value"] = q_values(out.p_value)
    strength = np.abs(np.log(out.odds_ratio.astype(float)))
    out = out.assign(_strength=strength).sort_values(["q_value", "_strength", "feature", "value"],
                                                     ascending=[True, False, True, True], kind="stable")
    return out.drop(columns="_strength").reset_index(drop=True)


def direction(odds: float, low: float, high: float) -> str:
    """"raises" when the whole interval lies above 1, "lowers" below it, else "unclear"."""
    if math.isnan(odds):
        return "unclear"
    return "raises" if low > 1 else "lowers" if high < 1 else "unclear"
