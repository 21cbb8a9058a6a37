"""Every page, every tab, read as a user reads it (issue 15): no None / NaN / inf, no raw snake_case identifier,
no integer of five or more digits without separators and no table number without a format, in the visible
texts, the tables' displayed values (styled tables by their display values) and the charts' titles, axes and
legends. On the demo database and on data that is not the demo (an MQL list and a won file, no events, no
hand-offs, no spend). The checkers live in tests/presentation.py; tests below show they catch what they name."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import run_page
from presentation import findings, table_findings, text_findings

from smarketing import store
from smarketing.importers import formats, loading
from smarketing.ui import pages as ui_pages

PAGES = [p.key for p in ui_pages.PAGES]  # every page of the app; tabs run eagerly in tests (conftest)
OLIST = Path(__file__).parent / "data" / "exports" / "olist"


@pytest.fixture(scope="module")
def own_db(tmp_path_factory) -> str:
    """Not the demo: an MQL list and a won file (no events, hand-offs, spend or stage history)."""
    path = tmp_path_factory.mktemp("own") / "own.duckdb"
    files = {"mqls": OLIST / "olist_marketing_qualified_leads_dataset.csv",
             "won": OLIST / "olist_closed_deals_dataset.csv"}
    with store.writing(path, fresh=True) as con:
        prepared, mode = formats.prepare_mapped(files, tables={"won": "deals"})
        loading.load(con, prepared, mode=mode)
    return str(path)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_reads_as_finished_on_the_demo(page, demo_env):
    at = run_page(page, timeout=300)
    assert not findings(at), "\n".join(findings(at))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_reads_as_finished_on_own_data(page, own_db, monkeypatch, tmp_path):
    monkeypatch.setenv("SMARKETING_DB", own_db)
    monkeypatch.setenv("SMARKETING_MAPPINGS", str(tmp_path))
    at = run_page(page, timeout=300)
    assert not findings(at), "\n".join(findings(at))


# ------------------------------------------------------------------------ the checkers catch what they name
def _script(tmp_path, body: str):
    from streamlit.testing.v1 import AppTest

    path = tmp_path / "page.py"
    path.write_text("import streamlit as st\nimport pandas as pd\n" + body)
    at = AppTest.from_file(str(path)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_text_checker_finds_missing_values_raw_keys_and_bare_integers(tmp_path):
    at = _script(tmp_path, "st.markdown('CTR None, lead_to_mql and 11606 leads')\n"
                           "st.caption('11,606 leads, 3.8%, `page_view` in code, p < 0.001')\n")
    found = text_findings(at)
    assert len(found) == 3, found
    assert any("'None'" in f for f in found) and any("'lead_to_mql'" in f for f in found)
    assert any("'11606'" in f for f in found)


def test_the_table_checker_finds_none_cells_raw_headers_and_numbers_without_a_format(tmp_path):
    at = _script(tmp_path, "frame = pd.DataFrame({'lead_to_mql': [0.25, None], 'leads': [11606, 2]})\n"
                           "st.dataframe(frame)\n"  # NaN shown as None, a raw header, 11606 and 0.25 bare
                           "st.dataframe(frame, placeholder='–', column_config={\n"
                           "    'lead_to_mql': st.column_config.NumberColumn('Lead → MQL', format='percent'),\n"
                           "    'leads': st.column_config.NumberColumn('Leads', format='%,d')})\n")
    found = table_findings(at)
    assert all(f.startswith("table 1") for f in found), found
    assert any("raw column name" in f for f in found)
    assert any("missing value shown as 'None'" in f for f in found)
    assert any("without a format" in f for f in found) and any("separators" in f for f in found)


def test_a_styled_tables_cells_are_read_as_displayed(tmp_path):
    """A styled table shows its display values, except in a null cell: the browser shows "None" there whatever
    the Styler's na_rep, unless the table has a placeholder."""
    at = _script(tmp_path, "frame = pd.DataFrame({'Channel': ['A', 'B'], 'CTR': [0.031, None],"
                           " 'Leads': [12345, 3]})\n"
                           "st.dataframe(frame.style.format({'CTR': '{:.1%}'}))\n"  # None in CTR, 12345 bare
                           "st.dataframe(frame.style.format({'CTR': '{:.1%}', 'Leads': '{:,}'}, na_rep='–'))\n"
                           "st.dataframe(frame.style.format({'CTR': '{:.1%}', 'Leads': '{:,}'}), placeholder='–')\n")
    found = table_findings(at)
    first = [f for f in found if f.startswith("table 1")]
    assert any("CTR" in f and "None" in f for f in first) and any("Leads" in f for f in first), found
    assert [f for f in found if not f.startswith("table 1")] == ["table 2, column 'CTR': missing value shown as 'None'"]


def test_the_same_frame_through_ui_dataframe_has_no_findings(tmp_path):
    """The shared table helpers format every number by its kind and show unknown as "–"."""
    at = _script(tmp_path, "from smarketing import ui\n"
                           "frame = pd.DataFrame({'channel': ['Paid', 'Organic'], 'leads': [11606, 2],"
                           " 'lead_to_mql': [0.2504, None], 'cost': [50744.0, None], 'change': [-0.009, 0.01]})\n"
                           "ui.dataframe(frame)\n"
                           "ui.table(frame, 'x')\n")
    assert not table_findings(at), table_findings(at)


def test_numbers_are_shown_by_their_kind_and_downloaded_as_machine_values(tmp_path):
    """Counts with separators, shares ×100 to one decimal (0.9107 shows 91.1%, never truncated to 91.0%),
    differences of shares in points, money with the currency, p-values as text, unknown as "–"; the CSV keeps
    counts as integers (2296, not 2296.0) and shares as fractions."""
    import json

    import pandas as pd

    from smarketing.exports import table_csv

    at = _script(tmp_path, "from smarketing import ui\n"
                           "frame = pd.DataFrame({'leads': [2296.0, 11606.0], 'lead_to_mql': [0.9107, 0.5],"
                           " 'change': [-0.009, 0.0], 'cost': [50744.0, None], 'p_value': [0.0001, 0.2]})\n"
                           "ui.dataframe(frame)\n")
    table = at.dataframe[0]
    config = json.loads(table.proto.columns)
    formats = {c: config[c]["type_config"].get("format") for c in ("leads", "lead_to_mql", "change", "cost")}
    assert formats == {"leads": "%,.0f", "lead_to_mql": "%.1f%%", "change": "%+.1f pts", "cost": "$%,.0f"}
    shown = table.value
    assert shown.lead_to_mql.tolist() == pytest.approx([0.9107 * 100, 0.5 * 100])
    assert shown.change.tolist() == pytest.approx([-0.009 * 100, 0.0])
    assert shown.p_value.tolist() == ["< 0.001", "0.200"] and table.proto.placeholder == "–"
    frame = pd.DataFrame({"leads": [2296.0, 11606.0], "lead_to_mql": [0.9107, 0.5]})
    assert table_csv(frame).decode().splitlines() == ["leads,lead_to_mql", "2296,0.9107", "11606,0.5"]
