"""What a write computes before it lands: the derived tables of the analyses (smarketing.store.derived).

The heavy per-lead work that no filter changes is done once per database version, inside the same atomic
swap as the import or demo build (`store.writing(path, derive=refresh)`), instead of on the first view of a
page after every start: every lead's attribution journey and time-decay credit for the default attribution
settings, and every lead's de-duplication status for the default phone country. The analyses read them when
they hold the parameters asked for and compute live otherwise, with the same numbers (tests/test_precompute.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from smarketing.attribution.journeys import refresh_journeys
from smarketing.leadflow.dedupe import refresh_dedupe
from smarketing.stages import StageModel


def parts(stages: StageModel | None = None) -> dict[str, Callable]:
    """The derived tables a write builds, by name."""
    return {
        "attribution journeys": lambda con: refresh_journeys(con, stages),
        "de-duplication": lambda con: refresh_dedupe(con),
    }


def refresh(con, stages: StageModel | None = None, progress: Callable[[str, float], None] | None = None) -> None:
    """Build every derived table from the data of `con` (a writable connection inside store.writing);
    `progress(name, seconds)` after each."""
    for name, build in parts(stages).items():
        started = time.perf_counter()
        build(con)
        if progress:
            progress(name, time.perf_counter() - started)
