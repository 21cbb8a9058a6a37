"""AppTest of the Scoring tuner and Fit vs interest pages; a browser test moving the threshold."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from apptest import figures, metrics, run_page

ROOT = Path(__file__).resolve().parents[1]








@pytest.fixture()
def own_db(demo_db, tmp_path, monkeypatch):
    """A private copy of the demo database, so saved rule versions do not leak into other tests."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    monkeypatch.setenv("SMARKETING_DB", str(path))
    return path


def test_tuner_slider_changes_the_metrics(own_db):
    at = run_page("pages/scoring_tuner.py")
    before = metrics(at)
    assert {"MQLs", "Precision", "Recall", "Lift", "F1", "Won revenue", "MQLs per week"} <= set(before)
    kinds = {trace["type"] for fig in figures(at) for trace in fig["data"]}
    assert {"scatter", "bar"} <= kinds
    at.slider(key="sc_int_t").set_value(0).run()
    assert not at.exception
    after = metrics(at)
    assert int(after["MQLs"].replace(",", "")) > int(before["MQLs"].replace(",", ""))
    at.slider(key="sc_pf0").set_value(50).run()  # more points for the first fit rule
    assert metrics(at)["MQLs"] != after["MQLs"] or metrics(at)["Precision"] != after["Precision"]


def test_tuner_adopts_the_suggestion_and_saves_a_version(own_db):
    at = run_page("pages/scoring_tuner.py")
    at.button(key="sc_adopt").click().run()
    assert not at.exception
    assert "suggested" in at.session_state.sc_working.name
    at.button(key="sc_save").click().run()
    assert not at.exception
    saved = sorted((own_db.parent / "scoring_rules").glob("v*.toml"))
    assert len(saved) == 1 and "Saved as version" in at.success[0].value
    # the quadrant page now reads the saved version
    fi = run_page("pages/fit_interest.py")
    assert any(f"version {saved[0].stem[1:]}" in c.value for c in fi.caption)


def test_fit_interest_page(own_db):
    at = run_page("pages/fit_interest.py")
    fig = figures(at)[0]
    assert {trace["type"] for trace in fig["data"]} == {"scattergl"}
    assert len(at.dataframe) >= 3
    quadrants = at.dataframe[0].value
    assert quadrants["leads"].sum() > 0 and len(quadrants) == 4
    leads = at.dataframe[-1].value
    emails, phones = (leads[c].replace("", None).dropna() for c in ("email", "phone"))  # blank = missing
    assert len(emails) and len(phones)
    assert emails.str.fullmatch(r".\*\*\*@[\w.-]+").all()
    assert phones.str.fullmatch(r"(\+\d{1,3} )?\*\*\* \*\*\* \d{4}").all()
    before = quadrants.set_index("quadrant")["leads"].to_dict()
    at.number_input(key="fi_fit").set_value(0.0).run()
    assert not at.exception
    after = at.dataframe[0].value.set_index("quadrant")["leads"].to_dict()
    assert after != before
    at.selectbox(key="fi_cut").set_value("days").run()  # score as of N days after creation
    assert not at.exception
    at.number_input(key="fi_days").set_value(7).run()
    assert not at.exception and at.dataframe[0].value["leads"].sum() == sum(before.values())


@pytest.mark.browser
def test_browser_moving_the_threshold_changes_mqls(app_url, page):
    page.goto(f"{app_url}/scoring_tuner", wait_until="networkidle")
    mqls = page.locator('[data-testid="stMetric"]').filter(has_text="MQLs").first.locator(
        '[data-testid="stMetricValue"]')
    mqls.wait_for(timeout=120_000)
    before = mqls.inner_text()
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Interest threshold").get_by_role("slider")
    slider.focus()
    page.keyboard.press("Home")  # threshold 0: every fit lead becomes an MQL
    page.wait_for_function(
        "([el, old]) => el.innerText !== old", arg=[mqls.element_handle(), before], timeout=60_000)
    assert int(mqls.inner_text().replace(",", "")) > int(before.replace(",", ""))
