"""The pipeline forecast on simulated pipelines with fixed rates and delays, where every expected value is
arithmetic: each month N leads arrive, a fixed number of them becomes MQL after d1 months, of those a fixed number
SQL d2 months later, and so on; the forecast must give those numbers back, split between the open pipeline and the
new leads, with the binomial / Poisson interval; the backtest of a stationary pipeline has no error; moving budget
changes the new leads by amount / cost per lead."""

from __future__ import annotations

from datetime import date, datetime
from math import sqrt

import pytest
from conftest import build_con
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import nested_counts

from smarketing.forecast import (
    BudgetMove,
    ForecastParams,
    ForecastParamsError,
    backtest,
    compare,
    forecast,
    goal_gap,
)
from smarketing.forecast.params import validate

Z80 = 1.2815515655446004  # the normal quantile of 0.9: an 80% interval is mean ± Z80 · sd
STAGES = ("MQL", "SQL", "Opportunity", "Customer")
FIRST, CUTOFF = date(2025, 1, 1), date(2026, 1, 1)


def month(day: date, plus: int) -> date:
    y, m = divmod(day.month - 1 + plus, 12)
    return date(day.year + y, m + 1, 1)


def simulate(per_month: dict[str, int | list[int]], passing=(40, 20, 10, 5), delays=(0, 1, 1, 1), months=12, amount=1000.0,
             cost: dict[str, float] | None = None):
    """Cohorts of leads created on the 1st of each month from FIRST; of each cohort the first passing[0] reach MQL
    delays[0] months after creation (day 5), the first passing[1] of those SQL delays[1] months later, …; the
    won ones have a won deal of `amount`. Only what happened before the month after the last cohort is recorded.
    `cost`: monthly spend per channel. A channel's leads per month: a number, or one number per month."""
    end = month(FIRST, months)
    leads, changes, deals, spend = [], [], [], []
    for k in range(months):
        created = month(FIRST, k)
        for channel, size in per_month.items():
            n = size[k] if isinstance(size, list) else size
            for i in range(n):
                lead = f"{channel}-{k}-{i}"
                leads.append({"lead_id": lead, "created_at": datetime(created.year, created.month, 1, 10),
                              "source_group": channel})
                at = created
                for stage, count, delay in zip(STAGES, passing, delays, strict=True):
                    at = month(at, delay)
                    if i >= count * n // 100 or at >= end:
                        break
                    when = datetime(at.year, at.month, 5, 12)
                    changes.append({"lead_id": lead, "stage": stage, "entered_at": when})
                    if stage == "Customer":
                        deals.append({"deal_id": f"D-{lead}", "lead_id": lead, "created_at": when, "closed_at": when,
                                      "status": "won", "amount": amount})
            if cost and channel in cost:
                spend.append({"date": created, "source_group": channel, "cost": cost[channel]})
    return build_con(leads=leads, stage_changes=changes, deals=deals, spend=spend)


def values(fc, metric, column="expected"):
    return fc.monthly[fc.monthly.metric == metric][column].round(9).tolist()


@pytest.fixture(scope="module")
def steady():
    # 100 leads a month; 40% MQL the same month, half of them SQL a month later, half opportunity a month after,
    # half of those won a month after that
    return simulate({"Paid": 100})


def test_expected_values_are_the_rates_times_the_run_rate(steady):
    fc = forecast(steady, ForecastParams(months=3, as_of=CUTOFF))
    assert fc.as_of == CUTOFF and [m.date() for m in fc.monthly.month.unique()] == [CUTOFF, date(2026, 2, 1),
                                                                                     date(2026, 3, 1)]
    assert values(fc, "leads") == [100, 100, 100]
    assert values(fc, "mql") == [100 * 0.4] * 3
    assert values(fc, "sql") == [100 * 0.4 * 0.5] * 3
    assert values(fc, "opportunity") == [100 * 0.4 * 0.5 * 0.5] * 3
    assert values(fc, "won") == [100 * 0.4 * 0.5 ** 3] * 3
    assert values(fc, "revenue") == [100 * 0.4 * 0.5 ** 3 * 1000.0] * 3


def test_what_the_pipeline_and_the_new_leads_bring(steady):
    fc = forecast(steady, ForecastParams(months=3, as_of=CUTOFF))
    # MQLs happen in the month a lead arrives: all from new leads (older leads never become MQL)
    assert values(fc, "mql", "from_pipeline") == [0, 0, 0]
    # January's SQLs are December's 40 MQLs × 0.5; February's come from January's new MQLs
    assert values(fc, "sql", "from_pipeline") == [40 * 0.5, 0, 0]
    assert values(fc, "sql", "from_new_leads") == [0, 40 * 0.5, 40 * 0.5]
    # opportunities: December's 20 SQLs, then the 20 SQLs the pipeline gives in January, then new leads
    assert values(fc, "opportunity", "from_pipeline") == [20 * 0.5, 20 * 0.5, 0]
    # won: December's 10 opportunities, then the pipeline's 10 of January and February
    assert values(fc, "won", "from_pipeline") == [10 * 0.5] * 3
    assert values(fc, "won", "from_new_leads") == [0, 0, 0]


def test_the_interval_is_binomial_for_the_pipeline_and_poisson_for_new_leads(steady):
    fc = forecast(steady, ForecastParams(months=3, as_of=CUTOFF, interval=0.8))
    # January's SQLs: 40 MQLs each moving on with p = 0.5: variance 40 · 0.5 · 0.5
    assert values(fc, "sql", "low")[0] == pytest.approx(20 - Z80 * sqrt(40 * 0.5 * 0.5))
    # January's MQLs come from new leads, a Poisson stream: variance = mean = 40
    assert values(fc, "mql", "high")[0] == pytest.approx(40 + Z80 * sqrt(40))
    # revenue: the won count's interval times the deal size
    assert values(fc, "revenue", "high")[0] == pytest.approx((5 + Z80 * sqrt(10 * 0.5 * 0.5)) * 1000)


def test_a_stationary_pipeline_is_backtested_without_error(steady):
    bt = backtest(steady, ForecastParams(months=3, as_of=CUTOFF))
    assert sorted(bt.series.lag.unique()) == [3, 6]
    assert bt.errors.metric.tolist() == ["leads", "mql", "sql", "opportunity", "won", "revenue"]
    assert (bt.errors[["mape_3", "mape_6"]] == 0).all().all()
    made_3 = bt.series[(bt.series.lag == 3) & (bt.series.metric == "won")]
    assert made_3.forecast.tolist() == pytest.approx(made_3.actual.tolist()) and made_3.actual.tolist() == [5, 5, 5]


def test_the_backtest_error_is_the_mean_absolute_percentage_error():
    # the last three cohorts are twice as large: the forecast made three months before saw 100 a month
    con = simulate({"Paid": [100] * 9 + [200] * 3})
    errors = backtest(con, ForecastParams(months=3, as_of=CUTOFF)).errors.set_index("metric")
    assert errors.at["leads", "mape_3"] == pytest.approx((3 * (200 - 100) / 200) / 3)
    assert errors.at["mql", "mape_3"] == pytest.approx((3 * (80 - 40) / 80) / 3)
    # made six months before: three right months, then three months off by half
    assert errors.at["leads", "mape_6"] == pytest.approx((3 * 0 + 3 * 0.5) / 6)


def test_moving_budget_changes_new_leads_by_amount_over_cost_per_lead():
    # same rates on both channels; Paid costs 5,000 a month for 100 leads (50 a lead), Organic 1,200 for 60 (20)
    con = simulate({"Paid": 100, "Organic": 60}, cost={"Paid": 5000.0, "Organic": 1200.0})
    base = forecast(con, ForecastParams(months=3, as_of=CUTOFF))
    channels = base.channels.set_index("channel")
    assert channels.cost_per_lead.to_dict() == {"Paid": 50.0, "Organic": 20.0}
    assert channels.lead_to_won.tolist() == pytest.approx([0.4 * 0.5 ** 3] * 2)
    assert channels.at["Paid", "cost_per_won"] == pytest.approx(50 / (0.4 * 0.5 ** 3))
    moved = forecast(con, ForecastParams(months=3, as_of=CUTOFF, moves=(BudgetMove("Paid", "Organic", 1000.0),)))
    change = compare(base, moved).set_index("metric")["what_if_change"]
    per_month = -1000 / 50 + 1000 / 20  # 20 fewer Paid leads, 50 more Organic leads a month
    assert change["leads"] == pytest.approx(3 * per_month)
    assert change["mql"] == pytest.approx(3 * per_month * 0.4)
    assert change["sql"] == pytest.approx(2 * per_month * 0.4 * 0.5)  # SQLs follow one month later
    assert change["opportunity"] == pytest.approx(1 * per_month * 0.4 * 0.5 * 0.5)
    assert change["won"] == pytest.approx(0)


def test_budget_moves_the_checks_refuse():
    con = simulate({"Paid": 100, "Organic": 50}, cost={"Paid": 5000.0})
    with pytest.raises(ForecastParamsError) as caught:
        forecast(con, ForecastParams(months=3, as_of=CUTOFF, moves=(BudgetMove("Paid", "Organic", 100.0),)))
    assert caught.value.code == "require_cost_per_lead"
    with pytest.raises(ForecastParamsError) as caught:
        forecast(con, ForecastParams(months=3, as_of=CUTOFF, moves=(BudgetMove("Paid", "Nowhere", 100.0),)))
    assert caught.value.code == "require_known_channel"
    both = simulate({"Paid": 100, "Organic": 60}, cost={"Paid": 5000.0, "Organic": 1200.0})
    with pytest.raises(ForecastParamsError) as caught:  # 6,000 a month would remove 120 of Paid's 100 leads
        forecast(both, ForecastParams(months=3, as_of=CUTOFF, moves=(BudgetMove("Paid", "Organic", 6000.0),)))
    assert caught.value.code == "require_budget_to_move"


@pytest.mark.parametrize(("params", "code"), [
    (ForecastParams(months=0), "require_months"), (ForecastParams(months=7), "require_months"),
    (ForecastParams(run_rate_months=0), "require_run_rate_months"), (ForecastParams(interval=1.0), "require_interval"),
    (ForecastParams(as_of=date(2026, 1, 15)), "require_month_start"),
    (ForecastParams(moves=(BudgetMove("A", "A", 5.0),)), "require_sensible_moves"),
    (ForecastParams(moves=(BudgetMove("A", "B", 0.0),)), "require_sensible_moves"),
])
def test_named_checks(params, code):
    with pytest.raises(ForecastParamsError) as caught:
        validate(params)
    assert caught.value.code == code


def test_seasonality_from_two_years_of_history():
    # two years of 100 leads a month, except March of the second year: 150. The forecast for the next March is
    # the run rate (100) times 150 / the run rate a year before (100)
    con = simulate({"Paid": [100] * 14 + [150] + [100] * 9}, months=24)
    fc = forecast(con, ForecastParams(months=3, as_of=date(2027, 1, 1)))
    assert fc.seasonal and values(fc, "leads") == [100, 100, 100 * 150 / 100]
    short = forecast(simulate({"Paid": 100}, months=12), ForecastParams(months=3, as_of=CUTOFF))
    assert not short.seasonal


def test_without_deals_or_spend_there_is_no_revenue_and_no_cost(make_con):
    con = simulate({"Paid": 100}, passing=(40, 20, 10, 0))
    fc = forecast(con, ForecastParams(months=2, as_of=CUTOFF))
    assert "revenue" not in set(fc.monthly.metric) and fc.deal_size != fc.deal_size
    assert fc.channels.cost_per_lead.isna().all()
    empty = forecast(make_con(leads=[]), ForecastParams(months=2))
    assert empty.as_of is None and empty.monthly.empty
    assert backtest(make_con(leads=[]), ForecastParams(months=2)).series.empty


def test_the_gap_to_a_goal_plan(steady):
    from smarketing import planner

    gap = goal_gap(steady, 50_000.0, ForecastParams(months=3, as_of=CUTOFF)).set_index("metric")
    plan = planner.plan(steady, 50_000.0, months=3, start=CUTOFF)
    needed = plan.monthly[plan.monthly.in_plan].groupby("stage").needed.sum()
    assert gap.at["won", "needed"] == pytest.approx(needed["Customer"]) == pytest.approx(50_000 / 1000)
    assert gap.at["won", "forecast"] == pytest.approx(3 * 5)
    assert gap.at["revenue", "needed"] == 50_000 and gap.at["revenue", "forecast"] == pytest.approx(15 * 1000)
    assert gap.at["revenue", "goal_gap"] == pytest.approx(50_000 - 15_000)
    assert gap.at["revenue", "goal_coverage"] == pytest.approx(15_000 / 50_000)


@settings(max_examples=10, deadline=None)
@given(counts=nested_counts(), delays=st.tuples(*[st.integers(0, 2)] * 4))
def test_any_fixed_rates_and_delays_come_back(counts, delays):
    """Whatever the numbers moving on (of 20 leads a month) and the delays (0–2 months), a steady pipeline
    forecasts each stage at its steady monthly count."""
    con = simulate({"Paid": 20}, passing=tuple(5 * n for n in counts), delays=delays)  # 5 · n per 100 = n of 20
    fc = forecast(con, ForecastParams(months=3, as_of=CUTOFF))
    for metric, n in zip(["leads", "mql", "sql", "opportunity", "won"], [20, *counts], strict=True):
        assert values(fc, metric) == pytest.approx([n] * 3), metric


def test_a_real_crm_export():
    """HubSpot's sample export (30 contacts, 11 deals): every view computes, revenue from its won deals."""
    from pathlib import Path

    from smarketing import store
    from smarketing.importers import hubspot, load, read_table

    data = Path(__file__).parent / "data" / "hubspot"
    con = store.connect(":memory:")
    load(con, hubspot.prepare(read_table(data / "hubspot-crm-exports-all-contacts-2024-06-03.csv"),
                              read_table(data / "hubspot-crm-exports-all-deals-2024-06-03.csv"), con=con))
    fc = forecast(con, ForecastParams(months=3))
    assert fc.as_of is not None and fc.deal_size > 0 and "revenue" in set(fc.monthly.metric)
    assert (fc.monthly.low <= fc.monthly.expected).all() and (fc.monthly.expected <= fc.monthly.high).all()
    assert not backtest(con, ForecastParams(months=3)).series.empty
    assert "revenue" in set(goal_gap(con, 100_000.0, ForecastParams(months=3)).metric)
