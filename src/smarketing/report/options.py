"""What a meeting pack is built from: the window (an ISO week or any date range), time mode, segments, the
attribution model, the SLA hours, the goal plan's target, and whether personal data is shown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from smarketing import timewindow
from smarketing.attribution.models import MODELS
from smarketing.filters import MODES, Filters
from smarketing.leadflow.sla import DEFAULT_HOURS

DEFAULT_MODEL = "markov"
DEFAULT_PLAN_MONTHS = 3
HISTORY_DAYS = 365  # the goal plan's rates and deal size come from the year up to the window's end
_WEEK = re.compile(r"(\d{4})-?[Ww](\d{1,2})")


class PackOptionError(ValueError):
    """An option of the meeting pack that cannot be used; the message says what was expected."""


def parse_week(text: str) -> tuple[date, date]:
    """An ISO week such as 2026-W48 (also 2026W48, 2026-w48) as its Monday and Sunday."""
    text = str(text).strip()
    match = _WEEK.fullmatch(text)
    if not match:
        raise PackOptionError(f"'{text}' is not an ISO week (expected YYYY-Www, e.g. 2026-W48)")
    year, week = int(match.group(1)), int(match.group(2))
    if not timewindow.EARLIEST.year < year <= timewindow.latest().year:
        raise PackOptionError(f"'{text}': the week must lie within the dates data may have ({timewindow.describe()})")
    weeks = date(year, 12, 28).isocalendar().week  # 28 December always lies in the last ISO week
    if not 1 <= week <= weeks:
        raise PackOptionError(f"'{text}': {year} has ISO weeks 1–{weeks}, not week {week}")
    monday = date.fromisocalendar(year, week, 1)
    return monday, monday + timedelta(days=6)


def week_label(since: date, until: date) -> str | None:
    """"2026-W48" when [since, until] is exactly one ISO week, else None."""
    iso = since.isocalendar()
    if iso.weekday == 1 and until == since + timedelta(days=6):
        return f"{iso.year}-W{iso.week:02d}"
    return None


@dataclass(frozen=True)
class PackOptions:
    """filters: the window (both ends), time mode and segments of every section; model: the attribution model
    of the ROMI table; sla_hours: the hand-off SLA; target: the goal plan's revenue over plan_months months
    from the window's month (None: planner.default_target); unmask: emails and phones in full."""

    filters: Filters
    model: str = DEFAULT_MODEL
    sla_hours: float = DEFAULT_HOURS
    target: float | None = None
    plan_months: int = DEFAULT_PLAN_MONTHS
    unmask: bool = False

    def __post_init__(self) -> None:
        for check in (_has_window, _known_model, _positive_hours, _positive_target, _plan_length):
            check(self)

    @property
    def since(self) -> date:
        return self.filters.since

    @property
    def until(self) -> date:
        return self.filters.until

    @property
    def history(self) -> Filters:
        """The year up to the window's end, same mode and segments: what the goal plan rests on."""
        return Filters(since=self.until - timedelta(days=HISTORY_DAYS - 1), until=self.until, mode=self.filters.mode,
                       segments=self.filters.segments)

    @property
    def happened(self) -> Filters:
        """The window in period mode: the stage reaches and won deals that happened in it (progress)."""
        return Filters(since=self.since, until=self.until, mode="period", segments=self.filters.segments)

    @property
    def plan_start(self) -> date:
        return self.since.replace(day=1)

    def file_stem(self) -> str:
        """smarketing-pack-2026-W48, or smarketing-pack-2026-10-01_2026-10-31 for another range."""
        return "smarketing-pack-" + (week_label(self.since, self.until) or f"{self.since}_{self.until}")


def _has_window(o: PackOptions) -> None:
    if not (o.filters.since and o.filters.until):
        raise PackOptionError("a meeting pack needs a window with a first and a last day")
    if o.filters.mode not in MODES:
        raise PackOptionError(f"mode must be one of {', '.join(MODES)}, got '{o.filters.mode}'")


def _known_model(o: PackOptions) -> None:
    if o.model not in MODELS:
        raise PackOptionError(f"unknown attribution model '{o.model}' (expected one of {', '.join(MODELS)})")


def _positive_hours(o: PackOptions) -> None:
    if not (o.sla_hours > 0):
        raise PackOptionError(f"the SLA must be a positive number of hours, got {o.sla_hours:g}")


def _positive_target(o: PackOptions) -> None:
    if o.target is not None and not (o.target > 0):
        raise PackOptionError(f"the revenue target must be positive, got {o.target:g}")


def _plan_length(o: PackOptions) -> None:
    if not 1 <= o.plan_months <= 24:
        raise PackOptionError(f"the goal plan covers 1–24 months, got {o.plan_months}")
