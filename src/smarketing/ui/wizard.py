"""The Data page's import of your own files: one or several files of one source (an MQL list and a won-deals
file, a contacts export with stage dates, a lead file with a 0/1 flag), each mapped in a table the analyst
can edit, one preview with the counts of the chosen mode, one all-or-nothing import, and the mapping saved
per source for next time.

What each file's rows are and each column's targets start from a saved mapping of the source (its headers
match) or a guess; every choice is kept in session state per file, so the page reruns keep them.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from smarketing import access, privacy
from smarketing.formatting import md_text
from smarketing.importers import assemble, formats, mapping
from smarketing.importers.dates import AmbiguousDates
from smarketing.importers.guess import guess, stage_of_file
from smarketing.importers.mapping import IGNORE, ORDER, STAGE, TableMapping
from smarketing.labels import label, t, table_label
from smarketing.schema import TABLES
from smarketing.stages import active_stages
from smarketing.store import DataImportError
from smarketing.store.merge import MODES
from smarketing.ui import importing

KEEP = ""  # a header with no target is kept as an extra column
TABLE_ORDER = ("leads", "deals", "stage_changes", "events", "handoffs", "spend")
DEAL_STATUS = ("", "won", "lost", "open")


def role_of(name: str) -> str:
    """A file's role in the source's mapping: its name without extension, as a short slug."""
    return re.sub(r"[^\w]+", "_", Path(name).stem.casefold()).strip("_")[:40] or "file"


def _options(table: str) -> list[str]:
    """What a column of a file of `table` rows can feed."""
    ours = [c for c in TABLES[table].column_names]
    lead = [f"leads.{c}" for c in TABLES["leads"].column_names if c != "lead_id"] if table != "leads" else []
    stages = [f"{STAGE}{s}" for s in active_stages().all_names] if table in ("leads", "deals") else []
    return [IGNORE, *ours, *lead, *stages]


def _option_label(option: str) -> str:
    if option == IGNORE:
        return t("data_leave_out")
    if option.startswith(STAGE):
        return t("data_target_stage").format(stage=label(option[len(STAGE):]))
    if option.startswith("leads."):
        return t("data_target_lead").format(column=label(option[len("leads."):]))
    return f"{label(option)} ({option})"


def _first_table(raw, index: int, saved: TableMapping | None) -> str:
    """What a file's rows probably are: the saved mapping's table, else the first file leads and another file
    the table whose required columns its guess covers best."""
    if saved is not None:
        return saved.table
    if index == 0:
        return "leads"
    covered, order = {}, ("deals", "events", "handoffs", "spend", "stage_changes", "leads")
    for table in order:
        tm = guess(raw, table)
        found = {c for targets in tm.columns.values() for c in targets} | set(tm.constants)
        covered[table] = sum(c in found for c in TABLES[table].required) / len(TABLES[table].required)
    return max(covered, key=lambda table: (covered[table], -order.index(table)))  # a second file: deals first


def _guessed(raw, table: str) -> TableMapping:
    tm = guess(raw, table)
    tm.stage = stage_of_file(raw.name) if table == "leads" else None
    return tm


def _editor(raw, tm: TableMapping, key: str) -> dict[str, tuple[str, ...]]:
    """The file's columns with sample values and the targets each feeds, editable."""
    rows = []
    for header in raw.headers:
        sample = raw.frame[header].dropna().head(3)
        if not access.show_personal_data():
            sample = sample.map(lambda v, h=header: privacy.mask_value(h, v))
        rows.append({"header": header, "sample": ", ".join(str(v) for v in sample),
                     "targets": list(tm.columns.get(header, ()))})
    edited = st.data_editor(
        pd.DataFrame(rows), key=key, hide_index=True, width="stretch", disabled=["header", "sample"],
        column_config={
            "header": st.column_config.TextColumn(t("data_header"), pinned=True),
            "sample": st.column_config.TextColumn(t("data_sample")),
            "targets": st.column_config.MultiselectColumn(t("data_maps_to"), options=_options(tm.table),
                                                          format_func=_option_label, help=t("data_maps_to_help"),
                                                          width="large"),
        },
    )
    return {row.header: tuple(row.targets) for row in edited.itertuples() if len(row.targets or ())}


def _file_options(raw, tm: TableMapping, key: str) -> None:
    """The file-wide choices: every row's stage, how rows find their lead, constants a user would set."""
    cols = st.columns(3)
    stages = ["", *active_stages().all_names]
    current = tm.stage if tm.stage in stages else ""
    tm.stage = cols[0].selectbox(t("data_every_row_stage"), stages, index=stages.index(current), key=f"{key}_stage",
                                 format_func=lambda s: t("data_no_stage") if not s else label(s),
                                 help=t("data_every_row_stage_help")) or None
    if tm.table != "leads":
        tm.match = cols[1].radio(t("data_match"), mapping.MATCHES, index=mapping.MATCHES.index(tm.match),
                                 key=f"{key}_match", format_func=lambda m: t(f"data_match_{m}"), horizontal=True)
    if tm.table == "deals" and not tm.mapped("status"):
        status = tm.constants.get("status", "")
        tm.constants.pop("status", None)
        chosen = cols[2].selectbox(t("data_every_row_status"), DEAL_STATUS, index=DEAL_STATUS.index(status)
                                   if status in DEAL_STATUS else 0, key=f"{key}_status",
                                   format_func=lambda s: t("data_from_file_column") if not s else t(s))
        if chosen:
            tm.constants["status"] = chosen
    if tm.table == "leads" and not tm.mapped("created_at"):
        _created_constant(tm, cols[2], key)


def _created_constant(tm: TableMapping, column, key: str) -> None:
    """A leads file with no creation date: the user says what to use (one date, or the file order)."""
    given = tm.constants.get("created_at", "")
    kinds = ("none", "constant", "order")
    kind = "order" if given.startswith(ORDER) else "constant" if given else "none"
    kind = column.radio(t("data_no_created"), kinds, index=kinds.index(kind), key=f"{key}_created",
                        format_func=lambda k: t(f"data_created_{k}"), help=t("data_no_created_help"))
    tm.constants.pop("created_at", None)
    if kind != "none":
        day = column.date_input(t("data_created_day"), value=date.today(), key=f"{key}_created_day")
        tm.constants["created_at"] = (ORDER if kind == "order" else "") + day.isoformat()


def _ask_day_first(exc: AmbiguousDates, tms: dict[str, TableMapping], raws: dict) -> bool:
    """Ask which order dates that fit both orders are in (and run again with the answer)."""
    role = next((r for r, raw in raws.items() if raw.name == exc.file), None)
    st.warning(t("data_ambiguous_dates").format(file=md_text(exc.file), column=md_text(exc.column),
                                                example=md_text(exc.example)), icon=":material/help:")
    answer = st.radio(t("data_day_first_question"), ("day", "month"), index=None, horizontal=True,
                      key=f"wiz_dayfirst_{role}", format_func=lambda o: t(f"data_order_{o}").format(
                          example=exc.example))
    if answer is None or role is None:
        return False
    tms[role].day_first = answer == "day"
    return True


def section(con, encoding: str, timezone: str, decimal: str | None = None) -> None:
    """The own-files tab: upload, map each file, check, import (`decimal`: the files' decimal convention, else
    the saved mapping's or read from each file)."""
    uploads = st.file_uploader(t("data_files"), type=importing.UPLOAD_TYPES, key="wiz_files",
                               accept_multiple_files=True, help=t("data_files_help")) or []
    raws, tms, saved_name, saved_mode = {}, {}, None, None
    for index, upload in enumerate(uploads):
        try:
            raw = importing.read_upload(upload, encoding)
        except DataImportError as exc:
            importing.show_error(exc)
            return
        role = role_of(upload.name)
        found = mapping.find_saved(raw.headers)
        saved = found[0].tables[found[1]] if found else None
        if found:
            saved_name, saved_mode = saved_name or found[0].name, saved_mode or found[0].mode
        with st.expander(f"{upload.name} · {t('data_rows').format(n=f'{len(raw.frame):,}')}", expanded=index == 0,
                         icon=":material/table:"):
            st.caption(t("data_saved_mapping").format(name=md_text(found[0].name)) if saved is not None
                       else t("data_guessed_mapping"))
            table = st.selectbox(t("data_rows_are"), TABLE_ORDER, index=TABLE_ORDER.index(_first_table(
                raw, index, saved)), format_func=table_label, key=f"wiz_table_{role}", help=t("data_target_table_help"))
            base = saved if saved is not None and saved.table == table else _guessed(raw, table)
            tm = TableMapping(table, dict(base.columns), base.day_first, role, dict(base.constants), base.stage,
                              base.match, decimal or base.decimal)
            tm.columns = _editor(raw, tm, f"wiz_edit_{role}_{table}_{importing.fingerprint(upload)}")
            _file_options(raw, tm, f"wiz_{role}_{table}")
        raws[role], tms[role] = raw, tm
    if not raws:
        return
    _source(con, raws, tms, saved_name or role_of(uploads[0].name), saved_mode, timezone, uploads)


def _source(con, raws, tms, name, saved_mode, timezone, uploads) -> None:
    """The source's settings, the mapping's save button, and the checked import."""
    st.markdown(f"**{t('data_source_settings')}**")
    c1, c2 = st.columns([2, 3])
    name = c1.text_input(t("data_mapping_name"), value=name, key="wiz_name", help=t("data_mapping_name_help"))
    default = saved_mode or "add"
    mode = c2.radio(t("data_mode"), MODES, index=MODES.index(default), horizontal=True, key="wiz_mode",
                    format_func=lambda m: t(f"data_mode_{m}") + (" " + t("data_mode_default") if m == default else ""),
                    help=t("data_mode_help"))
    chosen = mapping.Mapping(name, tms, timezone, mode)
    if st.button(t("data_save_mapping"), key="wiz_save", icon=":material/save:"):
        importing.save_mapping(chosen)
    for _ in range(len(raws) + 1):  # each answer to a date question may lead to the next file's question
        try:
            prepared = assemble.prepare(raws, chosen, active_stages(), _emails(con, tms))
            break
        except AmbiguousDates as exc:
            if not _ask_day_first(exc, tms, raws):
                return
        except DataImportError as exc:
            importing.show_error(exc)
            return
    else:
        return
    fingerprint = importing.fingerprint(*uploads) + chosen.to_toml()
    importing.checked_import(prepared, "wiz", fingerprint, mode)


def _emails(con, tms: dict[str, TableMapping]) -> dict[str, str]:
    return formats.known_emails(con) if con is not None and any(tm.match == "email" for tm in tms.values()) else {}
