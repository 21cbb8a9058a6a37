"""Data: bring your own data — your own files (one or several of one source, mapped), a HubSpot export or a
Salesforce report.

Each tab reads the uploaded files, maps them onto the six tables, shows what goes where and a preview of
the rows as they will land, checks everything (against the database too), says what the import will add,
update or leave unchanged, and imports in one transaction.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from smarketing import store, ui
from smarketing.formatting import md_code
from smarketing.importers import hubspot, salesforce
from smarketing.importers.readers import ENCODINGS
from smarketing.labels import t
from smarketing.store import DataImportError, engines
from smarketing.store.profile import is_demo
from smarketing.ui import importing, wizard

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
if con is not None and not ui.is_warehouse() and ui.cached(is_demo):
    importing.demo_notice()
if ui.is_warehouse():  # the analyses read the warehouse where it is; imports only fill the embedded DuckDB
    st.info(t("data_readonly_engine").format(engine=engines.kind(con)), icon=":material/cloud:")
    st.stop()

if flash := st.session_state.pop("data_flash", None):
    st.success(flash, icon=":material/check_circle:")
    ui.page_link("funnel", t("data_see_funnel"))

tab_any, tab_hs, tab_sf = st.tabs([t("data_tab_mapped"), t("data_tab_hubspot"), t("data_tab_salesforce")])

with tab_any:
    st.caption(t("data_own_files_intro"))
    c1, c2, c3 = st.columns(3)
    with c1:
        tz_any = importing.timezone("wiz")
    encoding = c2.selectbox(t("data_encoding"), ENCODINGS, key="wiz_encoding", help=t("data_encoding_help"))
    with c3:
        decimal_any = importing.decimal_choice("wiz")
    wizard.section(con, encoding, tz_any, decimal_any)

with tab_hs:
    left, right = st.columns(2)
    contacts = left.file_uploader(t("data_hs_contacts"), type=importing.UPLOAD_TYPES, key="hs_contacts",
                                  help=t("data_hs_contacts_help"))
    deals = right.file_uploader(t("data_hs_deals"), type=importing.UPLOAD_TYPES, key="hs_deals",
                                help=t("data_hs_deals_help"))
    c1, c2, c3 = st.columns(3)
    with c1:
        tz = importing.timezone("hs")
    with c2:
        mode_hs = importing.mode_choice("hs")
    with c3:
        decimal_hs = importing.decimal_choice("hs")
    if contacts is not None:
        try:
            with st.spinner(t("data_reading")):
                prepared = hubspot.prepare(importing.read_upload(contacts), importing.read_upload(deals), con=con,
                                           timezone=tz, decimal=decimal_hs)
        except DataImportError as exc:
            importing.show_error(exc)
        else:
            importing.checked_import(prepared, "hs", importing.fingerprint(contacts, deals) + tz + str(decimal_hs),
                                     mode_hs)

with tab_sf:
    left, right = st.columns(2)
    leads_report = left.file_uploader(t("data_sf_leads"), type=importing.UPLOAD_TYPES, key="sf_leads",
                                      help=t("data_sf_leads_help"))
    opps_report = right.file_uploader(t("data_sf_opps"), type=importing.UPLOAD_TYPES, key="sf_opps",
                                      help=t("data_sf_opps_help"))
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        tz_sf = importing.timezone("sf")
    day_first = c2.checkbox(t("data_day_first"), key="sf_day_first", help=t("data_day_first_help"))
    with c3:
        mode_sf = importing.mode_choice("sf")
    with c4:
        decimal_sf = importing.decimal_choice("sf")
    if leads_report is not None:
        try:
            raw_leads = importing.read_upload(leads_report)
            st.markdown(f"**{t('data_status_map')}**")
            smap = importing.status_editor(raw_leads, "sf")
            prepared = salesforce.prepare(raw_leads, importing.read_upload(opps_report), status_map=smap,
                                          timezone=tz_sf, day_first=day_first, decimal=decimal_sf)
        except DataImportError as exc:
            importing.show_error(exc)
        else:
            statuses = repr(sorted(smap.statuses.items()))
            importing.checked_import(prepared, "sf", importing.fingerprint(leads_report, opps_report) + tz_sf
                                     + str(day_first) + str(decimal_sf) + statuses, mode_sf)
