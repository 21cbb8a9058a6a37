"""The numbers of a meeting pack, each from the analysis function that computes it for the pages (never
recomputed here): headline KPIs, the lifecycle funnel and its leaks, the hand-off SLA, the channel table,
ROMI under one attribution model and progress against the goal plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from smarketing import planner
from smarketing.attribution import channels
from smarketing.attribution import report as attribution
from smarketing.filters import Filters
from smarketing.funnel import kpis, leaks, lifecycle
from smarketing.leadflow import sla
from smarketing.report.options import PackOptions
from smarketing.stages import StageModel, resolve
from smarketing.store.profile import Profile, data_profile

TOP_LEAKS = 5


@dataclass
class GoalProgress:
    """The goal plan (planner.plan over the options' history) and the window's progress against it
    (planner.progress); `problem` says why there is no plan (no won deal with an amount …)."""

    plan: planner.Plan | None
    progress: pd.DataFrame
    default_target: bool
    problem: str | None = None


@dataclass
class PackContent:
    """Everything a pack shows; profile: what the database holds (its span is the pack's "as of")."""

    options: PackOptions
    stages: tuple[str, ...]
    profile: Profile
    headline: pd.DataFrame
    funnel: pd.DataFrame
    leaks: pd.DataFrame
    sla: sla.SlaReport
    channels: pd.DataFrame
    romi: pd.DataFrame
    conversions: float
    goal: GoalProgress

    @property
    def previous(self) -> Filters:
        return self.options.filters.previous()

    @property
    def first_lead(self) -> date | None:
        return None if pd.isna(self.profile.first_lead) else pd.Timestamp(self.profile.first_lead).date()

    @property
    def last_lead(self) -> date | None:
        return None if pd.isna(self.profile.last_lead) else pd.Timestamp(self.profile.last_lead).date()

    @property
    def has_previous(self) -> bool:
        """False when the previous period lies before the data's first lead (nothing to compare with)."""
        return self.first_lead is not None and self.previous.until >= self.first_lead

    @property
    def has_leads(self) -> bool:
        """True when any lead reached the first stage in scope (else every section is empty)."""
        return bool(len(self.funnel)) and int(self.funnel.leads.iloc[0]) > 0

    @property
    def falls(self) -> pd.DataFrame:
        """The biggest falls in stage-to-stage conversion (the leaks the Overview lists)."""
        return self.leaks[self.leaks.change < 0].head(TOP_LEAKS).reset_index(drop=True)


def gather(con, options: PackOptions, stages: StageModel | None = None) -> PackContent:
    """Run every analysis of the pack under the options' filters."""
    stages = resolve(stages)
    filters = options.filters
    headline = kpis.headline(con, filters, stages)
    funnel = lifecycle.lifecycle_funnel(con, filters, stages)
    found = leaks.leaks(con, filters, stages)
    report = sla.sla_report(con, filters, hours=options.sla_hours, stages=stages)
    table = channels.channel_table(con, filters, by="source_group", stages=stages)
    credited = attribution.attribution(con, attribution.PathParams(), filters, (options.model,), stages=stages)
    spend = attribution.channel_spend(con, filters, credited.paths.channels)
    romi = attribution.channel_romi(credited.credits, spend, options.model)
    held = data_profile(con)
    return PackContent(
        options=options, stages=tuple(stages.names), profile=held, headline=headline,
        funnel=funnel, leaks=found, sla=report, channels=table, romi=romi,
        conversions=float(credited.paths.total_conversions), goal=goal_progress(con, options, stages),
    )


def goal_progress(con, options: PackOptions, stages: StageModel | None = None) -> GoalProgress:
    """The goal plan from the options' history and the window's stage reaches and won revenue against it."""
    stages = resolve(stages)
    history = options.history
    target = options.target
    if target is None:
        target = planner.default_target(planner.run_rate(con, 3, history, stages), options.plan_months)
    try:
        plan = planner.plan(con, target, months=options.plan_months, start=options.plan_start, history=history,
                            stages=stages)
    except ValueError as exc:
        return GoalProgress(None, pd.DataFrame(columns=["item", "needed", "reached", "coverage"]),
                            options.target is None, str(exc))
    happened = lifecycle.lifecycle_funnel(con, options.happened, stages)
    reached = dict(zip(happened.stage, happened.leads.astype(float), strict=True))
    won = kpis.won_revenue(con, options.happened)
    return GoalProgress(plan, planner.progress(plan, reached, won, options.since, options.until),
                        options.target is None)
