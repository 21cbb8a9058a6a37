"""`smarketing audit` and `smarketing drivers`: the funnel integrity audit and what drives conversion, as the
Data trust and Drivers pages show them (emails and phones masked)."""

from __future__ import annotations

import sys

from smarketing import exports
from smarketing.cli.common import add_db, add_format, open_db, parse_date, write_frame
from smarketing.filters import MODES, Filters
from smarketing.formatting import fmt_int, fmt_pct
from smarketing.funnel import audit
from smarketing.funnel import drivers as drv
from smarketing.reach import recorded_stages
from smarketing.stages import active_stages

AUDIT_TABLES = {"stage": "by_stage", "source": "by_source", "issue": "matrix", "effect": "effects"}


def _add_window(p) -> None:
    p.add_argument("--since", type=parse_date, metavar="DATE", help="first day of the window (YYYY-MM-DD)")
    p.add_argument("--until", type=parse_date, metavar="DATE", help="last day of the window (YYYY-MM-DD)")
    p.add_argument("--mode", choices=MODES, default="cohort",
                   help="cohort: leads created in the window; period: stage entries in the window")


def register(sub) -> None:
    a = sub.add_parser("audit", help="funnel integrity: skipped and backward stages, bulk edits, stale leads, "
                       "unmapped sources; trust per stage and the effect on conversions")
    add_db(a)
    _add_window(a)
    a.add_argument("--by", choices=list(AUDIT_TABLES), default="stage",
                   help="table to print: stage (default: trust and issues per stage), source, issue (each issue type by "
                   "stage, with its total) or effect (conversions without each issue type)")
    a.add_argument("--issue", choices=list(audit.ISSUES), metavar="ISSUE",
                   help=f"list the offending leads of one issue type instead ({', '.join(audit.ISSUES)})")
    a.add_argument("--sla-hours", type=float, default=audit.DEFAULT_SLA_HOURS,
                   help=f"hand-off SLA in hours for past_sla (default {audit.DEFAULT_SLA_HOURS:g})")
    a.add_argument("--limit", type=int, default=audit.LIST_LIMIT,
                   help=f"--issue: at most this many leads (default {audit.LIST_LIMIT:,}; 0 = all)")
    a.add_argument("--unmask", action="store_true", help="--issue with --format csv: emails and phones in full")
    add_format(a)
    a.set_defaults(func=run_audit)

    d = sub.add_parser("drivers", help="what drives a conversion step: odds ratios of lead properties and of "
                       "events done before the step, with 95%% intervals and Benjamini-Hochberg q-values")
    add_db(d)
    _add_window(d)
    d.add_argument("--from", dest="start", metavar="STAGE", help="start stage (default: the MQL stage)")
    d.add_argument("--to", dest="end", metavar="STAGE", help="end stage (default: the next recorded stage)")
    d.add_argument("--events", nargs=2, metavar=("START", "END"),
                   help="a behaviour step instead: from one event type to another")
    d.add_argument("--window", type=float, default=drv.DEFAULT_WINDOW_DAYS,
                   help=f"--events: conversion window in days (default {drv.DEFAULT_WINDOW_DAYS:g})")
    d.add_argument("--min-count", type=int, default=drv.MIN_COUNT,
                   help=f"leads needed on both sides of a driver to test it (default {drv.MIN_COUNT})")
    d.add_argument("--leads-of", metavar="FEATURE=VALUE",
                   help="list the leads with one driver instead (e.g. industry=Software, event=pricing_view)")
    d.add_argument("--time", action="store_true", help="print the time-to-convert histogram instead")
    d.add_argument("--limit", type=int, default=drv.LIST_LIMIT,
                   help=f"--leads-of: at most this many leads (default {drv.LIST_LIMIT:,}; 0 = all)")
    add_format(d)
    d.set_defaults(func=run_drivers)


def run_audit(args) -> int:
    if args.limit < 0:
        raise ValueError("--limit must be 0 (all) or a positive number")
    filters = Filters(since=args.since, until=args.until, mode=args.mode)
    con = open_db(args)
    if args.issue:
        frame = audit.offending_leads(con, args.issue, filters, sla_hours=args.sla_hours, limit=args.limit)
        if args.unmask and args.format == "csv":
            sys.stdout.buffer.write(exports.table_csv(frame, unmask=True))
            return 0
        write_frame(frame, args.format)
        return 0
    report = audit.audit_report(con, filters, sla_hours=args.sla_hours)
    if args.format == "table":
        _print_audit_summary(report)
    write_frame(getattr(report, AUDIT_TABLES[args.by]), args.format)
    return 0


def _print_audit_summary(report) -> None:
    out = sys.stdout
    if not report.leads:
        out.write("No leads in scope.\n\n")
        return
    as_of = f", data as of {report.as_of:%Y-%m-%d %H:%M}" if report.as_of is not None else ""
    trust = " · ".join(f"{r.stage} {fmt_pct(r.trust)}" for r in report.by_stage.itertuples())
    out.write(f"{fmt_int(report.leads)} leads audited{as_of}. Trust per stage (clean stage history): {trust}\n")
    unchecked = report.issues[~report.issues.checked]
    for row in unchecked.itertuples():
        out.write(f"Not checked: {row.issue} (needs {row.missing})\n")
    out.write("\n")


def _pair(args, con) -> drv.StepPair:
    if args.events:
        if args.start or args.end:
            raise ValueError("give either --from/--to (stages) or --events (event types), not both")
        return drv.StepPair("event", args.events[0], args.events[1], args.window)
    stages = active_stages()
    recorded = recorded_stages(con, stages)
    start = args.start or stages.role("mql") or recorded[0]
    start = stages.canonical(start) or start
    later = [s for s in recorded if s in stages.names and start in stages.names
             and stages.index(s) > stages.index(start)]
    end = args.end or (later[0] if later else start)
    return drv.StepPair("stage", start, stages.canonical(end) or end)


def run_drivers(args) -> int:
    if args.limit < 0:
        raise ValueError("--limit must be 0 (all) or a positive number")
    filters = Filters(since=args.since, until=args.until, mode=args.mode)
    con = open_db(args)
    pair = _pair(args, con)
    out = sys.stdout
    if args.time:
        timed = drv.time_to_convert(con, pair, filters)
        if args.format == "table":
            out.write(f"{pair.label}: {fmt_int(timed.leads)} leads converted; median {timed.median:.1f} "
                      f"{timed.unit}, 90th percentile {timed.p90:.1f} {timed.unit}\n\n")
        write_frame(timed.histogram, args.format)
        return 0
    report = drv.drivers(con, pair, filters, min_count=args.min_count)
    if args.leads_of:
        feature, _, value = args.leads_of.partition("=")
        found = report.drivers[(report.drivers.feature == feature) & (report.drivers.value == value)]
        if found.empty:
            raise ValueError(f"no driver {args.leads_of} was tested for {pair.label} (see the drivers table; values "
                             f"with fewer than {args.min_count} leads on a side are not tested)")
        row = found.iloc[0]
        frame = drv.driver_leads(con, pair, row.kind, row.feature, row.value, row.low, row.high, filters,
                                 limit=args.limit)
        write_frame(frame, args.format)
        return 0
    if args.format == "table":
        out.write(f"{pair.label}: {fmt_int(report.leads)} leads, {fmt_int(report.converted)} converted "
                  f"({fmt_pct(report.rate)}). {fmt_int(len(report.drivers))} drivers tested, "
                  f"{fmt_int(report.set_aside)} values set aside (fewer than {report.min_count} leads on a side)\n\n")
        columns = ["feature", "value", "leads_with", "rate_with", "rate_without", "odds_ratio", "ci_low", "ci_high",
                   "q_value", "effect"]
        write_frame(report.drivers[columns], "table")
        return 0
    write_frame(report.drivers, args.format)
    return 0
