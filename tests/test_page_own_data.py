"""Every page on data that is not our demo (AppTest): an MQL list plus a won file with no events, hand-offs or
SQL dates; a lead file with a 0/1 converted flag and one date for every lead; won deals without amounts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from apptest import run_page

from smarketing import store
from smarketing.importers import formats, loading, mapping, read_table
from smarketing.importers.assemble import prepare
from smarketing.importers.guess import guess
from smarketing.ui import pages as ui_pages

EXPORTS = Path(__file__).parent / "data" / "exports"
PAGES = [p.key for p in ui_pages.PAGES]  # every page of the app


def texts(at, kind: str) -> str:
    return " ".join(str(e.value) for e in getattr(at, kind))


def sound(at, page: str):
    """No error alert, and (Fit vs interest) not every lead in one quadrant: a page that works, not only one that
    ends without an exception."""
    assert not at.error, [e.value for e in at.error]
    if page == "fit_interest" and at.dataframe:
        shares = at.dataframe[0].value["share"]
        assert shares.max() < 100, shares.tolist()  # shown in per cent
    return at


@pytest.fixture(scope="module")
def olist_db(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("olist") / "olist.duckdb"
    files = {"mqls": EXPORTS / "olist" / "olist_marketing_qualified_leads_dataset.csv",
             "won": EXPORTS / "olist" / "olist_closed_deals_dataset.csv"}
    with store.writing(path, fresh=True) as con:
        prepared, mode = formats.prepare_mapped(files, tables={"won": "deals"})
        loading.load(con, prepared, mode=mode)
    return str(path)


@pytest.fixture(scope="module")
def converted_db(tmp_path_factory) -> str:
    """The lead-scoring file: Converted (0/1) is the Customer stage, every lead created on one day."""
    path = tmp_path_factory.mktemp("xedu") / "xedu.duckdb"
    raw = read_table(EXPORTS / "lead_scoring_converted" / "Leads.csv")
    tm = guess(raw, "leads")
    tm.columns["Converted"] = ("stage:Customer",)
    tm.constants["created_at"] = "2024-06-30"
    with store.writing(path, fresh=True) as con:
        loading.load(con, prepare({"leads": raw}, mapping.Mapping("x", {"leads": tm})))
    return str(path)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_on_an_mql_list_and_a_won_file(page, olist_db, monkeypatch, tmp_path):
    monkeypatch.setenv("SMARKETING_DB", olist_db)
    monkeypatch.setenv("SMARKETING_MAPPINGS", str(tmp_path))
    at = sound(run_page(page, timeout=240), page)
    assert "No data in this range" not in texts(at, "info")


def test_what_this_data_lacks_is_said_not_no_data(olist_db, monkeypatch):
    monkeypatch.setenv("SMARKETING_DB", olist_db)
    funnel = run_page("funnel", timeout=240)
    assert "Not recorded in this data: Subscriber, Lead, SQL, Opportunity" in texts(funnel, "caption")  # all are MQLs
    table = funnel.dataframe[0].value.set_index("stage")
    assert table.at["SQL", "leads"] != table.at["SQL", "leads"] and funnel.dataframe[0].proto.placeholder == "–"
    assert table.at["Customer", "from_stage"] == "MQL"  # unknown shown as "–", no 100% pass-through
    assert "No events imported" in texts(funnel, "info")  # the behaviour funnel
    assert "No previous period in the data" in texts(funnel, "info")  # the leaks: the data starts in 2018
    assert "No events imported" in texts(run_page("attribution", timeout=240), "info")
    assert "No hand-offs imported" in texts(run_page("lead_flow", timeout=240), "info")
    tuner = run_page("scoring_tuner", timeout=240)  # the won file's columns are known only after the sale
    assert "No scoring rules can be built from this data yet: 33 of its 300 leads are won deals" in texts(tuner, "info")
    assert not tuner.error


def test_a_converted_flag_and_one_date_for_every_lead_score_and_suggest(converted_db, monkeypatch):
    monkeypatch.setenv("SMARKETING_DB", converted_db)
    for page in ("fit_interest", "scoring_tuner", "funnel", "home"):
        sound(run_page(page, timeout=240), page)  # fit-only scoring, identical creation dates: no error
    tuner = run_page("scoring_tuner", timeout=240)
    assert any("Converted" not in m.label for m in tuner.metric)  # the tuner drew its metrics


def test_won_deals_without_amounts_ask_for_a_deal_size(make_con, tmp_path, monkeypatch):
    path = tmp_path / "noamounts.duckdb"
    with store.writing(path, fresh=True) as con:
        leads = tmp_path / "l.csv"
        leads.write_text("lead_id,created_at\n" + "".join(f"L{i},2026-0{1 + i % 6}-0{1 + i % 9}\n" for i in range(40)))
        deals = tmp_path / "d.csv"
        deals.write_text("deal_id,lead_id,created_at,closed_at,status\n"
                         + "".join(f"D{i},L{i},2026-07-01,2026-07-15,won\n" for i in range(8)))
        store.import_files(con, {"leads": leads, "deals": deals})
    monkeypatch.setenv("SMARKETING_DB", str(path))
    at = run_page("planner", timeout=240)
    assert "No won deal in this data has an amount" in texts(at, "info")
    at.number_input(key="pl_deal_size").set_value(12_000.0).run()
    assert not at.exception and at.metric  # the plan once a deal size is given


def test_switching_the_data_source_starts_from_that_datas_span(olist_db, demo_db, monkeypatch):
    monkeypatch.setenv("SMARKETING_DB", demo_db)
    at = run_page("funnel", timeout=240, run=False)
    at.run()
    demo_range = at.date_input(key="flt_range").value
    at.session_state["data_source"] = olist_db
    at.run()
    assert not at.exception
    since, until = at.date_input(key="flt_range").value
    assert (since, until) != demo_range and until == date(2018, 5, 31)  # the MQL list's own last day
