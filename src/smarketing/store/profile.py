"""What a database holds, in a few numbers: so that a page can say what is missing ("no hand-offs imported")
rather than "no data in this range"."""

from __future__ import annotations

from dataclasses import dataclass

from smarketing.deals import is_won
from smarketing.schema import TABLES


@dataclass(frozen=True)
class Profile:
    """Row counts per table, and the few facts pages depend on."""

    rows: dict[str, int]
    events_with_channel: int  # touches attribution can credit
    won_deals: int
    won_with_amount: int  # won deals whose amount is known and above zero
    first_lead: object = None  # pandas Timestamp or None
    last_lead: object = None

    def has(self, table: str) -> bool:
        return self.rows.get(table, 0) > 0


def data_profile(con) -> Profile:
    """The Profile of a database (one small query per table)."""
    rows = {name: int(con.table(name).count().execute()) for name in TABLES}
    events = con.table("events")
    with_channel = int(events.filter(events.channel.notnull() & (events.channel.strip() != "")).count().execute())
    deals = con.table("deals")
    won = deals.filter(is_won(deals))
    counts = won.aggregate(n=won.count(), priced=(won.amount > 0).sum()).execute().iloc[0]
    leads = con.table("leads")
    span = leads.aggregate(lo=leads.created_at.min(), hi=leads.created_at.max()).execute().iloc[0]
    return Profile(rows, with_channel, int(counts["n"] or 0), int(counts["priced"] or 0), span["lo"], span["hi"])


DEMO_MARK = "_smarketing_demo"  # written by smarketing.demo.generate


def is_demo(con) -> bool:
    """True for a database that holds the generated demo data (imports of your own data go elsewhere)."""
    try:
        return DEMO_MARK in con.list_tables()
    except Exception:  # another engine: never the demo
        return False
