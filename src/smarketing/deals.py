"""What a deal's outcome is: the one owner of "won", "lost" and "open".

A deal is won when its status is "won" (imports store statuses in lower case; a warehouse table may not,
so case and surrounding spaces are ignored). Every analysis that counts customers' revenue, wins or
losses asks here.
"""

from __future__ import annotations

import ibis

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
