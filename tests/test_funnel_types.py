"""The lifecycle funnel's two types on hand-made stage histories: reached a stage or any later one, and passed
every recorded stage in order (HubSpot's two funnel types)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import stage_names

from smarketing.filters import Filters
from smarketing.funnel.lifecycle import lifecycle_funnel
from smarketing.funnel.ordered import funnel_types, ordered_funnel

STAGES = ["Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer"]


def change(lead, stage, day):
    return {"lead_id": lead, "stage": stage, "entered_at": f"2024-01-{day:02d}"}


@pytest.fixture()
def con(make_con):
    leads = [{"lead_id": f"L{i}", "created_at": "2024-01-01"} for i in range(1, 8)]
    changes = [
        change("L1", "Lead", 2), change("L1", "MQL", 3), change("L1", "SQL", 4),             # in order to SQL
        change("L2", "MQL", 2), change("L2", "SQL", 3),                                       # skipped Lead
        change("L3", "Lead", 2), change("L3", "SQL", 3), change("L3", "MQL", 4),             # SQL before MQL
        change("L4", "Lead", 2), change("L4", "MQL", 3), change("L4", "Lead", 4),            # back to nurture,
        change("L4", "MQL", 5), change("L4", "SQL", 6),                                       # first entries in order
        change("L6", "Lead", 2), change("L6", "MQL", 2),                                      # same moment: in order
        change("L7", "Lead", 2), change("L7", "MQL", 3), change("L7", "SQL", 4), change("L7", "Opportunity", 5),
        change("L7", "Customer", 6),
    ]  # L5 never moved
    return make_con(leads=leads, stage_changes=changes)


def test_reached_counts_skipped_and_returned_stages(con):
    # Lead: all but L5; MQL: the same six (L3 reached it through SQL); SQL: L1, L2, L3, L4, L7
    assert lifecycle_funnel(con).leads.tolist() == [7, 6, 6, 5, 1, 1]


def test_every_stage_in_order(con):
    # Lead: L2 skipped it -> 5; MQL: L1, L3, L4, L6, L7; SQL: L3 entered SQL before MQL, L6 never -> L1, L4, L7
    f = ordered_funnel(con)
    assert f.stage.tolist() == STAGES
    assert f.leads.tolist() == [7, 5, 5, 3, 1, 1]
    assert f.conversion_from_previous.tolist()[:4] == pytest.approx([1, 5 / 7, 1, 3 / 5])
    # days Lead -> MQL between first entries: L1 1, L3 2, L4 1, L6 0, L7 1 -> median 1
    assert f.median_days_from_previous.iloc[2] == pytest.approx(1)


def test_both_types_side_by_side(con):
    both = funnel_types(con)
    assert both.reached.tolist() == [7, 6, 6, 5, 1, 1]
    assert both.in_order.tolist() == [7, 5, 5, 3, 1, 1]
    assert both.in_order_share.tolist() == pytest.approx([1, 5 / 6, 5 / 6, 3 / 5, 1, 1])


def test_a_stage_nobody_records_is_not_required(make_con):
    leads = [{"lead_id": "A", "created_at": "2024-01-01"}, {"lead_id": "B", "created_at": "2024-01-01"}]
    changes = [change("A", "Lead", 2), change("A", "MQL", 3), change("A", "Opportunity", 4),
               change("B", "Lead", 2), change("B", "Opportunity", 3)]  # no SQL dates at all; B skipped MQL
    f = ordered_funnel(make_con(leads=leads, stage_changes=changes))
    # nor Subscriber: both leads entered a later stage, so the funnel starts at Lead (entered, not created)
    assert f.recorded.tolist() == [False, True, True, False, True, False]
    # A passes Opportunity with SQL not required; B skipped the recorded MQL
    assert f[f.recorded].leads.tolist() == [2, 1, 1]
    assert f.set_index("stage").at["Opportunity", "from_stage"] == "MQL"


def test_period_mode_counts_in_order_entries_inside_the_range(con):
    window = Filters(date(2024, 1, 4), date(2024, 1, 31), "period")
    # in-order entries on or after 4 January: L3's MQL (day 4, after its Lead on day 2); SQL of L1 (day 4), L4
    # (day 6), L7 (day 4); L7's Opportunity and Customer. Every lead was created and entered Lead before.
    assert ordered_funnel(con, window).leads.tolist() == [0, 0, 1, 3, 1, 1]


def test_cohort_window_and_breakdown(make_con):
    leads = [{"lead_id": "A", "created_at": "2024-01-01", "source_group": "Paid"},
             {"lead_id": "B", "created_at": "2024-01-01", "source_group": "Organic"},
             {"lead_id": "C", "created_at": "2023-12-01", "source_group": "Paid"}]
    changes = [change("A", "Subscriber", 1), change("A", "Lead", 2), change("B", "MQL", 2),
               {"lead_id": "C", "stage": "Lead", "entered_at": "2023-12-02"}]  # Subscriber recorded (A)
    f = ordered_funnel(make_con(leads=leads, stage_changes=changes), Filters(date(2024, 1, 1), date(2024, 1, 31)),
                       by="source_group")
    paid = f[f.source_group == "Paid"]
    assert paid[paid.recorded].leads.tolist() == [1, 1, 0]  # C was created before the window
    organic = f[f.source_group == "Organic"]
    assert organic[organic.recorded].leads.tolist() == [1, 0, 0]  # B skipped Lead


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 7), stage_names, st.integers(-3, 60)), max_size=40))
def test_in_order_never_exceeds_reached_and_never_grows(make_con, changes):
    leads = [{"lead_id": f"L{i}", "created_at": f"2024-01-{i + 1:02d}"} for i in range(8)]
    rows = [{"lead_id": f"L{i}", "stage": s, "entered_at": pd.Timestamp("2024-01-05") + pd.Timedelta(days=d)}
            for i, s, d in changes]
    con = make_con(leads=leads, stage_changes=rows)
    both = funnel_types(con, Filters(date(2024, 1, 1), date(2024, 1, 31)))
    assert (both.in_order <= both.reached).all()
    assert both.in_order.is_monotonic_decreasing
    assert both.in_order.iloc[0] == both.reached.iloc[0] == 8
