"""Scores, point-in-time cut-off, decay, caps, bonuses and the metrics, on a hand-made four-lead table."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smarketing import store
from smarketing.scoring.evaluation import Capacity, curve, evaluate, weekly_volume
from smarketing.scoring.rules import Decay
from smarketing.scoring.rules_file import parse_rules
from smarketing.scoring.scores import DEFAULT_CUTOFF, Cutoff, score_leads
from smarketing.scoring.tuner import Tuner

T0 = datetime(2025, 1, 1)
NOW = datetime(2025, 6, 1)  # the latest timestamp in the data (an L2 page view)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


RULES = """
name = "test"
version = 1
date = 2025-01-01
[thresholds]
fit = 30
interest = 15
[[fit]]
column = "employees"
min = 5000
points = 20
[[fit]]
column = "industry"
in = ["software"]
points = 15
[[fit]]
column = "title"
matches = "\\\\b(VP|Director)\\\\b"
points = 10
[[fit]]
column = "phone"
present = true
points = 5
[[interest]]
event_type = "page_view"
points = 2
cap = 5
[[interest]]
event_type = "pricing_view"
points = 5
[[interest]]
event_type = "demo_request"
points = 10
[[interest]]
event_type = "email_open"
points = 1
[[bonus]]
event_type = "page_view"
min_count = 15
within_days = 30
points = 10
"""


def _events():
    rows = [("L1", day(1 + k), "page_view") for k in range(3)]
    rows += [("L1", day(5), "pricing_view"), ("L1", day(10), "demo_request")]
    rows += [("L1", day(40), "demo_request")]  # after L1 reached SQL (day 20): must not count
    rows += [("L2", NOW - timedelta(days=k), "page_view") for k in range(20)]  # 20 views in the last 20 days
    rows += [("L3", day(1 + k), "email_open") for k in range(5)]
    return rows


@pytest.fixture()
def con():
    con = store.connect(":memory:")
    db = store.raw(con)
    db.executemany(
        "INSERT INTO leads (lead_id, created_at, phone, industry, title, employees, source_group) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            ("L1", day(0), "+1 555 0100", "Software", "VP Sales", 6000, "Events"),
            ("L2", day(0), None, "Retail", "Student", 10, "Paid Social"),
            ("L3", day(0), "", "Software", "Director of IT", 500, "Events"),
            ("L4", day(0), None, None, None, None, None),
        ],
    )
    db.executemany("INSERT INTO events (lead_id, ts, event_type) VALUES (?, ?, ?)", _events())
    db.executemany(
        "INSERT INTO stage_changes VALUES (?, ?, ?)",
        [("L1", "Lead", day(0)), ("L1", "SQL", day(20)), ("L1", "Opportunity", day(30)),
         ("L1", "Customer", day(60)), ("L3", "SQL", day(15)), ("L2", "Lead", day(0))],
    )
    db.executemany(
        "INSERT INTO deals VALUES (?, ?, ?, ?, ?, ?)",
        [("D1", "L1", day(30), day(60), "won", 1000.0), ("D2", "L3", day(16), day(50), "lost", 400.0)],
    )
    return con


@pytest.fixture()
def rules():
    return parse_rules(RULES)


def _scores(con, rules, cutoff=DEFAULT_CUTOFF):
    frame = score_leads(con, rules, cutoff).execute().set_index("lead_id").sort_index()
    return frame


def test_hand_computed_scores(con, rules):
    s = _scores(con, rules)
    # L1: 20 (size) + 15 (software) + 10 (VP) + 5 (phone); page views 3×2 capped at 5, pricing 5, demo 10.
    assert s.loc["L1", "fit"] == 50 and s.loc["L1", "interest"] == 20
    # L2: no fit; 20 page views capped at 5, plus the frequency bonus (≥ 15 in the 30 days before now).
    assert s.loc["L2", "fit"] == 0 and s.loc["L2", "interest"] == 15
    # L3: software + director; an empty phone is not "present"; five email opens before its SQL moment.
    assert s.loc["L3", "fit"] == 25 and s.loc["L3", "interest"] == 5
    assert s.loc["L4", "fit"] == 0 and s.loc["L4", "interest"] == 0
    assert s.score.tolist() == [70, 15, 30, 0]
    assert s.quadrant.tolist() == ["hot", "low_cost_followup", "drop", "drop"]
    assert s.is_mql.tolist() == [True, False, False, False]


def test_event_after_cutoff_changes_nothing(con, rules):
    before = _scores(con, rules)
    store.raw(con).executemany(
        "INSERT INTO events (lead_id, ts, event_type) VALUES (?, ?, ?)",
        [("L1", day(21), "pricing_view"), ("L3", day(16), "demo_request")],
    )
    after = _scores(con, rules)
    assert after[["fit", "interest", "is_mql"]].equals(before[["fit", "interest", "is_mql"]])


def test_days_after_creation_cutoff(con, rules):
    s = _scores(con, rules, Cutoff("days", 2))
    assert s.loc["L1", "interest"] == 4  # only the page views of day 1 and day 2
    assert s.loc["L3", "interest"] == 2


def test_half_life_decay(con, rules):
    decayed = replace(rules, decay=Decay("half_life", half_life_days=10))
    s = _scores(con, decayed)
    # L3's cut-off is day 15: opens on days 1..5 are 14..10 days old.
    expected = sum(0.5 ** ((15 - d) / 10) for d in range(1, 6))
    assert s.loc["L3", "interest"] == pytest.approx(expected)


def test_window_decay(con, rules):
    windowed = replace(rules, decay=Decay("window", window_days=12))
    s = _scores(con, windowed)
    assert s.loc["L1", "interest"] == 10  # cut-off day 20: only the demo request (day 10) is within 12 days
    assert s.loc["L3", "interest"] == 3  # opens on days 3, 4, 5 (≤ 12 days before day 15)


def test_combined_threshold_makes_more_mqls(con, rules):
    s = _scores(con, replace(rules, combined_threshold=30.0))
    assert s.is_mql.tolist() == [True, False, True, False]


def test_metrics_against_direct_count(con, rules):
    loose = replace(rules, fit_threshold=0.0, interest_threshold=5.0)
    m = evaluate(score_leads(con, loose), "won", Capacity(2, 10))
    # MQLs: L1 (20), L2 (15), L3 (5); won: L1 only.
    assert (m["mqls"], m["caught"], m["positives"], m["leads"]) == (3, 1, 1, 4)
    assert m["precision"] == pytest.approx(1 / 3)
    assert m["recall"] == 1
    assert m["lift"] == pytest.approx((1 / 3) / (1 / 4))
    assert m["f1"] == pytest.approx(2 * (1 / 3) / (1 / 3 + 1))
    assert m["won_revenue_captured"] == 1000 and m["won_revenue_share"] == 1
    assert m["mqls_per_week"] == 3  # all leads created the same day: one week
    assert m["capacity"] == 20 and m["capacity_use"] == pytest.approx(3 / 20)
    sql = evaluate(score_leads(con, loose), "sql")
    assert (sql["positives"], sql["caught"]) == (2, 2)


@pytest.mark.parametrize("vary", ["interest", "fit", "combined"])
@pytest.mark.parametrize("combined", [None, 40.0])
def test_curve_matches_one_threshold_at_a_time(con, rules, vary, combined):
    base = replace(rules, fit_threshold=0.0, interest_threshold=5.0,
                   combined_threshold=combined if vary != "combined" else 40.0)
    c = curve(score_leads(con, base), base, "won", vary)
    assert len(c) > 0
    field = {"interest": "interest_threshold", "fit": "fit_threshold", "combined": "combined_threshold"}[vary]
    for row in c.itertuples():
        one = replace(base, **{field: float(row.threshold)})
        m = evaluate(score_leads(con, one), "won")
        assert (row.mqls, row.caught) == (m["mqls"], m["caught"]), row.threshold
        assert row.won_revenue_captured == m["won_revenue_captured"]


def test_engine_matches_database(con, rules):
    engine = Tuner.load(con, rules)
    db = _scores(con, rules)
    s = engine.scores(rules)
    assert list(engine.lead_id) == db.index.tolist()
    assert s.fit.tolist() == db.fit.tolist() and s.interest.tolist() == db.interest.tolist()
    for vary in ("interest", "fit", "combined"):
        r = replace(rules, fit_threshold=0.0, interest_threshold=5.0, combined_threshold=40.0)
        a = curve(score_leads(con, r), r, "won", vary)
        b = engine.curve(r, "won", vary)
        assert a.threshold.tolist() == b.threshold.tolist()
        assert a.mqls.tolist() == b.mqls.tolist() and a.caught.tolist() == b.caught.tolist()
    assert engine.evaluate(rules, "won") == evaluate(score_leads(con, rules), "won")
    db_weekly = weekly_volume(score_leads(con, rules))
    mem_weekly = engine.weekly(rules)
    assert mem_weekly.week.tolist() == db_weekly.week.tolist()
    assert mem_weekly.mqls.tolist() == db_weekly.mqls.tolist()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fit_points=st.lists(st.integers(-25, 50), min_size=4, max_size=4),
    event_points=st.lists(st.integers(-10, 25), min_size=4, max_size=4),
    thresholds=st.tuples(st.integers(-20, 80), st.integers(0, 40)),
)
def test_reweighting_in_memory_equals_database(con, rules, fit_points, event_points, thresholds):
    """Any points and thresholds: the in-memory engine scores and classifies exactly like the database."""
    engine = Tuner.load(con, rules)
    new = rules.with_points(fit=fit_points, interest=event_points, fit_threshold=float(thresholds[0]),
                            interest_threshold=float(thresholds[1]))
    db = _scores(con, new)
    s = engine.scores(new)
    assert s.fit.tolist() == pytest.approx(db.fit.tolist())
    assert s.interest.tolist() == pytest.approx(db.interest.tolist())
    assert s.is_mql.tolist() == db.is_mql.tolist()
    m = engine.evaluate(new, "won")
    assert 0 <= m["mqls"] <= m["leads"] and m["caught"] <= min(m["mqls"], m["positives"])


def test_weekly_volume_sums_to_mqls(con, rules):
    engine = Tuner.load(con, rules)
    loose = replace(rules, fit_threshold=0.0, interest_threshold=5.0)
    weekly = engine.weekly(loose)
    assert weekly.mqls.sum() == 3 and weekly.caught.sum() == 1


def test_quadrant_view_and_list(con, rules):
    from smarketing.charts.scoring import quadrant_density
    from smarketing.filters import Filters
    from smarketing.leadflow.lists import quadrant_list
    from smarketing.scoring.quadrants import quadrant_view

    store.raw(con).execute("UPDATE leads SET email = 'ann.lee@acme.com' WHERE lead_id = 'L1'")
    view = quadrant_view(con, rules, DEFAULT_CUTOFF, Filters(), sample=2)
    summary = view["summary"].set_index("quadrant")
    assert summary.leads.to_dict() == {"hot": 1, "nurture": 0, "low_cost_followup": 1, "drop": 2}
    assert summary.loc["hot", "won_rate"] == 1 and summary.loc["drop", "sql_rate"] == 0.5
    assert summary.loc["hot", "median_days_to_close"] == 60
    assert view["total"] == 4 and len(view["points"]) == 2  # sampled: more leads than the limit
    assert view["points"].fit.dtype == "float64"  # DOUBLE in the database too, not DECIMAL
    assert view["density"].leads.sum() == 4
    assert quadrant_density(view["density"], 30, 15).data[0].type == "heatmap"
    by = view["by"]
    assert by[by.source_group == "Events"].set_index("quadrant").leads.to_dict() == {"drop": 1, "hot": 1}
    hot = quadrant_list(con, rules, DEFAULT_CUTOFF, Filters(), "hot")
    assert hot.lead_id.tolist() == ["L1"] and hot.quadrant.tolist() == ["hot"]
    assert hot.email.tolist() == ["ann.lee@acme.com"]  # masked where it is shown or written (leadlists.as_csv)
    assert hot.last_activity.iloc[0] == day(40)  # last activity is any event, also after the cut-off
    assert not [t for t in con.list_tables() if t.startswith("_scored_")]


def test_engine_memo_follows_point_changes(con, rules):
    """The engine keeps the last fit / interest arrays; changing points must still give fresh scores."""
    engine = Tuner.load(con, rules)
    first = engine.scores(rules)
    more = rules.with_points(fit=[40, 15, 10, 5], interest=[2, 5, 20, 1])
    again = engine.scores(more)
    assert again.fit.tolist() == [70, 0, 25, 0] and again.interest.tolist() == [30, 15, 5, 0]
    assert engine.scores(rules).fit.tolist() == first.fit.tolist()
    with pytest.raises(ValueError):
        first.fit[0] = 1  # cached arrays are read-only
