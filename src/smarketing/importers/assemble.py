"""Applying a mapping to the files of one source: the canonical tables they produce, in one Prepared.

Each file's rows become rows of its table (dates parsed, numbers cleaned, constants filled, one column to
several targets); `stage:<X>` targets and a file's `stage` become stage changes; `leads.<column>` targets of
a second file fill the lead they belong to (found by lead id or e-mail). Extra columns keep their type
(numbers stay numbers), so a scoring rule such as `total_time >= 300` works.
"""

from __future__ import annotations

import pandas as pd

from smarketing import store
from smarketing.importers import dates, values
from smarketing.importers.core import Prepared, extra_name
from smarketing.importers.mapping import ORDER, ROW_DATE, Mapping, TableMapping, Target, parse_target
from smarketing.importers.readers import RawTable
from smarketing.labels import t, table_label
from smarketing.schema import TABLES, Table
from smarketing.stages import StageModel, resolve
from smarketing.store import DataImportError, Frame, at_cell
from smarketing.store.text import PATTERN as EDGES


class Rows:
    """One file's rows, converted: the row table's columns, the lead columns it fills, its stage entries."""

    def __init__(self, raw: RawTable, tm: TableMapping, timezone: str, notes: list[str], limit: int | None = None):
        self.raw, self.tm, self.timezone, self.notes = raw, tm, timezone, notes
        self.src = raw.frame if limit is None else raw.frame.head(limit)
        self.contract: Table = TABLES[tm.table]
        self.columns: dict[str, pd.Series] = {}
        self.labels: dict[str, str] = {}
        self.lead_columns: dict[str, pd.Series] = {}
        self.stage_entries: list[tuple[str, pd.Series, str]] = []  # (stage, when, header)
        self._read()

    @property
    def file_rows(self) -> pd.Series:
        return pd.Series(range(1, len(self.src) + 1), index=self.src.index)

    def _read(self) -> None:
        self.day_first = self.tm.day_first if self.tm.day_first is not None else self._file_order()
        self.decimal = self._decimal()
        for header in self.raw.headers:
            if self.tm.ignored(header):
                continue
            targets = self.tm.targets(header)
            if not targets and header not in self.tm.columns:
                self._extra(header)
            for target in targets:
                self._put(target, self.src[header], header)
        for text, value in self.tm.constants.items():
            target = self._constant_target(text)
            self._put(target, self._constant(target, value), f"{text} = {value}", constant=True)
        self._check_required()
        if self.tm.stage:
            self.stage_entries.append((self.tm.stage, self.row_date(), f"stage = {self.tm.stage}"))

    def _file_order(self) -> bool | None:
        """The day/month order one of the file's date columns settles (a day above 12), for all of them."""
        for header in self.tm.columns:
            if header in self.src and self.tm.targets(header):
                found = dates.day_first_evidence(self.src[header])
                if found is not None:
                    return found
        return None

    def _decimal(self) -> str:
        """The file's decimal convention: the mapping's, else read from the columns mapped to numbers."""
        numeric, whole = {}, set()
        for header in self.tm.columns:
            types = {spec.sql_type for target in (self.tm.targets(header) if header in self.src else ())
                     if target.column and (spec := TABLES[target.table].column(target.column)) is not None}
            if types & {"BIGINT", "DOUBLE"}:
                numeric[header] = self.src[header]
                if "DOUBLE" not in types:
                    whole.add(header)  # employees, impressions, clicks: "5,000" is five thousand either way
        return values.decimal_convention(numeric, self.raw.name, self.tm.decimal, whole=whole)

    def _constant_target(self, text: str) -> Target:
        return parse_target(text, self.tm.table, f"{self.raw.name}: constant {text}")

    def _extra(self, header: str) -> None:
        name = extra_name(header)
        if self.contract.column(name) is None and name not in self.columns:
            self.columns[name] = values.typed_extra(self.src[header], self.decimal)
            self.labels[name] = header

    def _put(self, target: Target, series: pd.Series, header: str, constant: bool = False) -> None:
        if target.stage:
            self.stage_entries.append((target.stage, series, header))
        elif target.table == self.tm.table:
            if target.column in self.columns and not constant:
                raise DataImportError(t("imp_mapped_twice").format(
                    file=self.raw.name, first=self.labels[target.column], second=header, column=target.column))
            self.columns[target.column] = self._convert(series, self.contract, target.column, header)
            self.labels[target.column] = header
        else:
            spec = TABLES["leads"].column(target.column)
            converted = self._convert(series, TABLES["leads"], target.column, header) if spec else \
                values.typed_extra(series, self.decimal)
            self.lead_columns[target.column if spec else extra_name(target.column)] = converted

    def _constant(self, target: Target, value: str) -> pd.Series:
        index = self.src.index
        if target.column == "created_at" and str(value).startswith(ORDER):
            start = dates.parse_dates(pd.Series([value[len(ORDER):]]), file=self.raw.name, column="created_at",
                                      timezone=self.timezone).iloc[0]
            self.notes.append(t("imp_note_created_from_order").format(file=self.raw.name, start=f"{start:%Y-%m-%d %H:%M}"))
            return pd.Series(pd.date_range(start, periods=len(index), freq="min"), index=index).astype(
                "datetime64[us]")
        return pd.Series([value] * len(index), index=index, dtype=object)

    def _convert(self, series: pd.Series, contract: Table, column: str, header: str) -> pd.Series:
        """One column's values in the form the contract expects."""
        spec = contract.column(column)
        if spec.sql_type in ("TIMESTAMP", "DATE"):
            if pd.api.types.is_datetime64_any_dtype(series):
                return series
            parsed = dates.parse_dates(series, file=self.raw.name, column=header, timezone=self.timezone,
                                       day_first=self.day_first, notes=self.notes)
            return parsed.dt.normalize() if spec.sql_type == "DATE" else parsed
        if spec.sql_type in ("BIGINT", "DOUBLE"):
            return values.numbers(series, whole=spec.sql_type == "BIGINT", decimal=self.decimal)
        if contract.name == "deals" and column == "status":
            return values.deal_status(series)
        return series

    def _check_required(self) -> None:
        missing = [c for c in self.contract.required if c not in self.columns]
        if missing:
            hint = t("imp_created_hint") if "created_at" in missing and self.tm.table == "leads" else ""
            found = store.headers_found(self.raw.headers, lambda h: h in self.tm.columns or
                                        self.contract.column(h.strip().lower()) is not None)
            raise DataImportError(t("imp_no_column_mapped").format(
                file=self.raw.name, columns=", ".join(missing), table=table_label(self.tm.table), hint=hint,
                found=found))

    def row_date(self) -> pd.Series:
        """When a row's `stage` entry happens: a lead's creation, a deal's close (else creation), an event's time."""
        column = ROW_DATE[self.tm.table]
        when = self.columns.get(column)
        if self.tm.table == "deals":
            when = when.fillna(self.columns["created_at"]) if when is not None else self.columns["created_at"]
        return when

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.columns, index=self.src.index)


def apply(raw: RawTable, tm: TableMapping, timezone: str = "UTC", notes: list[str] | None = None,
          limit: int | None = None) -> Frame:
    """The file's rows as its table will receive them (dates parsed, numbers cleaned, constants filled).

    Raises DataImportError for a missing required column or a value that cannot be read; checks against the
    database (unique ids, known leads) are store.import_files's."""
    rows = Rows(raw, tm, timezone, notes if notes is not None else [], limit)
    return Frame(rows.frame().reset_index(drop=True), raw.name, labels=rows.labels)


def prepare(files: dict[str, RawTable], mapping: Mapping, stages: StageModel | None = None,
            known_emails: dict[str, str] | None = None) -> Prepared:
    """Map the files of one source ({role: file}) with the mapping's section for each role, into the tables
    they fill. `known_emails`: {normalised e-mail: lead_id} of leads already in the database, for files that
    find their lead by e-mail."""
    stages = resolve(stages)
    notes: list[str] = []
    parts = []
    for role, raw in files.items():
        tm = mapping.tables.get(role) or next((m for m in mapping.tables.values() if m.table == role), None)
        if tm is None:
            raise DataImportError(t("imp_mapping_no_section").format(mapping=mapping.name, role=role, file=raw.name))
        notes += raw.notes
        unknown = [h for h in tm.columns if h not in raw.headers]
        if unknown:
            notes.append(t("imp_note_mapped_not_in_file").format(file=raw.name, columns=", ".join(unknown)))
        parts.append(Rows(raw, tm, mapping.timezone, notes))
    return _combine(parts, stages, known_emails or {}, notes)


def _combine(parts: list[Rows], stages: StageModel, known_emails: dict[str, str], notes: list[str]) -> Prepared:
    leads = [p for p in parts if p.tm.table == "leads"]
    by_email = dict(known_emails)
    for part in leads:
        if "email" in part.columns:
            by_email.update(zip(_email_key(part.columns["email"]), part.columns["lead_id"], strict=True))
    owned = [p for p in parts if p.tm.table == "leads" or TABLES[p.tm.table].lead_ref]  # spend rows have no lead
    lead_of = {id(p): (p.columns["lead_id"] if p.tm.table == "leads" else _lead_ids(p, by_email)) for p in owned}
    frames: dict[str, list] = {}
    for part in parts:
        if part.tm.table != "leads" and id(part) in lead_of:
            part.columns["lead_id"] = lead_of[id(part)]
        frames.setdefault(part.tm.table, []).append((part.frame(), part))
    _enrich(frames, parts, lead_of, notes)
    changes = [_stage_rows(p, lead_of[id(p)], stages) for p in parts if p.stage_entries and id(p) in lead_of]
    if changes:
        frames.setdefault("stage_changes", []).extend(changes)
    return Prepared({table: _frame(table, items) for table, items in frames.items()}, notes)


def _email_key(series: pd.Series) -> pd.Series:
    return series.astype("string").str.replace(EDGES, "", regex=True).str.casefold()


def _lead_ids(part: Rows, by_email: dict[str, str]) -> pd.Series:
    """The lead of each row of a file other than leads: the column mapped to lead_id, as an id or an e-mail."""
    header = part.labels.get("lead_id")
    if "lead_id" not in part.columns:
        raise DataImportError(t("imp_no_lead_id_mapped").format(file=part.raw.name))
    keys = part.columns["lead_id"]
    if part.tm.match != "email":
        return keys
    found = _email_key(keys).map(by_email)
    missing = found.isna() & keys.notna()
    if missing.any():
        row = int(missing.to_numpy().nonzero()[0][0]) + 1
        raise DataImportError(at_cell(part.raw.name, row, header, t("imp_no_lead_with_email").format(
            value=keys[missing].iloc[0])))
    return found.astype(object)


def _enrich(frames: dict[str, list], parts: list[Rows], lead_of: dict, notes: list[str]) -> None:
    """Fill lead columns from the other files (the first value per lead; the lead's own file wins)."""
    givers = [p for p in parts if p.lead_columns and id(p) in lead_of]
    if not givers:
        return
    if "leads" not in frames:
        names = ", ".join(p.raw.name for p in givers)
        notes.append(t("imp_note_lead_columns_left_out").format(files=names))
        return
    for index, (frame, part) in enumerate(frames["leads"]):
        ids = frame["lead_id"]
        for giver in givers:
            extra = pd.DataFrame(giver.lead_columns).assign(_lead=lead_of[id(giver)].to_numpy())
            first = extra.dropna(subset=["_lead"]).groupby("_lead", sort=False).first()
            for column in giver.lead_columns:
                filled = ids.map(first[column]) if column in first else None
                if filled is not None:
                    frame[column] = frame[column].combine_first(filled) if column in frame else filled
                    part.labels.setdefault(column, f"{giver.raw.name} · {column}")
        frames["leads"][index] = (frame, part)


def _stage_rows(part: Rows, leads: pd.Series, stages: StageModel) -> tuple[pd.DataFrame, Rows]:
    """Stage changes from a file's stage-date columns, yes/no flags (entered on the row's date) and `stage`."""
    out = []
    for stage, series, header in part.stage_entries:
        canonical = stages.canonical(stage)
        if canonical is None:
            raise DataImportError(t("imp_header_stage_unknown").format(
                file=part.raw.name, header=header, stage=stage, stages=", ".join(stages.all_names)))
        when = _entered(part, series, header)
        out.append(pd.DataFrame({"lead_id": leads, "stage": canonical, "entered_at": when,
                                 "_row": part.file_rows}).dropna(subset=["entered_at"]))
    rows = pd.concat(out).sort_values("_row", kind="stable")
    return rows, part


def _entered(part: Rows, series: pd.Series, header: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    if values.looks_like_flags(series):
        return part.row_date().where(values.truthy(series))
    return dates.parse_dates(series, file=part.raw.name, column=header, timezone=part.timezone,
                             day_first=part.day_first, notes=part.notes)


def _frame(table: str, items: list[tuple[pd.DataFrame, Rows]]) -> Frame:
    """One table's rows from several files, each row remembering its file and row for messages."""
    data, rows, names, labels = [], [], [], {}
    for frame, part in items:
        file_rows = frame.pop("_row") if "_row" in frame else part.file_rows.loc[frame.index]
        data.append(frame.reset_index(drop=True))
        rows += [int(r) for r in file_rows]
        names += [part.raw.name] * len(frame)
        for column, header in part.labels.items():
            labels.setdefault(column, header)
    combined = pd.concat(data, ignore_index=True) if len(data) > 1 else data[0]
    keys = None
    if table == "stage_changes":
        labels = {"lead_id": "lead", "stage": "stage", "entered_at": "stage date"}
        if all(part.tm.table != "stage_changes" for _, part in items):  # only dates of date columns: one per stage
            keys = ("lead_id", "stage")
    return Frame(combined, items[0][1].raw.name, rows=rows, labels=labels, names=names, keys=keys)
