"""The lead lists marketing hands to sales: a fit-vs-interest quadrant, the MQLs waiting for acceptance and
the SLA misses. The pages and `smarketing leads` call the same functions, and both write them with
`exports.table_csv`, so a page's download and the command give the same file.

Lists come from the database unmasked; `exports.table_csv` and the pages mask emails and phones
(smarketing.privacy) unless unmasking is asked for explicitly.
"""

from __future__ import annotations

from datetime import datetime

import ibis
import pandas as pd

from smarketing.filters import Filters
from smarketing.leadflow.sla import DEFAULT_HOURS, data_as_of, handoff_facts
from smarketing.scoring.quadrants import LIST_LIMIT, NAME_COLUMNS
from smarketing.scoring.rules import Rules
from smarketing.scoring.scores import QUADRANTS, Cutoff, score_leads
from smarketing.stages import StageModel, resolve

LISTS = ("quadrant", "waiting", "sla_misses")
CONTACT_COLUMNS = ("company", "email", "phone")
HANDOFF_COLUMNS = ("owner", "dispatched_at", "outcome", "accepted_at", "returned_at", "hours_to_accept")


def _lead_info(con) -> ibis.Table:
    """lead_id, any name columns, company, email, phone, title, source (those the data has)."""
    leads = con.table("leads")
    wanted = [*NAME_COLUMNS, *CONTACT_COLUMNS, "title", "source"]
    return leads.select("lead_id", *[c for c in wanted if c in leads.columns])


def _limited(t: ibis.Table, order: list, limit: int) -> pd.DataFrame:
    t = t.order_by(order)
    return (t.limit(limit) if limit else t).execute()


def quadrant_list(con, rules: Rules, cutoff: Cutoff, filters: Filters, quadrant: str | None = None,
                  limit: int = LIST_LIMIT) -> pd.DataFrame:
    """Leads of one quadrant (or all), best combined score first: contact details, fit, interest, quadrant,
    score, deal status and last activity. `limit` 0 means every lead."""
    if quadrant is not None and quadrant not in QUADRANTS:
        raise ValueError(f"quadrant must be one of {', '.join(QUADRANTS)}, got '{quadrant}'")
    scored = score_leads(con, rules, cutoff, filters)
    if quadrant is not None:
        scored = scored.filter(scored.quadrant == quadrant)
    scored = scored.select("lead_id", "fit", "interest", "quadrant", "score", "deal_status")
    ev = con.table("events")
    last = ev.group_by("lead_id").aggregate(last_activity=ev.ts.max())
    info = _lead_info(con)
    t = scored.join(info, "lead_id").left_join(last, "lead_id")
    columns = [c for c in info.columns if c != "lead_id"]
    t = t.select("lead_id", *columns, "fit", "interest", "quadrant", "score", "deal_status", "last_activity")
    return _limited(t, [ibis.desc("score"), "lead_id"], limit)


def handoff_list(con, kind: str, filters: Filters, hours: float = DEFAULT_HOURS, as_of: datetime | None = None,
                 stages: StageModel | None = None, limit: int = LIST_LIMIT) -> pd.DataFrame:
    """kind "waiting": hand-offs neither accepted nor returned yet, longest waiting first, with the hours
    waited and whether the SLA deadline has passed. kind "sla_misses": hand-offs past their deadline
    that were not accepted within the SLA (accepted late, returned or never answered), latest first."""
    stages = resolve(stages)
    if kind not in ("waiting", "sla_misses"):
        raise ValueError(f"list must be one of {', '.join(LISTS)}, got '{kind}'")
    as_of = as_of or data_as_of(con) or datetime(1970, 1, 1)
    f = handoff_facts(con, filters, hours, as_of, stages)
    waited = (ibis.literal(as_of).epoch_seconds() - f.dispatched_at.epoch_seconds()) / 3600.0
    if kind == "waiting":
        f = f.filter(f.outcome == "pending").mutate(hours_waiting=waited, overdue=waited > hours)
        extra, order = ["hours_waiting", "overdue"], [ibis.asc("dispatched_at"), "lead_id"]
    else:
        f = f.filter(f.counted & ~f.sla_met)
        extra, order = ["hours_past_deadline"], [ibis.desc("dispatched_at"), "lead_id"]
    info = _lead_info(con)
    t = f.join(info, "lead_id")
    columns = [c for c in info.columns if c != "lead_id"]
    t = t.select("lead_id", *columns, *HANDOFF_COLUMNS, *extra)
    return _limited(t, order, limit)
