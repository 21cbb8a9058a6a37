"""Cleaning of values as CRM exports write them: amounts with currency, size ranges, yes/no, deal outcomes."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from smarketing.store import DataImportError, at_cell, decimals

_CURRENCY = re.compile(r"^\s*(?:[A-Z]{3}\s*)?[$€£¥￥₹]?\s*(-?[\d,\s.]*\d)\s*(?:[A-Z]{3}|[$€£¥￥₹])?\s*$")
_RANGE = re.compile(r"^\s*([\d,.]+)\s*(?:-|–|to|~|至)\s*[\d,.]+\s*$|^\s*([\d,.]+)\s*\+\s*$|^\s*>\s*([\d,.]+)\s*$")

WON = {"won", "closedwon", "win", "wonpaid", "赢单", "成交", "已成交", "签约", "已签约", "gewonnen"}
LOST = {"lost", "closedlost", "loss", "lose", "输单", "丢单", "失败", "已流失", "verloren"}
OPEN = {"open", "inprogress", "active", "pending", "进行中", "跟进中", "offen"}
TRUE = {"1", "true", "yes", "y", "t", "x", "checked", "是", "真"}


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", str(text).casefold())


def number_part(value) -> str | None:
    """The number inside a value as CRM exports write it: a size range's lower bound ("51-200" → "51"), an
    amount without its currency ("USD 12,000.00" → "12,000.00", "12.000 €" → "12.000"); None for empty."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    if m := _RANGE.match(text):
        return next(g for g in m.groups() if g)
    if m := _CURRENCY.match(text):
        return m.group(1)
    return text


def numbers(series: pd.Series, whole: bool = False, decimal: str = decimals.POINT) -> pd.Series:
    """Text numbers without currency codes / symbols and thousands separators ("USD 12,000.00" → "12000.00"), read
    with the file's decimal convention (`decimal`, see decimal_convention: "1.234,56" → "1234.56" with a comma).

    Size ranges ("51-200", "1000+") become their lower bound. A value that still is not a number is left as
    it was, so the import check names it.
    """

    def clean(value):
        core = number_part(value)
        if core is None:
            return None
        text = decimals.normalize(core, decimal, whole)
        try:
            number = float(text)
        except ValueError:
            return str(value)
        if whole and number.is_integer():
            return str(int(number))
        return text

    return series.map(clean, na_action="ignore").astype(object).where(series.notna(), None)


def decimal_convention(columns: dict[str, pd.Series], file: str, forced: str | None = None,
                       rows: pd.Series | None = None, whole: set[str] = frozenset()) -> str:
    """The decimal convention (smarketing.store.decimals: point or comma) of a file's number columns ({the user's
    header: values}; `whole`: the headers of whole-number columns): `forced` when given, else read from the values;
    DataImportError naming file, row and column when the values mix conventions, contradict the one given, or fit
    both differently with nothing to settle it."""
    parts = {header: series.map(number_part, na_action="ignore") for header, series in columns.items()}

    def fail(example: decimals.Example, message: str) -> None:
        raise DataImportError(at_cell(file, example.row, example.column, message))

    return decimals.decide_values(parts, forced, fail, None if rows is None else rows.tolist(), whole)


def deal_status(series: pd.Series, won: set[str] | None = None, lost: set[str] | None = None) -> pd.Series:
    """open / won / lost from outcome words ("Closed Won", "赢单" …); other values are left for the check."""
    won_keys = WON | {_key(w) for w in (won or ())}
    lost_keys = LOST | {_key(x) for x in (lost or ())}

    def status(value):
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return None
        k = _key(value)
        if k in won_keys:
            return "won"
        if k in lost_keys:
            return "lost"
        if k in OPEN:
            return "open"
        return str(value)

    return series.map(status, na_action="ignore").astype(object).where(series.notna(), None)


FLAGS = TRUE | {"0", "false", "no", "n", "f", "unchecked", "否", "假"}
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def looks_like_flags(series: pd.Series) -> bool:
    """True when every non-empty value is a yes/no flag (1/0, true/false, yes/no …)."""
    present = series.dropna().astype(str).str.strip()
    present = present[present != ""]
    return bool(len(present)) and present.map(_key).isin(FLAGS).all()


def typed_extra(series: pd.Series, decimal: str = decimals.POINT) -> pd.Series:
    """An extra column's values with their type kept: numbers as numbers (integers when all are whole), other
    text as it is. Values that only look like numbers stay text: ids with leading zeros ("00123"), phone-like
    values with "+", numbers longer than 15 digits. In a file with decimal commas, 0,75 is a number too."""
    if not (series.dtype == object or pd.api.types.is_string_dtype(series)):
        return series
    text = series.dropna().astype(str).str.strip()
    text = text[text != ""]
    if decimal == decimals.COMMA:
        text = text.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)
    if text.empty or not text.str.match(_NUMBER).all():
        return series
    if text.str.match(r"^[+-]?0\d").any() or text.str.startswith("+").any() or text.str.len().max() > 15:
        return series
    numbers = pd.to_numeric(text.reindex(series.index), errors="coerce")
    present = numbers.dropna()
    whole = bool(np.isfinite(present).all()) and (present % 1 == 0).all()  # inf stays a float: the check refuses it
    return numbers.astype("Int64") if whole else numbers.astype(float)


def truthy(series: pd.Series) -> pd.Series:
    """Checkbox values (1/0, true/false, yes/no) as booleans; empty is False."""
    return series.map(lambda v: _key(v) in TRUE, na_action="ignore").fillna(False).astype(bool)


# Sales regions by country, in the words the demo data and most B2B teams use.
REGIONS = {
    "North America": ("united states", "usa", "us", "canada", "ca"),
    "LATAM": ("mexico", "mx", "brazil", "br", "argentina", "ar", "chile", "cl", "colombia", "co", "peru", "pe"),
    "EMEA": ("united kingdom", "uk", "gb", "great britain", "germany", "de", "france", "fr", "netherlands", "nl",
             "spain", "es", "italy", "it", "ireland", "ie", "sweden", "se", "norway", "no", "denmark", "dk",
             "finland", "fi", "switzerland", "ch", "austria", "at", "belgium", "be", "poland", "pl", "portugal",
             "pt", "israel", "il", "united arab emirates", "ae", "saudi arabia", "sa", "south africa", "za",
             "czech republic", "cz", "turkey", "tr", "nigeria", "ng", "egypt", "eg", "deutschland"),
    "APAC": ("china", "cn", "japan", "jp", "australia", "au", "india", "in", "singapore", "sg", "south korea", "kr",
             "korea", "hong kong", "hk", "taiwan", "tw", "new zealand", "nz", "indonesia", "id", "malaysia", "my",
             "thailand", "th", "vietnam", "vn", "philippines", "ph", "中国", "日本", "澳大利亚", "印度", "新加坡"),
}
_REGION_OF = {_key(c): region for region, countries in REGIONS.items() for c in countries}


def region_of(country: pd.Series) -> pd.Series:
    """Sales region (North America, LATAM, EMEA, APAC) of each country name or ISO code; None if unknown."""
    regions = country.map(lambda c: _REGION_OF.get(_key(c)), na_action="ignore").astype(object)
    return regions.where(regions.notna(), None)
