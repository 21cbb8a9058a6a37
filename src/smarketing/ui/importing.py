"""The Data page's Streamlit parts: reading uploads (cached per file), the mapping and status editors, the
preview of what will land, and the checked, atomic import with its progress bar."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

from smarketing import access, paths, privacy, store
from smarketing.formatting import md_text
from smarketing.importers import core, loading, mapping, read_table, salesforce
from smarketing.labels import column_labels, t, table_label
from smarketing.schema import TABLES
from smarketing.stages import active_stages
from smarketing.store import DataImportError, decimals
from smarketing.store.merge import MODES, Changes
from smarketing.store.writes import WriteBusy
from smarketing.ui import data
from smarketing.ui.pages import page_link
from smarketing.ui.tables import dataframe

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


def timezone(key: str) -> str:
    return st.selectbox(t("data_timezone"), TIMEZONES, key=f"{key}_tz", help=t("data_timezone_help"),
                        accept_new_options=True)


DECIMALS = ("", decimals.COMMA, decimals.POINT)  # "": read from the file's numbers


def decimal_choice(key: str) -> str | None:
    """How the files write numbers: read from them (default), a decimal comma or a decimal point."""
    chosen = st.selectbox(t("data_decimal"), DECIMALS, key=f"{key}_decimal", help=t("data_decimal_help"),
                          format_func=lambda d: t(f"data_decimal_{d or 'detect'}"))
    return chosen or None


def show_error(exc: Exception) -> None:
    message = str(exc) if access.show_personal_data() else privacy.mask_text(str(exc))
    st.error(f"**{t('data_invalid')}**\n\n{md_text(message)}\n\n{t('data_nothing_imported')}", icon=":material/error:")


def recognised(frames: dict[str, store.Frame]) -> None:
    """Which column of each of our tables comes from which column of the user's file."""
    with st.expander(t("data_recognised"), expanded=False):
        rows = [
            {"table": table_label(name), "our_column": t(col), "from_file": f"{frame.name} · {frame.labels[col]}"}
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
            head = frames[name].data.head(PREVIEW_ROWS)  # dataframe() shows empty text cells blank
            dataframe(head.rename(columns=column_labels(head.columns)), hide_index=True, width="stretch",
                         key=f"{key}_preview_{name}")


def notes(notes: list[str]) -> None:
    if notes:
        shown = notes if access.show_personal_data() else [privacy.mask_text(n) for n in notes]
        st.warning(f"**{t('data_notes')}**\n\n" + "\n".join(f"- {md_text(n)}" for n in shown), icon=":material/info:")


@st.cache_data(show_spinner=False, max_entries=8)
def _validated(db_key: str, fingerprint: str, mode: str, _prepared: core.Prepared) -> dict[str, Changes]:
    """Every check of the import and its counts, run in a scratch database (the real one is untouched)."""
    return loading.validate(data.connection() if store_exists() else None, _prepared, active_stages(),
                            mode=mode).changes


def changes_table(changes: dict[str, Changes]) -> None:
    """Per table: rows in the files, and how many are added, updated, unchanged, removed."""
    rows = [{"table": table_label(name), "rows": c.rows, "added": c.added, "updated": c.updated, "unchanged": c.unchanged,
             "removed": c.removed} for name, c in changes.items()]
    frame = pd.DataFrame(rows)
    shown = [col for col in frame.columns if col == "table" or frame[col].any()]
    dataframe(frame[shown], hide_index=True, width="content", column_config={
        "table": t("data_table"), **{col: st.column_config.NumberColumn(t(f"data_count_{col}"), format="localized")
                                     for col in shown if col != "table"}})


def mode_choice(key: str, default: str = "add") -> str:
    """add / upsert / replace, the default marked."""
    return st.radio(t("data_mode"), MODES, index=MODES.index(default), horizontal=True, key=f"{key}_mode",
                    format_func=lambda m: t(f"data_mode_{m}") + (" " + t("data_mode_default") if m == default else ""),
                    help=t("data_mode_help"))


def checked_import(prepared: core.Prepared, key: str, fingerprint: str, mode: str = "add") -> None:
    """Validate, show what would change, then offer the import button; import with a progress bar."""
    recognised(prepared.frames)
    preview(prepared.frames, key)
    notes(prepared.notes)
    if st.session_state.get(f"{key}_done") == fingerprint + mode:
        st.success(t("data_already_imported"), icon=":material/check_circle:")
        page_link("funnel", t("data_see_funnel"))
        return
    try:
        with st.spinner(t("data_checking")):
            changes = _validated(data.cache_key(), fingerprint, mode, prepared)
    except DataImportError as exc:
        show_error(exc)
        return
    st.success(t("data_ready").format(mode=t(f"data_mode_{mode}"), rows=summary(changes)), icon=":material/task_alt:")
    changes_table(changes)
    if not st.button(t("data_import"), type="primary", key=f"{key}_import", icon=":material/upload:"):
        return
    bar = st.progress(0.0, text=t("data_importing"))

    def progress(done: int, total: int, table: str) -> None:
        label = f"{t('data_importing')} {table_label(table)} …" if table else t("data_importing")
        bar.progress(done / total if total else 1.0, text=label)

    try:
        with data.writable_connection() as wcon:
            result = loading.load(wcon, prepared, active_stages(), progress, mode=mode)
    except (DataImportError, WriteBusy) as exc:
        bar.empty()
        show_error(exc)
        return
    st.session_state[f"{key}_done"] = fingerprint + mode
    st.session_state["data_flash"] = t("data_imported").format(rows=summary(result.changes))
    st.rerun()


def summary(changes: dict[str, Changes]) -> str:
    """"Leads: 15 added, 3 updated; Deals: 3 added" in the interface's words."""
    parts = []
    for name, c in changes.items():
        counts = [(c.added, "added"), (c.updated, "updated"), (c.unchanged, "unchanged"), (c.removed, "removed")]
        said = ", ".join(t(f"data_n_{what}").format(n=f"{n:,}") for n, what in counts if n) or t("data_no_change")
        parts.append(f"{table_label(name)}: {said}")
    return "; ".join(parts)


def save_mapping(chosen: mapping.Mapping) -> None:
    """Save the source's mapping (a safe file name in the mappings folder, never another mapping's)."""
    try:
        saved_to = chosen.save()
    except (paths.UnsafeName, DataImportError) as exc:
        st.error(md_text(exc), icon=":material/error:")
    else:
        st.toast(t("data_mapping_saved").format(path=md_text(saved_to)), icon=":material/bookmark_added:")


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


def store_exists() -> bool:
    """True when the database in use exists (a first import creates it)."""
    return data.is_warehouse() or Path(data.db_path()).exists()


def demo_notice() -> None:
    """The database in use holds the demo data: offer a database of their own for the user's files."""
    st.warning(t("data_demo_notice"), icon=":material/science:")
    c1, c2 = st.columns([3, 1])
    name = c1.text_input(t("data_new_database"), value="crm.duckdb", key="data_new_db",
                         help=t("data_new_database_help"))
    if c2.button(t("data_use_new_database"), key="data_use_new_db", icon=":material/add_circle:"):
        try:
            st.session_state["data_source"] = data.allowed_source(name)
        except ValueError as exc:
            st.error(md_text(exc), icon=":material/error:")
        else:
            st.rerun()
