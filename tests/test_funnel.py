"""The lifecycle funnel on tiny hand-made tables, with expectations computed by hand."""

from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import stage_names

from smarketing.filters import Filters
from smarketing.funnel.lifecycle import cohort_table, lifecycle_funnel, side_stage_counts
from smarketing.reach import stage_reach
from smarketing.stages import PACKAGED_STAGES as DEFAULT_STAGES

JAN = Filters(date(2024, 1, 1), date(2024, 1, 31))

LEADS = [
    # L1: full path with a skipped SQL (Lead -> MQL -> Opportunity -> Customer)
    {"lead_id": "L1", "created_at": "2024-01-02", "source_group": "Paid"},
    # L2: MQL returned to nurture (MQL -> Lead), then never further
    {"lead_id": "L2", "created_at": "2024-01-10", "source_group": "Paid"},
    # L3: no stage changes at all
    {"lead_id": "L3", "created_at": "2024-01-31 23:59:59", "source_group": "Organic"},
    # L4: created before the window, reaches SQL inside it
    {"lead_id": "L4", "created_at": "2023-12-20", "source_group": "Organic"},
    # L5: created right after the window
    {"lead_id": "L5", "created_at": "2024-02-01 00:00:00", "source_group": "Organic"},
]
CHANGES = [
    {"lead_id": "L1", "stage": "Lead", "entered_at": "2024-01-02"},
    {"lead_id": "L1", "stage": "MQL", "entered_at": "2024-01-04"},
    {"lead_id": "L1", "stage": "Opportunity", "entered_at": "2024-01-14"},
    {"lead_id": "L1", "stage": "Customer", "entered_at": "2024-02-20"},
    {"lead_id": "L2", "stage": "Subscriber", "entered_at": "2024-01-10"},
    {"lead_id": "L2", "stage": "MQL", "entered_at": "2024-01-12"},
    {"lead_id": "L2", "stage": "Lead", "entered_at": "2024-01-20"},
    {"lead_id": "L4", "stage": "Lead", "entered_at": "2023-12-20"},
    {"lead_id": "L4", "stage": "MQL", "entered_at": "2023-12-30"},
    {"lead_id": "L4", "stage": "SQL", "entered_at": "2024-01-05"},
    {"lead_id": "L4", "stage": "Other", "entered_at": "2024-01-25"},
    {"lead_id": "L5", "stage": "MQL", "entered_at": "2024-02-03"},
]


@pytest.fixture()
def con(make_con):
    return make_con(leads=LEADS, stage_changes=CHANGES)


def counts(frame: pd.DataFrame) -> list[int]:
    return frame["leads"].tolist()


def test_cohort_counts_skipped_stages_and_returns(con):
    # cohort Jan: L1, L2, L3 (L3 at 23:59:59 on the last day is inside; L5 at midnight after is not)
    f = lifecycle_funnel(con, JAN)
    assert f.stage.tolist() == DEFAULT_STAGES.names
    # Subscriber: all 3; Lead: L1, L2 (via MQL) = 2; MQL: L1, L2; SQL: L1 (skipped, implied by Opportunity);
    # Opportunity: L1; Customer: L1 (followed to today, beyond the window)
    assert counts(f) == [3, 2, 2, 1, 1, 1]
    assert f.conversion_from_previous.tolist() == pytest.approx([1, 2 / 3, 1, 0.5, 1, 1])
    assert f.conversion_from_first.tolist() == pytest.approx([1, 2 / 3, 2 / 3, 1 / 3, 1 / 3, 1 / 3])


def test_days_between_stages(con):
    f = lifecycle_funnel(con, JAN).set_index("stage")
    # Lead: L1 0 days (created and Lead the same day), L2: Subscriber Jan 10 -> MQL Jan 12 implies Lead = 2 days
    assert f.loc["Lead", "median_days_from_previous"] == pytest.approx(1.0)
    # MQL: L1 2 days, L2 0 days (the MQL entry is what implied Lead)
    assert f.loc["MQL", "median_days_from_previous"] == pytest.approx(1.0)
    # SQL skipped by L1: implied at the Opportunity entry, 10 days after MQL; Opportunity 0 days after SQL
    assert f.loc["SQL", "median_days_from_previous"] == pytest.approx(10.0)
    assert f.loc["Opportunity", "median_days_from_previous"] == pytest.approx(0.0)
    assert f.loc["Customer", "median_days_from_previous"] == pytest.approx(37.0)


def test_period_mode_counts_reaches_inside_the_window(con):
    f = lifecycle_funnel(con, Filters(date(2024, 1, 1), date(2024, 1, 31), "period"))
    # Subscriber reaches in Jan: L1 (Jan 2), L2 (Jan 10), L3 (Jan 31) -> 3; L4 reached it in Dec
    # Lead: L1, L2 (implied Jan 12) -> 2; MQL: L1, L2 -> 2; SQL: L4 (Jan 5), L1 (implied Jan 14) -> 2
    # Opportunity: L1 (Jan 14) -> 1; Customer: L1 on Feb 20 is outside -> 0
    assert counts(f) == [3, 2, 2, 2, 1, 0]


def test_period_window_edges(con):
    # a one-day window on Feb 1: only L5's creation (exactly midnight) counts
    f = lifecycle_funnel(con, Filters(date(2024, 2, 1), date(2024, 2, 1), "period"))
    assert counts(f) == [1, 0, 0, 0, 0, 0]
    # Feb 3 catches L5's MQL (implying Lead the same moment)
    f = lifecycle_funnel(con, Filters(date(2024, 2, 3), date(2024, 2, 3), "period"))
    assert counts(f) == [0, 1, 1, 0, 0, 0]


def test_breakdown_and_segments(con):
    f = lifecycle_funnel(con, JAN, by="source_group")
    paid = f[f.source_group == "Paid"]
    organic = f[f.source_group == "Organic"]
    assert counts(paid) == [2, 2, 2, 1, 1, 1]
    assert counts(organic) == [1, 0, 0, 0, 0, 0]
    seg = lifecycle_funnel(con, Filters(date(2024, 1, 1), date(2024, 1, 31), segments={"source_group": ("Organic",)}))
    assert counts(seg) == [1, 0, 0, 0, 0, 0]


def test_unknown_breakdown_column_is_an_error(con):
    with pytest.raises(ValueError, match="no such lead column"):
        lifecycle_funnel(con, JAN, by="nope")


def test_empty_window_gives_zero_counts(con):
    f = lifecycle_funnel(con, Filters(date(2030, 1, 1), date(2030, 1, 31)))
    assert counts(f) == [0] * 6
    assert f.conversion_from_first.isna().all()


def test_stage_reach_is_monotone(con):
    r = stage_reach(con).execute().set_index("lead_id")
    assert r.loc["L3", "at_subscriber"] == pd.Timestamp("2024-01-31 23:59:59")
    assert pd.isna(r.loc["L3", "at_lead"])
    assert r.loc["L1", "at_sql"] == pd.Timestamp("2024-01-14")  # skipped: implied by Opportunity
    assert r.loc["L2", "at_lead"] == pd.Timestamp("2024-01-12")  # the later return to Lead does not count


def test_cohort_table_months(con):
    c = cohort_table(con, Filters(date(2023, 12, 1), date(2024, 2, 29)))
    assert c.cohort.dt.strftime("%Y-%m").tolist() == ["2023-12", "2024-01", "2024-02"]
    assert c.leads.tolist() == [1, 3, 1]
    assert c.loc[1, "MQL"] == pytest.approx(2 / 3)
    assert c.loc[0, "SQL"] == pytest.approx(1.0)


def test_side_stages(con):
    side = side_stage_counts(con, Filters(date(2023, 12, 1), date(2024, 1, 31)))
    assert side.to_dict("records") == [{"stage": "Other", "leads": 1}]


def test_employee_bands_in_order(make_con):
    leads = [{"lead_id": f"L{i}", "created_at": "2024-01-05", "employees": e}
             for i, e in enumerate([10, 49, 50, 999, 1000, 5000, None])]
    f = lifecycle_funnel(make_con(leads=leads), JAN, by="employees_band")
    first = f[f.stage == "Subscriber"]
    assert first.employees_band.tolist() == ["1–49", "50–199", "200–999", "1,000–4,999", "5,000+", "unknown"]
    assert first.leads.tolist() == [2, 1, 1, 1, 1, 1]




@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 7), stage_names, st.integers(0, 60)), max_size=40))
def test_cohort_counts_never_grow_down_the_funnel(make_con, changes):
    leads = [{"lead_id": f"L{i}", "created_at": f"2024-01-{i + 1:02d}"} for i in range(8)]
    rows = [{"lead_id": f"L{i}", "stage": s, "entered_at": pd.Timestamp("2024-01-01") + pd.Timedelta(days=d)}
            for i, s, d in changes]
    f = lifecycle_funnel(make_con(leads=leads, stage_changes=rows), Filters(date(2024, 1, 1), date(2024, 1, 31)))
    n = counts(f)
    assert n[0] == 8
    assert all(a >= b for a, b in zip(n, n[1:], strict=False))
    assert (f.median_days_from_previous.dropna() >= 0).all()


def test_materialized_reach_equals_the_expression_and_goes_stale_safely(make_con):
    from smarketing import reach

    con = make_con(leads=LEADS, stage_changes=CHANGES)
    on_the_fly = lifecycle_funnel(con, JAN, by="source_group")
    reach.refresh_reach(con)
    name = reach.reach_table_name(DEFAULT_STAGES)
    assert reach._reach_is_current(con, name)
    pd.testing.assert_frame_equal(lifecycle_funnel(con, JAN, by="source_group"), on_the_fly)
    # a change made outside our imports: the stale table is ignored, not trusted
    con.con.execute("INSERT INTO stage_changes VALUES ('L3', 'Customer', TIMESTAMP '2024-02-10')")
    assert not reach._reach_is_current(con, name)
    assert counts(lifecycle_funnel(con, JAN))[-1] == 2


def test_imports_refresh_the_materialized_reach(tmp_path):
    from smarketing import reach, store

    con = store.connect(":memory:")
    leads = tmp_path / "l.csv"
    leads.write_text("lead_id,created_at\nA,2024-01-02\n")
    changes = tmp_path / "s.csv"
    changes.write_text("lead_id,stage,entered_at\nA,SQL,2024-01-03\n")
    store.import_files(con, {"leads": leads, "stage_changes": changes})
    assert reach._reach_is_current(con, reach.reach_table_name(DEFAULT_STAGES))
    assert counts(lifecycle_funnel(con, JAN)) == [1, 1, 1, 1, 0, 0]
