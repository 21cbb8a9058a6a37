"""`smarketing dedupe` and `smarketing sla`: de-duplication of new leads and the hand-off SLA."""

from __future__ import annotations

import sys

from smarketing.cli.common import add_db, add_format, open_db, parse_date, write_frame
from smarketing.filters import MODES, Filters
from smarketing.formatting import fmt_int, fmt_pct
from smarketing.leadflow import flow as leadflow

DEDUPE_COLUMNS = ["lead_id", "status", "matched_lead_id", "match_key"]
SLA_TABLES = {
    "owner": ("by_owner", ["owner", "dispatched", "accepted", "returned", "pending", "sla_met_share",
                           "median_hours_to_accept", "p90_hours_to_accept", "answered_in_time_share",
                           "never_accepted", "reassigned", "opportunities", "opportunity_rate", "won", "won_rate"]),
    "week": ("weekly", ["week", "dispatched", "accepted", "returned", "pending", "sla_met_share",
                        "median_hours_to_accept", "p90_hours_to_accept", "reassigned"]),
    "reason": ("reasons", ["return_reason", "returns", "share", "median_hours_to_return"]),
    "response": ("response", ["bucket", "leads", "sqls", "opportunities", "won", "sql_rate", "opportunity_rate",
                              "won_rate"]),
}


def _add_window(p, modes: bool = True) -> None:
    p.add_argument("--since", type=parse_date, metavar="DATE", help="first day of the window (YYYY-MM-DD)")
    p.add_argument("--until", type=parse_date, metavar="DATE", help="last day of the window (YYYY-MM-DD)")
    if modes:
        p.add_argument("--mode", choices=MODES, default="cohort",
                       help="cohort: hand-offs of leads created in the window; period: dispatched in it")


def register(sub) -> None:
    d = sub.add_parser("dedupe", help="flag each lead as new, duplicate, existing_customer or open_deal")
    add_db(d)
    d.add_argument("--default-country", default="US", metavar="CC",
                   help="country for phone numbers without a country code when the lead has none (default: US)")
    d.add_argument("--by", default="source", metavar="COLUMN",
                   help="table format: the lead column to report the share not new by (default: source)")
    _add_window(d, modes=False)
    add_format(d)
    d.set_defaults(func=run_dedupe)

    s = sub.add_parser("sla", help="hand-off SLA: acceptance times, SLA met, returns, owners, response effect")
    add_db(s)
    s.add_argument("--hours", type=float, default=leadflow.DEFAULT_HOURS,
                   help="agreed hours to accept a hand-off (default: 24)")
    s.add_argument("--by", choices=list(SLA_TABLES), default="owner",
                   help="table to print: owner (default), week, reason (returns) or response (time buckets)")
    _add_window(s)
    add_format(s)
    s.set_defaults(func=run_sla)


def run_dedupe(args) -> int:
    con = open_db(args)
    filters = Filters(since=args.since, until=args.until)
    if args.format == "table":
        report = leadflow.dedupe_report(con, filters, args.default_country, by=args.by)
        total = report.by_group.iloc[-1]
        print(f"{fmt_int(total['not_new'])} of {fmt_int(total['leads'])} leads were not new "
              f"({fmt_pct(total['not_new_share'])}): {fmt_int(total['duplicate'])} duplicates, "
              f"{fmt_int(total['existing_customer'])} existing customers, {fmt_int(total['open_deal'])} open deals")
        write_frame(report.by_group, "table")
        return 0
    frame = leadflow.dedupe(con, filters, args.default_country)
    write_frame(frame[DEDUPE_COLUMNS], args.format)
    return 0


def run_sla(args) -> int:
    con = open_db(args)
    filters = Filters(since=args.since, until=args.until, mode=args.mode)
    report = leadflow.sla_report(con, filters, hours=args.hours)
    attr, columns = SLA_TABLES[args.by]
    frame = getattr(report, attr)[columns]
    if args.format == "table":
        _print_summary(report)
    write_frame(frame, args.format)
    return 0


def _print_summary(report) -> None:
    s = report.summary.iloc[0]
    r = report.reassignment.iloc[0]
    out = sys.stdout
    if s["dispatched"] == 0 or report.as_of is None:
        out.write("No hand-offs in scope.\n\n")
        return
    out.write(f"SLA {report.hours:g} h, data as of {report.as_of:%Y-%m-%d %H:%M}: {fmt_int(s['dispatched'])} "
              f"hand-offs, {fmt_pct(s['sla_met_share'])} accepted within the SLA, "
              f"{fmt_int(s['never_accepted'])} never accepted, {fmt_int(s['returned'])} returned\n")
    out.write(f"Median hours to accept {s['median_hours_to_accept']:.1f} (p90 {s['p90_hours_to_accept']:.1f}); "
              f"automatic re-assignment would have moved {fmt_int(r['reassigned'])} hand-offs "
              f"({fmt_pct(r['reassigned_share'])})\n\n")
