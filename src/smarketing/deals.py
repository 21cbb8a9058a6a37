"""What a deal's outcome is: the one owner of "won", "lost" and "open".

A deal is won when its status is "won" (imports store statuses in lower case; a warehouse table may not,
so case and surrounding spaces are ignored). Every analysis that counts customers' revenue, wins or
losses asks here.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis

from smarketing.filters import Filters, cohort_leads, in_window
from smarketing.schema import DEAL_STATUSES

WON, LOST, OPEN = DEAL_STATUSES[1], DEAL_STATUSES[2], DEAL_STATUSES[0]


def has_status(deals: ibis.Table, status: str) -> ibis.BooleanValue:
    """True where a deal's status is `status` (one of open, won, lost)."""
    return deals.status.strip().lower() == status


def is_won(deals: ibis.Table) -> ibis.BooleanValue:
    return has_status(deals, WON)


def is_lost(deals: ibis.Table) -> ibis.BooleanValue:
    return has_status(deals, LOST)


def is_open(deals: ibis.Table) -> ibis.BooleanValue:
    return has_status(deals, OPEN)


def won_deals(con) -> ibis.Table:
    """The won deals of the database."""
    deals = con.table("deals")
    return deals.filter(is_won(deals))


def has_amounts(con) -> bool:
    """True when some won deal of the database has an amount above zero: without any, revenue is unknown (shown
    as "–"), not $0."""
    won = won_deals(con)
    return int(won.filter(won.amount > 0).limit(1).count().execute()) > 0


def won_in_scope(con, filters: Filters) -> ibis.Table:
    """The won deals that count as won revenue under the filters: deals of the cohort's leads (cohort mode) or
    closed in the window (period mode), of leads in the segment."""
    deals = won_deals(con)
    if filters.mode == "period":
        deals = deals.filter(in_window(deals.closed_at, filters))
    leads = cohort_leads(con.table("leads"), filters)
    return deals.semi_join(leads, deals.lead_id == leads.lead_id)


OUTLIER_SHARE = 0.5  # one deal above this share of won revenue moves every revenue figure with it


@dataclass(frozen=True)
class Outlier:
    deal_id: str
    amount: float
    share: float  # of the won revenue in scope


def revenue_outlier(con, filters: Filters) -> Outlier | None:
    """The won deal in scope worth more than half of all won revenue in scope, if there is one."""
    deals = won_in_scope(con, filters).filter(lambda d: d.amount > 0)
    row = deals.aggregate(total=deals.amount.sum(), top=deals.amount.max(),
                          deal=deals.deal_id.argmax(deals.amount)).execute().iloc[0]
    total, top = row["total"], row["top"]
    if total is None or top is None or not total > 0 or not top / total > OUTLIER_SHARE:
        return None
    return Outlier(str(row["deal"]), float(top), float(top / total))
