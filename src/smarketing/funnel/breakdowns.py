"""Which lead columns a breakdown can use, and how a numeric one is grouped.

The options come from the leads table's schema: the contract's group columns that hold values (source group,
source, campaign, industry, country, region, company size in bands, owner, title), then every extra column of the
user's own data that groups leads (landing page, lead type, a score); never an id (nearly every lead its own value,
or its own number in sequence), a date (or text that is all dates) or a contact detail. A numeric column is grouped in quintile bands ("< 45", "45–300", "300–900", "900+"),
cut at the quintiles of all the leads, so that a period and the one before it (the leaks) have the same bands.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

STANDARD = ("source_group", "source", "campaign", "industry", "country", "region", "employees_band", "owner", "title")
NOT_GROUPS = ("lead_id", "email", "phone", "company", "employees")  # ids, contact details; employees as employees_band
BANDS = 5
NONE = "(none)"  # the group of leads without a value


def is_number(column: ir.Column) -> bool:
    kind = column.type()
    return kind.is_numeric() and not kind.is_boolean()


def breakdown_columns(con, top: int = 20, id_share: float = 0.9) -> list[str]:
    """The lead columns a breakdown may use on this data, the contract's first (see the module docstring). A text
    column is an id, not a group, when it has more than `top` values and nearly every lead (`id_share`) its own."""
    leads = con.table("leads")
    schema = leads.schema()
    candidates = [c for c in schema.names if c not in NOT_GROUPS and not (schema[c].is_timestamp()
                                                                          or schema[c].is_date())]
    counts = {f"d{i}": leads[c].nunique() for i, c in enumerate(candidates)}
    counts |= {f"n{i}": leads[c].count() for i, c in enumerate(candidates)}
    whole = [c for c in candidates if schema[c].is_integer()]  # a number per lead in sequence is an id too
    counts |= {f"s{i}": leads[c].max() - leads[c].min() + 1 for i, c in enumerate(candidates) if c in whole}
    texts = [c for c in candidates if schema[c].is_string()]  # text that is all dates is a date
    counts |= {f"t{i}": leads[c].try_cast("timestamp").count() for i, c in enumerate(candidates) if c in texts}
    if "employees" in schema.names:
        counts["employees"] = leads.employees.count()
    row = leads.aggregate(_rows=leads.count(), **counts).execute().iloc[0]
    rows = int(row["_rows"])
    values = {c: int(row[f"d{i}"]) for i, c in enumerate(candidates)}
    out = [c for c in STANDARD if values.get(c) or c == "employees_band" and int(row.get("employees", 0) or 0)]
    for i, column in enumerate(candidates):
        if column in STANDARD or values[column] < 2 or column in texts and int(row[f"t{i}"]) == int(row[f"n{i}"]):
            continue
        if column in whole and top < values[column] == int(row[f"n{i}"]) and int(row[f"s{i}"]) <= 2 * values[column]:
            continue  # 660000, 660001, …: every lead its own number, one after the other (a lead number)
        if is_number(leads[column]) or not (values[column] > top and values[column] >= id_share * rows):
            out.append(column)
    return out


def numeric_bands(table: ir.Table, column: str) -> list[tuple[float | None, float | None, str]]:
    """Quintile bands of a numeric column of `table`: (low, high, label), low inclusive, high exclusive, the first
    without a low end and the last without a high end; [] when the column has no value."""
    values = table[column].cast("float64")
    row = table.aggregate(**{f"q{k}": values.quantile(k / BANDS) for k in range(1, BANDS)}).execute().iloc[0]
    cuts = sorted({float(v) for v in row.tolist() if pd.notna(v)})
    if not cuts:
        return []
    edges = [None, *cuts, None]
    out = []
    for lo, hi in zip(edges, edges[1:], strict=False):
        label = f"< {_number(hi)}" if lo is None else f"{_number(lo)}+" if hi is None else \
            f"{_number(lo)}–{_number(hi)}"
        out.append((lo, hi, label))
    return out


def _number(value: float) -> str:
    return f"{value:,.6g}"


def band_of(column: ir.Column, bands: list[tuple[float | None, float | None, str]]) -> ir.StringValue:
    """The band label of each value (NONE for a missing value)."""
    if not bands:
        return ibis.literal(NONE)
    value = column.cast("float64")
    cases = []
    for lo, hi, label in bands:
        inside = ibis.literal(True)
        if lo is not None:
            inside &= value >= lo
        if hi is not None:
            inside &= value < hi
        cases.append((inside, label))
    return ibis.cases(*cases, else_=NONE)


def band_order(bands) -> list[str]:
    """The labels of the bands, lowest first, then NONE."""
    return [label for _, _, label in bands] + [NONE]
