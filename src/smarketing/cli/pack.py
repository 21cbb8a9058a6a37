"""`smarketing pack`: the weekly meeting pack as one HTML file (and a PDF of it), for a scheduled job."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from smarketing import report
from smarketing.attribution.models import MODELS
from smarketing.cli import CliError
from smarketing.cli.common import add_db, open_db, parse_date
from smarketing.filters import MODES, Filters
from smarketing.labels import LANGUAGES
from smarketing.leadflow.sla import DEFAULT_HOURS
from smarketing.report import pdf as pack_pdf
from smarketing.report.options import DEFAULT_MODEL, DEFAULT_PLAN_MONTHS


def _week(text: str):
    try:
        return report.parse_week(text)
    except report.PackOptionError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _segment(text: str) -> tuple[str, str]:
    column, sep, value = text.partition("=")
    if not sep or not column.strip() or not value:
        raise argparse.ArgumentTypeError(f"'{text}' should look like COLUMN=VALUE, e.g. region=EMEA")
    return column.strip(), value


def register(sub) -> None:
    p = sub.add_parser("pack", help="the weekly meeting pack: one HTML file (and a PDF) of a week's numbers")
    add_db(p)
    p.add_argument("--week", type=_week, metavar="YYYY-Www", help="the ISO week, e.g. 2026-W48 (Monday to Sunday)")
    p.add_argument("--since", type=parse_date, metavar="DATE", help="first day of another window (with --until)")
    p.add_argument("--until", type=parse_date, metavar="DATE", help="last day of another window (with --since)")
    p.add_argument("--mode", choices=MODES, default="period",
                   help="period (default): what happened in the window; cohort: leads created in it")
    p.add_argument("--segment", type=_segment, action="append", default=[], metavar="COLUMN=VALUE",
                   help="only leads with this value, e.g. region=EMEA (repeatable; values of one column add up)")
    p.add_argument("--model", choices=MODELS, default=DEFAULT_MODEL,
                   help=f"attribution model of the ROMI table (default {DEFAULT_MODEL})")
    p.add_argument("--sla-hours", type=float, default=DEFAULT_HOURS,
                   help=f"hours sales has to accept an MQL (default {DEFAULT_HOURS:g})")
    p.add_argument("--target", type=float, metavar="REVENUE",
                   help="the goal plan's revenue target (default: the recent run rate plus 20%%)")
    p.add_argument("--plan-months", type=int, default=DEFAULT_PLAN_MONTHS,
                   help=f"months the target covers, from the window's month (default {DEFAULT_PLAN_MONTHS})")
    p.add_argument("--out", metavar="FILE", help="the HTML file to write (default: smarketing-pack-<week>.html)")
    p.add_argument("--pdf", action="store_true", help="also write the PDF beside it (same name, .pdf)")
    p.add_argument("--unmask", action="store_true", help="show emails and phones in full (masked by default)")
    p.add_argument("--lang", choices=tuple(LANGUAGES), metavar="LANG",
                   help="the pack's language: en or zh (default: $SMARKETING_LANG, else en)")
    p.set_defaults(func=run)


def options(args) -> report.PackOptions:
    """The pack's options from the command line: one window (--week, or --since with --until)."""
    if args.week and (args.since or args.until):
        raise ValueError("give either --week or --since/--until, not both")
    if args.week:
        since, until = args.week
    elif args.since and args.until:
        since, until = args.since, args.until
    else:
        raise ValueError("which window? give --week (e.g. 2026-W48) or --since and --until")
    segments: dict[str, tuple[str, ...]] = {}
    for column, value in args.segment:
        segments[column] = tuple(sorted({*segments.get(column, ()), value}))
    return report.PackOptions(Filters(since=since, until=until, mode=args.mode, segments=segments),
                              model=args.model, sla_hours=args.sla_hours, target=args.target,
                              plan_months=args.plan_months, unmask=args.unmask)


def _write(path: Path, data: bytes) -> None:
    """Write through a temporary file and a rename: a reader (a mail job) never sees half a pack."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def run(args) -> int:
    chosen = options(args)
    out = Path(args.out) if args.out else Path(chosen.file_stem() + ".html")
    if out.suffix.lower() == ".pdf":
        raise ValueError(f"--out names the HTML file ({out.name}); add --pdf for the PDF beside it")
    if not out.parent.is_dir():
        raise ValueError(f"cannot write {out}: the folder {out.parent} does not exist")
    con = open_db(args)
    content = report.gather(con, chosen)
    if content.last_lead is not None and chosen.since > content.last_lead:
        print(f"smarketing pack: note: the data ends on {content.last_lead}, before this window starts",
              file=sys.stderr)
    html = report.render(content)
    written = [out]
    try:
        pdf = pack_pdf.html_to_pdf(html) if args.pdf else None  # before writing anything: all or nothing
    except pack_pdf.PdfUnavailable as exc:
        raise CliError(str(exc)) from exc
    _write(out, html.encode("utf-8"))
    if pdf is not None:
        written.append(out.with_suffix(".pdf"))
        _write(written[-1], pdf)
    print("\n".join(str(p) for p in written))
    return 0
