"""Deterministic demo data for a B2B software company, at any size.

Every lead has a hidden fit (who they are) and a hidden intent (how much they want to buy). Fit drives
title, industry, company size and country; intent drives behaviour (events); both drive the stage
progression, hand-offs, deals and amounts, so scoring and attribution find real signal. About a fifth of
new leads re-use the email, phone or company of an earlier lead (the duplicates the domain warns about).
Everything is vectorised numpy, loaded into DuckDB in bulk; no Python loop per lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from smarketing import demo_catalog as cat
from smarketing import store
from smarketing.funnel import refresh_reach

DAY = 86_400.0
HISTORY_DAYS = 730
DUPLICATE_SHARE = 0.22


@dataclass
class _Leads:
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


def _campaign_table() -> pd.DataFrame:
    rows = []
    for s, (group, source, campaigns, weight, *_rest, cpl) in enumerate(cat.SOURCES):
        for name in campaigns:
            rows.append((len(rows), s, group, source, name, weight / len(campaigns), cpl))
    return pd.DataFrame(rows, columns=["campaign_idx", "source_idx", "source_group", "source", "campaign", "weight", "cpl"])


def _draw_leads(rng, n: int) -> _Leads:
    camps = _campaign_table()
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
    return _Leads(created, source, campaign, fit, intent, orig)


def _firmographics(rng, leads: _Leads) -> pd.DataFrame:
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
class _Journey:
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


def _journey(rng, leads: _Leads, firm: pd.DataFrame) -> _Journey:
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
    return _Journey(t_lead, t_mql, t_sql, t_opp, t_close, won, starts_sub, np.where(is_mql, dispatched, nan),
                    accepted, returned, first_contact, owner, reason)


def _stage_rows(rng, leads: _Leads, j: _Journey, horizon: float) -> pd.DataFrame:
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


def _events(rng, leads: _Leads, j: _Journey, horizon: float) -> pd.DataFrame:
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


def _spend(rng, leads: _Leads, start: datetime, days: int) -> pd.DataFrame:
    """Daily cost, impressions and clicks per paid campaign, sized to the leads each campaign brought."""
    camps = _campaign_table()
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


def _micros(seconds: np.ndarray) -> np.ndarray:
    """Seconds since the start of history as int64 microseconds (NaN stays missing via pandas Int64)."""
    return pd.array(np.where(np.isnan(seconds), np.nan, np.round(seconds * 1e6)), dtype="Int64")


def _dimension_frames() -> dict[str, pd.DataFrame]:
    camps = _campaign_table()
    chan_rows = []
    for k, kind in enumerate(cat.EVENT_TYPES):
        options = cat.EVENT_CHANNELS[kind]
        for pick in range(6):
            chan_rows.append((k, pick, kind, options[pick % len(options)] if options else None))
    suffix_rows = [(c[0], i, s) for c in cat.COUNTRIES for i, s in
                   enumerate(cat.LEGAL_SUFFIXES.get(c[0], ["Ltd"]) * 4) if i < 4]
    return {
        "_d_campaign": camps[["campaign_idx", "source_group", "source", "campaign"]],
        "_d_title": pd.DataFrame({"i": range(len(cat.TITLES)), "v": [t[0] for t in cat.TITLES]}),
        "_d_industry": pd.DataFrame({"i": range(len(cat.INDUSTRIES)), "v": [x[0] for x in cat.INDUSTRIES]}),
        "_d_country": pd.DataFrame([(i, *c[:3], c[5], c[6]) for i, c in enumerate(cat.COUNTRIES)],
                                   columns=["i", "code", "country", "region", "cc", "digits"]),
        "_d_first": pd.DataFrame({"i": range(len(cat.FIRST_NAMES)), "v": cat.FIRST_NAMES}),
        "_d_last": pd.DataFrame({"i": range(len(cat.LAST_NAMES)), "v": cat.LAST_NAMES}),
        "_d_owner": pd.DataFrame({"i": range(len(cat.SALES_REPS)), "v": [r[0] for r in cat.SALES_REPS]}),
        "_d_reason": pd.DataFrame({"i": range(len(cat.RETURN_REASONS)), "v": [r[0] for r in cat.RETURN_REASONS]}),
        "_d_channel": pd.DataFrame(chan_rows, columns=["kind", "pick", "event_type", "channel"]),
        "_d_suffix": pd.DataFrame(suffix_rows, columns=["code", "i", "v"]),
    }


_COMPANY_SQL = """
CASE WHEN co.code = 'CN' THEN
    list_extract(?::VARCHAR[], (l.company_i % 8) + 1) || list_extract(?::VARCHAR[], ((l.company_i // 8) % 10) + 1)
    || list_extract(?::VARCHAR[], ((l.company_i // 80) % 5) + 1)
    || CASE l.suffix_i WHEN 0 THEN '有限公司' WHEN 1 THEN '有限公司' WHEN 2 THEN '股份有限公司' ELSE '' END
ELSE
    CASE WHEN (l.company_i // 20000) % 10 = 0 THEN '' ELSE
        list_extract(['North', 'Global', 'Pacific', 'United', 'First', 'Metro', 'Digital', 'Open', 'Smart'],
                     ((l.company_i // 20000) % 10)) || ' ' END
    || list_extract(?::VARCHAR[], (l.company_i % 40) + 1) || list_extract(?::VARCHAR[], ((l.company_i // 40) % 25) + 1)
    || ' ' || list_extract(?::VARCHAR[], ((l.company_i // 1000) % 20) + 1)
    || CASE WHEN l.suffix_i = 3 THEN '' ELSE coalesce(', ' || sx.v, '') END
END"""

_LEADS_SQL = f"""
INSERT INTO leads (lead_id, created_at, email, phone, company, title, industry, employees, country, region,
                   source_group, source, campaign, owner)
SELECT
    'L' || lpad(CAST(l.lead_i + 1 AS VARCHAR), 7, '0'),
    $start + to_microseconds(l.created_us),
    CASE WHEN l.variant = 1 THEN upper(e.email) WHEN l.variant = 2 THEN ' ' || e.email || ' ' ELSE e.email END,
    CASE WHEN l.no_phone THEN NULL
         WHEN co.cc = '1' THEN CASE (l.variant + l.phone_n) % 4
              WHEN 0 THEN '+1 ' || e.area || '-' || e.mid || '-' || e.last4
              WHEN 1 THEN '(' || e.area || ') ' || e.mid || '-' || e.last4
              WHEN 2 THEN e.area || '.' || e.mid || '.' || e.last4
              ELSE '+1' || e.area || e.mid || e.last4 END
         WHEN co.code = 'CN' THEN CASE WHEN (l.variant + l.phone_n) % 2 = 0 THEN '+86 1' || e.nat
                                       ELSE '1' || e.nat END
         ELSE CASE WHEN (l.variant + l.phone_n) % 2 = 0 THEN '+' || co.cc || ' ' || e.nat ELSE '0' || e.nat END
    END,
    e.company,
    CASE WHEN l.no_title THEN NULL ELSE ti.v END,
    CASE WHEN l.no_industry THEN NULL ELSE ind.v END,
    CASE WHEN l.no_employees THEN NULL ELSE l.employees END,
    co.country, co.region, ca.source_group, ca.source, ca.campaign, ow.v
FROM _lead_codes l
JOIN (
    SELECT l.lead_i,
           lower(fi.v || '.' || la.v || '@' || regexp_replace(list_extract(?::VARCHAR[], (l.company_i % 40) + 1)
                 || list_extract(?::VARCHAR[], ((l.company_i // 40) % 25) + 1)
                 || '-' || list_extract(?::VARCHAR[], ((l.company_i // 1000) % 20) + 1), '[^A-Za-z-]', '', 'g')
                 || '.' || lower(CASE WHEN co.code = 'US' THEN 'com'
                 WHEN co.code = 'GB' THEN 'co.uk' ELSE co.code END)) AS email,
           CAST(200 + l.phone_n % 790 AS VARCHAR) AS area,
           CAST(200 + (l.phone_n // 1000) % 790 AS VARCHAR) AS mid,
           lpad(CAST((l.phone_n // 1000000) % 10000 AS VARCHAR), 4, '0') AS last4,
           right(CAST(l.phone_n AS VARCHAR) || CAST(l.phone_n AS VARCHAR), co.digits - 1) AS nat,
           {_COMPANY_SQL} AS company
    FROM _lead_codes l
    JOIN _d_country co ON co.i = l.country_i
    JOIN _d_first fi ON fi.i = l.first_i
    JOIN _d_last la ON la.i = l.last_i
    LEFT JOIN _d_suffix sx ON sx.code = co.code AND sx.i = l.suffix_i
) e ON e.lead_i = l.lead_i
JOIN _d_country co ON co.i = l.country_i
JOIN _d_title ti ON ti.i = l.title_i
JOIN _d_industry ind ON ind.i = l.industry_i
JOIN _d_campaign ca ON ca.campaign_idx = l.campaign_i
JOIN _d_owner ow ON ow.i = l.owner_i
ORDER BY l.lead_i
"""


def _lead_codes(rng, leads: _Leads, firm: pd.DataFrame, j: _Journey) -> pd.DataFrame:
    n = len(leads.fit)
    codes = firm.copy()
    codes.insert(0, "lead_i", np.arange(n))
    codes["created_us"] = np.round(leads.created * 1e6).astype(np.int64)
    codes["campaign_i"] = leads.campaign
    codes["owner_i"] = j.owner
    gaps = rng.random((n, 4))
    codes["no_phone"], codes["no_title"] = gaps[:, 0] < 0.25, gaps[:, 1] < 0.08
    codes["no_industry"], codes["no_employees"] = gaps[:, 2] < 0.08, gaps[:, 3] < 0.12
    return codes


def _load_leads(db, codes: pd.DataFrame, start: datetime) -> None:
    db.register("_lead_codes", codes)
    lists = [[s for s in cat.CN_CITIES], cat.CN_CORES, cat.CN_TAILS, cat.COMPANY_PREFIX, cat.COMPANY_CORE,
             cat.COMPANY_TAIL]
    sql = _LEADS_SQL.replace("$start", "CAST(? AS TIMESTAMP)")
    # parameters in textual order: start, the e-mail domain's word lists, then the company name's
    db.execute(sql, [start, cat.COMPANY_PREFIX, cat.COMPANY_CORE, cat.COMPANY_TAIL, *lists])
    db.unregister("_lead_codes")


def _load_stages(db, stages: pd.DataFrame, start: datetime) -> None:
    frame = pd.DataFrame({"lead_i": stages.lead_i, "stage": stages.stage, "t_us": _micros(stages.t.to_numpy())})
    db.register("_stage_rows", frame)
    db.execute("""INSERT INTO stage_changes SELECT 'L' || lpad(CAST(lead_i + 1 AS VARCHAR), 7, '0'), stage,
                  CAST(? AS TIMESTAMP) + to_microseconds(t_us) FROM _stage_rows ORDER BY t_us""", [start])
    db.unregister("_stage_rows")


def _load_events(db, events: pd.DataFrame, start: datetime) -> None:
    frame = pd.DataFrame({"lead_i": events.lead_i.to_numpy(np.int32), "kind": events.kind.to_numpy(np.int8),
                          "t_us": np.round(events.ts.to_numpy() * 1e6).astype(np.int64),
                          "own": events.own.to_numpy(), "pick": events.channel_pick.to_numpy(np.int8)})
    db.register("_event_rows", frame)
    db.execute("""
        INSERT INTO events
        SELECT 'L' || lpad(CAST(e.lead_i + 1 AS VARCHAR), 7, '0'), CAST(? AS TIMESTAMP) + to_microseconds(e.t_us),
               d.event_type, CASE WHEN e.own OR d.channel IS NULL THEN ca.source_group ELSE d.channel END,
               CASE WHEN e.own THEN ca.campaign END
        FROM _event_rows e
        JOIN _d_channel d ON d.kind = e.kind AND d.pick = e.pick
        JOIN _lead_codes_small l ON l.lead_i = e.lead_i
        JOIN _d_campaign ca ON ca.campaign_idx = l.campaign_i""", [start])
    db.unregister("_event_rows")


def _load_deals_and_handoffs(db, rng, leads: _Leads, firm: pd.DataFrame, j: _Journey, horizon: float,
                             start: datetime) -> None:
    n = len(leads.fit)
    opp = np.flatnonzero(j.t_opp <= horizon)
    closed = j.t_close[opp] <= horizon
    amount = np.maximum(1500, np.round(9000 * (firm.employees.to_numpy()[opp] / 100) ** 0.35
                                       * rng.lognormal(0, 0.45, len(opp)), -2))
    deals = pd.DataFrame({
        "lead_i": opp, "created_us": _micros(j.t_opp[opp]),
        "closed_us": _micros(np.where(closed, j.t_close[opp], np.nan)),
        "status": np.where(~closed, "open", np.where(j.won[opp], "won", "lost")), "amount": amount,
    })
    db.register("_deal_rows", deals)
    db.execute("""INSERT INTO deals SELECT 'D' || lpad(CAST(row_number() OVER (ORDER BY created_us, lead_i)
                  AS VARCHAR), 7, '0'), 'L' || lpad(CAST(lead_i + 1 AS VARCHAR), 7, '0'),
                  CAST(? AS TIMESTAMP) + to_microseconds(created_us),
                  CAST(? AS TIMESTAMP) + to_microseconds(closed_us), status, amount FROM _deal_rows
                  ORDER BY created_us""", [start, start])
    db.unregister("_deal_rows")

    def seen(t):
        return np.where(t <= horizon, t, np.nan)

    mql = np.flatnonzero(j.dispatched <= horizon)
    ret = seen(j.returned[mql])
    hand = pd.DataFrame({
        "lead_i": mql, "dispatched_us": _micros(j.dispatched[mql]), "owner_i": j.owner[mql],
        "accepted_us": _micros(seen(j.accepted[mql])), "returned_us": _micros(ret),
        "reason_i": np.where(np.isnan(ret), -1, j.reason[mql]),
        "contact_us": _micros(seen(j.first_contact[mql])),
    })
    db.register("_handoff_rows", hand)
    db.execute("""INSERT INTO handoffs SELECT 'L' || lpad(CAST(h.lead_i + 1 AS VARCHAR), 7, '0'),
                  CAST(? AS TIMESTAMP) + to_microseconds(h.dispatched_us), o.v,
                  CAST(? AS TIMESTAMP) + to_microseconds(h.accepted_us),
                  CAST(? AS TIMESTAMP) + to_microseconds(h.returned_us), r.v,
                  CAST(? AS TIMESTAMP) + to_microseconds(h.contact_us)
                  FROM _handoff_rows h JOIN _d_owner o ON o.i = h.owner_i LEFT JOIN _d_reason r ON r.i = h.reason_i
                  ORDER BY h.dispatched_us""", [start] * 4)
    db.unregister("_handoff_rows")
    del n


def generate(con, leads: int = 20_000, seed: int = 42, end: date | None = None, progress: bool = True) -> dict:
    """Replace the database contents with demo data for `leads` leads; return the row counts.

    Deterministic for a given (leads, seed, end); `end` defaults to today (UTC): history covers the
    two years before it.
    """
    if leads < 100:
        raise ValueError(f"--leads must be at least 100, got {leads}")
    end = end or datetime.utcnow().date()
    end_ts = datetime.combine(end, time.min)
    start = end_ts - timedelta(days=HISTORY_DAYS)
    horizon = HISTORY_DAYS * DAY
    rng = np.random.default_rng(seed)
    db = store.raw(con)
    steps = tqdm(total=8, desc="demo data", unit="step", disable=not progress)

    def step(label):
        steps.set_postfix_str(label)
        steps.update(1)

    people = _draw_leads(rng, leads)
    firm = _firmographics(rng, people)
    journey = _journey(rng, people, firm)
    step("leads drawn")
    stage_rows = _stage_rows(rng, people, journey, horizon)
    events = _events(rng, people, journey, horizon)
    step("journeys drawn")
    spend = _spend(rng, people, start, HISTORY_DAYS)
    codes = _lead_codes(rng, people, firm, journey)
    db.execute("BEGIN TRANSACTION")
    try:
        for name in ("events", "stage_changes", "deals", "handoffs", "spend", "leads"):
            db.execute(f'DROP TABLE IF EXISTS "{name}"')
        store.ensure_tables(con)
        for name, frame in _dimension_frames().items():
            db.register(name, frame)
        _load_leads(db, codes, start)
        step("leads loaded")
        db.register("_lead_codes_small", codes[["lead_i", "campaign_i"]])
        _load_events(db, events, start)
        step("events loaded")
        _load_stages(db, stage_rows, start)
        step("stages loaded")
        _load_deals_and_handoffs(db, rng, people, firm, journey, horizon, start)
        step("deals and hand-offs loaded")
        db.register("_spend_rows", spend)
        db.execute("INSERT INTO spend SELECT * FROM _spend_rows WHERE date < ?", [end])
        refresh_reach(con)
        step("spend loaded")
        db.execute("COMMIT")
    except Exception:
        db.execute("ROLLBACK")
        raise
    db.execute("CHECKPOINT")
    step("done")
    steps.close()
    return store.table_counts(con)


def ensure(path, leads: int, seed: int = 42) -> str:
    """The path of a demo database with `leads` leads, generating it first if the file does not exist."""
    if not Path(path).exists():
        with store.writing(path, fresh=True) as con:
            generate(con, leads=leads, seed=seed, progress=False)
    return str(path)
