"""Journeys to conversion aggregated in the database (DuckDB via Ibis) to one row per distinct path.

A lead's journey is its touches (events with a channel) in the lookback window before its conversion
(or, if it did not convert, before its last touch). Each touch becomes one int64 key that sorts like
(time, channel code); the keys are collected per lead in one pass over the events, windowed and
sorted as lists, and grouped by the resulting code sequence. Only the aggregate comes back (Arrow
lists, so no Python loop per path) as an `paths.PathTable`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from smarketing.attribution.paths import PathParams, PathTable
from smarketing.deals import won_deals
from smarketing.filters import ALL_TIME, Filters, cohort_leads, in_window, segment_leads
from smarketing.frozen import frozen_fact
from smarketing.reach import reach_column, reach_table_name, stage_reach
from smarketing.stages import StageModel, resolve
from smarketing.store import derived

SECONDS_PER_DAY = 86_400
MAX_CHANNELS = 1024  # touches sort on (microseconds since 1900) * MAX_CHANNELS + channel code
EPOCH = datetime(1900, 1, 1)


def _conversions(con, params: PathParams, stages: StageModel) -> ibis.Table:
    """lead_id, converted_at, worth (value of the conversion) and opportunity_at (W-shaped milestone)."""
    won = won_deals(con)
    won = won.group_by("lead_id").aggregate(
        won_at=ibis.coalesce(won.closed_at, won.created_at).min(),
        revenue=won.amount.fill_null(0).sum(),
        won_deal_at=won.created_at.min(),
    )
    if params.conversion == "won":
        table = won.select("lead_id", converted_at=won.won_at, revenue=won.revenue, opportunity_at=won.won_deal_at)
    else:
        reach = stage_reach(con, stages)
        column = reach_column(stages.require(params.conversion, "attribution to this conversion"))
        reached = _left(reach.filter(reach[column].notnull()).select("lead_id", column), won)
        table = reached.select(
            "lead_id", converted_at=reached[column], revenue=reached.revenue.fill_null(0),
            opportunity_at=ibis.null("timestamp"),
        )
    worth = table.revenue if params.value == "revenue" else ibis.literal(1.0)
    return table.select("lead_id", "converted_at", "opportunity_at", worth=worth.cast("float64"))


def _channel_codes(con) -> ibis.Table:
    """raw (the channel as stored), channel (trimmed) and code (0-based, in channel order)."""
    events = con.table("events")
    raw = events.select(raw=events.channel).filter(lambda t: t.raw.notnull()).distinct()
    raw = raw.mutate(channel=raw.raw.strip()).filter(lambda t: t.channel != "")
    return raw.mutate(code=ibis.dense_rank().over(order_by=raw.channel).cast("int16"))


def _key(ts: ibis.Value) -> ibis.Value:
    """A timestamp as the smallest packed touch key at that microsecond."""
    return ts.delta(ibis.literal(EPOCH), unit="microsecond") * MAX_CHANNELS


def _touches(con) -> ibis.Table:
    """lead_id, ts, code and packed: one int64 that sorts like (ts, code), so that a plain sort of an
    unordered list gives the path (much faster in DuckDB than an ordered list aggregate)."""
    events = con.table("events")
    codes = _channel_codes(con)
    touches = events.join(codes, events.channel == codes.raw).select("lead_id", "ts", "code")
    return touches.mutate(packed=_key(touches.ts) + touches.code)


def _scope(con, filters: Filters) -> ibis.Table:
    leads = con.table("leads")
    scope = cohort_leads(leads, filters) if filters.mode == "cohort" else segment_leads(leads, filters)
    return scope.select("lead_id", "created_at")


def _converters(con, params: PathParams, filters: Filters, stages: StageModel) -> ibis.Table:
    """Leads in scope that converted (in the window, in period mode), with their conversion facts."""
    scope, conv = _scope(con, filters), _conversions(con, params, stages).rename(_conv_lead="lead_id")
    converters = scope.join(conv, scope.lead_id == conv._conv_lead).drop("_conv_lead")
    if filters.mode == "period":
        converters = converters.filter(in_window(converters.converted_at, filters))
    return converters


def _left(table: ibis.Table, other: ibis.Table) -> ibis.Table:
    """Left join on lead_id keeping one lead_id column."""
    other = other.rename(_other_lead="lead_id")
    return table.left_join(other, table.lead_id == other._other_lead).drop("_other_lead")


def _micros(moment) -> int:
    return int((moment - EPOCH) / timedelta(microseconds=1))


def _journeys(con, params: PathParams, stages: StageModel, scope: ibis.Table, touches: ibis.Table) -> ibis.Table:
    """One row per journey of a lead in `scope`: lead_id, end_us (when the journey ends: the conversion, else
    the last touch, in microseconds since EPOCH), its path (channel codes in time order) and what W-shaped
    needs.

    One pass over the events: each lead's touch keys are collected unordered, then the lookback
    window (ending at the conversion, or at the last touch) is applied to that list and the list
    sorted; all in key space, so no second scan or join of the events is needed.
    """
    lists = touches.group_by("lead_id").aggregate(keys=touches.packed.collect(include_null=True))
    lists = lists.rename(_l_lead="lead_id")
    leads = _left(scope, _conversions(con, params, stages))
    per = leads.join(lists, leads.lead_id == lists._l_lead).drop("_l_lead")
    per = per.mutate(end_us=ibis.coalesce(_key(per.converted_at) // MAX_CHANNELS, per["keys"].maxs() // MAX_CHANNELS))
    lookback = params.lookback_days * SECONDS_PER_DAY * 1_000_000
    low, high = (per.end_us - lookback) * MAX_CHANNELS, (per.end_us + 1) * MAX_CHANNELS
    steps = per["keys"].filter(lambda k: (k >= low) & (k < high)).sort()
    per = per.mutate(steps=steps).filter(lambda t: t.steps.length() > 0)
    return _path_rows(per)


def _per_lead(con, params: PathParams, filters: Filters, stages: StageModel, touches: ibis.Table) -> ibis.Table:
    """The journeys in scope: from the derived table the last write built (smarketing.store.derived) when it
    holds these parameters, else computed from the events; in period mode, those ending in the window."""
    scope = _scope(con, filters)
    stored = derived.load(con, JOURNEYS, _journeys_key(params, stages))
    if stored is None:
        per = _journeys(con, params, stages, scope, touches)
    else:
        per = stored.semi_join(scope, stored.lead_id == scope.lead_id)
    if filters.mode == "period":
        if filters.start is not None:
            per = per.filter(per.end_us >= _micros(filters.start))
        if filters.end is not None:
            per = per.filter(per.end_us < _micros(filters.end))
    return per


def _path_rows(per: ibis.Table) -> ibis.Table:
    """steps as channel codes, conversions, value, and the W-shaped milestone positions."""
    n = per.steps.length()
    # the touches at or before a moment: keys below the first key of the next microsecond
    lead_end = _key(per.created_at) + MAX_CHANNELS
    opp_end = _key(per.opportunity_at) + MAX_CHANNELS
    lead_touch = ibis.greatest(per.steps.filter(lambda k: k < lead_end).length() - 1, 0)
    opp_touch = per.opportunity_at.isnull().ifelse(
        n - 1, ibis.greatest(per.steps.filter(lambda k: k < opp_end).length() - 1, 0))
    converted = per.converted_at.notnull()
    null = ibis.null("int64")
    return per.select(
        "lead_id", "end_us",
        steps=per.steps.map(lambda k: (k % MAX_CHANNELS).cast("int16")),
        conversions=converted.cast("int64"),
        value=converted.ifelse(per.worth.fill_null(0), 0.0),
        lead_touch=converted.ifelse(lead_touch, null),
        opportunity_touch=converted.ifelse(opp_touch, null),
    )


def _decay_rows(touches: ibis.Table, converters: ibis.Table, params: PathParams) -> ibis.Table:
    """Time-decay credit per converting lead and channel code: each touch in the lookback weighted
    2^(-age/half-life), the weights of a lead summing to its one conversion (and its value)."""
    window = converters.select(
        _c_lead="lead_id", end_at="converted_at", worth="worth",
        start_at=converters.converted_at - ibis.interval(days=params.lookback_days),
    )
    conv = touches.join(window, touches.lead_id == window._c_lead)
    conv = conv.filter((conv.ts <= conv.end_at) & (conv.ts >= conv.start_at))
    age = (conv.end_at.epoch_seconds() - conv.ts.epoch_seconds()) / SECONDS_PER_DAY
    conv = conv.mutate(w=ibis.literal(0.5) ** (age / params.half_life_days))
    conv = conv.mutate(share=conv.w / conv.w.sum().over(group_by=conv.lead_id))
    return conv.group_by("lead_id", "code").aggregate(
        conversions=conv.share.sum(), value=(conv.share * conv.worth.fill_null(0)).sum()
    )


def _decay_by_channel(con, touches: ibis.Table, converters: ibis.Table, params: PathParams,
                      stages: StageModel) -> pd.DataFrame:
    """Time-decay credit per channel (channel, conversions, value) of the converters in scope; from the
    derived table of the last write when it holds these parameters."""
    stored = derived.load(con, DECAY, _decay_key(params, stages))
    if stored is None:
        rows = _decay_rows(touches, converters, params)
    else:
        rows = stored.semi_join(converters, stored.lead_id == converters.lead_id)
    decay = rows.group_by("code").aggregate(conversions=rows.conversions.sum(), value=rows.value.sum()).execute()
    channels = _channels(con)
    return pd.DataFrame({"channel": channels}).assign(
        conversions=lambda d: d.index.map(dict(zip(decay["code"], decay["conversions"], strict=True))),
        value=lambda d: d.index.map(dict(zip(decay["code"], decay["value"], strict=True))),
    ).fillna(0.0)


def _channels(con) -> list[str]:
    """The channels of the events, in code order (once per read-only file version)."""
    return frozen_fact(con, "attribution channels", lambda: _channel_codes(con).select("channel", "code").distinct()
                       .order_by("code").execute()["channel"].tolist())


def path_table(
    con, params: PathParams | None = None, filters: Filters | None = None, stages: StageModel | None = None
) -> PathTable:
    """Aggregate the journeys in scope to distinct paths (plus time-decay credit and unattributed counts)."""
    stages = resolve(stages)
    params, filters = params or PathParams(), filters or Filters()
    channels = _channels(con)
    if len(channels) > MAX_CHANNELS:
        raise ValueError(f"attribution handles at most {MAX_CHANNELS} channels, the events have {len(channels)}")
    touches = _touches(con)
    per_lead = _per_lead(con, params, filters, stages, touches)
    grouped = per_lead.group_by("steps", "lead_touch", "opportunity_touch").aggregate(
        conversions=per_lead.conversions.sum(), value=per_lead.value.sum(),
        nulls=(1 - per_lead.conversions).sum(),
    )
    # deterministic row order without sorting on the lists themselves (hash ties only reorder rows)
    order = [ibis.desc("conversions"), ibis.desc("nulls"), grouped.steps.hash(), "lead_touch", "opportunity_touch"]
    arrow = grouped.order_by(order).to_pyarrow()
    steps = arrow.column("steps").combine_chunks() if arrow.num_rows else pa.array([], pa.list_(pa.int16()))
    codes = steps.flatten().to_numpy(zero_copy_only=False).astype(np.int64)
    offsets = steps.offsets.to_numpy().astype(np.int64)
    offsets = offsets - offsets[0] if len(offsets) else np.zeros(1, dtype=np.int64)
    paths = arrow.drop_columns(["steps"]).to_pandas()
    paths = paths.astype({"conversions": float, "value": float, "nulls": float})
    converters = _converters(con, params, filters, stages)
    decay = _decay_by_channel(con, touches, converters, params, stages)
    table = PathTable(channels, paths, codes, offsets, decay)
    table.unattributed = _unattributed(converters, table)
    return table


# ------------------------------------------------------------------------------- derived per version

JOURNEYS, DECAY = "journeys", "journey_decay"
DERIVED_PARAMS = PathParams()  # what the derived tables hold: the page's and the CLI's defaults


def _journeys_key(params: PathParams, stages: StageModel) -> str:
    """What a stored journey depends on: the conversion, its value, the lookback and the stage model."""
    return f"{params.conversion}|{params.value}|{params.lookback_days}|{reach_table_name(stages)}"


def _decay_key(params: PathParams, stages: StageModel) -> str:
    return f"{_journeys_key(params, stages)}|{params.half_life_days!r}"


def refresh_journeys(con, stages: StageModel | None = None, params: PathParams = DERIVED_PARAMS) -> None:
    """Store every lead's journey and time-decay credit for `params` (at the end of a write)."""
    stages = resolve(stages)
    touches = _touches(con)
    everyone = con.table("leads").select("lead_id", "created_at")
    derived.save(con, JOURNEYS, _journeys(con, params, stages, everyone, touches), _journeys_key(params, stages))
    converters = _converters(con, params, ALL_TIME, stages)
    derived.save(con, DECAY, _decay_rows(touches, converters, params), _decay_key(params, stages))


def _unattributed(converted: ibis.Table, table: PathTable) -> tuple[float, float]:
    """Conversions (and value) in scope minus those on a path: the ones without a touch in the window."""
    row = converted.aggregate(n=converted.count(), v=converted.worth.fill_null(0).sum()).execute().iloc[0]
    value = float(row["v"]) if pd.notna(row["v"]) else 0.0
    return float(row["n"] or 0) - table.total_conversions, max(value - table.total_value, 0.0)
