"""The canonical table contracts: columns, types, required columns and value checks."""

from __future__ import annotations

from dataclasses import dataclass

DEAL_STATUSES = ("open", "won", "lost")

CORE_EVENT_TYPES = (
    "page_view",
    "pricing_view",
    "email_open",
    "email_click",
    "content_download",
    "webinar_attended",
    "demo_request",
    "trial_signup",
    "form_submit",
    "event_attended",
)


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # DuckDB type: VARCHAR, TIMESTAMP, DATE, BIGINT, DOUBLE
    required: bool = False
    non_negative: bool = False
    allowed: tuple[str, ...] = ()  # for categorical text columns, compared case-insensitively

    @property
    def expected(self) -> str:
        """Plain words for what a value of this column must look like (in the current language)."""
        from smarketing.labels import t

        if self.allowed:
            return t("imp_expected_one_of").format(values=", ".join(self.allowed))
        sign = "_non_negative" if self.non_negative else ""
        return t({"VARCHAR": "imp_expected_text", "TIMESTAMP": "imp_expected_timestamp", "DATE": "imp_expected_date",
                  "BIGINT": f"imp_expected_whole{sign}", "DOUBLE": f"imp_expected_number{sign}"}[self.sql_type])


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: str | None = None  # column that must be unique across the table
    lead_ref: bool = False  # rows reference leads.lead_id

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def _c(name, sql_type="VARCHAR", **kw) -> Column:
    return Column(name, sql_type, **kw)


LEADS = Table(
    "leads",
    (
        _c("lead_id", required=True),
        _c("created_at", "TIMESTAMP", required=True),
        _c("email"),
        _c("phone"),
        _c("company"),
        _c("title"),
        _c("industry"),
        _c("employees", "BIGINT", non_negative=True),
        _c("country"),
        _c("region"),
        _c("source_group"),
        _c("source"),
        _c("campaign"),
        _c("owner"),
    ),
    key="lead_id",
)

EVENTS = Table(
    "events",
    (
        _c("lead_id", required=True),
        _c("ts", "TIMESTAMP", required=True),
        _c("event_type", required=True),
        _c("channel"),
        _c("campaign"),
    ),
    lead_ref=True,
)

STAGE_CHANGES = Table(
    "stage_changes",
    (
        _c("lead_id", required=True),
        _c("stage", required=True),
        _c("entered_at", "TIMESTAMP", required=True),
    ),
    lead_ref=True,
)

DEALS = Table(
    "deals",
    (
        _c("deal_id", required=True),
        _c("lead_id", required=True),
        _c("created_at", "TIMESTAMP", required=True),
        _c("closed_at", "TIMESTAMP"),
        _c("status", required=True, allowed=DEAL_STATUSES),
        _c("amount", "DOUBLE", non_negative=True),
    ),
    key="deal_id",
    lead_ref=True,
)

HANDOFFS = Table(
    "handoffs",
    (
        _c("lead_id", required=True),
        _c("dispatched_at", "TIMESTAMP", required=True),
        _c("owner"),
        _c("accepted_at", "TIMESTAMP"),
        _c("returned_at", "TIMESTAMP"),
        _c("return_reason"),
        _c("first_contact_at", "TIMESTAMP"),
    ),
    lead_ref=True,
)

SPEND = Table(
    "spend",
    (
        _c("date", "DATE", required=True),
        _c("source_group"),
        _c("source"),
        _c("campaign"),
        _c("impressions", "BIGINT", non_negative=True),
        _c("clicks", "BIGINT", non_negative=True),
        _c("cost", "DOUBLE", required=True, non_negative=True),
    ),
)

# Import order matters: leads first, so that other tables can reference leads of the same import.
TABLES: dict[str, Table] = {t.name: t for t in (LEADS, EVENTS, STAGE_CHANGES, DEALS, HANDOFFS, SPEND)}


def create_sql(table: Table) -> str:
    """CREATE TABLE statement for a canonical table."""
    cols = ",\n  ".join(
        f'"{c.name}" {c.sql_type}' + (" NOT NULL" if c.required else "") for c in table.columns
    )
    return f'CREATE TABLE IF NOT EXISTS "{table.name}" (\n  {cols}\n)'
