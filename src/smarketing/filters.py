"""The shared filters every analysis accepts: date window, time mode and segment filters on leads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import ibis

from smarketing import timewindow

MODES = ("cohort", "period")


@dataclass(frozen=True)
class Filters:
    """A date window [since, until] (whole days, inclusive), a time mode and segment filters.

    mode "cohort": leads created in the window, followed up to today.
    mode "period": stage entries (or other events) that happened in the window.
    segments: {lead column: [allowed values]}; an empty list means no filter on that column.
    """

    since: date | None = None
    until: date | None = None
    mode: str = "cohort"
    segments: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # a window edge outside the sane window (9999-12-31 from a URL, the command line or a caller) is clamped
        object.__setattr__(self, "since", timewindow.clamp_day(self.since))
        object.__setattr__(self, "until", timewindow.clamp_day(self.until))
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got '{self.mode}'")
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"the window starts ({self.since}) after it ends ({self.until})")

    @property
    def start(self) -> datetime | None:
        return datetime.combine(self.since, time.min) if self.since else None

    @property
    def end(self) -> datetime | None:
        """Exclusive end: midnight after `until`."""
        return datetime.combine(self.until + timedelta(days=1), time.min) if self.until else None

    def previous(self) -> Filters:
        """The window of equal length just before this one (needs both ends)."""
        if not (self.since and self.until):
            raise ValueError("the previous period needs a window with a start and an end")
        days = (self.until - self.since).days + 1
        return Filters(
            since=self.since - timedelta(days=days),
            until=self.since - timedelta(days=1),
            mode=self.mode,
            segments=self.segments,
        )


def in_window(column: ibis.Value, filters: Filters) -> ibis.BooleanValue:
    """True where a timestamp column lies in the filter window."""
    cond = ibis.literal(True)
    if filters.start is not None:
        cond &= column >= filters.start
    if filters.end is not None:
        cond &= column < filters.end
    return cond


def segment_leads(leads: ibis.Table, filters: Filters) -> ibis.Table:
    """Leads restricted by the segment filters (built as expressions, never SQL text)."""
    for column, values in filters.segments.items():
        if values:
            if column not in leads.columns:
                raise ValueError(f"unknown lead column '{column}' in segment filter")
            leads = leads.filter(leads[column].cast("string").isin(list(values)))
    return leads


def cohort_leads(leads: ibis.Table, filters: Filters) -> ibis.Table:
    """Segment-filtered leads, and in cohort mode only those created in the window."""
    leads = segment_leads(leads, filters)
    if filters.mode == "cohort":
        leads = leads.filter(in_window(leads.created_at, filters))
    return leads


ALL_TIME = Filters()  # no window, no segments


def segment_spend(spend: ibis.Table, filters: Filters) -> ibis.Table:
    """Spend narrowed by the segment filters on the columns spend records (its channels: source group, source,
    campaign); see `unsplit_segments` for the others."""
    for column, values in filters.segments.items():
        if values and column in spend.columns:
            spend = spend.filter(spend[column].cast("string").isin(list(values)))
    return spend


def unsplit_segments(filters: Filters, spend_columns) -> list[str]:
    """The segment filters on lead columns spend does not record (industry, country, owner …): spend cannot be
    split by them, so costs under such a filter are unknown, not all spend set against a segment's leads."""
    return [c for c, values in filters.segments.items() if values and c not in spend_columns]
