"""HubSpot contacts and deals exports (CRM → Contacts / Deals → Export, CSV or Excel) → leads, stage_changes, deals.

Columns are found by the labels HubSpot's export writes (English account language): `Record ID`,
`Create Date`, `Email`, `Phone Number`, `Company Name`, `Job Title`, `Industry`, `Number of Employees`,
`Country/Region`, `Original Source`, `Original Source Drill-Down 1/2`, `Lifecycle Stage`, `Contact owner`
and the `Became a … Date` columns, one per lifecycle stage. Dates are written as `2024-05-14 09:31` in the
exporting user's time zone (pass `timezone`). Every other column is kept as an extra lead column.
Deals: `Record ID`, `Deal Stage`, `Amount`, `Create Date`, `Close Date`, `Associated Contact IDs`.
"""

from __future__ import annotations

import re

import pandas as pd

from smarketing.importers import dates, values
from smarketing.importers.core import (
    Columns,
    Prepared,
    extra_name,
    file_rows,
    keep_extras,
    known_leads,
    lead_columns,
)
from smarketing.importers.readers import RawTable
from smarketing.labels import t
from smarketing.stages import StageModel, resolve
from smarketing.store import DataImportError, Frame, at_cell
from smarketing.store.text import strip_edges

# "Became a Marketing Qualified Lead Date", "Became an Other Lifecycle Date", "Became an Evangelist Date" …
_BECAME = re.compile(r"^became an? (.+?)(?: lifecycle(?: stage)?)? date$", re.IGNORECASE)

LEAD_COLUMNS = {  # canonical column: HubSpot labels, first found wins
    "lead_id": ("Record ID", "Contact ID", "Record ID - Contact"),
    "created_at": ("Create Date", "Object create date/time", "Created Date"),
    "email": ("Email", "Email Address", "Work email"),
    "phone": ("Phone Number", "Phone"),
    "company": ("Company Name", "Company", "Associated Company"),
    "title": ("Job Title",),
    "industry": ("Industry",),
    "employees": ("Number of Employees", "Company size", "Company Size"),
    "country": ("Country/Region", "Country", "IP Country"),
    "source_group": ("Original Source", "Original Source Type"),
    "source": ("Original Source Drill-Down 1", "Original Source Data 1"),
    "campaign": ("Original Source Drill-Down 2", "Original Source Data 2"),
    "owner": ("Contact owner", "Contact Owner", "HubSpot Owner"),
}


def stage_columns(headers: list[str], stages: StageModel) -> tuple[dict[str, str], list[str]]:
    """{header: stage} for the `Became a … Date` columns, and those naming no stage of the model."""
    found, unknown = {}, []
    for header in headers:
        m = _BECAME.match(header.strip())
        if not m:
            continue
        stage = stages.canonical(m.group(1))
        if stage is None:
            unknown.append(header)
        else:
            found[header] = stage
    return found, unknown


def prepare(
    contacts: RawTable,
    deals: RawTable | None = None,
    *,
    con=None,
    timezone: str = "UTC",
    stages: StageModel | None = None,
    won_stages: tuple[str, ...] = (),
    lost_stages: tuple[str, ...] = (),
    decimal: str | None = None,
) -> Prepared:
    """Map the exports onto leads, stage_changes and (with a deals export) deals. `decimal`: the decimal
    convention of the files' numbers (point or comma), else read from each file."""
    stages = resolve(stages)
    notes = list(contacts.notes)
    leads, changes = _contacts(contacts, timezone, stages, notes, decimal)
    frames = {"leads": leads, "stage_changes": changes}
    if deals is not None:
        notes += deals.notes
        frames["deals"] = _deals(deals, set(leads.data["lead_id"]), con, timezone, won_stages, lost_stages, notes,
                                 decimal)
    return Prepared(frames, notes)


# ----------------------------------------------------------------------------------------- contacts


def _contacts(raw: RawTable, timezone: str, stages: StageModel, notes: list[str],
              decimal: str | None = None) -> tuple[Frame, Frame]:
    cols = Columns(raw)
    cols.require(t("imp_what_contact_id"), *LEAD_COLUMNS["lead_id"])
    cols.require(t("imp_what_contact_created"), *LEAD_COLUMNS["created_at"])
    out, labels = lead_columns(raw, cols, LEAD_COLUMNS, lambda header: dates.parse_dates(
        raw.frame[header], file=raw.name, column=header, timezone=timezone, notes=notes), keep_ranges=True,
        decimal=decimal)
    if "phone" in out and (mobile := cols.find("Mobile Phone Number")):
        out["phone"] = out["phone"].where(out["phone"].notna(), raw.frame[mobile])
    if "country" in out:
        out["region"] = values.region_of(out["country"])
    by_stage, unknown = stage_columns(raw.headers, stages)
    for header in unknown:
        notes.append(t("imp_note_stage_column_left_out").format(file=raw.name, header=header))
    cols.used.update(by_stage)
    cols.used.update(unknown)
    current = cols.find("Lifecycle Stage")
    keep_extras(raw, cols, out, labels)
    leads = Frame(pd.DataFrame(out).reset_index(drop=True), raw.name, labels=labels)
    changes = _stage_changes(raw, by_stage, current, out["lead_id"], out["created_at"], timezone, stages, notes)
    return leads, changes


def _stage_changes(raw, by_stage, current, lead_ids, created, timezone, stages, notes) -> Frame:
    rows = file_rows(raw)
    parts = []
    for header, stage in by_stage.items():
        when = dates.parse_dates(raw.frame[header], file=raw.name, column=header, timezone=timezone, notes=notes)
        parts.append(pd.DataFrame({"lead_id": lead_ids, "stage": stage, "entered_at": when, "_row": rows}))
    long = pd.concat(parts) if parts else pd.DataFrame(columns=["lead_id", "stage", "entered_at", "_row"])
    long = long[long["entered_at"].notna()]
    if current:
        long = pd.concat([long, _current_without_date(raw, current, lead_ids, created, long, stages, notes)])
    long = long.sort_values(["_row", "entered_at"], kind="stable").reset_index(drop=True)
    frame = long[["lead_id", "stage", "entered_at"]].astype({"stage": object})
    labels = {"lead_id": lead_ids.name or "Record ID", "stage": current or "Lifecycle Stage",
              "entered_at": "Became a … Date"}
    return Frame(frame, raw.name, rows=long["_row"].astype(int).tolist(), labels=labels,
                 keys=("lead_id", "stage"))  # a Became a … Date is one date per contact and stage: upserts replace it


def _current_without_date(raw, current, lead_ids, created, dated, stages, notes) -> pd.DataFrame:
    """A contact whose Lifecycle Stage has no `Became a … Date` enters it at its latest known date."""
    stage = raw.frame[current].map(lambda v: stages.canonical(v) if isinstance(v, str) else None)
    unknown = raw.frame[current][raw.frame[current].notna() & stage.isna()]
    if len(unknown):
        row = int(unknown.index[0]) + 1
        raise DataImportError(at_cell(raw.name, row, current, t("imp_unknown_lifecycle_stage").format(
            value=unknown.iloc[0], stages=", ".join(stages.all_names))))
    rows = file_rows(raw)
    have = set(zip(dated["_row"], dated["stage"], strict=False))
    latest = dated.groupby("_row")["entered_at"].max()
    fallback = pd.Series(rows.map(latest), index=raw.frame.index).fillna(created)
    missing = [i for i in raw.frame.index if stage[i] is not None and (rows[i], stage[i]) not in have]
    if missing:
        notes.append(t("imp_note_stage_without_date").format(file=raw.name, n=f"{len(missing):,}"))
    return pd.DataFrame({"lead_id": lead_ids[missing], "stage": stage[missing],
                         "entered_at": fallback[missing].astype("datetime64[us]"), "_row": rows[missing]})


# -------------------------------------------------------------------------------------------- deals


def _deals(raw: RawTable, new_leads: set[str], con, timezone, won_stages, lost_stages, notes, decimal=None) -> Frame:
    cols = Columns(raw)
    deal_id = cols.require(t("imp_what_deal_id"), "Record ID", "Deal ID")
    stage = cols.require(t("imp_what_deal_stage"), "Deal Stage", "Stage")
    created = cols.require(t("imp_what_deal_created"), "Create Date", "Created Date")
    contacts = cols.require(
        t("imp_what_deal_contacts"),
        "Associated Contact IDs", "Associated Contact ID", "Contact IDs",
    )
    closed = cols.find("Close Date")
    amount = cols.find("Amount", "Amount in company currency")
    frame = raw.frame
    status = values.deal_status(frame[stage], set(won_stages), set(lost_stages))
    status = status.where(status.isin(["won", "lost"]), "open")
    if (flag := cols.find("Is Closed Won")) is not None:
        status = status.where(~values.truthy(frame[flag]), "won")
    ids = frame[contacts].map(lambda v: [x for x in map(strip_edges, re.split(r"[;,]", v)) if x], na_action="ignore")
    candidates = {i for lst in ids.dropna() for i in lst}
    known = new_leads | known_leads(con, candidates - new_leads)
    lead = ids.map(lambda lst: next((i for i in lst if i in known), None), na_action="ignore")
    keep = lead.notna()
    if (~keep).any():
        notes.append(t("imp_note_deals_left_out").format(file=raw.name, n=f"{int((~keep).sum()):,}"))
    if (ids.dropna().map(len) > 1).any():
        notes.append(t("imp_note_first_contact").format(file=raw.name))
    created_at = dates.parse_dates(frame[created], file=raw.name, column=created, timezone=timezone, notes=notes)
    out = {
        "deal_id": frame[deal_id],
        "lead_id": lead,
        "created_at": created_at,
        "status": status,
    }
    labels = {"deal_id": deal_id, "lead_id": contacts, "created_at": created, "status": stage}
    if closed:
        close = dates.parse_dates(frame[closed], file=raw.name, column=closed, timezone=timezone, notes=notes)
        out["closed_at"] = close.where(status != "open")  # an open deal's close date is only expected
        out["expected_close"] = close.where(status == "open")
        labels["closed_at"] = closed
    if amount:
        decimal = values.decimal_convention({amount: frame[amount]}, raw.name, decimal)
        out["amount"] = values.numbers(frame[amount], decimal=decimal)
        labels["amount"] = amount
    for header in cols.unused():
        name = extra_name(header)
        if name not in out:
            out[name] = frame[header]
            labels[name] = header
    out["deal_stage"] = frame[stage]
    rows = file_rows(raw)[keep]
    data = pd.DataFrame(out)[keep].reset_index(drop=True)
    return Frame(data, raw.name, rows=rows.astype(int).tolist(), labels=labels)
