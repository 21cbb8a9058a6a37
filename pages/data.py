"""Data: bring your own data — a HubSpot or Salesforce export, or any CSV / Excel / Parquet with a mapping.

Each tab reads the uploaded files, maps them onto the six tables, shows what goes where and a preview of
the rows as they will land, checks everything (against the database too) and imports in one transaction.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

from smarketing import access, paths, privacy, store, ui
from smarketing.formatting import md_code, md_text
from smarketing.importers import core, hubspot, mapping, read_table, salesforce
from smarketing.importers.readers import ENCODINGS
from smarketing.labels import column_labels, t
from smarketing.schema import TABLES
from smarketing.stages import active_stages
from smarketing.store import DataImportError, engines
from smarketing.store.writes import WriteBusy

TIMEZONES = ["UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
             "America/Sao_Paulo", "Europe/London", "Europe/Berlin", "Europe/Paris", "Asia/Shanghai", "Asia/Tokyo",
             "Asia/Singapore", "Asia/Kolkata", "Australia/Sydney"]
UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "xls", "parquet"]
PREVIEW_ROWS = 20

ui.guard("data")
st.title(t("data_title"))
st.caption(t("data_intro"))

path = ui.db_path()
exists = ui.is_warehouse() or Path(path).exists()
con = None
if exists:
    ui.sidebar()
    con = ui.connection()
    counts = store.table_counts(con)
    st.subheader(t("data_in_database"))
    for column, (table, n) in zip(st.columns(len(counts)), counts.items(), strict=True):
        column.metric(t(table), f"{n:,}")
else:
    st.info(t("data_no_database").format(path=md_code(path)), icon=":material/database:")
if ui.is_warehouse():  # the analyses read the warehouse where it is; imports only fill the embedded DuckDB
    st.info(t("data_readonly_engine").format(engine=engines.kind(con)), icon=":material/cloud:")
    st.stop()


# --------------------------------------------------------------------------------------------- helpers


@st.cache_data(show_spinner=False, max_entries=8)
def _read(data: bytes, name: str, encoding: str = "auto"):
    return read_table(data, name, encoding)


def _read_upload(upload, encoding: str = "auto"):
    return _read(upload.getvalue(), upload.name, encoding) if upload is not None else None


def _fingerprint(*uploads) -> str:
    digest = hashlib.sha1()
    for upload in uploads:
        if upload is not None:
            digest.update(upload.name.encode())
            digest.update(upload.getvalue())
    return digest.hexdigest()


def _rows_text(rows: dict[str, int]) -> str:
    return ", ".join(t("data_rows_into").format(n=f"{n:,}", table=t(name)) for name, n in rows.items())


def _timezone(key: str) -> str:
    return st.selectbox(t("data_timezone"), TIMEZONES, key=f"{key}_tz", help=t("data_timezone_help"),
                        accept_new_options=True)


def _show_error(exc: Exception) -> None:
    message = str(exc) if access.show_personal_data() else privacy.mask_text(str(exc))
    st.error(f"**{t('data_invalid')}**\n\n{md_text(message)}\n\n{t('data_nothing_imported')}", icon=":material/error:")


def _recognised(frames: dict[str, store.Frame]) -> None:
    """Which column of each of our tables comes from which column of the user's file."""
    with st.expander(t("data_recognised"), expanded=False):
        rows = [
            {"table": t(name), "our_column": t(col), "from_file": f"{frame.name} · {frame.labels[col]}"}
            for name, frame in frames.items()
            for col in frame.data.columns
            if col in frame.labels and TABLES[name].column(col) is not None
        ]
        names = {"table": t("data_table"), "our_column": t("data_our_column"), "from_file": t("data_from_file")}
        ui.dataframe(pd.DataFrame(rows).rename(columns=names), hide_index=True, width="stretch")


def _preview(frames: dict[str, store.Frame], key: str) -> None:
    st.markdown(f"**{t('data_preview')}**")
    names = [n for n, f in frames.items() if not f.data.empty]
    for tab, name in zip(st.tabs([f"{t(n)} ({len(frames[n].data):,})" for n in names]), names, strict=True):
        with tab:
            head = frames[name].data.head(PREVIEW_ROWS)
            head = head.astype(object).where(head.notna(), "")  # empty cells blank, not "None"
            ui.dataframe(head.rename(columns=column_labels(head.columns)), hide_index=True, width="stretch",
                         key=f"{key}_preview_{name}")


def _notes(notes: list[str]) -> None:
    if notes:
        st.warning(f"**{t('data_notes')}**\n\n" + "\n".join(f"- {md_text(n)}" for n in notes), icon=":material/info:")


@st.cache_data(show_spinner=False, max_entries=8)
def _check(db_key: str, fingerprint: str, _prepared: core.Prepared) -> dict[str, int]:
    """Every check of the import, run in a scratch database (the real one is untouched)."""
    return core.validate(con, _prepared, active_stages()).added


def _checked_import(prepared: core.Prepared, key: str, fingerprint: str) -> None:
    """Validate, then offer the import button; import with a progress bar."""
    _recognised(prepared.frames)
    _preview(prepared.frames, key)
    _notes(prepared.notes)
    if st.session_state.get(f"{key}_done") == fingerprint:
        st.success(t("data_already_imported"), icon=":material/check_circle:")
        ui.page_link("funnel", t("data_see_funnel"))
        return
    try:
        with st.spinner(t("data_checking")):
            rows = _check(ui.cache_key(), fingerprint, prepared)
    except DataImportError as exc:
        _show_error(exc)
        return
    st.success(t("data_ready").format(rows=_rows_text(rows)), icon=":material/task_alt:")
    if not st.button(t("data_import"), type="primary", key=f"{key}_import", icon=":material/upload:"):
        return
    bar = st.progress(0.0, text=t("data_importing"))

    def progress(done: int, total: int, table: str) -> None:
        label = f"{t('data_importing')} {t(table)} …" if table else t("data_importing")
        bar.progress(done / total if total else 1.0, text=label)

    try:
        with ui.writable_connection() as wcon:
            result = core.load(wcon, prepared, active_stages(), progress)
    except (DataImportError, WriteBusy) as exc:
        bar.empty()
        _show_error(exc)
        return
    st.session_state[f"{key}_done"] = fingerprint
    st.session_state["data_flash"] = t("data_imported").format(rows=_rows_text(result.added))
    st.rerun()


# ------------------------------------------------------------------------------------------------ tabs

if flash := st.session_state.pop("data_flash", None):
    st.success(flash, icon=":material/check_circle:")
    ui.page_link("funnel", t("data_see_funnel"))

tab_hs, tab_sf, tab_any = st.tabs([t("data_tab_hubspot"), t("data_tab_salesforce"), t("data_tab_mapped")])

with tab_hs:
    left, right = st.columns(2)
    contacts = left.file_uploader(t("data_hs_contacts"), type=UPLOAD_TYPES, key="hs_contacts",
                                  help=t("data_hs_contacts_help"))
    deals = right.file_uploader(t("data_hs_deals"), type=UPLOAD_TYPES, key="hs_deals", help=t("data_hs_deals_help"))
    tz = _timezone("hs")
    if contacts is not None:
        try:
            with st.spinner(t("data_reading")):
                prepared = hubspot.prepare(_read_upload(contacts), _read_upload(deals), con=con, timezone=tz)
        except DataImportError as exc:
            _show_error(exc)
        else:
            _checked_import(prepared, "hs", _fingerprint(contacts, deals) + tz)


def _status_editor(raw, key: str) -> salesforce.StatusMap:
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


with tab_sf:
    left, right = st.columns(2)
    leads_report = left.file_uploader(t("data_sf_leads"), type=UPLOAD_TYPES, key="sf_leads",
                                      help=t("data_sf_leads_help"))
    opps_report = right.file_uploader(t("data_sf_opps"), type=UPLOAD_TYPES, key="sf_opps",
                                      help=t("data_sf_opps_help"))
    c1, c2 = st.columns(2)
    with c1:
        tz_sf = _timezone("sf")
    day_first = c2.checkbox(t("data_day_first"), key="sf_day_first", help=t("data_day_first_help"))
    if leads_report is not None:
        try:
            raw_leads = _read_upload(leads_report)
            st.markdown(f"**{t('data_status_map')}**")
            smap = _status_editor(raw_leads, "sf")
            prepared = salesforce.prepare(raw_leads, _read_upload(opps_report), status_map=smap, timezone=tz_sf,
                                          day_first=day_first)
        except DataImportError as exc:
            _show_error(exc)
        else:
            statuses = repr(sorted(smap.statuses.items()))
            _checked_import(prepared, "sf", _fingerprint(leads_report, opps_report) + tz_sf + str(day_first)
                            + statuses)


# -------------------------------------------------------------------------------------------- mapped

KEEP, LEAVE = t("data_keep_extra"), t("data_leave_out")


def _mapping_editor(raw, table: str, initial: mapping.TableMapping, key: str) -> mapping.TableMapping:
    """The file's columns with sample values and an editable 'maps to' choice each."""
    contract = TABLES[table]
    options = [KEEP, LEAVE, *[f"{t(c)} ({c})" for c in contract.column_names]]
    by_column = {c: f"{t(c)} ({c})" for c in contract.column_names}
    rows = []
    for header in raw.headers:
        target = initial.target(header)
        choice = KEEP if target is None else LEAVE if target == mapping.IGNORE else by_column.get(target, KEEP)
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
        if row.maps_to == LEAVE:
            columns[row.header] = mapping.IGNORE
        elif row.maps_to in back:
            columns[row.header] = back[row.maps_to]
    return mapping.TableMapping(table, columns)


with tab_any:
    c1, c2 = st.columns(2)
    table = c1.selectbox(t("data_target_table"), list(TABLES), format_func=t, key="map_table",
                         help=t("data_target_table_help"))
    encoding = c2.selectbox(t("data_encoding"), ENCODINGS, key="map_encoding", help=t("data_encoding_help"))
    upload = st.file_uploader(t("data_file"), type=UPLOAD_TYPES, key="map_file")
    if upload is not None:
        try:
            raw = _read_upload(upload, encoding)
        except DataImportError as exc:
            _show_error(exc)
            raw = None
        if raw is not None:
            saved = mapping.find_saved(raw.headers, table)
            if saved:
                st.info(t("data_saved_mapping").format(name=md_text(saved.name)), icon=":material/bookmark:")
                initial = saved.tables[table]
            else:
                st.caption(t("data_guessed_mapping"))
                initial = mapping.guess(raw, table)
            st.markdown(f"**{t('data_columns')}**")
            edited = _mapping_editor(raw, table, initial, f"map_edit_{table}_{_fingerprint(upload)}")
            c1, c2, c3 = st.columns([2, 2, 1])
            name = c1.text_input(t("data_mapping_name"), value=saved.name if saved else Path(upload.name).stem,
                                 key="map_name", help=t("data_mapping_name_help"))
            with c2:
                tz_map = _timezone("map")
            edited.day_first = c3.checkbox(t("data_day_first"), key="map_day_first", help=t("data_day_first_help"))
            chosen = mapping.Mapping(name, {table: edited}, tz_map)
            if st.button(t("data_save_mapping"), key="map_save", icon=":material/save:"):
                try:  # the file is <mappings folder>/<safe slug of the name>.toml, never elsewhere
                    saved_to = chosen.save()
                except (paths.UnsafeName, DataImportError) as exc:
                    st.error(md_text(exc), icon=":material/error:")
                else:
                    st.toast(t("data_mapping_saved").format(path=md_text(saved_to)), icon=":material/bookmark_added:")
            try:
                prepared = mapping.prepare({table: raw}, chosen)
            except DataImportError as exc:
                _show_error(exc)
            else:
                fingerprint = _fingerprint(upload) + chosen.to_toml()
                _checked_import(prepared, f"map_{table}", fingerprint)
