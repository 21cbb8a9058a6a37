"""AppTest of the What drives conversion page: on the demo database (stages and behaviour steps, the leads behind a
driver, the time-to-convert histogram) and on a database of our own without events."""

from __future__ import annotations

from datetime import date

import pytest
from apptest import figures, plot_values, run_page

from smarketing import store
from smarketing.charts.drivers import driver_name
from smarketing.filters import Filters
from smarketing.funnel.drivers import StepPair, drivers, time_to_convert


def texts(at, kind: str) -> str:
    return " ".join(str(e.value) for e in getattr(at, kind))


def window(at) -> Filters:
    def day(name):
        value = at.query_params[name]
        return date.fromisoformat(value if isinstance(value, str) else value[0])

    return Filters(day("since"), day("until"))


def test_mql_to_sql_drivers_their_leads_and_the_time_it_takes(demo_env, demo_con, downloads):
    at = run_page("drivers")
    report = drivers(demo_con, StepPair("stage", "MQL", "SQL"), window(at))
    assert f"of the {report.leads:,} leads at *MQL* reached *SQL* ({report.converted:,} leads)" in texts(at, "markdown")
    forest = next(f for f in figures(at) if f["data"][0]["type"] == "scatter")
    odds = plot_values(forest["data"][0]["x"])
    assert len(odds) == min(20, len(report.drivers))
    assert sorted(odds) == pytest.approx(sorted(report.drivers.odds_ratio.head(20)))
    table = at.dataframe[0].value
    assert len(table) == len(report.drivers) and (table.leads_with >= 30).all() and (table.leads_without >= 30).all()
    # the first driver's leads, masked, with a masked download
    people = at.dataframe[1].value
    first = report.drivers.iloc[0]
    assert len(people) == min(first.leads_with, 5_000) and people.step_converted.sum() == min(first.converted_with,
                                                                                               len(people))
    assert people.email.dropna().str.contains(r"\*\*\*@").all()
    assert "***@" in downloads["driver_leads.csv"].decode()
    timed = time_to_convert(demo_con, StepPair("stage", "MQL", "SQL"), window(at))
    bars = next(f for f in figures(at) if f["data"][0]["type"] == "bar")
    assert sum(plot_values(bars["data"][0]["y"])) == timed.leads


def test_another_driver_shows_its_own_leads(demo_env):
    at = run_page("drivers")
    before = at.dataframe[1].value.lead_id.tolist()
    second = at.selectbox(key="drv_pick").options[1]
    at.selectbox(key="drv_pick").set_value(second).run()
    assert not at.exception and at.dataframe[1].value.lead_id.tolist() != before


def test_any_two_stages_and_behaviour_steps(demo_env, demo_con):
    at = run_page("drivers", {("selectbox", "drv_from"): "Lead", ("selectbox", "drv_to"): "Customer"})
    assert "at *Lead* reached *Customer*" in texts(at, "markdown")
    at.radio(key="drv_kind").set_value("event").run()
    assert not at.exception
    assert "at *Content download* reached *Demo request*" in texts(at, "markdown")
    # the driver picked and its leads follow the new step
    report = drivers(demo_con, StepPair("event", "content_download", "demo_request", 30), window(at))
    top = report.drivers.iloc[0]
    assert at.selectbox(key="drv_pick").value == f"{driver_name(top.kind, top.feature, top.value)} · Odds ratio " \
                                                 f"{top.odds_ratio:.2f}"
    assert len(at.dataframe[1].value) == min(report.drivers.iloc[0].leads_with, 5_000)
    at.number_input(key="drv_min_count").set_value(100_000).run()
    assert "No property value or event has at least 100,000 leads" in texts(at, "info")


def test_an_empty_range_says_so(demo_env):
    at = run_page("drivers", run=False)
    at.query_params["since"], at.query_params["until"] = "2010-01-01", "2010-01-31"
    at.run()
    assert not at.exception and "No data in this range" in texts(at, "info")


@pytest.fixture()
def no_events_db(tmp_path, monkeypatch):
    path = tmp_path / "mqls.duckdb"
    con = store.connect(path)
    db = store.raw(con)
    rows = [(f"L{i}", "2026-01-01", "Software" if i % 3 else "Retail", i * 10) for i in range(60)]
    db.executemany("INSERT INTO leads (lead_id, created_at, industry, employees) VALUES (?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO stage_changes VALUES (?, ?, ?)", [(f"L{i}", "MQL", "2026-01-05") for i in range(60)]
                   + [(f"L{i}", "Customer", "2026-02-05") for i in range(0, 60, 4)])
    con.disconnect()
    monkeypatch.setenv("SMARKETING_DB", str(path))


def test_data_of_our_own_without_events(no_events_db):
    at = run_page("drivers", {("number_input", "drv_min_count"): 10})
    assert "at *MQL* reached *Customer* (15 leads)" in texts(at, "markdown")
    values = set(at.dataframe[0].value.value)
    assert {"Software", "Retail"} <= values
    at.radio(key="drv_kind").set_value("event").run()
    assert not at.exception and "No events imported" in texts(at, "info")
