"""A rules file's `matches` is checked by the engine that runs it (DuckDB's RE2), not Python's: look-behind,
back-references, possessive quantifiers, atomic groups, \\Z and (?x) are refused when the rules are read; a saved
version that cannot be used any more shows its error and the pages and commands fall back to the last good one."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import replace

import pytest
from apptest import run_page

from smarketing import store
from smarketing.cli import main
from smarketing.scoring.rules import RulesError
from smarketing.scoring.rules_file import dump_rules, parse_rules
from smarketing.scoring.starter import SAVED, rules_in_force
from smarketing.scoring.versions import (
    load_rules,
    save_version,
    shipped_rules_path,
    skipped_versions,
    versions_dir,
)

HEAD = 'name = "t"\n[thresholds]\nfit = 10\ninterest = 10\n[[fit]]\ncolumn = "title"\npoints = 5\n'
PYTHON_ONLY = ["(?<=Head )of", r"(VP)\1", "VP++", "(?>VP)", r"VP\Z", "(?x) V P", "a{1001}", "(?<name>VP)"]


@pytest.mark.parametrize("pattern", PYTHON_ONLY)
def test_a_pattern_re2_cannot_run_is_refused_when_the_rules_are_read(pattern):
    text = HEAD + f"matches = '{pattern}'\n"
    with pytest.raises(RulesError, match=r"^rules.toml: fit rule 1: 'matches' is not a regular expression the "
                                         r"database can run \("):
        parse_rules(text, "rules.toml")


@pytest.mark.parametrize("pattern", [r"\b(VP|Director|Head)\b", r"^c[xt]o$", r"\p{L}+ manager", "[[:alpha:]]+"])
def test_patterns_re2_runs_are_accepted(pattern):
    assert parse_rules(HEAD + f"matches = '{pattern}'\n", "rules.toml").fit[0].matches == pattern


@pytest.fixture()
def broken_version(demo_db, tmp_path):
    """A copy of the demo database with two saved rule versions: a good v_n and, after it, one whose `matches`
    passed the old (Python) check but not RE2, as it was saved before this check existed."""
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    good, _ = save_version(replace(load_rules(shipped_rules_path()), name="Agreed rules"), db)
    bad = dump_rules(replace(good, version=good.version + 1, name="Broken rules"))
    bad = bad.replace('matches = "\\\\b(VP|Director|Head)\\\\b"', 'matches = "(?<=Head )of"')
    assert "(?<=" in bad
    (versions_dir(db) / f"v{good.version + 1}.toml").write_text(bad, "utf-8")
    return db, good.version


def test_a_saved_version_that_cannot_run_falls_back_to_the_last_good_one(broken_version):
    db, good = broken_version
    con = store.connect(db, read_only=True)
    try:
        rules, kind = rules_in_force(con, db)
    finally:
        con.disconnect()
    assert (rules.name, rules.version, kind) == ("Agreed rules", good, SAVED)
    [problem] = skipped_versions(db)
    assert problem.startswith(f"v{good + 1}.toml: fit rule") and "(?<" in problem


@pytest.mark.parametrize("page_key", ["fit_interest", "scoring_tuner"])
def test_the_scoring_pages_show_the_broken_version_and_use_the_last_good_one(broken_version, monkeypatch, page_key):
    db, good = broken_version
    monkeypatch.setenv("SMARKETING_DB", str(db))
    at = run_page(page_key)  # no exception
    errors = " ".join(e.value for e in at.error)
    assert f"v{good + 1}.toml" in errors and f"version {good}" in errors
    assert f"“Agreed rules” (version {good})" in " ".join(c.value for c in at.caption)


def test_the_commands_warn_and_use_the_last_good_version(broken_version):
    db, good = broken_version
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["tune", "--db", str(db), "--format", "json"])
    out.flush()
    assert code == 0, err.getvalue()
    assert f"warning: v{good + 1}.toml" in err.getvalue() and f"using version {good}" in err.getvalue()
    assert f'"version": {good}' in out.buffer.getvalue().decode()
