"""The derived tables a write builds (smarketing.precompute) give exactly the numbers computed live, for any
filters; they are read only while they match the data and the parameters, so a write that did not rebuild
them, other settings or other data fall back to the live computation."""

from __future__ import annotations

import shutil
from datetime import date

import numpy as np
import pandas as pd
import pytest

from smarketing import precompute, store
from smarketing.attribution import journeys
from smarketing.attribution.paths import PathParams
from smarketing.filters import Filters
from smarketing.leadflow.dedupe import dedupe_report
from smarketing.store import derived

FILTERS = [
    Filters(),
    Filters(date(2026, 2, 1), date(2026, 7, 31)),
    Filters(date(2026, 2, 1), date(2026, 7, 31), mode="period"),
    Filters(date(2025, 11, 1), date(2026, 10, 31), segments={"source_group": ("Paid Search", "Events")}),
]


def live(monkeypatch):
    """Compute without the derived tables (as on a database that has none)."""
    monkeypatch.setattr(derived, "load", lambda con, name, key: None)


def paths_frame(table) -> pd.DataFrame:
    return table.to_frame().sort_values("path", ignore_index=True)


@pytest.mark.parametrize("filters", FILTERS, ids=["all", "cohort", "period", "segments"])
def test_stored_journeys_give_the_live_paths_and_decay(demo_con, monkeypatch, filters):
    assert derived.load(demo_con, journeys.JOURNEYS, journeys._journeys_key(PathParams(), journeys.resolve(None))) is not None
    stored = journeys.path_table(demo_con, PathParams(), filters)
    live(monkeypatch)
    direct = journeys.path_table(demo_con, PathParams(), filters)
    assert stored.total_conversions == direct.total_conversions > 0
    pd.testing.assert_frame_equal(paths_frame(stored), paths_frame(direct))
    pd.testing.assert_frame_equal(stored.decay, direct.decay, rtol=1e-9)
    assert np.allclose(stored.unattributed, direct.unattributed)


@pytest.mark.parametrize("filters", FILTERS, ids=["all", "cohort", "period", "segments"])
def test_stored_dedupe_statuses_give_the_live_report(demo_con, monkeypatch, filters):
    assert derived.load(demo_con, "dedupe", "US") is not None
    stored = dedupe_report(demo_con, filters, by="source_group")
    live(monkeypatch)
    direct = dedupe_report(demo_con, filters, by="source_group")
    pd.testing.assert_frame_equal(stored.by_group, direct.by_group)
    pd.testing.assert_frame_equal(stored.matches, direct.matches)


def test_every_part_is_built_for_the_demo_and_none_fails_a_write_on_data_it_does_not_fit(demo_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, path)
    with store.writing(path) as con:
        assert precompute.refresh(con, path) == {}  # every part built
        store.raw(con).execute("DELETE FROM events; DELETE FROM stage_changes; DELETE FROM deals; DELETE FROM "
                               "handoffs; DELETE FROM leads")
        skipped = precompute.refresh(con, path)  # nothing to score: that part is left out, the write goes on
    assert set(skipped) <= {"scoring features"}
    con = store.connect(path, read_only=True)
    assert con.table("leads").count().execute() == 0
    con.disconnect()


def test_other_settings_are_computed_live(demo_con):
    key = journeys._journeys_key(PathParams(lookback_days=30), journeys.resolve(None))
    assert derived.load(demo_con, journeys.JOURNEYS, key) is None  # built for the default 90 days only
    assert derived.load(demo_con, "dedupe", "GB") is None  # built for the default country only
    shorter = journeys.path_table(demo_con, PathParams(lookback_days=30))
    assert 0 < shorter.total_conversions <= journeys.path_table(demo_con, PathParams()).total_conversions


def test_a_write_that_does_not_rebuild_them_leaves_them_unread(demo_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, path)
    with store.writing(path) as con:  # e.g. an import by a tool that does not derive
        store.raw(con).execute("DELETE FROM events WHERE channel = 'Email'")
    con = store.connect(path, read_only=True)
    assert derived.load(con, journeys.JOURNEYS, journeys._journeys_key(PathParams(), journeys.resolve(None))) is None
    assert "Email" not in journeys.path_table(con, PathParams()).channels  # the live numbers of the new data
    con.disconnect()
    with store.writing(path, derive=precompute.refresh):
        pass
    con = store.connect(path, read_only=True)
    assert derived.load(con, journeys.JOURNEYS, journeys._journeys_key(PathParams(), journeys.resolve(None))) is not None
    assert "Email" not in journeys.path_table(con, PathParams()).channels
    con.disconnect()


def test_a_failed_write_leaves_the_old_derived_tables_and_data(demo_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, path)
    before = path.read_bytes()

    def broken(con, db):
        precompute.refresh(con, db)
        raise RuntimeError("killed while deriving")

    with pytest.raises(RuntimeError), store.writing(path, derive=broken) as con:
        store.raw(con).execute("DELETE FROM leads")
    assert path.read_bytes() == before


def test_an_import_on_a_connection_marks_them_stale(demo_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, path)
    con = store.connect(path)  # a writable connection, no store.writing around it
    key = journeys._journeys_key(PathParams(), journeys.resolve(None))
    assert derived.load(con, journeys.JOURNEYS, key) is not None
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,created_at\nNEW-1,2026-06-01\n")
    store.import_files(con, {"leads": leads})
    assert derived.load(con, journeys.JOURNEYS, key) is None
    con.disconnect()


@pytest.mark.parametrize("filters", FILTERS, ids=["all", "cohort", "period", "segments"])
def test_stored_scoring_features_give_the_live_scores(demo_con, demo_db, monkeypatch, filters):
    from smarketing.scoring.quadrants import quadrant_summary
    from smarketing.scoring.scores import DEFAULT_CUTOFF, FEATURES, data_now, features_key, score_leads
    from smarketing.scoring.starter import rules_in_force

    rules = rules_in_force(demo_con, demo_db)[0]
    assert derived.load(demo_con, FEATURES, features_key(rules, DEFAULT_CUTOFF, data_now(demo_con))) is not None
    stored = score_leads(demo_con, rules, DEFAULT_CUTOFF, filters).order_by("lead_id").execute()
    summary = quadrant_summary(score_leads(demo_con, rules, DEFAULT_CUTOFF, filters))
    live(monkeypatch)
    direct = score_leads(demo_con, rules, DEFAULT_CUTOFF, filters).order_by("lead_id").execute()
    pd.testing.assert_frame_equal(stored, direct)
    pd.testing.assert_frame_equal(summary, quadrant_summary(score_leads(demo_con, rules, DEFAULT_CUTOFF, filters)))
    now = data_now(demo_con)
    other = rules.with_points(fit_threshold=rules.fit_threshold + 5)  # other thresholds: the same features
    assert features_key(other, DEFAULT_CUTOFF, now) == features_key(rules, DEFAULT_CUTOFF, now)
    later = type(DEFAULT_CUTOFF)("days", 30)  # another cut-off: other features, computed live
    assert features_key(rules, later, now) != features_key(rules, DEFAULT_CUTOFF, now)


@pytest.mark.parametrize("filters", FILTERS, ids=["all", "cohort", "period", "segments"])
def test_stored_audit_issues_and_current_stages_give_the_live_audit(demo_con, monkeypatch, filters):
    from smarketing.funnel.audit import HISTORY_KEYS, ISSUE_TYPES, audit_report
    from smarketing.funnel.audit.issues import CURRENT, DERIVED, STALE

    stored_issues = set(demo_con.table(derived.PREFIX + DERIVED).issue.execute())
    assert stored_issues and not {i.key for i in ISSUE_TYPES if i.group == STALE} & stored_issues  # settings' own
    assert demo_con.table(derived.PREFIX + CURRENT).count().execute() == demo_con.table("leads").count().execute()
    stored, trust = audit_report(demo_con, filters), audit_report(demo_con, filters, only=HISTORY_KEYS)
    live(monkeypatch)
    for got, want in ((stored, audit_report(demo_con, filters)), (trust, audit_report(demo_con, filters, only=HISTORY_KEYS))):
        pd.testing.assert_frame_equal(got.by_stage, want.by_stage)
        pd.testing.assert_frame_equal(got.issues, want.issues)
        pd.testing.assert_frame_equal(got.effects, want.effects)
        pd.testing.assert_frame_equal(got.by_source, want.by_source)
        assert (got.leads, got.with_history_issue) == (want.leads, want.with_history_issue)


@pytest.mark.parametrize("filters", FILTERS, ids=["all", "cohort", "period", "segments"])
def test_stored_returning_leads_give_the_live_channel_table(demo_con, monkeypatch, filters):
    from smarketing.attribution.channels import RETURNING, RETURNING_KEY, channel_table

    assert derived.load(demo_con, RETURNING, RETURNING_KEY).count().execute() > 0  # the demo has returning leads
    stored = channel_table(demo_con, filters)
    assert stored.returning_leads.iloc[-1] > 0 or filters.segments
    live(monkeypatch)
    pd.testing.assert_frame_equal(stored, channel_table(demo_con, filters))
