"""Deterministic demo data for a B2B software company, at any size (smarketing.demo.people draws the
people and their journeys, smarketing.demo.loading writes them)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
from tqdm import tqdm

from smarketing import store
from smarketing.demo import loading
from smarketing.demo import people as sim
from smarketing.reach import refresh_reach
from smarketing.store import derived
from smarketing.store.profile import DEMO_MARK

HISTORY_DAYS = sim.HISTORY_DAYS


def generate(con, leads: int = 20_000, seed: int = 42, end: date | None = None, progress: bool = True) -> dict:
    """Replace the database contents with demo data for `leads` leads; return the row counts.

    Deterministic for a given (leads, seed, end); `end` defaults to today (UTC): history covers the
    two years before it.
    """
    if leads < 100:
        raise ValueError(f"--leads must be at least 100, got {leads}")
    end = end or datetime.utcnow().date()
    end_ts = datetime.combine(end, time.min)
    start = end_ts - timedelta(days=HISTORY_DAYS)
    horizon = HISTORY_DAYS * sim.DAY
    rng = np.random.default_rng(seed)
    db = store.raw(con)
    steps = tqdm(total=8, desc="demo data", unit="step", disable=not progress)

    def step(label):
        steps.set_postfix_str(label)
        steps.update(1)

    people = sim.draw_leads(rng, leads)
    firm = sim.firmographics(rng, people)
    journey = sim.journey(rng, people, firm)
    step("leads drawn")
    stage_rows = sim.stage_rows(rng, people, journey, horizon)
    events = sim.events(rng, people, journey, horizon)
    step("journeys drawn")
    spend = sim.spend(rng, people, start, HISTORY_DAYS)
    codes = loading.lead_codes(rng, people, firm, journey)
    db.execute("BEGIN TRANSACTION")
    try:
        for name in ("events", "stage_changes", "deals", "handoffs", "spend", "leads"):
            db.execute(f'DROP TABLE IF EXISTS "{name}"')
        store.ensure_tables(con)
        for name, frame in loading.dimension_frames().items():
            db.register(name, frame)
        loading.load_leads(db, codes, start)
        step("leads loaded")
        db.register("_lead_codes_small", codes[["lead_i", "campaign_i"]])
        loading.load_events(db, events, start)
        step("events loaded")
        loading.load_stages(db, stage_rows, start)
        step("stages loaded")
        loading.load_deals_and_handoffs(db, rng, people, firm, journey, horizon, start)
        step("deals and hand-offs loaded")
        db.register("_spend_rows", spend)
        db.execute("INSERT INTO spend SELECT * FROM _spend_rows WHERE date < ?", [end])
        refresh_reach(con)
        derived.bump_version(con)
        db.execute(f'CREATE OR REPLACE TABLE "{DEMO_MARK}" AS SELECT ? AS leads, ? AS seed, ? AS end_date',
                   [leads, seed, end])
        step("spend loaded")
        db.execute("COMMIT")
    except Exception:
        db.execute("ROLLBACK")
        raise
    db.execute("CHECKPOINT")
    step("done")
    steps.close()
    return store.table_counts(con)


def ensure(path, leads: int, seed: int = 42, end: date | None = None, derive=None) -> str:
    """The path of a demo database with `leads` leads, generating it first if the file does not exist
    (`derive`: what builds its derived tables, as store.writing takes it)."""
    if not Path(path).exists():
        with store.writing(path, fresh=True, derive=derive) as con:
            generate(con, leads=leads, seed=seed, end=end, progress=False)
    return str(path)
