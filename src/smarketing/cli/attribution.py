"""`smarketing attribution` (credit per channel under a model) and `smarketing channels` (the channel table)."""

from __future__ import annotations

from smarketing import formatting
from smarketing.attribution.channels import COLUMNS, LEVELS, channel_table
from smarketing.attribution.report import (
    CONVERSIONS,
    MODELS,
    VALUES,
    ModelOptions,
    PathParams,
    attribution,
    attribution_from_paths,
    read_path_file,
)
from smarketing.cli.common import add_db, add_format, open_db, parse_date, write_frame
from smarketing.filters import MODES, Filters

COLUMNS_OUT = ["channel", "conversions", "value", "share"]


def _add_window(p) -> None:
    p.add_argument("--since", type=parse_date, metavar="DATE", help="first day of the window (YYYY-MM-DD)")
    p.add_argument("--until", type=parse_date, metavar="DATE", help="last day of the window (YYYY-MM-DD)")
    p.add_argument("--mode", choices=MODES, default="cohort",
                   help="cohort: leads created in the window; period: what happened in the window")


def register(sub) -> None:
    p = sub.add_parser("attribution", help="conversions and value credited to each channel by a model")
    add_db(p)
    p.add_argument("--paths", metavar="FILE.csv",
                   help="use a path file (columns path, conversions, value, nulls) instead of the database")
    p.add_argument("--model", choices=MODELS, default="markov", help="attribution model (default: markov)")
    p.add_argument("--conversion", choices=CONVERSIONS, default="won",
                   help="what counts as a conversion (default: won deal)")
    p.add_argument("--value", choices=VALUES, default="revenue",
                   help="value of a conversion: won deal revenue or a count of 1 (default: revenue)")
    p.add_argument("--lookback-days", type=int, default=90, metavar="N",
                   help="touches up to N days before the conversion count (default 90)")
    p.add_argument("--half-life", type=float, default=7.0, metavar="DAYS",
                   help="time-decay half-life in days (steps back for a path file; default 7)")
    p.add_argument("--order", type=int, choices=(1, 2, 3), default=1, help="Markov chain order (default 1)")
    _add_window(p)
    add_format(p)
    p.set_defaults(func=run_attribution)

    p = sub.add_parser("channels", help="the full-chain channel table: spend, leads, stages, revenue, ROMI")
    add_db(p)
    p.add_argument("--by", choices=LEVELS, default="campaign",
                   help="row level: source_group, source or campaign (default: campaign)")
    _add_window(p)
    add_format(p)
    p.set_defaults(func=run_channels)


def run_attribution(args) -> int:
    if args.paths:
        table = read_path_file(args.paths)
        result = attribution_from_paths(table, [args.model], ModelOptions(args.half_life, args.order))
    else:
        params = PathParams(args.conversion, args.value, args.lookback_days, args.half_life)
        filters = Filters(since=args.since, until=args.until, mode=args.mode)
        result = attribution(open_db(args), params, filters, [args.model], markov_order=args.order)
    frame = result.credits[result.credits["model"] == args.model]
    frame = frame.sort_values(["conversions", "channel"], ascending=[False, True], ignore_index=True)
    frame = frame[COLUMNS_OUT]
    value = formatting.COUNT if (args.paths is None and args.value == "count") else formatting.MONEY
    frame.attrs["kinds"] = {"conversions": formatting.SCORE, "value": value, "share": formatting.SHARE}
    write_frame(frame, args.format)
    return 0


def run_channels(args) -> int:
    filters = Filters(since=args.since, until=args.until, mode=args.mode)
    frame = channel_table(open_db(args), filters, by=args.by)
    keys = list(LEVELS[: LEVELS.index(args.by) + 1])
    write_frame(frame[keys + list(COLUMNS)], args.format)
    return 0
