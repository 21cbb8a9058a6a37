"""One owner per business definition: stage roles, won deals, "reached", and the settings, checked on tiny
hand-made tables and on a MIL → MQL → SQL → OPP → CUS model (whose stages have other names and positions)."""

from __future__ import annotations

from datetime import date

import pytest

from smarketing import deals, reach, settings
from smarketing.attribution.channels import channel_table
from smarketing.filters import Filters
from smarketing.funnel.kpis import headline
from smarketing.funnel.lifecycle import lifecycle_funnel
from smarketing.leadflow.sla import sla_report
from smarketing.scoring.scores import lead_outcomes
from smarketing.stages import PACKAGED_STAGES, StageConfigError, parse_stages

JAN = Filters(date(2026, 1, 1), date(2026, 1, 31))
MIL = parse_stages('''
[[main]]
name = "MIL"
[[main]]
name = "MQL"
role = "mql"
[[main]]
name = "SQL"
role = "sql"
[[main]]
name = "OPP"
role = "opportunity"
[[main]]
name = "CUS"
role = "won"
[[main]]
name = "Advocate"
''', "mil.toml")


def test_roles_in_the_default_model_and_a_custom_one():
    assert [PACKAGED_STAGES.role(r) for r in ("mql", "sql", "opportunity", "won")] == [
        "MQL", "SQL", "Opportunity", "Customer"]
    # roles given explicitly: CUS is not the last stage, and the won role still finds it
    assert [MIL.role(r) for r in ("mql", "sql", "opportunity", "won")] == ["MQL", "SQL", "OPP", "CUS"]
    three = parse_stages('[[main]]\nname = "A"\n[[main]]\nname = "B"\n[[main]]\nname = "C"\n')
    assert three.role("mql") is None
    with pytest.raises(ValueError, match="role 'won'"):
        three.require("won", "the channel table")


@pytest.mark.parametrize("text, message", [
    ('[[main]]\nname = "A"\nrole = "mql"\n[[main]]\nname = "B"\nrole = "mql"\n', "given to both"),
    ('[[main]]\nname = "A"\nrole = "customer"\n[[main]]\nname = "B"\n', "unknown role 'customer'"),
    ('[[main]]\nname = "A"\nrole = "won"\n[[main]]\nname = "B"\nrole = "mql"\n', "funnel order"),
    ('[[main]]\nname = "A"\n[[main]]\nname = "B"\n[[side]]\nname = "C"\nrole = "won"\n', "side stage"),
])
def test_role_mistakes_are_refused(text, message):
    with pytest.raises(StageConfigError, match=message):
        parse_stages(text)


LEADS = [{"lead_id": f"L{i}", "created_at": f"2026-01-{i + 1:02d}", "source_group": "Paid" if i % 2 else "Organic",
          "email": f"p{i}@x.com"} for i in range(6)]
CHANGES = [
    {"lead_id": "L0", "stage": "MQL", "entered_at": "2026-01-02"},
    {"lead_id": "L0", "stage": "CUS", "entered_at": "2026-01-20"},  # skipped SQL and OPP: reached them implicitly
    {"lead_id": "L1", "stage": "MQL", "entered_at": "2026-01-03"},
    {"lead_id": "L1", "stage": "SQL", "entered_at": "2026-01-05"},
    {"lead_id": "L2", "stage": "MQL", "entered_at": "2026-01-04"},
    {"lead_id": "L3", "stage": "OPP", "entered_at": "2026-01-09"},
    {"lead_id": "L4", "stage": "Advocate", "entered_at": "2026-01-25"},  # after CUS in the main line: reaches all
]
DEALS = [
    {"deal_id": "D0", "lead_id": "L0", "created_at": "2026-01-10", "closed_at": "2026-01-20", "status": "won",
     "amount": 500},
    {"deal_id": "D3", "lead_id": "L3", "created_at": "2026-01-09", "closed_at": "2026-01-30", "status": "lost",
     "amount": 300},
]
HANDOFFS = [{"lead_id": "L0", "dispatched_at": "2026-01-02", "accepted_at": "2026-01-02 03:00"},
            {"lead_id": "L1", "dispatched_at": "2026-01-03"}]


@pytest.fixture()
def mil_con(make_con):
    con = make_con(leads=LEADS, stage_changes=CHANGES, deals=DEALS, handoffs=HANDOFFS)
    reach.refresh_reach(con, MIL)
    return con


def test_a_mil_model_works_in_the_funnel_kpis_channels_sla_and_scoring(mil_con):
    funnel = lifecycle_funnel(mil_con, JAN, MIL).set_index("stage").leads
    # MQL: L0, L1, L2, L3 (via OPP), L4 (via Advocate); SQL: L0, L1, L3, L4; OPP: L0, L3, L4; CUS: L0, L4
    assert funnel.to_dict() == {"MIL": 6, "MQL": 5, "SQL": 4, "OPP": 3, "CUS": 2, "Advocate": 1}
    cards = headline(mil_con, JAN, MIL).set_index("metric").value
    assert (cards["MQL"], cards["SQL"], cards["OPP"], cards["CUS"]) == (5, 4, 3, 2)
    assert "Advocate" not in cards  # not a role stage
    assert cards["Lead → customer"] == pytest.approx(2 / 6)
    total = channel_table(mil_con, JAN, by="source_group", stages=MIL).iloc[-1]
    assert (total.mql, total.sql, total.opportunities, total.customers) == (5, 4, 3, 2)
    sla = sla_report(mil_con, Filters(), stages=MIL)
    assert int(sla.summary.dispatched.iloc[0]) == 2 and int(sla.summary.won.iloc[0]) == 1  # L0 reached CUS
    outcomes = lead_outcomes(mil_con, JAN, MIL).execute().set_index("lead_id")
    assert outcomes.sql.to_dict() == {"L0": True, "L1": True, "L2": False, "L3": True, "L4": True, "L5": False}
    assert outcomes.opportunity.sum() == 3


def test_the_channel_tables_total_mql_to_sql_is_the_funnels(demo_con):
    for filters in (Filters(date(2026, 1, 1), date(2026, 6, 30)),
                    Filters(date(2026, 1, 1), date(2026, 6, 30), mode="period")):
        funnel = lifecycle_funnel(demo_con, filters).set_index("stage")
        total = channel_table(demo_con, filters, by="source_group").iloc[-1]
        assert total.mql == funnel.at["MQL", "leads"] and total.sql == funnel.at["SQL", "leads"]
        assert total.mql_to_sql == pytest.approx(funnel.at["SQL", "conversion_from_previous"])


def test_won_is_one_definition_that_ignores_case_and_spaces(make_con):
    con = make_con(leads=[{"lead_id": "A", "created_at": "2026-01-01"}], deals=[
        {"deal_id": d, "lead_id": "A", "created_at": "2026-01-02", "status": s}
        for d, s in (("D1", "won"), ("D2", " Won "), ("D3", "lost"), ("D4", "open"), ("D5", "WON"))])
    assert sorted(deals.won_deals(con).deal_id.execute()) == ["D1", "D2", "D5"]
    table = con.table("deals")
    assert int(deals.is_lost(table).sum().execute()) == 1 and int(deals.is_open(table).sum().execute()) == 1


def test_reached_counts_any_time_in_cohort_mode_and_the_window_in_period_mode(make_con):
    con = make_con(leads=[{"lead_id": "A", "created_at": "2025-12-30"}, {"lead_id": "B", "created_at": "2026-01-02"}],
                   stage_changes=[{"lead_id": "A", "stage": "MQL", "entered_at": "2026-01-05"},
                                  {"lead_id": "B", "stage": "MQL", "entered_at": "2026-02-05"}])
    table = reach.stage_reach(con)
    column = reach.reach_column("MQL")
    cohort = table.filter(reach.reached(table, column, JAN)).lead_id.execute().tolist()
    period = table.filter(reach.reached(table, column, Filters(JAN.since, JAN.until, "period"))).lead_id.execute()
    assert sorted(cohort) == ["A", "B"] and period.tolist() == ["A"]


def test_settings_resolve_environment_over_secrets():
    resolved = settings.resolve(
        {"SMARKETING_DB": "crm.duckdb", "PGPASSWORD": "pw", "SMARKETING_ROLE": "viewer"},
        {"db": "other.duckdb", "db_password": "secret", "role": "analyst", "sources": "postgres://a@b/c",
         "analysts": ["*@x.com"]})
    assert (resolved.db, resolved.db_password, resolved.role) == ("crm.duckdb", "pw", "viewer")
    assert resolved.sources == ("postgres://a@b/c",) and resolved.analysts == ("*@x.com",)
    default = settings.resolve({}, {})
    assert default.db == str(settings.DEFAULT_DB) and not default.db_configured
    assert default.max_upload_bytes == 200 * 1024 * 1024
    with pytest.raises(settings.SettingsError, match="SMARKETING_MAX_UPLOAD_MB"):
        _ = settings.resolve({"SMARKETING_MAX_UPLOAD_MB": "lots"}, {}).max_upload_bytes


def test_settings_follow_the_environment_without_a_restart(monkeypatch, tmp_path):
    monkeypatch.setenv("SMARKETING_DB", str(tmp_path / "a.duckdb"))
    first = settings.current().db
    monkeypatch.setenv("SMARKETING_DB", str(tmp_path / "b.duckdb"))
    assert first.endswith("a.duckdb") and settings.current().db.endswith("b.duckdb")
