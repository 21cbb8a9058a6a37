"""A database filled by other pipelines may hold anything: every page and every command survives timestamps far
outside the sane window (written straight into the database, past the importer), reads them clamped to the window
and says so; dates typed on the command line or in a shared URL are clamped the same way."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from datetime import timedelta

import pytest
from apptest import run_page
from conftest import DEMO_END

from smarketing import demo, store, timewindow
from smarketing.cli import main
from smarketing.reach import refresh_reach

PAGES = ["home", "funnel", "fit_interest", "scoring_tuner", "attribution", "lead_flow", "planner", "data"]
CLAMPED = "outside 1970-01-01 to"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> str:
    """A small demo database with out-of-window values written straight into every table (and the reach table
    rebuilt from them, as an import would have)."""
    path = tmp_path_factory.mktemp("hostile") / "warehouse.duckdb"
    con = store.connect(path)
    demo.generate(con, leads=400, seed=5, end=DEMO_END, progress=False)
    db = store.raw(con)
    lead = db.execute("SELECT lead_id FROM leads ORDER BY lead_id LIMIT 1").fetchone()[0]
    db.execute("""INSERT INTO leads (lead_id, created_at, source_group) VALUES
                  ('X9999', TIMESTAMP '9999-12-31', 'Paid'), ('XINF', 'infinity'::TIMESTAMP, 'Paid'),
                  ('X2263', TIMESTAMP '2263-01-01', 'Paid'), ('X0005', TIMESTAMP '0005-01-01', 'Paid')""")
    db.execute("""INSERT INTO events (lead_id, ts, event_type, channel) VALUES
                  (?, TIMESTAMP '0005-01-01', 'page_view', 'Email'), (?, TIMESTAMP '2263-01-01', 'demo_request', 'Email'),
                  ('X9999', 'infinity'::TIMESTAMP, 'pricing_view', 'Paid search')""", [lead, lead])
    db.execute("""INSERT INTO stage_changes VALUES ('X9999', 'MQL', 'infinity'::TIMESTAMP),
                  ('X2263', 'Customer', TIMESTAMP '2263-01-02')""")
    db.execute("""INSERT INTO deals VALUES ('DX1', 'X2263', TIMESTAMP '2263-01-01', TIMESTAMP '9999-12-31', 'won', 5000),
                  ('DX2', ?, TIMESTAMP '0005-01-01', 'infinity'::TIMESTAMP, 'won', 100)""", [lead])
    db.execute("""INSERT INTO handoffs (lead_id, dispatched_at, owner, accepted_at) VALUES
                  ('X9999', 'infinity'::TIMESTAMP, 'Ben Carter', TIMESTAMP '0005-01-01')""")
    db.execute("INSERT INTO spend (date, source_group, cost) VALUES (DATE '9999-12-31', 'Paid', 10)")
    refresh_reach(con)
    con.disconnect()
    return str(path)


@pytest.mark.parametrize("page_key", PAGES)
def test_every_page_survives_out_of_window_timestamps_and_says_they_were_clamped(hostile_db, monkeypatch, page_key):
    monkeypatch.setenv("SMARKETING_DB", hostile_db)
    at = run_page(page_key)  # asserts no exception
    warnings = " ".join(w.value for w in at.warning)
    assert CLAMPED in warnings and "clamped" in warnings


def test_the_default_window_ignores_a_lead_created_in_2263(hostile_db, monkeypatch):
    con = store.connect(hostile_db, read_only=True)
    last = store.raw(con).execute("SELECT max(created_at)::DATE FROM leads WHERE created_at < '2100-01-01'").fetchone()[0]
    con.disconnect()
    monkeypatch.setenv("SMARKETING_DB", hostile_db)
    at = run_page("home")
    assert at.date_input(key="flt_range").value == (last - timedelta(days=364), last)  # not 2262, not 2031


def run(*argv):
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()  # `leads` writes bytes
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    out.flush()
    return code, out.buffer.getvalue().decode("utf-8"), err.getvalue()


@pytest.mark.parametrize("command", [
    ["funnel"], ["funnel", "--mode", "period"], ["score"], ["tune"], ["suggest"], ["leads", "--quadrant", "hot"],
    ["sla"], ["dedupe"], ["attribution"], ["attribution", "--model", "time_decay"], ["channels"],
    ["plan", "--revenue", "100000"]])
def test_every_command_survives_out_of_window_timestamps_and_warns(hostile_db, tmp_path, command):
    db = tmp_path / "copy.duckdb"  # rule versions are saved beside the database: a folder of its own
    shutil.copy(hostile_db, db)
    code, out, err = run(*command, "--db", str(db))
    assert code == 0, err
    assert out.strip()
    assert err.startswith("warning: ") and CLAMPED in err and "clamped" in err


@pytest.mark.parametrize("command", [["funnel"], ["attribution"], ["channels"], ["sla"], ["leads"], ["dedupe"]])
def test_a_window_ending_in_9999_is_clamped_on_the_command_line(demo_db, command):
    code, out, err = run(*command, "--db", demo_db, "--since", "2025-11-01", "--until", "9999-12-31")
    assert code == 0, err
    assert f"--until 9999-12-31 is after {timewindow.latest().isoformat()}" in err


def test_a_window_ending_in_9999_is_clamped_in_the_url(demo_env):
    at = run_page("home", run=False)
    at.query_params["since"] = "0001-01-01"
    at.query_params["until"] = "9999-12-31"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.date_input(key="flt_range").value == (timewindow.EARLIEST, timewindow.latest())


def test_every_attribution_model_runs_on_events_in_year_5_and_2263(hostile_db):
    from smarketing.attribution.report import MODELS, PathParams, attribution
    from smarketing.filters import Filters

    con = store.connect(hostile_db, read_only=True)
    try:
        credits = attribution(con, PathParams(conversion="won"), Filters(), MODELS).credits
        assert set(credits.model) == set(MODELS)
        assert credits[["conversions", "value"]].notna().all().all()
    finally:
        con.disconnect()
