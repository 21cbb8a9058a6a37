"""Tiny hand-made tables for the lead-flow, de-duplication and planner tests (not a test module)."""

from __future__ import annotations

import pandas as pd

from smarketing import schema, store

TIME_COLUMNS = {c.name for t in schema.TABLES.values() for c in t.columns if c.sql_type in ("TIMESTAMP", "DATE")}


def load(con, table: str, rows: list[tuple], columns: list[str]) -> None:
    """Insert rows (timestamps as ISO text, None for NULL) into a canonical table."""
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    for col in columns:
        if col in TIME_COLUMNS:
            frame[col] = pd.to_datetime(frame[col], format="ISO8601")
    db = store.raw(con)
    db.register("_rows", frame)
    cols = ", ".join(f'"{c}"' for c in columns)
    db.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _rows')
    db.unregister("_rows")


def memory_db():
    return store.connect(":memory:")
