"""Options and output helpers shared by the command groups."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

import pandas as pd

from smarketing import exports, formatting, privacy, store
from smarketing.labels import column_labels, words
from smarketing.store import clamp


def add_db(parser) -> None:
    parser.add_argument("--db", help="database file or URL: duckdb:///PATH, pyspark://local[2]?path=DIR, "
                        "postgres://USER@HOST/DB (default: $SMARKETING_DB or data/demo.duckdb)")


def add_format(parser, choices=("table", "csv", "json"), default="table") -> None:
    parser.add_argument("--format", choices=choices, default=default, help=f"output format (default: {default})")


def open_db(args, read_only: bool = True):
    """Open the database named by --db / $SMARKETING_DB; a missing file is a clear error. Dates it holds outside
    the sane window are read clamped to it (smarketing.store.clamp), with a warning on stderr."""
    con = store.connect(args.db, read_only=read_only)
    if found := clamp.clamped(con):
        print(f"warning: {clamp.describe(found)}", file=sys.stderr)
    return con


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (expected YYYY-MM-DD)") from exc


def write_frame(frame: pd.DataFrame, fmt: str, out=None) -> None:
    """Print a DataFrame as an aligned table, CSV (spreadsheet formulas neutralised) or JSON records; emails
    and phones masked in every format (a breakdown by email, say). Only `smarketing leads --unmask` shows them."""
    out = out or sys.stdout
    if note := frame.attrs.get("note"):  # e.g. a breakdown whose smaller categories were grouped
        print(f"note: {note}", file=sys.stderr)
    frame = privacy.mask_frame(frame)
    kinds = frame.attrs.get("kinds")  # {column: kind} where a column's name does not say (formatting.kinds_of)
    if fmt == "csv":
        exports.neutralize(formatting.machine(frame, kinds)).to_csv(out, index=False)
    elif fmt == "json":
        out.write(formatting.machine(frame, kinds).to_json(orient="records", date_format="iso", indent=2) + "\n")
    elif not len(frame):
        out.write("(no rows)\n")
    else:  # for people: numbers by kind (12.3%, $1,234, 4.5 d, –), labels as headers
        shown = words(formatting.readable(frame, kinds)).rename(columns=column_labels(frame.columns))
        out.write(shown.to_string(index=False) + "\n")


def write_json(obj, out=None) -> None:
    (out or sys.stdout).write(json.dumps(obj, indent=2, default=str) + "\n")


def rules_in_force(con, db):
    """The scoring rules in force (smarketing.scoring.starter), with a warning on stderr for each saved version
    that cannot be used any more (the last good one is used instead)."""
    from smarketing.scoring.starter import rules_in_force as in_force
    from smarketing.scoring.versions import skipped_versions

    rules, kind = in_force(con, db)
    for problem in skipped_versions(db):
        print(f"warning: {problem}; using version {rules.version} ({rules.name}, {kind})", file=sys.stderr)
    return rules, kind
