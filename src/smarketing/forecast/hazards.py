"""How long leads take to move on: an empirical hazard per chain step, channel and age in the stage.

Ages are calendar months since the lead entered the stage (entered in March, moved on in May: age 2). For a
cut-off month C, age j of a lead that entered in month e is fully observed when e + j < C. The hazard at age
j is d_j / n_j: of the leads still in the stage at the start of age j whose age j is fully observed (n_j), the
share that moved on during it (d_j), a discrete life table, so leads that have not had the time yet do not
count as failures. Ages from MAX_AGE on are pooled into one hazard per person-month. A channel's hazard leans
on the pooled one by SHRINK pseudo-leads: (d + SHRINK · h_all) / (n + SHRINK), so a small channel is not
taken at its noisiest.

P(move on in future month m | still in the stage at age a) = h(a + m − 1) · Π_{i=a}^{a+m−2} (1 − h(i)); for a
lead entering now, f(j) = h(j) · Π_{i<j} (1 − h(i)).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_AGE = 24
SHRINK = 20.0


def life_table(journeys: pd.DataFrame, step: int, cutoff: int) -> pd.DataFrame:
    """Leads at risk (n) and moving on (d) per channel and age 0..MAX_AGE for chain step `step` (from m<step> to
    m<step+1>), seen at the start of month `cutoff`. Columns channel, age, n, d."""
    entry, nxt = journeys[f"m{step}"], journeys[f"m{step + 1}"]
    rows = journeys[entry.notna() & (entry < cutoff)]
    entry, nxt = entry[rows.index], nxt[rows.index]
    moved = nxt.notna() & (nxt < cutoff)
    age = (nxt - entry).clip(lower=0).where(moved)
    observed = cutoff - 1 - entry  # the last fully observed age
    last = age.where(moved, observed).astype("int64")  # the last age at risk
    out = []
    for channel, group in rows.groupby("channel", sort=True):
        weight = group["leads"].to_numpy(dtype=float)
        upto = last[group.index].to_numpy()
        n = np.array([weight[upto >= j].sum() for j in range(MAX_AGE)] +
                     [(weight * np.maximum(upto - MAX_AGE + 1, 0)).sum()])
        ages = age[group.index].to_numpy()
        d = np.zeros(MAX_AGE + 1)
        hit = ~np.isnan(ages)
        np.add.at(d, np.minimum(ages[hit], MAX_AGE).astype(int), weight[hit])
        out.append(pd.DataFrame({"channel": channel, "age": np.arange(MAX_AGE + 1), "n": n, "d": d}))
    if not out:
        return pd.DataFrame(columns=["channel", "age", "n", "d"])
    return pd.concat(out, ignore_index=True)


def hazards(table: pd.DataFrame) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The pooled hazard by age, and each channel's, shrunk towards the pooled one."""
    if table.empty:
        return np.zeros(MAX_AGE + 1), {}
    pooled = table.groupby("age")[["n", "d"]].sum().reindex(range(MAX_AGE + 1), fill_value=0)
    h_all = np.divide(pooled.d.to_numpy(), pooled.n.to_numpy(), out=np.zeros(MAX_AGE + 1),
                      where=pooled.n.to_numpy() > 0)
    per_channel = {}
    for channel, group in table.groupby("channel", sort=True):
        group = group.set_index("age").reindex(range(MAX_AGE + 1), fill_value=0)
        per_channel[channel] = (group.d.to_numpy() + SHRINK * h_all) / (group.n.to_numpy() + SHRINK)
    return h_all, per_channel


def at(h: np.ndarray, age: int) -> float:
    return float(h[min(age, MAX_AGE)])


def from_age(h: np.ndarray, age: int, months: int) -> np.ndarray:
    """P(move on in each of the next `months` months | still in the stage at age `age` at their start)."""
    out, alive = np.zeros(months), 1.0
    for m in range(months):
        rate = at(h, age + m)
        out[m] = alive * rate
        alive *= 1 - rate
    return out


def fresh(h: np.ndarray, months: int) -> np.ndarray:
    """f(j) for j = 0..months − 1: P(move on at age j) for a lead entering the stage."""
    return from_age(h, 0, months)


def chain(arrivals: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Expected moves on per month from expected entries per month (a move can happen in the entry month)."""
    return np.convolve(arrivals, f)[: len(arrivals)]
