"""Suggested points and the score / tune / suggest commands, on the shared 3,000-lead demo database."""

from __future__ import annotations

import csv
import io
import json

import pytest

from smarketing.cli import main
from smarketing.scoring.rules_file import dump_rules, parse_rules
from smarketing.scoring.scores import validate_rules
from smarketing.scoring.suggest import SCALE, suggest
from smarketing.scoring.versions import load_rules, shipped_rules_path


@pytest.fixture(scope="module")
def suggestion(demo_con):
    return suggest(demo_con, load_rules(shipped_rules_path()))


def test_suggestion_lift_and_points(suggestion):
    a = suggestion.attributes
    assert {"fit", "event", "event level"} <= set(a.kind)
    seen = a[a.leads > 0]
    assert ((seen.lift_low <= seen.lift + 1e-9) & (seen.lift <= seen.lift_high + 1e-9)).all()
    assert a.points.between(-SCALE, SCALE).all()
    assert a[a.kind == "fit"].points.max() == SCALE and a[a.kind == "event level"].points.max() == SCALE
    assert (a.loc[~a.significant & (a.kind != "event"), "points"] == 0).all()
    events = a[(a.kind == "event") & (a.points > 0)]
    assert (events.cap >= events.points).all()  # min(points × count, cap)
    assert a.lr_coef.notna().any()


def test_suggested_rules_are_valid_and_compared_on_the_test_period(suggestion, demo_con):
    rules = suggestion.rules
    validate_rules(demo_con, rules)
    assert parse_rules(dump_rules(rules)) == rules
    assert suggestion.train_leads > suggestion.test_leads > 0
    assert set(suggestion.comparison.metric) >= {"mqls", "precision", "recall", "lift", "f1", "caught"}
    for value in suggestion.auc.values():
        assert value is None or 0 <= value <= 1


def test_suggestion_beats_the_shipped_rules(suggestion):
    """The demo's hidden fit and intent drive outcomes, so data-driven points rank them better."""
    assert suggestion.beats_current, suggestion.auc


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_score_csv(demo_db, capsys):
    code, out, _ = run(capsys, "score", "--db", demo_db)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["lead_id", "fit", "interest", "score", "quadrant", "is_mql"]
    assert len(rows) == 3000
    assert {r["quadrant"] for r in rows} <= {"hot", "nurture", "low_cost_followup", "drop"}


def test_cli_tune_json(demo_db, capsys):
    code, out, _ = run(capsys, "tune", "--db", demo_db, "--outcome", "sql", "--fit-threshold", "10",
                       "--interest-threshold", "5")
    assert code == 0
    m = json.loads(out)
    for key in ("mqls", "mql_share", "precision", "recall", "lift", "f1", "won_revenue_captured"):
        assert key in m
    for key in ("mql_share", "precision", "recall", "f1"):
        assert 0 <= m[key] <= 1
    assert m["fit_threshold"] == 10 and m["outcome"] == "sql"
    _, stricter, _ = run(capsys, "tune", "--db", demo_db, "--outcome", "sql", "--fit-threshold", "40",
                         "--interest-threshold", "5")
    assert json.loads(stricter)["mqls"] <= m["mqls"]


def test_cli_suggest_toml_and_csv(demo_db, capsys):
    code, out, err = run(capsys, "suggest", "--db", demo_db, "--format", "toml")
    assert code == 0 and "Test AUC" in err
    assert parse_rules(out).fit
    code, out, _ = run(capsys, "suggest", "--db", demo_db)
    assert code == 0 and out.startswith("kind,name,leads,outcomes,rate")


def test_cli_bad_rules_file_is_one_line(demo_db, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[thresholds]\nfit = 1\ninterest = 1\n[[fit]]\ncolumn = "nope"\nequals = "x"\npoints = 1\n')
    code, out, err = run(capsys, "score", "--db", demo_db, "--rules", str(bad))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "unknown lead column 'nope'" in err
