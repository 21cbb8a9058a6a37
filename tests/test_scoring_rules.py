"""The rules file: validation errors name the rule, round trip, versions, the agreement text, masking."""

from __future__ import annotations

import pytest

from smarketing import store
from smarketing.privacy import mask_email, mask_phone
from smarketing.scoring.rules import RulesError, agreement_markdown
from smarketing.scoring.rules_file import dump_rules, parse_rules
from smarketing.scoring.scores import validate_rules
from smarketing.scoring.versions import active_rules_path, load_rules, save_version, shipped_rules_path

HEAD = 'name = "t"\nversion = 3\ndate = 2025-01-01\n[thresholds]\nfit = 10\ninterest = 10\n'


def test_shipped_rules_load_and_round_trip():
    rules = load_rules(shipped_rules_path())
    assert rules.fit and rules.interest and rules.decay.mode == "half_life"
    assert parse_rules(dump_rules(rules)) == rules


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[fit]]\nname = "Big"\ncolumn = "employees"\nmin = 5000\npoints = "abc"\n',
         "fit rule 1 ('Big'): 'points' must be a number"),
        ('[[fit]]\ncolumn = "employees"\npoints = 5\n', "fit rule 1: needs exactly one condition"),
        ('[[fit]]\ncolumn = "x"\nequals = "a"\ncontains = "b"\npoints = 5\n', "needs exactly one condition"),
        ('[[fit]]\ncolumn = "employees"\nmin = 10\nmax = 5\npoints = 5\n', "'min' (10) is larger than 'max' (5)"),
        ('[[fit]]\ncolumn = "title"\nmatches = "(VP"\npoints = 5\n', "not a regular expression the database can run (missing ): (VP;"),
        ('[[interest]]\nevent_type = "page_view"\npoints = 1\ncap = -3\n',
         "interest rule 1 ('page_view'): 'cap' must be greater than 0"),
        ('[[interest]]\nevent_type = "page_view"\npoints = 1\nweight = 2\n', "unknown setting(s) weight"),
        ('[[bonus]]\nevent_type = "page_view"\nmin_count = 2.5\nwithin_days = 30\npoints = 5\n',
         "'min_count' must be a whole number"),
        ('[decay]\nmode = "sometimes"\n[[interest]]\nevent_type = "a"\npoints = 1\n', "'mode' must be one of"),
        ('[decay]\nmode = "half_life"\n[[interest]]\nevent_type = "a"\npoints = 1\n', "'half_life_days' is missing"),
        ('[[interest]]\nevent_type = "a"\npoints = 1\n[[interest]]\nevent_type = "a"\npoints = 2\n',
         "more than one interest rule"),
        ("", "no rules"),
    ],
)
def test_bad_rules_name_the_rule(body, message):
    with pytest.raises(RulesError) as err:
        parse_rules(HEAD + body, "my.toml")
    assert str(err.value).startswith("my.toml: ")
    assert message in str(err.value)


def test_malformed_toml_and_missing_thresholds():
    with pytest.raises(RulesError, match="my.toml: not valid TOML"):
        parse_rules('name = "x\n', "my.toml")
    with pytest.raises(RulesError, match=r"\[thresholds\] is missing"):
        parse_rules('[[fit]]\ncolumn = "a"\nequals = "b"\npoints = 1\n', "my.toml")
    with pytest.raises(RulesError, match=r"\[thresholds\]: 'interest' must be a number"):
        parse_rules('[thresholds]\nfit = 1\ninterest = "high"\n', "my.toml")


def test_unknown_column_and_event_type_against_the_data():
    con = store.connect(":memory:")
    store.raw(con).execute("INSERT INTO events VALUES ('L1', TIMESTAMP '2025-01-01', 'webinar_replay', NULL, NULL)")
    ok = parse_rules(HEAD + '[[interest]]\nevent_type = "webinar_replay"\npoints = 1\n')
    validate_rules(con, ok)  # a custom event type present in the data is fine
    bad_col = parse_rules(HEAD + '[[fit]]\nname = "Rev"\ncolumn = "revenue"\nmin = 1\npoints = 1\n')
    with pytest.raises(RulesError, match="fit rule 1 \\('Rev'\\): unknown lead column 'revenue'"):
        validate_rules(con, bad_col)
    text_range = parse_rules(HEAD + '[[fit]]\ncolumn = "industry"\nmin = 1\npoints = 1\n')
    with pytest.raises(RulesError, match="min/max needs a numeric column"):
        validate_rules(con, text_range)
    bad_event = parse_rules(HEAD + '[[interest]]\nevent_type = "pricing_veiw"\npoints = 1\n')
    with pytest.raises(RulesError, match="interest rule 1 \\('pricing_veiw'\\): unknown event type"):
        validate_rules(con, bad_event)


def test_versions_are_saved_beside_the_database(tmp_path):
    db = tmp_path / "x.duckdb"
    assert active_rules_path(db) == shipped_rules_path()
    rules = load_rules(db=db)
    new, path = save_version(rules.with_points(fit_threshold=42.0), db)
    assert path.parent == tmp_path / "scoring_rules" and new.version == rules.version + 1
    assert active_rules_path(db) == path
    assert load_rules(db=db).fit_threshold == 42
    newer, _ = save_version(new, db)
    assert newer.version == new.version + 1


def test_agreement_reads_like_a_document():
    text = agreement_markdown(load_rules(shipped_rules_path()))
    assert "becomes an **MQL**" in text and "fit score is at least" in text
    assert "per `demo_request`" in text and "halve every 60 days" in text


def test_masking():
    assert mask_email("richard.jones@primegroup.com") == "r***@primegroup.com"
    assert mask_email(None) is None and mask_email("nope") == "***"
    assert mask_email(" Ann@Acme.com ") == "A***@Acme.com"
    assert mask_phone("+1 705 561 0967") == "+1 *** *** 0967"
    assert mask_phone(None) is None
