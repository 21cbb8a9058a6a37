"""Stage reach, the definition every funnel number rests on, and the table that keeps it per lead.

A lead *reaches* a stage when it enters that stage or any later one (skipped stages are implied, a
return to nurture does not undo a stage). Every lead has reached the first stage when it was created.
`stage_reach` gives one row per lead with `at_<stage>`, the first moment it reached each main stage;
`reached` says whether a lead counts as having reached a stage under the filters (cohort mode: at
any time; period mode: inside the window). Storage (imports, the demo) keeps the reach table current
with `refresh_reach`, which is why this module sits below both storage and the analyses.
"""

from __future__ import annotations

import hashlib
import re

import ibis

from smarketing.filters import Filters, in_window
from smarketing.frozen import frozen_fact
from smarketing.stages import StageModel, resolve

SECONDS_PER_DAY = 86_400
REACH_PREFIX = "_reach_"
REACH_META = "_reach_meta"


def slug(stage: str) -> str:
    """Column-safe name of a stage: 'Opportunity' -> 'opportunity'."""
    return re.sub(r"\W+", "_", stage.strip().lower()).strip("_")


def reach_column(stage: str) -> str:
    return f"at_{slug(stage)}"


def stage_reach(con, stages: StageModel | None = None) -> ibis.Table:
    """One row per lead: the lead's columns plus at_<stage>, when it first reached each main stage.

    Reads the materialized table that `refresh_reach` keeps after every import, when it is current;
    otherwise computes the same expression on the fly.
    """
    stages = resolve(stages)
    name = reach_table_name(stages)
    if frozen_fact(con, ("reach current", name), lambda: _reach_is_current(con, name)):
        return con.table(name)
    return _reach_expr(con, stages)


def reach_table_name(stages: StageModel) -> str:
    digest = hashlib.sha1("\x1f".join(stages.names).encode()).hexdigest()[:10]
    return f"{REACH_PREFIX}{digest}"


def _source_counts(con) -> tuple[int, int]:
    return int(con.table("leads").count().execute()), int(con.table("stage_changes").count().execute())


def _reach_is_current(con, name: str) -> bool:
    """The materialized reach exists and was built from tables of the present size."""
    tables = set(con.list_tables())
    if name not in tables or REACH_META not in tables:
        return False
    meta = con.table(REACH_META)
    row = meta.filter(meta.name == name).execute()
    return len(row) == 1 and (int(row.leads.iloc[0]), int(row.changes.iloc[0])) == _source_counts(con)


def refresh_reach(con, stages: StageModel | None = None) -> None:
    """Materialize stage_reach for a stage model (called after imports; needs a writable connection).

    Queries then scan one row per lead instead of re-aggregating the stage changes every time.
    """
    stages = resolve(stages)
    name = reach_table_name(stages)
    # ibis 12's create_table emits a statement DuckDB 1.5 rejects here, so the compiled query is wrapped
    # in CREATE TABLE directly (the SQL is ibis's own compilation; no user value is formatted into it).
    db = con.con
    db.execute(f'CREATE OR REPLACE TABLE "{name}" AS {ibis.to_sql(_reach_expr(con, stages), dialect="duckdb")}')
    leads, changes = _source_counts(con)
    db.execute(f'CREATE TABLE IF NOT EXISTS "{REACH_META}" (name VARCHAR, leads BIGINT, changes BIGINT)')
    db.execute(f'DELETE FROM "{REACH_META}" WHERE name = ?', [name])
    db.execute(f'INSERT INTO "{REACH_META}" VALUES (?, ?, ?)', [name, leads, changes])


def _reach_expr(con, stages: StageModel) -> ibis.Table:
    leads = con.table("leads")
    changes = con.table("stage_changes")
    index = changes.stage.cases(*[(name, i) for i, name in enumerate(stages.names)], else_=-1)
    firsts = changes.group_by(changes.lead_id).aggregate(
        **{f"_r{k}": changes.entered_at.min(where=index >= k) for k in range(len(stages.names))}
    )
    joined = leads.left_join(firsts, leads.lead_id == firsts.lead_id)
    first = reach_column(stages.names[0])
    reach = {first: ibis.least(joined.created_at, joined._r0.fill_null(joined.created_at))}
    for k, name in enumerate(stages.names[1:], start=1):
        reach[reach_column(name)] = joined[f"_r{k}"]
    return joined.select(*leads.columns, **reach)


def reached(table: ibis.Table, column: str, filters: Filters) -> ibis.BooleanValue:
    """True where the lead reached the stage of reach column `column` and it counts under the filters:
    at any time in cohort mode, inside the window in period mode."""
    col = table[column]
    if filters.mode == "period":
        return col.notnull() & in_window(col, filters)
    return col.notnull()


def days_between(later, earlier):
    """Days from timestamp `earlier` to `later` (fractional; NULL when either is NULL)."""
    return (later.epoch_seconds() - earlier.epoch_seconds()) / SECONDS_PER_DAY


def recorded_stages(con, stages: StageModel | None = None) -> list[str]:
    """The main stages this data records: each stage some stage change names, and the first stage also when some
    lead reaches no later one (being created is then a step of its own: a lead list with a 0/1 converted flag)
    or nothing later is recorded.
    A stage nobody records (a source without SQL dates, say; the first stage of an MQL list, whose every lead
    is an MQL) is only ever implied by a later one, so its count and conversions would be a 100% pass-through:
    analyses leave it out, and the funnel starts at the first recorded stage."""
    stages = resolve(stages)
    changes = con.table("stage_changes")
    present = frozen_fact(con, "recorded stages", lambda: set(changes.select("stage").distinct().execute()["stage"]))
    later = [name for name in stages.names[1:] if name in present]
    first = stages.names[0] in present or not later or frozen_fact(
        con, ("a lead reaches no later stage", tuple(later)), lambda: _some_lead_without(con, later))
    return [name for k, name in enumerate(stages.names) if (first if k == 0 else name in present)]


def _some_lead_without(con, later: list[str]) -> bool:
    """True when some lead has no stage change into any of the stages `later`."""
    leads, changes = con.table("leads"), con.table("stage_changes")
    entered = changes.filter(changes.stage.isin(later))
    return int(leads.anti_join(entered, leads.lead_id == entered.lead_id).limit(1).count().execute()) > 0
