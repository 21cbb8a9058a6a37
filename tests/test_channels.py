"""The full-chain channel table: a tiny hand-made table, and the demo database against direct counts."""

from __future__ import annotations

from datetime import date

import pytest

from smarketing import store
from smarketing.attribution.channels import COLUMNS, channel_table
from smarketing.filters import Filters

JAN = Filters(date(2026, 1, 1), date(2026, 1, 31))
JAN_PERIOD = Filters(date(2026, 1, 1), date(2026, 1, 31), mode="period")


def lead(lead_id, created, group, source, campaign, email):
    return {"lead_id": lead_id, "created_at": created, "source_group": group, "source": source,
            "campaign": campaign, "email": email}


LEADS = [
    lead("L1", "2026-01-05", "Paid", "Google", "G1", "a@x.com"),
    lead("L2", "2026-01-10", "Paid", "Google", "G1", " A@X.com"),  # the same person again: returning
    lead("L3", "2026-01-20", "Paid", "Bing", "B1", "b@x.com"),
    lead("L4", "2026-01-25", "Organic", "Google", None, "c@x.com"),
    lead("L5", "2025-12-01", "Paid", "Google", "G1", "d@x.com"),  # created before the window
]
CHANGES = [
    {"lead_id": "L1", "stage": "MQL", "entered_at": "2026-01-06"},
    {"lead_id": "L1", "stage": "SQL", "entered_at": "2026-01-10"},
    {"lead_id": "L1", "stage": "Opportunity", "entered_at": "2026-01-15"},
    {"lead_id": "L1", "stage": "Customer", "entered_at": "2026-02-15"},
    {"lead_id": "L2", "stage": "MQL", "entered_at": "2026-01-12"},
    {"lead_id": "L3", "stage": "SQL", "entered_at": "2026-01-22"},  # skipped MQL: reached it implicitly
    {"lead_id": "L5", "stage": "MQL", "entered_at": "2026-01-03"},
]
HANDOFFS = [
    {"lead_id": "L1", "dispatched_at": "2026-01-06", "accepted_at": "2026-01-06 02:00"},
    {"lead_id": "L2", "dispatched_at": "2026-01-12", "returned_at": "2026-01-13", "return_reason": "No budget"},
]
DEALS = [
    {"deal_id": "D1", "lead_id": "L1", "created_at": "2026-01-15", "closed_at": "2026-02-15", "status": "won",
     "amount": 1000},
    {"deal_id": "D5", "lead_id": "L5", "created_at": "2026-01-05", "closed_at": "2026-01-20", "status": "won",
     "amount": 700},
]
SPEND = [
    {"date": "2026-01-03", "source_group": "Paid", "source": "Google", "campaign": "G1", "impressions": 1000,
     "clicks": 50, "cost": 200},
    {"date": "2026-01-04", "source_group": "Paid", "source": "Bing", "campaign": "B1", "impressions": 500,
     "clicks": 10, "cost": 100},
    {"date": "2026-02-20", "source_group": "Paid", "source": "Google", "campaign": "G1", "impressions": 9,
     "clicks": 9, "cost": 999},  # outside the window
    {"date": "2026-01-05", "source_group": "Paid", "source": "Google", "campaign": "G2", "impressions": 100,
     "clicks": 1, "cost": 50},  # a campaign without leads
]


@pytest.fixture()
def con(make_con):
    return make_con(leads=LEADS, stage_changes=CHANGES, handoffs=HANDOFFS, deals=DEALS, spend=SPEND)


def rows(table, *keys):
    """Rows by their key (a tuple of the key columns, or the value of a single one)."""
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in table.to_dict("records")}


def test_campaign_rows_cohort_mode(con):
    table = channel_table(con, JAN, by="campaign")
    assert list(table.columns) == ["source_group", "source", "campaign", *COLUMNS]
    by = rows(table, "source_group", "source", "campaign")
    assert list(by) == [("Organic", "Google", "(none)"), ("Paid", "Bing", "B1"), ("Paid", "Google", "G1"),
                        ("Paid", "Google", "G2"), ("Total", "", "")]
    g1 = by[("Paid", "Google", "G1")]
    assert {k: g1[k] for k in ("leads", "new_leads", "returning_leads", "mql", "mqls_returned", "sql",
                               "opportunities", "customers", "won_revenue", "cost", "impressions", "clicks")} == {
        "leads": 2, "new_leads": 1, "returning_leads": 1, "mql": 2, "mqls_returned": 1, "sql": 1,
        "opportunities": 1, "customers": 1, "won_revenue": 1000, "cost": 200, "impressions": 1000, "clicks": 50}
    assert g1["ctr"] == pytest.approx(50 / 1000)
    assert (g1["lead_to_mql"], g1["mql_to_sql"], g1["sql_to_opportunity"]) == (1.0, 0.5, 1.0)
    assert (g1["cost_per_lead"], g1["cost_per_mql"], g1["cost_per_customer"]) == (100, 100, 200)
    assert g1["romi"] == pytest.approx(1000 / 200)
    b1 = by[("Paid", "Bing", "B1")]
    assert (b1["leads"], b1["mql"], b1["sql"], b1["customers"], b1["cost"]) == (1, 1, 1, 0, 100)
    g2 = by[("Paid", "Google", "G2")]
    assert (g2["leads"], g2["cost"]) == (0, 50) and g2["cost_per_lead"] != g2["cost_per_lead"]  # NaN
    total = by[("Total", "", "")]
    assert (total["leads"], total["mql"], total["sql"], total["customers"], total["cost"], total["won_revenue"]) == (
        4, 3, 2, 1, 350, 1000)
    assert total["romi"] == pytest.approx(1000 / 350)


def test_source_group_rows_and_period_mode(con):
    cohort = rows(channel_table(con, JAN, by="source_group"), "source_group")
    assert (cohort["Paid"]["leads"], cohort["Organic"]["leads"]) == (3, 1)
    period = rows(channel_table(con, JAN_PERIOD, by="source_group"), "source_group")
    paid = period["Paid"]
    # MQLs reached in January: L1, L2, L3 (implied by SQL) and L5 (created in December)
    assert (paid["leads"], paid["mql"], paid["customers"]) == (3, 4, 0)
    assert paid["won_revenue"] == 700  # L5's deal closed in January; L1's in February
    assert channel_table(con, JAN, by="source_group", totals=False)["source_group"].tolist() == ["Organic", "Paid"]


def test_bad_level_is_a_clear_error(con):
    with pytest.raises(ValueError, match="source_group, source, campaign"):
        channel_table(con, JAN, by="channel")


def test_demo_channel_table_matches_direct_counts(demo_con):
    table = channel_table(demo_con, Filters(), by="source_group", totals=False).set_index("source_group")
    db = store.raw(demo_con)

    def direct(sql):
        return dict(db.execute(sql).fetchall())

    leads = direct("SELECT source_group, count(*) FROM leads GROUP BY 1")
    customers = direct("""SELECT l.source_group, count(DISTINCT l.lead_id) FROM leads l
                          JOIN stage_changes s ON s.lead_id = l.lead_id AND s.stage = 'Customer' GROUP BY 1""")
    mqls = direct("""SELECT l.source_group, count(DISTINCT l.lead_id) FROM leads l JOIN stage_changes s
                     ON s.lead_id = l.lead_id AND s.stage IN ('MQL', 'SQL', 'Opportunity', 'Customer') GROUP BY 1""")
    revenue = direct("""SELECT l.source_group, sum(d.amount) FROM deals d JOIN leads l ON l.lead_id = d.lead_id
                        WHERE d.status = 'won' GROUP BY 1""")
    cost = direct("SELECT source_group, sum(cost) FROM spend GROUP BY 1")
    returned = direct("""SELECT l.source_group, count(DISTINCT l.lead_id) FROM leads l JOIN handoffs h
                         ON h.lead_id = l.lead_id AND h.returned_at IS NOT NULL GROUP BY 1""")
    assert table["leads"].to_dict() == leads
    assert table["customers"].to_dict() == {g: customers.get(g, 0) for g in leads}
    assert table["mql"].to_dict() == {g: mqls.get(g, 0) for g in leads}
    assert table["mqls_returned"].to_dict() == {g: returned.get(g, 0) for g in leads}
    assert table["won_revenue"].to_dict() == pytest.approx({g: revenue.get(g, 0) for g in leads})
    # a group without any spend row has an unknown cost ("–"), not $0
    assert table["cost"].to_dict() == pytest.approx({g: cost.get(g, float("nan")) for g in leads}, nan_ok=True)
    assert (table["new_leads"] + table["returning_leads"]).to_dict() == leads


def test_a_segment_of_channels_narrows_the_spend_and_other_segments_leave_costs_unknown(con):
    bing = channel_table(con, Filters(JAN.since, JAN.until, segments={"source": ("Bing",)}), by="source")
    total = bing.iloc[-1]
    assert (total.cost, total.leads, total.impressions) == (100, 1, 500)  # Bing's spend only, not all 350
    assert "note" not in bing.attrs
    fake = channel_table(con, Filters(JAN.since, JAN.until, segments={"email": ("c@x.com",)}), by="source_group")
    assert fake.iloc[-1].leads == 1 and fake["cost"].isna().all() and fake["romi"].isna().all()
    assert "not per Email" in fake.attrs["note"]  # spend has no e-mail column: said, not $350 against one lead
