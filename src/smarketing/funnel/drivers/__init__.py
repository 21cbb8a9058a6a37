"""What drives conversion: for a step (two lifecycle stages, or two behaviour-funnel events), which lead
properties and which earlier events raise or lower the odds of taking it. The step and its population (pair),
the candidate drivers counted in the database (features), the statistics (stats), the report, the leads behind
a driver and the time-to-convert histogram (report)."""

from smarketing.funnel.drivers.pair import DEFAULT_WINDOW_DAYS, KINDS, PairError, StepPair
from smarketing.funnel.drivers.report import (
    LIST_LIMIT,
    MIN_COUNT,
    DriverReport,
    TimeToConvert,
    driver_leads,
    drivers,
    time_to_convert,
)

__all__ = ["DEFAULT_WINDOW_DAYS", "KINDS", "LIST_LIMIT", "MIN_COUNT", "DriverReport", "PairError", "StepPair",
           "TimeToConvert", "driver_leads", "drivers", "time_to_convert"]
