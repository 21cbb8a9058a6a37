"""Salesforce Leads and Opportunities report exports (Reports → Export → Details Only, CSV or Excel).

Leads report columns: `Lead ID`, `Created Date`, `Lead Status`, `Lead Source`, `Lead Owner`, `Email`, `Phone`,
`Company / Account`, `Title`, `Industry`, `No. of Employees`, `Country`, `Converted`, `Converted Date`,
`Converted Opportunity ID`. Opportunities report: `Opportunity ID`, `Created Date`, `Close Date`, `Stage`,
`Amount`, `Won`, `Closed`. Dates are in the exporting user's locale (3/14/2024 2:05 PM in the US) and time
zone (pass `timezone`); the report footer is dropped.

Stages: every lead enters `created_stage` at its Created Date; its Lead Status maps to a stage (the status
map, entered at `Last Modified Date` when the report has it); a converted lead enters `converted_stage` at
its Converted Date; its opportunity makes it reach the opportunity role's stage at the opportunity's Created Date
and, when won, the won role's stage at the Close Date. Opportunities are linked to leads by `Converted Opportunity
ID` (15- and 18-character ids match). The default map names the default model's stages; in a model without them
each stands for its role (Lead: the stage before the MQL role, MQL, SQL, Opportunity, Customer: the roles; Other: a
side stage for lost leads, if the model has one, else no stage).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from smarketing.importers import dates, values
from smarketing.importers.core import (
    Columns,
    Prepared,
    extra_name,
    file_rows,
    keep_extras,
    lead_columns,
    read_toml,
    text_table,
    toml_doc,
)
from smarketing.importers.readers import RawTable
from smarketing.labels import t
from smarketing.stages import StageModel, resolve
from smarketing.store import DataImportError, Frame, at_cell
from smarketing.store.text import strip_edges

# Salesforce's default Lead Status values, and statuses teams commonly add.
DEFAULT_STATUS_MAP = {
    "Open - Not Contacted": "Lead",
    "Working - Contacted": "SQL",
    "Closed - Converted": "SQL",
    "Closed - Not Converted": "Other",
    "New": "Lead",
    "Open": "Lead",
    "Nurturing": "Lead",
    "Recycled": "Lead",
    "Marketing Qualified": "MQL",
    "MQL": "MQL",
    "Sales Accepted": "SQL",
    "SAL": "SQL",
    "Qualified": "SQL",
    "SQL": "SQL",
    "Unqualified": "Other",
    "Disqualified": "Other",
}
# What the default model's stage names stand for in any model (stage_for): a role, the stage before the MQL role.
DEFAULT_TARGETS = {"lead": "before mql", "mql": "mql", "sql": "sql", "opportunity": "opportunity", "customer": "won",
                   "other": "lost"}
# Salesforce's default Lead Source picklist values → source group.
DEFAULT_SOURCE_GROUPS = {
    "Web": "Website",
    "Phone Inquiry": "Direct",
    "Partner Referral": "Referrals",
    "Employee Referral": "Referrals",
    "External Referral": "Referrals",
    "Word of mouth": "Referrals",
    "Partner": "Referrals",
    "Purchased List": "Purchased lists",
    "Trade Show": "Events",
    "Seminar - Internal": "Events",
    "Seminar - Partner": "Events",
    "Advertisement": "Paid advertising",
    "Public Relations": "PR",
    "Other": "Other",
}

LEAD_COLUMNS = {
    "lead_id": ("Lead ID", "Id"),
    "created_at": ("Created Date", "Create Date"),
    "email": ("Email",),
    "phone": ("Phone", "Mobile"),
    "company": ("Company / Account", "Company"),
    "title": ("Title",),
    "industry": ("Industry",),
    "employees": ("No. of Employees", "Employees", "Number of Employees"),
    "country": ("Country", "Country (Address)"),
    "source": ("Lead Source",),
    "campaign": ("Primary Campaign Source", "Campaign Name", "Campaign"),
    "owner": ("Lead Owner", "Owner", "Owner Name"),
}


@dataclass
class StatusMap:
    """Lead Status → stage, Lead Source → source group, and the stages that dates imply."""

    statuses: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_STATUS_MAP))
    source_groups: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SOURCE_GROUPS))
    created_stage: str = "Lead"
    converted_stage: str = "SQL"

    @classmethod
    def load(cls, path: str | Path) -> StatusMap:
        """Read a TOML file; its entries are added to (and override) the defaults.

            created_stage = "Lead"
            converted_stage = "SQL"
            [statuses]
            "Working - Contacted" = "MQL"
            [source_groups]
            "Web" = "Inbound"
        """
        text, name = read_toml(path, t("imp_what_status_map"))
        doc = toml_doc(text, name)
        result = cls()
        result.statuses.update(text_table(doc, "statuses", name))
        result.source_groups.update(text_table(doc, "source_groups", name))
        result.created_stage = str(doc.get("created_stage", result.created_stage))
        result.converted_stage = str(doc.get("converted_stage", result.converted_stage))
        return result

    def stage_of(self, status: str, stages: StageModel) -> str | None:
        lookup = {_key(k): v for k, v in self.statuses.items()}
        target = lookup.get(_key(status))
        return stage_for(target, stages) if target else stages.canonical(status)

    def known(self, status: str, stages: StageModel) -> bool:
        """True when the map or the model knows the status (a status mapped to Other in a model without a side
        stage for lost leads is known: it implies no stage)."""
        return _key(status) in {_key(k) for k in self.statuses} or stages.canonical(status) is not None

    def check(self, stages: StageModel, source: str | None = None) -> None:
        source = source or t("imp_what_status_map")
        for label, stage in (("created_stage", self.created_stage), ("converted_stage", self.converted_stage),
                             *self.statuses.items()):
            if stage_for(stage, stages) is None and DEFAULT_TARGETS.get(_key(stage)) != "lost":
                raise DataImportError(t("imp_status_not_a_stage").format(file=source, label=label, stage=stage,
                                                                         stages=", ".join(stages.all_names)))


def stage_for(name: str, stages: StageModel) -> str | None:
    """The stage `name` means in `stages`: the stage of that name or alias, else, for a name of the default model,
    the stage of its role (Lead: the stage before the MQL role; Other: a side stage for lost leads, or None)."""
    if (found := stages.canonical(name)) is not None:
        return found
    target = DEFAULT_TARGETS.get(_key(name))
    if target == "lost":
        return next((found for word in ("Other", "lost", "disqualified") if (found := stages.canonical(word))), None)
    if target == "before mql":
        mql = stages.role("mql")
        return stages.names[max(stages.index(mql) - 1, 0)] if mql else stages.names[0]
    return stages.role(target) if target else None


def _key(text: str) -> str:
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


def _sfid(value) -> str | None:
    """15-character form of a Salesforce id (18-character ids add a case-safety suffix)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = strip_edges(value)
    return text[:15] if len(text) == 18 and text.isalnum() else text


def prepare(
    leads: RawTable,
    opportunities: RawTable | None = None,
    *,
    status_map: StatusMap | None = None,
    timezone: str = "UTC",
    stages: StageModel | None = None,
    day_first: bool | None = None,
    decimal: str | None = None,
) -> Prepared:
    """Map the report exports onto leads, stage_changes and (with an opportunities report) deals. `decimal`: the
    decimal convention of the reports' numbers (point or comma), else read from each report."""
    stages = resolve(stages)
    smap = status_map or StatusMap()
    smap.check(stages)
    notes = list(leads.notes)
    parse = _dates(timezone, False if day_first is None else day_first, notes)  # US locale: month first
    lead_frame, lead_changes, opp_of_lead = _leads(leads, smap, stages, parse, notes, decimal)
    frames = {"leads": lead_frame}
    change_parts = [lead_changes]
    if opportunities is not None:
        notes += opportunities.notes
        deals, opp_changes = _opportunities(opportunities, opp_of_lead, stages, parse, notes, decimal)
        frames["deals"] = deals
        change_parts.append(opp_changes)
    changes = pd.concat(change_parts, ignore_index=True)
    # one entry per lead and stage: the first time (a status and a conversion may both say SQL)
    changes = changes.sort_values("entered_at", kind="stable").drop_duplicates(["lead_id", "stage"])
    changes = changes.sort_values(["lead_id", "entered_at"], kind="stable").reset_index(drop=True)
    frames["stage_changes"] = Frame(
        changes[["lead_id", "stage", "entered_at"]], changes.attrs.get("file", leads.name),
        rows=changes["_row"].astype(int).tolist(), labels={"lead_id": "Lead ID", "stage": "Lead Status"},
    )
    return Prepared(frames, notes)


def _dates(timezone, day_first, notes):
    def parse(raw: RawTable, header: str) -> pd.Series:
        return dates.parse_dates(raw.frame[header], file=raw.name, column=header, timezone=timezone,
                                 day_first=day_first, notes=notes)
    return parse


# -------------------------------------------------------------------------------------------- leads


def _leads(raw: RawTable, smap: StatusMap, stages: StageModel, parse, notes, decimal=None):
    cols = Columns(raw)
    cols.require(t("imp_what_lead_id"), *LEAD_COLUMNS["lead_id"])
    cols.require(t("imp_what_lead_created"), *LEAD_COLUMNS["created_at"])
    status_h = cols.require(t("imp_what_lead_status"), "Lead Status", "Status")
    out, labels = lead_columns(raw, cols, LEAD_COLUMNS, lambda header: parse(raw, header), decimal=decimal)
    if "source" in out:
        groups = {_key(k): v for k, v in smap.source_groups.items()}
        out["source_group"] = out["source"].map(lambda s: groups.get(_key(s), s), na_action="ignore")
        labels["source_group"] = labels["source"]
    if "country" in out:
        out["region"] = values.region_of(out["country"])
    out["lead_status"] = raw.frame[status_h]
    converted_h = cols.find("Converted")
    conv_date_h = cols.find("Converted Date")
    opp_h = cols.find("Converted Opportunity ID", "Converted Opportunity: Opportunity ID", "Opportunity ID")
    modified_h = cols.find("Last Modified Date", "Last Modified")
    keep_extras(raw, cols, out, labels)
    frame = pd.DataFrame(out).reset_index(drop=True)
    frame["lead_id"] = frame["lead_id"].map(_sfid, na_action="ignore")

    rows = file_rows(raw)
    status_stage = _status_stages(raw, status_h, smap, stages)
    status_when = parse(raw, modified_h) if modified_h else out["created_at"]
    status_when = status_when.fillna(out["created_at"])
    parts = [
        pd.DataFrame({"lead_id": frame["lead_id"], "stage": stage_for(smap.created_stage, stages),
                      "entered_at": out["created_at"], "_row": rows}),
        pd.DataFrame({"lead_id": frame["lead_id"], "stage": status_stage, "entered_at": status_when, "_row": rows}),
    ]
    converted_at = parse(raw, conv_date_h) if conv_date_h else dates.no_dates(raw.frame.index)
    if converted_h:
        flagged = values.truthy(raw.frame[converted_h])
        converted_at = converted_at.where(flagged | converted_at.notna())
        converted_at = converted_at.where(converted_at.notna() | ~flagged, status_when)
    parts.append(pd.DataFrame({"lead_id": frame["lead_id"], "stage": stage_for(smap.converted_stage, stages),
                               "entered_at": converted_at, "_row": rows}))
    changes = pd.concat(parts, ignore_index=True)
    changes = changes[changes["stage"].notna() & changes["entered_at"].notna()]
    opp_of_lead = pd.DataFrame({"lead_id": frame["lead_id"], "lead_row": rows})
    opp_of_lead["opp"] = raw.frame[opp_h].map(_sfid, na_action="ignore") if opp_h else None
    opp_of_lead = opp_of_lead[opp_of_lead["opp"].notna()]
    return Frame(frame, raw.name, labels=labels), changes.reset_index(drop=True), opp_of_lead


def _status_stages(raw: RawTable, header: str, smap: StatusMap, stages: StageModel) -> pd.Series:
    statuses = raw.frame[header]
    stage = statuses.map(lambda s: smap.stage_of(s, stages), na_action="ignore")
    unknown = statuses[statuses.notna() & stage.isna() & ~statuses.map(lambda s: smap.known(s, stages),
                                                                       na_action="ignore").fillna(False)]
    if len(unknown):
        row = int(unknown.index[0]) + 1
        missing = ", ".join(t("imp_quoted").format(value=s) for s in dict.fromkeys(unknown.tolist()))
        raise DataImportError(at_cell(raw.name, row, header, t("imp_no_stage_for_status").format(
            statuses=missing, example=unknown.iloc[0])))
    return stage


# ------------------------------------------------------------------------------------ opportunities


def _opportunities(raw: RawTable, opp_of_lead: pd.DataFrame, stages: StageModel, parse, notes, decimal=None):
    cols = Columns(raw)
    opp_h = cols.require(t("imp_what_opportunity_id"), "Opportunity ID", "Id")
    created_h = cols.require(t("imp_what_opportunity_created"), "Created Date", "Create Date")
    close_h = cols.find("Close Date")
    amount_h = cols.find("Amount", "Amount (converted)")
    stage_h = cols.find("Stage", "Opportunity Stage")
    won_h, closed_h = cols.find("Won"), cols.find("Closed")
    if not (won_h or stage_h):
        raise DataImportError(t("imp_missing_won_or_stage").format(file=raw.name))
    frame = raw.frame
    if won_h:
        won = values.truthy(frame[won_h])
        closed = values.truthy(frame[closed_h]) if closed_h else won
    else:
        outcome = values.deal_status(frame[stage_h])
        won, closed = outcome == "won", outcome.isin(["won", "lost"])
    status = pd.Series("open", index=frame.index).where(~closed, "lost").where(~won, "won")
    opp_ids = frame[opp_h].map(_sfid, na_action="ignore")
    lead_of = dict(zip(opp_of_lead["opp"], opp_of_lead["lead_id"], strict=False))
    lead = opp_ids.map(lead_of.get, na_action="ignore")
    keep = lead.notna()
    if (~keep).any():
        notes.append(t("imp_note_opportunities_left_out").format(file=raw.name, n=f"{int((~keep).sum()):,}"))
    created = parse(raw, created_h)
    close = parse(raw, close_h) if close_h else dates.no_dates(frame.index)
    out = {"deal_id": opp_ids, "lead_id": lead, "created_at": created, "status": status,
           "closed_at": close.where(status != "open")}
    labels = {"deal_id": opp_h, "lead_id": "Converted Opportunity ID", "created_at": created_h,
              "closed_at": close_h or "Close Date", "status": won_h or stage_h}
    if amount_h:
        decimal = values.decimal_convention({amount_h: frame[amount_h]}, raw.name, decimal)
        out["amount"] = values.numbers(frame[amount_h], decimal=decimal)
        labels["amount"] = amount_h
    if close_h:
        out["expected_close"] = close.where(status == "open")
    for header in cols.unused():
        name = extra_name(header)
        if name not in out:
            out[name] = frame[header]
            labels[name] = header
    if stage_h:
        out["deal_stage"] = frame[stage_h]
    rows = file_rows(raw)
    deals = Frame(pd.DataFrame(out)[keep].reset_index(drop=True), raw.name, rows=rows[keep].astype(int).tolist(),
                  labels=labels)
    # The lead-side rows are the ones to name in a stage_changes error: the opportunity rows of the report.
    opp_stage = pd.DataFrame({"lead_id": lead, "stage": stages.role("opportunity"), "entered_at": created,
                              "_row": rows})
    won_stage = pd.DataFrame({"lead_id": lead, "stage": stages.role("won"),
                              "entered_at": close.where(status == "won"), "_row": rows})
    changes = pd.concat([opp_stage, won_stage])
    changes = changes[changes["lead_id"].notna() & changes["entered_at"].notna() & changes["stage"].notna()]
    return deals, changes.reset_index(drop=True)
