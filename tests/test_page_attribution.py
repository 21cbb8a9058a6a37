"""The Attribution page: AppTest on the demo database, and a real browser switching models."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from apptest import figures_by_title, run_page

from smarketing import store
from smarketing.attribution.report import PathParams, attribution
from smarketing.filters import Filters

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "attribution.py")






def test_page_draws_table_models_romi_and_journeys(demo_env):
    at = run_page("attribution")
    figs = figures_by_title(at)
    assert {"Credited conversions per channel", "Share of credit", "ROMI per channel under Markov chain",
            "How converting journeys start"} <= set(figs)
    bars = figs["Credited conversions per channel"]["data"]
    assert len(bars) == 8, "one bar series per model"
    assert figs["How converting journeys start"]["data"][0]["type"] == "sankey"
    assert len(at.dataframe) >= 4  # channel table, removal effects, credits, ROMI, top paths
    assert len(at.get("download_button")) >= 4


def test_page_numbers_match_the_library(demo_env):
    at = run_page("attribution", timeout=180, run=False)
    at.query_params["since"] = "2025-01-01"
    at.query_params["until"] = "2026-10-31"
    at.run()
    assert not at.exception
    con = store.connect(demo_env, read_only=True)
    expected = attribution(con, PathParams(), Filters(date(2025, 1, 1), date(2026, 10, 31))).credits
    con.disconnect()
    romi_table = next(d.value for d in at.dataframe if "cost_per_conversion" in d.value.columns)
    markov = expected[expected.model == "markov"].set_index("channel")["conversions"]
    shown = romi_table.set_index("channel")["conversions"]
    assert shown.to_dict() == pytest.approx(markov.to_dict())


def test_switching_models_and_options(demo_env):
    at = run_page("attribution")
    at.selectbox(key="attr_romi_model").select("shapley").run()
    assert not at.exception
    assert "ROMI per channel under Shapley value" in figures_by_title(at)
    at.multiselect(key="attr_models").set_value(["last_touch", "markov"]).run()
    assert len(figures_by_title(at)["Credited conversions per channel"]["data"]) == 2
    at.selectbox(key="attr_conversion").select("mql").run()
    at.selectbox(key="attr_order").select(2).run()
    at.segmented_control(key="attr_level").set_value("campaign").run()
    at.segmented_control(key="attr_view").set_value("spend").run()  # ROMI is in the spend & return view
    assert not at.exception
    table = at.dataframe[0].value
    assert {"source_group", "source", "campaign", "romi"} <= set(table.columns)


def test_empty_range_shows_a_helpful_message(demo_env):
    at = run_page("attribution", timeout=120, run=False)
    at.query_params["since"] = "2010-01-01"
    at.query_params["until"] = "2010-01-31"
    at.run()
    assert not at.exception
    assert any("No data in this range" in i.value for i in at.info)


@pytest.mark.browser
def test_browser_switch_model_for_romi(app_url, page):
    page.goto(f"{app_url}/attribution")
    page.get_by_role("tab", name="ROMI per channel").click(timeout=90_000)
    page.get_by_text("ROMI per channel under Markov chain").wait_for(timeout=90_000)
    page.get_by_role("tab", name="ROMI per channel").click()
    box = page.get_by_label("Model for ROMI")
    box.click()
    page.get_by_role("option", name="Shapley value").click()
    page.get_by_text("ROMI per channel under Shapley value").wait_for(timeout=60_000)
    page.get_by_role("tab", name="Models side by side").click()
    assert page.get_by_text(re.compile(r"conversions worth .* distinct journeys")).first.is_visible()


def test_the_channel_tables_row_names_read_as_labels_and_the_total_stays():
    import pandas as pd

    from smarketing.attribution.channels import TOTAL_LABEL
    from smarketing.ui.channels import styled_view

    table = pd.DataFrame({"source_group": ["paid_search", "Events", TOTAL_LABEL], "leads": [3, 2, 5], "mql": [1, 1, 2]})
    shown = styled_view(table, "quality").data
    assert shown.source_group.tolist() == ["Paid search", "Events", TOTAL_LABEL]
