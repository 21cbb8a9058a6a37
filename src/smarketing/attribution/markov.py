"""Markov-chain attribution solved exactly: removal effects on the absorbing chain of the journeys.

States of an order-k chain are the last k channels of a journey so far (shorter at its start), plus
(start) and the two absorbing states (conversion) and (null). Transition probabilities are the
observed transition counts, each path weighted by its conversions + nulls. The probability of
reaching (conversion) from (start) solves the linear system (I - Q) x = r; removing a channel sends
every transition into a state containing it to (null), and the removal effect is the relative drop
of that probability. Value uses the same chain with r scaled by the mean conversion value of each
last state. No simulation, so no step limit and no noise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.linalg import splu

if TYPE_CHECKING:
    from smarketing.attribution.paths import Touches

DENSE_LIMIT = 3000  # chains with up to this many states count their transitions in a dense array


def _state_keys(t: Touches, order: int) -> tuple[np.ndarray, np.ndarray]:
    """Per touch, the id of its order-k state; per state, its channel codes (-1 = before the start)."""
    if order == 1:  # the state is the channel itself
        return t.code, np.arange(len(t.channels))[:, None]
    pad = len(t.channels)
    base = pad + 1
    key = np.zeros(len(t.code), dtype=np.int64)
    for back in range(order):
        shifted = np.full(len(t.code), pad, dtype=np.int64)
        shifted[back:] = t.code[: len(t.code) - back]
        shifted[t.pos < back] = pad  # before the start of this path
        key = key * base + shifted
    if base**order <= 4_000_000:  # direct lookup, linear time
        used = np.bincount(key, minlength=base**order) > 0
        unique_keys = np.flatnonzero(used)
        state = (np.cumsum(used) - 1)[key]
    else:
        unique_keys, state = np.unique(key, return_inverse=True)
    digits = np.empty((len(unique_keys), order), dtype=np.int64)
    rest = unique_keys.copy()
    for back in reversed(range(order)):
        digits[:, back] = rest % base
        rest //= base
    return state.reshape(-1), np.where(digits == pad, -1, digits)


def _chain(t: Touches, state: np.ndarray, n_states: int):
    """Row-normalised transient matrix Q over the states plus (start, last), and the exit vectors
    (probability of conversion, and of conversion times its mean value, from each state)."""
    size = n_states + 1
    start = n_states
    row_weight = t.conversions + t.nulls
    first_rows = t.starts
    last_touch = np.append(first_rows[1:], len(t.row)) - 1
    path_rows = t.row[first_rows]
    # consecutive touches: every neighbouring pair, weighted 0 where it crosses into the next path
    pair_weight = row_weight[t.row[:-1]]
    pair_weight[first_rows[1:] - 1] = 0.0
    ends = state[last_touch]
    to_conversion = np.bincount(ends, t.conversions[path_rows], minlength=size)
    to_value = np.bincount(ends, t.value[path_rows], minlength=size)
    to_null = np.bincount(ends, t.nulls[path_rows], minlength=size)
    if size <= DENSE_LIMIT:
        pairs = np.bincount(state[:-1] * size + state[1:], pair_weight, minlength=size * size)
        counts = pairs.astype(float).reshape(size, size)  # float even with no pairs (one single touch)
        counts[start] += np.bincount(state[first_rows], row_weight[path_rows], minlength=size)
        out = counts.sum(axis=1) + to_conversion + to_null
    else:
        src = np.concatenate([np.full(len(first_rows), start), state[:-1]])
        dst = np.concatenate([state[first_rows], state[1:]])
        w = np.concatenate([row_weight[path_rows], pair_weight])
        counts = sparse.csr_matrix((w, (src, dst)), shape=(size, size))
        out = np.asarray(counts.sum(axis=1)).ravel() + to_conversion + to_null
    out = np.where(out > 0, out, 1.0)
    q = sparse.csc_matrix(counts / out[:, None]) if size <= DENSE_LIMIT else (sparse.diags(1.0 / out) @ counts).tocsc()
    return q, np.column_stack([to_conversion / out, to_value / out])


def _absorb(q, exits: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Probability of conversion and expected value from (start), the last state, over kept states."""
    idx = np.flatnonzero(keep)
    rhs = np.ascontiguousarray(exits[idx])
    # a sparse LU (SuperLU, single-threaded): each state has few successors, and multi-threaded
    # dense BLAS solves were slower here, busy-waiting whenever other work shares the cores
    system = (sparse.identity(len(idx), format="csc") - q[idx][:, idx]).tocsc()
    return splu(system).solve(rhs)[-1]


def _fit(t: Touches, order: int):
    state, members = _state_keys(t, order)
    q, exits = _chain(t, state, len(members))
    return q, exits, members


def removal_effects(t: Touches, order: int = 1) -> pd.DataFrame:
    """Per channel: removal_effect and value_removal_effect, the relative drop (0–1) in conversion
    probability and in expected value when every state containing the channel leads to (null)."""
    names = t.channels
    effects = np.zeros((len(names), 2))
    if len(t.row) and t.conversions.sum() > 0:
        q, exits, members = _fit(t, order)
        everything = np.ones(len(members) + 1, dtype=bool)
        base = _absorb(q, exits, everything)
        for code in range(len(names)):
            keep = everything.copy()
            keep[:-1] = ~(members == code).any(axis=1)
            without = _absorb(q, exits, keep)
            effects[code] = np.where(base > 0, 1.0 - without / np.where(base > 0, base, 1.0), 0.0)
    effects = np.clip(effects, 0.0, 1.0)
    return pd.DataFrame({"channel": names, "removal_effect": effects[:, 0], "value_removal_effect": effects[:, 1]})


def conversion_probability(t: Touches, order: int = 1) -> float:
    """P(conversion) of a journey under the fitted chain (equals the observed conversion rate)."""
    q, exits, members = _fit(t, order)
    return float(_absorb(q, exits, np.ones(len(members) + 1, dtype=bool))[0])
