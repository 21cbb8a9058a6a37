"""The fit vs interest quadrant: per-quadrant outcomes, breakdown by source, point samples and density
(the lead lists are in smarketing.leadflow.lists). All aggregated in the database from a scored table
(`scoring.scores.score_leads`)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from smarketing.funnel.lifecycle import with_breakdown
from smarketing.scoring.scores import QUADRANTS, recorded_outcomes, score_leads
from smarketing.store.scratch import materialized

SAMPLE_LIMIT = 5_000  # more points overplot one another (a density shows them) and cost ~50 KB of figure per 1,000
LIST_LIMIT = 5_000
NAME_COLUMNS = ("name", "full_name", "first_name", "last_name")


def quadrant_summary(scored: ir.Table) -> pd.DataFrame:
    """One row per quadrant: leads, share, conversion to SQL and to won, median days to a won deal."""
    g = scored.group_by("quadrant").aggregate(
        leads=scored.count(),
        sql=scored["sql"].sum(),
        won=scored.won.sum(),
        median_days_to_close=scored.days_to_close.median(),
    ).execute()
    frame = pd.DataFrame({"quadrant": list(QUADRANTS)}).merge(g, how="left", on="quadrant")
    frame[["leads", "sql", "won"]] = frame[["leads", "sql", "won"]].fillna(0).astype("int64")
    total = frame.leads.sum()
    frame["share"] = frame.leads / total if total else float("nan")
    frame["sql_rate"] = (frame.sql / frame.leads).where(frame.leads > 0)
    frame["won_rate"] = (frame.won / frame.leads).where(frame.leads > 0)
    return frame[["quadrant", "leads", "share", "sql_rate", "won_rate", "median_days_to_close"]]


def quadrant_by(con, scored: ir.Table, by: str = "source_group") -> pd.DataFrame:
    """Leads per value of the lead column `by` and quadrant, with the share of each quadrant within the value: the
    groups of a breakdown (funnel.lifecycle.with_breakdown: the 20 largest and "(other)", a number in bands)."""
    leads = con.table("leads")
    column = "employees" if by == "employees_band" else by
    if column not in leads.columns:
        raise ValueError(f"unknown lead column '{by}'")
    t = scored.select("lead_id", "quadrant", "won").join(leads.select("lead_id", column), "lead_id")
    t = with_breakdown(t, by, bands_from=leads).rename(value=by)
    g = t.group_by(["value", "quadrant"]).aggregate(leads=t.count(), won=t.won.sum()).execute()
    g = g.rename(columns={"value": by})
    g["share"] = g.leads / g.groupby(by).leads.transform("sum")
    return g.sort_values([by, "quadrant"]).reset_index(drop=True)


def quadrant_pivot(by_quadrant: pd.DataFrame, by: str) -> pd.DataFrame:
    """quadrant_by as one row per value: leads in each quadrant (QUADRANTS order) and the total, largest first."""
    wide = by_quadrant.pivot_table(index=by, columns="quadrant", values="leads", fill_value=0).reindex(
        columns=list(QUADRANTS), fill_value=0)
    wide["total"] = wide.sum(axis=1)
    return wide.sort_values("total", ascending=False).reset_index().rename_axis(columns=None)


def point_sample(scored: ir.Table, limit: int = SAMPLE_LIMIT) -> tuple[pd.DataFrame, int]:
    """Up to `limit` leads (fit, interest, deal status), a deterministic sample when there are more;
    also returns the total number of leads."""
    total = int(scored.count().execute())
    t = scored.select("lead_id", "fit", "interest", "deal_status")
    if total > limit:
        t = t.order_by(t.lead_id.hash()).limit(limit)
    return t.execute(), total


def density(scored: ir.Table, bins: int = 60) -> pd.DataFrame:
    """Lead counts on a bins × bins grid of fit × interest (bin lower edges), for a heatmap."""
    r = scored.aggregate(
        f0=scored.fit.min(), f1=scored.fit.max(), i0=scored.interest.min(), i1=scored.interest.max()
    ).execute().iloc[0]
    if pd.isna(r.f0):
        return pd.DataFrame(columns=["fit", "interest", "leads"])
    f0, i0 = float(r.f0), float(r.i0)
    fw = max((float(r.f1) - f0) / bins, 1e-9)
    iw = max((float(r.i1) - i0) / bins, 1e-9)
    fb = ibis.least(((scored.fit - f0) / fw).floor().cast("int64"), bins - 1)
    ib = ibis.least(((scored.interest - i0) / iw).floor().cast("int64"), bins - 1)
    g = scored.group_by(fb=fb, ib=ib).aggregate(leads=scored.count()).execute()
    return pd.DataFrame({"fit": f0 + g.fb * fw, "interest": i0 + g.ib * iw, "leads": g.leads})


SCORED_COLUMNS = ("lead_id", "fit", "interest", "score", "quadrant", "sql", "won", "days_to_close", "deal_status")


def quadrant_view(con, rules, cutoff, filters, by: str = "source_group", sample: int = SAMPLE_LIMIT) -> dict:
    """Everything the quadrant page draws, in one call (cache it): summary, breakdown, points, density.

    The scores are computed once (into a temporary table) and aggregated four ways. Without SQL dates in the data
    the summary has no sql_rate (it would be the won rate again)."""
    with materialized(con, score_leads(con, rules, cutoff, filters).select(*SCORED_COLUMNS)) as scored:
        points, total = point_sample(scored, sample)
        summary = quadrant_summary(scored)
        return {
            "summary": summary if "sql" in recorded_outcomes(con) else summary.drop(columns="sql_rate"),
            "by": quadrant_by(con, scored, by),
            "points": points,
            "total": total,
            "density": density(scored) if total > sample else None,
        }
