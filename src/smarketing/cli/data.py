"""`smarketing demo` and `smarketing import`: fill the database."""

from __future__ import annotations

import sys

from smarketing import demo, store
from smarketing.cli.common import add_db

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
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run_demo)

    p = sub.add_parser("import", help="add CSV or Parquet files to the database, all in one transaction")
    add_db(p)
    for table, flag in IMPORT_OPTIONS.items():
        p.add_argument(flag, dest=table, metavar="FILE", help=f"file for the {table} table")
    p.set_defaults(func=run_import)


def run_demo(args) -> int:
    con = store.connect(args.db)
    counts = demo.generate(con, leads=args.leads, seed=args.seed, progress=not args.quiet)
    print(f"demo database {store.db_path(args.db)}: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
    return 0


def run_import(args) -> int:
    files = {table: getattr(args, table) for table in IMPORT_OPTIONS if getattr(args, table, None)}
    if not files:
        raise ValueError("give at least one file, e.g. --leads leads.csv")
    con = store.connect(args.db)
    try:
        added = store.import_files(con, files)
    except store.DataImportError as exc:
        print(f"smarketing import: error: {exc} (nothing was imported)", file=sys.stderr)
        return 1
    print("imported " + ", ".join(f"{n:,} rows into {t}" for t, n in added.items()))
    return 0
