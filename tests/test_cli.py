"""The command line: demo, import, funnel formats, and one-line errors with exit code 1."""

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pandas as pd
import pytest

from smarketing import store
from smarketing.cli import main


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_funnel_csv_columns_and_rates(demo_db):
    code, out, err = run("funnel", "--db", demo_db, "--since", "2025-11-01", "--until", "2026-10-31",
                         "--format", "csv")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    assert frame.columns.tolist() == ["stage", "from_stage", "leads", "conversion_from_previous",
                                      "conversion_from_first", "median_days_from_previous",
                                      "p90_days_from_previous"]  # every column the table shows
    assert frame.stage.tolist() == ["Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer"]
    assert frame.conversion_from_first.between(0, 1).all()  # machine values: fractions
    assert all(row.split(",")[2].isdigit() for row in out.splitlines()[1:])  # counts as integers, not 1747.0


def test_funnel_table_is_for_people(demo_db):
    code, out, err = run("funnel", "--db", demo_db, "--since", "2025-11-01", "--until", "2026-10-31")
    assert code == 0, err
    header, first, second = out.splitlines()[:3]
    assert "From previous" in header and "90th pct. days" in header and "conversion_from" not in header
    assert "100.0%" in first and "–" in first  # the first stage: no previous stage, no days
    assert "%" in second and " d" in second and "NaN" not in out and "0.8" not in second


def test_funnel_by_column_first_and_json(demo_db):
    code, out, _ = run("funnel", "--db", demo_db, "--by", "source_group", "--format", "csv")
    assert code == 0
    assert pd.read_csv(io.StringIO(out)).columns[0] == "source_group"
    code, out, _ = run("funnel", "--db", demo_db, "--mode", "period", "--format", "json")
    records = json.loads(out)
    assert records[0]["stage"] == "Subscriber" and "conversion_from_previous" in records[0]


def test_funnel_agrees_with_the_library(demo_db, demo_con):
    from smarketing.filters import Filters
    from smarketing.funnel.lifecycle import lifecycle_funnel

    _, out, _ = run("funnel", "--db", demo_db, "--format", "csv")
    assert pd.read_csv(io.StringIO(out)).leads.tolist() == lifecycle_funnel(demo_con, Filters()).leads.tolist()


@pytest.mark.parametrize("argv,message", [
    (["funnel", "--db", "/nonexistent/x.duckdb"], "does not exist"),
    (["funnel", "--by", "nope"], "no such lead column"),
    (["funnel", "--since", "2024-02-30"], "is not a date"),
    (["funnel", "--since", "2024-03-01", "--until", "2024-01-01"], "starts (2024-03-01) after it ends"),
    (["funnel", "--mode", "weekly"], "invalid choice"),
    (["import"], "give at least one file"),
    (["demo", "--leads", "5"], "at least 100"),
])
def test_errors_are_one_line_with_exit_code_1(demo_db, tmp_path, argv, message):
    if "--db" not in argv:
        argv = [*argv[:1], "--db", demo_db if argv[0] != "demo" else str(tmp_path / "d.duckdb"), *argv[1:]]
    code, out, err = run(*argv)
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_demo_then_import_then_bad_import(tmp_path):
    db = str(tmp_path / "d.duckdb")
    code, out, _ = run("demo", "--db", db, "--leads", "300", "--seed", "3", "--quiet")
    assert code == 0 and "300 leads" in out
    good = tmp_path / "more.csv"
    good.write_text("lead_id,created_at,source_group\nX1,2026-01-05,Partners\n")
    assert run("import", "--db", db, "--into-demo", "--leads", str(good))[0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("lead_id,created_at\nX2,2026-01-05\nX3,not a date\n")
    code, _, err = run("import", "--db", db, "--into-demo", "--leads", str(bad))
    assert code == 1 and "bad.csv, row 2" in err and "nothing was imported" in err
    con = store.connect(db, read_only=True)
    ids = set(con.table("leads").lead_id.execute())
    con.disconnect()
    assert "X1" in ids and "X2" not in ids and len(ids) == 301
