"""The first stage is recorded like any other (review of issue 12, item 3): an MQL list, whose every lead is an
MQL from its first day, starts its funnel at MQL instead of a 100% Subscriber → MQL pass-through; a lead list
with a converted flag keeps every created lead as its first step; the demo, which records Subscriber, is as
before. Hand-counted on four leads."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pandas as pd
import pytest

from smarketing import planner
from smarketing.cli import main
from smarketing.filters import Filters
from smarketing.funnel.kpis import headline
from smarketing.funnel.lifecycle import lifecycle_funnel, shown_funnel
from smarketing.reach import recorded_stages
from smarketing.scoring.quadrants import quadrant_view
from smarketing.scoring.rules import FitRule, Rules
from smarketing.scoring.scores import DEFAULT_CUTOFF, recorded_outcomes

LEADS = [{"lead_id": f"L{i}", "created_at": f"2024-01-0{i + 1}", "industry": "Retail" if i % 2 else "Banking"}
         for i in range(4)]


def mql_list(make_con, extra=()):
    """Four leads, each an MQL the moment it was created; L0 became a Customer 10 days later."""
    changes = [{"lead_id": f"L{i}", "stage": "MQL", "entered_at": f"2024-01-0{i + 1}"} for i in range(4)]
    changes.append({"lead_id": "L0", "stage": "Customer", "entered_at": "2024-01-11"})
    return make_con(leads=LEADS, stage_changes=[*changes, *extra])


def test_an_mql_list_starts_its_funnel_at_mql(make_con):
    con = mql_list(make_con)
    assert recorded_stages(con) == ["MQL", "Customer"]
    funnel = lifecycle_funnel(con).set_index("stage")
    assert not funnel.at["Subscriber", "recorded"] and pd.isna(funnel.at["Subscriber", "conversion_from_previous"])
    mql = funnel.loc["MQL"]
    assert mql.leads == 4 and mql.conversion_from_previous == 1.0 and pd.isna(mql.from_stage)
    assert pd.isna(mql.median_days_from_previous)  # no "0.0 days from Subscriber"
    customer = funnel.loc["Customer"]
    assert customer.from_stage == "MQL" and customer.conversion_from_first == 1 / 4
    assert customer.median_days_from_previous == 10.0  # L0: MQL on 1 January, Customer on 11 January
    shown = shown_funnel(lifecycle_funnel(con)).set_index("stage")
    assert pd.isna(shown.at["Subscriber", "leads"]) and shown.at["MQL", "leads"] == 4


def test_a_converted_flag_keeps_every_created_lead_as_the_first_step(make_con):
    # L0 became a Customer; L1-L3 have no stage at all: being created is a step of its own
    con = make_con(leads=LEADS, stage_changes=[{"lead_id": "L0", "stage": "Customer", "entered_at": "2024-01-05"}])
    assert recorded_stages(con) == ["Subscriber", "Customer"]
    customer = lifecycle_funnel(con).set_index("stage").loc["Customer"]
    assert customer.from_stage == "Subscriber" and customer.conversion_from_previous == 1 / 4
    assert recorded_stages(make_con(leads=LEADS)) == ["Subscriber"]  # no stage changes: the leads themselves


def test_a_contacts_export_whose_every_lead_has_a_lead_date_starts_at_lead(make_con):
    changes = [{"lead_id": f"L{i}", "stage": "Lead", "entered_at": f"2024-01-0{i + 1} 01:00"} for i in range(4)]
    changes.append({"lead_id": "L1", "stage": "MQL", "entered_at": "2024-01-05"})
    con = make_con(leads=LEADS, stage_changes=changes)
    assert recorded_stages(con) == ["Lead", "MQL"]
    assert lifecycle_funnel(con).set_index("stage").at["MQL", "conversion_from_first"] == 1 / 4


def test_a_subscriber_date_records_the_first_stage_as_before(make_con):
    con = mql_list(make_con, extra=[{"lead_id": "L2", "stage": "Subscriber", "entered_at": "2024-01-03"}])
    funnel = lifecycle_funnel(con).set_index("stage")
    assert recorded_stages(con)[0] == "Subscriber" and funnel.at["MQL", "from_stage"] == "Subscriber"
    assert funnel.at["Subscriber", "leads"] == 4 and funnel.at["Customer", "conversion_from_first"] == 1 / 4


def test_the_headline_still_counts_every_lead_and_the_planner_chains_from_mql(make_con):
    con = mql_list(make_con)
    kpis = headline(con, Filters()).set_index("metric").value
    assert kpis["Leads"] == 4 and kpis["MQL"] == 4 and kpis["Lead → customer"] == 1 / 4
    assumptions = planner.historical(con)
    assert assumptions.stages == ("MQL", "Customer") and assumptions.rates == {"Customer": 1 / 4}


def test_sql_is_no_outcome_where_nobody_records_sql(make_con):
    con = mql_list(make_con)
    assert recorded_outcomes(con) == ("won",)
    rules = Rules("r", 1, pd.Timestamp("2024-01-01").date(), 10.0, 0.0,
                  fit=(FitRule("Banking", "industry", 10.0, equals="Banking"),))
    summary = quadrant_view(con, rules, DEFAULT_CUTOFF, Filters())["summary"]
    assert "sql_rate" not in summary.columns  # it would be the won rate again (L0's Customer implies SQL)
    assert summary.set_index("quadrant").at["hot", "won_rate"] == 1 / 2  # L0 and L2 are Banking; L0 won
    sql = mql_list(make_con, extra=[{"lead_id": "L1", "stage": "SQL", "entered_at": "2024-01-04"}])
    assert recorded_outcomes(sql) == ("won", "sql")


@pytest.fixture()
def mql_list_file(tmp_path):
    from smarketing import store

    path = tmp_path / "mqls.duckdb"
    con = store.connect(path)
    db = store.raw(con)
    for lead in LEADS:
        db.execute("INSERT INTO leads (lead_id, created_at) VALUES (?, ?)", [lead["lead_id"], lead["created_at"]])
        db.execute("INSERT INTO stage_changes VALUES (?, 'MQL', ?)", [lead["lead_id"], lead["created_at"]])
    db.execute("INSERT INTO stage_changes VALUES ('L0', 'Customer', '2024-01-11')")
    con.disconnect()
    return str(path)


def test_the_cli_funnel_says_which_stages_are_recorded(mql_list_file):
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["funnel", "--db", mql_list_file, "--format", "csv"]) == 0
    frame = pd.read_csv(io.StringIO(out.getvalue())).set_index("stage")
    assert frame.leads.isna().tolist() == [True, True, False, True, True, False]  # only MQL and Customer
    assert frame.at["Customer", "from_stage"] == "MQL" and frame.at["Customer", "conversion_from_previous"] == 0.25
