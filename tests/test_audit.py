"""The funnel integrity audit on tiny tables written lead by lead, expectations worked out by hand; properties on
random journeys; the CLI twin `smarketing audit`."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import stage_names

from smarketing.cli import main
from smarketing.filters import Filters
from smarketing.funnel.audit import ANY_HISTORY, HISTORY_KEYS, ISSUES, audit_report, offending_leads
from smarketing.funnel.audit.issues import CURRENT
from smarketing.funnel.audit.report import refresh_audit
from smarketing.funnel.lifecycle import lifecycle_funnel
from smarketing.reach import reach_table_name
from smarketing.stages import resolve
from smarketing.store import derived

DAY = "2026-01-0{}"


def lead(lead_id, created="2026-01-01 10:00", **columns):
    return {"lead_id": lead_id, "created_at": created, **columns}


def change(lead_id, stage, at):
    return {"lead_id": lead_id, "stage": stage, "entered_at": at}


def flagged(con, issue, **kwargs) -> dict[str, str]:
    """{lead_id: stages} of the offending-leads list of one issue type."""
    frame = offending_leads(con, issue, **kwargs)
    return dict(zip(frame.lead_id, frame.stages, strict=True))


def per_stage(report, issue) -> dict[str, float]:
    return {r.stage: r[issue] for _, r in report.by_stage.iterrows()}


def test_skipped_counts_only_stages_the_data_records(make_con):
    con = make_con(
        leads=[lead("A"), lead("B"), lead("C"), lead("D")],
        stage_changes=[
            change("A", "Lead", "2026-01-01 10:00"), change("A", "MQL", "2026-01-02"), change("A", "SQL", "2026-01-03"),
            change("B", "Lead", "2026-01-01 10:00"), change("B", "SQL", "2026-01-04"),  # no MQL: skipped it
            change("C", "Subscriber", "2026-01-01 10:00"), change("C", "SQL", "2026-01-05"),  # skipped Lead and MQL
            # D reaches Customer; nobody in this data records Opportunity, so D did not "skip" it
            change("D", "Lead", "2026-01-01 10:00"), change("D", "MQL", "2026-01-02"), change("D", "SQL", "2026-01-03"),
            change("D", "Customer", "2026-01-10"),
        ])
    assert flagged(con, "skipped") == {"B": "MQL", "C": "Lead, MQL"}
    report = audit_report(con)
    assert list(report.by_stage.stage) == ["Subscriber", "Lead", "MQL", "SQL", "Customer"]  # recorded stages
    assert per_stage(report, "skipped") == {"Subscriber": 0, "Lead": 1, "MQL": 2, "SQL": 0, "Customer": 0}
    issues = report.issues.set_index("issue")
    assert issues.at["skipped", "leads"] == 2 and issues.at["skipped", "share"] == 2 / 4


def test_backwards_and_same_moment_bulk_edits(make_con):
    con = make_con(
        leads=[lead("A"), lead("B"), lead("C"), lead("D")],
        stage_changes=[
            # A: returned to nurture once (MQL -> Lead), then MQL again and SQL: one backward move, from MQL
            change("A", "Lead", "2026-01-01 10:00"), change("A", "MQL", "2026-01-02"), change("A", "Lead", "2026-01-03"),
            change("A", "MQL", "2026-01-04"), change("A", "SQL", "2026-01-05"),
            # B: an SQL sent back to Lead: the stage undone is SQL
            change("B", "Lead", "2026-01-01 10:00"), change("B", "MQL", "2026-01-02"), change("B", "SQL", "2026-01-03"),
            change("B", "Lead", "2026-01-06"),
            # C: MQL and SQL at the same moment: a bulk edit of both, not a backward move
            change("C", "Lead", "2026-01-01 10:00"), change("C", "SQL", "2026-01-02 09:00"),
            change("C", "MQL", "2026-01-02 09:00"),
            # D: lost (a side stage) after MQL: neither
            change("D", "Subscriber", "2026-01-01 10:00"), change("D", "Lead", "2026-01-01 11:00"),
            change("D", "MQL", "2026-01-02"), change("D", "Other", "2026-01-05"),
        ])
    assert flagged(con, "backwards") == {"A": "MQL", "B": "SQL"}
    assert flagged(con, "bulk_edit") == {"C": "MQL, SQL"}
    report = audit_report(con)
    assert per_stage(report, "backwards") == {"Subscriber": 0, "Lead": 0, "MQL": 1, "SQL": 1}
    assert per_stage(report, "bulk_edit") == {"Subscriber": 0, "Lead": 0, "MQL": 1, "SQL": 1}
    at = offending_leads(con, "bulk_edit").issue_at.iloc[0]
    assert at == pd.Timestamp("2026-01-02 09:00")


def test_a_stage_before_the_lead_was_created(make_con):
    con = make_con(
        leads=[lead("A", "2026-01-05 12:00"), lead("B", "2026-01-05 12:00"), lead("C", "2026-01-05 12:00")],
        stage_changes=[
            change("A", "Lead", "2026-01-03 08:00"),  # two days early
            change("B", "MQL", "2026-01-05 00:00"),  # a date without a time on the creation day: not flagged
            change("C", "MQL", "2026-01-05 09:00"),  # three hours early, with a time
        ])
    assert flagged(con, "before_created") == {"A": "Lead", "C": "MQL"}


def test_won_deals_and_the_customer_stage_disagreeing(make_con):
    deals = [{"deal_id": "D1", "lead_id": "A", "created_at": "2026-01-05", "closed_at": "2026-02-01", "status": "won"},
             {"deal_id": "D2", "lead_id": "B", "created_at": "2026-01-05", "closed_at": "2026-02-01", "status": "lost"},
             {"deal_id": "D3", "lead_id": "C", "created_at": "2026-01-05", "closed_at": "2026-02-01", "status": " Won "}]
    stages = [change("A", "SQL", "2026-01-03"), change("B", "Customer", "2026-02-01"),
              change("C", "Customer", "2026-02-01")]
    con = make_con(leads=[lead("A"), lead("B"), lead("C")], stage_changes=stages, deals=deals)
    assert flagged(con, "won_not_customer") == {"A": "Customer"}  # won deal, never a customer
    assert flagged(con, "customer_not_won") == {"B": "Customer"}  # a customer without a won deal
    assert offending_leads(con, "won_not_customer").issue_at.iloc[0] == pd.Timestamp("2026-02-01")
    # without deals nothing can be compared: the checks are not run (not "no issue")
    bare = make_con(leads=[lead("A"), lead("B")], stage_changes=stages[:2])
    issues = audit_report(bare).issues.set_index("issue")
    assert not issues.at["customer_not_won", "checked"] and issues.at["customer_not_won", "missing"] == "deals"
    assert pd.isna(issues.at["customer_not_won", "leads"])
    assert offending_leads(bare, "customer_not_won").empty


@pytest.fixture(params=["live", "derived"])
def built(request, make_con):
    """make_con, and with "derived" the audit's derived tables built as a write builds them (the same answers)."""
    def build(**tables):
        con = make_con(**tables)
        if request.param == "derived":
            refresh_audit(con)
            assert derived.load(con, CURRENT, reach_table_name(resolve(None))) is not None
        return con
    return build


def test_sitting_past_the_sla_and_past_the_p90_time_in_stage(built):
    hand = [{"lead_id": "A", "dispatched_at": "2026-02-01 00:00", "accepted_at": "2026-02-03 00:00", "owner": "x"},
            {"lead_id": "B", "dispatched_at": "2026-02-01 00:00", "accepted_at": "2026-02-01 02:00", "owner": "x"},
            {"lead_id": "C", "dispatched_at": "2026-02-28 23:00", "owner": "x"}]
    con = built(
        leads=[lead("A"), lead("B"), lead("C"), lead("D"), lead("Z", "2026-03-01 00:00")],  # Z: the data's last moment
        stage_changes=[change("A", "MQL", "2026-02-01 00:00"),  # accepted after 48 h, still an MQL
                       change("B", "MQL", "2026-02-01 00:00"),  # accepted in 2 h, still an MQL
                       change("C", "MQL", "2026-02-28 23:00"),  # waiting one hour so far
                       change("D", "MQL", "2026-02-01 00:00"), change("D", "SQL", "2026-02-02 00:00")],
        handoffs=hand, deals=[{"deal_id": "D1", "lead_id": "D", "created_at": "2026-02-20", "status": "open",
                               "closed_at": "2026-09-30"}])  # a planned close date is not a fact: not the data's end
    # SLA 24 h: A sat at MQL for 28 days and was not accepted in time; B was; C's deadline is still ahead; D moved on
    assert flagged(con, "past_sla") == {"A": "MQL"}
    # the 90th percentile from MQL to SQL is D's one day (the Funnel page's figure); A and B sat 28 days, C one hour.
    # SQL is the last stage this data records, so nobody can sit in it "too long".
    assert lifecycle_funnel(con).set_index("stage").at["SQL", "p90_days_from_previous"] == pytest.approx(1.0)
    assert flagged(con, "past_p90") == {"A": "MQL", "B": "MQL"}
    assert flagged(con, "past_sla", sla_hours=72) == {}
    report = audit_report(con)
    assert report.as_of == pd.Timestamp("2026-03-01 00:00")
    assert report.by_stage.set_index("stage").at["MQL", "trust"] == 1.0  # stale records are not an inconsistent history


def test_unmapped_sources_and_campaigns_and_ownerless_mqls(built):
    spend = [{"date": "2026-01-01", "source": "Google Ads", "campaign": "GA – Brand", "cost": 10}]
    leads = [lead("A", source_group="Paid", source=None), lead("B", source_group="Paid", source="(none)"),
             lead("C", source_group=" Unknown ", source="Google"),
             lead("E", source_group="Paid", source="Google Ads", campaign="GA – Other"),  # not a campaign with spend
             lead("F", source_group="Paid", source="google ads ", campaign="ga – brand"),  # the same, spelt otherwise
             lead("G", source_group="Paid", source="Google Ads", campaign=None),
             lead("H", source_group="Direct", source="Website", campaign=None),  # no spend for this source: not checked
             lead("I", source_group="Direct", source="Website", owner=None),
             lead("J", source_group="Direct", source="Website", owner=None),
             lead("K", source_group="Direct", source="Website", owner=" ")]
    con = built(leads=leads, spend=spend,
                   stage_changes=[change("I", "MQL", "2026-01-02"), change("J", "MQL", "2026-01-02"),
                                  change("K", "SQL", "2026-01-03")],  # K reached MQL by skipping it
                   handoffs=[{"lead_id": "J", "dispatched_at": "2026-01-02", "owner": "Ana"}])
    assert flagged(con, "unmapped_source") == {"A": "Subscriber", "B": "Subscriber", "C": "Subscriber"}
    assert flagged(con, "unmapped_campaign") == {"E": "Subscriber", "G": "Subscriber"}
    assert flagged(con, "ownerless_mql") == {"I": "MQL", "K": "MQL"}  # J was handed to Ana
    report = audit_report(con)
    assert report.by_stage.set_index("stage").at["Subscriber", "trust"] == 1.0  # mapping gaps: history still clean


HAND = [  # six leads created on 1 January 2026: L3 skipped MQL, L4 went back from MQL to Lead
    (lead("L1", source="A"), ["Lead", "MQL", "SQL"]), (lead("L2", source="A"), ["Lead", "MQL"]),
    (lead("L3", source="A"), ["Lead", "SQL"]), (lead("L4", source="B"), ["Lead", "MQL", "Lead"]),
    (lead("L5", source="B"), ["Subscriber"]), (lead("L6", source="B"), ["Lead"])]


@pytest.fixture()
def hand_con(make_con):
    changes = [change(row["lead_id"], s, DAY.format(k + 2)) for row, path in HAND for k, s in enumerate(path)]
    return make_con(leads=[row for row, _ in HAND], stage_changes=changes)


def test_trust_per_stage_counts_issues_up_to_that_stage(hand_con):
    report = audit_report(hand_con)
    stages = report.by_stage.set_index("stage")
    # Subscriber: all 6, Lead: all but L5, no issue about them. MQL: L1, L2, L3 (by implication), L4 = 4, of which
    # L3 (skipped MQL) and L4 (went back from MQL) are not clean. SQL: L1, L3; L3's issue is about MQL, before SQL.
    assert stages.leads.tolist() == [6, 5, 4, 2]
    assert stages.trust.tolist() == [6 / 6, 5 / 5, 2 / 4, 1 / 2]
    assert stages.leads.tolist() == lifecycle_funnel(hand_con).set_index("stage").leads.iloc[:4].tolist()


def test_the_change_in_conversions_without_each_issue_type(hand_con):
    effects = audit_report(hand_con).effects.set_index(["issue", "transition"])
    # all six: Lead -> MQL 4/5, MQL -> SQL 2/4, Subscriber -> SQL (the last recorded stage; no Customer here) 2/6
    assert effects.at[("skipped", "Lead → MQL"), "rate_all"] == pytest.approx(4 / 5)
    # without L3 (skipped): Subscriber 5, Lead 4, MQL 3 (L1, L2, L4), SQL 1 (L1)
    assert effects.at[("skipped", "Lead → MQL"), "change"] == pytest.approx(3 / 4 - 4 / 5)
    assert effects.at[("skipped", "MQL → SQL"), "change"] == pytest.approx(1 / 3 - 2 / 4)
    assert effects.at[("skipped", "Subscriber → SQL"), "change"] == pytest.approx(1 / 5 - 2 / 6)
    # without L4 (backwards): MQL 3 (L1, L2, L3), SQL 2 (L1, L3)
    assert effects.at[("backwards", "MQL → SQL"), "rate_without"] == pytest.approx(2 / 3)
    # without both: L1, L2, L5, L6: Lead 3 (L1, L2, L6), MQL 2, SQL 1
    assert effects.at[(ANY_HISTORY, "Lead → MQL"), "rate_without"] == pytest.approx(2 / 3)
    assert effects.at[(ANY_HISTORY, "MQL → SQL"), "rate_without"] == pytest.approx(1 / 2)
    assert effects.at[(ANY_HISTORY, "MQL → SQL"), "flagged"] == 2
    # an issue nobody has changes nothing
    assert effects.loc["bulk_edit", "change"].abs().max() == 0
    funnel = lifecycle_funnel(hand_con).set_index("stage")
    assert effects.at[("skipped", "MQL → SQL"), "rate_all"] == funnel.at["SQL", "conversion_from_previous"]


def test_issues_per_source(hand_con):
    by_source = audit_report(hand_con).by_source.set_index("source")
    assert by_source.loc["A", ["leads", "clean", "skipped", "backwards"]].tolist() == [3, 2, 1, 0]
    assert by_source.loc["B", ["leads", "clean", "skipped", "backwards"]].tolist() == [3, 2, 0, 1]
    assert by_source.at["A", "trust"] == pytest.approx(2 / 3)


def test_the_window_and_the_mode_choose_the_leads_audited(make_con):
    con = make_con(leads=[lead("A", "2026-01-01"), lead("B", "2025-06-01"), lead("C", "2024-01-01")],
                   stage_changes=[change("A", "SQL", "2026-01-05"), change("B", "SQL", "2026-01-05"),
                                  change("C", "MQL", "2024-01-02")])  # C: MQL is a stage this data records
    jan = Filters(date(2026, 1, 1), date(2026, 1, 31))
    assert audit_report(con, jan).leads == 1  # cohort: only A was created in January
    assert set(flagged(con, "skipped", filters=jan)) == {"A"}
    period = Filters(date(2026, 1, 1), date(2026, 1, 31), mode="period")
    assert audit_report(con, period).leads == 2  # period: A and B reached SQL in January
    assert set(flagged(con, "skipped", filters=period)) == {"A", "B"}
    assert audit_report(con, Filters(date(2026, 3, 1), date(2026, 3, 31), mode="period")).leads == 0


def test_an_unknown_issue_type_is_an_error(hand_con):
    with pytest.raises(ValueError, match="unknown issue type 'typo'"):
        offending_leads(hand_con, "typo")
    with pytest.raises(ValueError, match="unknown issue type 'typo'"):
        audit_report(hand_con, only=("skipped", "typo"))


def test_the_history_checks_alone_give_the_same_trust(hand_con):
    full, history = audit_report(hand_con), audit_report(hand_con, only=HISTORY_KEYS)
    assert history.by_stage.trust.tolist() == full.by_stage.trust.tolist()
    issues = history.issues.set_index("issue")
    assert not issues.at["past_p90", "checked"] and issues.at["past_p90", "missing"] == "not_requested"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 7), stage_names, st.integers(-3, 60)), max_size=40),
       st.lists(st.tuples(st.integers(0, 7), st.sampled_from(["won", "lost", "open"])), max_size=6))
def test_trust_is_a_share_and_counts_never_exceed_the_leads(make_con, changes, deals):
    leads = [lead(f"L{i}", f"2024-01-{i + 1:02d}", source="ab"[i % 2]) for i in range(8)]
    rows = [change(f"L{i}", s, pd.Timestamp("2024-01-01") + pd.Timedelta(days=d)) for i, s, d in changes]
    deal_rows = [{"deal_id": f"D{k}", "lead_id": f"L{i}", "created_at": "2024-02-01", "status": status}
                 for k, (i, status) in enumerate(deals)]
    report = audit_report(make_con(leads=leads, stage_changes=rows, deals=deal_rows))
    stages = report.by_stage
    assert report.leads == 8
    assert stages.trust.between(0, 1).all() and (stages.clean <= stages.leads).all()
    for key in ISSUES:
        checked = stages[key].dropna()
        assert (checked <= report.leads).all()
    assert (report.issues.leads.dropna() <= report.leads).all()
    assert report.by_source.leads.sum() == 8 and report.by_source.trust.between(0, 1).all()
    assert report.effects.rate_all.dropna().between(0, 1).all()
    assert report.effects.rate_without.dropna().between(0, 1).all()


def test_cli_audit_masks_personal_data(make_con, tmp_path, capsys):
    from smarketing import store

    path = tmp_path / "audit.duckdb"
    con = store.connect(path)
    store.raw(con).execute("INSERT INTO leads (lead_id, created_at, email, phone, source) VALUES "
                           "('L1', '2026-01-01', 'jane.doe@example.com', '+1 415 555 0100', '=cmd()')")
    store.raw(con).execute("INSERT INTO leads (lead_id, created_at) VALUES ('L2', '2026-01-01'), ('L3', '2026-01-01')")
    store.raw(con).execute("INSERT INTO stage_changes VALUES ('L1', 'SQL', '2026-01-03'), ('L2', 'MQL', '2026-01-02'), "
                           "('L2', 'SQL', '2026-01-03')")  # L1 skipped MQL
    con.disconnect()
    assert main(["audit", "--db", str(path), "--format", "json"]) == 0
    stages = json.loads(capsys.readouterr().out)
    stages = {s["stage"]: s for s in stages}  # L3 never moved on: Subscriber is a stage of this data
    assert list(stages) == ["Subscriber", "MQL", "SQL"] and stages["MQL"]["skipped"] == 1
    assert stages["MQL"]["trust"] == 1 / 2
    assert main(["audit", "--db", str(path), "--issue", "skipped", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "L1" in out and "j***@example.com" in out and "jane.doe" not in out and "0100" in out
    assert "'=cmd()" in out  # formula-safe
    assert main(["audit", "--db", str(path), "--by", "source"]) == 0
    assert "=cmd()" in capsys.readouterr().out
    assert main(["audit", "--db", str(path), "--issue", "nope"]) == 1
