"""The step a driver analysis looks at: from one lifecycle stage to a later one, or from one behaviour-funnel event
to the next, and the leads that took it (the population), on the funnels' own definitions.

- Stages (kind "stage"): the leads the lifecycle funnel counts at the start stage (stage reach, smarketing.reach;
  cohort mode: created in the window; period mode: reached the start stage in the window); a lead converted when
  it reached the end stage (at any time up to the data's end). In cohort mode the share converted is exactly the
  funnel's end count over its start count. Both stages must be main stages the data records, the end after the
  start.
- Events (kind "event"): the journeys of a two-step behaviour funnel [start, end] with the window given
  (smarketing.funnel.behaviour: a lead's first start event, in period mode its first in the window; converted
  when it did the end event after it within the window).
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis

from smarketing.filters import Filters, cohort_leads, segment_leads
from smarketing.funnel.behaviour import lead_journeys, make_params
from smarketing.reach import reach_column, reached, recorded_stages, stage_reach
from smarketing.stages import StageModel

KINDS = ("stage", "event")
DEFAULT_WINDOW_DAYS = 30.0


class PairError(ValueError):
    """A step pair that cannot be analysed; the message says why."""


@dataclass(frozen=True)
class StepPair:
    kind: str  # "stage" or "event"
    start: str
    end: str
    window_days: float = DEFAULT_WINDOW_DAYS  # events only: the conversion window after the start event

    @property
    def label(self) -> str:
        return f"{self.start} → {self.end}"


def _check_kind(pair: StepPair, stages: StageModel, recorded: list[str]) -> None:
    if pair.kind not in KINDS:
        raise PairError(f"the step kind must be one of {', '.join(KINDS)}, got '{pair.kind}'")


def _check_stages(pair: StepPair, stages: StageModel, recorded: list[str]) -> None:
    if pair.kind != "stage":
        return
    for name in (pair.start, pair.end):
        if name not in stages.names:
            raise PairError(f"'{name}' is not a main stage of the stage model ({', '.join(stages.names)})")
        if name not in recorded:
            raise PairError(f"no lead of this data has a date for stage '{name}', so conversions into or out of it "
                            f"cannot be told apart (recorded: {', '.join(recorded)})")
    if stages.index(pair.end) <= stages.index(pair.start):
        raise PairError(f"the end stage '{pair.end}' must come after the start stage '{pair.start}'")


def _check_events(pair: StepPair, stages: StageModel, recorded: list[str]) -> None:
    if pair.kind != "event":
        return
    if not str(pair.start).strip() or not str(pair.end).strip():
        raise PairError("both steps need an event type")
    if not pair.window_days > 0:
        raise PairError(f"the conversion window must be positive, got {pair.window_days:g} days")


CHECKS = (_check_kind, _check_stages, _check_events)


def validate(con, pair: StepPair, stages: StageModel) -> StepPair:
    """The pair, after every check in CHECKS (a PairError names the first that fails)."""
    recorded = recorded_stages(con, stages) if pair.kind == "stage" else []
    for check in CHECKS:
        check(pair, stages, recorded)
    return pair


def population(con, pair: StepPair, filters: Filters, stages: StageModel) -> ibis.Table:
    """The leads that took the start step: every lead column plus _start_at, _end_at (NULL: did not convert) and
    _converted (named apart from any lead column)."""
    validate(con, pair, stages)
    leads = con.table("leads")
    if pair.kind == "stage":
        reach = stage_reach(con, stages)
        scoped = cohort_leads(reach, filters) if filters.mode == "cohort" else segment_leads(reach, filters)
        scoped = scoped.filter(reached(scoped, reach_column(pair.start), filters))
        start, end = scoped[reach_column(pair.start)], scoped[reach_column(pair.end)]
        return scoped.select(*leads.columns, _start_at=start, _end_at=end, _converted=end.notnull())
    journeys = lead_journeys(con, make_params([pair.start, pair.end], pair.window_days), filters)
    journeys = journeys.select(j_lead=journeys.lead_id, j_start=journeys.t1, j_end=journeys.t2)
    joined = leads.join(journeys, leads.lead_id == journeys.j_lead)
    return joined.select(*leads.columns, _start_at=joined.j_start, _end_at=joined.j_end,
                         _converted=joined.j_end.notnull())
