"""`smarketing leads`: the lead lists handed to sales, as the pages' downloads give them."""

from __future__ import annotations

import sys

from smarketing import exports
from smarketing.cli.common import add_db, open_db, parse_date, rules_in_force
from smarketing.filters import MODES, Filters
from smarketing.leadflow import lists as leadlists
from smarketing.leadflow.sla import DEFAULT_HOURS
from smarketing.scoring.quadrants import LIST_LIMIT
from smarketing.scoring.scores import CUTOFF_MODES, QUADRANTS, Cutoff
from smarketing.scoring.versions import load_rules


def register(sub) -> None:
    p = sub.add_parser("leads", help="lead lists for sales: a fit-vs-interest quadrant, MQLs waiting, SLA misses")
    add_db(p)
    p.add_argument("--list", dest="kind", choices=leadlists.LISTS, default="quadrant",
                   help="which list (default quadrant: the Fit vs interest page's lead list)")
    p.add_argument("--quadrant", choices=QUADRANTS, help="only this quadrant (default: every lead with its quadrant)")
    p.add_argument("--rules", help="rules file (default: the newest saved version, else data/scoring.toml)")
    p.add_argument("--cutoff", choices=CUTOFF_MODES, default="sql", help="score events up to the SQL moment "
                   "(default) or up to N days after creation")
    p.add_argument("--cutoff-days", type=int, default=30, help="N for --cutoff days (default 30)")
    p.add_argument("--hours", type=float, default=DEFAULT_HOURS, help=f"SLA in hours (default {DEFAULT_HOURS:g})")
    p.add_argument("--since", type=parse_date, metavar="DATE", help="first day of the window (YYYY-MM-DD)")
    p.add_argument("--until", type=parse_date, metavar="DATE", help="last day of the window (YYYY-MM-DD)")
    p.add_argument("--mode", choices=MODES, default="cohort", help="cohort (default) or period")
    p.add_argument("--limit", type=int, default=LIST_LIMIT,
                   help=f"at most this many leads, as on the page (default {LIST_LIMIT:,}; 0 = all)")
    p.add_argument("--format", choices=("csv",), default="csv", help="output format (csv)")
    p.add_argument("--unmask", action="store_true", help="show emails and phones in full (masked by default)")
    p.set_defaults(func=cmd_leads)


def cmd_leads(args) -> int:
    if args.limit < 0:
        raise ValueError("--limit must be 0 (all) or a positive number")
    if args.quadrant and args.kind != "quadrant":
        raise ValueError("--quadrant goes with --list quadrant")
    con = open_db(args)
    filters = Filters(since=args.since, until=args.until, mode=args.mode)
    if args.kind == "quadrant":
        rules = load_rules(args.rules) if args.rules else rules_in_force(con, args.db)[0]
        frame = leadlists.quadrant_list(con, rules, Cutoff(args.cutoff, args.cutoff_days),
                                        filters, args.quadrant, limit=args.limit)
    else:
        frame = leadlists.handoff_list(con, args.kind, filters, hours=args.hours, limit=args.limit)
    sys.stdout.buffer.write(exports.table_csv(frame, unmask=args.unmask))
    sys.stdout.flush()
    return 0
