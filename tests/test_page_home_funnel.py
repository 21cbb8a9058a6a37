"""AppTest of the Overview and Funnel pages on the demo database."""

from pathlib import Path

from apptest import figures, plot_values, run_page

ROOT = Path(__file__).resolve().parents[1]








def test_overview_shows_kpis_with_change(demo_env):
    at = run_page("app.py")  # the default page of the navigation
    labels = [m.label for m in at.metric]
    assert {"Leads", "MQL", "SQL", "Opportunity", "Customer", "Won revenue", "Lead → customer",
            "Median days to customer"} <= set(labels)
    leads = next(m for m in at.metric if m.label == "Leads")
    assert leads.value.replace(",", "").isdigit() and int(leads.value.replace(",", "")) > 0
    assert "vs previous" in str(leads.proto.delta)
    assert figures(at), "the monthly trend chart is drawn"


def test_funnel_page_draws_every_view(demo_env):
    at = run_page("pages/funnel.py")
    figs = figures(at)
    funnel = figs[0]["data"][0]
    assert funnel["type"] == "funnel"
    assert list(funnel["y"]) == ["Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer"]
    kinds = {trace["type"] for fig in figs for trace in fig["data"]}
    assert {"funnel", "heatmap", "bar"} <= kinds
    assert len(at.dataframe) >= 4
    assert len(at.get("download_button")) >= 4


def test_changing_a_filter_redraws_the_funnel(demo_env):
    at = run_page("pages/funnel.py")
    before = plot_values(figures(at)[0]["data"][0]["x"])
    at.sidebar.multiselect(key="flt_source_group").set_value(["Referrals"]).run()
    assert not at.exception
    after = plot_values(figures(at)[0]["data"][0]["x"])
    assert after[0] < before[0]
    at.sidebar.radio(key="flt_mode").set_value("period").run()
    assert not at.exception


def test_breakdown_and_behaviour_inputs(demo_env):
    at = run_page("pages/funnel.py")
    at.selectbox(key="breakdown_by").set_value("employees_band").run()
    assert not at.exception
    at.multiselect(key="bf_steps").set_value(["page_view"]).run()
    assert any("at least two" in i.value for i in at.info)


def test_empty_range_shows_a_helpful_message(demo_env):
    at = run_page("funnel", timeout=120, run=False)
    at.query_params["since"] = "2010-01-01"
    at.query_params["until"] = "2010-01-31"
    at.run()
    assert not at.exception
    assert any("No data in this range" in i.value for i in at.info)


def test_leads_without_stage_changes_get_an_explanation(tmp_path, monkeypatch):
    from smarketing import store

    path = tmp_path / "one.duckdb"
    con = store.connect(path)
    csv = tmp_path / "leads.csv"
    csv.write_text("lead_id,created_at\nA,2026-01-05\nB,2026-01-06\n")
    store.import_files(con, {"leads": csv})
    con.disconnect()
    monkeypatch.setenv("SMARKETING_DB", str(path))
    at = run_page("pages/funnel.py")
    assert any("still at Subscriber" in i.value for i in at.info)
