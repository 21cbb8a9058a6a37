#!/usr/bin/env python3
"""Generate small, realistic, vendor-shaped export fixtures for import tests.

Standard library only, fully deterministic (fixed seeds, no clock, no set
iteration order).  Run from anywhere:

    python3 tests/data/exports/make_exports.py

It (re)writes, next to this script:

    olist/                   Olist "Marketing Funnel" shape (MQLs + closed deals, plus a "next week" snapshot)
    hubspot_became/          HubSpot contacts export; stages only via "Became a ... Date" columns
    lead_scoring_converted/  Kaggle "Lead Scoring" (X Education) shape; a 0/1 Converted flag, no dates
    chinese_crm/             Chinese CRM leads + 商机 (opportunities), UTF-8 with BOM
    day_first/               ';'-delimited European CSVs: DD.MM.YYYY, ambiguous DD-MM-YYYY, Excel serials

and one README.md per folder whose numbers are computed here from the rows
written (and were re-counted independently from the files themselves).
Each shape uses its own random.Random so changing one leaves the others as they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import unicodedata
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20240601


# ----------------------------------------------------------------------------- helpers

def write_csv(path: Path, header, rows, *, delimiter=",", quoting=csv.QUOTE_MINIMAL,
              encoding="utf-8", lineterminator="\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, quoting=quoting, lineterminator=lineterminator)
        writer.writerow(header)
        writer.writerows(rows)


def write_text(path: Path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def hex_ids(rng: random.Random, n: int, taken: set | None = None) -> list[str]:
    taken = set() if taken is None else taken
    out = []
    while len(out) < n:
        value = f"{rng.getrandbits(128):032x}"
        if value not in taken:
            taken.add(value)
            out.append(value)
    return out


def ascii_local(text: str) -> str:
    """Mail local part from a name: 'Inès O'Brien' -> 'inesobrien' (ß -> ss)."""
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in text if c.isascii() and (c.isalnum() or c == ".")).lower()


def rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def work_time(rng: random.Random, day: dt.date, *, seconds=False) -> dt.datetime:
    """A time of day that looks like office hours, with the odd late/early one."""
    hour = rng.choice([8, 9, 9, 10, 10, 11, 11, 13, 14, 14, 15, 15, 16, 17, 18, 21, 23, 6])
    return dt.datetime(day.year, day.month, day.day, hour, rng.randint(0, 59),
                       rng.randint(0, 59) if seconds else 0)


def weighted(rng: random.Random, pairs):
    values = [v for v, _ in pairs]
    weights = [w for _, w in pairs]
    return rng.choices(values, weights=weights, k=1)[0]


def md_table(header, rows) -> str:
    lines = ["| " + " | ".join(str(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(lines)


def pct(num: int, den: int) -> str:
    return "–" if den == 0 else f"{100 * num / den:.1f}%"


# ============================================================================= 1. olist

OLIST_PLAN = [  # origin, MQLs, of which won   (shares roughly as in the public dataset)
    ("organic_search", 85, 11),
    ("paid_search", 60, 8),
    ("social", 50, 2),
    ("unknown", 40, 5),
    ("direct_traffic", 20, 3),
    ("email", 17, 1),
    ("referral", 10, 2),
    ("other", 6, 0),
    ("display", 5, 0),
    ("other_publicities", 3, 0),
    ("", 4, 1),  # origin missing (empty cell), as in ~0.75% of the real file
]
OLIST_SEGMENTS = [
    ("home_decor", 10), ("health_beauty", 10), ("car_accessories", 8), ("household_utilities", 7),
    ("construction_tools_house_garden", 7), ("audio_video_electronics", 6), ("computers", 4), ("pet", 4),
    ("food_supplement", 4), ("food_drink", 3), ("sports", 3), ("toys", 3), ("bags_backpacks", 2),
    ("watches", 2), ("phone_mobile", 2), ("jewerly", 2), ("handcrafted", 2), ("bed_bath_table", 2),
    ("small_appliances", 1), ("gifts", 1), ("books", 1), ("fashion_accessories", 1), ("", 1)]
OLIST_LEAD_TYPES = [("online_medium", 33), ("online_big", 15), ("industry", 15), ("offline", 12),
                    ("online_small", 9), ("online_beginner", 7), ("online_top", 2), ("other", 1), ("", 1)]
OLIST_BEHAVIOUR = [("cat", 48), ("eagle", 15), ("wolf", 11), ("shark", 3), ("cat, wolf", 1),
                   ("eagle, cat", 1), ("shark, cat", 1), ("", 20)]
OLIST_SNAPSHOT_END = dt.datetime(2018, 5, 31, 23, 59, 59)
OLIST_NEXT_END = dt.datetime(2018, 6, 7, 23, 59, 59)
MQL_HEADER = ["mql_id", "first_contact_date", "landing_page_id", "origin"]
DEAL_HEADER = ["mql_id", "seller_id", "sdr_id", "sr_id", "won_date", "business_segment", "lead_type",
               "lead_behaviour_profile", "has_company", "has_gtin", "average_stock", "business_type",
               "declared_product_catalog_size", "declared_monthly_revenue"]


def make_olist():
    rng = random.Random(SEED + 1)
    taken: set = set()
    landing_pages = hex_ids(rng, 40, taken)
    page_weights = [max(1, int(60 / (i + 1))) for i in range(len(landing_pages))]  # a few pages get most traffic
    sdrs = hex_ids(rng, 9, taken)
    srs = hex_ids(rng, 6, taken)

    def landing():
        return rng.choices(landing_pages, weights=page_weights, k=1)[0]

    def deal_row(mql_id: str, won: dt.datetime, revenue: int):
        has_extra = rng.random() < 0.12  # the optional survey fields are filled for only a few deals
        catalog = weighted(rng, [("", 88), ("50.0", 3), ("100.0", 3), ("200.0", 2), ("2000.0", 1),
                                 ("15.0", 2), ("1000.0", 1)])
        return {
            "mql_id": mql_id,
            "seller_id": hex_ids(rng, 1, taken)[0],
            "sdr_id": rng.choice(sdrs),
            "sr_id": rng.choice(srs),
            "won_date": won.strftime("%Y-%m-%d %H:%M:%S"),
            "business_segment": weighted(rng, OLIST_SEGMENTS),
            "lead_type": weighted(rng, OLIST_LEAD_TYPES),
            "lead_behaviour_profile": weighted(rng, OLIST_BEHAVIOUR),
            "has_company": rng.choice(["True", "False", "True"]) if has_extra else "",
            "has_gtin": rng.choice(["True", "False", "True"]) if has_extra else "",
            "average_stock": (rng.choice(["5-20", "1-5", "50-200", "200+", "20-50", "unknown"])
                              if has_extra else ""),
            "business_type": weighted(rng, [("reseller", 70), ("manufacturer", 26), ("other", 1), ("", 3)]),
            "declared_product_catalog_size": catalog,
            "declared_monthly_revenue": f"{revenue}.0",
            "_revenue": revenue,
        }

    def won_after(first: dt.date, latest: dt.datetime) -> dt.datetime:
        room = (latest.date() - first).days
        delay = min(room, 1 + int(rng.expovariate(1 / 18)))
        day = first + dt.timedelta(days=max(0, delay))
        t = work_time(rng, day, seconds=True)
        return min(t, latest)

    # ---- week 1: 300 MQLs, 33 won
    mqls = []
    for origin, n, n_won in OLIST_PLAN:
        for k in range(n):
            won = k < n_won
            last = dt.date(2018, 5, 24) if won else dt.date(2018, 5, 31)
            mqls.append({"origin": origin, "won": won,
                         "first_contact_date": rand_date(rng, dt.date(2018, 1, 1), last)})
    rng.shuffle(mqls)
    for m, mql_id in zip(mqls, hex_ids(rng, len(mqls), taken), strict=True):
        m["mql_id"] = mql_id
        m["landing_page_id"] = landing()
    won_mqls = [m for m in mqls if m["won"]]
    # most sellers declare 0; a few declare a monthly revenue, one an outlier (as in the real file)
    revenues = [50000, 100000, 200000, 30000, 1000000, 5000000, 10000] + [0] * (len(won_mqls) - 7)
    rng.shuffle(revenues)
    deals = [deal_row(m["mql_id"], won_after(m["first_contact_date"], OLIST_SNAPSHOT_END), r)
             for m, r in zip(won_mqls, revenues, strict=True)]
    rng.shuffle(deals)  # the real deals file is not in MQL order

    def mql_rows(items):
        return [[m["mql_id"], m["first_contact_date"].isoformat(), m["landing_page_id"], m["origin"]] for m in items]

    def deal_rows(items):
        return [[d[c] for c in DEAL_HEADER] for d in items]

    out = HERE / "olist"
    write_csv(out / "olist_marketing_qualified_leads_dataset.csv", MQL_HEADER, mql_rows(mqls))
    write_csv(out / "olist_closed_deals_dataset.csv", DEAL_HEADER, deal_rows(deals))

    # ---- next week: same MQLs (2 with a changed origin) + 15 new; deals + 3 new (one for an old MQL)
    next_mqls = [dict(m) for m in mqls]
    changed = []
    pick_unknown = next(m for m in next_mqls if m["origin"] == "unknown" and not m["won"])
    pick_empty_won = next(m for m in next_mqls if m["origin"] == "" and m["won"])
    for m, new_origin in ((pick_unknown, "organic_search"), (pick_empty_won, "paid_search")):
        changed.append((m["mql_id"], m["origin"], new_origin, m["won"]))
        m["origin"] = new_origin
    changed_ids = {c[0] for c in changed}
    old_newly_won = next(m for m in next_mqls if m["origin"] == "organic_search" and not m["won"]
                         and m["mql_id"] not in changed_ids and m["first_contact_date"] >= dt.date(2018, 5, 10))
    new_mqls = []
    for mql_id in hex_ids(rng, 15, taken):
        origin = weighted(rng, [("organic_search", 30), ("paid_search", 20), ("social", 17), ("unknown", 14),
                                ("direct_traffic", 6), ("email", 6), ("referral", 3)])
        first = dt.date(2018, 6, 1) + dt.timedelta(days=rng.randint(0, 6))
        new_mqls.append({"mql_id": mql_id, "origin": origin, "won": False, "first_contact_date": first,
                         "landing_page_id": landing()})
    # two of the new MQLs are won within the week: give them early first contacts
    new_mqls[3].update(won=True, first_contact_date=dt.date(2018, 6, 1))
    new_mqls[9].update(won=True, first_contact_date=dt.date(2018, 6, 2), origin="paid_search")
    new_deals = [
        deal_row(old_newly_won["mql_id"], won_after(dt.date(2018, 6, 4), OLIST_NEXT_END), 150000),
        deal_row(new_mqls[3]["mql_id"], won_after(dt.date(2018, 6, 4), OLIST_NEXT_END), 0),
        deal_row(new_mqls[9]["mql_id"], won_after(dt.date(2018, 6, 5), OLIST_NEXT_END), 0),
    ]
    all_next_mqls = next_mqls + new_mqls
    next_deals = deals + new_deals
    write_csv(out / "olist_marketing_qualified_leads_next_week.csv", MQL_HEADER, mql_rows(all_next_mqls))
    write_csv(out / "olist_closed_deals_next_week.csv", DEAL_HEADER, deal_rows(next_deals))

    # ---- README
    def per_origin(mql_list, deal_list):
        origin_map = {m["mql_id"]: m["origin"] for m in mql_list}
        n = Counter(m["origin"] for m in mql_list)
        w = Counter(origin_map[d["mql_id"]] for d in deal_list)
        order = [o for o, _, _ in OLIST_PLAN]
        rows = [(f"`{o}`" if o else "(empty)", n[o], w[o], pct(w[o], n[o])) for o in order]
        rows.append(("**total**", sum(n.values()), sum(w.values()), pct(sum(w.values()), sum(n.values()))))
        return md_table(["origin", "MQLs", "won deals", "conversion"], rows)

    rev = sum(d["_revenue"] for d in deals)
    rev_next = sum(d["_revenue"] for d in next_deals)
    zero_rev = sum(1 for d in deals if d["_revenue"] == 0)
    first_dates = [m["first_contact_date"] for m in mqls]
    won_dates = sorted(d["won_date"] for d in deals)
    empty_counts = {c: sum(1 for d in deals if d[c] == "") for c in DEAL_HEADER if c != "_revenue"}
    new_won = [d["mql_id"] for d in new_deals]

    text = f"""# Olist "Marketing Funnel" shape

Synthetic, but in the exact shape of the public Olist *Marketing Funnel* dataset (Brazil, B2B seller
acquisition): two CSVs joined on `mql_id`. Plain UTF-8, comma-delimited, `\\n` line ends, quoting only where a
value contains a comma (`lead_behaviour_profile` such as `"cat, wolf"`). Generated by `../make_exports.py`.

Stages a test can derive: **MQL** on `first_contact_date` (every row of the MQL file), **won** on `won_date`
(every row of the deals file). There are no SQL/opportunity dates in this shape.

## Week 1: `olist_marketing_qualified_leads_dataset.csv` + `olist_closed_deals_dataset.csv`

- MQL file: **{len(mqls)} rows**, {len(set(m['mql_id'] for m in mqls))} distinct `mql_id` (32 lowercase hex),
  `first_contact_date` from {min(first_dates)} to {max(first_dates)} (`YYYY-MM-DD`), {len(set(m['landing_page_id'] for m in mqls))} distinct `landing_page_id`.
- `origin` is empty in **{sum(1 for m in mqls if m['origin'] == '')}** rows.
- Deals file: **{len(deals)} rows** = {len(deals)} won deals, one per MQL, every `mql_id` present in the MQL file;
  {len(mqls) - len(deals)} MQLs have no deal. `won_date` (`YYYY-MM-DD HH:MM:SS`) from {won_dates[0]} to {won_dates[-1]};
  every `won_date` is on or after its MQL's `first_contact_date`.
- Won per origin:

{per_origin(mqls, deals)}

- **Total `declared_monthly_revenue` = {rev:,}.0** (sum over the {len(deals)} deals); {zero_rev} deals declare `0.0`,
  {len(deals) - zero_rev} declare more, the largest is {max(d['_revenue'] for d in deals):,}.0.
- Empty cells in the deals file (realistically sparse survey fields): {', '.join(f'`{c}` {n}' for c, n in empty_counts.items() if n)}.

## Next week: `olist_marketing_qualified_leads_next_week.csv` + `olist_closed_deals_next_week.csv`

The same export a week later (cut-off {OLIST_NEXT_END:%Y-%m-%d}). Old rows keep their order and ids; new rows are appended.

- MQL file: **{len(all_next_mqls)} rows** = {len(mqls)} old + **{len(new_mqls)} new** (first contact {min(m['first_contact_date'] for m in new_mqls)} … {max(m['first_contact_date'] for m in new_mqls)}).
- **2 old MQL rows changed** (only `origin`; the other 3 columns identical):
{chr(10).join(f'  - `{i}`: `{a or "(empty)"}` → `{b}`' + (' (this MQL is also won in week 1)' if w else '') for i, a, b, w in changed)}
- So, comparing MQL rows by `mql_id`: **added {len(new_mqls)}, updated 2, unchanged {len(mqls) - 2}**.
- Deals file: **{len(next_deals)} rows** = the {len(deals)} old rows byte-identical and in the same order + **3 new deals**:
  - `{new_won[0]}` — an **old** MQL (origin `organic_search`, first contact {old_newly_won['first_contact_date']}), won {new_deals[0]['won_date']}
  - `{new_won[1]}` — a new MQL (origin `{new_mqls[3]['origin']}`, first contact {new_mqls[3]['first_contact_date']}), won {new_deals[1]['won_date']}
  - `{new_won[2]}` — a new MQL (origin `{new_mqls[9]['origin']}`, first contact {new_mqls[9]['first_contact_date']}), won {new_deals[2]['won_date']}
- Counting leads (MQL row + its deal) instead: **added {len(new_mqls)}, updated 3** (the 2 origin changes + the old MQL
  that is newly won), **unchanged {len(mqls) - 3}**.
- **New stage dates: 18** = {len(new_mqls)} new MQL dates (`first_contact_date` of the new rows) + 3 new won dates
  (1 on an old lead, 2 on new leads). No existing date changed or disappeared.
- Won per origin next week (origins as in the next-week file):

{per_origin(all_next_mqls, next_deals)}

- Total `declared_monthly_revenue` next week = **{rev_next:,}.0** (the 3 new deals add {rev_next - rev:,}.0).
"""
    write_text(out / "README.md", text)
    return {"olist": [(f.name, n) for f, n in [
        (out / "olist_marketing_qualified_leads_dataset.csv", len(mqls)),
        (out / "olist_closed_deals_dataset.csv", len(deals)),
        (out / "olist_marketing_qualified_leads_next_week.csv", len(all_next_mqls)),
        (out / "olist_closed_deals_next_week.csv", len(next_deals))]]}


# ============================================================================= 2. hubspot_became

HS_STAGES = ["Subscriber", "Lead", "Marketing Qualified Lead", "Sales Qualified Lead", "Opportunity",
             "Customer", "Evangelist"]
HS_BECAME = {
    "Subscriber": "Became a Subscriber Date",
    "Lead": "Became a Lead Date",
    "Marketing Qualified Lead": "Became a Marketing Qualified Lead Date",
    "Sales Qualified Lead": "Became a Sales Qualified Lead Date",
    "Opportunity": "Became an Opportunity Date",
    "Customer": "Became a Customer Date",
    "Evangelist": "Became an Evangelist Date",
    "Other": "Became an Other Lifecycle Date",
}
HS_HEADER = ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Company Name", "Job Title",
             "Industry", "Number of Employees", "Country/Region", "Original Source",
             "Original Source Drill-Down 1", "Original Source Drill-Down 2", "Lifecycle Stage", "Contact owner",
             "Create Date", "Became a Subscriber Date", "Became a Lead Date",
             "Became a Marketing Qualified Lead Date", "Became a Sales Qualified Lead Date",
             "Became an Opportunity Date", "Became a Customer Date", "Became an Evangelist Date",
             "Became an Other Lifecycle Date", "Lead Score", "Webinar Attended"]
# source: (weight, quality multiplier on every step, share entering as Subscriber)
HS_SOURCES = {
    "Organic Search": (26, 1.00, 0.25),
    "Paid Search": (20, 0.90, 0.10),
    "Email Marketing": (14, 0.75, 0.70),
    "Referrals": (10, 1.45, 0.05),
    "Paid Social": (10, 0.55, 0.20),
    "Organic Social": (6, 0.60, 0.55),
    "Direct Traffic": (7, 1.10, 0.10),
    "Offline Sources": (7, 0.85, 0.05),
    "Other Campaigns": (4, 1.00, 0.30),
}
HS_STEP = {"Subscriber": 0.55, "Lead": 0.55, "Marketing Qualified Lead": 0.6, "Sales Qualified Lead": 0.65,
           "Opportunity": 0.6, "Customer": 0.25}
HS_GAP = {"Subscriber": (3, 40), "Lead": (1, 25), "Marketing Qualified Lead": (1, 18),
          "Sales Qualified Lead": (1, 14), "Opportunity": (6, 45), "Customer": (20, 70)}
HS_SKIP = {"Marketing Qualified Lead": 0.08, "Sales Qualified Lead": 0.22, "Opportunity": 0.04}
HS_EXPORT_END = dt.datetime(2024, 6, 30, 23, 59)
FIRST_NAMES = ["James", "Olivia", "Liam", "Emma", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Sofia", "Mateo", "Chloe",
               "Hannah", "Jonas", "Lea", "Felix", "Marie", "Paul", "Camille", "Hugo", "Inès", "Giulia", "Marco",
               "Priya", "Arjun", "Wei", "Mei", "Yuki", "Kenji", "Fatima", "Omar", "Sara", "Erik", "Ingrid", "Daniel",
               "Grace", "Ryan", "Zoe", "Aiden", "Nora", "Lars", "Ana", "João", "Beatriz", "Tomasz", "Katarzyna"]
LAST_NAMES = ["Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Moore",
              "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Martin", "Bernard", "Dubois", "Rossi", "Bianchi",
              "Patel", "Sharma", "Chen", "Wang", "Tanaka", "Sato", "Khan", "Haddad", "Lindqvist", "Nielsen",
              "O'Brien", "Murphy", "Kowalski", "Nowak", "Silva", "Santos", "Costa", "van Dijk", "de Vries", "Novak"]
HS_COMPANIES = [
    ("Northwind Analytics", "northwind-analytics.com", "Computer Software", "United States"),
    ("BluePeak", "bluepeak.io", "Internet", "United States"),
    ("Acme Logistics", "acmelogistics.com", "Logistics and Supply Chain", "United States"),
    ("Brightline Health", "brightlinehealth.com", "Hospital & Health Care", "United States"),
    ("Cobalt Financial", "cobaltfin.com", "Financial Services", "United States"),
    ("Summit Retail Group", "summitretail.com", "Retail", "United States"),
    ("Ledgerly", "ledgerly.co", "Computer Software", "Canada"),
    ("Maple & Pine Consulting", "mapleandpine.ca", "Management Consulting", "Canada"),
    ("Thames Digital", "thamesdigital.co.uk", "Marketing and Advertising", "United Kingdom"),
    ("Harrow Industrial", "harrow-industrial.co.uk", "Machinery", "United Kingdom"),
    ("Alpenwerk GmbH", "alpenwerk.de", "Machinery", "Germany"),
    ("Rheinblick Software", "rheinblick.de", "Computer Software", "Germany"),
    ("Kesselhaus Logistik", "kesselhaus-logistik.de", "Logistics and Supply Chain", "Germany"),
    ("Lumière Conseil", "lumiere-conseil.fr", "Management Consulting", "France"),
    ("Atelier Numérique", "atelier-numerique.fr", "Marketing and Advertising", "France"),
    ("Nordlys AB", "nordlys.se", "Marketing and Advertising", "Sweden"),
    ("Fjord Data", "fjorddata.no", "Information Technology and Services", "Norway"),
    ("Orbita Pagamentos", "orbitapay.com.br", "Financial Services", "Brazil"),
    ("Vila Verde Varejo", "vilaverde.com.br", "Retail", "Brazil"),
    ("Sakura Systems", "sakura-sys.jp", "Information Technology and Services", "Japan"),
    ("Indus Cloudworks", "induscloud.in", "Information Technology and Services", "India"),
    ("Kangaroo Commerce", "kangaroocommerce.com.au", "Internet", "Australia"),
    ("Tulip Fintech", "tulipfintech.nl", "Financial Services", "Netherlands"),
    ("Gdańsk Robotics", "gdanskrobotics.pl", "Machinery", "Poland"),
    ("Milano Moda Srl", "milanomoda.it", "Retail", "Italy"),
    ("Barcelona Growth Lab", "bcngrowth.es", "Marketing and Advertising", "Spain"),
]
HS_TITLES = ["VP Marketing", "Head of Growth", "Marketing Manager", "Demand Generation Manager", "CMO", "CEO",
             "Marketing Operations Manager", "Revenue Operations Lead", "Sales Director", "Founder",
             "Digital Marketing Specialist", "Content Marketing Manager", "Marketing Analyst", "Student", ""]
HS_OWNERS = ["Alice Morgan", "Ben Carter", "Emma Schulz", "Hao Chen", "Rafael Souza"]
HS_EMPLOYEES = [("1-5", 6), ("5-25", 14), ("25-50", 14), ("50-100", 14), ("100-500", 20), ("500-1000", 8),
                ("1000+", 9), ("", 15)]


def hs_drilldown(rng: random.Random, source: str):
    if source == "Organic Search":
        engine = weighted(rng, [("google", 8), ("bing", 1), ("duckduckgo", 1)])
        return engine, weighted(rng, [("Unknown keywords (SSL)", 6), ("funnel analytics", 1),
                                      ("b2b marketing funnel template", 1), ("mql to sql conversion rate", 1)])
    if source == "Paid Search":
        return weighted(rng, [("google", 8), ("bing", 2)]), weighted(
            rng, [("brand-search-2024", 4), ("funnel analytics software", 3), ("competitor-terms", 2), ("", 1)])
    if source == "Email Marketing":
        month = rng.choice(["01", "02", "03", "04", "05"])
        return f"newsletter-2024-{month}", rng.choice(["Monthly Newsletter", "Product Update", "Webinar Invite"])
    if source == "Referrals":
        site = weighted(rng, [("g2.com", 4), ("capterra.com", 2), ("partner.agencyone.com", 2), ("reddit.com", 1)])
        return site, f"https://www.{site}/" if site != "reddit.com" else "https://www.reddit.com/r/marketing/"
    if source == "Paid Social":
        return weighted(rng, [("LinkedIn", 6), ("Facebook", 3)]), rng.choice(["abm-enterprise-q1", "retargeting-q2", ""])
    if source == "Organic Social":
        return weighted(rng, [("LinkedIn", 5), ("Twitter", 3), ("YouTube", 1)]), ""
    if source == "Direct Traffic":
        return rng.choice(["", "", "https://www.smarketing.example/pricing", "https://www.smarketing.example/"]), ""
    if source == "Offline Sources":
        kind = weighted(rng, [("IMPORT", 5), ("CRM_UI", 4), ("INTEGRATION", 1)])
        second = {"IMPORT": "tradeshow-leads-saastr-2024.csv", "CRM_UI": "", "INTEGRATION": "Salesforce"}[kind]
        return kind, second
    return rng.choice(["webinar-funnel-101", "partner-cobranding-q2"]), rng.choice(["", "partner"])


def hs_phone(rng: random.Random, country: str) -> str:
    """Phone numbers typed the way people type them: local formats, some +country, some bare digits."""
    d = lambda n: "".join(str(rng.randint(0, 9)) for _ in range(n))  # noqa: E731
    formats = {
        "United States": [f"({rng.randint(201, 989)}) 555-01{d(2)}", f"+1 {rng.randint(201, 989)}-555-01{d(2)}",
                          f"{rng.randint(201, 989)}555{d(4)}"],
        "Canada": [f"+1 (416) 555-01{d(2)}", f"604-555-01{d(2)}"],
        "United Kingdom": [f"+44 20 7{d(3)} {d(4)}", f"020 7{d(3)} {d(4)}"],
        "Germany": [f"+49 30 {d(7)}", f"089 {d(6)}", f"+49 (0)40 {d(6)}"],
        "France": [f"+33 1 {d(2)} {d(2)} {d(2)} {d(2)}", f"01 {d(2)} {d(2)} {d(2)} {d(2)}"],
        "Sweden": [f"+46 8 {d(3)} {d(2)} {d(2)}"],
        "Norway": [f"+47 {d(3)} {d(2)} {d(3)}"],
        "Brazil": [f"+55 11 9{d(4)}-{d(4)}", f"(11) 9{d(4)}-{d(4)}"],
        "Japan": [f"+81 3-{d(4)}-{d(4)}"],
        "India": [f"+91 98{d(3)} {d(5)}"],
        "Australia": [f"+61 2 {d(4)} {d(4)}"],
        "Netherlands": [f"+31 20 {d(3)} {d(4)}"],
        "Poland": [f"+48 58 {d(3)} {d(2)} {d(2)}"],
        "Italy": [f"+39 02 {d(4)} {d(4)}"],
        "Spain": [f"+34 93 {d(3)} {d(2)} {d(2)}"],
    }
    return rng.choice(formats[country])


def make_hubspot():
    rng = random.Random(SEED + 2)
    names = [s for s in HS_SOURCES]
    weights = [HS_SOURCES[s][0] for s in names]
    rows, facts = [], []
    record_id = 25_101_000_000 + rng.randint(0, 999) * 50
    n_contacts = 200
    empty_stage_idx = {17, 88, 151}  # contacts HubSpot shows with no lifecycle stage at all
    other_idx = {23, 64, 109, 140, 176}  # partners/competitors moved to "Other"
    for i in range(n_contacts):
        source = rng.choices(names, weights=weights, k=1)[0]
        _, quality, subscriber_share = HS_SOURCES[source]
        dd1, dd2 = hs_drilldown(rng, source)
        webinar = weighted(rng, [("true", 25), ("false", 45), ("", 30)])
        boost = 1.15 if webinar == "true" else 1.0
        created = work_time(rng, rand_date(rng, dt.date(2024, 1, 2), dt.date(2024, 6, 24)))
        dates: dict[str, dt.datetime] = {}
        if i in empty_stage_idx:
            stage = ""
        else:
            if source == "Offline Sources" and dd1 == "CRM_UI" and rng.random() < 0.5:
                entry = "Sales Qualified Lead"  # created by hand by a sales rep
            elif rng.random() < subscriber_share:
                entry = "Subscriber"
            else:
                entry = "Lead"
            idx = HS_STAGES.index(entry)
            stage, current = entry, created
            dates[entry] = created
            if i in other_idx:
                if entry == "Subscriber":
                    current = min(current + dt.timedelta(days=rng.randint(2, 20), minutes=rng.randint(0, 600)),
                                  HS_EXPORT_END)
                    dates["Lead"] = current
                current = current + dt.timedelta(days=rng.randint(1, 30), minutes=rng.randint(0, 600))
                current = min(current, HS_EXPORT_END)
                dates["Other"] = current
                stage = "Other"
            else:
                reached = [entry]
                while idx < len(HS_STAGES) - 1:
                    here = HS_STAGES[idx]
                    if rng.random() >= min(0.95, HS_STEP[here] * quality * boost):
                        break
                    lo, hi = HS_GAP[here]
                    nxt = current + dt.timedelta(days=rng.randint(lo, hi), minutes=rng.randint(0, 900))
                    if nxt > HS_EXPORT_END:
                        break
                    idx += 1
                    current = nxt
                    reached.append(HS_STAGES[idx])
                    dates[HS_STAGES[idx]] = nxt
                stage = reached[-1]
                for s in reached[1:-1]:  # HubSpot only stamps stages the contact was actually set to
                    if rng.random() < HS_SKIP.get(s, 0.0):
                        del dates[s]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company, domain, industry, country = rng.choice(HS_COMPANIES)
        local = weighted(rng, [(f"{first}.{last}", 5), (f"{first[0]}.{last}", 2), (first, 1)])
        local = ascii_local(local)
        email = f"{local}@{domain}" if rng.random() > 0.12 else f"{local}{rng.randint(1, 99)}@gmail.com"
        phone = "" if rng.random() < 0.45 else hs_phone(rng, country)
        level = HS_STAGES.index(stage) if stage in HS_STAGES else 1
        score = "" if rng.random() < 0.06 else str(max(0, min(100, int(rng.gauss(12 + 13 * level, 12)))))
        owner = "" if (stage in ("", "Subscriber", "Lead") and rng.random() < 0.6) else rng.choice(HS_OWNERS)
        row = {
            "Record ID": "", "First Name": first, "Last Name": last, "Email": email,
            "Phone Number": phone, "Company Name": company if rng.random() > 0.05 else "",
            "Job Title": rng.choice(HS_TITLES), "Industry": industry if rng.random() > 0.15 else "",
            "Number of Employees": weighted(rng, HS_EMPLOYEES), "Country/Region": country if rng.random() > 0.07 else "",
            "Original Source": source, "Original Source Drill-Down 1": dd1, "Original Source Drill-Down 2": dd2,
            "Lifecycle Stage": stage, "Contact owner": owner, "Create Date": created.strftime("%Y-%m-%d %H:%M"),
            "Lead Score": score, "Webinar Attended": webinar,
        }
        for s, col in HS_BECAME.items():
            row[col] = dates[s].strftime("%Y-%m-%d %H:%M") if s in dates else ""
        rows.append([row[c] for c in HS_HEADER])
        facts.append((row, dates, stage, source, webinar))

    # newest first, like the HubSpot contacts view export default (Create Date descending)
    # Record IDs grow with creation time, as HubSpot assigns them
    by_creation = sorted(range(len(rows)), key=lambda k: (facts[k][0]["Create Date"], k))
    for k in by_creation:
        record_id += 50 * rng.randint(1, 40)
        facts[k][0]["Record ID"] = str(record_id)
        rows[k][0] = str(record_id)
    order = by_creation[::-1]
    rows = [rows[k] for k in order]
    facts = [facts[k] for k in order]
    out = HERE / "hubspot_became"
    fname = "hubspot-crm-exports-all-contacts-2024-07-01.csv"
    write_csv(out / fname, HS_HEADER, rows, quoting=csv.QUOTE_ALL)

    # ---- README
    became_counts = [(f"`{col}`", sum(1 for f in facts if s in f[1])) for s, col in HS_BECAME.items()]
    stage_counts = Counter(f[2] for f in facts)
    stage_rows = [(f"`{s}`" if s else "(empty)", stage_counts[s]) for s in HS_STAGES + ["Other", ""]]
    rank = {s: k for k, s in enumerate(HS_STAGES)}

    def reach(f, s):  # has this stage's date or any later funnel stage's date
        return any(rank[t] >= rank[s] for t in f[1] if t in rank)
    reach_rows = [(s, sum(1 for f in facts if reach(f, s))) for s in HS_STAGES]
    src_rows = []
    for s in names:
        group = [f for f in facts if f[3] == s]
        mql = sum(1 for f in group if reach(f, "Marketing Qualified Lead"))
        cust = sum(1 for f in group if "Customer" in f[1])
        src_rows.append((s, len(group), mql, cust, pct(cust, len(group))))
    skipped_sql = sum(1 for f in facts if "Opportunity" in f[1] and "Sales Qualified Lead" not in f[1])
    def has_gap(f):  # a funnel stage between the first and the last stamped one has no date
        stamped = [rank[t] for t in f[1] if t in rank]
        return bool(stamped) and any(s not in f[1] for s in HS_STAGES[min(stamped):max(stamped) + 1])
    skipped_any = sum(1 for f in facts if has_gap(f))
    web_true = [f for f in facts if f[4] == "true"]
    web_other = [f for f in facts if f[4] != "true"]
    create_dates = [f[0]["Create Date"] for f in facts]
    text = f"""# HubSpot contacts export, stages only as "Became a … Date"

`{fname}` — a HubSpot **contacts** export in the shape HubSpot writes it: English property labels as headers,
every field double-quoted, UTF-8 without BOM, `\\n` line ends, dates `YYYY-MM-DD HH:MM` (portal time), rows newest
`Create Date` first. There is **no deals file and no lifecycle-stage history table**: the funnel has to come from the
`Became a … Date` columns (and the current `Lifecycle Stage`). Custom properties: `Lead Score` (integer 0–100,
{sum(1 for f in facts if f[0]['Lead Score'] == '')} empty) and `Webinar Attended` (`true`/`false`/empty).
Generated by `../make_exports.py`.

- **{len(facts)} contacts**, {len(set(f[0]['Record ID'] for f in facts))} distinct `Record ID`, `Create Date` from {min(create_dates)} to {max(create_dates)}.
- Every Became date is ≥ the contact's `Create Date`; each contact's first Became date equals its `Create Date`.
- Like real HubSpot data, stages can be skipped (a contact set straight from Lead to Opportunity has no SQL date):
  **{skipped_sql}** contacts have `Became an Opportunity Date` but no `Became a Sales Qualified Lead Date`;
  **{skipped_any}** contacts in total miss a date between their first and their last funnel stage.
- {stage_counts['']} contacts have an empty `Lifecycle Stage` and no Became dates; {stage_counts['Other']} are `Other`.

## Non-empty cells per Became column (what a test should count per stage)

{md_table(["column", "contacts with a date"], became_counts)}

## Current `Lifecycle Stage`

{md_table(["Lifecycle Stage", "contacts"], stage_rows)}

## Reached at least this stage (has this Became date or a later funnel one; `Other` not counted)

{md_table(["stage", "contacts"], reach_rows)}

## Per `Original Source`

{md_table(["Original Source", "contacts", "reached MQL+", "have Became a Customer Date", "customer rate"], src_rows)}

`Webinar Attended` = `true`: {len(web_true)} contacts, {sum(1 for f in web_true if 'Customer' in f[1])} with a Customer date
({pct(sum(1 for f in web_true if 'Customer' in f[1]), len(web_true))}); all others: {len(web_other)} contacts,
{sum(1 for f in web_other if 'Customer' in f[1])} with a Customer date ({pct(sum(1 for f in web_other if 'Customer' in f[1]), len(web_other))}).
"""
    write_text(out / "README.md", text)
    return {"hubspot_became": [(fname, len(rows))]}


# ============================================================================= 3. lead_scoring_converted

LS_HEADER = ["Prospect ID", "Lead Number", "Lead Origin", "Lead Source", "Do Not Email", "Do Not Call", "Converted",
             "TotalVisits", "Total Time Spent on Website", "Page Views Per Visit", "Last Activity", "Country",
             "Specialization", "What is your current occupation", "Tags", "Lead Quality", "City",
             "Last Notable Activity"]
LS_PLAN = [("Landing Page Submission", 130, 48), ("API", 85, 27), ("Lead Add Form", 22, 20),
           ("Lead Import", 12, 3), ("Quick Add Form", 1, 1)]
LS_SOURCES = {
    "Landing Page Submission": [("Google", 40), ("Direct Traffic", 35), ("Organic Search", 12), ("Referral Sites", 5),
                                ("google", 2), ("Pay per Click Ads", 1), ("bing", 1), ("Social Media", 1),
                                ("Facebook", 1), ("", 1)],
    "API": [("Olark Chat", 50), ("Google", 20), ("Organic Search", 14), ("Direct Traffic", 6),
            ("Referral Sites", 5), ("", 3), ("blog", 1), ("Click2call", 1)],
    "Lead Add Form": [("Reference", 70), ("Welingak Website", 25), ("Live Chat", 3), ("NC_EDM", 2)],
    "Lead Import": [("Facebook", 90), ("", 10)],
    "Quick Add Form": [("", 1)],
}
LS_SPECIALIZATIONS = [("Select", 20), ("", 15), ("Finance Management", 10), ("Human Resource Management", 9),
                      ("Marketing Management", 9), ("Operations Management", 6), ("Business Administration", 4),
                      ("IT Projects Management", 4), ("Supply Chain Management", 4),
                      ("Banking, Investment And Insurance", 4), ("Media and Advertising", 2),
                      ("Travel and Tourism", 2), ("International Business", 2), ("Healthcare Management", 2),
                      ("E-COMMERCE", 1), ("Hospitality Management", 1), ("Retail Management", 1),
                      ("Rural and Agribusiness", 1), ("E-Business", 1), ("Services Excellence", 1)]
LS_CITIES = [("Mumbai", 35), ("Select", 20), ("", 15), ("Thane & Outskirts", 8), ("Other Cities", 7),
             ("Other Cities of Maharashtra", 5), ("Other Metro Cities", 4), ("Tier II Cities", 1)]


def make_lead_scoring():
    rng = random.Random(SEED + 3)
    plan = []
    for origin, n, n_conv in LS_PLAN:
        plan += [(origin, k < n_conv) for k in range(n)]
    rng.shuffle(plan)
    lead_number = 660737
    rows, facts = [], []
    for origin, conv in plan:
        source = weighted(rng, LS_SOURCES[origin])
        no_web = origin in ("Lead Add Form", "Quick Add Form") or source == "Olark Chat" \
            or (origin == "Lead Import" and rng.random() < 0.5)
        if no_web:
            visits, seconds, pages = 0, 0, "0"
            if origin == "Lead Import" and rng.random() < 0.5:
                visits = rng.randint(1, 3)
                seconds = rng.randint(10, 200)
                pages = str(visits)
        else:
            visits = max(1, min(27, int(rng.lognormvariate(1.2, 0.6))))
            median = 820 if conv else 230
            seconds = min(2250, int(rng.lognormvariate(0, 0.8) * median))
            views = rng.randint(visits, visits * 4)
            ratio = round(views / visits, 2)
            pages = str(int(ratio)) if ratio == int(ratio) else f"{ratio:g}"
        total_visits = str(visits)
        if not no_web and rng.random() < 0.04:  # TotalVisits and Page Views missing together, as in the real file
            total_visits, pages = "", ""
        if conv:
            tag = weighted(rng, [("Will revert after reading the email", 45), ("Closed by Horizzon", 15),
                                 ("", 28), ("Lost to EINS", 5), ("Busy", 4), ("Interested in other courses", 1),
                                 ("Ringing", 2)])
            quality = weighted(rng, [("", 45), ("High in Relevance", 18), ("Might be", 20), ("Not Sure", 14),
                                     ("Low in Relevance", 3)])
            occupation = weighted(rng, [("Unemployed", 55), ("Working Professional", 18), ("", 20), ("Student", 3),
                                        ("Businessman", 2), ("Housewife", 1), ("Other", 1)])
            activity = weighted(rng, [("SMS Sent", 40), ("Email Opened", 30), ("Page Visited on Website", 6),
                                      ("Had a Phone Conversation", 4), ("Olark Chat Conversation", 4),
                                      ("Email Link Clicked", 4), ("Converted to Lead", 4), ("Form Submitted on Website", 2),
                                      ("Unreachable", 2), ("Email Bounced", 2)])
        else:
            tag = weighted(rng, [("", 38), ("Ringing", 25), ("Interested in other courses", 15), ("Already a student", 8),
                                 ("switched off", 4), ("Not doing further education", 3), ("invalid number", 2),
                                 ("wrong number given", 1), ("Interested  in full time MBA", 2), ("Busy", 2)])
            quality = weighted(rng, [("", 55), ("Not Sure", 12), ("Might be", 10), ("Low in Relevance", 8),
                                     ("Worst", 10), ("High in Relevance", 5)])
            occupation = weighted(rng, [("Unemployed", 62), ("", 32), ("Working Professional", 2), ("Student", 3),
                                        ("Other", 1)])
            activity = weighted(rng, [("Email Opened", 30), ("Olark Chat Conversation", 15), ("SMS Sent", 10),
                                      ("Page Visited on Website", 10), ("Converted to Lead", 8), ("Email Bounced", 6),
                                      ("Email Link Clicked", 4), ("Form Submitted on Website", 2), ("Unreachable", 1),
                                      ("Unsubscribed", 1), ("View in browser link Clicked", 1)])
        if source == "Olark Chat" and rng.random() < 0.5:
            activity = "Olark Chat Conversation"
        notable = activity if activity in ("SMS Sent", "Email Opened", "Page Visited on Website",
                                           "Olark Chat Conversation", "Email Link Clicked") and rng.random() < 0.6 \
            else weighted(rng, [("Modified", 8), (activity, 2)])
        if activity in ("Email Bounced", "Unsubscribed") and rng.random() < 0.7:
            notable = "Email Bounced" if activity == "Email Bounced" else "Unsubscribed"
        dne = "Yes" if rng.random() < (0.03 if conv else 0.12) else "No"
        if origin in ("Lead Add Form", "Quick Add Form", "Lead Import") or source == "Olark Chat":
            country = weighted(rng, [("", 70), ("India", 30)])
        else:
            country = weighted(rng, [("India", 88), ("United States", 3), ("United Arab Emirates", 3),
                                     ("Singapore", 2), ("Saudi Arabia", 1), ("unknown", 1), ("", 2)])
        lead_number -= rng.randint(1, 330)
        row = [str(uuid.UUID(int=rng.getrandbits(128), version=4)), str(lead_number), origin, source, dne, "No",
               "1" if conv else "0", total_visits, str(seconds), pages, activity, country,
               weighted(rng, LS_SPECIALIZATIONS), occupation, tag, quality, weighted(rng, LS_CITIES), notable]
        rows.append(row)
        facts.append({"origin": origin, "conv": conv, "seconds": seconds, "visits": total_visits, "source": source})
    rows[57][5] = "Yes"  # the real file has almost no "Do Not Call" = Yes; one here
    google = [k for k, r in enumerate(rows) if r[2] == "Landing Page Submission" and r[3] == "Google"]
    for k in (google[5], google[30]):  # the real file has "google" next to "Google"
        rows[k][3] = facts[k]["source"] = "google"
    out = HERE / "lead_scoring_converted"
    write_csv(out / "Leads.csv", LS_HEADER, rows)

    n_conv = sum(f["conv"] for f in facts)
    per_origin = []
    for origin, _, _ in LS_PLAN:
        g = [f for f in facts if f["origin"] == origin]
        c = sum(f["conv"] for f in g)
        per_origin.append((origin, len(g), c, pct(c, len(g))))
    long = [f for f in facts if f["seconds"] >= 300]
    short = [f for f in facts if f["seconds"] < 300]
    zero = [f for f in facts if f["seconds"] == 0]
    src = Counter(f["source"] for f in facts)
    text = f"""# Kaggle "Lead Scoring" (X Education) shape — a Converted flag, no dates

`Leads.csv` — same columns (a subset, in the original order) and value vocabulary as the public
*Lead Scoring* dataset: comma-delimited UTF-8, `\\n` line ends, rows in descending `Lead Number`.
**There is no date or timestamp column at all**; the only outcome is `Converted` (0/1).
Placeholders are kept as in the original: `Select` means "not chosen" in `Specialization` and `City`;
`google` (lower case) appears next to `Google` in `Lead Source`; `Tags` has `Interested  in full time MBA` with two spaces;
`Specialization` has a value with a comma (`"Banking, Investment And Insurance"`, quoted).
Generated by `../make_exports.py`.

- **{len(facts)} rows**, {len(set(r[0] for r in rows))} distinct `Prospect ID` (UUID v4), {len(set(r[1] for r in rows))} distinct `Lead Number`
  (from {rows[-1][1]} to {rows[0][1]}).
- **Converted = 1: {n_conv}** ({pct(n_conv, len(facts))}); Converted = 0: {len(facts) - n_conv}.
- Per `Lead Origin`:

{md_table(["Lead Origin", "rows", "converted", "conversion"], per_origin)}

- **`Total Time Spent on Website` ≥ 300: {len(long)} rows, of which {sum(f['conv'] for f in long)} converted**
  ({pct(sum(f['conv'] for f in long), len(long))}); < 300: {len(short)} rows, {sum(f['conv'] for f in short)} converted
  ({pct(sum(f['conv'] for f in short), len(short))}). Exactly 0 seconds: {len(zero)} rows.
- `TotalVisits` empty: {sum(1 for f in facts if f['visits'] == '')} rows (`Page Views Per Visit` is empty in the same rows).
- `Lead Source` empty: {src['']} rows; `Olark Chat`: {src['Olark Chat']}; `Google`: {src['Google']}; `google`: {src['google']}.
- `Do Not Email` = Yes: {sum(1 for r in rows if r[4] == 'Yes')}; `Do Not Call` = Yes: {sum(1 for r in rows if r[5] == 'Yes')}.
- `Specialization` = `Select`: {sum(1 for r in rows if r[12] == 'Select')}, empty: {sum(1 for r in rows if r[12] == '')};
  `City` = `Select`: {sum(1 for r in rows if r[16] == 'Select')}, empty: {sum(1 for r in rows if r[16] == '')}.
"""
    write_text(out / "README.md", text)
    return {"lead_scoring_converted": [("Leads.csv", len(rows))]}


# ============================================================================= 4. chinese_crm

CN_HEADER = ["线索编号", "创建时间", "姓名", "手机", "邮箱", "公司名称", "职位", "行业", "员工人数", "省份", "城市",
             "线索来源", "营销活动", "负责人", "线索状态", "成为MQL时间", "成为SQL时间", "赢单日期", "合同金额"]
OPP_HEADER = ["商机编号", "线索编号", "创建时间", "阶段", "金额", "成交日期"]
CN_SOURCES = {  # source: 营销活动 values
    "百度推广": ["百度SEM-品牌词", "百度SEM-行业词", "百度SEM-竞品词"],
    "官网": ["官网-免费试用", "官网-白皮书下载", ""],
    "展会": ["2024上海国际工业博览会", "2024深圳数字营销展"],
    "微信公众号": ["公众号推文-3月", "公众号推文-4月", "直播：B2B营销漏斗"],
    "抖音": ["抖音信息流-Q1", "抖音信息流-Q2"],
    "转介绍": ["老客户转介绍", ""],
}
# final outcome per source, counted exactly:
# 新线索, 已联系, 营销合格, 销售合格, 商机 (open), 商机 (opportunity lost), 赢单, 无效, 无效 after MQL
CN_PLAN = {
    "百度推广": [10, 12, 11, 4, 3, 2, 4, 6, 2],
    "官网": [8, 8, 10, 3, 3, 1, 5, 4, 2],
    "展会": [3, 5, 6, 2, 3, 1, 6, 3, 1],
    "微信公众号": [7, 8, 6, 2, 1, 1, 2, 2, 1],
    "抖音": [8, 7, 4, 1, 1, 1, 0, 5, 1],
    "转介绍": [1, 1, 2, 1, 2, 0, 6, 0, 1],
}
CN_CITIES = [("广东省", "深圳市", 14), ("广东省", "广州市", 8), ("上海市", "上海市", 16), ("北京市", "北京市", 14),
             ("浙江省", "杭州市", 10), ("江苏省", "苏州市", 8), ("江苏省", "南京市", 5), ("四川省", "成都市", 6),
             ("湖北省", "武汉市", 5), ("山东省", "青岛市", 4), ("福建省", "厦门市", 3), ("天津市", "天津市", 3)]
CN_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹")
CN_GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "军", "强", "丽", "涛", "明", "超", "秀英", "晓东",
            "建华", "志强", "海燕", "雪梅", "子涵", "浩然", "欣怡", "宇轩", "俊杰", "梓萱", "文博", "佳怡"]
CN_PINYIN = {"王": "wang", "李": "li", "张": "zhang", "刘": "liu", "陈": "chen", "杨": "yang", "黄": "huang",
             "赵": "zhao", "吴": "wu", "周": "zhou", "徐": "xu", "孙": "sun", "马": "ma", "朱": "zhu", "胡": "hu",
             "郭": "guo", "何": "he", "高": "gao", "林": "lin", "罗": "luo", "郑": "zheng", "梁": "liang", "谢": "xie",
             "宋": "song", "唐": "tang", "许": "xu", "韩": "han", "冯": "feng", "邓": "deng", "曹": "cao"}
CN_CO_WORDS = ["华锐", "云创", "博远", "恒信", "中科", "天成", "鼎新", "瑞达", "星辰", "汇智", "宏图", "卓越", "联众",
               "安泰", "金桥", "启明", "数联", "智研"]
CN_CO_KIND = [("科技有限公司", 5), ("信息技术有限公司", 3), ("智能制造有限公司", 2), ("实业有限公司", 1),
              ("医疗器械有限公司", 1), ("物流有限公司", 1), ("教育科技有限公司", 1)]
CN_INDUSTRY = {"科技有限公司": "互联网", "信息技术有限公司": "IT服务", "智能制造有限公司": "制造业", "实业有限公司": "制造业",
               "医疗器械有限公司": "医疗", "物流有限公司": "物流", "教育科技有限公司": "教育"}
CN_TITLES = ["市场总监", "市场经理", "总经理", "IT经理", "运营主管", "销售总监", "采购经理", "品牌经理", "CEO", "数字化负责人", ""]
CN_OWNERS = ["张伟", "李娜", "王强", "刘洋", "陈静"]
CN_EMPLOYEES = [("1-49", 15), ("50-99", 20), ("100-499", 35), ("500-999", 15), ("1000以上", 10), ("", 5)]
CN_END = dt.datetime(2024, 6, 30, 23, 59, 59)


def make_chinese_crm():
    rng = random.Random(SEED + 4)
    srcs = list(CN_SOURCES)
    leads, opps = [], []
    lead_no = 20240100000
    opp_seq = 1000
    outcomes = ["新线索", "已联系", "营销合格", "销售合格", "商机-open", "商机-lost", "赢单", "无效", "无效-after-MQL"]
    plan = []
    for source, counts in CN_PLAN.items():
        for outcome, count in zip(outcomes, counts, strict=True):
            plan += [(source, outcome)] * count
    rng.shuffle(plan)
    for source, outcome in plan:
        campaigns = CN_SOURCES[source]
        depth = {"新线索": 0, "已联系": 0, "无效": 0, "营销合格": 1, "无效-after-MQL": 1, "销售合格": 2,
                 "商机-open": 3, "商机-lost": 4, "赢单": 4}[outcome]
        while True:  # draw the dates of the stages this lead reached; redraw if they run past the export
            earliest = dt.date(2024, 5, 15) if outcome == "新线索" else dt.date(2024, 1, 2)  # untouched leads are recent
            created = work_time(rng, rand_date(rng, earliest, dt.date(2024, 6, 26)), seconds=True)
            mql = created + dt.timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 600)) if depth >= 1 else None
            sql = mql + dt.timedelta(days=rng.randint(1, 15), minutes=rng.randint(0, 600)) if depth >= 2 else None
            ot = sql + dt.timedelta(days=rng.randint(0, 7), minutes=rng.randint(5, 300)) if depth >= 3 else None
            close = ot + dt.timedelta(days=rng.randint(7, 45)) if depth >= 4 else None
            if max(d for d in (created, mql, sql, ot, close) if d) <= CN_END:
                break
        lead_opps = []
        if ot:
            amount = Decimal(rng.choice([8, 12, 15, 18, 24, 30, 36, 48, 60, 96, 120])) * 1000
            stage = {"商机-open": "进行中", "商机-lost": "输单", "赢单": "赢单"}[outcome]
            lead_opps.append([ot, stage, amount, close])
        status = {"商机-open": "商机", "商机-lost": "商机", "无效-after-MQL": "无效"}.get(outcome, outcome)
        leads.append({"no": None, "created": created, "source": source, "campaign": rng.choice(campaigns),
                      "status": status, "mql": mql, "sql": sql, "won": close.date() if outcome == "赢单" else None,
                      "opps": lead_opps})

    leads.sort(key=lambda ld: ld["created"])  # 线索编号 is assigned in creation order; the export lists oldest first
    for ld in leads:
        lead_no += rng.randint(1, 9)
        ld["no"] = f"XS{lead_no}"

    # three deliberate oddities, documented in the README
    won_leads = [ld for ld in leads if ld["status"] == "赢单"]
    two_opps = won_leads[1]  # lost a first opportunity before winning a second one
    first_opp = two_opps["opps"][0]
    lost_ot = two_opps["sql"] + dt.timedelta(minutes=30)
    lost_close = lost_ot + dt.timedelta(days=3)
    if first_opp[0] <= lost_close:
        first_opp[0] = lost_close + dt.timedelta(hours=2)
    if first_opp[3] <= first_opp[0]:
        first_opp[3] = first_opp[0] + dt.timedelta(days=7)
        two_opps["won"] = first_opp[3].date()
    assert first_opp[3] <= CN_END and len(won_leads) >= 8
    two_opps["opps"].insert(0, [lost_ot, "输单", Decimal(60000), lost_close])
    no_amount = won_leads[4]  # 合同金额 left empty on the lead; the 商机 row has the amount
    no_opp_row = won_leads[7]  # won recorded on the lead only, missing from 商机.csv
    for ld in leads:
        ld["contract"] = ld["opps"][-1][2] if ld["status"] == "赢单" else None
    contract_fmt = {}
    for k, ld in enumerate(won_leads):
        value = ld["contract"]
        if ld is no_amount:
            contract_fmt[ld["no"]] = ""
        elif k % 5 == 2:
            contract_fmt[ld["no"]] = f"{value:.2f}"  # plain 24000.00
        elif k % 7 == 3:
            contract_fmt[ld["no"]] = f"￥{value:,.2f}"  # full-width yen sign, as Chinese IMEs type it
        else:
            contract_fmt[ld["no"]] = f"¥{value:,.2f}"

    rows = []
    imported = 0
    masked = 0
    for ld in leads:
        surname = rng.choice(CN_SURNAMES)
        given = rng.choice(CN_GIVEN)
        prov, city, _ = rng.choices(CN_CITIES, weights=[c[2] for c in CN_CITIES], k=1)[0]
        kind = weighted(rng, CN_CO_KIND)
        city_short = city.rstrip("市")
        company = f"{city_short}{rng.choice(CN_CO_WORDS)}{kind}" if rng.random() < 0.6 else f"{rng.choice(CN_CO_WORDS)}{city_short}{kind}"
        phone_digits = f"1{rng.choice(['38', '39', '37', '86', '58', '59', '88', '35', '36', '50'])}{rng.randint(0, 99999999):08d}"
        r = rng.random()
        if r < 0.08:
            phone = phone_digits[:3] + "****" + phone_digits[-4:]
            masked += 1
        elif r < 0.14:
            phone = f"+86 {phone_digits[:3]} {phone_digits[3:7]} {phone_digits[7:]}"
        elif r < 0.18:
            phone = ""
        else:
            phone = phone_digits
        email = "" if rng.random() < 0.3 else \
            f"{CN_PINYIN[surname]}{rng.randint(1, 999)}@{rng.choice(['163.com', 'qq.com', 'company.cn', '126.com'])}"
        if ld["source"] == "展会":
            created_txt = ld["created"].strftime("%Y-%m-%d %H:%M:%S")  # bulk-imported from the show's Excel list
            imported += 1
        else:
            created_txt = ld["created"].strftime("%Y/%m/%d %H:%M")
        owner = "" if ld["status"] == "新线索" and rng.random() < 0.5 else rng.choice(CN_OWNERS)
        ld["created_txt"] = created_txt
        rows.append([ld["no"], created_txt, surname + given, phone, email, company, rng.choice(CN_TITLES),
                     CN_INDUSTRY[kind], weighted(rng, CN_EMPLOYEES), prov, city, ld["source"], ld["campaign"], owner,
                     ld["status"],
                     ld["mql"].strftime("%Y-%m-%d %H:%M:%S") if ld["mql"] else "",
                     ld["sql"].strftime("%Y-%m-%d %H:%M:%S") if ld["sql"] else "",
                     ld["won"].isoformat() if ld["won"] else "",
                     contract_fmt.get(ld["no"], "")])
    for ld in leads:
        if ld is no_opp_row:
            continue
        for ot, stage, amount, close in ld["opps"]:
            opps.append([ot, ld["no"], ot.strftime("%Y-%m-%d %H:%M:%S"), stage,
                         f"{amount:.2f}", close.date().isoformat() if close else ""])
    opps.sort(key=lambda o: o[0])
    opp_rows = []
    for o in opps:  # 商机编号 in creation order too
        opp_seq += rng.randint(1, 6)
        opp_rows.append([f"SJ2024{opp_seq:06d}"] + o[1:])
    out = HERE / "chinese_crm"
    write_csv(out / "线索.csv", CN_HEADER, rows, encoding="utf-8-sig", lineterminator="\r\n")
    write_csv(out / "商机.csv", OPP_HEADER, opp_rows, encoding="utf-8-sig", lineterminator="\r\n")

    statuses = ["新线索", "已联系", "营销合格", "销售合格", "商机", "赢单", "无效"]
    st = Counter(ld["status"] for ld in leads)
    src_rows = []
    for s in srcs:
        g = [ld for ld in leads if ld["source"] == s]
        src_rows.append((s, len(g), sum(1 for ld in g if ld["mql"]), sum(1 for ld in g if ld["sql"]),
                         sum(1 for ld in g if ld["status"] == "赢单"), pct(sum(1 for ld in g if ld["status"] == "赢单"), len(g))))
    stage_c = Counter(o[3] for o in opp_rows)
    leads_with_opp = len(set(o[1] for o in opp_rows))
    contract_total = sum(ld["contract"] for ld in won_leads if ld is not no_amount)
    won_opp_total = sum(Decimal(o[4]) for o in opp_rows if o[3] == "赢单")
    invalid_after_mql = sum(1 for ld in leads if ld["status"] == "无效" and ld["mql"])
    text = f"""# Chinese CRM leads export (Chinese headers, UTF-8 with BOM)

Two files, both **UTF-8 with BOM** (`EF BB BF`), comma-delimited, `\\r\\n` line ends (as a CRM "导出Excel/CSV" writes
them for Excel). Generated by `../make_exports.py`.

- `线索.csv` (leads): {', '.join(CN_HEADER)}
- `商机.csv` (opportunities): {', '.join(OPP_HEADER)} — joined to leads on `线索编号`.

Formats: `创建时间` is `YYYY/MM/DD HH:MM` except for the {imported} rows with `线索来源` = `展会` (bulk-imported from the
trade-show list), which use `YYYY-MM-DD HH:MM:SS`. `成为MQL时间`/`成为SQL时间` are `YYYY-MM-DD HH:MM:SS`, `赢单日期` and
`成交日期` are `YYYY-MM-DD`. `合同金额` is only filled for 赢单 leads, mostly `¥24,000.00`, some plain `24000.00` and
{sum(1 for v in contract_fmt.values() if v.startswith('￥'))} with the full-width `￥`. `商机.csv` `金额` is always plain (`24000.00`).
`手机`: {masked} masked like `138****5678`, some `+86 138 1234 5678`, some empty. `员工人数` is a range (`100-499`, `1000以上`).

## `线索.csv`: {len(leads)} rows, {len(set(ld['no'] for ld in leads))} distinct `线索编号`

Per `线索状态`:

{md_table(["线索状态", "leads"], [(s, st[s]) for s in statuses])}

- Leads with `成为MQL时间`: **{sum(1 for ld in leads if ld['mql'])}**; with `成为SQL时间`: **{sum(1 for ld in leads if ld['sql'])}**;
  with `赢单日期`: **{sum(1 for ld in leads if ld['won'])}** (= the 赢单 leads).
- {invalid_after_mql} `无效` leads keep a `成为MQL时间` (disqualified after becoming MQL).
- A lead whose only opportunity was lost stays `商机` on the lead (the CRM does not roll the status back):
  {sum(1 for ld in leads if ld['status'] == '商机' and ld['opps'] and ld['opps'][-1][1] == '输单')} such leads.

Per `线索来源`:

{md_table(["线索来源", "leads", "with 成为MQL时间", "with 成为SQL时间", "赢单", "win rate"], src_rows)}

- **Sum of `合同金额` = ¥{contract_total:,.2f}** over the {len(won_leads) - 1} 赢单 leads that have it; lead `{no_amount['no']}` is 赢单
  with an **empty `合同金额`** (its 商机 row has `金额` {no_amount['contract']:.2f}).

## `商机.csv`: {len(opp_rows)} rows, for {leads_with_opp} distinct leads

{md_table(["阶段", "opportunities"], [(s, stage_c[s]) for s in ["赢单", "输单", "进行中"]])}

- `成交日期` is filled for 赢单 and 输单, empty for 进行中; `创建时间` is on or after the lead's `成为SQL时间`.
- **Sum of `金额` where `阶段` = 赢单: ¥{won_opp_total:,.2f}**.
- Lead `{two_opps['no']}` has **2 opportunities** (first 输单, then 赢单).
- Lead `{no_opp_row['no']}` is 赢单 on the lead (赢单日期 {no_opp_row['won']}, 合同金额 {contract_fmt[no_opp_row['no']]}) but has **no row in
  `商机.csv`**.
- Leads without any opportunity row: {len(leads) - leads_with_opp}.
"""
    write_text(out / "README.md", text)
    return {"chinese_crm": [("线索.csv", len(rows)), ("商机.csv", len(opp_rows))]}


# ============================================================================= 5. day_first

DF_HEADER = ["Lead ID", "Created", "First Name", "Last Name", "Email", "Company", "Country", "Source", "Status",
             "MQL Date", "Won Date", "Amount (EUR)"]
DF_FIRST = ["Anna", "Lukas", "Sophie", "Maximilian", "Léa", "Louis", "Giulia", "Lorenzo", "Emma", "Daan", "Julia",
            "Jakub", "Zofia", "Mateus", "Inês", "Lena", "Niklas", "Chloé", "Matteo", "Sanne"]
DF_LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Dubois", "Lefèvre",
           "Moreau", "Rossi", "Russo", "Ferrari", "de Jong", "Jansen", "Kowalski", "Nowak", "Ferreira", "Straßer"]
DF_COMPANIES = [("Brandt Maschinenbau GmbH", "DE"), ("Kühne Logistik AG", "DE"), ("Schäfer & Söhne KG", "DE"),
                ("Alpenblick Software GmbH", "AT"), ("Zürcher Datenwerk AG", "CH"), ("Atelier Lumière SARL", "FR"),
                ("Groupe Montclair SA", "FR"), ("Officine Rinaldi S.r.l.", "IT"), ("Van der Berg B.V.", "NL"),
                ("Polmetal Sp. z o.o.", "PL"), ("Lusitânia Serviços Lda", "PT"), ("Nordhavn ApS", "DK")]
DF_SOURCES = [("Website", 30), ("Messe", 15), ("LinkedIn", 20), ("Google Ads", 20), ("Empfehlung", 10), ("Newsletter", 5)]
EXCEL_EPOCH = dt.date(1899, 12, 30)


def de_amount(value: Decimal) -> str:
    """1234.56 -> '1.234,56' (German/Excel style)."""
    text = f"{value:,.2f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def make_day_first():
    out = HERE / "day_first"
    results, sections = [], []
    for k, (fname, style) in enumerate([("leads_dots.csv", "dots"), ("leads_dashes_ambiguous.csv", "dashes"),
                                        ("leads_excel_serial.csv", "serial")]):
        rng = random.Random(SEED + 50 + k)
        n = 50
        day_max = 12 if style == "dashes" else 31  # the ambiguous file only gets days 1-12

        def pick(after: dt.date, lo: int, hi: int, rng=rng, day_max=day_max) -> dt.date:
            for _ in range(1000):
                d = after + dt.timedelta(days=rng.randint(lo, hi))
                if d.day <= day_max:
                    return d
            raise RuntimeError("no date found")

        records = []
        for i in range(n):
            # row 1 of the dots file reads 01.02.2024 = 1 February 2024
            created = dt.date(2024, 2, 1) if i == 0 and style == "dots" else pick(dt.date(2024, 1, 8), 0, 150)
            status = weighted(rng, [("New", 12), ("Contacted", 10), ("MQL", 8), ("SQL", 6), ("Won", 9), ("Lost", 5)])
            mql = pick(created, 1, 21) if status in ("MQL", "SQL", "Won", "Lost") else None
            won = pick(mql, 5, 40) if status == "Won" else None
            if status in ("Won", "SQL"):
                amount = Decimal(rng.randint(45000, 2500000)) / 100
                if rng.random() < 0.3:
                    amount = Decimal(rng.randint(5, 60)) * 500
            else:
                amount = None
            records.append({"created": created, "status": status, "mql": mql, "won": won, "amount": amount})
        # one very large deal so a test sees two thousands separators
        big = next(r for r in records if r["status"] == "Won")
        big["amount"] = Decimal("1250000.00") if style != "serial" else Decimal("1034567.89")

        if style == "dots":
            fmt = lambda d: d.strftime("%d.%m.%Y") if d else ""  # noqa: E731
        elif style == "dashes":
            fmt = lambda d: d.strftime("%d-%m-%Y") if d else ""  # noqa: E731
        else:
            fmt = lambda d: str((d - EXCEL_EPOCH).days) if d else ""  # noqa: E731
        rows = []
        table = []
        for i, r in enumerate(records):
            first, last = rng.choice(DF_FIRST), rng.choice(DF_LAST)
            company, country = rng.choice(DF_COMPANIES)
            lead_id = f"L-{2024}{k + 1}{i + 1:03d}"
            email = ascii_local(f"{first}.{last}") + "@example.eu"
            amount_txt = de_amount(r["amount"]) if r["amount"] is not None else ""
            rows.append([lead_id, fmt(r["created"]), first, last, email, company, country, weighted(rng, DF_SOURCES),
                         r["status"], fmt(r["mql"]), fmt(r["won"]), amount_txt])
            iso = lambda d: d.isoformat() if d else ""  # noqa: E731
            table.append((i + 1, lead_id, f"`{fmt(r['created'])}`", iso(r["created"]),
                          f"`{fmt(r['mql'])}`" if r["mql"] else "", iso(r["mql"]),
                          f"`{fmt(r['won'])}`" if r["won"] else "", iso(r["won"]),
                          f"`{amount_txt}`" if amount_txt else "", f"{r['amount']:.2f}" if r["amount"] is not None else ""))
        write_csv(out / fname, DF_HEADER, rows, delimiter=";", lineterminator="\r\n")
        results.append((fname, n))
        all_dates = [d for r in records for d in (r["created"], r["mql"], r["won"]) if d]
        amounts = [r["amount"] for r in records if r["amount"] is not None]
        won_amounts = [r["amount"] for r in records if r["status"] == "Won"]
        facts = [f"- {n} rows; `Status` = Won: {sum(1 for r in records if r['status'] == 'Won')} "
                 f"(all have `Won Date` and `Amount (EUR)`), rows with an `MQL Date`: {sum(1 for r in records if r['mql'])}.",
                 f"- Non-empty `Amount (EUR)`: {len(amounts)} (the Won and SQL rows), **sum {sum(amounts):.2f}** (won only: {sum(won_amounts):.2f}, "
                 f"largest `{de_amount(max(amounts))}` = {max(amounts):.2f}).",
                 f"- Date cells: {len(all_dates)}, from {min(all_dates)} to {max(all_dates)}."]
        if style == "dots":
            facts.append(f"- Format `DD.MM.YYYY`. {sum(1 for d in all_dates if d.day > 12)} date cells have a day > 12 "
                         f"(in {sum(1 for r in records if any(d and d.day > 12 for d in (r['created'], r['mql'], r['won'])))} rows), "
                         "so the order is provable from the file alone. Row 1 `01.02.2024` = **2024-02-01**.")
        elif style == "dashes":
            swap = sum(1 for d in all_dates if d.day != d.month)
            facts.append(f"- Format `DD-MM-YYYY`, but **every** date cell has day ≤ 12, so the file alone cannot tell "
                         f"day-first from month-first. Intended reading: day-first (European). Read month-first, "
                         f"{swap} of the {len(all_dates)} date cells would become a different (still valid) date; "
                         f"{len(all_dates) - swap} have day = month and read the same either way.")
        else:
            facts.append("- `Created`, `MQL Date`, `Won Date` are Excel serial day numbers (1900 date system: "
                         "serial 1 = 1900-01-01, i.e. date = 1899-12-30 + serial days; 45292 = 2024-01-01). "
                         f"Row 1 `{rows[0][1]}` = **{records[0]['created']}**.")
        sections.append(f"## `{fname}`\n\n" + "\n".join(facts) + "\n\nWhat each cell should be read as:\n\n" + md_table(
            ["row", "Lead ID", "Created", "= date", "MQL Date", "= date", "Won Date", "= date", "Amount (EUR)", "= amount"],
            table))
    text = """# European-style leads CSVs (';' delimiter, day-first dates, decimal commas)

Three small exports as a European Excel/CRM writes them: `;`-delimited, UTF-8 without BOM, `\\r\\n` line ends,
German-style amounts in `Amount (EUR)` (`.` thousands separator, `,` decimal: `1.234,56` = 1234.56). The date
columns (`Created`, `MQL Date`, `Won Date`) differ per file. Empty cells mean "no such date/amount". Generated by
`../make_exports.py`. "row" below is the data row number (1 = the first line after the header).

""" + "\n\n".join(sections)
    write_text(out / "README.md", text)
    return {"day_first": results}


# ============================================================================= main

def main():
    summary = {}
    for make in (make_olist, make_hubspot, make_lead_scoring, make_chinese_crm, make_day_first):
        summary.update(make())
    lines = ["# Vendor-shaped export fixtures", "",
             "Small, synthetic but realistically shaped exports for import tests, written by `make_exports.py`",
             "(standard library only, fixed seed; re-running it reproduces every file byte for byte).",
             "Each folder's README.md lists the counts a test can assert.", ""]
    rows = [(f"`{folder}/`", f"`{name}`", n) for folder, files in summary.items() for name, n in files]
    lines.append(md_table(["folder", "file", "data rows"], rows))
    write_text(HERE / "README.md", "\n".join(lines))
    for folder, name, n in rows:
        print(f"{folder:28} {name:52} {n:4} rows")


if __name__ == "__main__":
    main()
