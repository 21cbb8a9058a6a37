"""Guessing a file's mapping the way a marketing-ops analyst would: from header names (English, Chinese, a few
German spellings; case, spacing and punctuation ignored) and from values (a column of e-mail addresses is
`email`), tested on 40+ real export header sets (tests/data/header_sets.toml).

The rules a user would agree with: an exact known name wins; otherwise a known name must appear as whole words
("landing_page_id" is not a country because it contains "land"); `*_id`, "ProspectID", "Record ID" are ids, and
only the lead's own id is the lead id (a seller or landing-page id is kept as an extra column, never guessed as
anything else); a column of dates is never a phone; "Became a Marketing Qualified Lead Date", "MQL date" or
"won_date" is the date a lead entered that stage.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from smarketing.importers import dates
from smarketing.importers.core import extra_name
from smarketing.importers.mapping import STAGE, TableMapping
from smarketing.importers.readers import RawTable
from smarketing.importers.synonyms import (
    NOT_PARTIAL,
    NOT_THE_COLUMN,
    OWN_ID,
    OWN_ID_COLUMN,
    REP_IDS,
    SYNONYMS,
    WON_WORDS,
)
from smarketing.schema import TABLES
from smarketing.stages import StageModel, resolve

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().\-]{7,20}$")
_CJK = re.compile(r"[\u3400-\u9fff]")
LEAD_WORDS = {"lead", "leads", "contact", "prospect", "person", "mql", "customer", "visitor", "member",
              "subscriber", "distinct", "线索", "客户", "联系人"}
DATE_WORDS = {"date", "time", "at", "on", "timestamp", "日期", "时间", "日"}
STAGE_VERBS = {"became", "become", "a", "an", "entered", "enter", "became_a", "成为", "进入", "转为", "stage", "lifecycle"}
STAGE_TABLES = ("leads", "deals")


def clean(header: str) -> str:
    """A header without what exports add around the name: "(Companies)", "(EGP)", "（元）", a Dynamics lookup's
    "_x_value", a trailing number ("emailaddress1")."""
    text = re.sub(r"\s*[(（][^)）]*[)）]\s*", " ", str(header)).strip() or str(header)
    text = re.sub(r"^_(.+)_value$", r"\1", text)
    return re.sub(r"(?<=[A-Za-z])\d+$", "", text)


def key(text: str) -> str:
    """Matching key of a header: cleaned, case-folded, punctuation and spaces removed (Chinese kept)."""
    return re.sub(r"[\W_]+", "", clean(text).casefold())


_ALL_KEYS = {key(n) for names in SYNONYMS.values() for n in names}
OTHER_THINGS = {"landing", "page", "seller", "sdr", "sr", "account", "company", "campaign", "owner", "user", "product",
                "order", "session", "visit", "event", "deal", "opportunity", "ad", "adgroup", "creative", "keyword",
                "org", "organization", "lp", "form", "list", "program", "activity"}
LEAD_ATTRIBUTES = {"company", "title", "industry", "employees", "country", "region", "source_group", "source",
                   "campaign", "owner"}
TEXT_COLUMNS = {"company", "title", "industry", "country", "region", "source_group", "source", "campaign", "owner",
                "channel", "event_type", "stage", "status", "return_reason"}


def words(text: str) -> list[str]:
    """The words of a header: split at punctuation, spaces, underscores, digits and camelCase (Chinese kept)."""
    text = re.sub(r"IDs\b", "Ids", clean(text))
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)", " ", text)
    text = re.sub(r"([\u3400-\u9fff]+)", r" \1 ", text)
    return [w for w in re.split(r"[\W_]+", text.casefold()) if w]


def is_id(header: str) -> bool:
    """True for an id column: `*_id`, "ProspectID", "Record ID", "客户编号", "_ownerid_value"."""
    parts = words(header)
    return bool(parts) and (parts[-1] in ("id", "ids", "key", "uuid", "guid") or parts[-1].endswith("id")
                            and len(parts[-1]) > 4 and key(header) not in _ALL_KEYS or str(header).endswith("编号"))


def guess(raw: RawTable, table: str, stages: StageModel | None = None) -> TableMapping:
    """Guess the mapping of a file whose rows are rows of `table`: {header: targets}."""
    stages = resolve(stages)
    scores: list[tuple[float, str, str]] = []
    ids = [h for h in raw.headers if is_id(h)]
    lead_key = _lead_key(raw, ids, table)
    per_lead = table == "deals" and lead_key is not None and not any(
        k in map(key, OWN_ID) or k in _keys("deal_id") for k in map(key, raw.headers))  # one deal per lead
    for header in raw.headers:
        values = raw.column(header)
        vetoed = _vetoed(values)
        for target, score in _candidates(header, values, table, stages, header in ids, header == lead_key,
                                         per_lead):
            if target not in vetoed:
                scores.append((score, header, target))
    chosen: dict[str, list[str]] = {}
    for _score, header, target in sorted(scores, key=lambda s: (-s[0], raw.headers.index(s[1]))):
        if target.startswith(STAGE):
            if not any(t.startswith(STAGE) for t in chosen.get(header, [])):
                chosen.setdefault(header, []).append(target)  # a stage date is also whatever date it is
        elif not any(not t.startswith(STAGE) for t in chosen.get(header, [])) and target not in _taken(chosen):
            chosen.setdefault(header, []).insert(0, target)
    columns = {h: chosen[h] for h in raw.headers if h in chosen}
    return _complete(TableMapping(table, columns, role=table), table, [h for h in raw.headers if h not in ids])


def _taken(chosen: dict[str, list[str]]) -> set[str]:
    return {t for targets in chosen.values() for t in targets}


def _vetoed(values: pd.Series) -> set[str]:
    """Targets the values rule out: a column of dates is never a phone or an e-mail, a column of numbers is
    not the name of a campaign, a source, an owner …"""
    sample = values.dropna().astype(str).str.strip()
    sample = sample[sample != ""].head(200)
    if sample.empty:
        return set()
    if dates.looks_like_dates(sample):
        return {"phone", "email"}
    if sample.str.fullmatch(r"[+-]?\d+(?:[.,]\d+)?").all():
        return set(TEXT_COLUMNS)
    return set()


def _lead_key(raw: RawTable, ids: list[str], table: str) -> str | None:
    """The id column that is the lead's own id: (a leads file) its own id ("Id", "Record ID"), else one named
    for the lead ("Prospect ID", "mql_id"), else (a leads file) the first id whose values are all different."""
    own = [h for h in ids if key(h) in map(key, OWN_ID)]
    if table == "leads" and own:
        return own[0]
    named = [h for h in ids if set(words(h)) & LEAD_WORDS]
    if named:
        return named[0]
    ids = [h for h in ids if not set(words(h)) & OTHER_THINGS]
    if table == "leads" and len(ids) == 1:
        return ids[0]
    if table == "leads":
        for header in ids:
            values = raw.column(header).dropna()
            if len(values) and values.is_unique:
                return header
    return None


def _candidates(header, values, table, stages, id_like: bool, lead_key: bool, per_lead: bool = False):
    """(target, score) pairs for one header (`per_lead`: the file has one row per lead, so its columns may
    describe the lead)."""
    contract = TABLES[table]
    k, parts = key(header), words(header)
    if k in map(key, OWN_ID):
        if own := OWN_ID_COLUMN.get(table):
            yield own, 1.0
        return  # the id of another thing (an event, a hand-off): kept as an extra column
    if id_like:
        if lead_key and contract.column("lead_id"):
            yield "lead_id", 0.9
        yield from _exact(k, contract)
        if contract.column("owner") and _strip_id(parts) in _keys("owner"):
            yield "owner", 0.95
        elif per_lead and _strip_id(parts) in REP_IDS:  # a won file's sales rep: the lead's owner (the closer first)
            yield "leads.owner", 0.9 - 0.01 * REP_IDS.index(_strip_id(parts))
        return
    yield from _exact(k, contract)
    if per_lead:  # a file with one row per lead describes the lead: its industry, its owner …
        yield from ((f"leads.{c}", 0.9 * score) for c, score in _exact(k, TABLES["leads"])
                    if c not in contract.column_names and c in LEAD_ATTRIBUTES)
    if table in STAGE_TABLES and (stage := stage_of_header(header, stages)):
        yield f"{STAGE}{stage}", 0.97
    if not set(parts) & NOT_THE_COLUMN:
        for column in contract.column_names:
            if _partial(header, parts, column):
                yield column, 0.6
    yield from _by_content(values, contract)


def _keys(column: str) -> list[str]:
    """Known spellings of a column, most preferred first (the column's own name is one of them)."""
    keys = [key(n) for n in SYNONYMS.get(column, ())]
    return keys if key(column) in keys else [key(column), *keys]


def _strip_id(parts: list[str]) -> str:
    return "".join(parts[:-1])


def _exact(k: str, contract):
    for column in contract.column_names:
        keys = _keys(column)
        if k in keys:
            yield column, 1.0 - 0.01 * keys.index(k) / len(keys)


def _partial(header: str, parts: list[str], column: str) -> bool:
    """A known name of `column` as whole words of the header (or inside a Chinese header); too generic names
    (NOT_PARTIAL) only count as the whole header."""
    if any(w in NOT_THE_COLUMN for w in _CJK.findall(str(header))) or any(
            marker in str(header) for marker in NOT_THE_COLUMN if _CJK.search(marker)):
        return False
    for name in (column, *SYNONYMS.get(column, ())):
        if key(name) in NOT_PARTIAL:
            continue
        if _CJK.search(name):
            if len(name) >= 3 and name in str(header) or re.search(f"{name}[数量额]?$", clean(header)):
                return True
            continue
        seq = words(name)
        if len(key(name)) >= 4 and any(parts[i:i + len(seq)] == seq for i in range(len(parts) - len(seq) + 1)):
            return True
    return False


def _by_content(values: pd.Series, contract):
    sample = values.dropna().astype(str).str.strip()
    sample = sample[sample != ""].head(200)
    if sample.empty:
        return
    looks_dated = dates.looks_like_dates(sample)
    if contract.column("email") and sample.str.match(_EMAIL).mean() >= 0.8:
        yield "email", 0.8
    if (contract.column("phone") and not looks_dated and not sample.str.contains("@").any()
            and sample.str.match(_PHONE).mean() >= 0.8 and sample.str.count(r"\d").min() >= 7
            and not sample.str.fullmatch(r"-?\d+(\.\d+)?").all()):
        yield "phone", 0.8
    if looks_dated:
        for column in ("created_at", "ts", "entered_at", "dispatched_at", "date"):
            if contract.column(column):
                yield column, 0.4


def stage_of_header(header: str, stages: StageModel) -> str | None:
    """The stage a date column is named for ("Became a Marketing Qualified Lead Date", "MQL date", "won_date",
    "Became SQL", "成为MQL时间", "成交日期"), or None."""
    parts = words(header)
    became = bool(parts) and parts[0] in ("became", "become") or str(header).startswith("成为")
    if not parts or not (became or set(parts) & DATE_WORDS or str(header).endswith(("日期", "时间"))):
        return None
    rest = [p for p in parts if p not in DATE_WORDS and p not in STAGE_VERBS]
    text = re.sub(r"(日期|时间|成为|进入|转为)", "", "".join(rest)) if _CJK.search(str(header)) else " ".join(rest)
    if text in WON_WORDS:  # 成交日期: the date the deal closed, the lead won
        return stages.role("won")
    return stages.canonical(text) if text else None


def _complete(tm: TableMapping, table: str, plain: list[str]) -> TableMapping:
    """Fill what a file of `table` rows lacks from what it has: a deals file without a deal id uses the lead id
    (one deal per lead, so its other columns describe the lead: they go to the lead), without a created date
    its close date, and a won-date file with no status is all won deals. `plain`: the headers that are not ids."""
    columns = {h: list(v) for h, v in tm.columns.items()}
    found = {t: h for h, targets in columns.items() for t in targets}
    if table == "deals":
        if "deal_id" not in found and "lead_id" in found:
            columns[found["lead_id"]].append("deal_id")
            for header in plain:
                columns.setdefault(header, [f"leads.{extra_name(header)}"])
        won_stage = next((t for t in found if t.startswith(STAGE)), None)
        if "closed_at" not in found and won_stage:
            columns[found[won_stage]].insert(0, "closed_at")
            found["closed_at"] = found[won_stage]
        if "created_at" not in found and "closed_at" in found:
            columns[found["closed_at"]].insert(1, "created_at")
        if "status" not in found and won_stage:
            tm.constants["status"] = "won"
    tm.columns = {h: tuple(v) for h, v in columns.items()}
    return tm


def stage_of_file(name: str, stages: StageModel | None = None) -> str | None:
    """The stage every row of a leads file is in, when its name says so in whole words ("mql_list.csv",
    "marketing_qualified_leads.csv", "won_customers.xlsx"): one of the stages with a role (MQL, SQL,
    Opportunity, Customer), else None."""
    stages = resolve(stages)

    def singular(parts: list[str]) -> list[str]:
        return [w[:-1] if len(w) > 3 and w.endswith("s") else w for w in parts]

    parts = singular(words(Path(name).stem))
    found = []
    for role in ("won", "opportunity", "sql", "mql"):
        stage = stages.role(role)
        if stage is None:
            continue
        for spelling in (stage, *next(s.aliases for s in stages.main if s.name == stage)):
            seq = singular(words(spelling))
            if len(key(spelling)) >= 3 and any(parts[i:i + len(seq)] == seq for i in range(len(parts))):
                found.append(stage)
                break
    return found[0] if len(found) == 1 else None
