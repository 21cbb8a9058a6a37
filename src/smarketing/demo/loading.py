"""Loading the simulated people into the canonical tables in bulk (DuckDB SQL over registered frames)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from smarketing.demo import catalog as cat
from smarketing.demo.people import Journey, Leads, campaign_table


def _micros(seconds: np.ndarray) -> np.ndarray:
    """Seconds since the start of history as int64 microseconds (NaN stays missing via pandas Int64)."""
    return pd.array(np.where(np.isnan(seconds), np.nan, np.round(seconds * 1e6)), dtype="Int64")


def dimension_frames() -> dict[str, pd.DataFrame]:
    camps = campaign_table()
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
FROM lead_codes l
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
    FROM lead_codes l
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


def lead_codes(rng, leads: Leads, firm: pd.DataFrame, j: Journey) -> pd.DataFrame:
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


def load_leads(db, codes: pd.DataFrame, start: datetime) -> None:
    db.register("lead_codes", codes)
    lists = [[s for s in cat.CN_CITIES], cat.CN_CORES, cat.CN_TAILS, cat.COMPANY_PREFIX, cat.COMPANY_CORE,
             cat.COMPANY_TAIL]
    sql = _LEADS_SQL.replace("$start", "CAST(? AS TIMESTAMP)")
    # parameters in textual order: start, the e-mail domain's word lists, then the company name's
    db.execute(sql, [start, cat.COMPANY_PREFIX, cat.COMPANY_CORE, cat.COMPANY_TAIL, *lists])
    db.unregister("lead_codes")


def load_stages(db, stages: pd.DataFrame, start: datetime) -> None:
    frame = pd.DataFrame({"lead_i": stages.lead_i, "stage": stages.stage, "t_us": _micros(stages.t.to_numpy())})
    db.register("stage_rows", frame)
    db.execute("""INSERT INTO stage_changes SELECT 'L' || lpad(CAST(lead_i + 1 AS VARCHAR), 7, '0'), stage,
                  CAST(? AS TIMESTAMP) + to_microseconds(t_us) FROM stage_rows ORDER BY t_us""", [start])
    db.unregister("stage_rows")


def load_events(db, events: pd.DataFrame, start: datetime) -> None:
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


def load_deals_and_handoffs(db, rng, leads: Leads, firm: pd.DataFrame, j: Journey, horizon: float,
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
