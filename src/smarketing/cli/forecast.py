"""`smarketing forecast`: the next months of leads, MQLs, SQLs, opportunities, won deals and revenue (or the backtest,
the channels, a budget what-if, the gap to a goal) as a table, CSV or JSON."""

from __future__ import annotations

import argparse
from datetime import date

from smarketing import forecast
from smarketing.cli.common import add_db, add_format, open_db, write_frame

VIEWS = ("forecast", "backtest", "channels")


def _month(text: str) -> date:
    """YYYY-MM: the first day of that month."""
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a month (expected YYYY-MM)") from exc


def _move(text: str) -> forecast.BudgetMove:
    """FROM:TO:AMOUNT, e.g. 'Paid Social:Referrals:5000'."""
    parts = text.rsplit(":", 2)
    try:
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise ValueError(text)
        return forecast.BudgetMove(parts[0], parts[1], float(parts[2]))
    except ValueError as exc:
        raise ValueError(f"'{text}' should look like FROM:TO:AMOUNT, e.g. 'Paid Social:Referrals:5000'") from exc


def register(sub) -> None:
    p = sub.add_parser("forecast", help="pipeline forecast: the next 1-6 months of leads, stages, won deals, revenue")
    add_db(p)
    p.add_argument("--months", type=int, default=forecast.MAX_MONTHS,
                   help=f"months ahead, 1 to {forecast.MAX_MONTHS} (default: {forecast.MAX_MONTHS})")
    p.add_argument("--run-rate-months", type=int, default=3,
                   help="full months whose average gives each channel's new leads per month (default: 3)")
    p.add_argument("--as-of", type=_month, metavar="YYYY-MM",
                   help="the first forecast month (default: after the last full month of data)")
    p.add_argument("--show", choices=VIEWS, default="forecast",
                   help="forecast: by month (default); backtest: the same forecast made 3 and 6 months before "
                        "against what happened; channels: run rate, cost per lead, lead-to-won per channel")
    p.add_argument("--move", action="append", default=[], metavar="FROM:TO:AMOUNT",
                   help="what-if: move AMOUNT of monthly budget from one channel to another (repeatable); "
                        "prints the totals with and without the move")
    p.add_argument("--goal", type=float, metavar="REVENUE",
                   help="prints the gap between the forecast and the goal plan for this revenue target")
    add_format(p)
    p.set_defaults(func=run)


def run(args) -> int:
    con = open_db(args)
    params = forecast.ForecastParams(months=args.months, run_rate_months=args.run_rate_months, as_of=args.as_of)
    if args.goal is not None:
        frame = forecast.goal_gap(con, args.goal, params)
    elif args.move:
        moved = forecast.ForecastParams(months=args.months, run_rate_months=args.run_rate_months, as_of=args.as_of,
                                        moves=tuple(_move(m) for m in args.move))
        frame = forecast.compare(forecast.forecast(con, params), forecast.forecast(con, moved))
    elif args.show == "backtest":
        frame = forecast.backtest(con, params).series
    else:
        result = forecast.forecast(con, params)
        if result.as_of is None:
            raise ValueError("no leads in this database: nothing to forecast from")
        frame = result.channels if args.show == "channels" else result.monthly
    if "month" in frame.columns:
        frame = frame.assign(month=frame["month"].dt.strftime("%Y-%m"))
    if "stage" in frame.columns:  # new leads and revenue belong to no stage
        frame = frame.assign(stage=frame["stage"].fillna(""))
    write_frame(frame.round(4), args.format)
    return 0
