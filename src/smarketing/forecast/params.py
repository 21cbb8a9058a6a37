"""What a pipeline forecast is asked, resolved once into a frozen object and checked by small named checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MAX_MONTHS = 6
MAX_RUN_RATE_MONTHS = 12
BACKTEST_LAGS = (3, 6)  # the same forecast made this many months before the data ends


@dataclass(frozen=True)
class BudgetMove:
    """Move `amount` of monthly budget from one channel to another (what-if)."""

    from_channel: str
    to_channel: str
    amount: float


@dataclass(frozen=True)
class ForecastParams:
    """months: how many calendar months ahead (1–6); run_rate_months: the full months before the cut-off whose
    average gives each channel's new leads per month; interval: the central probability of the interval
    (0.8: from the 10th to the 90th percentile); as_of: the cut-off, a first day of a month (None: after the
    last full month of data); channel: the lead column new leads are planned by; moves: budget moved between
    channels (what-if)."""

    months: int = MAX_MONTHS
    run_rate_months: int = 3
    interval: float = 0.8
    as_of: date | None = None
    channel: str = "source_group"
    moves: tuple[BudgetMove, ...] = ()


class ForecastParamsError(ValueError):
    """A forecast asked for something that cannot be computed; `code` names the check."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def require_months(p: ForecastParams) -> str | None:
    if not 1 <= p.months <= MAX_MONTHS:
        return f"the forecast covers 1 to {MAX_MONTHS} months, got {p.months}"
    return None


def require_run_rate_months(p: ForecastParams) -> str | None:
    if not 1 <= p.run_rate_months <= MAX_RUN_RATE_MONTHS:
        return f"the run rate is the average of 1 to {MAX_RUN_RATE_MONTHS} months, got {p.run_rate_months}"
    return None


def require_interval(p: ForecastParams) -> str | None:
    if not 0 < p.interval < 1:
        return f"the interval's probability must lie between 0 and 1, got {p.interval}"
    return None


def require_month_start(p: ForecastParams) -> str | None:
    if p.as_of is not None and p.as_of.day != 1:
        return f"the forecast starts on the first day of a month, got {p.as_of}"
    return None


def require_sensible_moves(p: ForecastParams) -> str | None:
    for move in p.moves:
        if move.from_channel == move.to_channel:
            return f"budget moved from '{move.from_channel}' to itself"
        if not move.amount > 0:
            return f"the budget moved from '{move.from_channel}' to '{move.to_channel}' must be positive, got {move.amount}"
    return None


CHECKS = (require_months, require_run_rate_months, require_interval, require_month_start, require_sensible_moves)


def validate(p: ForecastParams) -> ForecastParams:
    """Run every named check; the first that fails raises ForecastParamsError with its name as the code."""
    for check in CHECKS:
        if (problem := check(p)) is not None:
            raise ForecastParamsError(check.__name__, problem)
    return p
