"""The Data page's Streamlit parts: reading uploads (cached per file), the mapping and status editors, the
preview of what will land, and the checked, atomic import with its progress bar."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

from smarketing import access, privacy, store
from smarketing.formatting import md_text
from smarketing.importers import core, loading, mapping, read_table, salesforce
from smarketing.labels import column_labels, t
from smarketing.schema import TABLES
from smarketing.stages import active_stages
from smarketing.store import DataImportError
from smarketing.store.writes import WriteBusy
from smarketing.ui import data
from smarketing.ui.pages import page_link
from smarketing.ui.tables import dataframe

KEEP_EXTRA, LEAVE_OUT = "data_keep_extra", "data_leave_out"


TIMEZONES = ["UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
             "America/Sao_Paulo", "Europe/London", "Europe/Berlin", "Europe/Paris", "Asia/Shanghai", "Asia/Tokyo",
             "Asia/Singapore", "Asia/Kolkata", "Australia/Sydney"]


UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "xls", "parquet"]


PREVIEW_ROWS = 20


@st.cache_data(show_spinner=False, max_entries=8)
def _read_bytes(data: bytes, name: str, encoding: str = "auto"):
    return read_table(data, name, encoding)


def read_upload(upload, encoding: str = "auto"):
    return _read_bytes(upload.getvalue(), upload.name, encoding) if upload is not None else None


def fingerprint(*uploads) -> str:
    digest = hashlib.sha1()
    for upload in uploads:
        if upload is not None:
            digest.update(upload.name.encode())
            digest.update(upload.getvalue())
    return digest.hexdigest()


def rows_text(rows: dict[str, int]) -> str:
    return ", ".join(t("data_rows_into").format(n=f"{n:,}", table=t(name)) for name, n in rows.items())


def timezone(key: str) -> str:
    return st.selectbox(t("data_timezone"), TIMEZONES, key=f"{key}_tz", help=t("data_timezone_help"),
                        accept_new_options=True)


def show_error(exc: Exception) -> None:
    message = str(exc) if access.show_personal_data() else privacy.mask_text(str(exc))
    st.error(f"**{t('data_invalid')}**\n\n{md_text(message)}\n\n{t('data_nothing_imported')}", icon=":material/error:")


def recognised(frames: dict[str, store.Frame]) -> None:
    """Which column of each of our tables comes from which column of the user's file."""
    with st.expander(t("data_recognised"), expanded=False):
        rows = [
            {"table": t(name), "our_column": t(col), "from_file": f"{frame.name} · {frame.labels[col]}"}
            for name, frame in frames.items()
            for col in frame.data.columns
            if col in frame.labels and TABLES[name].column(col) is not None
        ]
        names = {"table": t("data_table"), "our_column": t("data_our_column"), "from_file": t("data_from_file")}
        dataframe(pd.DataFrame(rows).rename(columns=names), hide_index=True, width="stretch")


def preview(frames: dict[str, store.Frame], key: str) -> None:
    st.markdown(f"**{t('data_preview')}**")
    names = [n for n, f in frames.items() if not f.data.empty]
    for tab, name in zip(st.tabs([f"{t(n)} ({len(frames[n].data):,})" for n in names]), names, strict=True):
        with tab:
            head = frames[name].data.head(PREVIEW_ROWS)
            head = head.astype(object).where(head.notna(), "")  # empty cells blank, not "None"
            dataframe(head.rename(columns=column_labels(head.columns)), hide_index=True, width="stretch",
                         key=f"{key}_preview_{name}")


def notes(notes: list[str]) -> None:
    if notes:
        st.warning(f"**{t('data_notes')}**\n\n" + "\n".join(f"- {md_text(n)}" for n in notes), icon=":material/info:")


@st.cache_data(show_spinner=False, max_entries=8)
def _validated(db_key: str, fingerprint: str, _prepared: core.Prepared) -> dict[str, int]:
    """Every check of the import, run in a scratch database (the real one is untouched)."""
    return loading.validate(data.connection() if store_exists() else None, _prepared, active_stages()).added


def checked_import(prepared: core.Prepared, key: str, fingerprint: str) -> None:
    """Validate, then offer the import button; import with a progress bar."""
    recognised(prepared.frames)
    preview(prepared.frames, key)
    notes(prepared.notes)
    if st.session_state.get(f"{key}_done") == fingerprint:
        st.success(t("data_already_imported"), icon=":material/check_circle:")
        page_link("funnel", t("data_see_funnel"))
        return
    try:
        with st.spinner(t("data_checking")):
            rows = _validated(data.cache_key(), fingerprint, prepared)
    except DataImportError as exc:
        show_error(exc)
        return
    st.success(t("data_ready").format(rows=rows_text(rows)), icon=":material/task_alt:")
    if not st.button(t("data_import"), type="primary", key=f"{key}_import", icon=":material/upload:"):
        return
    bar = st.progress(0.0, text=t("data_importing"))

    def progress(done: int, total: int, table: str) -> None:
        label = f"{t('data_importing')} {t(table)} …" if table else t("data_importing")
        bar.progress(done / total if total else 1.0, text=label)

    try:
        with data.writable_connection() as wcon:
            result = loading.load(wcon, prepared, active_stages(), progress)
    except (DataImportError, WriteBusy) as exc:
        bar.empty()
        show_error(exc)
        return
    st.session_state[f"{key}_done"] = fingerprint
    st.session_state["data_flash"] = t("data_imported").format(rows=rows_text(result.added))
    st.rerun()


def status_editor(raw, key: str) -> salesforce.StatusMap:
    """An editable table: each Lead Status found in the file → a stage (defaults prefilled)."""
    smap = salesforce.StatusMap()
    header = next((h for h in raw.headers if h.strip().lower() in ("lead status", "status")), None)
    if header is None:
        return smap
    found = [s for s in dict.fromkeys(raw.frame[header].dropna()) if s]
    table = pd.DataFrame({"status": found, "stage": [smap.stage_of(s, active_stages()) for s in found]})
    edited = st.data_editor(
        table, key=f"{key}_statuses", hide_index=True, width="stretch", disabled=["status"],
        column_config={
            "status": st.column_config.TextColumn(t("data_lead_status")),
            "stage": st.column_config.SelectboxColumn(t("stage"), options=active_stages().all_names, required=True,
                                                      help=t("data_status_map_help")),
        },
    )
    smap.statuses.update({r.status: r.stage for r in edited.itertuples() if r.stage})
    return smap


def mapping_editor(raw, table: str, initial: mapping.TableMapping, key: str) -> mapping.TableMapping:
    """The file's columns with sample values and an editable 'maps to' choice each."""
    contract = TABLES[table]
    options = [t(KEEP_EXTRA), t(LEAVE_OUT), *[f"{t(c)} ({c})" for c in contract.column_names]]
    by_column = {c: f"{t(c)} ({c})" for c in contract.column_names}
    rows = []
    for header in raw.headers:
        target = initial.target(header)
        choice = t(KEEP_EXTRA) if target is None else t(LEAVE_OUT) if target == mapping.IGNORE else by_column.get(target, t(KEEP_EXTRA))
        values = raw.frame[header].dropna().head(3)
        if not access.show_personal_data():
            values = values.map(lambda v, h=header: privacy.mask_value(h, v))
        sample = ", ".join(str(v) for v in values)
        rows.append({"header": header, "sample": sample, "maps_to": choice})
    edited = st.data_editor(
        pd.DataFrame(rows), key=key, hide_index=True, width="stretch", disabled=["header", "sample"],
        column_config={
            "header": st.column_config.TextColumn(t("data_header")),
            "sample": st.column_config.TextColumn(t("data_sample")),
            "maps_to": st.column_config.SelectboxColumn(t("data_maps_to"), options=options, required=True,
                                                        help=t("data_maps_to_help")),
        },
    )
    back = {label: column for column, label in by_column.items()}
    columns = {}
    for row in edited.itertuples():
        if row.maps_to == t(LEAVE_OUT):
            columns[row.header] = mapping.IGNORE
        elif row.maps_to in back:
            columns[row.header] = back[row.maps_to]
    return mapping.TableMapping(table, columns)


def store_exists() -> bool:
    """True when the database in use exists (a first import creates it)."""
    return data.is_warehouse() or Path(data.db_path()).exists()
