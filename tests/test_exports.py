"""CSV exports neutralise spreadsheet formulas (CSV injection) in page downloads and CLI output."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest
from apptest import run_page

from smarketing import exports, store
from smarketing.cli import main
from smarketing.reach import refresh_reach
from smarketing.stages import PACKAGED_STAGES as DEFAULT_STAGES

ROOT = Path(__file__).resolve().parents[1]
LINK = '=HYPERLINK("http://x","y")'


def test_formulas_get_a_leading_quote_and_everything_else_stays():
    frame = pd.DataFrame({
        "text": [LINK, "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "\tx", "\r=1", "Acme", "-12.5", "+3", "-1,200",
                 None],
        "number": [1, -2, 3.5, -4, 0, 1e9, -0.5, 7, 8, 9, None],
    })
    out = exports.neutralize(frame)
    assert out["text"].tolist()[:10] == ["'" + LINK, "'+cmd|' /C calc'!A0", "'@SUM(A1)", "'-2+3", "'\tx", "'\r=1",
                                         "Acme", "-12.5", "+3", "-1,200"]
    assert pd.isna(out["text"].iloc[10])
    pd.testing.assert_series_equal(out["number"], frame["number"])
    assert frame["text"].iloc[0] == LINK  # the input is not changed


def test_csv_bytes_exact_output():
    frame = pd.DataFrame({"=h": [LINK, "-5", None], "n": [-1, 2, 3], "ok": [True, False, True]})
    assert exports.csv_bytes(frame) == (
        b"'=h,n,ok\n"
        b"\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",-1,True\n"
        b"-5,2,False\n"
        b",3,True\n"
    )


def test_frames_without_text_are_returned_as_they_are():
    frame = pd.DataFrame({"a": [1, 2], "when": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    pd.testing.assert_frame_equal(exports.neutralize(frame), frame)
    assert exports.csv_bytes(pd.DataFrame()) == b"\n"


@pytest.fixture()
def hostile_db(demo_db, tmp_path, monkeypatch):
    """A copy of the demo database where every lead's company is a formula."""
    path = tmp_path / "hostile.duckdb"
    shutil.copy(demo_db, path)
    con = store.connect(path)
    store.raw(con).execute("UPDATE leads SET company = ?", [LINK])
    refresh_reach(con, DEFAULT_STAGES)  # the funnel reads lead columns from its materialised copy
    con.disconnect()
    monkeypatch.setenv("SMARKETING_DB", str(path))
    return path


def test_page_download_of_a_lead_list_is_neutralised(hostile_db, downloads):
    files = downloads
    at = run_page("fit_interest")
    assert not at.exception, [e.value for e in at.exception]
    lead_lists = [data for name, data in files.items() if name.startswith("leads_")]
    assert lead_lists, sorted(files)
    table = pd.read_csv(io.BytesIO(lead_lists[0]))
    assert set(table["company"]) == {"'" + LINK}


def test_cli_csv_output_is_neutralised(hostile_db):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["funnel", "--db", str(hostile_db), "--by", "company", "--format", "csv"])
    assert code == 0, err.getvalue()
    table = pd.read_csv(io.StringIO(out.getvalue()))
    assert set(table["company"]) == {"'" + LINK}
