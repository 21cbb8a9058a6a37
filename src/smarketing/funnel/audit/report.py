"""The audit report: issues per stage and per source, a trust score per stage, what each issue type does to the
headline conversions, and the list of offending leads per issue type.

Scope: cohort mode audits the leads created in the window (as the funnel counts them); period mode the leads
that reached a recorded stage in the window. Segment filters apply either way. The issue rows are computed once
into a temporary table; every figure is then a small aggregation in the database.

Trust of a stage: of the leads the funnel counts at that stage, the share whose stage record is clean up to
that stage (no history issue about that stage or an earlier one; stale records and mapping gaps do not count,
see smarketing.funnel.audit.issues). Exclusion effect: every headline conversion (each recorded stage
from the previous recorded one, and first stage to the won stage) computed on the same leads without those
flagged by an issue type, minus the conversion on all of them.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from datetime import datetime

import ibis
import pandas as pd

from smarketing.deals import is_open
from smarketing.filters import ALL_TIME, Filters, cohort_leads, segment_leads
from smarketing.funnel.audit.issues import (
    HISTORY_KEYS,
    ISSUE_TYPES,
    ISSUES,
    STATIC_KEYS,
    AuditContext,
    issue_rows,
    missing_value,
    refresh_history,
)
from smarketing.funnel.lifecycle import lifecycle_funnel
from smarketing.reach import reach_column, reached, recorded_stages, stage_reach
from smarketing.stages import StageModel, resolve
from smarketing.store.scratch import Scratch

DEFAULT_SLA_HOURS = 24.0  # the hand-off SLA's default (smarketing.leadflow.sla)
LIST_LIMIT = 5_000
ANY_HISTORY = "any_history"
NONE_LABEL = "(none)"
LEAD_COLUMNS = ("lead_id", "created_at", "source_group", "source", "campaign", "owner")
LIST_COLUMNS = ("company", "email", "phone", "source_group", "source", "campaign", "owner", "created_at")
TIME_COLUMNS = {"leads": ("created_at",), "stage_changes": ("entered_at",), "deals": ("created_at", "closed_at"),
                "handoffs": ("dispatched_at", "accepted_at", "returned_at", "first_contact_at")}


@dataclass(frozen=True)
class AuditReport:
    """by_stage: stage, leads, clean, trust and one count per issue type (leads with the issue about that stage;
    NaN: not checked). by_source: source_group, source, leads, trust and a count per issue type. issues: issue,
    group, checked, missing (what the check needs), leads, share. effects: issue, transition, from_stage, to_stage,
    flagged, rate_all, rate_without, change."""

    by_stage: pd.DataFrame
    by_source: pd.DataFrame
    issues: pd.DataFrame
    effects: pd.DataFrame
    leads: int
    with_history_issue: int  # leads in scope with at least one history issue
    as_of: datetime | None
    sla_hours: float

    @property
    def matrix(self) -> pd.DataFrame:
        """Issue types by stage: issue, group, one column per recorded stage (leads with the issue about that stage),
        leads (with the issue about any stage) and share of the leads in scope; checked issue types only."""
        checked = self.issues[self.issues.checked]
        counts = self.by_stage.set_index("stage")[checked.issue.tolist()].T.astype("int64")
        counts.columns = list(counts.columns)
        out = checked[["issue", "group"]].join(counts, on="issue")
        return out.assign(leads=checked.leads.astype("int64"), share=checked.share).reset_index(drop=True)


def data_as_of(con) -> datetime | None:
    """The last moment the data knows about: the latest creation, stage entry, deal or hand-off time (an open
    deal's close date is a plan, not a fact, and does not count)."""
    stamps = []
    for name, columns in TIME_COLUMNS.items():
        table = con.table(name)
        metrics = {c: table[c].max(where=~is_open(table) if c == "closed_at" else None) for c in columns}
        row = table.aggregate(**metrics).execute().iloc[0]
        stamps += [pd.Timestamp(v) for v in row.tolist() if not pd.isna(v)]
    return max(stamps).to_pydatetime() if stamps else None


def _has_rows(con, name: str) -> bool:
    return int(con.table(name).limit(1).count().execute()) > 0


def audit_context(con, filters: Filters = ALL_TIME, stages: StageModel | None = None,
                  sla_hours: float = DEFAULT_SLA_HOURS, only=None) -> AuditContext:
    """Resolve what every check needs once (the 90th-percentile days come from the lifecycle funnel itself).
    `only`: the issue types to check (default all; the others are reported as not checked)."""
    stages = resolve(stages)
    if not float(sla_hours) > 0:
        raise ValueError(f"the SLA must be a positive number of hours, got {sla_hours:g}")
    if only is not None and (unknown := set(only) - set(ISSUES)):
        raise ValueError(f"unknown issue type '{sorted(unknown)[0]}' (expected one of {', '.join(ISSUES)})")
    mql, won = stages.role("mql"), stages.role("won")
    p90 = []
    if mql is not None and won is not None and (only is None or "past_p90" in only):
        funnel = lifecycle_funnel(con, filters, stages)
        lo, hi = stages.index(mql), stages.index(won)
        for row in funnel[funnel.recorded & funnel.from_stage.notna()].itertuples():
            k = stages.index(row.from_stage)
            if lo <= k < hi and pd.notna(row.p90_days_from_previous):
                p90.append((k, float(row.p90_days_from_previous)))
    present = {n for n in ("stage_changes", "deals", "handoffs", "spend") if _has_rows(con, n)}
    leads = con.table("leads")
    known = leads.aggregate(**{c: (~missing_value(leads[c])).any() for c in ("owner", "source_group", "source")})
    known = known.execute().iloc[0].fillna(False)
    if "handoffs" in present or known["owner"]:
        present.add("owners")
    present.update({f"sources:{c}" for c in ("source_group", "source") if known[c]})
    if present & {"sources:source_group", "sources:source"}:
        present.add("sources")
    return AuditContext(stages, filters, tuple(recorded_stages(con, stages)), data_as_of(con), float(sla_hours),
                        tuple(p90), frozenset(present), None if only is None else frozenset(only))


def scope_leads(con, ctx: AuditContext) -> ibis.Table:
    """The leads audited: LEAD_COLUMNS and every reach column (see the module's docstring for the scope)."""
    reach = stage_reach(con, ctx.stages)
    if ctx.filters.mode == "cohort":
        scoped = cohort_leads(reach, ctx.filters)
    else:
        scoped = segment_leads(reach, ctx.filters)
        hits = [reached(scoped, reach_column(s), ctx.filters) for s in ctx.recorded]
        scoped = scoped.filter(functools.reduce(operator.or_, hits))
    return scoped.select(*LEAD_COLUMNS, *[reach_column(s) for s in ctx.stages.names])


def audit_report(con, filters: Filters = ALL_TIME, stages: StageModel | None = None,
                 sla_hours: float = DEFAULT_SLA_HOURS, only=None) -> AuditReport:
    """The funnel integrity audit of the leads in scope (see the module's docstring). `only` limits the checks to
    some issue types (the trust score needs HISTORY_KEYS only: the Funnel page's trust line)."""
    ctx = audit_context(con, filters, stages, sla_hours, only)
    checked = ctx.checked()
    with Scratch(con, "_audit") as scratch:
        scope = scratch.keep(scope_leads(con, ctx))
        rows = issue_rows(con, ctx, scope, keep=scratch.keep)
        rows = scratch.keep(rows) if rows is not None else None
        joined = _flagged(scope, rows, checked)
        totals = joined.aggregate(**_metrics(joined, ctx, checked)).execute().iloc[0]
        per_stage = (rows.group_by("issue", "stage_index").aggregate(leads=rows.count()).execute()
                     if rows is not None else pd.DataFrame(columns=["issue", "stage_index", "leads"]))
        by_source = _by_source(joined, checked)
    leads = int(totals["total"] or 0)
    return AuditReport(_by_stage(totals, per_stage, ctx), by_source, _issues(totals, ctx, leads),
                       _effects(totals, ctx, checked), leads, int(totals[f"flagged_{ANY_HISTORY}"] or 0), ctx.as_of,
                       ctx.sla_hours)


def _flagged(scope: ibis.Table, rows: ibis.Table | None, checked: list[str]) -> ibis.Table:
    """The scope with f_<issue> (the lead has the issue) and first_history (lowest stage index of a history
    issue, NULL when its stage record is clean)."""
    if rows is None:
        return scope.mutate(first_history=ibis.null("int64"), **{f"f_{k}": ibis.literal(False) for k in checked})
    history = [k for k in checked if k in HISTORY_KEYS]
    per_lead = rows.group_by(f_lead=rows.lead_id).aggregate(
        first_history=rows.stage_index.min(where=rows.issue.isin(history)) if history else ibis.null("int64"),
        **{f"g_{k}": (rows.issue == k).any() for k in checked})
    j = scope.left_join(per_lead, scope.lead_id == per_lead.f_lead)
    return j.select(*scope.columns, first_history=j.first_history,
                    **{f"f_{k}": j[f"g_{k}"].fill_null(False) for k in checked})


def _metrics(j: ibis.Table, ctx: AuditContext, checked: list[str]) -> dict:
    clean = j.first_history.isnull()
    flags = {**{k: j[f"f_{k}"] for k in checked}, ANY_HISTORY: ~clean}
    out = {"total": j.count(), **{f"flagged_{k}": flag.sum() for k, flag in flags.items()}}
    for stage in ctx.recorded:
        i = ctx.stages.index(stage)
        hit = reached(j, reach_column(stage), ctx.filters)
        out[f"n_{i}"] = hit.sum()
        out[f"clean_{i}"] = (hit & (clean | (j.first_history > i))).sum()
        out.update({f"x_{k}_{i}": (hit & ~flag).sum() for k, flag in flags.items()})
    return out


def _by_stage(totals: pd.Series, per_stage: pd.DataFrame, ctx: AuditContext) -> pd.DataFrame:
    counts = {(r.issue, int(r.stage_index)): int(r.leads) for r in per_stage.itertuples()}
    checked = set(ctx.checked())
    rows = []
    for stage in ctx.recorded:
        i = ctx.stages.index(stage)
        n, clean = int(totals[f"n_{i}"] or 0), int(totals[f"clean_{i}"] or 0)
        rows.append({"stage": stage, "leads": n, "clean": clean, "trust": clean / n if n else float("nan"),
                     **{k.key: float(counts.get((k.key, i), 0)) if k.key in checked else float("nan")
                        for k in ISSUE_TYPES}})
    return pd.DataFrame(rows, columns=["stage", "leads", "clean", "trust", *ISSUES])


def _issues(totals: pd.Series, ctx: AuditContext, leads: int) -> pd.DataFrame:
    rows = []
    for spec in ISSUE_TYPES:
        lacking = ctx.missing(spec.key)
        n = float("nan") if lacking else int(totals[f"flagged_{spec.key}"] or 0)
        rows.append({"issue": spec.key, "group": spec.group, "checked": not lacking, "missing": ", ".join(lacking),
                     "leads": n, "share": n / leads if leads and not lacking else float("nan")})
    return pd.DataFrame(rows)


def transitions(ctx: AuditContext) -> list[tuple[str, str]]:
    """The headline conversions: each recorded stage from the previous recorded one, then the first stage to the
    won-role stage (or the last recorded stage) when that is not one of them already."""
    pairs = list(zip(ctx.recorded, ctx.recorded[1:], strict=False))
    last = ctx.stages.role("won") if ctx.stages.role("won") in ctx.recorded else ctx.recorded[-1]
    if len(ctx.recorded) > 2 and (ctx.recorded[0], last) not in pairs:
        pairs.append((ctx.recorded[0], last))
    return pairs


def _rate(num, den) -> float:
    num, den = float(num or 0), float(den or 0)
    return num / den if den else float("nan")


def _effects(totals: pd.Series, ctx: AuditContext, checked: list[str]) -> pd.DataFrame:
    rows = []
    for key in [*checked, ANY_HISTORY]:
        for a, b in transitions(ctx):
            i, k = ctx.stages.index(a), ctx.stages.index(b)
            rate_all = _rate(totals[f"n_{k}"], totals[f"n_{i}"])
            rate_without = _rate(totals[f"x_{key}_{k}"], totals[f"x_{key}_{i}"])
            rows.append({"issue": key, "transition": f"{a} → {b}", "from_stage": a, "to_stage": b,
                         "flagged": int(totals[f"flagged_{key}"] or 0), "rate_all": rate_all,
                         "rate_without": rate_without, "change": rate_without - rate_all})
    return pd.DataFrame(rows, columns=["issue", "transition", "from_stage", "to_stage", "flagged", "rate_all",
                                       "rate_without", "change"])


def _by_source(j: ibis.Table, checked: list[str]) -> pd.DataFrame:
    keys = {c: j[c].cast("string").fill_null(NONE_LABEL) for c in ("source_group", "source")}
    out = j.group_by(**keys).aggregate(leads=j.count(), clean=j.first_history.isnull().sum(),
                                       **{k: j[f"f_{k}"].sum() for k in checked}).execute()
    out["trust"] = out.clean / out.leads.where(out.leads > 0)
    for key in ISSUES:
        out[key] = out[key].astype("float64") if key in out else float("nan")
    out = out.sort_values(["leads", "source_group", "source"], ascending=[False, True, True], kind="stable")
    return out[["source_group", "source", "leads", "clean", "trust", *ISSUES]].reset_index(drop=True)


def refresh_audit(con, stages: StageModel | None = None) -> None:
    """Store every lead's issues that only the data fixes and its current stage (at the end of a write): the
    trust score and the Data trust page then read them for any filters instead of checking the data again."""
    ctx = audit_context(con, ALL_TIME, stages, only=STATIC_KEYS)
    with Scratch(con, "_audit") as scratch:
        refresh_history(con, ctx, scratch.keep(scope_leads(con, ctx)))


def offending_leads(con, issue: str, filters: Filters = ALL_TIME, stages: StageModel | None = None,
                    sla_hours: float = DEFAULT_SLA_HOURS, limit: int = LIST_LIMIT) -> pd.DataFrame:
    """The leads with one issue type, the latest first: lead_id, the stages it is about (funnel order), when it
    first shows (issue_at), and the lead's contact and source columns (unmasked: pages, downloads and the CLI
    mask emails and phones). `limit` 0 means every lead."""
    if issue not in ISSUES:
        raise ValueError(f"unknown issue type '{issue}' (expected one of {', '.join(ISSUES)})")
    ctx = audit_context(con, filters, stages, sla_hours, only=(issue,))
    columns = ["lead_id", "stages", "issue_at", *LIST_COLUMNS]
    rows = issue_rows(con, ctx, scope_leads(con, ctx), only=(issue,))
    if rows is None:
        return pd.DataFrame(columns=columns)
    per_lead = rows.group_by("lead_id").aggregate(issue_at=rows.at.min(),
                                                  indexes=rows.stage_index.cast("string").group_concat(","))
    leads = con.table("leads")
    t = per_lead.join(leads.select(*[c for c in ("lead_id", *LIST_COLUMNS) if c in leads.columns]), "lead_id")
    t = t.order_by([ibis.desc("issue_at"), "lead_id"])
    frame = (t.limit(limit) if limit else t).execute()
    names = ctx.stages.names
    frame["stages"] = frame.indexes.map(lambda s: ", ".join(names[i] for i in sorted({int(x) for x in s.split(",")})))
    return frame.reindex(columns=columns)
