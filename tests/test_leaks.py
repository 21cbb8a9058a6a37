"""Leak detection: the z-test by hand and the ranking of falls."""

from datetime import date

import pytest

from smarketing.filters import Filters
from smarketing.funnel.leaks import leaks, two_proportion_p_value


def test_two_proportion_p_value_by_hand():
    # 30/100 vs 50/100: pooled 0.4, se = sqrt(.4*.6*(2/100)) = 0.069282, z = 2.8868, p = 0.003892
    assert two_proportion_p_value(30, 100, 50, 100) == pytest.approx(0.003892, abs=1e-5)
    assert two_proportion_p_value(5, 10, 5, 10) == pytest.approx(1.0)
    assert two_proportion_p_value(1, 0, 1, 2) != two_proportion_p_value(1, 0, 1, 2)  # NaN when undefined


def test_biggest_fall_first(make_con):
    leads, changes = [], []
    # previous period (Jan): 10 MQLs, 8 became SQL. current (Feb): 10 MQLs, 2 became SQL
    for month, converted in ((1, 8), (2, 2)):
        for i in range(10):
            lid = f"M{month}-{i}"
            leads.append({"lead_id": lid, "created_at": f"2024-{month:02d}-02"})
            changes.append({"lead_id": lid, "stage": "MQL", "entered_at": f"2024-{month:02d}-03"})
            if i < converted:
                changes.append({"lead_id": lid, "stage": "SQL", "entered_at": f"2024-{month:02d}-05"})
    con = make_con(leads=leads, stage_changes=changes)
    found = leaks(con, Filters(date(2024, 2, 1), date(2024, 2, 29), "period"))
    top = found.iloc[0]
    assert top.transition == "MQL → SQL"
    assert top.rate_before == pytest.approx(0.8)
    assert top.rate_now == pytest.approx(0.2)
    assert top.change == pytest.approx(-0.6)
    assert top.p_value == pytest.approx(two_proportion_p_value(2, 10, 8, 10))
    assert bool(top.significant)


def test_previous_period_needs_a_closed_window():
    with pytest.raises(ValueError, match="start and an end"):
        Filters(since=date(2024, 1, 1)).previous()
    prev = Filters(date(2024, 3, 1), date(2024, 3, 31)).previous()
    assert (prev.since, prev.until) == (date(2024, 1, 30), date(2024, 2, 29))
