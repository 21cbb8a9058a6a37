"""`smarketing funnel`: the lifecycle funnel as a table, CSV or JSON."""

from __future__ import annotations

from smarketing.cli.common import add_db, add_format, open_db, parse_date, write_frame
from smarketing.filters import MODES, Filters
from smarketing.funnel.lifecycle import lifecycle_funnel, shown_funnel
from smarketing.funnel.ordered import FUNNEL_TYPES, ordered_funnel

COLUMNS = ["stage", "from_stage", "leads", "conversion_from_previous", "conversion_from_first",
           "median_days_from_previous", "p90_days_from_previous"]


def register(sub) -> None:
    p = sub.add_parser("funnel", help="lifecycle funnel: leads per stage, conversion, days between stages")
    add_db(p)
    p.add_argument("--by", metavar="COLUMN", help="break down by a lead column (source_group, industry, "
                   "country, employees_band, …)")
    p.add_argument("--since", type=parse_date, metavar="DATE", help="first day of the window (YYYY-MM-DD)")
    p.add_argument("--until", type=parse_date, metavar="DATE", help="last day of the window (YYYY-MM-DD)")
    p.add_argument("--mode", choices=MODES, default="cohort",
                   help="cohort: leads created in the window; period: stage entries in the window")
    p.add_argument("--type", choices=FUNNEL_TYPES, default="reached",
                   help="reached: leads that reached the stage or any later one (default); ordered: leads that "
                   "passed every recorded stage in order up to it, none skipped")
    add_format(p)
    p.set_defaults(func=run)


def run(args) -> int:
    filters = Filters(since=args.since, until=args.until, mode=args.mode)
    con = open_db(args)
    funnel = ordered_funnel if args.type == "ordered" else lifecycle_funnel
    # as the page shows it: a stage the data does not record has no numbers; days are from from_stage
    frame = shown_funnel(funnel(con, filters, by=args.by))
    frame["leads"] = frame["leads"].astype("Int64")
    columns = ([args.by] if args.by else []) + COLUMNS  # the same columns in every format
    write_frame(frame[columns], args.format)
    return 0
