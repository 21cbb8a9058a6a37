"""`smarketing demo` and `smarketing import`: fill the database."""

from __future__ import annotations

import sys

from smarketing import demo, importers, store
from smarketing.cli.common import add_db, parse_date
from smarketing.importers import formats
from smarketing.importers.readers import ENCODINGS
from smarketing.store import engines

IMPORT_OPTIONS = {
    "leads": "--leads",
    "events": "--events",
    "stage_changes": "--stage-changes",
    "deals": "--deals",
    "handoffs": "--handoffs",
    "spend": "--spend",
}


def register(sub) -> None:
    p = sub.add_parser("demo", help="create the demo database (replaces its contents)")
    add_db(p)
    p.add_argument("--leads", type=int, default=20_000, help="number of leads (default 20,000)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--end-date", type=parse_date, metavar="YYYY-MM-DD",
                   help="the day the history ends (default today, UTC); the data covers the two years before "
                   "it, and the same leads, seed and end date give the same data")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run_demo)

    p = sub.add_parser(
        "import",
        help="add files to the database, all in one transaction (our tables, HubSpot, Salesforce, or mapped)",
        description="Import files in one transaction: nothing is imported if any check fails. "
        "--format canonical (default): files already in our table layout; hubspot: --contacts [--deals]; "
        "salesforce: --leads-report [--opportunities-report] [--status-map]; mapped: --mapping FILE plus "
        "files per table (--leads …).",
    )
    add_db(p)
    p.add_argument("--format", dest="import_format", choices=formats.FORMATS, default="canonical",
                   help="layout of the files (default: canonical)")
    for table, flag in IMPORT_OPTIONS.items():
        p.add_argument(flag, dest=table, metavar="FILE", help=f"file for the {table} table")
    p.add_argument("--contacts", metavar="FILE", help="HubSpot contacts export (CSV or Excel)")
    p.add_argument("--leads-report", metavar="FILE", help="Salesforce Leads report export")
    p.add_argument("--opportunities-report", metavar="FILE", help="Salesforce Opportunities report export")
    p.add_argument("--status-map", metavar="FILE", help="TOML: Salesforce lead status → stage (adds to defaults)")
    p.add_argument("--mapping", metavar="FILE", help="TOML column mapping for --format mapped")
    p.add_argument("--timezone", default="UTC", help="time zone of dates without an offset (default UTC)")
    p.add_argument("--day-first", action="store_true", default=None,
                   help="read ambiguous dates like 03/04/2024 as day/month (default month/day)")
    p.add_argument("--encoding", default="auto", choices=ENCODINGS, help="text encoding of CSV files")
    p.add_argument("--check", action="store_true",
                   help="run every check and report what would be imported, without importing (not for canonical)")
    p.set_defaults(func=run_import)

    p = sub.add_parser("export", help="write every table to <DIR>/<table>.parquet (e.g. for pyspark://…?path=DIR)")
    add_db(p)
    p.add_argument("--parquet", metavar="DIR", required=True, help="folder for the Parquet files")
    p.set_defaults(func=run_export)


def run_demo(args) -> int:
    with store.writing(args.db, fresh=True) as con:
        counts = demo.generate(con, leads=args.leads, seed=args.seed, end=args.end_date, progress=not args.quiet)
    print(f"demo database {store.db_path(args.db)}: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
    return 0


def run_import(args) -> int:
    files = {table: getattr(args, table) for table in IMPORT_OPTIONS if getattr(args, table, None)}
    fmt = getattr(args, "import_format", "canonical")
    if fmt == "canonical" and not files:
        raise ValueError("give at least one file, e.g. --leads leads.csv")
    if fmt == "canonical" and getattr(args, "check", False):
        raise ValueError("--check works with --format hubspot, salesforce or mapped")
    try:
        if getattr(args, "check", False):
            con = store.connect(args.db, read_only=True) if store.db_path(args.db).exists() else store.connect(":memory:")
            try:
                added = _import(args, fmt, files, con)
            finally:
                con.disconnect()
        else:
            with store.writing(args.db) as con:
                added = _import(args, fmt, files, con)
    except store.DataImportError as exc:
        print(f"smarketing import: error: {exc} (nothing was imported)", file=sys.stderr)
        return 1
    verb = "checked: would import " if getattr(args, "check", False) else "imported "
    print(verb + ", ".join(f"{n:,} rows into {t}" for t, n in added.items()))
    return 0


def _import(args, fmt: str, files: dict, con) -> dict[str, int]:
    """Import (or with --check only validate) into `con`; returns rows added per table."""
    if fmt == "canonical":
        return store.import_files(con, files)
    prepared = _prepare(args, fmt, files, con)
    result = (importers.core.validate if args.check else importers.load)(con, prepared)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return result.added


def _prepare(args, fmt: str, files: dict, con):
    """Read and map vendor / mapped files (the logic lives in smarketing.importers)."""
    if fmt == "hubspot":
        files = {"contacts": args.contacts, "deals": files.pop("deals", None)}
    elif fmt == "salesforce":
        files = {"leads_report": args.leads_report, "opportunities_report": args.opportunities_report}
    return formats.prepare(
        fmt, files, con=con, mapping_file=args.mapping, status_map_file=args.status_map,
        timezone=args.timezone, day_first=args.day_first, encoding=args.encoding,
    )


def run_export(args) -> int:
    con = store.connect(args.db, read_only=True, file_access=True)
    try:
        written = engines.export_parquet(con, args.parquet)
    finally:
        con.disconnect()
    print(f"wrote {len(written)} tables to {args.parquet} (use --db 'pyspark://local[*]?path={args.parquet}')")
    return 0
