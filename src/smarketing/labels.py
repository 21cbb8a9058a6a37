"""Every word the interface shows: metric, column and page labels, and the help texts.

Pages and charts take their words from here, so a translation (e.g. Chinese) is one more table.
Each analysis area owns one section; keep keys short and snake_case.
"""

from __future__ import annotations

LANGUAGE = "en"

LABELS: dict[str, str] = {
    # --- shared ------------------------------------------------------------------------------
    "app_title": "smarketing",
    "database": "Database",
    "date_range": "Date range",
    "time_mode": "Time mode",
    "mode_cohort": "Cohort: leads created in the range, followed to today",
    "mode_period": "Period: stage entries that happened in the range",
    "segments": "Segment filters",
    "download_csv": "Download CSV",
    "no_data": "No data in this range. Widen the date range or clear the segment filters.",
    "stage": "Stage",
    "leads": "Leads",
    "owner": "Owner",
    "source_group": "Source group",
    "source": "Source",
    "campaign": "Campaign",
    "industry": "Industry",
    "country": "Country",
    "region": "Region",
    "employees_band": "Company size",
    "title": "Title",
    "channel": "Channel",
    # --- home --------------------------------------------------------------------------------
    # --- funnel ------------------------------------------------------------------------------
    # --- scoring -----------------------------------------------------------------------------
    # --- attribution -------------------------------------------------------------------------
    # --- leadflow ----------------------------------------------------------------------------
    # --- planner -----------------------------------------------------------------------------
    # --- data --------------------------------------------------------------------------------
}


def t(key: str) -> str:
    """The label for a key; an unknown key shows itself, prettified, so a missing label is visible."""
    return LABELS.get(key) or key.replace("_", " ").capitalize()


def column_labels(columns) -> dict[str, str]:
    """Map raw column names to their display labels (for tables and chart axes)."""
    return {c: t(c) for c in columns}
