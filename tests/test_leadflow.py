"""The hand-off SLA and the lead flow on hand-made timestamps (plain hours, no business calendar)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import HOURS

from smarketing.cli import main
from smarketing.filters import Filters
from smarketing.leadflow import flow as leadflow
from smarketing.leadflow import sla

HANDOFF_COLS = ["lead_id", "dispatched_at", "owner", "accepted_at", "returned_at", "return_reason",
                "first_contact_at"]


def rows(columns, *values):
    return [dict(zip(columns, v, strict=True)) for v in values]


@pytest.fixture()
def handoffs(make_con):
    """Five MQLs dispatched at 09:00 (MQL at 08:00), data as of 5 Jan 09:00, SLA 24 h:

    A  ann  accepted after 0.5 h, contacted after 1 h; SQL, opportunity, won
    B  ann  returned after 3 h ("No budget")
    C  bob  accepted after 48 h, contacted after 49 h; SQL, opportunity, deal lost
    D  bob  never answered (deadline 3 Jan 09:00 has passed)
    E  bob  dispatched 5 Jan 09:00, not answered yet: its deadline is still ahead, so not counted
    """
    leads = [{"lead_id": x, "created_at": "2024-01-01", "source": "web"} for x in "ABCDE"]
    changes = [{"lead_id": x, "stage": "MQL", "entered_at": "2024-01-02 08:00"} for x in "ABCD"]
    changes += [{"lead_id": "E", "stage": "MQL", "entered_at": "2024-01-05 08:00"}]
    changes += [{"lead_id": "A", "stage": s, "entered_at": t} for s, t in
                (("SQL", "2024-01-03"), ("Opportunity", "2024-01-10"), ("Customer", "2024-02-01"))]
    changes += [{"lead_id": "C", "stage": s, "entered_at": t} for s, t in (("SQL", "2024-01-05"),
                                                                          ("Opportunity", "2024-01-08"))]
    deals = [{"deal_id": "d1", "lead_id": "A", "created_at": "2024-01-10", "closed_at": "2024-02-01",
              "status": "won", "amount": 1000.0},
             {"deal_id": "d2", "lead_id": "C", "created_at": "2024-01-08", "closed_at": "2024-01-20",
              "status": "lost", "amount": 500.0}]
    hand = rows(
        HANDOFF_COLS,
        ("A", "2024-01-02 09:00", "ann", "2024-01-02 09:30", None, None, "2024-01-02 10:00"),
        ("B", "2024-01-02 09:00", "ann", None, "2024-01-02 12:00", "No budget", None),
        ("C", "2024-01-02 09:00", "bob", "2024-01-04 09:00", None, None, "2024-01-04 10:00"),
        ("D", "2024-01-02 09:00", "bob", None, None, None, None),
        ("E", "2024-01-05 09:00", "bob", None, None, None, None),
    )
    return make_con(leads=leads, stage_changes=changes, deals=deals, handoffs=hand)


def test_as_of_is_the_last_moment_in_the_handoffs(handoffs):
    assert sla.data_as_of(handoffs) == datetime(2024, 1, 5, 9, 0)


def test_summary_arithmetic(handoffs):
    s = sla.sla_report(handoffs).summary.iloc[0]
    assert (s.dispatched, s.accepted, s.returned, s.pending) == (5, 2, 1, 2)
    assert s.due == 4  # E's deadline (6 Jan 09:00) is after the data ends
    assert s.sla_met == 1 and s.sla_met_share == pytest.approx(1 / 4)  # only A; B was returned, not accepted
    assert s.answered_in_time_share == pytest.approx(2 / 4)  # A accepted, B returned within 24 h
    assert s.never_accepted == 2  # B and D
    assert s.reassigned == 2  # C (accepted after 48 h) and D (never answered)
    assert s.median_hours_to_accept == pytest.approx((0.5 + 48) / 2)
    assert (s.opportunities, s.won) == (2, 1)


def test_timings_from_mql_and_from_dispatch(handoffs):
    timing = sla.sla_report(handoffs).timings.set_index("step")
    assert timing.at["mql_to_dispatch", "median_hours"] == pytest.approx(1.0)
    assert timing.at["dispatch_to_accept", "handoffs"] == 2
    assert timing.at["dispatch_to_return", "median_hours"] == pytest.approx(3.0)
    assert timing.at["dispatch_to_first_contact", "median_hours"] == pytest.approx((1 + 49) / 2)
    assert timing.at["mql_to_first_contact", "median_hours"] == pytest.approx((2 + 50) / 2)


def test_owner_table(handoffs):
    owners = sla.sla_report(handoffs).by_owner.set_index("owner")
    assert owners.index.tolist() == ["bob", "ann"]  # worst SLA first
    assert owners.loc["ann", ["dispatched", "accepted", "returned", "due", "sla_met"]].tolist() == [2, 1, 1, 2, 1]
    assert owners.at["ann", "sla_met_share"] == pytest.approx(0.5)
    assert owners.at["ann", "median_hours_to_accept"] == pytest.approx(0.5)
    assert owners.loc["bob", ["dispatched", "accepted", "pending", "due", "sla_met", "reassigned"]].tolist() == [
        3, 1, 2, 2, 0, 2]
    assert owners.at["bob", "sla_met_share"] == 0
    assert owners.at["bob", "p90_hours_to_accept"] == pytest.approx(48)
    assert owners.at["ann", "opportunity_rate"] == pytest.approx(1 / 2)
    assert owners.at["bob", "opportunity_rate"] == pytest.approx(1 / 3)


def test_a_longer_sla_is_met_by_more(handoffs):
    s = sla.sla_report(handoffs, hours=48).summary.iloc[0]
    assert s.due == 4 and s.sla_met == 2  # C accepted exactly at 48 h: within (≤)
    assert s.reassigned == 1  # only D


def test_sla_hours_must_be_positive(handoffs):
    with pytest.raises(ValueError, match="positive number of hours"):
        sla.sla_report(handoffs, hours=0)


def test_return_reasons_with_missing_reason(make_con):
    leads = [{"lead_id": x, "created_at": "2024-01-01"} for x in "ABC"]
    hand = rows(HANDOFF_COLS, ("A", "2024-01-02", "ann", None, "2024-01-02 02:00", "No budget", None),
                ("B", "2024-01-02", "ann", None, "2024-01-02 04:00", "No budget", None),
                ("C", "2024-01-02", "ann", None, "2024-01-02 06:00", None, None))
    reasons = sla.sla_report(make_con(leads=leads, handoffs=hand)).reasons
    assert reasons.return_reason.tolist() == ["No budget", sla.NO_REASON]
    assert reasons.returns.tolist() == [2, 1]
    assert reasons.share.tolist() == pytest.approx([2 / 3, 1 / 3])
    assert reasons.median_hours_to_return.tolist() == pytest.approx([3.0, 6.0])


def test_response_time_buckets_and_conversion(handoffs):
    response = sla.sla_report(handoffs).response.set_index("bucket")
    assert response.index.tolist() == sla.BUCKET_ORDER
    assert response.leads.tolist() == [0, 1, 0, 1, 3]  # A at 1 h (1–4 h), C at 49 h, B D E no response
    assert response.at["1–4 h", "won_rate"] == 1.0
    assert response.at["> 24 h", "opportunity_rate"] == 1.0 and response.at["> 24 h", "won"] == 0


def test_bucket_edges(make_con):
    """Edges belong to the upper bucket: 1 h -> 1–4 h, 4 h -> 4–24 h, 24 h -> > 24 h; acceptance counts
    when no contact is recorded."""
    leads = [{"lead_id": x, "created_at": "2024-01-01"} for x in "ABCD"]
    hand = rows(HANDOFF_COLS, ("A", "2024-01-02 00:00", "x", None, None, None, "2024-01-02 00:59"),
                ("B", "2024-01-02 00:00", "x", None, None, None, "2024-01-02 01:00"),
                ("C", "2024-01-02 00:00", "x", "2024-01-02 04:00", None, None, None),
                ("D", "2024-01-02 00:00", "x", None, None, None, "2024-01-03 00:00"))
    response = sla.sla_report(make_con(leads=leads, handoffs=hand)).response.set_index("bucket")
    assert response.leads.tolist() == [1, 1, 1, 1, 0]


def test_first_handoff_decides_the_response_bucket(make_con):
    leads = [{"lead_id": "A", "created_at": "2024-01-01"}]
    hand = rows(HANDOFF_COLS, ("A", "2024-01-02 00:00", "ann", None, None, None, None),
                ("A", "2024-01-03 00:00", "bob", "2024-01-03 00:10", None, None, "2024-01-03 00:20"))
    report = sla.sla_report(make_con(leads=leads, handoffs=hand))
    assert report.response.set_index("bucket").at["no response", "leads"] == 1
    assert report.summary.iloc[0].dispatched == 2 and report.summary.iloc[0].leads == 1


def test_reassignment_simulation(handoffs):
    r = sla.sla_report(handoffs).reassignment.iloc[0]
    assert (r.due, r.reassigned, r.accepted_late, r.returned_late, r.never_answered) == (4, 2, 1, 0, 1)
    assert r.reassigned_share == pytest.approx(0.5)
    assert r.median_hours_past_deadline == pytest.approx(24)  # C: accepted 48 h after dispatch
    assert r.met_opportunity_rate == 1.0 and r.reassigned_opportunity_rate == pytest.approx(0.5)
    assert r.expected_extra_opportunities == pytest.approx(2 * (1.0 - 0.5))
    assert r.expected_extra_won == pytest.approx(2 * (1.0 - 0.0))


def test_weekly_trend(handoffs):
    weekly = sla.sla_report(handoffs).weekly
    assert weekly.week.dt.date.tolist() == [date(2024, 1, 1)]  # Monday of the week
    assert weekly.dispatched.tolist() == [5] and weekly.sla_met_share.tolist() == [0.25]


def test_period_mode_keeps_handoffs_dispatched_in_the_window(handoffs):
    window = Filters(since=date(2024, 1, 5), until=date(2024, 1, 5), mode="period")
    s = sla.sla_report(handoffs, window).summary.iloc[0]
    assert s.dispatched == 1 and s.due == 0 and s.sla_met_share != s.sla_met_share  # no due hand-off: NaN


def test_segment_filter(handoffs):
    s = sla.sla_report(handoffs, Filters(segments={"source": ("ads",)})).summary.iloc[0]
    assert s.dispatched == 0


def test_flow_links(handoffs):
    links = leadflow.flow(handoffs)
    got = {(r.source, r.target): r.leads for r in links.itertuples()}
    assert got == {
        ("mql", "accepted"): 2, ("mql", "returned"): 1, ("mql", "pending"): 2,
        ("accepted", "sql"): 2, ("returned", "no_sql"): 1, ("pending", "no_sql"): 2,
        ("sql", "opportunity"): 2, ("opportunity", "won"): 1, ("opportunity", "lost"): 1,
    }


def test_flow_is_conserved_at_every_node(demo_con):
    links = leadflow.flow(demo_con)
    into = links.groupby("target").leads.sum()
    out = links.groupby("source").leads.sum()
    for node in ("accepted", "returned", "pending", "sql", "opportunity"):
        if node in out:
            assert into[node] == out[node], node
    assert links[links.source == "mql"].leads.sum() == into.get("accepted", 0) + into.get("returned", 0) + \
        into.get("pending", 0) + into.get("not_dispatched", 0)


def test_demo_slow_answers_convert_worse(demo_con):
    """The demo ties response time to conversion: what slow follow-up costs must be visible."""
    response = sla.sla_report(demo_con).response.set_index("bucket")
    assert response.at["1–4 h", "won_rate"] > response.at["> 24 h", "won_rate"]


# ----------------------------------------------------------------------------------------------- CLI


def test_cli_sla_csv_columns(demo_db, capsys):
    assert main(["sla", "--db", demo_db, "--hours", "12", "--by", "owner", "--format", "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert header[:6] == ["owner", "dispatched", "accepted", "returned", "pending", "sla_met_share"]
    assert {"owner", "dispatched", "accepted", "returned", "sla_met_share", "median_hours_to_accept"} <= set(header)


def test_cli_sla_table_has_a_summary(demo_db, capsys):
    assert main(["sla", "--db", demo_db, "--by", "reason"]) == 0
    out = capsys.readouterr().out
    assert "accepted within the SLA" in out and "Return reason" in out and "return_reason" not in out
    assert main(["sla", "--db", demo_db, "--hours", "-1"]) == 1
    assert "positive number of hours" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------- properties



def _later(moment: datetime, hours: int | None) -> str | None:
    return None if hours is None else (moment + timedelta(hours=hours)).isoformat()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(handoffs=st.lists(st.tuples(st.sampled_from(["ann", "bob", None]), HOURS, HOURS, HOURS,
                                   st.integers(0, 200)), min_size=1, max_size=10))
def test_sla_invariants(make_con, handoffs):
    """Counts never exceed their whole, shares stay in [0, 1], owners add up to the total."""
    start = datetime(2024, 1, 1)
    leads, hand = [], []
    for i, (owner, accept, ret, contact, offset) in enumerate(handoffs):
        sent = start + timedelta(hours=offset)
        leads.append({"lead_id": f"L{i}", "created_at": start.isoformat()})
        hand.append({"lead_id": f"L{i}", "dispatched_at": sent.isoformat(), "owner": owner,
                     "accepted_at": _later(sent, accept), "returned_at": _later(sent, ret),
                     "first_contact_at": _later(sent, contact)})
    report = sla.sla_report(make_con(leads=leads, handoffs=hand))
    s = report.summary.iloc[0]
    assert s.dispatched == len(hand) == s.accepted + s.returned + s.pending
    assert s.sla_met <= s.due <= s.dispatched and s.reassigned + s.sla_met <= s.due
    for share in (s.sla_met_share, s.answered_in_time_share):
        assert share != share or 0 <= share <= 1
    owners = report.by_owner
    for col in ("dispatched", "accepted", "returned", "pending", "due", "sla_met", "reassigned"):
        assert owners[col].sum() == s[col]
    assert report.response.leads.sum() == len(hand)


def test_lists_for_sales_waiting_and_sla_misses(handoffs):
    from smarketing.leadflow.lists import handoff_list

    waiting = handoff_list(handoffs, "waiting", Filters())
    assert waiting.lead_id.tolist() == ["D", "E"]  # longest wait first
    assert waiting.hours_waiting.tolist() == [72.0, 0.0] and waiting.overdue.tolist() == [True, False]
    misses = handoff_list(handoffs, "sla_misses", Filters())
    assert misses.lead_id.tolist() == ["B", "C", "D"]  # returned, accepted 24 h late, never answered; E not due
    assert misses.outcome.tolist() == ["returned", "accepted", "pending"]
    assert misses.hours_past_deadline.iloc[1] == 24.0
    assert handoff_list(handoffs, "sla_misses", Filters(), hours=72).lead_id.tolist() == ["B", "D"]  # C in time
    with pytest.raises(ValueError, match="list must be one of"):
        handoff_list(handoffs, "everyone", Filters())
