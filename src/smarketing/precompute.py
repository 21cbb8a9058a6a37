"""What a write computes before it lands: the derived tables of the analyses (smarketing.store.derived).

The heavy per-lead work that no filter changes is done once per database version, inside the same atomic
swap as the import or demo build (`store.writing(path, derive=refresh)`), instead of on the first view of a
page after every start: every lead's attribution journey and time-decay credit for the default attribution
settings, every lead's de-duplication status for the default phone country, and every lead's scoring features
for the rules in force (the saved version beside the database, else the packaged or starter rules) at the
default cut-off (a rules version saved later is scored live until the next write), every lead's issues for the
integrity audit that only the data fixes (history and mapping gaps) and its current stage, and which leads are
returning ones (the channel table). The analyses read them when they hold the parameters asked for and compute
live otherwise, with the same numbers (tests/test_precompute.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from smarketing.attribution.channels import refresh_returning
from smarketing.attribution.journeys import refresh_journeys
from smarketing.funnel.audit.report import refresh_audit
from smarketing.leadflow.dedupe import refresh_dedupe
from smarketing.scoring.scores import refresh_features
from smarketing.scoring.starter import rules_in_force
from smarketing.stages import StageModel


def parts(db=None, stages: StageModel | None = None) -> dict[str, Callable]:
    """The derived tables a write builds, by name (`db`: the database file, beside which saved rules live)."""
    return {
        "attribution journeys": lambda con: refresh_journeys(con, stages),
        "de-duplication": lambda con: refresh_dedupe(con),
        "scoring features": lambda con: refresh_features(con, rules_in_force(con, db)[0]),
        "audit history": lambda con: refresh_audit(con, stages),
        "returning leads": refresh_returning,
    }


def refresh(con, db=None, stages: StageModel | None = None,
            progress: Callable[[str, float], None] | None = None) -> dict[str, str]:
    """Build every derived table from the data of `con` (a writable connection inside store.writing, which
    passes the database's path as `db`); `progress(name, seconds)` after each. A part that cannot be built for
    this data (no leads to score, rules that do not fit it) is left out, never failing the write: its analysis
    computes live. Returns {part: why} of the parts left out."""
    skipped = {}
    for name, build in parts(db, stages).items():
        started = time.perf_counter()
        try:
            build(con)
        except Exception as exc:  # a speed-up only: the import or demo build itself must not fail for it
            skipped[name] = f"{type(exc).__name__}: {exc}"
        if progress:
            progress(name, time.perf_counter() - started)
    return skipped
