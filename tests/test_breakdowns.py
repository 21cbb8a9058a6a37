"""Breakdown by any lead column (review of issue 12, item 2): the options come from the leads table (the data's own
columns too, never an id, a date or a contact detail), a number is grouped in quintile bands cut on all the leads,
a column of many values keeps its 20 largest groups and "(other)" (funnel.lifecycle.with_breakdown), and the
Funnel, its leaks and Fit vs interest all use them. Ten leads, counted by hand."""

from __future__ import annotations

from datetime import date

import pytest
from apptest import run_page

from smarketing import store
from smarketing.filters import Filters
from smarketing.funnel.breakdowns import breakdown_columns, numeric_bands
from smarketing.funnel.leaks import leaks
from smarketing.funnel.lifecycle import OTHER, breakdown_table, lifecycle_funnel
from smarketing.scoring.quadrants import quadrant_view
from smarketing.scoring.rules import FitRule, Rules
from smarketing.scoring.scores import DEFAULT_CUTOFF
from smarketing.scoring.versions import save_version

BANDS = ["< 8", "8–21.4", "21.4–41.2", "41.2–67.4", "67.4+"]


@pytest.fixture()
def own_db(tmp_path) -> str:
    """Ten leads (L1..L10, created 1-10 March 2026) with columns of their own: landing_page (a, b, c), score i²
    (1, 4, 9, … 100), lead_number 5001..5010 (a number per lead in sequence), visitor_key (its own text per lead),
    plan (one value), signup_day (a date); L7..L10 (scores 49, 64, 81, 100) became customers."""
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,created_at,source_group,landing_page,score,lead_number,visitor_key,plan,signup_day\n"
                     + "".join(f"L{i},2026-03-{i:02d},{'Paid' if i % 2 else 'Organic'},{'abc'[i % 3]},{i * i},"
                               f"{5000 + i},v{i * 7919},basic,2026-03-{i:02d}\n" for i in range(1, 11)))
    changes = tmp_path / "stage_changes.csv"
    changes.write_text("lead_id,stage,entered_at\n" + "".join(f"L{i},Customer,2026-03-20\n" for i in range(7, 11)))
    path = tmp_path / "own.duckdb"
    with store.writing(path, fresh=True) as con:
        store.import_files(con, {"leads": leads, "stage_changes": changes})
    return str(path)


def test_the_options_are_the_columns_that_group_leads(own_db):
    con = store.connect(own_db, read_only=True)
    # source_group has values (the other contract columns are empty); landing_page and score are the data's own;
    # with groups of at most 5 (top=5), lead_number (ten numbers one after the other) and visitor_key (ten texts)
    # are ids: every lead its own; plan (one value) and signup_day (a date) never group leads
    assert breakdown_columns(con, top=5) == ["source_group", "landing_page", "score"]
    # with the default 20, ten values are few enough to be groups
    assert breakdown_columns(con) == ["source_group", "landing_page", "score", "lead_number", "visitor_key"]


def test_a_number_is_grouped_in_quintile_bands(own_db):
    con = store.connect(own_db, read_only=True)
    # quintiles of 1, 4, 9, … 100 (interpolated between the 2nd and 3rd value at 0.2 · 9 = 1.8, …):
    # 4 + 0.8 · 5 = 8, 16 + 0.6 · 9 = 21.4, 36 + 0.4 · 13 = 41.2, 64 + 0.2 · 17 = 67.4
    bands = numeric_bands(con.table("leads"), "score")
    assert [label for _, _, label in bands] == BANDS
    funnel = lifecycle_funnel(con, Filters(), by="score")
    customers = funnel[funnel.stage == "Customer"].set_index("score")
    # two leads per band, in band order; the customers (49, 64, 81, 100) are the two top bands
    assert customers.index.tolist() == BANDS
    assert breakdown_table(funnel, "score").score.tolist() == BANDS  # the table keeps them lowest first
    assert customers.leads.tolist() == [0, 0, 0, 2, 2]
    assert customers.conversion_from_first.tolist() == [0, 0, 0, 2 / 2, 2 / 2]


def test_the_leaks_compare_the_same_bands_in_both_periods(own_db):
    con = store.connect(own_db, read_only=True)
    # 6-10 March against 1-5 March: the bands are cut on all ten leads, so each period has its own leads in them
    found = leaks(con, Filters(date(2026, 3, 6), date(2026, 3, 10)), by="score")
    assert set(found.score) <= set(BANDS)


def test_fit_vs_interest_breaks_down_by_a_column_of_the_data_keeping_the_largest_groups(own_db):
    con = store.connect(own_db, read_only=True)
    rules = Rules("r", 1, date(2026, 1, 1), 10.0, 0.0, fit=(FitRule("Paid", "source_group", 10.0, equals="Paid"),))
    by_page = quadrant_view(con, rules, DEFAULT_CUTOFF, Filters(), by="landing_page")["by"]
    # landing_page a: L3, L6, L9; b: L1, L4, L7, L10; c: L2, L5, L8
    assert by_page.groupby("landing_page").leads.sum().to_dict() == {"a": 3, "b": 4, "c": 3}
    by_score = quadrant_view(con, rules, DEFAULT_CUTOFF, Filters(), by="score")["by"]
    assert by_score.groupby("score").leads.sum().to_dict() == dict.fromkeys(BANDS, 2)
    many = quadrant_view(con, rules, DEFAULT_CUTOFF, Filters(), by="visitor_key")["by"]
    assert len(many) == 10  # ten values: all kept (20 at most, then OTHER)
    assert OTHER == "(other)"


def test_the_pages_offer_the_datas_own_columns(own_db, monkeypatch, tmp_path):
    monkeypatch.setenv("SMARKETING_DB", own_db)
    monkeypatch.setenv("SMARKETING_MAPPINGS", str(tmp_path))
    funnel = run_page("funnel", run=False)
    funnel.run()
    picker = funnel.selectbox(key="breakdown_by")
    assert {"Landing page", "Score"} <= set(picker.options)
    picker.set_value("score").run()
    assert not funnel.exception and not funnel.error
    assert "67.4+" in funnel.dataframe[1].value.iloc[:, 0].tolist()  # the breakdown table's groups are the bands
    leak_options = funnel.selectbox(key="leaks_by").options
    assert "Landing page" in leak_options
    save_version(Rules("r", 1, date(2026, 1, 1), 10.0, 0.0, fit=(FitRule("Paid", "source_group", 10.0,
                                                                          equals="Paid"),)), own_db)
    quadrants = run_page("fit_interest")
    assert "Score" in quadrants.selectbox(key="fi_by").options and not quadrants.error
