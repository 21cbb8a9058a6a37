"""Aggregated journeys: the PathTable the models share, its parameters, and path files.

A PathTable holds one row per distinct path (conversions, value, nulls) with the channel codes of
all paths in flat arrays. It comes from the database (`journeys.path_table`) or from a
path file in the layout other attribution tools use (path, conversions, value, nulls).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

SEP = " > "
CONVERSIONS = ("won", "mql", "sql", "opportunity")
VALUES = ("revenue", "count")
PATH_COLUMNS = ("path", "conversions", "value", "nulls")


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
    def starts(self) -> np.ndarray:
        """Index of the first touch of each path."""
        return np.flatnonzero(self.pos == 0)

    @cached_property
    def is_last(self) -> np.ndarray:
        last = np.zeros(len(self.pos), dtype=bool)
        if len(self.pos):
            last[np.append(self.starts[1:], len(self.pos)) - 1] = True
        return last

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
