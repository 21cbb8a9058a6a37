"""The issue types of the funnel integrity audit and the query that finds them: one row per lead, issue type and
stage (the stage the issue is about), with the moment it shows.

Three groups: history issues (the stage record contradicts itself or the deals: skipped, backwards, bulk_edit,
before_created, won_not_customer, customer_not_won) count against the trust score; stale records (past_sla,
past_p90: a lead sits in a stage nobody updated) and mapping gaps (unmapped_source, unmapped_campaign,
ownerless_mql) are reported and their effect on the conversions shown, but a consistent record stays "clean".

Definitions (stage indexes are positions in the stage model's main line; side stages such as Other are not
part of the funnel order):

- skipped: the lead reached a recorded stage (it entered it or a later one) but never entered the stage itself.
  Only stages the data records count (reach.recorded_stages): a stage nobody records is not "skipped". The first
  stage is never skipped (every lead is in it once created).
- backwards: a stage change into an earlier main stage than one the lead had already entered (changes in time
  order, same-moment changes in funnel order); the issue is about the highest stage entered before, the one
  that was undone (an SQL returned to nurture counts at SQL).
- bulk_edit: two or more main stages entered at the very same moment; each of them.
- before_created: a stage entered before the lead was created; an entry at midnight of the creation day is not
  flagged (many exports give stage dates without a time).
- won_not_customer / customer_not_won: a won deal (smarketing.deals) but the won-role stage never reached, and
  the reverse (checked only when the data has deals).
- past_sla: the lead's current stage (its latest stage change) is the MQL-role stage, it has sat there longer
  than the hand-off SLA and sales accepted none of its hand-offs within the SLA (checked only with hand-offs).
- past_p90: the lead's current stage lies between the MQL-role stage and the won-role stage (excluded: before
  MQL, nurture may last for ever; the won stage is the end) and it has sat there longer than the 90th
  percentile of the days leads took from that stage to the next recorded one (the Funnel page's figure).
- unmapped_source: source group or source missing or a placeholder such as "(none)" or "unknown"; a level no
  lead of the data has (say, only source groups are exported) is not required, and with neither the check is off.
- unmapped_campaign: the lead's source has spend by campaign, but the lead's campaign is missing or not among
  that source's campaigns in spend, so its cost cannot be matched (checked only with spend).
- ownerless_mql: reached the MQL-role stage with no owner on the lead and no hand-off to an owner (checked only
  when the data records owners at all: an owner on some lead, or hand-offs).
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from datetime import datetime

import ibis

from smarketing.deals import won_deals
from smarketing.filters import Filters
from smarketing.reach import SECONDS_PER_DAY, reach_column, reach_table_name
from smarketing.stages import StageModel
from smarketing.store import derived

HISTORY, STALE, MAPPING = "history", "stale", "mapping"
MISSING_VALUES = ("", "(none)", "none", "(not set)", "not set", "unknown", "(unknown)", "n/a", "null", "-")


@dataclass(frozen=True)
class IssueType:
    key: str
    group: str  # HISTORY: the stage record is inconsistent (counts against trust); STALE: not updated; MAPPING
    needs: tuple[str, ...] = ()  # tables that must hold rows ("owners", "sources": some lead has one)
    roles: tuple[str, ...] = ()  # stage roles the check needs


ISSUE_TYPES = (
    IssueType("skipped", HISTORY),
    IssueType("backwards", HISTORY),
    IssueType("bulk_edit", HISTORY),
    IssueType("before_created", HISTORY),
    IssueType("won_not_customer", HISTORY, ("deals",), ("won",)),
    IssueType("customer_not_won", HISTORY, ("deals",), ("won",)),
    IssueType("past_sla", STALE, ("handoffs",), ("mql",)),
    IssueType("past_p90", STALE, (), ("mql", "won")),
    IssueType("unmapped_source", MAPPING, ("sources",)),
    IssueType("unmapped_campaign", MAPPING, ("spend",)),
    IssueType("ownerless_mql", MAPPING, ("owners",), ("mql",)),
)
ISSUES = {i.key: i for i in ISSUE_TYPES}
HISTORY_KEYS = tuple(i.key for i in ISSUE_TYPES if i.group == HISTORY)


@dataclass(frozen=True)
class AuditContext:
    """Everything the checks need, resolved once: the stage model, the filters, the stages the data records,
    the data's last moment, the SLA, the 90th-percentile days per stage and the tables that hold rows."""

    stages: StageModel
    filters: Filters
    recorded: tuple[str, ...]
    as_of: datetime | None
    sla_hours: float
    p90_days: tuple[tuple[int, float], ...]  # (stage index, 90th percentile days from it to the next stage)
    present: frozenset[str]
    only: frozenset[str] | None = None  # the issue types asked for (None: all)

    @property
    def first_index(self) -> int:
        """Stage index of the first recorded stage: where issues of the lead record itself (sources, campaigns)
        are counted."""
        return self.stages.index(self.recorded[0]) if self.recorded else 0

    def index(self, role: str) -> int | None:
        name = self.stages.role(role)
        return self.stages.index(name) if name is not None else None

    def missing(self, issue: str) -> tuple[str, ...]:
        """What the data or the stage model lacks for the check of `issue`, or "not_requested" (empty: checked)."""
        if self.only is not None and issue not in self.only:
            return ("not_requested",)
        return self.lacking(issue)

    def lacking(self, issue: str) -> tuple[str, ...]:
        """What the data or the stage model lacks for the check of `issue` (whatever was asked for)."""
        spec = ISSUES[issue]
        lacking = tuple(t for t in spec.needs if t not in self.present)
        lacking += tuple(f"role_{r}" for r in spec.roles if self.index(r) is None)
        if issue == "past_p90" and not lacking and not self.p90_days:
            lacking += ("p90",)
        return lacking

    def checked(self) -> list[str]:
        return [i.key for i in ISSUE_TYPES if not self.missing(i.key)]


def missing_value(column) -> ibis.BooleanValue:
    """True where a text value is missing or a placeholder ("(none)", "unknown", …)."""
    text = column.cast("string")
    return text.isnull() | text.strip().lower().isin(list(MISSING_VALUES))


def _key(column):
    return column.cast("string").strip().lower()


def _row(table: ibis.Table, issue: str, stage_index, at) -> ibis.Table:
    index = ibis.literal(stage_index) if isinstance(stage_index, int) else stage_index
    return table.select(lead_id=table.lead_id.cast("string"), issue=ibis.literal(issue, "string"),
                        stage_index=index.cast("int64"), at=at.cast("timestamp"))


def stage_changes(con, ctx: AuditContext, scope: ibis.Table) -> ibis.Table:
    """The stage changes of the leads in scope with stage_index (-1 for a side stage)."""
    changes = con.table("stage_changes")
    index = changes.stage.cases(*[(name, i) for i, name in enumerate(ctx.stages.names)], else_=-1)
    changes = changes.select("lead_id", "stage", "entered_at", stage_index=index)
    return changes.semi_join(scope, changes.lead_id == scope.lead_id)


def _skipped(ctx, scope, main):
    ks = [ctx.stages.index(s) for s in ctx.recorded if ctx.stages.index(s) > 0]
    if not ks:
        return []
    entered = main.group_by(e_lead=main.lead_id).aggregate(**{f"e{k}": (main.stage_index == k).any() for k in ks})
    j = scope.left_join(entered, scope.lead_id == entered.e_lead)
    return [_row(j.filter(j[reach_column(ctx.stages.names[k])].notnull() & ~j[f"e{k}"].fill_null(False)),
                 "skipped", k, j[reach_column(ctx.stages.names[k])]) for k in ks]


def _backwards(ctx, scope, main):
    window = ibis.window(group_by=main.lead_id, order_by=[main.entered_at, main.stage_index], rows=(None, -1))
    moved = main.mutate(before=main.stage_index.max().over(window))
    moved = moved.filter(moved.before.notnull() & (moved.stage_index < moved.before))
    return [_row(moved, "backwards", moved.before, moved.entered_at)]


def _bulk_edit(ctx, scope, main):
    same = main.group_by(b_lead=main.lead_id, b_at=main.entered_at).aggregate(n=main.stage_index.nunique())
    same = same.filter(same.n >= 2)
    bulk = main.semi_join(same, (main.lead_id == same.b_lead) & (main.entered_at == same.b_at))
    return [_row(bulk, "bulk_edit", bulk.stage_index, bulk.entered_at)]


def _before_created(ctx, scope, main):
    created = scope.select(c_lead=scope.lead_id, created=scope.created_at)
    j = main.join(created, main.lead_id == created.c_lead)
    day = j.entered_at.truncate("D")
    dateless = (j.entered_at == day) & (day == j.created.truncate("D"))
    return [_row(j.filter((j.entered_at < j.created) & ~dateless), "before_created", j.stage_index, j.entered_at)]


def _won(con, ctx, scope):
    k = ctx.index("won")
    col = reach_column(ctx.stages.names[k])
    deals = won_deals(con)
    won = deals.group_by(w_lead=deals.lead_id).aggregate(won_at=ibis.coalesce(deals.closed_at, deals.created_at).min())
    no_stage = scope.join(won, scope.lead_id == won.w_lead)
    no_stage = no_stage.filter(no_stage[col].isnull())
    no_deal = scope.anti_join(won, scope.lead_id == won.w_lead)
    no_deal = no_deal.filter(no_deal[col].notnull())
    return {"won_not_customer": [_row(no_stage, "won_not_customer", k, no_stage.won_at)],
            "customer_not_won": [_row(no_deal, "customer_not_won", k, no_deal[col])]}


def current_stage(scope: ibis.Table, changes: ibis.Table, stages: StageModel) -> ibis.Table:
    """Per lead in scope: current_index (the stage of its latest change; -1 a side stage, 0 without changes)
    and current_at (when it entered it; the creation time without changes). On a tie a side stage wins (it
    ends the journey), then the later main stage."""
    order = (changes.stage_index < 0).ifelse(len(stages.names), changes.stage_index)
    rank = ibis.row_number().over(group_by=changes.lead_id,
                                  order_by=[ibis.desc(changes.entered_at), ibis.desc(order)])
    latest = changes.mutate(rank=rank)
    latest = latest.filter(latest.rank == 0).select(x_lead=latest.lead_id, x_index=latest.stage_index,
                                                     x_at=latest.entered_at)
    j = scope.left_join(latest, scope.lead_id == latest.x_lead)
    return j.mutate(current_index=j.x_index.fill_null(0), current_at=ibis.coalesce(j.x_at, j.created_at))


def _days_since(ctx, at):
    return (ibis.literal(ctx.as_of).epoch_seconds() - at.epoch_seconds()) / SECONDS_PER_DAY


def _past_p90(ctx, current):
    limit = current.current_index.cases(*[(k, days) for k, days in ctx.p90_days], else_=ibis.null("float64"))
    late = current.filter(limit.notnull() & (_days_since(ctx, current.current_at) > limit))
    return [_row(late, "past_p90", late.current_index, late.current_at)]


def _past_sla(con, ctx, current):
    h = con.table("handoffs")
    in_time = h.accepted_at.notnull() & (h.accepted_at.epoch_seconds() - h.dispatched_at.epoch_seconds()
                                         <= ctx.sla_hours * 3600)
    met = h.group_by(h_lead=h.lead_id).aggregate(met=in_time.any())
    j = current.left_join(met, current.lead_id == met.h_lead)
    late = j.filter((j.current_index == ctx.index("mql")) & ~j.met.fill_null(False)
                    & (_days_since(ctx, j.current_at) * 24 > ctx.sla_hours))
    return [_row(late, "past_sla", late.current_index, late.current_at)]


def _unmapped_source(ctx, scope):
    levels = [c for c in ("source_group", "source") if f"sources:{c}" in ctx.present]
    gap = functools.reduce(operator.or_, [missing_value(scope[c]) for c in levels])
    return [_row(scope.filter(gap), "unmapped_source", ctx.first_index, scope.created_at)]


def _unmapped_campaign(con, ctx, scope):
    spend = con.table("spend")
    spend = spend.filter(~missing_value(spend.source) & ~missing_value(spend.campaign))
    paid = spend.select(p_source=_key(spend.source)).distinct()
    pairs = spend.select(p_source=_key(spend.source), p_campaign=_key(spend.campaign)).distinct()
    leads = scope.mutate(k_source=_key(scope.source), k_campaign=_key(scope.campaign))
    leads = leads.semi_join(paid, leads.k_source == paid.p_source)
    leads = leads.anti_join(pairs, (leads.k_source == pairs.p_source) & (leads.k_campaign == pairs.p_campaign))
    return [_row(leads, "unmapped_campaign", ctx.first_index, leads.created_at)]


def _ownerless(con, ctx, scope):
    col = reach_column(ctx.stages.names[ctx.index("mql")])
    leads = scope.filter(scope[col].notnull() & missing_value(scope.owner))
    if "handoffs" in ctx.present:
        h = con.table("handoffs")
        owned = h.filter(~missing_value(h.owner)).select(o_lead=h.lead_id).distinct()
        leads = leads.anti_join(owned, leads.lead_id == owned.o_lead)
    return [_row(leads, "ownerless_mql", ctx.index("mql"), leads[col])]


def issue_rows(con, ctx: AuditContext, scope: ibis.Table, only: tuple[str, ...] | None = None,
               keep=None) -> ibis.Table | None:
    """One row per (lead_id, issue, stage_index) of the leads in `scope` (columns lead_id, created_at, source_group,
    source, campaign, owner and the reach columns), with `at`, the first moment the issue shows. None when no
    issue type in `only` (default: all) is checked on this data. `keep` (a Scratch's keep) computes the stage
    changes in scope and the current stages once for the many checks that read them. The issues that only the
    data fixes and every lead's current stage are read from the derived tables of the last write when they
    hold them (refresh_history)."""
    wanted = [k for k in ctx.checked() if only is None or k in only]
    if not wanted:
        return None
    keep = keep or (lambda table: table)
    parts: list[ibis.Table] = []
    stored = derived.load(con, DERIVED, static_key(ctx)) if set(wanted) & set(STATIC_KEYS) else None
    if stored is not None:  # the data's own issues of every lead, derived at the last write: those in scope
        kept = stored.filter(stored.issue.isin([k for k in wanted if k in STATIC_KEYS]))
        kept = kept.semi_join(scope, kept.lead_id == scope.lead_id)
        parts.append(kept.mutate(at=kept.at.cast("timestamp")))  # as _row types it (stored: timestamp(6))
        wanted = [k for k in wanted if k not in STATIC_KEYS]
    parts += _live_rows(con, ctx, scope, wanted, keep)
    if not parts:
        return None
    rows = ibis.union(*parts) if len(parts) > 1 else parts[0]
    return rows.group_by("lead_id", "issue", "stage_index").aggregate(at=rows.at.min())


def _live_rows(con, ctx: AuditContext, scope: ibis.Table, wanted: list[str], keep) -> list[ibis.Table]:
    """The rows of the issue types `wanted`, computed from the data."""
    changes = functools.cache(lambda: keep(stage_changes(con, ctx, scope)))  # only when a check reads them
    main = lambda: changes().filter(changes().stage_index >= 0)  # noqa: E731
    builders = {"skipped": lambda: _skipped(ctx, scope, main()), "backwards": lambda: _backwards(ctx, scope, main()),
                "bulk_edit": lambda: _bulk_edit(ctx, scope, main()),
                "before_created": lambda: _before_created(ctx, scope, main()),
                "unmapped_source": lambda: _unmapped_source(ctx, scope),
                "unmapped_campaign": lambda: _unmapped_campaign(con, ctx, scope),
                "ownerless_mql": lambda: _ownerless(con, ctx, scope)}
    if {"won_not_customer", "customer_not_won"} & set(wanted):
        won = _won(con, ctx, scope)
        builders.update({k: (lambda v=v: v) for k, v in won.items()})
    if {"past_p90", "past_sla"} & set(wanted):
        current = keep(_current(con, ctx, scope, changes))
        builders["past_p90"] = lambda: _past_p90(ctx, current)
        builders["past_sla"] = lambda: _past_sla(con, ctx, current)
    return [part for key in wanted for part in builders[key]()]


def _current(con, ctx: AuditContext, scope: ibis.Table, changes) -> ibis.Table:
    """The current stage of the leads in scope: derived at the last write when it was, else from `changes()`."""
    stored = derived.load(con, CURRENT, reach_table_name(ctx.stages))
    if stored is None:
        return current_stage(scope, changes(), ctx.stages)
    return stored.semi_join(scope, stored.lead_id == scope.lead_id)


DERIVED = "audit_history"  # derived table: every lead's issues that only the data fixes (smarketing.store.derived)
CURRENT = "audit_current"  # derived table: every lead's current stage (lead_id, current_index, current_at)
STATIC_KEYS = tuple(i.key for i in ISSUE_TYPES if i.group != STALE)  # not stale: no filter or setting changes them


def static_key(ctx: AuditContext) -> str:
    """What the stored issues depend on: the stage model, the stages the data records and the issue types the
    data lets us check (whatever a caller asks for)."""
    static = sorted(k for k in STATIC_KEYS if not ctx.lacking(k))
    return f"{reach_table_name(ctx.stages)}|{','.join(ctx.recorded)}|{','.join(static)}"


def refresh_history(con, ctx: AuditContext, scope: ibis.Table) -> None:
    """Store the issues only the data fixes and the current stage of every lead of `scope` (all leads, at the
    end of a write; `ctx` checks STATIC_KEYS)."""
    static = tuple(k for k in STATIC_KEYS if not ctx.lacking(k))
    if static:
        derived.save(con, DERIVED, issue_rows(con, ctx, scope, only=static), static_key(ctx))
    current = current_stage(scope, stage_changes(con, ctx, scope), ctx.stages)
    derived.save(con, CURRENT, current.select("lead_id", "current_index", "current_at"), reach_table_name(ctx.stages))
