"""`smarketing plan`: the leads, pipeline and budget a revenue target needs."""

from __future__ import annotations

import math
import sys
from datetime import date

from smarketing import planner
from smarketing.cli.common import add_db, add_format, open_db, write_frame, write_json
from smarketing.formatting import fmt_int, fmt_money, fmt_pct


def _assignment(text: str) -> tuple[str, float]:
    """STAGE=VALUE, the value a number or a percentage (MQL=0.4, MQL=40%)."""
    stage, sep, value = text.partition("=")
    if not sep or not stage.strip():
        raise ValueError(f"'{text}' should look like STAGE=VALUE, e.g. MQL=0.4")
    value = value.strip()
    try:
        number = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError as exc:
        raise ValueError(f"'{text}': '{value}' is not a number") from exc
    return stage.strip(), number


def _month(text: str) -> date:
    try:
        return date.fromisoformat(text + "-01" if len(text) == 7 else text).replace(day=1)
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a month (expected YYYY-MM)") from exc


def register(sub) -> None:
    p = sub.add_parser("plan", help="work back from a revenue target to the leads and budget it needs")
    p.add_argument("--revenue", type=float, required=True, help="revenue target for the period")
    add_db(p)
    p.add_argument("--deal-size", type=float, help="average won deal (default: from history)")
    p.add_argument("--months", type=int, default=3, help="months in the period (default: 3)")
    p.add_argument("--start", type=_month, metavar="YYYY-MM", help="first month (default: after the data ends)")
    p.add_argument("--rate", action="append", default=[], metavar="STAGE=R",
                   help="conversion into STAGE from the previous stage, e.g. MQL=0.4 (repeatable)")
    p.add_argument("--days", action="append", default=[], metavar="STAGE=D",
                   help="days from the previous stage to STAGE, e.g. Customer=45 (repeatable)")
    p.add_argument("--run-rate-months", type=int, default=3, help="months of recent history for the run rate")
    add_format(p, choices=("table", "json"))
    p.set_defaults(func=run)


def run(args) -> int:
    con = open_db(args)
    rates = dict(_assignment(a) for a in args.rate)
    days = dict(_assignment(a) for a in args.days)
    result = planner.plan(con, args.revenue, months=args.months, start=args.start, deal_size=args.deal_size,
                          rates=rates, days=days, run_rate_months=args.run_rate_months)
    if args.format == "json":
        write_json(as_json(result))
    else:
        _print(result)
    return 0


def _clean(value):
    return None if isinstance(value, float) and math.isnan(value) else value


def as_json(result: planner.Plan) -> dict:
    a = result.assumptions
    monthly = result.monthly.assign(month=result.monthly["month"].astype(str))
    return {
        "revenue": result.revenue,
        "months": result.months,
        "start": result.start.isoformat(),
        "deal_size": round(a.deal_size, 2),
        "needed": result.needed_map(),
        "budget": round(result.budget, 2),
        "rates": {s: round(v, 6) for s, v in a.rates.items()},
        "days": {s: round(v, 2) for s, v in a.days.items()},
        "edited": sorted(a.overridden),
        "by_month": monthly.round(2).to_dict(orient="records"),
        "by_channel": [{k: _clean(v) for k, v in row.items()} for row in result.channels.round(2).to_dict("records")],
        "budget_by_month": result.budget_by_month.assign(month=result.budget_by_month["month"].astype(str))
        .round(2).to_dict(orient="records"),
        "gap": result.gap.round(2).to_dict(orient="records"),
    }


def _print(result: planner.Plan) -> None:
    a, out = result.assumptions, sys.stdout
    out.write(f"Target {fmt_money(result.revenue)} over {result.months} month(s) from {result.start:%Y-%m}; "
              f"average deal {fmt_money(a.deal_size)}; budget {fmt_money(result.budget)}\n\n")
    needs = result.needed.assign(
        conversion_from_previous=result.needed["conversion_from_previous"].map(fmt_pct),
        needed=result.needed["needed"].map(fmt_int), per_customer=result.needed["per_customer"].round(1),
        source=[("edited" if s in a.overridden else "historical") for s in result.needed["stage"]],
    )
    write_frame(needs, "table")
    out.write("\nPer month (stage reaches needed, earlier months first):\n")
    wide = result.monthly.pivot_table(index="month", columns="stage", values="needed", aggfunc="sum")
    wide = wide[[s for s in a.stages if s in wide.columns]].fillna(0).round(0).astype(int).reset_index()
    write_frame(wide, "table")
    out.write("\nPer channel:\n")
    ch = result.channels.assign(share=result.channels["share"].map(fmt_pct),
                                leads_needed=result.channels["leads_needed"].map(fmt_int),
                                cost_per_lead=result.channels["cost_per_lead"].map(fmt_money),
                                budget=result.channels["budget"].map(fmt_money))
    write_frame(ch, "table")
    out.write("\nBudget per month and channel:\n")
    money = result.budget_by_month.pivot_table(index="month", columns="channel", values="budget", aggfunc="sum")
    money = money[list(result.channels.channel)]
    money = money.assign(total=money.sum(axis=1)).round(0).astype(int).reset_index()
    write_frame(money, "table")
    out.write("\nAgainst the current run rate (per month):\n")
    write_frame(result.gap.round(1), "table")
