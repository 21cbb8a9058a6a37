"""The sections of a meeting pack, each drawn from its part of PackContent: headline KPIs, the funnel and its
leaks, the hand-off SLA, channels to ROMI and progress against the goal plan."""

from __future__ import annotations

import pandas as pd

from smarketing.attribution.channels import TOTAL_LABEL
from smarketing.formatting import (
    fmt_change,
    fmt_days,
    fmt_hours,
    fmt_int,
    fmt_money,
    fmt_p,
    fmt_pct,
    fmt_points,
    fmt_ratio,
)
from smarketing.funnel.lifecycle import shown_funnel
from smarketing.labels import label, t
from smarketing.report import svg
from smarketing.report.blocks import (
    Column,
    block,
    card,
    csv_link,
    masked,
    note,
    section,
    side_by_side,
    table,
    text_column,
)
from smarketing.report.content import PackContent

KPI_LABELS = {"Leads": "pack_kpi_leads", "Won revenue": "won_revenue", "Lead → customer": "pack_kpi_lead_to_customer",
              "Median days lead → customer": "pack_kpi_days_to_customer"}
KPI_FORMAT = {"count": fmt_int, "money": fmt_money, "pct": lambda v: fmt_pct(v, 2), "days": fmt_days}


def _day(value) -> str:
    return f"{value:%Y-%m-%d}"


def _pct(v) -> str:
    return fmt_pct(v)


def _number(v) -> float:
    """A value to draw (NaN: no bar)."""
    return float(v) if pd.notna(v) else float("nan")


def kpis(c: PackContent) -> str:
    """Cards of the headline KPIs with their change: rates in points, everything else relative."""
    cards = []
    for row in c.headline.itertuples():
        show = KPI_FORMAT[row.kind]
        if row.kind == "pct":
            diff = row.value - row.previous if c.has_previous else float("nan")
            change = fmt_points(diff)
        else:
            diff = row.change if c.has_previous else float("nan")
            change = fmt_change(diff)
        better = -diff if row.kind == "days" else diff
        tone = "flat" if diff != diff or diff == 0 else "good" if better > 0 else "bad"
        previous = t("pack_previous").format(value=show(row.previous) if c.has_previous else "–")
        cards.append(card(row.metric, t(KPI_LABELS[row.metric]) if row.metric in KPI_LABELS else label(row.metric),
                          show(row.value), change, tone, previous))
    parts = [f'<div class="cards">{"".join(cards)}</div>', f'<p class="caption">{t("pack_kpi_caption")}</p>']
    if not c.has_previous:
        parts.append(_no_previous(c))
    parts.append(csv_link(c.headline, "kpis", c.options.unmask))
    return section("kpis", t("pack_kpis"), *parts)


def _no_previous(c: PackContent) -> str:
    start = _day(c.first_lead) if c.first_lead else "–"
    return note(t("pack_no_previous").format(start=start))


def funnel(c: PackContent) -> str:
    recorded = c.funnel[c.funnel.recorded]
    bars = [svg.Bar(label(r.stage), float(r.leads), fmt_int(r.leads) if i == 0 else
                    f"{fmt_int(r.leads)} · {_pct(r.conversion_from_previous)}")
            for i, r in enumerate(recorded.itertuples())]
    chart = svg.funnel(bars, t("pack_funnel_chart"))
    columns = [text_column("stage", t("stage"), labelled=True), Column("leads", t("leads"), fmt_int),
               Column("conversion_from_previous", t("conversion_from_previous"), _pct),
               Column("conversion_from_first", t("conversion_from_first"), _pct),
               Column("median_days_from_previous", t("median_days_from_previous"), fmt_days)]
    funnel_part = block(t("pack_funnel_chart"), side_by_side(chart, table(shown_funnel(c.funnel), columns, "funnel",
                                                                        c.options.unmask)))
    return section("funnel", t("pack_funnel"), funnel_part, leaks(c))


def leaks(c: PackContent) -> str:
    """The biggest falls in stage-to-stage conversion against the previous period, with their significance."""
    before = c.previous
    caption = t("pack_leaks_caption").format(since=_day(before.since), until=_day(before.until))
    falls = c.falls
    if not c.has_previous:
        return block(t("pack_leaks"), _no_previous(c))
    if c.leaks.empty:
        return block(t("pack_leaks"), note(t("pack_no_conversions_to_compare")))
    if falls.empty:
        return block(t("pack_leaks"), note(t("no_leaks"), "good"), f'<p class="caption">{caption}</p>')
    rows = [(masked(label(r.transition), c.options.unmask), r.rate_before, r.rate_now, f"{_pct(r.rate_before)} → {_pct(r.rate_now)} "
             f"({fmt_points(r.change)})") for r in falls.itertuples()]
    chart = svg.paired(rows, t("pack_leaks"), t("pack_before").format(since=_day(before.since),
                                                                       until=_day(before.until)),
                       t("pack_now").format(since=_day(c.options.since), until=_day(c.options.until)))
    columns = [text_column("transition", t("transition"), labelled=True), Column("rate_before", t("rate_before"), _pct),
               Column("rate_now", t("rate_now"), _pct), Column("change", t("change"), fmt_points),
               Column("p_value", t("p_value"), fmt_p),
               Column("q_value", t("q_value"), fmt_p),
               Column("significant", t("significant"), lambda v: t("pack_yes") if v else "–", number=False)]
    return block(t("pack_leaks"), side_by_side(chart, table(falls, columns, "leaks", c.options.unmask,
                                                            caption=caption)))


def handoffs(c: PackContent) -> str:
    """The MQL hand-off SLA by owner: accepted within the SLA, returned (and why), waiting."""
    report, hours = c.sla, f"{c.options.sla_hours:g}"
    s = report.summary.iloc[0]
    if int(s["dispatched"]) == 0:
        missing = "pack_no_handoffs" if c.profile.has("handoffs") else "missing_handoffs"
        return section("sla", t("pack_sla"), note(t(missing)))
    summary = t("pack_sla_summary").format(n=fmt_int(s["dispatched"]), met=_pct(s["sla_met_share"]), hours=hours,
                                           returned=fmt_int(s["returned"]), waiting=fmt_int(s["pending"]))
    owners = report.by_owner
    unmask = c.options.unmask
    chart = svg.bars([svg.Bar(masked(o.owner, unmask), _number(o.sla_met_share), _pct(o.sla_met_share))
                      for o in owners.itertuples()], t("pack_sla_owner_chart").format(hours=hours), reference=1.0)
    columns = [text_column("owner", t("owner")), Column("dispatched", t("dispatched"), fmt_int),
               Column("sla_met", t("pack_accepted_in").format(hours=hours), fmt_int),
               Column("sla_met_share", t("sla_met_share"), _pct), Column("returned", t("returned"), fmt_int),
               Column("pending", t("pack_waiting"), fmt_int), Column("never_accepted", t("never_accepted"), fmt_int),
               Column("median_hours_to_accept", t("median_hours_to_accept"), fmt_hours)]
    owner_part = block(t("pack_sla_owners"), f'<p class="lead">{summary}</p>',
                       side_by_side(chart, table(owners, columns, "sla_by_owner", c.options.unmask)))
    if report.reasons.empty:
        reasons = block(t("pack_reasons"), note(t("pack_no_returns")))
    else:
        reason_columns = [text_column("return_reason", t("return_reason")), Column("returns", t("returns"), fmt_int),
                          Column("share", t("share"), _pct),
                          Column("median_hours_to_return", t("median_hours_to_return"), fmt_hours)]
        reasons = block(t("pack_reasons"), table(report.reasons, reason_columns, "return_reasons",
                                                 c.options.unmask), klass="narrow")
    return section("sla", t("pack_sla"), owner_part, reasons)


def _is_total(row: pd.Series) -> bool:
    return row.iloc[0] == TOTAL_LABEL


def channels(c: PackContent) -> str:
    """The full-chain channel table by source group, then ROMI per channel under the chosen model."""
    group = Column("source_group", t("source_group"), lambda v: label(v) if v == TOTAL_LABEL else str(v), number=False)
    columns = [group, Column("cost", t("cost"), fmt_money),
               Column("leads", t("leads"), fmt_int), Column("mql", t("mql"), fmt_int),
               Column("sql", t("sql"), fmt_int), Column("customers", t("customers"), fmt_int),
               Column("won_revenue", t("won_revenue"), fmt_money),
               Column("cost_per_lead", t("cost_per_lead"), fmt_money), Column("romi", t("romi"), fmt_ratio)]
    chain = block(t("pack_channel_table"), "" if c.profile.has("spend") else note(t("missing_spend")),
                  table(c.channels, columns, "channel_table", c.options.unmask, strong=_is_total,
                        caption=t("pack_channel_caption")))
    model = t(f"model_{c.options.model}")
    title = t("pack_romi").format(model=model)
    if c.romi.empty or c.conversions == 0:
        missing = "pack_no_conversions" if c.profile.events_with_channel else "missing_touches"
        return section("channels", t("pack_channels"), chain, block(title, note(t(missing))))
    chart = svg.bars([svg.Bar(masked(r.channel, c.options.unmask), _number(r.romi), fmt_ratio(r.romi))
                      for r in c.romi.itertuples()], title)
    romi_columns = [text_column("channel", t("channel")), Column("cost", t("cost"), fmt_money),
                    Column("conversions", t("credited_conversions"), lambda v: f"{v:,.1f}"),
                    Column("value", t("credited_value"), fmt_money),
                    Column("cost_per_conversion", t("cost_per_conversion"), fmt_money),
                    Column("romi", t("romi"), fmt_ratio)]
    romi = block(title, side_by_side(chart, table(c.romi, romi_columns, f"romi_{c.options.model}", c.options.unmask,
                                                  caption=t("help_romi_model"))))
    return section("channels", t("pack_channels"), chain, romi)


def goal(c: PackContent) -> str:
    """The window's stage reaches and won revenue against what the goal plan needs in it."""
    g = c.goal
    if g.plan is None:
        return section("goal", t("pack_goal"), note(t("pack_no_plan").format(reason=g.problem)))
    plan = g.plan
    text = t("pack_plan_text").format(target=fmt_money(plan.revenue), months=plan.months, start=f"{plan.start:%Y-%m}",
                                      deal=fmt_money(plan.assumptions.deal_size),
                                      since=_day(c.options.history.since), until=_day(c.options.history.until))
    if g.default_target:
        text += " " + t("pack_plan_default")
    stages = g.progress[g.progress.item != "won_revenue"]
    revenue = g.progress[g.progress.item == "won_revenue"].iloc[0]
    chart = svg.bars([svg.Bar(label(r.item), _number(r.coverage),
                              f"{fmt_int(r.reached)} / {fmt_int(r.needed)} · {_pct(r.coverage)}")
                      for r in stages.itertuples()], t("pack_progress_chart"), reference=1.0,
                     reference_text=t("pack_plan_line"))
    columns = [text_column("item", t("stage"), labelled=True), Column("needed", t("pack_needed_window"), fmt_int),
               Column("reached", t("pack_reached"), fmt_int), Column("coverage", t("pack_coverage"), _pct)]
    won = t("pack_revenue_progress").format(won=fmt_money(revenue.reached), needed=fmt_money(revenue.needed),
                                            share=_pct(revenue.coverage))
    return section("goal", t("pack_goal"), f'<p class="lead">{text}</p>', f'<p class="lead">{won}</p>',
                   block(t("pack_progress_chart"), side_by_side(chart, table(stages, columns, "goal_progress",
                                                                             c.options.unmask))))
