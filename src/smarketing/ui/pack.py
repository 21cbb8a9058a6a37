"""The Overview's "Meeting pack" downloads: the pack of the sidebar's filters as HTML (and as PDF where WeasyPrint
runs), built only when a button is clicked, never on a run of the page.

Streamlit runs a deferred download's callable in a worker thread without the page's context, so everything it
needs is read now (filters, model, masking, the stage model, the language, the shared connection) and it queries through a
cursor of its own."""

from __future__ import annotations

import functools

import streamlit as st

from smarketing import access, labels, report, store
from smarketing.attribution.models import MODELS
from smarketing.filters import Filters
from smarketing.labels import t
from smarketing.report import pdf
from smarketing.report.options import DEFAULT_MODEL
from smarketing.stages import active_stages
from smarketing.store import engines, writes
from smarketing.ui import data


@functools.cache
def _pdf_available() -> bool:
    return pdf.available()


def pack_options(filters: Filters) -> report.PackOptions:
    """The pack of this session: the sidebar's filters, the model chosen for ROMI on the Attribution page (else
    the default), personal data as this user may see it."""
    model = st.session_state.get("attr_romi_model")
    return report.PackOptions(filters, model=model if model in MODELS else DEFAULT_MODEL,
                              unmask=access.show_personal_data())


def pack_buttons(filters: Filters) -> None:
    """The Meeting pack download buttons (HTML; PDF when available)."""
    if not (filters.since and filters.until):
        return
    options, stages, lang = pack_options(filters), active_stages(), labels.language()
    path = data.db_path()
    data.connection()  # the data source can be used (else the page has said why and stopped)
    shared = data._connection(path, "" if engines.is_url(path) else writes.version(path))

    def html() -> bytes:
        with labels.using(lang):  # the worker thread does not share the page's language
            return report.build_html(store.thread_backend(shared), options, stages).encode("utf-8")

    def as_pdf() -> bytes:
        return pdf.html_to_pdf(html().decode("utf-8"))

    left, right, _ = st.columns([1, 1, 4])
    left.download_button(t("pack_button"), html, file_name=f"{options.file_stem()}.html", mime="text/html",
                         key="pack_html", icon=":material/summarize:", help=t("pack_button_help"), on_click="ignore")
    if _pdf_available():
        right.download_button(t("pack_pdf_button"), as_pdf, file_name=f"{options.file_stem()}.pdf",
                              mime="application/pdf", key="pack_pdf", icon=":material/picture_as_pdf:",
                              help=t("pack_pdf_help"), on_click="ignore")
