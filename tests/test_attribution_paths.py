"""Journeys aggregated to distinct paths in the database, on a tiny hand-made table; path files."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from smarketing.attribution.journeys import path_table
from smarketing.attribution.paths import PathParams, from_frame, read_path_file
from smarketing.attribution.report import attribution, attribution_from_paths, journey_flows, top_paths
from smarketing.filters import Filters

LEADS = [
    # L1: one touch before it became a lead, one at creation, one before the win, one after it (ignored)
    {"lead_id": "L1", "created_at": "2026-01-10", "email": "a@x.com"},
    # L2: two touches, no deal
    {"lead_id": "L2", "created_at": "2026-01-05"},
    # L3: an old touch outside the 90-day lookback, one inside
    {"lead_id": "L3", "created_at": "2025-06-01"},
    # L4: won without any touch: cannot be credited
    {"lead_id": "L4", "created_at": "2026-01-01"},
    # L5: a touch, a lost deal
    {"lead_id": "L5", "created_at": "2026-02-01"},
    # L6: a touch without a channel (ignored) and a channel written with spaces
    {"lead_id": "L6", "created_at": "2026-01-02"},
]
EVENTS = [
    {"lead_id": "L1", "ts": "2026-01-01", "event_type": "page_view", "channel": "Paid Search"},
    {"lead_id": "L1", "ts": "2026-01-10", "event_type": "form_submit", "channel": "Email"},
    {"lead_id": "L1", "ts": "2026-02-01", "event_type": "event_attended", "channel": "Events"},
    {"lead_id": "L1", "ts": "2026-03-01", "event_type": "page_view", "channel": "Direct"},
    {"lead_id": "L2", "ts": "2026-01-05", "event_type": "email_open", "channel": "Email"},
    {"lead_id": "L2", "ts": "2026-01-06", "event_type": "email_open", "channel": "Email"},
    {"lead_id": "L3", "ts": "2025-06-01", "event_type": "page_view", "channel": "Paid Search"},
    {"lead_id": "L3", "ts": "2025-12-01", "event_type": "email_click", "channel": "Email"},
    {"lead_id": "L5", "ts": "2026-02-02", "event_type": "page_view", "channel": "Direct"},
    {"lead_id": "L6", "ts": "2026-01-02", "event_type": "page_view", "channel": None},
    {"lead_id": "L6", "ts": "2026-01-03", "event_type": "email_open", "channel": " Email "},
]
DEALS = [
    {"deal_id": "D1", "lead_id": "L1", "created_at": "2026-01-20", "closed_at": "2026-02-10", "status": "won",
     "amount": 1000},
    {"deal_id": "D3", "lead_id": "L3", "created_at": "2026-01-01", "closed_at": "2026-01-15", "status": "won",
     "amount": 500},
    {"deal_id": "D4", "lead_id": "L4", "created_at": "2026-01-02", "closed_at": "2026-01-20", "status": "won",
     "amount": 300},
    {"deal_id": "D5", "lead_id": "L5", "created_at": "2026-02-03", "closed_at": "2026-02-20", "status": "lost",
     "amount": 800},
]
CHANGES = [
    {"lead_id": "L1", "stage": "MQL", "entered_at": "2026-01-15"},
    {"lead_id": "L1", "stage": "Customer", "entered_at": "2026-02-10"},
    {"lead_id": "L2", "stage": "SQL", "entered_at": "2026-01-07"},
]


@pytest.fixture()
def con(make_con):
    return make_con(leads=LEADS, events=EVENTS, deals=DEALS, stage_changes=CHANGES)


def as_dict(table) -> dict[str, tuple]:
    frame = table.to_frame()
    return {r.path: (r.conversions, r.value, r.nulls) for r in frame.itertuples()}


def test_won_paths_with_lookback_and_unattributed(con):
    table = path_table(con, PathParams())
    assert as_dict(table) == {
        "Paid Search > Email > Events": (1, 1000, 0),
        "Email": (1, 500, 1),  # L3 inside the lookback, L6 did not convert
        "Email > Email": (0, 0, 1),
        "Direct": (0, 0, 1),
    }
    assert table.unattributed == (1, 300)
    assert (table.total_conversions, table.total_value) == (2, 1500)
    assert table.channels == ["Direct", "Email", "Events", "Paid Search"]


def test_milestones_for_w_shaped(con):
    table = path_table(con, PathParams())
    row = table.paths.iloc[[i for i, p in enumerate(table.path_strings()) if p.startswith("Paid")][0]]
    # L1: created 2026-01-10 (touch 2 at or before it), won deal created 2026-01-20 (still touch 2)
    assert (row["lead_touch"], row["opportunity_touch"]) == (1, 1)
    credits = attribution_from_paths(table, ["w_shaped"]).credits.set_index("channel")["conversions"]
    # L1: first 0.3 on Paid Search, lead and opportunity 0.6 on Email, Events the rest 0.1; L3: Email 1
    assert credits.to_dict() == pytest.approx({"Direct": 0, "Email": 0.6 + 1, "Events": 0.1, "Paid Search": 0.3})


def test_time_decay_uses_touch_times(con):
    table = path_table(con, PathParams(half_life_days=7))
    # L1 touches 40, 31 and 9 days before the win; L3 a single touch
    weights = {"Paid Search": 2 ** (-40 / 7), "Email": 2 ** (-31 / 7), "Events": 2 ** (-9 / 7)}
    total = sum(weights.values())
    decay = table.decay.set_index("channel")
    assert decay["conversions"].to_dict() == pytest.approx(
        {"Direct": 0, "Email": weights["Email"] / total + 1, "Events": weights["Events"] / total,
         "Paid Search": weights["Paid Search"] / total})
    assert decay.loc["Events", "value"] == pytest.approx(1000 * weights["Events"] / total)


def test_longer_lookback_and_count_value(con):
    table = path_table(con, PathParams(lookback_days=250, value="count"))
    assert as_dict(table)["Paid Search > Email"] == (1, 1, 0)
    assert table.total_value == 2


def test_cohort_and_period_windows(con):
    cohort = path_table(con, PathParams(), Filters(since=date(2026, 1, 1), until=date(2026, 12, 31)))
    assert cohort.total_conversions == 1 and cohort.unattributed == (1, 300)  # L3 was created in 2025
    period = path_table(con, PathParams(), Filters(since=date(2026, 2, 1), until=date(2026, 2, 28), mode="period"))
    assert as_dict(period) == {"Paid Search > Email > Events": (1, 1000, 0), "Direct": (0, 0, 1)}


def test_stage_conversions_use_stage_reach(con):
    table = path_table(con, PathParams(conversion="mql"))
    # L1 reached MQL on 2026-01-15 (touches up to then), L2 reached SQL (so MQL) on 2026-01-07
    assert as_dict(table) == {"Paid Search > Email": (1, 1000, 0), "Email > Email": (1, 0, 0),
                              "Email": (0, 0, 2), "Direct": (0, 0, 1)}


def test_attribution_on_the_database_sums_to_totals(con):
    result = attribution(con)
    sums = result.credits.groupby("model")[["conversions", "value"]].sum()
    assert sums["conversions"].tolist() == pytest.approx([2] * 8)
    assert sums["value"].tolist() == pytest.approx([1500] * 8)


def test_empty_database_gives_empty_paths(make_con):
    table = path_table(make_con(leads=LEADS[:1]), PathParams())
    assert table.total_conversions == 0 and table.to_frame().empty
    assert attribution_from_paths(table).credits["conversions"].sum() == 0


def test_path_file_round_trip(tmp_path, con):
    table = path_table(con, PathParams())
    file = tmp_path / "paths.csv"
    table.to_frame().to_csv(file, index=False)
    again = read_path_file(file)
    assert as_dict(again) == as_dict(table)


def test_path_file_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("path,conversions,value,nulls\nA > B,1,x,0\n")
    with pytest.raises(ValueError, match="row 1, column value"):
        read_path_file(bad)
    with pytest.raises(ValueError, match="cannot read|no rows"):
        read_path_file(tmp_path / "missing.csv")


def test_top_paths_and_flows():
    table = from_frame(pd.DataFrame({"path": ["A > A > B", "A > B", "C > A > B > C"], "conversions": [2, 1, 1],
                                     "value": [0, 0, 0], "nulls": [0, 3, 1]}))
    top = top_paths(table)
    assert top.iloc[0][["path", "journeys", "conversions"]].tolist() == ["A > B", 6, 3]  # repeats collapsed
    assert top.iloc[0]["conversion_rate"] == pytest.approx(0.5)
    flows = journey_flows(table, steps=2).set_index(["source", "target"])["journeys"].to_dict()
    assert flows == {("1. A", "2. A"): 2, ("1. A", "2. B"): 1, ("1. C", "2. A"): 1, ("2. A", "… more touches"): 3,
                     ("2. B", "Converted"): 1, ("… more touches", "Converted"): 3}


def test_top_paths_written_shorter_count_long_journeys_together():
    """Long converting journeys are each one of a kind; written as first and last touch they share a path."""
    table = from_frame(pd.DataFrame({"path": ["A > B > C > D", "A > C > D", "A > D", "B > D", "A"],
                                     "conversions": [1, 1, 0, 1, 0], "value": [10, 20, 0, 5, 0],
                                     "nulls": [0, 0, 2, 1, 4]}))
    top = top_paths(table, view="first_last").set_index("path")
    # A > B > C > D and A > C > D become "A > … > D": 2 conversions of 2 journeys; A > D stays apart
    assert top.loc["A > … > D", ["journeys", "conversions", "value"]].tolist() == [1 + 1, 1 + 1, 10 + 20]
    assert top.loc["A > D", "journeys"] == 2 and top.index[0] == "A > … > D"
    last = top_paths(table, view="last_3").path.tolist()  # one conversion each: by value, 20, 10, then 5
    assert last[:3] == ["A > C > D", "… > B > C > D", "B > D"]
    enough = top_paths(table, view="first_last", min_journeys=3)  # B > D has 2 journeys, A > D 2, A 4
    assert enough.path.tolist() == ["A"] and enough.conversion_rate.tolist() == [0]
