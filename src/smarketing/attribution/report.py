"""Channel attribution: what the page and the CLI call.

The pieces live in small modules: `journeys` (journeys aggregated in the database),
`paths` (the aggregated path table and path files),
`models` (the eight models), `markov` (the exact Markov solution) and
`channels` (the full-chain channel table). This module ties them together and adds the views built
on credits: the side-by-side table, ROMI per channel, top paths and journey flows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from smarketing.attribution import markov
from smarketing.attribution.channels import LEVELS, spend_by
from smarketing.attribution.journeys import path_table
from smarketing.attribution.models import HEURISTIC, MODELS, ModelOptions, attribute
from smarketing.attribution.paths import CONVERSIONS, SEP, VALUES, PathParams, PathTable, read_path_file
from smarketing.filters import Filters, unsplit_segments
from smarketing.stages import StageModel, resolve

MORE, CONVERTED, NOT_CONVERTED = "… more touches", "Converted", "No conversion"

__all__ = [
    "CONVERSIONS", "HEURISTIC", "MODELS", "VALUES", "Attribution", "ModelOptions", "PathParams", "PathTable",
    "attribution", "attribution_from_paths", "channel_romi", "credit_matrix", "journey_flows", "path_table",
    "read_path_file", "top_paths",
]


@dataclass
class Attribution:
    """credits: model, channel, conversions, value, share; removal_effects: channel, removal_effect,
    value_removal_effect (Markov); paths: the aggregated journeys the models ran on."""

    paths: PathTable
    credits: pd.DataFrame
    removal_effects: pd.DataFrame


def attribution_from_paths(
    paths: PathTable, models=MODELS, options: ModelOptions | None = None
) -> Attribution:
    """Run the models on an aggregated path table (from the database or a path file)."""
    options = options or ModelOptions()
    credits = attribute(paths, models, options)
    effects = markov.removal_effects(paths.touches(), options.markov_order)
    return Attribution(paths, credits, effects)


def attribution(
    con, params: PathParams | None = None, filters: Filters | None = None, models=MODELS,
    markov_order: int = 1, stages: StageModel | None = None,
) -> Attribution:
    """Aggregate the journeys in scope, then run the models (time decay uses params.half_life_days)."""
    stages = resolve(stages)
    params = params or PathParams()
    paths = path_table(con, params, filters or Filters(), stages)
    return attribution_from_paths(paths, models, ModelOptions(params.half_life_days, markov_order))


def credit_matrix(credits: pd.DataFrame, measure: str = "conversions") -> pd.DataFrame:
    """Channels as rows, models as columns (in MODELS order), one measure (conversions, value, share)."""
    wide = credits.pivot_table(index="channel", columns="model", values=measure, aggfunc="sum", sort=True)
    order = [m for m in MODELS if m in wide.columns]
    return wide[order].reset_index().rename_axis(columns=None)


def model_spread(credits: pd.DataFrame, models: list[str]) -> pd.DataFrame:
    """Credit shares per channel and model (credit_matrix of "share") with `spread`: the largest minus the
    smallest share any of `models` gives the channel (how much the models disagree about it)."""
    shares = credit_matrix(credits, "share")
    chosen = [m for m in models if m in shares.columns]
    return shares.assign(spread=shares[chosen].max(axis=1) - shares[chosen].min(axis=1))


def disputed_effects(removal_effects: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """Each channel's removal effect beside how much the models disagree about it (model_spread's `spread`),
    the most disputed first."""
    merged = removal_effects.merge(shares[["channel", "spread"]], on="channel")
    return merged.sort_values(["spread", "channel"], ascending=[False, True], ignore_index=True)


def channel_spend(con, filters: Filters | None, channels: list[str]) -> pd.DataFrame:
    """Cost per attribution channel: the spend of the source group of that name, else of the source.

    Touch channels usually name source groups ("Paid Search"); channels matching neither get no cost.
    """
    filters = filters or Filters()
    if unsplit_segments(filters, LEVELS):  # spend cannot be split by that segment
        return pd.DataFrame({"channel": channels, "cost": np.full(len(channels), np.nan)})
    groups = spend_by(con, filters, ["source_group"]).set_index("source_group")["cost"]
    sources = spend_by(con, filters, ["source"]).set_index("source")["cost"]
    cost = [groups.get(c, sources.get(c, np.nan)) for c in channels]
    return pd.DataFrame({"channel": channels, "cost": pd.to_numeric(pd.Series(cost), errors="coerce")})


def channel_romi(credits: pd.DataFrame, spend: pd.DataFrame, model: str) -> pd.DataFrame:
    """Per channel under one model: cost, credited conversions and value, cost per conversion, ROMI."""
    chosen = credits[credits["model"] == model][["channel", "conversions", "value"]]
    out = chosen.merge(spend, on="channel", how="left")
    cost = out["cost"].where(out["cost"] > 0)
    out["cost_per_conversion"] = cost / out["conversions"].where(out["conversions"] > 0)
    out["romi"] = out["value"] / cost
    return out.sort_values("value", ascending=False, ignore_index=True)


PATH_VIEWS = ("first_last", "last_3", "full")  # how a journey is written in the top-paths table


def shortened(path: str, view: str) -> str:
    """A path as the view writes it: full; first_last, the first and the last touch ("A > … > Z"; "A > Z" when
    nothing lies between; one touch alone); last_3, the last three touches ("… > X > Y > Z")."""
    steps = path.split(SEP.strip()) if path else []
    steps = [s.strip() for s in steps]
    if view == "first_last" and len(steps) > 1:
        return SEP.join([steps[0], "…", steps[-1]] if len(steps) > 2 else steps)
    if view == "last_3" and len(steps) > 3:
        return SEP.join(["…", *steps[-3:]])
    return SEP.join(steps)


def top_paths(paths: PathTable, n: int = 20, collapse_repeats: bool = True, view: str = "full",
              min_journeys: int = 1) -> pd.DataFrame:
    """The n paths with the most conversions among paths at least `min_journeys` journeys share: path, steps,
    journeys, conversions, value, conversion_rate.

    collapse_repeats merges runs of one channel ("Email > Email > Direct" reads "Email > Direct"),
    so journeys that differ only in how often a channel repeated count as one path; view (PATH_VIEWS) writes
    each journey shorter first (`shortened`), so long journeys that share their first and last touch, or their
    last three, are counted together (most converting journeys are long and each one of a kind).
    """
    if view not in PATH_VIEWS:
        raise ValueError(f"view must be one of {', '.join(PATH_VIEWS)}, got '{view}'")
    frame = paths.to_frame(collapse_repeats=collapse_repeats)
    if view != "full":
        frame = frame.assign(path=[shortened(p, view) for p in frame["path"]])
        frame = frame.groupby("path", as_index=False)[["conversions", "value", "nulls"]].sum()
    frame = frame[frame["conversions"] + frame["nulls"] >= min_journeys]
    frame = frame.sort_values(["conversions", "value", "nulls", "path"], ascending=[False, False, False, True])
    frame = frame.head(n).reset_index(drop=True)
    frame["journeys"] = frame["conversions"] + frame["nulls"]
    frame["conversion_rate"] = frame["conversions"] / frame["journeys"].where(frame["journeys"] > 0)
    frame["steps"] = frame["path"].str.count(SEP.strip()) + 1 - frame["path"].str.count("…")
    return frame[["path", "steps", "journeys", "conversions", "value", "conversion_rate"]]


def journey_flows(paths: PathTable, steps: int = 4, converting_only: bool = True) -> pd.DataFrame:
    """Links for a Sankey of the first `steps` touches: source, target, journeys (weighted counts).

    Nodes are "<step>. <channel>"; journeys longer than `steps` pass through "… more touches"; each
    ends in "Converted" (weighted by conversions) or, unless converting_only, "No conversion".
    """
    t = paths.touches(converting_only=converting_only)
    names = np.asarray(t.channels, dtype=object)
    node = pd.Series(t.pos + 1).astype(str).to_numpy(dtype=object) + ". " + names[t.code]
    journeys = (t.conversions if converting_only else t.conversions + t.nulls)[t.row]
    onward = ~t.is_last & (t.pos < steps - 1)
    cut = ~t.is_last & (t.pos == steps - 1)
    ends = t.is_last & (t.pos < steps)
    links = [
        pd.DataFrame({"source": node[:-1][onward[:-1]], "target": node[1:][onward[:-1]], "journeys": journeys[:-1][onward[:-1]]}),
        pd.DataFrame({"source": node[cut], "target": MORE, "journeys": journeys[cut]}),
    ]
    for mask, source in ((ends, node), (cut, np.full(len(node), MORE, dtype=object))):
        links.append(pd.DataFrame({"source": source[mask], "target": CONVERTED, "journeys": t.conversions[t.row[mask]]}))
        if not converting_only:
            links.append(pd.DataFrame({"source": source[mask], "target": NOT_CONVERTED, "journeys": t.nulls[t.row[mask]]}))
    flows = pd.concat(links, ignore_index=True).groupby(["source", "target"], as_index=False)["journeys"].sum()
    flows = flows[flows["journeys"] > 0]
    return flows.sort_values(["source", "journeys", "target"], ascending=[True, False, True], ignore_index=True)
