"""Column mappings: which header of a user's file feeds which column of a canonical table.

A mapping is guessed from header names (case, spaces and punctuation ignored; English, Chinese and a few
German spellings) and from the values (a column full of e-mail addresses is `email`), edited by the user
and saved as a small TOML file per source, e.g.:

    name = "shop-crm"
    timezone = "Asia/Shanghai"        # time zone of date values without an offset

    [leads]
    day_first = false                 # 03/04/2024 is 4 March when false
    [leads.columns]
    "客户编号" = "lead_id"
    "邮箱" = "email"
    "备注" = "-"                      # "-": leave this column out; unlisted columns are kept as extra columns
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import tomli_w

from smarketing import paths, settings, store
from smarketing.importers import dates, values
from smarketing.importers.core import Prepared, extra_name, read_toml, text_table, toml_doc
from smarketing.importers.readers import RawTable
from smarketing.schema import TABLES, Table
from smarketing.store import DataImportError, Frame
from smarketing.store.writes import write_lock

IGNORE = "-"

# Header spellings per canonical column (matched after _key()); shared across tables where names agree.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "lead_id": ("lead id", "leadid", "contact id", "record id", "customer id", "person id", "user id", "id",
                "客户id", "客户编号", "线索id", "线索编号", "联系人id", "编号", "kunden nr", "kundennummer"),
    "created_at": ("created at", "create date", "created date", "created", "creation date", "date created",
                   "signup date", "sign up date", "registered at", "创建时间", "创建日期", "注册时间", "录入时间",
                   "留资时间", "erstellt am", "erstelldatum"),
    "email": ("email", "e mail", "email address", "mail", "work email", "邮箱", "电子邮箱", "邮件", "电子邮件",
              "邮箱地址"),
    "phone": ("phone", "phone number", "telephone", "tel", "mobile", "mobile phone", "mobile phone number", "cell",
              "手机", "手机号", "手机号码", "电话", "联系电话", "telefon"),
    "company": ("company", "company name", "account", "account name", "company account", "organization",
                "organisation", "公司", "公司名称", "企业名称", "企业", "单位", "firma", "unternehmen"),
    "title": ("title", "job title", "position", "role", "job role", "职位", "职务", "头衔", "岗位"),
    "industry": ("industry", "sector", "vertical", "行业", "所属行业", "branche"),
    "employees": ("employees", "number of employees", "no of employees", "employee count", "company size",
                  "headcount", "员工数", "员工人数", "公司规模", "mitarbeiter"),
    "country": ("country", "country region", "国家", "国家地区", "land"),
    "region": ("region", "sales region", "territory", "区域", "大区", "地区"),
    "source_group": ("source group", "channel group", "original source", "lead source", "source type",
                     "渠道类型", "来源类型", "渠道分组", "渠道大类"),
    "source": ("source", "utm source", "original source drill down 1", "lead source detail", "来源", "渠道",
               "线索来源", "来源渠道", "quelle"),
    "campaign": ("campaign", "utm campaign", "campaign name", "活动", "营销活动", "活动名称", "kampagne"),
    "owner": ("owner", "lead owner", "contact owner", "deal owner", "opportunity owner", "sales rep", "assigned to",
              "负责人", "销售", "归属人", "所有人", "跟进人", "销售负责人"),
    "ts": ("ts", "timestamp", "time", "event time", "occurred at", "date", "activity date", "时间", "发生时间",
           "行为时间"),
    "event_type": ("event type", "event", "activity", "activity type", "type", "事件", "事件类型", "行为",
                   "行为类型"),
    "channel": ("channel", "medium", "utm medium", "渠道", "媒介"),
    "stage": ("stage", "lifecycle stage", "lead status", "status", "阶段", "生命周期阶段", "状态"),
    "entered_at": ("entered at", "stage date", "changed at", "date", "进入时间", "变更时间"),
    "deal_id": ("deal id", "opportunity id", "record id", "id", "商机id", "商机编号", "订单号", "合同编号"),
    "closed_at": ("closed at", "close date", "closed date", "成交日期", "关闭日期", "成交时间"),
    "status": ("status", "deal stage", "stage", "result", "outcome", "状态", "结果"),
    "amount": ("amount", "value", "deal value", "revenue", "deal amount", "金额", "合同金额", "成交金额"),
    "dispatched_at": ("dispatched at", "assigned at", "handed off at", "handoff date", "分配时间", "下发时间"),
    "accepted_at": ("accepted at", "accept date", "接受时间", "确认时间"),
    "returned_at": ("returned at", "return date", "退回时间"),
    "return_reason": ("return reason", "reason", "退回原因", "原因"),
    "first_contact_at": ("first contact at", "first contacted", "首次联系时间", "首次跟进时间"),
    "date": ("date", "day", "日期"),
    "impressions": ("impressions", "impr", "views", "展现", "曝光", "展示次数", "展现量"),
    "clicks": ("clicks", "点击", "点击量", "点击次数"),
    "cost": ("cost", "spend", "amount spent", "花费", "消费", "成本", "费用"),
}

# Columns recognisable from their values, and the share of values that must look right.
_CONTENT = {
    "email": (re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), 0.8),
    "phone": (re.compile(r"^\+?[\d\s().\-]{7,20}$"), 0.8),
}


def key(text: str) -> str:
    """Matching key of a header: case-folded, punctuation and spaces removed (Chinese characters kept)."""
    return re.sub(r"[\W_]+", "", str(text).casefold())


@dataclass
class TableMapping:
    """How one file feeds one canonical table: {header: column or "-"}; unlisted headers are kept."""

    table: str
    columns: dict[str, str] = field(default_factory=dict)
    day_first: bool | None = None

    def target(self, header: str) -> str | None:
        """The canonical column, None to keep as an extra column, or "-" to leave out."""
        return self.columns.get(header)


@dataclass
class Mapping:
    name: str
    tables: dict[str, TableMapping] = field(default_factory=dict)
    timezone: str = "UTC"

    # ------------------------------------------------------------------------------------- TOML
    def to_toml(self) -> str:
        doc: dict = {"name": self.name, "timezone": self.timezone}
        for name, tm in self.tables.items():
            section: dict = {"columns": dict(tm.columns)}
            if tm.day_first is not None:
                section["day_first"] = tm.day_first
            doc[name] = section
        return tomli_w.dumps(doc)

    @classmethod
    def from_toml(cls, text: str, source: str = "mapping") -> Mapping:
        doc = toml_doc(text, source)
        tables = {}
        for name, section in doc.items():
            if not isinstance(section, dict):
                continue
            if name not in TABLES:
                raise DataImportError(f"{source}: [{name}] is not a table (expected one of {', '.join(TABLES)})")
            columns = text_table(section, "columns", f"{source}: [{name}]")
            day_first = section.get("day_first")
            if day_first is not None and not isinstance(day_first, bool):
                raise DataImportError(f"{source}: [{name}] day_first must be true or false")
            for header, column in columns.items():
                if column != IGNORE and TABLES[name].column(column) is None:
                    raise DataImportError(
                        f"{source}: [{name}.columns] '{header}' = '{column}': '{column}' is not a column of "
                        f"{name} (expected one of {', '.join(TABLES[name].column_names)} or '-')"
                    )
            tables[name] = TableMapping(name, columns, day_first)
        return cls(str(doc.get("name", Path(source).stem)), tables, str(doc.get("timezone", "UTC")))

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        return cls.from_toml(*read_toml(path, "mapping"))

    def save(self, directory: str | Path | None = None) -> Path:
        """Write the mapping as <slug of its name>.toml in the mappings folder (a safe file name, always inside
        it); saving under a name whose file holds another mapping is refused rather than overwriting it."""
        directory = Path(directory) if directory else mappings_dir()
        directory.mkdir(parents=True, exist_ok=True)
        path = paths.inside(directory, paths.safe_file_name(slug(self.name)[:80], "mapping") + ".toml")
        with write_lock(directory / "mappings"):  # check and write as one step for concurrent saves
            if path.exists():
                try:
                    other = Mapping.load(path).name
                except DataImportError:
                    other = None  # a broken file may be replaced
                if other is not None and other.strip().casefold() != self.name.strip().casefold():
                    raise DataImportError(
                        f"a mapping called '{other}' is already saved as {path.name}: choose another name")
            tmp = path.with_suffix(".tmp")
            tmp.write_text(self.to_toml(), "utf-8")
            tmp.replace(path)
        return path


def slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.strip().casefold()).strip("-") or "mapping"


def mappings_dir() -> Path:
    """Where mappings are saved: $SMARKETING_MAPPINGS, else a `mappings` folder beside the database."""
    chosen = settings.current().mappings_dir
    return Path(chosen) if chosen else store.db_path(None).parent / "mappings"


def saved_mappings(directory: str | Path | None = None) -> list[Mapping]:
    directory = Path(directory) if directory else mappings_dir()
    found = []
    for path in sorted(directory.glob("*.toml")) if directory.exists() else []:
        try:
            found.append(Mapping.load(path))
        except DataImportError:
            continue  # a broken file is not offered
    return found


def find_saved(headers: list[str], table: str, directory: str | Path | None = None) -> Mapping | None:
    """The saved mapping for `table` whose mapped headers all appear in `headers` (most headers wins)."""
    present = set(headers)
    best, best_n = None, 0
    for mapping in saved_mappings(directory):
        tm = mapping.tables.get(table)
        if tm and tm.columns and set(tm.columns) <= present and len(tm.columns) > best_n:
            best, best_n = mapping, len(tm.columns)
    return best


# ------------------------------------------------------------------------------------------ guessing


def guess(raw: RawTable, table: str) -> TableMapping:
    """Guess {header: column} for a file: exact name synonyms first, then partial names, then content."""
    contract = TABLES[table]
    scores: list[tuple[float, str, str]] = []
    for header in raw.headers:
        for column in contract.column_names:
            score = _name_score(header, column)
            if score < 0.9:
                score = max(score, _content_score(raw.column(header), column))
            if score > 0:
                scores.append((score, header, column))
    chosen: dict[str, str] = {}
    for _score, header, column in sorted(scores, key=lambda s: (-s[0], raw.headers.index(s[1]))):
        if header not in chosen and column not in chosen.values():
            chosen[header] = column
    ordered = {h: chosen[h] for h in raw.headers if h in chosen}
    return TableMapping(table, ordered)


def _name_score(header: str, column: str) -> float:
    k = key(header)
    names = (column, *SYNONYMS.get(column, ()))
    keys = [key(n) for n in names]
    if k in keys:
        return 1.0 - 0.01 * keys.index(k) / len(keys)
    if any(len(n) >= 4 and (n in k) for n in keys):
        return 0.6
    return 0.0


def _content_score(series: pd.Series, column: str) -> float:
    sample = series.dropna().astype(str).str.strip().head(200)
    if sample.empty:
        return 0.0
    if column in _CONTENT:
        pattern, share = _CONTENT[column]
        hits = sample.str.match(pattern).mean()
        if column == "phone" and sample.str.contains("@").any():
            return 0.0
        return 0.8 * hits if hits >= share else 0.0
    if column in ("created_at", "ts", "entered_at", "dispatched_at", "date") and dates.looks_like_dates(sample):
        return 0.4
    return 0.0


# ------------------------------------------------------------------------------------------ applying


def apply(raw: RawTable, tm: TableMapping, timezone: str = "UTC", notes: list[str] | None = None,
          limit: int | None = None) -> Frame:
    """The file's rows as the canonical table will receive them (dates parsed, numbers cleaned).

    Raises DataImportError for a missing required column or a value that cannot be read; checks against
    the database (unique ids, known leads) are store.import_files's.
    """
    contract = TABLES[tm.table]
    src = raw.frame if limit is None else raw.frame.head(limit)
    missing = [c for c in contract.required if c not in tm.columns.values()]
    if missing:
        raise DataImportError(
            f"{raw.name}: no column is mapped to required column(s) {', '.join(missing)} of {tm.table} "
            f"(the file has: {', '.join(raw.headers)})"
        )
    out: dict[str, pd.Series] = {}
    labels: dict[str, str] = {}
    for header in raw.headers:
        target = tm.target(header)
        if target == IGNORE:
            continue
        if target is None:
            name = extra_name(header)
            if contract.column(name) is not None or name in out:
                continue  # would shadow a canonical column: leave it out
            out[name] = src[header]
            labels[name] = header
            continue
        out[target] = convert(src[header], contract, target, raw.name, header, timezone, tm.day_first, notes)
        labels[target] = header
    frame = pd.DataFrame(out, index=src.index).reset_index(drop=True)
    return Frame(frame, raw.name, labels=labels)


def convert(series: pd.Series, contract: Table, column: str, file: str, header: str, timezone: str,
            day_first: bool | None, notes: list[str] | None) -> pd.Series:
    """One column's values in the form the contract expects."""
    spec = contract.column(column)
    if spec.sql_type in ("TIMESTAMP", "DATE"):
        parsed = dates.parse_dates(series, file=file, column=header, timezone=timezone, day_first=day_first,
                                   notes=notes)
        return parsed.dt.normalize() if spec.sql_type == "DATE" else parsed
    if spec.sql_type in ("BIGINT", "DOUBLE"):
        return values.numbers(series, whole=spec.sql_type == "BIGINT")
    if contract.name == "deals" and column == "status":
        return values.deal_status(series)
    return series


def prepare(files: dict[str, RawTable], mapping: Mapping) -> Prepared:
    """Map each file ({table: file}) with the mapping's section for that table."""
    frames, notes = {}, []
    for table, raw in files.items():
        if table not in TABLES:
            raise DataImportError(f"unknown table '{table}' (expected one of {', '.join(TABLES)})")
        tm = mapping.tables.get(table)
        if tm is None:
            raise DataImportError(f"mapping '{mapping.name}' has no [{table}] section for {raw.name}")
        notes += raw.notes
        unknown = [h for h in tm.columns if h not in raw.headers]
        if unknown:
            notes.append(f"{raw.name}: mapped column(s) not in the file: {', '.join(unknown)}")
        frames[table] = apply(raw, tm, mapping.timezone, notes)
    return Prepared(frames, notes)
