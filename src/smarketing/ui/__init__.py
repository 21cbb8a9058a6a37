"""Streamlit glue shared by every page: the database and the cache of results (data), the shared sidebar
(sidebar), tables and downloads (tables), the page table, navigation and guard (pages). Pages call
`ui.<name>`; nothing below the ui layer imports streamlit."""

from smarketing.ui.data import (
    allowed_source,
    cache_key,
    cached,
    connection,
    data_folder,
    db_path,
    is_warehouse,
    profile,
    writable_connection,
)
from smarketing.ui.pages import PAGES, guard, navigate, page_link
from smarketing.ui.sidebar import SEGMENT_COLUMNS, sidebar
from smarketing.ui.tables import (
    chart,
    dataframe,
    download,
    empty_state,
    int_column,
    no_previous_period,
    number_column,
    percent_column,
    personal_label,
    revenue_outlier_note,
    shown,
    table,
    tabs,
)

__all__ = [
    "PAGES", "SEGMENT_COLUMNS", "chart", "allowed_source", "cache_key", "cached", "connection", "data_folder", "dataframe",
    "db_path", "download", "empty_state", "guard", "int_column", "is_warehouse", "navigate", "no_previous_period", "number_column",
    "page_link", "percent_column", "personal_label", "profile", "revenue_outlier_note", "shown", "tabs", "sidebar", "table", "writable_connection",
]
