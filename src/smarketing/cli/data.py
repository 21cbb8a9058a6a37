"""`smarketing demo` and `smarketing import`: fill the database."""

from __future__ import annotations

import sys

from smarketing import demo, precompute, privacy, store
from smarketing.cli.common import add_db, parse_date
from smarketing.importers import formats, loading
from smarketing.importers.core import describe
from smarketing.importers.readers import ENCODINGS
from smarketing.labels import t
from smarketing.store import decimals, engines
from smarketing.store.merge import DEFAULT_MODE, MODES
from smarketing.store.profile import is_demo

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
        "salesforce: --leads-report [--opportunities-report] [--status-map]; mapped: any export, one or more "
        "files of one source (--file ROLE=PATH …, or --leads … per table) with a mapping (--mapping FILE), "
        "or a guessed one (--table ROLE=TABLE says what each file's rows are; --write-mapping PATH saves it "
        "to edit). See docs/importing.md.",
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
    p.add_argument("--mapping", metavar="FILE", help="TOML mapping for --format mapped (default: guessed)")
    p.add_argument("--file", dest="files", action="append", default=[], metavar="ROLE=PATH",
                   help="--format mapped: a file of the source and its role in the mapping (e.g. won=deals.csv)")
    p.add_argument("--table", dest="tables", action="append", default=[], metavar="ROLE=TABLE",
                   help="--format mapped without --mapping: what the rows of a file are (leads, deals, events, "
                        "stage_changes, handoffs, spend); default leads, or the role when it names a table")
    p.add_argument("--stage", dest="stages", action="append", default=[], metavar="ROLE=STAGE",
                   help="--format mapped without --mapping: every row of that file entered STAGE (e.g. mqls=MQL)")
    p.add_argument("--write-mapping", metavar="PATH", help="--format mapped: write the mapping used (TOML)")
    p.add_argument("--mode", choices=MODES, default=None,
                   help="add: new ids only; upsert: update what is there, add what is new, never duplicate; "
                        "replace: empty the tables imported first (default: the mapping's mode, else add)")
    p.add_argument("--timezone", default="UTC", help="time zone of dates without an offset (default UTC)")
    order = p.add_mutually_exclusive_group()
    order.add_argument("--day-first", dest="day_first", action="store_true", default=None,
                       help="dates like 03/04/2024 or 03-04-2024 that fit both orders are day/month")
    order.add_argument("--month-first", dest="day_first", action="store_false",
                       help="dates that fit both orders are month/day (Salesforce's US exports default to this)")
    decimal = p.add_mutually_exclusive_group()
    decimal.add_argument("--decimal-comma", dest="decimal", action="store_const", const=decimals.COMMA,
                         help="numbers are written 1.234,56 (a decimal comma); default: read from each file's numbers")
    decimal.add_argument("--decimal-point", dest="decimal", action="store_const", const=decimals.POINT,
                         help="numbers are written 1,234.56 (a decimal point)")
    p.add_argument("--encoding", default="auto", choices=ENCODINGS, help="text encoding of CSV files")
    p.add_argument("--into-demo", action="store_true",
                   help="add the files to a database holding the demo data (refused otherwise, so that your own "
                        "data is not mixed with the demo's by accident)")
    p.add_argument("--check", action="store_true",
                   help="run every check and report what would be imported, without importing (not for canonical)")
    p.set_defaults(func=run_import)

    p = sub.add_parser("export", help="write every table to <DIR>/<table>.parquet (e.g. for pyspark://…?path=DIR)")
    add_db(p)
    p.add_argument("--parquet", metavar="DIR", required=True, help="folder for the Parquet files")
    p.set_defaults(func=run_export)


def run_demo(args) -> int:
    with store.writing(args.db, fresh=True, derive=precompute.refresh) as con:
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
                added, mode = _import(args, fmt, files, con)
            finally:
                con.disconnect()
        else:
            with store.writing(args.db, derive=precompute.refresh) as con:
                if is_demo(con) and not getattr(args, "into_demo", False):
                    raise store.DataImportError(t("imp_demo_refused").format(db=store.db_path(args.db)))
                added, mode = _import(args, fmt, files, con)
    except store.DataImportError as exc:
        print(t("imp_cli_error").format(message=privacy.mask_text(str(exc))), file=sys.stderr)
        return 1
    said = "; ".join(f"{name}: {describe(c)}" for name, c in added.items())
    print(t("imp_cli_checked").format(mode=mode, changes=said) if getattr(args, "check", False)
          else t("imp_imported").format(changes=said))
    return 0


def _import(args, fmt: str, files: dict, con) -> tuple[dict, str]:
    """Import (or with --check only validate) into `con`; returns the changes per table and the mode used."""
    mode = getattr(args, "mode", None)
    if fmt == "canonical":
        mode = mode or DEFAULT_MODE
        return store.import_changes(con, files, mode=mode, decimal=getattr(args, "decimal", None)), mode
    prepared, mode = _prepare(args, fmt, files, con, mode)
    result = (loading.validate if args.check else loading.load)(con, prepared, mode=mode)
    for note in result.notes:
        print(t("imp_cli_note").format(note=privacy.mask_text(note)), file=sys.stderr)
    return result.changes, mode


def _prepare(args, fmt: str, files: dict, con, mode: str | None):
    """Read and map vendor / mapped files (the logic lives in smarketing.importers); returns the prepared
    tables and the mode (the mapping's when none was given)."""
    if fmt == "hubspot":
        files = {"contacts": args.contacts, "deals": files.pop("deals", None)}
    elif fmt == "salesforce":
        files = {"leads_report": args.leads_report, "opportunities_report": args.opportunities_report}
    elif fmt == "mapped":
        files |= dict(_pairs(getattr(args, "files", []), "--file", "ROLE=PATH"))
        return formats.prepare_mapped(
            files, con=con, mapping_file=args.mapping, tables=dict(_pairs(getattr(args, "tables", []), "--table",
                                                                          "ROLE=TABLE")),
            every_row=dict(_pairs(getattr(args, "stages", []), "--stage", "ROLE=STAGE")),
            timezone=args.timezone, day_first=args.day_first, encoding=args.encoding, mode=mode,
            write_mapping=getattr(args, "write_mapping", None), decimal=getattr(args, "decimal", None))
    prepared = formats.prepare(
        fmt, files, con=con, mapping_file=args.mapping, status_map_file=args.status_map,
        timezone=args.timezone, day_first=args.day_first, encoding=args.encoding, decimal=getattr(args, "decimal", None),
    )
    return prepared, mode or DEFAULT_MODE


def _pairs(items: list[str], option: str, shape: str):
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(f"{option} takes {shape}, got '{item}'")
        yield name.strip(), value.strip()


def run_export(args) -> int:
    con = store.connect(args.db, read_only=True, file_access=True)
    try:
        written = engines.export_parquet(con, args.parquet)
    finally:
        con.disconnect()
    print(f"wrote {len(written)} tables to {args.parquet} (use --db 'pyspark://local[*]?path={args.parquet}')")
    return 0
