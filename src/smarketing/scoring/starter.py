"""Which scoring rules are in force for a database, and starter rules built from a data set's own columns.

The rules saved beside the database win. Without any, the packaged default rules apply only where they fit
the data (the demo's, say: every column and event type they name exists and every condition selects some
lead); someone else's data gets starter rules instead: points from the lift of every candidate attribute
and event type on all of the data (smarketing.scoring.suggest), thresholds that make about a fifth of the
leads MQLs. A source without events gets fit-only rules.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date

import numpy as np

from smarketing.scoring.rules import Rules, RulesError
from smarketing.scoring.scores import DEFAULT_CUTOFF, Cutoff, event_types, fit_condition, validate_rules
from smarketing.scoring.suggest import candidate_rules, lift_table, pick_thresholds, suggested_rules
from smarketing.scoring.tuner import Tuner
from smarketing.scoring.versions import load_rules, shipped_rules_path, usable_rules

SAVED, PACKAGED, STARTER = "saved", "packaged", "starter"
MQL_SHARE = 0.2  # starter thresholds: about this share of leads become MQLs


def fits_data(con, rules: Rules) -> bool:
    """True when every column and event type the rules name exists and every fit condition selects a lead."""
    try:
        validate_rules(con, rules)
    except RulesError:
        return False
    if not set(rules.event_types) <= set(event_types(con)):
        return False
    if not rules.fit:
        return True
    leads = con.table("leads")
    hits = leads.aggregate(**{f"f{i}": fit_condition(leads[r.column], r).cast("int64").sum()
                              for i, r in enumerate(rules.fit)}).execute().iloc[0]
    return bool((hits.fillna(0) > 0).all())


class NoStarterRules(ValueError):
    """No attribute or event of the data sets leads apart on the outcome: nothing to build starter rules from."""

    def __init__(self, leads: int, outcomes: int, outcome: str):
        self.leads, self.outcomes, self.outcome = leads, outcomes, outcome
        super().__init__(f"not enough {outcome_words(outcome)} to build starter rules: {outcomes:,} of {leads:,} "
                         f"leads, and no lead column or event sets them apart")


def known_after_outcome(tuner: Tuner, candidates: Rules, outcome: str) -> set[str]:
    """Lead columns that have a value only on leads that reached the outcome (a won file's segment or type): they
    are learnt with the sale, so they cannot say who will buy."""
    y, seen = tuner.outcomes[outcome], {}
    for r in candidates.fit:
        seen[r.column] = seen.get(r.column, np.zeros(tuner.n, dtype=bool)) | tuner.fit_cols[r.key]
    return {c for c, has in seen.items() if has.any() and not (has & ~y).any()}


def starter_rules(con, outcome: str = "won", cutoff: Cutoff = DEFAULT_CUTOFF) -> Rules:
    """Rules from this data's own columns and events, with points from their lift on all the leads (columns known
    only after the outcome left out) and thresholds for about a fifth of the leads as MQLs (the nearest above when
    the scores have too few levels); NoStarterRules when nothing sets the outcomes apart."""
    empty = Rules("Starter rules (from this data)", 1, date.today(), 0.0, 0.0)
    candidates, generated = candidate_rules(con, empty)
    tuner = Tuner.load(con, candidates, cutoff)
    if tuner.n == 0:
        raise ValueError("no leads to build scoring rules from")
    leaked = known_after_outcome(tuner, candidates, outcome)
    candidates = replace(candidates, fit=tuple(r for r in candidates.fit if r.column not in leaked))
    everyone = np.ones(tuner.n, dtype=bool)
    lifts = lift_table(tuner, candidates, outcome, everyone)
    rules = suggested_rules(empty, candidates, generated, lifts, tuner, outcome, everyone)
    if not (rules.fit or rules.interest or rules.bonus):
        raise NoStarterRules(tuner.n, int(tuner.outcomes[outcome].sum()), outcome)
    rules = pick_thresholds(rules, tuner, outcome, everyone, max(1, int(MQL_SHARE * tuner.n)))
    scores = tuner.scores(rules)  # thresholds at the lowest score they let in (the same MQLs, a number one can read)
    fit, interest = scores.fit[scores.fit >= rules.fit_threshold], scores.interest[scores.interest >= rules.interest_threshold]
    rules = replace(rules, fit_threshold=float(fit.min()) if len(fit) else rules.fit_threshold,
                    interest_threshold=float(interest.min()) if len(interest) else rules.interest_threshold)
    return replace(rules, name="Starter rules (from this data)", version=1, description=(
        f"Built from this data's own lead columns{' and events' if rules.interest else ''}: points from the lift "
        f"of each attribute on {outcome_words(outcome)}, thresholds for about {MQL_SHARE:.0%} of leads as MQLs. "
        f"Adjust them in the scoring tuner and save them as the agreed rules."))


def outcome_words(outcome: str) -> str:
    return {"won": "won deals", "sql": "reaching SQL", "opportunity": "reaching opportunity"}.get(outcome, outcome)


def rules_in_force(con, db: str | os.PathLike | None = None) -> tuple[Rules, str]:
    """The rules the pages score with, and where they come from (SAVED, PACKAGED or STARTER)."""
    saved, _ = usable_rules(db)  # a saved version that cannot be used any more is skipped (versions.skipped_versions)
    if saved is not None:
        return saved, SAVED
    packaged = load_rules(shipped_rules_path())
    if fits_data(con, packaged):
        return packaged, PACKAGED
    return starter_rules(con), STARTER

