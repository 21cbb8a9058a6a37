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
    "home_title": "Marketing & sales overview",
    "home_compared": "compared with the previous period of equal length",
    "computing": "Computing…",
    "home_trend": "Stage reaches per month",
    "home_leaks": "Biggest falls in conversion",
    "no_leaks": "No stage-to-stage conversion fell against the previous period.",
    "see_funnel": "Open the funnel",
    "help_kpi_leads": "Leads in the selected range (cohort mode: created in it; period mode: first reached the "
                      "first stage in it).",
    "help_kpi_stage": "Leads that reached this stage or a later one.",
    "help_kpi_revenue": "Won deal amounts (cohort mode: deals of the cohort's leads; period mode: deals closed "
                        "won in the range).",
    "help_kpi_rate": "Customers divided by leads. Well-aligned marketing and sales teams grow revenue about 20% "
                     "a year; poorly aligned ones shrink about 4%.",
    "help_kpi_days": "Median days from a lead's creation to becoming a customer.",
    # --- funnel ------------------------------------------------------------------------------
    "funnel_title": "Lifecycle funnel",
    "conversion_from_previous": "Conversion from previous stage",
    "conversion_from_first": "Conversion from first stage",
    "median_days_from_previous": "Median days from previous stage",
    "p90_days_from_previous": "90th percentile days from previous stage",
    "days": "Days",
    "cohort": "Cohort month",
    "month": "Month",
    "change_points": "Change in conversion (percentage points)",
    "transition": "Stage change",
    "rate_now": "Conversion now",
    "rate_before": "Conversion in previous period",
    "change": "Change",
    "entered_now": "Entered now",
    "entered_before": "Entered in previous period",
    "p_value": "p-value",
    "q_value": "Adjusted p (BH)",
    "significant": "Significant fall",
    "step": "Step",
    "event_type": "Event",
    "median_hours_from_previous": "Median hours from previous step",
    "page_view": "Page view",
    "pricing_view": "Pricing page view",
    "email_open": "Email open",
    "email_click": "Email click",
    "content_download": "Content download",
    "webinar_attended": "Webinar attended",
    "demo_request": "Demo request",
    "trial_signup": "Trial sign-up",
    "form_submit": "Form submit",
    "event_attended": "Event attended",
    "help_conversion_from_previous": "Leads that reached this stage divided by leads that reached the previous one.",
    "help_conversion_from_first": "Leads that reached this stage divided by all leads at the first stage.",
    "help_days": "Days between reaching the previous stage and this one; a skipped stage counts as 0 days.",
    "funnel_summary": "**{rate}** of leads at *{first}* became *{last}* ({n} leads).",
    "side_stages": "Beside the funnel",
    "tab_breakdown": "Breakdown",
    "tab_time": "Time in stage",
    "tab_cohorts": "Cohorts",
    "tab_leaks": "Leaks",
    "tab_behaviour": "Behaviour funnel",
    "breakdown_by": "Break down by",
    "lead_to_last": "Lead → {last}",
    "cohort_caption": "Share of each month's new leads that reached each stage by today. Recent cohorts have "
                      "had less time to convert.",
    "leaks_by": "Look for leaks in",
    "overall": "The whole funnel",
    "leaks_caption": "Each stage-to-stage conversion compared with the previous period ({since} – {until}); "
                     "a fall is significant when its Benjamini–Hochberg adjusted p-value is under 0.05.",
    "leaks_cohort_warning": "Cohort mode: the current cohorts have had less time to convert than the previous "
                            "ones, so late-stage conversions look lower. Period mode compares like with like.",
    "help_change": "Conversion now minus conversion in the previous period.",
    "help_p_value": "Two-proportion z-test: the chance of a difference this large if nothing had changed.",
    "help_q_value": "The p-value adjusted for testing many stage changes and segments at once.",
    "behaviour_steps": "Steps, in order (2 to 6)",
    "behaviour_window": "Window (days)",
    "behaviour_pick": "Pick at least two event types as steps.",
    "help_behaviour": "A lead counts at a step when it did all earlier steps in this order, every step within the "
                      "window after its first step 1.",
    "help_reach": "A lead reaches a stage when it enters it or any later stage: skipped stages count, "
                  "a return to nurture does not undo a stage.",
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
