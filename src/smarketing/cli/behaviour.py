"""`smarketing behaviour`: the behaviour funnel over event steps, with its controls, as a table, CSV or JSON."""

from __future__ import annotations

from smarketing.cli.common import add_db, add_format, open_db, parse_date, write_frame
from smarketing.filters import MODES, Filters
from smarketing.funnel.behaviour import MAX_STEPS, OCCURRENCES, ORDERS, funnel_steps, make_params


def _step_window(text: str) -> tuple[int, float]:
    """STEP=DAYS, e.g. 3=7 (step 3 within 7 days of the step before it)."""
    step, sep, value = text.partition("=")
    try:
        return int(step), float(value)
    except ValueError as exc:
        raise ValueError(f"'{text}' should look like STEP=DAYS, e.g. 3=7") from exc


def _exclusion(text: str) -> tuple[str, int, int]:
    """EVENT:FROM-TO, e.g. email_click:1-2."""
    kind, sep, span = text.rpartition(":")
    low, dash, high = span.partition("-")
    try:
        if not (sep and kind and dash):
            raise ValueError(text)
        return kind, int(low), int(high)
    except ValueError as exc:
        raise ValueError(f"'{text}' should look like EVENT:FROM-TO, e.g. email_click:1-2") from exc


def register(sub) -> None:
    p = sub.add_parser("behaviour", help="behaviour funnel: leads at each event step, in order, within a window")
    add_db(p)
    p.add_argument("--step", action="append", required=True, metavar="EVENT",
                   help=f"an event type, once per step in funnel order (2 to {MAX_STEPS})")
    p.add_argument("--window", type=float, default=30, metavar="DAYS",
                   help="overall conversion window from step 1, in days (default: 30)")
    p.add_argument("--order", choices=ORDERS, default="sequence",
                   help="sequence: other events allowed between steps (default); strict: nothing between; "
                        "any: after step 1, the other steps in any order")
    p.add_argument("--occurrence", choices=OCCURRENCES, default="first",
                   help="first: follow each lead from its first step 1 (default); any: every step 1 starts a "
                        "journey and a lead counts when any of them gets there")
    p.add_argument("--optional", action="append", type=int, default=[], metavar="STEP",
                   help="a step number leads may skip (repeatable; not the first or last)")
    p.add_argument("--step-window", action="append", default=[], metavar="STEP=DAYS",
                   help="days allowed between the previous step and STEP, e.g. 3=7 (repeatable)")
    p.add_argument("--exclude", action="append", default=[], metavar="EVENT:FROM-TO",
                   help="drop journeys that did EVENT between steps FROM and TO, e.g. email_click:1-2 (repeatable)")
    p.add_argument("--since", type=parse_date, metavar="DATE", help="first day of the window (YYYY-MM-DD)")
    p.add_argument("--until", type=parse_date, metavar="DATE", help="last day of the window (YYYY-MM-DD)")
    p.add_argument("--mode", choices=MODES, default="cohort",
                   help="cohort: leads created in the window; period: step-1 events in the window")
    add_format(p)
    p.set_defaults(func=run)


def run(args) -> int:
    params = make_params(args.step, args.window, args.order, args.occurrence,
                         dict(_step_window(s) for s in args.step_window), args.optional,
                         [_exclusion(x) for x in args.exclude])
    filters = Filters(since=args.since, until=args.until, mode=args.mode)
    write_frame(funnel_steps(open_db(args), params, filters), args.format)
    return 0
