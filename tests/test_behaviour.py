"""Behaviour funnel: step order and the conversion window, on hand-made event streams."""

from datetime import date

import pytest

from smarketing.filters import Filters
from smarketing.funnel.behaviour import behaviour_funnel

STEPS = ["content_download", "pricing_view", "demo_request"]


def ev(lead, day, kind, hour=0):
    return {"lead_id": lead, "ts": f"2024-01-{day:02d} {hour:02d}:00:00", "event_type": kind}


@pytest.fixture()
def con(make_con):
    leads = [{"lead_id": f"L{i}", "created_at": "2024-01-01"} for i in range(1, 7)]
    events = [
        # L1: all three in order within 10 days
        ev("L1", 1, "content_download"), ev("L1", 3, "pricing_view"), ev("L1", 5, "demo_request"),
        # L2: pricing before download only -> step 1 only; its demo after a later pricing view counts at step 3? no:
        ev("L2", 2, "pricing_view"), ev("L2", 4, "content_download"),
        # L3: in order, but the demo comes 12 days after the first step (window 10) -> 2 steps
        ev("L3", 1, "content_download"), ev("L3", 2, "pricing_view"), ev("L3", 13, "demo_request"),
        # L4: the window counts from the FIRST step 1: download on day 1, download again day 20, pricing day 21
        ev("L4", 1, "content_download"), ev("L4", 20, "content_download"), ev("L4", 21, "pricing_view"),
        # L5: demo before pricing: step 3 must come after step 2 -> 2 steps
        ev("L5", 1, "content_download"), ev("L5", 2, "demo_request"), ev("L5", 3, "pricing_view"),
        # L6: nothing relevant
        ev("L6", 1, "page_view"),
    ]
    return make_con(leads=leads, events=events)


def test_order_and_window(con):
    f = behaviour_funnel(con, STEPS, 10)
    # step 1: L1-L5 = 5; step 2: L1, L3, L5 (L2 pricing before download; L4 pricing 20 days after first step)
    # step 3: L1 only (L3 too late, L5 demo before pricing)
    assert f.leads.tolist() == [5, 3, 1]
    assert f.conversion_from_previous.tolist() == pytest.approx([1, 0.6, 1 / 3])
    assert f.conversion_from_first.tolist() == pytest.approx([1, 0.6, 0.2])


def test_wider_window_lets_late_steps_count(con):
    f = behaviour_funnel(con, STEPS, 30)
    # L3's demo now inside; L4's pricing (day 21) inside the 30 days from day 1
    assert f.leads.tolist() == [5, 4, 2]


def test_median_hours_between_steps(con):
    f = behaviour_funnel(con, STEPS, 10)
    # step 2 gaps: L1 48 h, L3 24 h, L5 48 h -> median 48
    assert f.median_hours_from_previous.iloc[1] == pytest.approx(48)


def test_period_mode_starts_at_first_step_in_window(con):
    f = behaviour_funnel(con, STEPS, 10, Filters(date(2024, 1, 15), date(2024, 1, 31), "period"))
    # only L4's second download (day 20) starts in the window; pricing day 21 follows
    assert f.leads.tolist() == [1, 1, 0]


def test_step_count_and_window_are_validated(con):
    with pytest.raises(ValueError, match="2 to 6 steps"):
        behaviour_funnel(con, ["page_view"], 10)
    with pytest.raises(ValueError, match="must be positive"):
        behaviour_funnel(con, STEPS, 0)


def test_repeated_event_type_needs_a_second_occurrence(make_con):
    con = make_con(leads=[{"lead_id": "A", "created_at": "2024-01-01"}, {"lead_id": "B", "created_at": "2024-01-01"}],
                   events=[ev("A", 1, "page_view"), ev("A", 2, "page_view"), ev("B", 1, "page_view")])
    assert behaviour_funnel(con, ["page_view", "page_view"], 10).leads.tolist() == [2, 1]
