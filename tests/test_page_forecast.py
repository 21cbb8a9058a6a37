"""AppTest of the Forecast page: on the demo database every panel draws (forecast, backtest, what-if, goal,
channels); on a database without spend or deals each panel says what is missing, without a traceback."""

from __future__ import annotations

from apptest import figures, metrics, run_page

from smarketing import store


def test_every_panel_on_the_demo(demo_env):
    at = run_page("forecast")
    cards = metrics(at)
    assert {"New leads", "MQL", "SQL", "Opportunity", "Customer", "Won revenue"} <= set(cards)
    assert cards["Won revenue"].startswith("$")
    kinds = {trace["type"] for fig in figures(at) for trace in fig["data"]}
    assert {"bar", "scatter"} <= kinds
    assert len(figures(at)) >= 5  # forecast, backtest, what-if, goal gap, channels
    assert any("mape_3" in df.value.columns for df in at.dataframe)
    assert any("what_if" in df.value.columns for df in at.dataframe)
    assert any("goal_coverage" in df.value.columns for df in at.dataframe)
    assert not at.warning


def test_controls_and_moving_a_whole_budget(demo_env):
    at = run_page("forecast", {("slider", "fc_months"): 3, ("number_input", "fc_run_rate"): 6})
    assert {len(fig["data"][0]["x"]) for fig in figures(at)[:1]} == {3}
    at.slider(key="fc_move_share").set_value(100).run()  # all of the channel's budget: none of its new leads
    assert not at.exception and not at.warning
    what_if = next(df.value for df in at.dataframe if "what_if" in df.value.columns)
    assert (what_if.what_if >= 0).all()
    assert any("a month from" in c.value for c in at.caption)


def test_a_database_without_spend_or_deals(tmp_path, monkeypatch):
    path = tmp_path / "plain.duckdb"
    con = store.connect(path)
    (tmp_path / "leads.csv").write_text("lead_id,created_at,source_group\n" + "".join(
        f"L{i},2026-0{1 + i % 6}-0{1 + i % 9},{'Paid' if i % 2 else 'Organic'}\n" for i in range(60)))
    (tmp_path / "stages.csv").write_text("lead_id,stage,entered_at\n" + "".join(
        f"L{i},MQL,2026-0{1 + i % 6}-2{i % 9}\n" for i in range(0, 60, 3)))
    store.import_files(con, {"leads": tmp_path / "leads.csv", "stage_changes": tmp_path / "stages.csv"})
    con.disconnect()
    monkeypatch.setenv("SMARKETING_DB", str(path))
    at = run_page("forecast")
    texts = [i.value for i in at.info]
    assert any("No won deal with an amount" in x for x in texts) or any("No deals imported" in x for x in texts)
    assert any("No spend imported" in x for x in texts)  # the what-if
    assert "Won revenue" not in metrics(at) and "MQL" in metrics(at)
    assert not at.warning or all("deal size" in w.value for w in at.warning)


def test_an_empty_database(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    store.connect(path).disconnect()
    monkeypatch.setenv("SMARKETING_DB", str(path))
    at = run_page("forecast")
    assert any("No data" in i.value or "No" in i.value for i in at.info)
