"""What drives conversion, on a tiny table written lead by lead: the 2×2 counts, odds ratios, intervals, p- and
q-values worked out by hand; properties of the statistics; the step's population against the funnels; the CLI."""

from __future__ import annotations

import json
import math
from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smarketing import store
from smarketing.cli import main
from smarketing.filters import Filters
from smarketing.funnel.behaviour import behaviour_funnel
from smarketing.funnel.drivers import PairError, StepPair, driver_leads, drivers, time_to_convert
from smarketing.funnel.drivers.features import bands
from smarketing.funnel.drivers.stats import odds_ratio, p_value, q_values, with_statistics
from smarketing.funnel.lifecycle import lifecycle_funnel

Z = 1.959963984540054
CONVERTED = {"L1": "2026-01-11", "L2": "2026-01-12", "L3": "2026-01-13", "L5": "2026-01-15", "L9": "2026-01-20"}
SOFTWARE, PRO = {"L1", "L2", "L3", "L4"}, {"L1", "L2", "L5"}
WEBINAR_BEFORE = {"L1", "L4", "L6", "L7"}  # before their MQL date; L5's webinar comes after it
MQL_TO_SQL = StepPair("stage", "MQL", "SQL")


def tiny(make_con, tmp_path=None):
    """Twelve leads, all MQLs on 10 January 2026; five became SQL. An extra text column `plan`; employees 1–12."""
    ids = [f"L{i}" for i in range(1, 13)]
    leads = [{"lead_id": x, "created_at": "2026-01-01", "industry": "Software" if x in SOFTWARE else "Retail",
              "employees": i} for i, x in enumerate(ids, start=1)]
    changes = [{"lead_id": x, "stage": "MQL", "entered_at": "2026-01-10"} for x in ids]
    changes += [{"lead_id": x, "stage": "SQL", "entered_at": at} for x, at in CONVERTED.items()]
    events = [{"lead_id": x, "ts": "2026-01-05", "event_type": "webinar_attended"} for x in sorted(WEBINAR_BEFORE)]
    events += [{"lead_id": "L5", "ts": "2026-01-12", "event_type": "webinar_attended"}]
    con = make_con(leads=leads, stage_changes=changes, events=events)
    db = store.raw(con)
    db.execute("ALTER TABLE leads ADD COLUMN plan VARCHAR")
    db.execute("UPDATE leads SET plan = CASE WHEN lead_id IN ('L1', 'L2', 'L5') THEN 'pro' ELSE 'free' END")
    return con


def row(report, feature, value):
    found = report.drivers[(report.drivers.feature == feature) & (report.drivers.value == value)]
    assert len(found) == 1, (feature, value, report.drivers[["feature", "value"]].values.tolist())
    return found.iloc[0]


def test_counts_odds_ratio_interval_and_fisher_p_by_hand(make_con):
    report = drivers(tiny(make_con), MQL_TO_SQL, min_count=3)
    assert (report.leads, report.converted) == (12, 5)
    software = row(report, "industry", "Software")
    # a = 3 Software SQLs, b = 1 Software lead that stayed, c = 2 other SQLs, d = 6 others that stayed
    assert software[["leads_with", "converted_with", "leads_without", "converted_without"]].tolist() == [4, 3, 8, 2]
    assert software.rate_with == 3 / 4 and software.rate_without == 2 / 8
    assert software.odds_ratio == pytest.approx(3 * 6 / (1 * 2))
    se = math.sqrt(1 / 3 + 1 / 1 + 1 / 2 + 1 / 6)
    assert software.ci_low == pytest.approx(math.exp(math.log(9) - Z * se))
    assert software.ci_high == pytest.approx(math.exp(math.log(9) + Z * se))
    # an expected cell is 4 * 5 / 12 < 5: Fisher's exact test. Hypergeometric weights of 0..4 SQLs among the 4
    # Software leads: C(5,x) C(7,4-x) = 35, 175, 210, 70, 5 (of 495); two-sided: those no likelier than 3 (70)
    assert software.p_value == pytest.approx((35 + 70 + 5) / 495)
    assert software.effect == "unclear"  # the interval crosses 1


def test_a_zero_cell_gets_the_haldane_anscombe_correction(make_con):
    report = drivers(tiny(make_con), MQL_TO_SQL, min_count=3)
    pro = row(report, "plan", "pro")  # an extra column: all 3 "pro" leads converted (b = 0)
    assert pro[["leads_with", "converted_with", "leads_without", "converted_without"]].tolist() == [3, 3, 9, 2]
    a, b, c, d = 3.5, 0.5, 2.5, 7.5
    assert pro.odds_ratio == pytest.approx(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    assert pro.ci_low == pytest.approx(math.exp(math.log(a * d / (b * c)) - Z * se))
    assert pro.zero_cell and not row(report, "industry", "Software").zero_cell


def test_quintile_bands_and_the_minimum_count(make_con):
    report = drivers(tiny(make_con), MQL_TO_SQL, min_count=3)
    # employees 1..12: cut points at 1 + 11 q = 3.2, 5.4, 7.6, 9.8, rounded up to 4, 6, 8, 10
    assert [b.label for b in bands(1, 12, [3.2, 5.4, 7.6, 9.8], whole=True)] == ["1–3", "4–5", "6–7", "8–9", "10–12"]
    low = row(report, "employees", "1–3")
    assert (low.low, low.high, low.leads_with, low.converted_with) == (1, 4, 3, 3)
    top = row(report, "employees", "10–12")  # no SQL among them: a = 0
    assert top.odds_ratio == pytest.approx(0.5 * 4.5 / (3.5 * 5.5))
    # tested: Software, Retail, pro, free, 1–3, 10–12, the webinar. Set aside: the bands 4–5, 6–7, 8–9 (2 leads
    # each) and title, country, region, source group, source, campaign, owner (one value for all 12 leads)
    assert len(report.drivers) == 7 and report.set_aside == 3 + 7
    assert report.drivers.leads_with.min() >= 3 and report.drivers.leads_without.min() >= 3


def test_events_count_only_before_the_step(make_con):
    report = drivers(tiny(make_con), MQL_TO_SQL, min_count=3)
    webinar = row(report, "event", "webinar_attended")
    # L1, L4, L6, L7 attended before their MQL (L1 became an SQL); L5's webinar after its MQL does not count
    assert webinar[["leads_with", "converted_with"]].tolist() == [4, 1]
    assert webinar.odds_ratio == pytest.approx(1 * 4 / (3 * 4))


def test_q_values_are_benjamini_hochberg_over_every_driver_tested(make_con):
    report = drivers(tiny(make_con), MQL_TO_SQL, min_count=3)
    p = report.drivers.p_value.tolist()
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    expected, running = [0.0] * m, 1.0
    for rank in range(m, 0, -1):  # from the largest p down: q = min over larger ranks of p * m / rank
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        expected[i] = running
    assert report.drivers.q_value.tolist() == pytest.approx(expected)
    assert q_values_series([0.01, 0.04, 0.03, 0.5]) == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])


def q_values_series(values):
    return q_values(pd.Series(values)).tolist()


def test_chi_square_when_every_expected_count_is_five_or_more():
    # 100 leads: 50 with (30 converted), 50 without (10 converted); expected cells 20, 30, 20, 30
    statistic = 100 * (30 * 40 - 20 * 10) ** 2 / (50 * 50 * 40 * 60)
    assert p_value(30, 20, 10, 40) == pytest.approx(math.erfc(math.sqrt(statistic / 2)))


def test_the_leads_behind_a_driver(make_con):
    con = tiny(make_con)
    software = driver_leads(con, MQL_TO_SQL, "property", "industry", "Software")
    assert sorted(software.lead_id) == sorted(SOFTWARE) and software.step_converted.sum() == 3
    assert software.step_converted.iloc[0]  # converted leads first
    assert sorted(driver_leads(con, MQL_TO_SQL, "band", "employees", "1–3", 1, 4).lead_id) == ["L1", "L2", "L3"]
    assert sorted(driver_leads(con, MQL_TO_SQL, "band", "employees", "10–12", 10, math.inf).lead_id) == \
        ["L10", "L11", "L12"]
    assert sorted(driver_leads(con, MQL_TO_SQL, "event", "event", "webinar_attended").lead_id) == sorted(WEBINAR_BEFORE)


def test_time_to_convert_histogram(make_con):
    timed = time_to_convert(tiny(make_con), MQL_TO_SQL)
    # days from MQL (10 Jan) to SQL: 1, 2, 3, 5, 10. p90 = 5 + 0.6 * 5 = 8, p99 = 5 + 0.96 * 5 = 9.8: bins of 0.5 days
    # (about 24 up to p99), 20 of them, and an open last one from 10 days
    assert (timed.leads, timed.unit, timed.median, timed.p90) == (5, "days", 3, pytest.approx(8))
    hist = timed.histogram
    assert timed.open_end and len(hist) == 21 and hist.bin_end.iloc[0] == 0.5 and pd.isna(hist.bin_end.iloc[-1])
    assert hist.leads.sum() == 5 and hist.loc[hist.leads > 0, "bin_start"].tolist() == [1, 2, 3, 5, 10]


def test_the_population_is_the_funnels(make_con, demo_con):
    con = tiny(make_con)
    funnel = lifecycle_funnel(con).set_index("stage")
    report = drivers(con, MQL_TO_SQL, min_count=3)
    assert (report.leads, report.converted) == (funnel.at["MQL", "leads"], funnel.at["SQL", "leads"])
    window = Filters(date(2026, 1, 1), date(2026, 6, 30))
    both = drivers(demo_con, StepPair("event", "content_download", "demo_request", 30), window)
    steps = behaviour_funnel(demo_con, ["content_download", "demo_request"], 30, window)
    assert (both.leads, both.converted) == tuple(steps.leads)
    stages = drivers(demo_con, StepPair("stage", "Lead", "Customer"), window)
    counts = lifecycle_funnel(demo_con, window).set_index("stage").leads
    assert (stages.leads, stages.converted) == (counts["Lead"], counts["Customer"])


@pytest.mark.parametrize(("pair", "message"), [
    (StepPair("stage", "SQL", "MQL"), "must come after"),
    (StepPair("stage", "MQL", "Opportunity"), "no lead of this data has a date for stage 'Opportunity'"),
    (StepPair("stage", "MQL", "Nope"), "not a main stage"),
    (StepPair("funnel", "a", "b"), "kind must be one of"),
    (StepPair("event", "webinar_attended", "demo_request", 0), "window must be positive"),
])
def test_a_step_that_cannot_be_analysed_says_why(make_con, pair, message):
    with pytest.raises(PairError, match=message):
        drivers(tiny(make_con), pair)


TABLES = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), min_size=1, max_size=8)


@given(TABLES, st.integers(0, 200), st.integers(0, 200))
def test_statistics_stay_consistent(pairs, extra_leads, extra_converted):
    counts = pd.DataFrame([{"kind": "property", "feature": "f", "value": str(i), "leads_with": n + k,
                            "converted_with": k} for i, (n, k) in enumerate(pairs)])
    converted = int(counts.converted_with.max()) + extra_converted
    leads = int(counts.leads_with.max()) + max(extra_leads, converted)
    out = with_statistics(counts, leads, converted)
    assert ((out.leads_with + out.leads_without) == leads).all()
    assert (out.converted_with <= out.leads_with).all() and (out.converted_without <= out.leads_without).all()
    assert (out.q_value >= out.p_value - 1e-12).all() and out.p_value.between(0, 1).all()
    assert ((out.ci_low <= out.odds_ratio) & (out.odds_ratio <= out.ci_high)).all()
    ratio, low, high = odds_ratio([2], [3], [4], [5])
    assert low[0] < ratio[0] < high[0] and ratio[0] == pytest.approx(2 * 5 / (3 * 4))


def test_cli_drivers(make_con, tmp_path, capsys):
    path = tmp_path / "drivers.duckdb"
    source = tiny(make_con)
    store.raw(source).execute(f"ATTACH '{path}' AS out")
    for name in ("leads", "stage_changes", "events", "deals", "handoffs", "spend"):
        store.raw(source).execute(f"CREATE TABLE out.{name} AS SELECT * FROM {name}")
    store.raw(source).execute("UPDATE out.leads SET industry = 'jane@example.com' WHERE lead_id = 'L12'")
    store.raw(source).execute("DETACH out")
    assert main(["drivers", "--db", str(path), "--from", "MQL", "--to", "SQL", "--min-count", "3",
                 "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    software = next(r for r in found if r["value"] == "Software")
    assert software["odds_ratio"] == pytest.approx(9)
    assert main(["drivers", "--db", str(path), "--from", "MQL", "--to", "SQL", "--min-count", "1",
                 "--leads-of", "industry=jane@example.com", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "L12" in out and "jane@example.com" not in out and "j***@example.com" in out
    assert main(["drivers", "--db", str(path), "--from", "MQL", "--to", "SQL", "--time"]) == 0
    assert "median 3.0 days" in capsys.readouterr().out
    assert main(["drivers", "--db", str(path), "--events", "webinar_attended", "demo_request"]) == 0
    assert main(["drivers", "--db", str(path), "--from", "SQL", "--to", "MQL"]) == 1
    assert "must come after" in capsys.readouterr().err
