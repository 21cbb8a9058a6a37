"""Atomic imports: good files land whole, every bad input is refused with a clear message and changes nothing."""

import pandas as pd
import pytest

from smarketing import store
from smarketing.schema import TABLES
from smarketing.store import DataImportError

LEADS_CSV = "lead_id,created_at,email,employees,favourite_colour\nL1,2024-01-01,a@x.com,120,blue\nL2,2024-01-02T10:00:00Z,b@x.com,,red\n"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def snapshot(con):
    db = store.raw(con)
    out = {}
    for name in TABLES:
        cols = [r[0] for r in db.execute(f'DESCRIBE "{name}"').fetchall()]
        rows = db.execute(f'SELECT * FROM "{name}" ORDER BY ALL').fetchall()
        out[name] = (cols, rows)
    out["tables"] = sorted(con.list_tables())
    return out


@pytest.fixture()
def con(tmp_path):
    con = store.connect(tmp_path / "t.duckdb")
    store.import_files(con, {"leads": write(tmp_path, "base.csv", "lead_id,created_at\nL0,2023-12-01\n")})
    return con


def test_good_import_lands_and_keeps_extra_columns(con, tmp_path):
    added = store.import_files(con, {"leads": write(tmp_path, "leads.csv", LEADS_CSV)})
    assert added == {"leads": 2}
    leads = con.table("leads").execute().set_index("lead_id")
    assert leads.loc["L2", "created_at"] == pd.Timestamp("2024-01-02 10:00:00")
    assert leads.loc["L1", "employees"] == 120
    assert leads.loc["L1", "favourite_colour"] == "blue"  # extra column kept


def test_headers_match_case_insensitively_and_stage_aliases(con, tmp_path):
    store.import_files(con, {
        "leads": write(tmp_path, "l.csv", " Lead_ID ,Created_At\nL1,2024-01-01\n"),
        "stage_changes": write(tmp_path, "s.csv", "lead_id,stage,entered_at\nL1,marketingqualifiedlead,2024-01-02\n"
                                                  "L1,Sales Qualified Lead,2024-01-03\nL1,opportunity,2024-01-04\n"),
    })
    stages = con.table("stage_changes").execute().stage.tolist()
    assert stages == ["MQL", "SQL", "Opportunity"]


def test_parquet_import(con, tmp_path):
    path = tmp_path / "leads.parquet"
    pd.DataFrame({"lead_id": ["P1"], "created_at": [pd.Timestamp("2024-05-01")], "employees": [10]}).to_parquet(path)
    assert store.import_files(con, {"leads": path}) == {"leads": 1}


BAD = [
    ("missing required column", "leads", "lead_id,email\nL1,a@x.com\n", "missing required column(s) created_at"),
    ("bad timestamp", "leads", "lead_id,created_at\nL1,2024-01-01\nL2,yesterday\n",
     "row 2 (line 3), column created_at: expected a timestamp"),
    ("bad number", "leads", "lead_id,created_at,employees\nL1,2024-01-01,lots\n",
     "row 1 (line 2), column employees: expected a whole number"),
    ("duplicate id in file", "leads", "lead_id,created_at\nL1,2024-01-01\nL1,2024-01-02\n",
     "row 2 (line 3), column lead_id: 'L1' appears more than once"),
    ("id already in database", "leads", "lead_id,created_at\nL9,2024-01-01\nL0,2024-01-02\n",
     "row 2 (line 3), column lead_id: 'L0' is already in the database"),
    ("missing required value", "leads", "lead_id,created_at\nL1,\n", "column created_at: a value is required"),
    ("event for unknown lead", "events", "lead_id,ts,event_type\nL0,2024-01-01,page_view\nLX,2024-01-01,page_view\n",
     "row 2 (line 3), column lead_id: unknown lead 'LX'"),
    ("deal for unknown lead", "deals", "deal_id,lead_id,created_at,status,amount\nD1,NOPE,2024-01-01,won,10\n",
     "unknown lead 'NOPE'"),
    ("negative amount", "deals", "deal_id,lead_id,created_at,status,amount\nD1,L0,2024-01-01,won,-5\n",
     "column amount: expected a number ≥ 0, got a negative value"),
    ("unknown deal status", "deals", "deal_id,lead_id,created_at,status\nD1,L0,2024-01-01,maybe\n",
     "column status: expected one of open, won, lost, got 'maybe'"),
    ("negative cost", "spend", "date,cost\n2024-01-01,-1\n", "column cost: expected a number ≥ 0"),
    ("unknown stage", "stage_changes", "lead_id,stage,entered_at\nL0,Lead,2024-01-01\nL0,Unicorn,2024-01-02\n",
     "row 2 (line 3), column stage: unknown stage 'Unicorn'"),
    ("empty file", "leads", "", "the file is empty"),
    ("header only", "leads", "lead_id,created_at\n", "no data rows"),
]


@pytest.mark.parametrize("case,table,text,message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_and_changes_nothing(con, tmp_path, case, table, text, message):
    before = snapshot(con)
    with pytest.raises(DataImportError) as err:
        store.import_files(con, {table: write(tmp_path, f"{table}.csv", text)})
    assert message in str(err.value)
    assert f"{table}.csv" in str(err.value)  # names the file
    assert snapshot(con) == before


def test_not_utf8_names_the_line(con, tmp_path):
    before = snapshot(con)
    path = write(tmp_path, "latin.csv", "lead_id,created_at,company\nL1,2024-01-01,Müller GmbH\n", "latin-1")
    with pytest.raises(DataImportError, match="latin.csv: line 2 is not valid UTF-8"):
        store.import_files(con, {"leads": path})
    assert snapshot(con) == before


def test_a_failure_in_a_later_file_rolls_back_the_earlier_ones(con, tmp_path):
    before = snapshot(con)
    files = {
        "leads": write(tmp_path, "leads.csv", LEADS_CSV),  # valid, and adds a column
        "events": write(tmp_path, "events.csv", "lead_id,ts,event_type\nL1,2024-01-01,page_view\nL1,soon,page_view\n"),
    }
    with pytest.raises(DataImportError, match="events.csv, row 2"):
        store.import_files(con, files)
    assert snapshot(con) == before


def test_events_may_reference_leads_of_the_same_import(con, tmp_path):
    added = store.import_files(con, {
        "events": write(tmp_path, "e.csv", "lead_id,ts,event_type,channel\nL1,2024-01-03,pricing_view,Direct\n"),
        "leads": write(tmp_path, "l.csv", LEADS_CSV),
    })
    assert added == {"leads": 2, "events": 1}


def test_missing_file_and_unknown_table(con, tmp_path):
    with pytest.raises(DataImportError, match="file not found"):
        store.import_files(con, {"leads": tmp_path / "nope.csv"})
    with pytest.raises(DataImportError, match="unknown table"):
        store.import_files(con, {"contacts": tmp_path / "x.csv"})


def test_db_path_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("SMARKETING_DB", raising=False)
    assert str(store.db_path(None)) == "data/demo.duckdb"
    monkeypatch.setenv("SMARKETING_DB", str(tmp_path / "env.duckdb"))
    assert store.db_path(None) == tmp_path / "env.duckdb"
    assert store.db_path(tmp_path / "arg.duckdb") == tmp_path / "arg.duckdb"
    assert store.db_path(f"duckdb://{tmp_path}/x.duckdb") == tmp_path / "x.duckdb"
