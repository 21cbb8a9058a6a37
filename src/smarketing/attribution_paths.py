"""Journeys to conversion, aggregated in the database to one row per distinct path.

A lead's journey is its touches (events with a channel) in the lookback window before its conversion
(or, if it did not convert, before its last touch). Journeys are grouped in DuckDB by their sequence
of channel codes; only the aggregate comes back (as Arrow lists, so no Python loop per path), in a
`PathTable` that the models in `attribution_models` share. Path files in the layout of other
attribution tools (path, conversions, value, nulls) load into the same `PathTable`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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
    events = con.table("events")
    names = events.select(channel=events.channel.strip()).filter(lambda t: t.channel.notnull() & (t.channel != ""))
    names = names.distinct()
    return names.mutate(code=ibis.dense_rank().over(order_by=names.channel).cast("int16"))  # 0-based


def _journey_touches(con, params: PathParams, filters: Filters, stages: StageModel):
    """(journeys: one row per lead in scope, touches: each touch in its lead's lookback window)."""
    events = con.table("events")
    codes = _channel_codes(con)
    touches = events.select("lead_id", "ts", channel=events.channel.strip())
    touches = touches.join(codes, "channel").select("lead_id", "ts", "code")
    # One int64 that sorts like (ts, code): a plain sort of an unordered list is far faster in DuckDB
    # than an ordered aggregate (list(code ORDER BY ts)), which dominated the query time.
    touches = touches.mutate(packed=touches.ts.delta(ibis.literal(EPOCH), unit="microsecond") * MAX_CHANNELS + touches.code)
    last = touches.group_by("lead_id").aggregate(last_ts=touches.ts.max())
    leads = con.table("leads")
    scope = cohort_leads(leads, filters) if filters.mode == "cohort" else segment_leads(leads, filters)
    scope = scope.select("lead_id", "created_at")
    conv = _conversions(con, params, stages)
    journeys = _left(_left(scope, conv), last)
    journeys = journeys.mutate(end_at=ibis.coalesce(journeys.converted_at, journeys.last_ts))
    journeys = journeys.filter(journeys.end_at.notnull())
    if filters.mode == "period":
        journeys = journeys.filter(in_window(journeys.end_at, filters))
    journeys = journeys.mutate(start_at=journeys.end_at - ibis.interval(days=params.lookback_days))
    joined = touches.join(journeys, "lead_id")
    joined = joined.filter((joined.ts <= joined.end_at) & (joined.ts >= joined.start_at))
    return journeys, joined


def _left(table: ibis.Table, other: ibis.Table) -> ibis.Table:
    """Left join on lead_id keeping one lead_id column."""
    other = other.rename(_other_lead="lead_id")
    return table.left_join(other, table.lead_id == other._other_lead).drop("_other_lead")


def _per_lead(joined: ibis.Table) -> ibis.Table:
    converted = joined.converted_at.notnull()
    n = joined.count()
    before_lead = (joined.ts <= joined.created_at).sum()
    before_opp = (joined.ts <= joined.opportunity_at).sum()
    agg = joined.group_by("lead_id").aggregate(
        steps=joined.packed.collect().sort().map(lambda x: (x % MAX_CHANNELS).cast("int16")),
        converted=converted.any(),
        worth=joined.worth.max(),
        n=n,
        before_lead=before_lead,
        before_opp=before_opp,
        has_opp=joined.opportunity_at.max().notnull(),
    )
    lead_touch = ibis.greatest(agg.before_lead - 1, 0)
    opp_touch = agg.has_opp.ifelse(ibis.greatest(agg.before_opp - 1, 0), agg.n - 1)
    null = ibis.null("int64")
    return agg.select(
        "steps",
        conversions=agg.converted.cast("int64"),
        value=agg.converted.ifelse(agg.worth.fill_null(0), 0.0),
        lead_touch=agg.converted.ifelse(lead_touch, null),
        opportunity_touch=agg.converted.ifelse(opp_touch, null),
    )


def _decay_by_channel(joined: ibis.Table, half_life_days: float) -> ibis.Table:
    """Time-decay credit per channel code: each converting lead's touches weighted 2^(-age/half-life)."""
    conv = joined.filter(joined.converted_at.notnull())
    age = (conv.end_at.epoch_seconds() - conv.ts.epoch_seconds()) / SECONDS_PER_DAY
    conv = conv.mutate(w=ibis.literal(0.5) ** (age / half_life_days))
    conv = conv.mutate(share=conv.w / conv.w.sum().over(group_by=conv.lead_id))
    return conv.group_by("code").aggregate(
        conversions=conv.share.sum(), value=(conv.share * conv.worth.fill_null(0)).sum()
    )


def path_table(
    con, params: PathParams = PathParams(), filters: Filters | None = None, stages: StageModel = DEFAULT_STAGES
) -> PathTable:
    """Aggregate the journeys in scope to distinct paths (plus time-decay credit and unattributed counts)."""
    filters = filters or Filters()
    channels = _channel_codes(con).order_by("code").execute()["channel"].tolist()
    if len(channels) > MAX_CHANNELS:
        raise ValueError(f"attribution handles at most {MAX_CHANNELS} channels, the events have {len(channels)}")
    journeys, joined = _journey_touches(con, params, filters, stages)
    per_lead = _per_lead(joined)
    grouped = per_lead.group_by("steps", "lead_touch", "opportunity_touch").aggregate(
        conversions=per_lead.conversions.sum(), value=per_lead.value.sum(),
        nulls=(1 - per_lead.conversions).sum(),
    )
    order = [ibis.desc("conversions"), ibis.desc("nulls"), "steps", "lead_touch", "opportunity_touch"]
    arrow = grouped.order_by(order).to_pyarrow()
    steps = arrow.column("steps").combine_chunks() if arrow.num_rows else pa.array([], pa.list_(pa.int16()))
    codes = steps.flatten().to_numpy(zero_copy_only=False).astype(np.int64)
    offsets = steps.offsets.to_numpy().astype(np.int64)
    offsets = offsets - offsets[0] if len(offsets) else np.zeros(1, dtype=np.int64)
    paths = arrow.drop_columns(["steps"]).to_pandas()
    paths = paths.astype({"conversions": float, "value": float, "nulls": float})
    decay = _decay_by_channel(joined, params.half_life_days).execute()
    decay = pd.DataFrame({"channel": channels}).assign(
        conversions=lambda d: d.index.map(dict(zip(decay["code"], decay["conversions"], strict=True))),
        value=lambda d: d.index.map(dict(zip(decay["code"], decay["value"], strict=True))),
    ).fillna(0.0)
    table = PathTable(channels, paths, codes, offsets, decay)
    table.unattributed = _unattributed(journeys, table)
    return table


def _unattributed(journeys: ibis.Table, table: PathTable) -> tuple[float, float]:
    """Conversions (and value) in scope minus those on a path: the ones without a touch in the window."""
    converted = journeys.filter(journeys.converted_at.notnull())
    row = converted.aggregate(n=converted.count(), v=converted.worth.fill_null(0).sum()).execute().iloc[0]
    value = float(row["v"]) if pd.notna(row["v"]) else 0.0
    return float(row["n"] or 0) - table.total_conversions, max(value - table.total_value, 0.0)
