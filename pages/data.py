"""Data: bring your own data — a HubSpot or Salesforce export, or any CSV / Excel / Parquet with a mapping.

Each tab reads the uploaded files, maps them onto the six tables, shows what goes where and a preview of
the rows as they will land, checks everything (against the database too) and imports in one transaction.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from smarketing import paths, store, ui
from smarketing.formatting import md_code, md_text
from smarketing.importers import hubspot, mapping, salesforce
from smarketing.importers.readers import ENCODINGS
from smarketing.labels import t
from smarketing.schema import TABLES
from smarketing.store import DataImportError, engines
from smarketing.ui import importing

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
























# ------------------------------------------------------------------------------------------------ tabs

if flash := st.session_state.pop("data_flash", None):
    st.success(flash, icon=":material/check_circle:")
    ui.page_link("funnel", t("data_see_funnel"))

tab_hs, tab_sf, tab_any = st.tabs([t("data_tab_hubspot"), t("data_tab_salesforce"), t("data_tab_mapped")])

with tab_hs:
    left, right = st.columns(2)
    contacts = left.file_uploader(t("data_hs_contacts"), type=importing.UPLOAD_TYPES, key="hs_contacts",
                                  help=t("data_hs_contacts_help"))
    deals = right.file_uploader(t("data_hs_deals"), type=importing.UPLOAD_TYPES, key="hs_deals", help=t("data_hs_deals_help"))
    tz = importing.timezone("hs")
    if contacts is not None:
        try:
            with st.spinner(t("data_reading")):
                prepared = hubspot.prepare(importing.read_upload(contacts), importing.read_upload(deals), con=con, timezone=tz)
        except DataImportError as exc:
            importing.show_error(exc)
        else:
            importing.checked_import(prepared, "hs", importing.fingerprint(contacts, deals) + tz)




with tab_sf:
    left, right = st.columns(2)
    leads_report = left.file_uploader(t("data_sf_leads"), type=importing.UPLOAD_TYPES, key="sf_leads",
                                      help=t("data_sf_leads_help"))
    opps_report = right.file_uploader(t("data_sf_opps"), type=importing.UPLOAD_TYPES, key="sf_opps",
                                      help=t("data_sf_opps_help"))
    c1, c2 = st.columns(2)
    with c1:
        tz_sf = importing.timezone("sf")
    day_first = c2.checkbox(t("data_day_first"), key="sf_day_first", help=t("data_day_first_help"))
    if leads_report is not None:
        try:
            raw_leads = importing.read_upload(leads_report)
            st.markdown(f"**{t('data_status_map')}**")
            smap = importing.status_editor(raw_leads, "sf")
            prepared = salesforce.prepare(raw_leads, importing.read_upload(opps_report), status_map=smap, timezone=tz_sf,
                                          day_first=day_first)
        except DataImportError as exc:
            importing.show_error(exc)
        else:
            statuses = repr(sorted(smap.statuses.items()))
            importing.checked_import(prepared, "sf", importing.fingerprint(leads_report, opps_report) + tz_sf + str(day_first)
                            + statuses)


# -------------------------------------------------------------------------------------------- mapped





with tab_any:
    c1, c2 = st.columns(2)
    table = c1.selectbox(t("data_target_table"), list(TABLES), format_func=t, key="map_table",
                         help=t("data_target_table_help"))
    encoding = c2.selectbox(t("data_encoding"), ENCODINGS, key="map_encoding", help=t("data_encoding_help"))
    upload = st.file_uploader(t("data_file"), type=importing.UPLOAD_TYPES, key="map_file")
    if upload is not None:
        try:
            raw = importing.read_upload(upload, encoding)
        except DataImportError as exc:
            importing.show_error(exc)
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
            edited = importing.mapping_editor(raw, table, initial, f"map_edit_{table}_{importing.fingerprint(upload)}")
            c1, c2, c3 = st.columns([2, 2, 1])
            name = c1.text_input(t("data_mapping_name"), value=saved.name if saved else Path(upload.name).stem,
                                 key="map_name", help=t("data_mapping_name_help"))
            with c2:
                tz_map = importing.timezone("map")
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
                importing.show_error(exc)
            else:
                fingerprint = importing.fingerprint(upload) + chosen.to_toml()
                importing.checked_import(prepared, f"map_{table}", fingerprint)
