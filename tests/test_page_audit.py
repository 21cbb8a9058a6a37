"""AppTest of the Data trust page (and the trust line on the Funnel page): on the demo database, and on small
databases of our own with no events, hand-offs, deals or spend, or no stage changes at all."""

from __future__ import annotations

import pandas as pd
import pytest
from apptest import figures, metrics, run_page

from smarketing import store
from smarketing.funnel.audit import audit_report


def texts(at, kind: str) -> str:
    return " ".join(str(e.value) for e in getattr(at, kind))


def stage_table(at):
    """The trust-per-stage table, by stage."""
    return next(f.value for f in at.dataframe if "stage" in f.value.columns and "trust" in f.value.columns
                ).set_index("stage")


def test_the_page_shows_trust_issues_effects_and_the_leads_to_fix(demo_env, demo_con, downloads):
    at = run_page("audit")
    report = audit_report(demo_con, _window(at))
    shown = metrics(at)
    assert shown["Leads audited"] == f"{report.leads:,}"
    share = report.with_history_issue / report.leads * 100
    assert shown["Inconsistent history"] == f"{report.with_history_issue:,} · {share:.1f}%"
    trust = next(f for f in figures(at) if f["layout"]["title"]["text"] == "Trust per stage")["data"][0]
    assert list(trust["y"]) == report.by_stage.stage.tolist()
    table = stage_table(at)
    assert table.at["MQL", "trust"] == pytest.approx(report.by_stage.set_index("stage").at["MQL", "trust"] * 100)
    assert "issue_skipped" in table.columns and "issue_backwards" in table.columns
    titles = {f["layout"]["title"]["text"] for f in figures(at)}
    assert "Change in each conversion without the leads of an issue type (percentage points)" in titles
    # the leads to fix: the largest issue first, emails masked in the table and in its download
    people = at.dataframe[-1].value
    assert people.email.dropna().str.contains(r"\*\*\*@").all() and len(people) > 0
    csv = downloads[f"leads_{at.selectbox(key='audit_issue').value}.csv"].decode()
    assert "***@" in csv and "lead_id" in csv.splitlines()[0]


def _window(at):
    from datetime import date

    from smarketing.filters import Filters

    def day(name):
        value = at.query_params[name]
        return date.fromisoformat(value if isinstance(value, str) else value[0])

    return Filters(day("since"), day("until"))


def test_another_issue_and_a_shorter_sla(demo_env):
    at = run_page("audit", {("selectbox", "audit_issue"): "backwards"})
    assert "Moved backwards" in texts(at, "caption") or "moved backwards" in texts(at, "caption").lower()
    stale = int(metrics(at)["Sitting in a stage"].replace(",", ""))
    at.number_input(key="audit_sla").set_value(1.0).run()
    assert not at.exception
    assert int(metrics(at)["Sitting in a stage"].replace(",", "")) >= stale


def test_the_funnel_shows_the_trust_line(demo_env):
    at = run_page("funnel")
    line = next(c.value for c in at.caption if c.value.startswith("Data trust"))
    assert "Subscriber 100%" in line and "MQL" in line


def test_an_empty_range_says_so(demo_env):
    at = run_page("audit", run=False)
    at.query_params["since"], at.query_params["until"] = "2010-01-01", "2010-01-31"
    at.run()
    assert not at.exception and "No data in this range" in texts(at, "info")


def _database(path, leads, changes=()):
    con = store.connect(path)
    db = store.raw(con)
    db.executemany("INSERT INTO leads (lead_id, created_at, email, source_group, source) VALUES (?, ?, ?, ?, ?)",
                   leads)
    if changes:
        db.executemany("INSERT INTO stage_changes VALUES (?, ?, ?)", changes)
    con.disconnect()
    return str(path)


@pytest.fixture()
def crm_db(tmp_path, monkeypatch):
    """Leads and stage changes only (no events, hand-offs, deals or spend); L2 skipped MQL, L3's source is a
    spreadsheet formula, L4 entered MQL and SQL at the same moment."""
    leads = [("L1", "2026-01-01", "ana@example.com", "Paid", "Ads"), ("L2", "2026-01-02", "bo@example.com", "Paid", "Ads"),
             ("L3", "2026-01-03", "cy@example.com", "=HYPERLINK(1)", "Web"),
             ("L4", "2026-01-04", "di@example.com", None, None)]
    changes = [("L1", "MQL", "2026-01-05"), ("L1", "SQL", "2026-01-06"), ("L2", "SQL", "2026-01-06"),
               ("L4", "MQL", "2026-01-07 09:00"), ("L4", "SQL", "2026-01-07 09:00")]
    monkeypatch.setenv("SMARKETING_DB", _database(tmp_path / "crm.duckdb", leads, changes))


def test_data_without_events_handoffs_deals_or_spend(crm_db, downloads):
    at = run_page("audit", {("selectbox", "audit_issue"): "skipped"})
    notes = texts(at, "caption")
    assert "Not checked on this data" in notes
    assert "Won deal, never Customer (needs deals)" in notes and "MQL past the SLA (needs hand-offs)" in notes
    assert "Unmapped campaign (needs spend by campaign)" in notes
    table = stage_table(at)
    assert table.at["MQL", "issue_skipped"] == 1 and table.at["MQL", "issue_bulk_edit"] == 1
    assert table.at["MQL", "trust"] == pytest.approx(100 / 3)  # L1 clean, L2 skipped, L4 bulk edit
    assert "issue_past_sla" not in table.columns  # not checked: no column rather than zeros
    assert "MQL without owner (needs an owner on some lead, or hand-offs)" in notes  # no owners in this data
    assert metrics(at)["Mapping gaps"] == "1"  # L4 has no source
    assert list(at.dataframe[-1].value.lead_id) == ["L2"]
    csv = downloads["trust_by_source.csv"].decode()
    assert "'=HYPERLINK(1)" in csv  # formula-safe


def test_data_with_no_stage_changes(tmp_path, monkeypatch):
    path = _database(tmp_path / "leads_only.duckdb", [("L1", "2026-01-01", None, None, None),
                                                       ("L2", "2026-01-02", None, "Paid", "Ads")])
    monkeypatch.setenv("SMARKETING_DB", path)
    at = run_page("audit")
    assert "no stage changes" in texts(at, "info")
    assert metrics(at)["Leads audited"] == "2" and metrics(at)["Mapping gaps"] == "1"
    assert pd.notna(stage_table(at).trust.iloc[0])
    run_page("drivers")  # the drivers page says there is only one stage, without an exception
