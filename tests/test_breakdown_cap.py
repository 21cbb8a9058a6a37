"""A breakdown shows the categories with most leads (20 by default) and the rest as one "(other)" row, grouped in
the database; a column that is an id (nearly every lead its own value) is refused rather than grouped by."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import pandas as pd
import pytest
from conftest import build_con

from smarketing.filters import Filters
from smarketing.funnel.lifecycle import OTHER, TOP_N, BreakdownError, lifecycle_funnel


def _leads(per_title: dict[str, int]) -> list[dict]:
    rows, n = [], 0
    for title, count in per_title.items():
        for _ in range(count):
            n += 1
            rows.append({"lead_id": f"L{n}", "created_at": "2024-01-05", "title": title, "email": f"p{n}@x.io"})
    return rows


# 25 titles: t00 has 30 leads, t01 29, … t24 6 (every title its own count, so the top 20 are t00 … t19)
COUNTS = {f"t{i:02d}": 30 - i for i in range(25)}


def test_a_breakdown_keeps_the_20_biggest_categories_and_groups_the_rest_as_other():
    con = build_con(leads=_leads(COUNTS))
    split = lifecycle_funnel(con, Filters(), by="title")
    first = split[split.stage == split.stage.iloc[0]].set_index("title")["leads"]
    assert TOP_N == 20 and len(first) == TOP_N + 1
    assert first.drop(OTHER).to_dict() == {f"t{i:02d}": 30 - i for i in range(20)}
    assert first[OTHER] == 10 + 9 + 8 + 7 + 6  # t20 … t24
    assert first.sum() == sum(COUNTS.values())


def test_a_breakdown_with_few_categories_has_no_other_row():
    con = build_con(leads=_leads({"VP": 3, "CMO": 2}))
    split = lifecycle_funnel(con, Filters(), by="title")
    assert set(split.title) == {"VP", "CMO"}


@pytest.mark.parametrize("column", ["lead_id", "email"])
def test_a_breakdown_by_an_id_column_is_refused(column):
    con = build_con(leads=_leads(COUNTS))
    leads = (30 + 6) * 25 // 2  # 30 + 29 + … + 6
    with pytest.raises(BreakdownError, match=rf"cannot break down by '{column}': {leads} of the {leads} leads have a "
                                             rf"value of their own"):
        lifecycle_funnel(con, Filters(), by=column)


def test_the_funnel_command_groups_the_rest_and_refuses_an_id(tmp_path):
    from smarketing import store
    from smarketing.cli import main

    path = tmp_path / "many.duckdb"
    con = store.connect(path)
    frame = pd.DataFrame(_leads(COUNTS))
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    store.raw(con).register("_rows", frame)
    store.raw(con).execute("INSERT INTO leads (lead_id, created_at, title, email) SELECT * FROM _rows")
    con.disconnect()
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["funnel", "--db", str(path), "--by", "title", "--format", "csv"])
    assert code == 0, err.getvalue()
    table = pd.read_csv(io.StringIO(out.getvalue()))
    assert table.title.nunique() == TOP_N + 1 and OTHER in set(table.title)
    assert "25 values: the 20 with most leads are shown, the other 5 as (other)" in err.getvalue()
    with redirect_stdout(io.StringIO()), redirect_stderr(err := io.StringIO()):
        code = main(["funnel", "--db", str(path), "--by", "lead_id"])
    assert code == 1 and "cannot break down by 'lead_id'" in err.getvalue()


def test_the_funnel_page_warns_on_an_id_like_breakdown_and_groups_a_long_one(tmp_path, monkeypatch):
    from apptest import run_page

    from smarketing import store

    path = tmp_path / "titles.duckdb"
    con = store.connect(path)
    frame = pd.DataFrame(_leads(COUNTS))
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    frame["source"] = frame["email"]  # every lead its own source: an id, not a group
    store.raw(con).register("_rows", frame)
    store.raw(con).execute("INSERT INTO leads (lead_id, created_at, title, email, source) SELECT * FROM _rows")
    con.disconnect()
    monkeypatch.setenv("SMARKETING_DB", str(path))
    at = run_page("funnel", {("selectbox", "breakdown_by"): "title"})
    assert "Title has 25 values: the 20 with most leads are shown, the rest together as (other)." in [
        c.value for c in at.caption]
    at.selectbox(key="breakdown_by").set_value("source").run()
    assert not at.exception
    assert "Source cannot be a breakdown here: 450 of the 450 leads have a value of their own" in " ".join(
        w.value for w in at.warning)
