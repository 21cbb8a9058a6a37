"""`smarketing score | tune | suggest`: lead scores, what-if metrics and suggested points."""

from __future__ import annotations

import sys
from dataclasses import replace

from smarketing.cli.common import add_db, add_format, open_db, rules_in_force, write_frame, write_json
from smarketing.scoring.evaluation import Capacity, evaluate
from smarketing.scoring.rules_file import dump_rules
from smarketing.scoring.scores import CUTOFF_MODES, OUTCOMES, Cutoff, score_leads, scores_frame
from smarketing.scoring.suggest import suggest
from smarketing.scoring.versions import load_rules

TUNE_KEYS = ("mqls", "mql_share", "precision", "recall", "lift", "f1", "won_revenue_captured",
             "won_revenue_share", "caught", "positives", "leads", "base_rate", "mqls_per_week", "capacity",
             "capacity_use")


def _common(parser) -> None:
    add_db(parser)
    parser.add_argument("--rules", help="rules file (default: the newest saved version; without one, the packaged "
                        "rules where they fit the data, else starter rules built from the data's own columns)")
    parser.add_argument("--cutoff", choices=CUTOFF_MODES, default="sql",
                        help="count events up to the SQL moment (default) or up to N days after creation")
    parser.add_argument("--cutoff-days", type=int, default=30, help="N for --cutoff days (default 30)")


def _rules(args, con):
    """--rules, else the rules in force for the database (smarketing.scoring.starter)."""
    return load_rules(args.rules) if args.rules else rules_in_force(con, args.db)[0]


def _cutoff(args) -> Cutoff:
    return Cutoff(args.cutoff, args.cutoff_days)


def register(sub) -> None:
    p = sub.add_parser("score", help="fit, interest and combined score of every lead")
    _common(p)
    add_format(p, ("csv", "json"), "csv")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("tune", help="what-if metrics of the rules at chosen thresholds")
    _common(p)
    p.add_argument("--outcome", choices=OUTCOMES, default="won", help="what counts as success (default won)")
    p.add_argument("--fit-threshold", type=float, help="fit threshold A (default: from the rules)")
    p.add_argument("--interest-threshold", type=float, help="interest threshold B (default: from the rules)")
    p.add_argument("--combined-threshold", type=float, help="combined threshold C (default: from the rules)")
    p.add_argument("--reps", type=float, default=5, help="sales reps working MQLs (default 5)")
    p.add_argument("--per-rep", type=float, default=25, help="MQLs one rep can work per week (default 25)")
    add_format(p, ("json", "table"), "json")
    p.set_defaults(func=cmd_tune)

    p = sub.add_parser("suggest", help="data-driven points: lift per attribute, suggested rules, test comparison")
    _common(p)
    p.add_argument("--outcome", choices=OUTCOMES, default="won", help="what counts as success (default won)")
    add_format(p, ("csv", "toml"), "csv")
    p.set_defaults(func=cmd_suggest)


def cmd_score(args) -> int:
    con = open_db(args)
    frame = scores_frame(con, _rules(args, con), _cutoff(args))
    write_frame(frame.round({"fit": 3, "interest": 3, "score": 3}), args.format)
    return 0


def cmd_tune(args) -> int:
    con = open_db(args)
    rules = _rules(args, con)
    changes = {
        "fit_threshold": args.fit_threshold,
        "interest_threshold": args.interest_threshold,
        "combined_threshold": args.combined_threshold,
    }
    rules = replace(rules, **{k: v for k, v in changes.items() if v is not None})
    if args.reps < 0 or args.per_rep < 0:
        raise ValueError("--reps and --per-rep must not be negative")
    metrics = evaluate(score_leads(con, rules, _cutoff(args)), args.outcome, Capacity(args.reps, args.per_rep))
    out = {
        "rules": rules.name, "version": rules.version, "outcome": args.outcome,
        "fit_threshold": rules.fit_threshold, "interest_threshold": rules.interest_threshold,
        "combined_threshold": rules.combined_threshold,
    } | {k: metrics[k] for k in TUNE_KEYS}
    if args.format == "json":
        write_json(out)
    else:
        for key, value in out.items():
            print(f"{key:22} {value}")
    return 0


def cmd_suggest(args) -> int:
    con = open_db(args)
    rules = _rules(args, con)
    result = suggest(con, rules, args.outcome, _cutoff(args))
    if args.format == "toml":
        sys.stdout.write(dump_rules(result.rules))
    else:
        write_frame(result.attributes.round(4), "csv")
    auc = {k: (round(v, 3) if v is not None else None) for k, v in result.auc.items()}
    cmp = result.comparison.set_index("metric")
    print(
        f"rules: {args.rules or rules.name}; trained on {result.train_leads:,} leads created before "
        f"{result.split_at:%Y-%m-%d}, tested on {result.test_leads:,} after. Test AUC: current {auc['current']}, "
        f"suggested {auc['suggested']}, logistic regression {auc['logistic']}. Caught {args.outcome}: current "
        f"{int(cmp.loc['caught', 'current'])} with {int(cmp.loc['mqls', 'current'])} MQLs, suggested "
        f"{int(cmp.loc['caught', 'suggested'])} with {int(cmp.loc['mqls', 'suggested'])} MQLs.",
        file=sys.stderr,
    )
    return 0
