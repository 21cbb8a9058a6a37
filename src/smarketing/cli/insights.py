"""`smarketing audit` and `smarketing drivers`: the funnel integrity audit and what drives conversion, as the
Data trust and Drivers pages show them (emails and phones masked)."""

from __future__ import annotations

import sys

from smarketing import exports
from smarketing.cli.common import add_db, add_format, open_db, parse_date, write_frame
from smarketing.filters import MODES, Filters
from smarketing.formatting import fmt_int, fmt_pct
from smarketing.funnel import audit

AUDIT_TABLES = {"stage": "by_stage", "source": "by_source", "issue": "issues", "effect": "effects"}


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
                   help="table to print: stage (default: issues and trust per stage), source, issue (totals) or "
                   "effect (conversions without each issue type)")
    a.add_argument("--issue", choices=list(audit.ISSUES), metavar="ISSUE",
                   help=f"list the offending leads of one issue type instead ({', '.join(audit.ISSUES)})")
    a.add_argument("--sla-hours", type=float, default=audit.DEFAULT_SLA_HOURS,
                   help=f"hand-off SLA in hours for past_sla (default {audit.DEFAULT_SLA_HOURS:g})")
    a.add_argument("--limit", type=int, default=audit.LIST_LIMIT,
                   help=f"--issue: at most this many leads (default {audit.LIST_LIMIT:,}; 0 = all)")
    a.add_argument("--unmask", action="store_true", help="--issue with --format csv: emails and phones in full")
    add_format(a)
    a.set_defaults(func=run_audit)


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
