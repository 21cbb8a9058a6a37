"""The sane time window: the one rule for which dates the app takes in and shows.

Imports (our CSV / Parquet layout, HubSpot, Salesforce, mapped files, the Data page) accept timestamps and dates
from EARLIEST (1970-01-01) to `latest()` (today + 5 years, UTC) in every date column of our tables; only the close
date of an open deal, a planned date, may go on to `latest_planned()` (today + 30 years). A value outside is
refused naming file, row and column. A database filled by other pipelines (a warehouse, a file written by hand)
may hold anything: reading it, the analyses see such values clamped to the window (smarketing.store.clamp) and
the pages and the command line say so. Dates typed in the sidebar, a shared URL or on the command line are
clamped to the same window (`clamp_day`), so a window end such as 9999-12-31 means "as late as there is data".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

EARLIEST = date(1970, 1, 1)
FUTURE_YEARS = 5  # created_at, stage dates, events, hand-offs, spend, deals: at most this far ahead of today
PLANNED_YEARS = 30  # the close date of an open deal (planned, not yet happened)


def today() -> date:
    return datetime.now(UTC).date()


def _years_ahead(years: int, now: date | None = None) -> date:
    now = now or today()
    try:
        return now.replace(year=now.year + years)
    except ValueError:  # 29 February
        return now.replace(year=now.year + years, day=28)


def latest(now: date | None = None) -> date:
    """The last day a date of our tables may fall on: today + FUTURE_YEARS years."""
    return _years_ahead(FUTURE_YEARS, now)


def latest_planned(now: date | None = None) -> date:
    """The last day an open deal's (planned) close date may fall on: today + PLANNED_YEARS years."""
    return _years_ahead(PLANNED_YEARS, now)


def start() -> datetime:
    """The first moment of the window (inclusive)."""
    return datetime.combine(EARLIEST, time.min)


def end(planned: bool = False) -> datetime:
    """The last moment of the window (inclusive): the end of `latest()` (or of `latest_planned()`)."""
    day = latest_planned() if planned else latest()
    return datetime.combine(day + timedelta(days=1), time.min) - timedelta(microseconds=1)


def clamp_day(day: date | None) -> date | None:
    """A day moved into [EARLIEST, latest()] (None stays None)."""
    if day is None:
        return None
    return min(max(day, EARLIEST), latest())


def describe(planned: bool = False) -> str:
    """The window in words, for messages: "1970-01-01 to 2031-12-07 (today + 5 years)"."""
    years = PLANNED_YEARS if planned else FUTURE_YEARS
    last = latest_planned() if planned else latest()
    from smarketing.labels import t

    return t("imp_time_window").format(start=EARLIEST.isoformat(), end=last.isoformat(), years=years)
