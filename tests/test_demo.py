"""The demo data: deterministic, realistic rates, and hidden fit and intent that leave real signal."""

from datetime import date

import pytest

from smarketing import demo, store
from smarketing.filters import Filters
from smarketing.funnel.lifecycle import lifecycle_funnel
from smarketing.schema import TABLES


def fingerprint(con) -> dict:
    db = store.raw(con)
    return {t: db.execute(f"SELECT count(*), hash(string_agg(CAST(x AS VARCHAR), '|' ORDER BY x)) "
                          f"FROM (SELECT * FROM {t}) x").fetchone() for t in TABLES}


def test_same_seed_same_data_other_seed_other_data():
    runs = []
    for seed in (5, 5, 6):
        con = store.connect(":memory:")
        demo.generate(con, leads=400, seed=seed, end=date(2026, 1, 1), progress=False)
        runs.append(fingerprint(con))
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_rates_are_realistic(demo_con):
    f = lifecycle_funnel(demo_con, Filters()).set_index("stage")
    lead_to_mql = f.loc["MQL", "leads"] / f.loc["Lead", "leads"]
    assert 0.2 <= lead_to_mql <= 0.45
    assert 0.3 <= f.loc["MQL", "conversion_from_previous"] <= 0.65
    assert 0.01 <= f.loc["Customer", "conversion_from_first"] <= 0.07


def test_every_table_filled_and_consistent(demo_con):
    db = demo_con.con
    counts = store.table_counts(demo_con)
    assert all(n > 0 for n in counts.values()), counts
    assert db.execute("SELECT count(*) FROM events WHERE lead_id NOT IN (SELECT lead_id FROM leads)").fetchone()[0] == 0
    assert db.execute("SELECT count(DISTINCT status) FROM deals").fetchone()[0] == 3
    assert db.execute("SELECT count(DISTINCT source_group) FROM leads").fetchone()[0] == 8
    assert db.execute("SELECT count(DISTINCT source) FROM leads").fetchone()[0] == 20
    assert db.execute("SELECT count(*) FROM handoffs WHERE returned_at IS NOT NULL AND return_reason IS NULL"
                      ).fetchone()[0] == 0
    assert db.execute("SELECT max(ts) < DATE '2026-11-01' FROM events").fetchone()[0]


def test_fit_and_intent_leave_signal(demo_con):
    db = demo_con.con
    # senior titles win more often than juniors; demo requests are far more common among won leads
    rate = db.execute("""
        SELECT avg(CASE WHEN d.lead_id IS NOT NULL THEN 1 ELSE 0 END) FILTER (WHERE title LIKE 'VP%' OR title LIKE
               'Director%' OR title IN ('CEO', 'CTO')), avg(CASE WHEN d.lead_id IS NOT NULL THEN 1 ELSE 0 END)
               FILTER (WHERE title IN ('Student', 'Intern'))
        FROM leads l LEFT JOIN (SELECT DISTINCT lead_id FROM deals WHERE status = 'won') d USING (lead_id)""").fetchone()
    assert rate[0] > 1.5 * rate[1]
    share = db.execute("""
        SELECT avg(CASE WHEN e.lead_id IS NOT NULL THEN 1 ELSE 0 END) FILTER (WHERE won), avg(CASE WHEN e.lead_id
               IS NOT NULL THEN 1 ELSE 0 END) FILTER (WHERE NOT won)
        FROM (SELECT lead_id, lead_id IN (SELECT lead_id FROM deals WHERE status = 'won') AS won FROM leads) l
        LEFT JOIN (SELECT DISTINCT lead_id FROM events WHERE event_type = 'demo_request') e USING (lead_id)""").fetchone()
    assert share[0] > 2 * share[1]


def test_duplicates_share_identities(demo_con):
    db = demo_con.con
    same_email = db.execute("SELECT count(*) - count(DISTINCT lower(trim(email))) FROM leads").fetchone()[0]
    assert same_email / 3000 > 0.05


def test_too_few_leads_is_an_error():
    with pytest.raises(ValueError, match="at least 100"):
        demo.generate(store.connect(":memory:"), leads=10, progress=False)
