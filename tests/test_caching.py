"""What the app keeps to be fast gives exactly the numbers computed directly: facts frozen per read-only file
version, results and figures cached per database version, on small databases."""

from __future__ import annotations

import shutil
from datetime import date

import pandas as pd

from smarketing import reach, store
from smarketing.charts import funnel as charts
from smarketing.filters import Filters
from smarketing.funnel.lifecycle import lifecycle_funnel
from smarketing.ui import tables

H1 = Filters(date(2026, 1, 1), date(2026, 6, 30))


def test_frozen_facts_give_the_direct_numbers_and_follow_a_new_file_version(demo_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, path)
    writable = store.connect(path)
    direct = lifecycle_funnel(writable, H1)  # no frozen facts on a writable connection
    writable.disconnect()
    frozen = store.connect(path, read_only=True)
    cursor = store.thread_backend(frozen)
    pd.testing.assert_frame_equal(lifecycle_funnel(frozen, H1), direct)
    pd.testing.assert_frame_equal(lifecycle_funnel(cursor, H1), direct)  # a thread's cursor shares the facts
    assert ("reach current", reach.reach_table_name(reach.resolve(None))) in frozen.frozen_facts
    with store.writing(path) as con:  # an import: a new file version with a stage nobody recorded before
        store.raw(con).execute("DELETE FROM stage_changes WHERE stage = 'SQL'")
        reach.refresh_reach(con)
    newer = store.connect(path, read_only=True)
    assert "SQL" not in reach.recorded_stages(newer) and "SQL" in reach.recorded_stages(frozen)
    frozen.disconnect()
    newer.disconnect()


def test_a_cached_figure_is_the_figure_built_directly(demo_con):
    funnel = lifecycle_funnel(demo_con, H1)
    direct = charts.funnel_chart(funnel)
    cached = tables._figure("funnel_chart", charts.funnel_chart, funnel)
    again = tables._figure("funnel_chart", charts.funnel_chart, funnel)
    assert plain(cached) == plain(direct) == plain(again)


def plain(figure) -> str:
    """The figure's data and layout as JSON (the theme template left out: Streamlit applies its own)."""
    import plotly.io as pio

    spec = figure.to_plotly_json()
    spec["layout"].pop("template", None)
    return pio.to_json(spec)
