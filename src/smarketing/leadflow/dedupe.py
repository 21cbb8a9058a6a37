"""De-duplication: is each "new" lead really new, a duplicate, an existing customer or an open deal?

A lead is judged at the moment it arrived, against everything known then:

- `existing_customer`: its email, phone, messaging ID or company matches another lead whose deal was won
  before;
- `open_deal`: … matches another lead with a deal open at that moment;
- `duplicate`: its email, phone or messaging ID (the person) matches an earlier lead;
- `new`: none of these.

The first that applies wins. Company names identify accounts, not people, so they count for customers
and open deals but not for duplicates (colleagues are not duplicates of each other). All matching runs
in the database: window functions find the first lead per key, one join on (key, value) finds deals.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import pandas as pd

from smarketing.deals import is_open, is_won
from smarketing.filters import Filters, in_window, segment_leads
from smarketing.leadflow.normalize import check_country, company_key, email_key, messaging_key, phone_key
from smarketing.store import derived
from smarketing.store.scratch import Scratch

STATUSES = ("new", "duplicate", "existing_customer", "open_deal")
PERSON_KEYS = ("email", "phone", "messaging")
ACCOUNT_KEYS = ("email", "phone", "messaging", "company")
MESSAGING_COLUMN = "messaging_id"  # optional extra lead column: a WeChat, WhatsApp, LINE … handle
MAX_CHAIN_STEPS = 12  # pointer-jumping rounds: resolves duplicate chains up to 2**12 long


# -------------------------------------------------------------------------------------------- keys


def lead_keys(con, default_country: str = "US") -> ibis.Table:
    """One row per lead: lead_id, created_at, seq (arrival order) and key_email / key_phone / key_messaging /
    key_company (key_messaging from an imported `messaging_id` column, NULL without one).

    key_phone is the E.164 form of every phone that another lead could share (see `_phone_candidates`);
    a phone no other lead can share gets no key, as it cannot match anything.
    """
    default_country = check_country(default_country)
    leads = con.table("leads")
    country = leads.country.cast("string").fill_null("")
    pairs = _phone_candidates(leads.mutate(country=country)).select("phone", "country").distinct()
    pairs = pairs.mutate(key_phone=phone_key(con, pairs.phone, pairs.country, default_country))
    messaging = (messaging_key(leads[MESSAGING_COLUMN]) if MESSAGING_COLUMN in leads.columns
                 else ibis.null("string"))
    base = leads.select(
        "lead_id", "created_at", phone=leads.phone, country=country, key_email=email_key(leads.email),
        key_messaging=messaging, key_company=company_key(leads.company),
    )
    joined = base.left_join(pairs, [base.phone == pairs.phone, base.country == pairs.country])
    keys = joined.select("lead_id", "created_at", *[f"key_{k}" for k in ACCOUNT_KEYS])
    return keys.mutate(seq=ibis.row_number().over(order_by=[keys.created_at, keys.lead_id]))


BLOCK_DIGITS = 7  # national numbers are at least this long almost everywhere


def _phone_candidates(leads: ibis.Table) -> ibis.Table:
    """Leads whose phone could equal another lead's (blocking, so the library parses far fewer numbers).

    Two spellings of one number end in the same national digits, whatever prefix (+44, 0044, 0) or
    punctuation they carry; so only phones sharing their last BLOCK_DIGITS digits with another lead, or
    too short to tell, need parsing. Extensions are cut first (E.164 drops them too).
    """
    phones = leads.filter(leads.phone.notnull())
    digits = phones.phone.re_replace(r"(?i)\s*(ext\.?|extension|x|#)\s*\d+\s*$", "").re_replace(r"\D+", "")
    phones = phones.mutate(_block=digits.right(BLOCK_DIGITS), _short=digits.length() < BLOCK_DIGITS + 2)
    phones = phones.mutate(_peers=phones.count().over(group_by=phones._block))
    return phones.filter(phones._short | (phones._peers > 1))


def _first_earlier(keys: ibis.Table, key: str) -> ibis.Value:
    """seq of the first lead sharing this key, when that lead came earlier; else NULL."""
    col = keys[f"key_{key}"]
    first = keys.seq.min().over(group_by=col)
    return (col.notnull() & (first < keys.seq)).ifelse(first, ibis.null("int64"))


def _duplicates(keys: ibis.Table) -> ibis.Table:
    """Add dup_seq (the earlier lead a person key points to) and dup_key (which key matched)."""
    keys = keys.mutate(**{f"first_{k}": _first_earlier(keys, k) for k in PERSON_KEYS})
    dup_key = ibis.cases(
        *[(keys[f"first_{k}"].notnull(), k) for k in PERSON_KEYS], else_=ibis.null("string")
    )
    dup_seq = ibis.coalesce(*[keys[f"first_{k}"] for k in PERSON_KEYS])
    return keys.mutate(dup_key=dup_key, dup_seq=dup_seq).drop(*[f"first_{k}" for k in PERSON_KEYS])


def _long_keys(keys: ibis.Table) -> ibis.Table:
    """(lead_id, created_at, key, value) for each account key a lead has."""
    parts = [
        keys.select("lead_id", "created_at", "seq", key=ibis.literal(k), value=keys[f"key_{k}"])
        for k in ACCOUNT_KEYS
    ]
    long = ibis.union(*parts)
    return long.filter(long.value.notnull())


def _deal_matches(con, keys: ibis.Table) -> ibis.Table:
    """Per lead, the best other lead with a won deal before, or a deal open, when it arrived."""
    deals = con.table("deals")
    deals = deals.select(
        deal_lead=deals.lead_id,
        deal_start=deals.created_at,
        won_at=is_won(deals).ifelse(deals.closed_at.fill_null(deals.created_at), ibis.null("timestamp")),
        deal_end=is_open(deals).ifelse(ibis.null("timestamp"), deals.closed_at.fill_null(deals.created_at)),
    )
    long = _long_keys(keys)
    side = long.join(deals, long.lead_id == deals.deal_lead).select(
        "key", "value", "deal_lead", "deal_start", "won_at", "deal_end", deal_seq=long.seq
    )
    m = long.join(side, ["key", "value"]).filter(lambda t: t.lead_id != t.deal_lead)
    is_customer = m.won_at.notnull() & (m.won_at < m.created_at)
    deal_open = (m.deal_start <= m.created_at) & (m.deal_end.isnull() | (m.deal_end > m.created_at))
    m = m.filter(is_customer | deal_open).mutate(
        deal_status=is_customer.ifelse("existing_customer", "open_deal"),
        key_rank=ibis.cases(*[(m.key == k, i) for i, k in enumerate(ACCOUNT_KEYS)], else_=99),
    )
    order = [m.deal_status, m.key_rank, m.deal_seq]  # "existing_customer" sorts before "open_deal"
    m = m.mutate(rank=ibis.row_number().over(group_by=m.lead_id, order_by=order))
    return m.filter(m.rank == 0).select(
        "lead_id", "deal_status", deal_key=m.key, deal_value=m.value, deal_seq=m.deal_seq
    )


# -------------------------------------------------------------------------------------- statuses


def _statuses(con, keys: ibis.Table) -> ibis.Table:
    keys = _duplicates(keys)
    deals = _deal_matches(con, keys)
    t = keys.left_join(deals, "lead_id").drop("lead_id_right")
    status = ibis.coalesce(t.deal_status, t.dup_seq.notnull().ifelse("duplicate", "new"))
    by_deal = t.deal_status.notnull()
    return t.select(
        "lead_id", "created_at", "seq", "dup_seq", status=status,
        match_key=by_deal.ifelse(t.deal_key, t.dup_key),
        match_value=by_deal.ifelse(
            t.deal_value,
            ibis.cases(*[(t.dup_key == k, t[f"key_{k}"]) for k in PERSON_KEYS], else_=ibis.null("string")),
        ),
        matched_seq=by_deal.ifelse(t.deal_seq, t.dup_seq),
    )


def _roots(edges: ibis.Table, scratch: Scratch) -> ibis.Table:
    """Follow duplicate pointers (seq -> parent) to the original lead, by pointer jumping in the database."""
    for _ in range(MAX_CHAIN_STEPS):
        hop = edges.view()
        step = edges.left_join(hop, edges.parent == hop.seq)
        step = scratch.keep(step.select(seq=edges.seq, parent=ibis.coalesce(hop.parent, edges.parent)))
        targets = step.view().select(target="seq")
        edges = step
        if step.join(targets, step.parent == targets.target).count().execute() == 0:
            break
    return edges


def _resolved(con, default_country: str, scratch: Scratch) -> ibis.Table:
    """Every lead with its status and matches (intermediate results kept in `scratch`)."""
    keys = scratch.keep(lead_keys(con, default_country))
    statuses = scratch.keep(_statuses(con, keys))
    edges = statuses.filter(statuses.dup_seq.notnull()).select("seq", parent="dup_seq")
    roots = _roots(edges, scratch)
    ids = keys.select(id_seq="seq", id_lead="lead_id")
    orig = keys.select(o_seq="seq", original_lead_id="lead_id")
    out = statuses.left_join(ids, statuses.matched_seq == ids.id_seq)
    out = out.left_join(roots, out.seq == roots.seq)
    out = out.left_join(orig, out.parent == orig.o_seq)
    dup = out.status == "duplicate"
    return scratch.keep(out.select(  # kept: the report reads it twice
        "lead_id", "created_at", "status", matched_lead_id=out.id_lead, match_key=out.match_key,
        match_value=out.match_value, original_lead_id=dup.ifelse(out.original_lead_id, ibis.null("string")),
    ))


DERIVED, DERIVED_COUNTRY = "dedupe", "US"  # the derived table: every lead judged with the page's default country


def _judged(con, default_country: str, scratch: Scratch) -> ibis.Table:
    """Every lead with its status: from the derived table the last write built (smarketing.store.derived)
    when it was judged with this default country, else computed."""
    stored = derived.load(con, DERIVED, check_country(default_country))
    return stored if stored is not None else _resolved(con, default_country, scratch)


def refresh_dedupe(con, default_country: str = DERIVED_COUNTRY) -> None:
    """Store every lead's status for `default_country` (at the end of a write)."""
    with Scratch(con, "_dedupe") as scratch:
        derived.save(con, DERIVED, _resolved(con, default_country, scratch), check_country(default_country))


def _in_scope(con, resolved: ibis.Table, filters: Filters | None) -> ibis.Table:
    """Resolved leads created in the filter window and segment, joined with their lead columns."""
    leads = con.table("leads")
    if filters is not None:
        leads = segment_leads(leads, filters).filter(in_window(leads.created_at, filters))
    leads = leads.drop("created_at")
    return resolved.join(leads, "lead_id")


# ------------------------------------------------------------------------------------------ public


def dedupe(con, filters: Filters | None = None, default_country: str = "US") -> pd.DataFrame:
    """One row per lead in scope: lead_id, created_at, status, matched_lead_id, match_key, match_value,
    original_lead_id; matched against all leads, sorted by arrival."""
    with Scratch(con, "_dedupe") as scratch:
        scoped = _in_scope(con, _judged(con, default_country, scratch), filters)
        cols = ["lead_id", "created_at", "status", "matched_lead_id", "match_key", "match_value",
                "original_lead_id"]
        return scoped.select(*cols).order_by(["created_at", "lead_id"]).execute()


@dataclass
class DedupeReport:
    """by_group: counts per status and the share not new, per `by` value plus an "All" row;
    matches: the most recent leads that were not new, with what they matched."""

    by_group: pd.DataFrame
    matches: pd.DataFrame


def _by_group(scoped: ibis.Table, by: str) -> pd.DataFrame:
    group = scoped[by].cast("string").fill_null("(none)").name(by)
    counts = {s: (scoped.status == s).sum() for s in STATUSES}
    per = scoped.group_by(group).aggregate(leads=scoped.count(), **counts).execute()
    per = per.sort_values(["leads", by], ascending=[False, True], ignore_index=True)
    total = per.drop(columns=[by]).sum().to_frame().T.assign(**{by: "All"})
    out = pd.concat([per, total[per.columns]], ignore_index=True)
    out["not_new"] = out["leads"] - out["new"]
    out["not_new_share"] = out["not_new"] / out["leads"].where(out["leads"] > 0)
    return out.astype({c: "int64" for c in ("leads", "not_new", *STATUSES)})


def _matches(con, scoped: ibis.Table, limit: int) -> pd.DataFrame:
    """The most recent leads that were not new, with the company of the lead they matched.
    Emails and phones are left out: the key name says what matched without showing personal data."""
    leads = con.table("leads").select(m_lead="lead_id", matched_company="company")
    rows = scoped.filter(scoped.status != "new")
    rows = rows.left_join(leads, rows.matched_lead_id == leads.m_lead)
    cols = ["lead_id", "created_at", "source", "company", "status", "match_key", "matched_lead_id",
            "matched_company"]
    recent = rows.select(*cols).order_by([ibis.desc("created_at"), "lead_id"]).limit(limit)
    return recent.execute()


def dedupe_report(
    con, filters: Filters | None = None, default_country: str = "US", by: str = "source", limit: int = 500
) -> DedupeReport:
    """The de-duplication report: share of "new" leads that were not new, per `by` (a lead column)."""
    if by not in con.table("leads").columns:
        raise ValueError(f"unknown lead column '{by}' (expected e.g. source, source_group, campaign)")
    with Scratch(con, "_dedupe") as scratch:
        scoped = _in_scope(con, _judged(con, default_country, scratch), filters)
        return DedupeReport(by_group=_by_group(scoped, by), matches=_matches(con, scoped, limit))
