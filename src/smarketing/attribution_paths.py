"""Journeys to conversion, aggregated in the database to one row per distinct path.

A lead's journey is its touches (events with a channel) in the lookback window before its conversion
(or, if it did not convert, before its last touch). Journeys are grouped in DuckDB by their sequence
of channel codes; only the aggregate comes back (as Arrow lists, so no Python loop per path), in a
`PathTable` that the models in `attribution_models` share. Path files in the layout of other
attribution tools (path, conversions, value, nulls) load into the same `PathTable`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from smarketing.filters import Filters, cohort_leads, in_window, segment_leads
from smarketing.stages import DEFAULT_STAGES, StageModel

SEP = " > "
CONVERSIONS = ("won", "mql", "sql", "opportunity")
VALUES = ("revenue", "count")
PATH_COLUMNS = ("path", "conversions", "value", "nulls")
SECONDS_PER_DAY = 86_400
MAX_CHANNELS = 1024  # touches sort on (microseconds since 1900) * MAX_CHANNELS + channel code
EPOCH = datetime(1900, 1, 1)


@dataclass(frozen=True)
class PathParams:
    """What counts as a conversion, what it is worth, how far back touches count, time-decay half-life."""

    conversion: str = "won"
    value: str = "revenue"
    lookback_days: int = 90
    half_life_days: float = 7.0

    def __post_init__(self) -> None:
        if self.conversion not in CONVERSIONS:
            raise ValueError(f"conversion must be one of {', '.join(CONVERSIONS)}, got '{self.conversion}'")
        if self.value not in VALUES:
            raise ValueError(f"value must be one of {', '.join(VALUES)}, got '{self.value}'")
        if not 1 <= self.lookback_days <= 3650:
            raise ValueError(f"the lookback window must be 1–3650 days, got {self.lookback_days}")
        if not self.half_life_days > 0:
            raise ValueError(f"the half-life must be positive, got {self.half_life_days}")


@dataclass(frozen=True)
class Touches:
    """Paths exploded to one entry per touch (numpy arrays); per-row arrays are indexed by `row`."""

    channels: list[str]
    row: np.ndarray
    pos: np.ndarray
    code: np.ndarray
    conversions: np.ndarray  # per path row
    value: np.ndarray  # per path row
    nulls: np.ndarray  # per path row
    lengths: np.ndarray  # per path row
    lead_touch: np.ndarray | None = None  # per path row, NaN = unknown
    opportunity_touch: np.ndarray | None = None

    @property
    def n_rows(self) -> int:
        return len(self.conversions)

    @cached_property
    def length(self) -> np.ndarray:
        return self.lengths[self.row]

    @cached_property
    def is_last(self) -> np.ndarray:
        return self.pos == self.length - 1

    def per_touch(self, per_row: np.ndarray) -> np.ndarray:
        return per_row[self.row]

    def row_sum(self, per_touch: np.ndarray) -> np.ndarray:
        """Sum of a per-touch array over each touch's path, repeated per touch."""
        return np.bincount(self.row, per_touch, minlength=self.n_rows)[self.row]

    def credit(self, weight: np.ndarray) -> pd.DataFrame:
        """Credit per channel from per-touch weights that sum to 1 over each path."""
        return self.sum_by_channel(weight * self.conversions[self.row], weight * self.value[self.row])

    def sum_by_channel(self, conversions: np.ndarray, value: np.ndarray) -> pd.DataFrame:
        n = len(self.channels)
        return pd.DataFrame({
            "channel": self.channels,
            "conversions": np.bincount(self.code, conversions, minlength=n),
            "value": np.bincount(self.code, value, minlength=n),
        })

    def subset(self, rows: np.ndarray) -> Touches:
        """Only the paths where `rows` (per path row, boolean) is true, renumbered."""
        keep = rows[self.row]
        new_row = np.cumsum(rows) - 1

        def pick(a):
            return None if a is None else a[rows]

        return Touches(
            self.channels, new_row[self.row[keep]], self.pos[keep], self.code[keep], self.conversions[rows],
            self.value[rows], self.nulls[rows], self.lengths[rows], pick(self.lead_touch),
            pick(self.opportunity_touch),
        )


@dataclass
class PathTable:
    """Distinct paths: `paths` (one row each: conversions, value, nulls, lead_touch, opportunity_touch)
    with their channel codes as flat `codes` split at `offsets`; `decay` is the time-decay credit per
    channel when it was computed from real touch times; `unattributed` counts conversions (and value)
    that had no touch in the lookback window and so cannot be credited to any channel."""

    channels: list[str]
    paths: pd.DataFrame
    codes: np.ndarray
    offsets: np.ndarray
    decay: pd.DataFrame | None = None
    unattributed: tuple[float, float] = (0.0, 0.0)
    _touches: dict = field(default_factory=dict, repr=False)

    @property
    def total_conversions(self) -> float:
        return float(self.paths["conversions"].sum())

    @property
    def total_value(self) -> float:
        return float(self.paths["value"].sum())

    def touches(self, converting_only: bool = False) -> Touches:
        """The exploded arrays (built once); `converting_only` keeps paths with conversions or value."""
        if converting_only not in self._touches:
            if converting_only:
                rows = (self.paths["conversions"].to_numpy() > 0) | (self.paths["value"].to_numpy() > 0)
                self._touches[True] = self.touches().subset(rows)
            else:
                self._touches[False] = self._explode()
        return self._touches[converting_only]

    def _explode(self) -> Touches:
        lengths = np.diff(self.offsets)
        row = np.repeat(np.arange(len(lengths)), lengths)
        frame = self.paths

        def optional(col):
            return frame[col].to_numpy(dtype=float, na_value=np.nan) if col in frame.columns else None

        return Touches(
            channels=self.channels, row=row, pos=np.arange(len(row)) - self.offsets[:-1][row],
            code=self.codes.astype(np.int64), conversions=frame["conversions"].to_numpy(dtype=float),
            value=frame["value"].to_numpy(dtype=float), nulls=frame["nulls"].to_numpy(dtype=float),
            lengths=lengths, lead_touch=optional("lead_touch"), opportunity_touch=optional("opportunity_touch"),
        )

    def path_strings(self, collapse_repeats: bool = False) -> list[str]:
        """Each path as text; collapse_repeats writes a run of one channel once."""
        names = np.asarray(self.channels, dtype=object)
        keep = np.ones(len(self.codes), dtype=bool)
        if collapse_repeats and len(self.codes):
            keep[1:] = self.codes[1:] != self.codes[:-1]
            keep[self.offsets[:-1][np.diff(self.offsets) > 0]] = True  # every path keeps its first touch
        kept = np.concatenate([[0], np.cumsum(keep)])[self.offsets]
        labels = names[self.codes[keep]]
        return [SEP.join(labels[a:b]) for a, b in zip(kept[:-1], kept[1:], strict=True)]

    def to_frame(self, collapse_repeats: bool = False) -> pd.DataFrame:
        """One row per distinct channel path: path, conversions, value, nulls (the path-file layout),
        most conversions first."""
        frame = self.paths[["conversions", "value", "nulls"]].assign(path=self.path_strings(collapse_repeats))
        frame = frame.groupby("path", as_index=False, sort=False)[["conversions", "value", "nulls"]].sum()
        frame = frame.sort_values(["conversions", "nulls", "path"], ascending=[False, False, True], ignore_index=True)
        return frame[list(PATH_COLUMNS)]


# -------------------------------------------------------------------------------------- path files


def from_frame(frame: pd.DataFrame) -> PathTable:
    """A PathTable from rows of path (channels joined by ">"), conversions, value, nulls.

    Optional columns lead_touch and opportunity_touch (1-based positions) feed the W-shaped model.
    """
    check_frame(frame)
    frame = frame.reset_index(drop=True)
    steps = [[s.strip() for s in str(p).split(SEP.strip())] for p in frame["path"]]
    lengths = np.fromiter((len(s) for s in steps), dtype=np.int64, count=len(steps))
    flat = pd.Series([s for path in steps for s in path], dtype=object)
    codes, channels = pd.factorize(flat, sort=True)
    paths = pd.DataFrame({c: pd.to_numeric(frame[c]).astype(float) for c in PATH_COLUMNS[1:]})
    for column in ("lead_touch", "opportunity_touch"):
        if column in frame.columns:
            paths[column] = pd.to_numeric(frame[column], errors="coerce") - 1
    return PathTable(
        channels=[str(c) for c in channels], paths=paths, codes=codes.astype(np.int64),
        offsets=np.concatenate([[0], np.cumsum(lengths)]),
    )


def check_frame(frame: pd.DataFrame) -> None:
    """Raise ValueError naming the row and column when a path table is malformed."""
    missing = [c for c in PATH_COLUMNS if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns))
        raise ValueError(f"the path table needs column(s) {', '.join(missing)} (found: {found})")
    for column in PATH_COLUMNS[1:]:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        bad = numbers.isna() | (numbers < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"row {i + 1}, column {column}: expected a number ≥ 0, got '{frame[column].iloc[i]}'")
    steps = frame["path"].astype("string").fillna("").str.split(SEP.strip())
    blank = steps.map(lambda parts: any(not p.strip() for p in parts))
    if blank.any():
        i = int(np.flatnonzero(blank)[0])
        raise ValueError(f"row {i + 1}, column path: empty channel name in '{frame['path'].iloc[i]}'")


def read_path_file(path) -> PathTable:
    """Load a CSV path file (columns path, conversions, value, nulls)."""
    try:
        frame = pd.read_csv(path, dtype={"path": str}, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the path file ({exc})") from exc
    if frame.empty:
        raise ValueError(f"{path}: the path file has no rows")
    try:
        return from_frame(frame)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc


# ------------------------------------------------------------------------------------ the database


def _conversions(con, params: PathParams, stages: StageModel) -> ibis.Table:
    """lead_id, converted_at, worth (value of the conversion) and opportunity_at (W-shaped milestone)."""
    deals = con.table("deals")
    won = deals.filter(deals.status == "won")
    won = won.group_by("lead_id").aggregate(
        won_at=ibis.coalesce(won.closed_at, won.created_at).min(),
        revenue=won.amount.fill_null(0).sum(),
        won_deal_at=won.created_at.min(),
    )
    if params.conversion == "won":
        table = won.select("lead_id", converted_at=won.won_at, revenue=won.revenue, opportunity_at=won.won_deal_at)
    else:
        from smarketing.funnel import reach_column, stage_reach

        names = {"mql": "MQL", "sql": "SQL", "opportunity": "Opportunity"}
        reach = stage_reach(con, stages)
        column = reach_column(stages.canonical(names[params.conversion]) or names[params.conversion])
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


def _per_lead(con, params: PathParams, filters: Filters, stages: StageModel, touches: ibis.Table) -> ibis.Table:
    """One row per journey: its path (channel codes in time order) and what W-shaped needs.

    One pass over the events: each lead's touch keys are collected unordered, then the lookback
    window (ending at the conversion, or at the last touch) is applied to that list and the list
    sorted; all in key space, so no second scan or join of the events is needed.
    """
    lists = touches.group_by("lead_id").aggregate(keys=touches.packed.collect(include_null=True))
    lists = lists.rename(_l_lead="lead_id")
    leads = _left(_scope(con, filters), _conversions(con, params, stages))
    per = leads.join(lists, leads.lead_id == lists._l_lead).drop("_l_lead")
    end_us = ibis.coalesce(_key(per.converted_at) // MAX_CHANNELS, per["keys"].maxs() // MAX_CHANNELS)
    if filters.mode == "period":
        if filters.start is not None:
            per = per.filter(end_us >= _micros(filters.start))
        if filters.end is not None:
            per = per.filter(end_us < _micros(filters.end))
    lookback = params.lookback_days * SECONDS_PER_DAY * 1_000_000
    low, high = (end_us - lookback) * MAX_CHANNELS, (end_us + 1) * MAX_CHANNELS
    steps = per["keys"].filter(lambda k: (k >= low) & (k < high)).sort()
    per = per.mutate(steps=steps).filter(lambda t: t.steps.length() > 0)
    return _path_rows(per)


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
        steps=per.steps.map(lambda k: (k % MAX_CHANNELS).cast("int16")),
        conversions=converted.cast("int64"),
        value=converted.ifelse(per.worth.fill_null(0), 0.0),
        lead_touch=converted.ifelse(lead_touch, null),
        opportunity_touch=converted.ifelse(opp_touch, null),
    )


def _decay_by_channel(touches: ibis.Table, converters: ibis.Table, params: PathParams) -> ibis.Table:
    """Time-decay credit per channel code: each converting lead's touches weighted 2^(-age/half-life)."""
    window = converters.select(
        _c_lead="lead_id", end_at="converted_at", worth="worth",
        start_at=converters.converted_at - ibis.interval(days=params.lookback_days),
    )
    conv = touches.join(window, touches.lead_id == window._c_lead)
    conv = conv.filter((conv.ts <= conv.end_at) & (conv.ts >= conv.start_at))
    age = (conv.end_at.epoch_seconds() - conv.ts.epoch_seconds()) / SECONDS_PER_DAY
    conv = conv.mutate(w=ibis.literal(0.5) ** (age / params.half_life_days))
    conv = conv.mutate(share=conv.w / conv.w.sum().over(group_by=conv.lead_id))
    return conv.group_by("code").aggregate(
        conversions=conv.share.sum(), value=(conv.share * conv.worth.fill_null(0)).sum()
    )


def path_table(
    con, params: PathParams = PathParams(), filters: Filters | None = None, stages: StageModel = DEFAULT_STAGES
) -> PathTable:
    """Aggregate the journeys in scope to distinct paths (plus time-decay credit and unattributed counts)."""
    filters = filters or Filters()
    channels = _channel_codes(con).select("channel", "code").distinct().order_by("code").execute()["channel"].tolist()
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
    decay = _decay_by_channel(touches, converters, params).execute()
    decay = pd.DataFrame({"channel": channels}).assign(
        conversions=lambda d: d.index.map(dict(zip(decay["code"], decay["conversions"], strict=True))),
        value=lambda d: d.index.map(dict(zip(decay["code"], decay["value"], strict=True))),
    ).fillna(0.0)
    table = PathTable(channels, paths, codes, offsets, decay)
    table.unattributed = _unattributed(converters, table)
    return table


def _unattributed(converted: ibis.Table, table: PathTable) -> tuple[float, float]:
    """Conversions (and value) in scope minus those on a path: the ones without a touch in the window."""
    row = converted.aggregate(n=converted.count(), v=converted.worth.fill_null(0).sum()).execute().iloc[0]
    value = float(row["v"]) if pd.notna(row["v"]) else 0.0
    return float(row["n"] or 0) - table.total_conversions, max(value - table.total_value, 0.0)
