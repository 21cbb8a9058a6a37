"""The funnel integrity audit: how far the stage data can be trusted. The issue types and the query that finds
them (issues), and the report built on them: issues per stage and source, a trust score per stage, what each
issue type does to the headline conversions, and the offending leads (report)."""

from smarketing.funnel.audit.issues import HISTORY, HISTORY_KEYS, ISSUE_TYPES, ISSUES, MAPPING, STALE
from smarketing.funnel.audit.report import (
    ANY_HISTORY,
    DEFAULT_SLA_HOURS,
    LIST_LIMIT,
    AuditReport,
    audit_context,
    audit_report,
    offending_leads,
    transitions,
)

__all__ = ["ANY_HISTORY", "DEFAULT_SLA_HOURS", "HISTORY", "HISTORY_KEYS", "ISSUES", "ISSUE_TYPES", "LIST_LIMIT",
           "MAPPING", "STALE", "AuditReport", "audit_context", "audit_report", "offending_leads", "transitions"]
