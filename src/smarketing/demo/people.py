"""The simulated people and their journeys: hidden fit and intent, firmographics, stages, events, spend.

Every lead has a hidden fit (who they are) and a hidden intent (how much they want to buy). Fit drives
title, industry, company size and country; intent drives behaviour (events); both drive the stage
progression, hand-offs, deals and amounts, so scoring and attribution find real signal. About a fifth of
new leads re-use the email, phone or company of an earlier lead (the duplicates the domain warns about).
Everything is vectorised numpy; no Python loop per lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from smarketing.demo import catalog as cat

DAY = 86_400.0
HISTORY_DAYS = 730
DUPLICATE_SHARE = 0.22


@dataclass
class Leads:
    """Per-lead arrays (index = creation order)."""

    created: np.ndarray  # seconds since the start of the history
    source: np.ndarray
    campaign: np.ndarray  # index into the flat campaign list
    fit: np.ndarray
    intent: np.ndarray
    orig: np.ndarray  # index of the lead this one duplicates, or -1


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _draw_by(rng, x: np.ndarray, weights_at, n_bins: int = 20) -> np.ndarray:
    """Draw a category per row where the category weights depend on x in [0, 1]."""
    bins = np.minimum((x * n_bins).astype(int), n_bins - 1)
    out = np.empty(len(x), dtype=np.int32)
    u = rng.random(len(x))
    for b in range(n_bins):
        mask = bins == b
        if mask.any():
            w = np.asarray(weights_at((b + 0.5) / n_bins), dtype=float)
            cum = np.cumsum(w / w.sum())
            out[mask] = np.minimum(np.searchsorted(cum, u[mask]), len(w) - 1)
    return out


def _tilted(base, score, strength: float = 4.0):
    """Weights tilted towards high-score values for high x: base * exp(strength (x - .5)(2 score - 1))."""
    base, score = np.asarray(base, float), np.asarray(score, float)
    return lambda x: base * np.exp(strength * (x - 0.5) * (2 * score - 1))


def campaign_table() -> pd.DataFrame:
    rows = []
    for s, (group, source, campaigns, weight, *_rest, cpl) in enumerate(cat.SOURCES):
        for name in campaigns:
            rows.append((len(rows), s, group, source, name, weight / len(campaigns), cpl))
    return pd.DataFrame(rows, columns=["campaign_idx", "source_idx", "source_group", "source", "campaign", "weight", "cpl"])


def draw_leads(rng, n: int) -> Leads:
    camps = campaign_table()
    created = np.sort(HISTORY_DAYS * DAY * rng.random(n) ** 0.8)  # growing lead volume
    campaign = rng.choice(len(camps), size=n, p=camps.weight / camps.weight.sum())
    source = camps.source_idx.to_numpy()[campaign]
    fit_ab = np.array([s[4] for s in cat.SOURCES])[source]
    intent_ab = np.array([s[5] for s in cat.SOURCES])[source]
    fit = rng.beta(fit_ab[:, 0], fit_ab[:, 1])
    intent = rng.beta(intent_ab[:, 0], intent_ab[:, 1])
    # Duplicates: a later lead re-using an earlier lead's identity, biased towards engaged accounts.
    orig = np.full(n, -1)
    dup = np.flatnonzero(rng.random(n) < DUPLICATE_SHARE)
    dup = dup[dup > 10]
    propensity = (fit * intent) ** 2 + 1e-6
    cum = np.cumsum(propensity)
    pick = rng.random(len(dup)) * cum[dup - 1]
    orig[dup] = np.minimum(np.searchsorted(cum, pick), dup - 1)
    fit[dup] = np.clip(fit[orig[dup]] + rng.normal(0, 0.05, len(dup)), 0, 1)
    return Leads(created, source, campaign, fit, intent, orig)


def firmographics(rng, leads: Leads) -> pd.DataFrame:
    n = len(leads.fit)
    fit = leads.fit
    title = _draw_by(rng, fit, _tilted([t[2] for t in cat.TITLES], [t[1] for t in cat.TITLES]))
    industry = _draw_by(rng, fit, _tilted([i[2] for i in cat.INDUSTRIES], [i[1] for i in cat.INDUSTRIES], 3.0))
    country = _draw_by(rng, fit, _tilted([c[4] for c in cat.COUNTRIES], [c[3] for c in cat.COUNTRIES], 2.5))
    employees = np.maximum(1, np.round(np.exp(rng.normal(np.log(40) + 4.0 * fit, 0.9)))).astype(np.int64)
    n_companies = max(50, int(n * 0.4))
    company = rng.integers(0, n_companies, n)
    frame = pd.DataFrame({
        "title_i": title, "industry_i": industry, "country_i": country, "employees": employees,
        "company_i": company, "first_i": rng.integers(0, len(cat.FIRST_NAMES), n),
        "last_i": rng.integers(0, len(cat.LAST_NAMES), n),
        "phone_n": rng.integers(10**8, 10**9, n), "variant": np.zeros(n, dtype=np.int64),
        "suffix_i": rng.integers(0, 4, n),
    })
    # Duplicates take the earlier lead's company; 60% are the same person (same email and phone).
    dup = np.flatnonzero(leads.orig >= 0)
    same_person = dup[rng.random(len(dup)) < 0.6]
    for col in ("industry_i", "country_i", "employees", "company_i", "suffix_i"):
        frame.loc[dup, col] = frame[col].to_numpy()[leads.orig[dup]]
    for col in ("first_i", "last_i", "phone_n", "title_i"):
        frame.loc[same_person, col] = frame[col].to_numpy()[leads.orig[same_person]]
    frame.loc[dup, "variant"] = rng.integers(1, 4, len(dup))
    frame.loc[dup, "suffix_i"] = rng.integers(0, 4, len(dup))
    return frame


@dataclass
class Journey:
    """Stage times in seconds since the start of history (NaN = never reached), plus hand-off facts."""

    t_lead: np.ndarray
    t_mql: np.ndarray
    t_sql: np.ndarray
    t_opp: np.ndarray
    t_close: np.ndarray
    won: np.ndarray
    starts_subscriber: np.ndarray
    dispatched: np.ndarray
    accepted: np.ndarray
    returned: np.ndarray
    first_contact: np.ndarray
    owner: np.ndarray
    reason: np.ndarray


def journey(rng, leads: Leads, firm: pd.DataFrame) -> Journey:
    n = len(leads.fit)
    fit, intent, created = leads.fit, leads.intent, leads.created
    nan = np.full(n, np.nan)
    starts_sub = rng.random(n) < 0.3
    becomes_lead = ~starts_sub | (rng.random(n) < 0.35 + 0.5 * intent)
    t_lead = np.where(starts_sub, created + rng.exponential(20 * DAY, n), created)
    t_lead = np.where(becomes_lead, t_lead, np.nan)
    is_mql = becomes_lead & (rng.random(n) < _sigmoid(-5.3 + 3.2 * fit + 7.5 * intent))
    t_mql = np.where(is_mql, np.nan_to_num(t_lead) + rng.gamma(2.0, 9 * DAY, n), np.nan)
    # Hand-off to a sales rep of the lead's region.
    region = np.array([c[2] for c in cat.COUNTRIES])[firm.country_i.to_numpy()]
    reps = np.array([r[1] for r in cat.SALES_REPS])
    owner = np.empty(n, dtype=np.int32)
    for reg in np.unique(region):
        idx = np.flatnonzero(reps == reg)
        mask = region == reg
        owner[mask] = rng.choice(idx, size=mask.sum())
    speed = np.array([r[2] for r in cat.SALES_REPS])[owner]
    dispatched = t_mql + np.exp(rng.normal(np.log(0.3), 1.6, n)) * 3600
    wait_h = np.exp(rng.normal(np.log(speed), 1.1, n))
    outcome = rng.random(n)
    p_return = 0.04 + 0.35 * (1 - fit) ** 2
    returned_flag = is_mql & (outcome < p_return)
    pending = is_mql & ~returned_flag & (outcome > 0.96)
    accepted_flag = is_mql & ~returned_flag & ~pending
    accepted = np.where(accepted_flag, dispatched + wait_h * 3600, np.nan)
    returned = np.where(returned_flag, dispatched + wait_h * 3600, np.nan)
    first_contact = accepted + np.exp(rng.normal(np.log(3), 1.0, n)) * 3600
    reason = _draw_by(rng, fit, lambda x: np.array([r[1] for r in cat.RETURN_REASONS]) * (1 - x)
                      + np.array([r[2] for r in cat.RETURN_REASONS]) * x)
    # Sales qualification: fit, intent, and how fast sales picked the lead up.
    p_sql = _sigmoid(-3.0 + 3.4 * fit + 3.5 * intent - 0.45 * np.log1p(np.nan_to_num(wait_h)))
    is_sql = accepted_flag & (rng.random(n) < p_sql)
    direct_sql = becomes_lead & ~is_mql & (rng.random(n) < 0.03 * intent)  # demo requests routed straight to sales
    t_sql = np.where(is_sql, first_contact + rng.gamma(1.5, 2 * DAY, n), np.nan)
    t_sql = np.where(direct_sql, np.nan_to_num(t_lead) + rng.gamma(2.0, 6 * DAY, n), t_sql)
    is_sql = is_sql | direct_sql
    is_opp = is_sql & (rng.random(n) < _sigmoid(-2.2 + 1.8 * fit + 2.2 * intent))
    t_opp = np.where(is_opp, t_sql + rng.gamma(2.0, 7 * DAY, n), np.nan)
    won = is_opp & (rng.random(n) < _sigmoid(-4.4 + 3.6 * fit + 2.4 * intent))
    t_close = np.where(is_opp, t_opp + rng.gamma(3.0, 15 * DAY, n), np.nan)
    return Journey(t_lead, t_mql, t_sql, t_opp, t_close, won, starts_sub, np.where(is_mql, dispatched, nan),
                    accepted, returned, first_contact, owner, reason)


def stage_rows(rng, leads: Leads, j: Journey, horizon: float) -> pd.DataFrame:
    n = len(leads.fit)
    ids = np.arange(n)
    parts = []

    def add(mask, times, stage):
        mask = mask & (times <= horizon)
        parts.append(pd.DataFrame({"lead_i": ids[mask], "stage": stage, "t": times[mask]}))

    add(j.starts_subscriber, leads.created, "Subscriber")
    add(~np.isnan(j.t_lead), j.t_lead, "Lead")
    skip_mql = rng.random(n) < 0.04  # some leads skip MQL on the record (routed to sales by hand)
    add(~np.isnan(j.t_mql) & ~skip_mql, j.t_mql, "MQL")
    add(~np.isnan(j.returned), j.returned + 60, "Lead")  # returned to nurture
    add(~np.isnan(j.t_sql), j.t_sql, "SQL")
    back = ~np.isnan(j.t_sql) & np.isnan(j.t_opp) & (rng.random(n) < 0.08)
    add(back, j.t_sql + rng.gamma(2.0, 10 * DAY, n), "Lead")  # SQL returned to nurture
    add(~np.isnan(j.t_opp), j.t_opp, "Opportunity")
    add(j.won, j.t_close, "Customer")
    lost = ~np.isnan(j.t_close) & ~j.won & (rng.random(n) < 0.5)
    add(lost, j.t_close, "Other")
    unfit = ~np.isnan(j.returned) & (leads.fit < 0.3)
    add(unfit, j.returned + 120, "Other")
    add(j.won & (rng.random(n) < 0.05), j.t_close + 90 * DAY, "Evangelist")
    return pd.concat(parts, ignore_index=True)


def events(rng, leads: Leads, j: Journey, horizon: float) -> pd.DataFrame:
    """Behaviour before and around the hand-off, plus sales-led activity on deals after SQL."""
    n = len(leads.fit)
    count = rng.poisson(2.0 + 60.0 * leads.intent ** 1.3)
    lead_i = np.repeat(np.arange(n), count)
    m = len(lead_i)
    intent = leads.intent[lead_i]
    kind = _draw_by(rng, intent, lambda x: np.array(cat.EVENT_WEIGHTS_LOW) * (1 - x)
                    + np.array(cat.EVENT_WEIGHTS_HIGH) * x)
    before = rng.random(m) < 0.15  # anonymous touches identified when the lead converts
    offset = np.where(before, -rng.exponential(10 * DAY, m), rng.gamma(1.0, 35 * DAY, m))
    ts = leads.created[lead_i] + offset
    # the conversion that created the lead: a form submit through the lead's own source
    first = pd.DataFrame({"lead_i": np.arange(n), "kind": cat.EVENT_TYPES.index("form_submit"),
                          "ts": leads.created, "own": True})
    frame = pd.DataFrame({"lead_i": lead_i, "kind": kind, "ts": ts, "own": False})
    # sales-led activity on opportunities: more of it on deals that end up won (leaks if not cut off)
    opp = np.flatnonzero(~np.isnan(j.t_opp))
    k = rng.poisson(3 + 5 * j.won[opp])
    opp_i = np.repeat(opp, k)
    span = np.nan_to_num(j.t_close[opp_i] - j.t_sql[opp_i]) + DAY
    late_kinds = np.array([cat.EVENT_TYPES.index(e) for e in ("demo_request", "pricing_view", "email_click",
                                                               "event_attended")])
    late = pd.DataFrame({"lead_i": opp_i, "kind": rng.choice(late_kinds, len(opp_i)),
                         "ts": j.t_sql[opp_i] + rng.random(len(opp_i)) * span, "own": False})
    events = pd.concat([first, frame, late], ignore_index=True)
    events = events[events.ts <= horizon]
    events["channel_pick"] = rng.integers(0, 6, len(events))
    return events


def spend(rng, leads: Leads, start: datetime, days: int) -> pd.DataFrame:
    """Daily cost, impressions and clicks per paid campaign, sized to the leads each campaign brought."""
    camps = campaign_table()
    counts = np.bincount(leads.campaign, minlength=len(camps))
    rows = []
    dates = pd.date_range(start.date(), periods=days, freq="D")
    growth = (np.arange(days) / days) ** 0.25 + 0.3
    growth /= growth.mean()
    for c in camps.itertuples():
        if c.cpl == 0 or counts[c.campaign_idx] == 0:
            continue
        daily = counts[c.campaign_idx] / days * c.cpl * rng.uniform(0.7, 1.4)
        cost = np.round(daily * growth * rng.lognormal(0, 0.25, days), 2)
        impressions = np.round(cost / cat.CPM[c.source_group] * 1000 * rng.lognormal(0, 0.1, days))
        clicks = np.round(impressions * cat.CTR[c.source_group] * rng.lognormal(0, 0.15, days))
        rows.append(pd.DataFrame({"date": dates.date, "source_group": c.source_group, "source": c.source,
                                  "campaign": c.campaign, "impressions": impressions.astype(np.int64),
                                  "clicks": clicks.astype(np.int64), "cost": cost}))
    return pd.concat(rows, ignore_index=True)


# ------------------------------------------------------------------------------------------- loading
