"""The goal planner: the arithmetic checked by hand, history defaults, per month, per channel, the CLI."""

from __future__ import annotations

import json
import math
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smarketing import planner
from smarketing.cli import main
from smarketing.funnel.lifecycle import lifecycle_funnel

STAGES = ("Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer")


def assumptions(rates=(1.0, 0.5, 0.4, 0.5, 0.25), days=(0, 0, 0, 0, 0), deal_size=10_000.0):
    return planner.Assumptions(stages=STAGES, rates=dict(zip(STAGES[1:], rates, strict=True)),
                               days=dict(zip(STAGES[1:], days, strict=True)), deal_size=deal_size)


NO_PACE = planner.RunRate(3, {s: 0.0 for s in STAGES}, 0.0)
MIX = pd.DataFrame({"channel": ["Paid", "Organic"], "leads": [60, 40], "share": [0.6, 0.4],
                    "cost": [6000.0, 0.0], "cost_per_lead": [100.0, 0.0]})


def test_five_percent_lead_to_customer_means_twenty_leads_per_customer():
    # Lead -> MQL 50%, MQL -> SQL 40%, SQL -> Opp 50%, Opp -> Customer 50%: 0.5 * 0.4 * 0.5 * 0.5 = 5%
    a = assumptions(rates=(1.0, 0.5, 0.4, 0.5, 0.5))
    needs = planner.needed(100_000, a).set_index("stage")
    assert needs.at["Customer", "needed"] == 10  # 100,000 / 10,000
    assert needs.at["Opportunity", "needed"] == 20
    assert needs.at["SQL", "needed"] == 40
    assert needs.at["MQL", "needed"] == 100
    assert needs.at["Lead", "needed"] == 200  # 20 per customer
    assert needs.at["Lead", "per_customer"] == pytest.approx(20)


def test_whole_numbers_rounded_up_but_not_for_float_noise():
    assert planner.ceil(20.000000000000004) == 20
    assert planner.ceil(20.01) == 21
    a = assumptions(rates=(1.0, 0.05, 1.0, 1.0, 1.0))
    needs = planner.needed(30_000, a).set_index("stage")  # 3 customers; 1 / 0.05 = 20.000000000000004
    assert needs.at["Lead", "needed"] == 60
    odd = planner.needed(25_000, assumptions()).set_index("stage")  # 2.5 customers, shown as 3
    assert odd.at["Customer", "needed"] == 3
    assert odd.at["Opportunity", "needed"] == 10  # 2.5 / 0.25, not 3 / 0.25 = 12
    assert odd.at["Lead", "needed"] == math.ceil(2.5 / 0.25 / 0.5 / 0.4 / 0.5)  # 100


def test_the_chain_runs_unrounded_and_rounds_each_stage_once():
    # The reverse-funnel worked example: $400,000 at $15,000 a deal is 26.7 deals; at a 20% close rate that is
    # 133.3 opportunities, shown as 134 (rounding the deals to 27 first would give 135).
    a = assumptions(rates=(1.0, 0.5, 0.4, 0.5, 0.2), deal_size=15_000.0)
    needs = planner.needed(400_000, a).set_index("stage")
    assert needs.at["Customer", "needed"] == 27  # 26.67 rounded up for display
    assert needs.at["Opportunity", "needed"] == 134  # 26.67 / 0.2 = 133.3
    assert needs.at["SQL", "needed"] == 267  # 133.3 / 0.5 = 266.7
    assert needs.at["MQL", "needed"] == 667  # 266.7 / 0.4 = 666.7
    assert needs.at["Lead", "needed"] == 1334  # 666.7 / 0.5 = 1333.3


def test_edited_rate_replaces_history_into_that_stage():
    a = planner.edited(assumptions(), rates={"mql": 0.8}, deal_size=5_000)
    assert a.rates["MQL"] == 0.8 and a.deal_size == 5_000 and a.overridden == frozenset({"MQL"})
    assert a.table().set_index("stage").at["MQL", "source"] == "edited"
    with pytest.raises(ValueError, match="cannot set a rate into 'Subscriber'"):
        planner.edited(assumptions(), rates={"Subscriber": 0.5})


@pytest.mark.parametrize(("change", "message"), [
    ({"rates": (1.0, 0.0, 0.4, 0.5, 0.25)}, "Lead → MQL must be a fraction"),
    ({"rates": (1.0, 1.5, 0.4, 0.5, 0.25)}, "Lead → MQL must be a fraction"),
    ({"deal_size": float("nan")}, "no average deal size"),
    ({"days": (0, 0, -1, 0, 0)}, "cannot be negative"),
])
def test_named_checks(change, message):
    with pytest.raises(ValueError, match=message):
        planner.needed(100_000, assumptions(**change))


def test_lead_times_add_the_later_durations():
    a = assumptions(days=(1, 10, 5, 20, 30))
    assert planner.lead_times(a) == {"Subscriber": 66, "Lead": 65, "MQL": 55, "SQL": 50, "Opportunity": 30,
                                     "Customer": 0}


def test_monthly_needs_move_earlier_by_the_stage_delays():
    """30.4375 days (one average month) from opportunity to customer: opportunities a month earlier."""
    a = assumptions(days=(0, 0, 0, 0, planner.DAYS_PER_MONTH))
    monthly = planner.monthly(60_000, 2, date(2025, 1, 1), a)  # 3 customers a month
    opp = monthly[monthly.stage == "Opportunity"].set_index("month").needed
    assert opp.to_dict() == pytest.approx({date(2024, 12, 1): 12.0, date(2025, 1, 1): 12.0})
    cust = monthly[monthly.stage == "Customer"].set_index("month").needed
    assert cust.to_dict() == pytest.approx({date(2025, 1, 1): 3.0, date(2025, 2, 1): 3.0})
    assert not monthly.set_index(["month", "stage"]).at[(date(2024, 12, 1), "Opportunity"), "in_plan"]


def test_half_a_month_delay_splits_the_need():
    a = assumptions(days=(0, 0, 0, 0, planner.DAYS_PER_MONTH / 2))
    monthly = planner.monthly(30_000, 1, date(2025, 1, 1), a)
    opp = monthly[monthly.stage == "Opportunity"].set_index("month").needed
    assert opp.to_dict() == pytest.approx({date(2024, 12, 1): 6.0, date(2025, 1, 1): 6.0})


@settings(max_examples=40, deadline=None)
@given(revenue=st.floats(1e4, 1e7), months=st.integers(1, 12),
       rates=st.tuples(*[st.floats(0.01, 1.0)] * 5), days=st.tuples(*[st.floats(0, 200)] * 5))
def test_monthly_needs_add_up_to_the_total(revenue, months, rates, days):
    a = assumptions(rates=rates, days=days)
    monthly = planner.monthly(revenue, months, date(2025, 1, 1), a)
    exact = planner.exact_needs(revenue / a.deal_size, a)
    totals = monthly.groupby("stage").needed.sum()
    for stage in STAGES:
        assert totals[stage] == pytest.approx(exact[stage], rel=1e-9)
    assert (monthly.needed >= 0).all()
    needs = planner.needed(revenue, a).needed.tolist()
    assert needs == sorted(needs, reverse=True)  # a funnel never grows


def test_channel_budget_and_gap():
    plan = planner.build_plan(100_000, 2, date(2025, 1, 1), assumptions(), MIX,
                              planner.RunRate(3, {"Subscriber": 50.0, "Customer": 1.0}, 20_000.0))
    leads = plan.needed_map()["Subscriber"]
    channels = plan.channels.set_index("channel")
    assert channels.at["Paid", "leads_needed"] == pytest.approx(0.6 * leads)
    assert channels.at["Paid", "budget"] == pytest.approx(0.6 * leads * 100)
    assert channels.at["Organic", "budget"] == 0
    assert plan.budget == pytest.approx(0.6 * leads * 100)
    gap = plan.gap.set_index("stage")
    assert gap.at["Subscriber", "needed_per_month"] == pytest.approx(leads / 2)
    assert gap.at["Subscriber", "gap"] == pytest.approx(leads / 2 - 50)
    assert gap.at["Customer", "coverage"] == pytest.approx(1.0 / 5)  # 10 customers over 2 months
    assert plan.revenue_per_month == 50_000 and plan.run_rate_revenue_per_month == 20_000


def test_budget_per_month_and_channel_adds_up():
    a = assumptions(days=(0, 5, 10, 20, 40))
    plan = planner.build_plan(95_000, 3, date(2025, 1, 1), a, MIX, NO_PACE)  # 9.5 -> 10 customers
    money = plan.budget_by_month
    assert set(money.channel) == {"Paid", "Organic"}
    assert money.budget.sum() == pytest.approx(plan.budget)  # 200 leads exactly: nothing to round
    assert money[money.channel == "Organic"].budget.sum() == 0
    assert money.month.min() < date(2025, 1, 1)  # leads bought before the revenue period
    paid = money[money.channel == "Paid"].set_index("month").leads_needed
    leads = plan.monthly[plan.monthly.stage == "Subscriber"].set_index("month").needed
    assert paid.to_dict() == pytest.approx((leads * 0.6).to_dict())


def test_scenario_compare():
    a = planner.build_plan(100_000, 1, date(2025, 1, 1), assumptions(), MIX, NO_PACE)
    faster = planner.edited(assumptions(), rates={"SQL": 0.5})  # MQL -> SQL 40% -> 50%
    b = planner.build_plan(100_000, 1, date(2025, 1, 1), faster, MIX, NO_PACE)
    table = planner.compare(a, b).set_index("item")
    assert table.at["SQL", "difference"] == 0  # the same SQLs are needed ...
    assert table.at["MQL", "scenario_a"] == 200 and table.at["MQL", "scenario_b"] == 160  # ... from fewer MQLs
    assert table.at["MQL", "change"] == pytest.approx(-0.2)
    assert table.at["budget", "scenario_b"] < table.at["budget", "scenario_a"]


def test_revenue_must_be_positive():
    with pytest.raises(ValueError, match="must be positive"):
        planner.build_plan(0, 1, date(2025, 1, 1), assumptions(), MIX, NO_PACE)


# -------------------------------------------------------------------------------------- from history


def test_history_defaults_come_from_the_funnel(demo_con):
    funnel = lifecycle_funnel(demo_con).set_index("stage")
    history = planner.historical(demo_con)
    assert history.rates["MQL"] == pytest.approx(funnel.at["MQL", "conversion_from_previous"])
    assert history.days["Customer"] == pytest.approx(funnel.at["Customer", "median_days_from_previous"])
    deals = demo_con.table("deals")
    won = deals.filter(deals.status == "won").amount.mean().execute()
    assert history.deal_size == pytest.approx(won)


def test_channel_mix_from_leads_and_spend(demo_con):
    mix = planner.channel_mix(demo_con)
    assert mix.share.sum() == pytest.approx(1.0)
    assert mix.leads.sum() == demo_con.table("leads").count().execute()
    spend = demo_con.table("spend")
    assert mix.cost.sum() == pytest.approx(spend.cost.sum().execute())
    organic = mix.set_index("channel").at["Organic Search", "cost_per_lead"]
    assert pd.isna(organic)  # no spend rows for organic search: its cost per lead is unknown, not $0
    budget = planner.channel_budget(100, mix).set_index("channel")
    assert budget.at["Organic Search", "budget"] == 0  # the plan spends nothing on it


def test_plan_from_history(demo_con):
    plan = planner.plan(demo_con, 500_000, months=3)
    assert plan.start == date(2026, 11, 1) or plan.start > date(2026, 10, 1)
    needs = plan.needed_map()
    assert needs["Customer"] == math.ceil(500_000 / plan.assumptions.deal_size)
    assert list(needs) == list(STAGES) and needs["Subscriber"] > needs["MQL"] > needs["Customer"]
    assert plan.budget > 0
    assert plan.monthly.month.min() < plan.start  # leads are needed before the revenue


def test_cli_plan_json(demo_db, demo_con, capsys):
    assert main(["plan", "--db", demo_db, "--revenue", "500000", "--format", "json"]) == 0
    base = json.loads(capsys.readouterr().out)
    assert set(base["needed"]) == set(STAGES)
    assert all(isinstance(v, int) for v in base["needed"].values())
    assert isinstance(base["budget"], float) and base["budget"] > 0
    assert sum(row["budget"] for row in base["budget_by_month"]) == pytest.approx(base["budget"], rel=0.01)
    assert main(["plan", "--db", demo_db, "--revenue", "500000", "--rate", "MQL=0.9", "--deal-size", "25000",
                 "--months", "6", "--format", "json"]) == 0
    edited = json.loads(capsys.readouterr().out)
    assert edited["rates"]["MQL"] == 0.9 and edited["edited"] == ["MQL"]
    assert edited["needed"]["Customer"] == 20  # 500,000 / 25,000
    same = planner.plan(demo_con, 500_000, months=6, deal_size=25_000, rates={"MQL": 0.9})
    assert edited["needed"] == same.needed_map()
    assert edited["needed"]["Lead"] < base["needed"]["Lead"]  # a better Lead -> MQL rate needs fewer leads


def test_cli_plan_table_and_errors(demo_db, capsys):
    assert main(["plan", "--db", demo_db, "--revenue", "250000", "--rate", "SQL=45%"]) == 0
    out = capsys.readouterr().out
    assert "Per channel" in out and "edited" in out
    assert main(["plan", "--db", demo_db, "--revenue", "250000", "--rate", "MQL"]) == 1
    assert "STAGE=VALUE" in capsys.readouterr().err
    assert main(["plan", "--db", demo_db, "--revenue", "250000", "--rate", "MQL=0"]) == 1
    assert "must be a fraction" in capsys.readouterr().err


def test_the_average_deal_leaves_out_deals_without_an_amount(make_con):
    leads = [{"lead_id": f"L{i}", "created_at": "2026-01-01"} for i in range(4)]
    deals = [{"deal_id": f"D{i}", "lead_id": f"L{i}", "created_at": "2026-02-01", "closed_at": "2026-02-02",
              "status": "won", "amount": amount} for i, amount in enumerate([0.0, 0.0, 300.0, None])]
    # two zeros (declared as nothing) and one missing amount are not deals worth $0: the average is 300, not 100
    assert planner.average_deal_size(make_con(leads=leads, deals=deals)) == 300.0
    assert math.isnan(planner.average_deal_size(make_con(leads=leads, deals=deals[:2])))  # only zeros: none known


def test_the_channel_mix_has_no_cost_under_a_segment_spend_does_not_record(demo_con):
    from datetime import date

    from smarketing.filters import Filters
    from smarketing.planner import channel_mix

    window = Filters(date(2026, 1, 1), date(2026, 6, 30))
    assert channel_mix(demo_con, window)["cost"].sum() > 0
    by_industry = channel_mix(demo_con, Filters(window.since, window.until, segments={"industry": ("Software",)}))
    assert by_industry["leads"].sum() > 0 and by_industry["cost"].isna().all()  # unknown, not all spend
    paid = channel_mix(demo_con, Filters(window.since, window.until, segments={"source_group": ("Paid Search",)}))
    assert paid.loc[paid.channel == "Paid Search", "cost"].iloc[0] > 0  # a channel segment keeps its own spend
