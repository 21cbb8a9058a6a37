"""AppTest: saving the page and its filters as a view in the sidebar, opening a view from its link (as anyone
with access), viewers open but cannot save, and hostile or stale links only warn."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from apptest import run_page

from smarketing import access, views


@pytest.fixture()
def db(demo_db, tmp_path, monkeypatch):
    """A copy of the demo database of this test's own (its views folder is the test's)."""
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.setenv("SMARKETING_DB", str(path))
    return path


def save(at, name: str):
    at.text_input(key="view_name").set_value(name).run()
    at.button(key="view_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_analyst_saves_the_page_with_its_filters_and_settings(db):
    at = run_page("funnel")
    at.date_input(key="flt_range").set_value((date(2026, 7, 1), date(2026, 9, 30))).run()
    at.radio(key="flt_mode").set_value("period").run()
    at.multiselect(key="flt_region").set_value(["EMEA"]).run()
    at.selectbox(key="breakdown_by").set_value("industry").run()
    save(at, "Q3 EMEA by industry")
    saved = views.load_view(db.parent, "q3-emea-by-industry")
    assert saved == views.View(name="Q3 EMEA by industry", page="funnel", since=date(2026, 7, 1),
                               until=date(2026, 9, 30), mode="period", segments={"region": ("EMEA",)},
                               settings={"breakdown_by": "industry"})  # leaks_by is None (overall): not kept
    assert any("Saved “Q3 EMEA by industry”" in s.value for s in at.success)
    assert [c.value for c in at.code] == ["funnel?view=q3-emea-by-industry"]  # the link to share
    assert "Saved views (1)" in [e.label for e in at.sidebar.expander]


def test_the_link_opens_the_view(db):
    views.save_view(db.parent, views.View(name="Paid, Q3", page="funnel", since=date(2026, 7, 1),
                                          until=date(2026, 9, 30), mode="period",
                                          segments={"source_group": ("Paid Search",)},
                                          settings={"breakdown_by": "country"}))
    at = run_page("funnel", run=False)
    at.query_params["view"] = "paid-q3"
    at.run()
    assert not at.exception
    assert at.date_input(key="flt_range").value == (date(2026, 7, 1), date(2026, 9, 30))
    assert at.radio(key="flt_mode").value == "period"
    assert at.multiselect(key="flt_source_group").value == ["Paid Search"]
    assert at.selectbox(key="breakdown_by").value == "country"
    assert any("Showing the view “Paid, Q3”" in c.value for c in at.sidebar.caption)
    at.radio(key="flt_mode").set_value("cohort").run()  # exploring from the view
    assert not any("Showing the view" in c.value for c in at.sidebar.caption)


def test_the_attribution_model_of_a_view(db):
    views.save_view(db.parent, views.View(name="ROMI", page="attribution", since=date(2026, 1, 1),
                                          until=date(2026, 9, 30), settings={"attr_romi_model": "linear",
                                                                             "attr_level": "nonsense"}))
    at = run_page("attribution", run=False)
    at.query_params["view"] = "romi"
    at.run()
    assert not at.exception
    assert at.selectbox(key="attr_romi_model").value == "linear"
    assert at.session_state["attr_level"] != "nonsense"  # a value the page does not offer is left out


def test_viewers_open_views_but_cannot_save(db, monkeypatch):
    views.save_view(db.parent, views.View(name="Shared", page="funnel", since=date(2026, 1, 1),
                                          until=date(2026, 3, 31), mode="period"))
    monkeypatch.setenv("SMARKETING_ROLE", "viewer")
    at = run_page("funnel", run=False)
    at.query_params["view"] = "shared"
    at.run()
    assert not at.exception
    assert at.date_input(key="flt_range").value == (date(2026, 1, 1), date(2026, 3, 31))
    assert not [w for w in at.text_input if w.key == "view_name"] and not [b for b in at.button if b.key == "view_save"]
    assert any("Analysts save views" in c.value for c in at.sidebar.caption)
    with pytest.raises(access.AccessDenied):
        access.require(access.SAVE_VIEWS)  # the check behind the save button


@pytest.mark.parametrize("link", ["no-such-view", "../../etc/passwd", "CON", "x" * 300])
def test_stale_or_hostile_links_only_warn(db, link):
    at = run_page("funnel", run=False)
    at.query_params["view"] = link
    at.run()
    assert not at.exception
    assert at.sidebar.warning and "view" not in at.query_params
    assert at.title[0].value == "Lifecycle funnel"  # the page itself is shown


def test_a_hostile_name_is_saved_safely(db):
    at = run_page("home")
    save(at, "../../<b>evil</b>")
    assert [p.name for p in (db.parent / "views").glob("*.toml")] == ["b-evil-b.toml"]
    assert not (db.parent.parent / "etc").exists()
    at2 = run_page("home", run=False)
    at2.query_params["view"] = "b-evil-b"
    at2.run()
    assert not at2.exception and any("Showing the view" in c.value for c in at2.sidebar.caption)
