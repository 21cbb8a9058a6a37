"""Lead flow: the hand-off from marketing to sales as a flow, plus the SLA and de-duplication analyses.

The analyses live in `sla.py` (hand-off timings, SLA, owners, response-time effect) and `dedupe.py`
(is a "new" lead really new?); this module adds the flow MQL → accepted / returned / pending → SQL →
opportunity → won / lost and is the one import the page and the command line need.
"""

from __future__ import annotations

import ibis
import pandas as pd

from smarketing.deals import is_lost
from smarketing.filters import Filters, in_window, segment_leads
from smarketing.leadflow.dedupe import STATUSES, DedupeReport, dedupe, dedupe_report  # noqa: F401
from smarketing.leadflow.sla import (  # noqa: F401
    BUCKET_ORDER,
    DEFAULT_HOURS,
    NO_REASON,
    SlaReport,
    data_as_of,
    handoff_facts,
    handoff_stages,
    sla_report,
)
from smarketing.reach import recorded_stages, stage_reach
from smarketing.stages import StageModel, resolve

# Nodes of the flow, in the order they are drawn.
FLOW_NODES = ("mql", "accepted", "returned", "pending", "not_dispatched", "sql", "no_sql", "opportunity",
              "no_opportunity", "won", "lost", "open")


def _mql_leads(con, filters: Filters, stages: StageModel) -> ibis.Table:
    """Leads that reached the hand-off stage: created in the window (cohort) or reaching it in the window."""
    mql, sql, opp, won = handoff_stages(stages)
    reach = segment_leads(stage_reach(con, stages), filters)
    reach = reach.filter(reach[mql].notnull())
    when = reach.created_at if filters.mode == "cohort" else reach[mql]
    reach = reach.filter(in_window(when, filters))
    return reach.select("lead_id", reached_sql=reach[sql].notnull(), reached_opp=reach[opp].notnull(),
                        reached_won=reach[won].notnull())


def flow(con, filters: Filters | None = None, stages: StageModel | None = None) -> pd.DataFrame:
    """Links of the hand-off flow: source, target, leads (node names as in FLOW_NODES).

    A lead counts as accepted if any of its hand-offs was accepted, else returned if one was returned,
    else pending if it was dispatched at all, else not dispatched. Opportunities end won (reached the
    last stage), lost (a lost deal, nothing won) or open.
    """
    stages = resolve(stages)
    leads = _mql_leads(con, filters or Filters(), stages)
    h = con.table("handoffs")
    answers = h.group_by("lead_id").aggregate(
        any_accepted=h.accepted_at.notnull().any(), any_returned=h.returned_at.notnull().any()
    )
    deals = con.table("deals")
    lost = deals.group_by(deal_lead=deals.lead_id).aggregate(any_lost=is_lost(deals).any())
    t = leads.left_join(answers, "lead_id").left_join(lost, ibis._.lead_id == lost.deal_lead)
    handoff = ibis.cases(
        (t.any_accepted.fill_null(False), "accepted"), (t.any_returned.fill_null(False), "returned"),
        (t.any_accepted.notnull(), "pending"), else_="not_dispatched",
    )
    end = ibis.cases((t.reached_won, "won"), (t.any_lost.fill_null(False), "lost"), else_="open")
    paths = t.group_by(handoff=handoff, sql=t.reached_sql, opp=t.reached_opp, end=end).aggregate(leads=t.count())
    return _links(paths.execute())


def handoff_recorded(con, stages: StageModel | None = None) -> bool:
    """True when the data records the hand-off (mql role) stage or a later one; otherwise no lead can reach it and
    the flow is empty whatever the range (a page says what is missing rather than "widen the range")."""
    stages = resolve(stages)
    start = stages.index(stages.require("mql", "the lead-flow analysis"))
    return any(stages.index(name) >= start for name in recorded_stages(con, stages))


def _links(paths: pd.DataFrame) -> pd.DataFrame:
    """Turn counts per path into source -> target links, dropping empty ones."""
    paths = paths.astype({"sql": bool, "opp": bool})
    parts = [
        paths.assign(source="mql", target=paths["handoff"]),
        paths.assign(source=paths["handoff"], target=paths["sql"].map({True: "sql", False: "no_sql"})),
        paths[paths["sql"]].assign(source="sql", target=paths["opp"].map({True: "opportunity",
                                                                          False: "no_opportunity"})),
        paths[paths["opp"]].assign(source="opportunity", target=paths["end"]),
    ]
    links = pd.concat(parts, ignore_index=True).groupby(["source", "target"], as_index=False)["leads"].sum()
    order = {name: i for i, name in enumerate(FLOW_NODES)}
    links = links[links["leads"] > 0].sort_values(
        ["source", "target"], key=lambda col: col.map(order), ignore_index=True
    )
    return links.astype({"leads": "int64"})[["source", "target", "leads"]]
