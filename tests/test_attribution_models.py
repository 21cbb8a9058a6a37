"""The eight attribution models on hand-computed path tables, and the invariant that credit is conserved."""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import path_tables

from smarketing.attribution.markov import conversion_probability, removal_effects
from smarketing.attribution.models import MODELS, ModelOptions, attribute
from smarketing.attribution.paths import from_frame


def paths(*rows, **extra) -> pd.DataFrame:
    """rows of (path, conversions, value, nulls)."""
    frame = pd.DataFrame(rows, columns=["path", "conversions", "value", "nulls"])
    for column, values in extra.items():
        frame[column] = values
    return frame


def credit(frame: pd.DataFrame, model: str, measure: str = "conversions", **options) -> dict[str, float]:
    out = attribute(frame, [model], ModelOptions(**options))
    return {row.channel: getattr(row, measure) for row in out.itertuples() if abs(getattr(row, measure)) > 1e-12}


def assert_credit(actual: dict, expected: dict) -> None:
    assert set(actual) == {k for k, v in expected.items() if abs(v) > 1e-12}
    for channel, value in expected.items():
        assert actual.get(channel, 0.0) == pytest.approx(value, abs=1e-9), channel


# A repeated channel (A > A > B), a single-touch path with zero value (C), a path that never converted.
HAND = paths(
    ("A > B > C", 1, 100, 0),
    ("A > A > B", 2, 50, 1),
    ("C", 1, 0, 3),
    ("B > C", 0, 0, 5),
)


def test_first_touch():
    assert_credit(credit(HAND, "first_touch"), {"A": 1 + 2, "C": 1})
    assert_credit(credit(HAND, "first_touch", "value"), {"A": 100 + 50})


def test_last_touch():
    assert_credit(credit(HAND, "last_touch"), {"C": 1 + 1, "B": 2})
    assert_credit(credit(HAND, "last_touch", "value"), {"C": 100, "B": 50})


def test_linear_counts_each_touch_of_a_repeated_channel():
    assert_credit(credit(HAND, "linear"), {"A": 1 / 3 + 2 * 2 / 3, "B": 1 / 3 + 2 * 1 / 3, "C": 1 / 3 + 1})
    assert_credit(credit(HAND, "linear", "value"), {"A": 100 / 3 + 50 * 2 / 3, "B": 100 / 3 + 50 / 3, "C": 100 / 3})


def test_u_shaped_40_20_40_and_two_touch_paths():
    assert_credit(credit(HAND, "u_shaped"), {"A": 0.4 + 2 * (0.4 + 0.2), "B": 0.2 + 2 * 0.4, "C": 0.4 + 1})
    assert_credit(credit(HAND, "u_shaped", "value"), {"A": 40 + 50 * 0.6, "B": 20 + 50 * 0.4, "C": 40})
    two = paths(("A > B", 1, 10, 0), ("A > B > C > D", 1, 0, 0))
    assert_credit(credit(two, "u_shaped"), {"A": 0.5 + 0.4, "B": 0.5 + 0.1, "C": 0.1, "D": 0.4})


def test_w_shaped_defaults_lead_to_first_and_opportunity_to_last_touch():
    # A > B > C: first + lead creation on A (0.6), opportunity on C (0.3), B the rest (0.1)
    # A > A > B: 0.6 on the first A, 0.1 on the second, 0.3 on B; twice
    assert_credit(credit(HAND, "w_shaped"), {"A": 0.6 + 2 * 0.7, "B": 0.1 + 2 * 0.3, "C": 0.3 + 1})


def test_w_shaped_with_milestones():
    frame = paths(("A > B > C > D > E", 1, 10, 0), ("A > B", 1, 0, 0), lead_touch=[2, 1], opportunity_touch=[4, 2])
    # path 1: first A, lead B, opportunity D get 30% each; C and E share 10%
    # path 2: first and lead on A (0.6), opportunity on B (0.3); no other touch: shares rescaled to 2/3, 1/3
    expected = {"A": 0.3 + 2 / 3, "B": 0.3 + 1 / 3, "C": 0.05, "D": 0.3, "E": 0.05}
    assert_credit(credit(frame, "w_shaped"), expected)
    assert_credit(credit(frame, "w_shaped", "value"), {k: 10 * v for k, v in {"A": 0.3, "B": 0.3, "C": 0.05,
                                                                             "D": 0.3, "E": 0.05}.items()})


def test_time_decay_on_a_path_file_halves_per_step_back():
    frame = paths(("A > B > C", 7, 70, 0), ("D", 1, 0, 0))
    assert_credit(credit(frame, "time_decay", half_life=1), {"A": 1, "B": 2, "C": 4, "D": 1})
    assert_credit(credit(frame, "time_decay", half_life=2), {
        "A": 7 * 0.5 / (0.5 + 2**-0.5 + 1), "B": 7 * 2**-0.5 / (0.5 + 2**-0.5 + 1),
        "C": 7 / (0.5 + 2**-0.5 + 1), "D": 1})


def test_markov_removal_effects_by_hand():
    # start -> A (1/2), B (1/2); A -> B (1/2), null (1/2); B -> conversion (2/3), null (1/3)
    # P(conversion) = 1/2 * 1/2 * 2/3 + 1/2 * 2/3 = 1/2
    # without A: 1/2 * 2/3 = 1/3 -> removal effect 1/3; without B: 0 -> removal effect 1
    frame = paths(("A > B", 1, 30, 0), ("A", 0, 0, 1), ("B", 1, 10, 1))
    table = from_frame(frame)
    assert conversion_probability(table.touches()) == pytest.approx(1 / 2)
    effects = removal_effects(table.touches()).set_index("channel")["removal_effect"]
    assert effects["A"] == pytest.approx(1 / 3)
    assert effects["B"] == pytest.approx(1)
    assert_credit(credit(frame, "markov"), {"A": 2 * (1 / 3) / (4 / 3), "B": 2 * 1 / (4 / 3)})


def test_markov_value_uses_the_mean_value_of_each_exit():
    # both conversions exit from B (values 30 and 10, mean 20): the value chain is the count chain
    # scaled by 20, so value removal effects equal the conversion ones
    frame = paths(("A > B", 1, 30, 0), ("A", 0, 0, 1), ("B", 1, 10, 1))
    effects = removal_effects(from_frame(frame).touches()).set_index("channel")
    assert effects["value_removal_effect"].to_dict() == pytest.approx(effects["removal_effect"].to_dict())
    assert_credit(credit(frame, "markov", "value"), {"A": 40 * 0.25, "B": 40 * 0.75})


def test_markov_solves_loops_exactly():
    # A -> B (1/2), conversion (1/2); B -> A (1/2), null (1/2); start -> A, B (1/2 each)
    # x_A = x_B / 2 + 1/2, x_B = x_A / 2  ->  x_A = 2/3, x_B = 1/3, P = 1/2
    # without A: 0 (effect 1); without B: x_A = 1/2, P = 1/4 (effect 1/2)
    frame = paths(("A > B > A", 1, 1, 0), ("B", 0, 0, 1))
    effects = removal_effects(from_frame(frame).touches()).set_index("channel")["removal_effect"]
    assert effects.to_dict() == pytest.approx({"A": 1.0, "B": 0.5})
    assert_credit(credit(frame, "markov"), {"A": 2 / 3, "B": 1 / 3})


def test_markov_higher_orders_remember_the_previous_channel():
    # after "A > C" journeys convert, after "B > C" they do not: order 1 cannot tell, order 2 can
    frame = paths(("A > C", 2, 2, 0), ("B > C", 0, 0, 2))
    first = removal_effects(from_frame(frame).touches(), 1).set_index("channel")["removal_effect"]
    second = removal_effects(from_frame(frame).touches(), 2).set_index("channel")["removal_effect"]
    assert first.to_dict() == pytest.approx({"A": 0.5, "B": 0.5, "C": 1.0})  # B blamed as much as A
    assert second.to_dict() == pytest.approx({"A": 1.0, "B": 0.0, "C": 1.0})
    assert_credit(credit(frame, "markov", markov_order=2), {"A": 1.0, "C": 1.0})


def test_markov_with_only_single_touch_paths():
    frame = paths(("A", 1, 5, 0), ("B", 0, 0, 2))
    assert_credit(credit(frame, "markov"), {"A": 1})
    assert_credit(credit(frame, "markov", "value", markov_order=3), {"A": 5})


def _textbook_shapley(frame: pd.DataFrame) -> dict[str, float]:
    """Shapley by the coalition sum, v(S) = conversions of paths whose channels all lie in S."""
    sets = [(frozenset(p.split(" > ")), c) for p, c in zip(frame["path"], frame["conversions"], strict=True)]
    players = sorted(set().union(*(s for s, _ in sets)))
    n = len(players)

    def v(coalition):
        return sum(c for s, c in sets if s <= coalition)

    out = {}
    for i in players:
        others = [p for p in players if p != i]
        total = 0.0
        for k in range(n):
            for rest in combinations(others, k):
                s = frozenset(rest)
                total += factorial(k) * factorial(n - k - 1) / factorial(n) * (v(s | {i}) - v(s))
        out[i] = total
    return out


def test_shapley_classic_three_channel_example():
    frame = paths(("A", 10, 0, 0), ("B", 6, 0, 0), ("C", 4, 0, 0), ("A > B", 12, 0, 0), ("B > C", 8, 0, 0),
                  ("C > A", 6, 0, 0), ("A > B > C", 15, 0, 0), ("B > A > B", 3, 0, 9))
    # each channel set's conversions are split equally among its channels
    expected = {"A": 10 + (12 + 3) / 2 + 6 / 2 + 15 / 3, "B": 6 + (12 + 3) / 2 + 8 / 2 + 15 / 3,
                "C": 4 + 8 / 2 + 6 / 2 + 15 / 3}
    assert_credit(credit(frame, "shapley"), expected)
    assert _textbook_shapley(frame) == pytest.approx(expected)


def test_channels_without_conversions_get_zero_not_missing():
    out = attribute(HAND, MODELS)
    assert set(out["channel"]) == {"A", "B", "C"}
    assert (out.groupby("model").size() == 3).all()




@settings(max_examples=60, deadline=None)
@given(frame=path_tables(), order=st.sampled_from([1, 2, 3]))
def test_credits_sum_to_the_totals(frame, order):
    out = attribute(frame, MODELS, ModelOptions(half_life=1.5, markov_order=order))
    sums = out.groupby("model")[["conversions", "value"]].sum()
    conversions, value = frame["conversions"].sum(), frame["value"].sum()
    if conversions == 0:
        assert np.allclose(sums.to_numpy(), 0)
        return
    assert np.allclose(sums["conversions"], conversions, rtol=1e-9, atol=1e-9)
    assert np.allclose(sums["value"], value, rtol=1e-9, atol=1e-6)
    assert (out[["conversions", "value"]].to_numpy() >= -1e-9).all()
    assert np.allclose(out.groupby("model")["share"].sum(), 1.0)


def test_unknown_model_and_bad_path_tables_are_clear_errors():
    with pytest.raises(ValueError, match="unknown model"):
        attribute(HAND, ["last_click"])
    with pytest.raises(ValueError, match="nulls"):
        attribute(HAND.drop(columns="nulls"))
    with pytest.raises(ValueError, match="row 2, column conversions"):
        attribute(paths(("A", 1, 0, 0), ("B", -1, 0, 0)))
    with pytest.raises(ValueError, match="empty channel"):
        attribute(paths(("A >  > B", 1, 0, 0)))
