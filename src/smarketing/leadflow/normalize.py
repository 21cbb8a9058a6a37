"""Matching keys for de-duplication: email, phone (E.164), messaging handle and company name.

Email and company keys are Ibis expressions, so they run in the database on every lead. Phones are
normalised by the `phonenumbers` library (Google's libphonenumber metadata), wrapped in a vectorised
UDF that the database calls once per distinct (phone, country) pair.
"""

from __future__ import annotations

import contextlib
import functools

import duckdb
import ibis
import phonenumbers
import pyarrow as pa
from phonenumbers.geodata.locale import LOCALE_DATA

from smarketing import store

# Legal-form words dropped from the end of an English / European company name (after punctuation became
# spaces, so "Co., Ltd." is "co ltd" and "L.L.C." is "l l c").
LEGAL_SUFFIXES_EN = (
    "incorporated", "inc", "corporation", "corp", "company", "co", "limited", "ltd", "llc", "l l c",
    "llp", "lp", "plc", "gmbh", "mbh", "ag", "kg", "se", "sa", "s a", "sas", "sarl", "srl", "spa",
    "s p a", "bv", "b v", "nv", "n v", "oy", "oyj", "ab", "as", "asa", "aps", "pty", "pte", "pvt",
    "private", "kk", "k k", "bhd", "sdn", "tbk", "group", "holding", "holdings", "and",
)
# Chinese (simplified and traditional) and Japanese legal forms, longest first; no spaces before them.
LEGAL_SUFFIXES_CJK = (
    "股份有限公司", "有限责任公司", "有限責任公司", "集团有限公司", "集團有限公司", "有限公司",
    "株式会社", "有限会社", "集团", "集團", "公司",
)
# Company "names" that identify nobody: never match on them.
JUNK_COMPANIES = (
    "na", "n a", "none", "null", "unknown", "test", "self", "selfemployed", "self employed", "individual",
    "personal", "private", "freelance", "freelancer", "student", "个人", "无", "不详",
)


def email_key(email: ibis.StringValue) -> ibis.StringValue:
    """Lower case without any white space; NULL unless it looks like an address (has an @)."""
    key = email.lower().re_replace(r"\s+", "").re_replace(r"^mailto:", "")
    return key.re_replace(r"^[^@]*$", "").nullif("")  # each step once: no repeated sub-expressions


def messaging_key(handle: ibis.StringValue) -> ibis.StringValue:
    """A messaging handle (WeChat, WhatsApp, LINE …): lower case, no white space, no leading @."""
    return handle.cast("string").lower().re_replace(r"\s+", "").re_replace(r"^@+", "").nullif("")


def company_key(company: ibis.StringValue) -> ibis.StringValue:
    """Lower case, punctuation removed, legal suffixes (Inc, Ltd, GmbH, 有限公司 …) dropped, no spaces.

    Written as one chain of replacements (no branches) so the database evaluates each step once per row.
    """
    en = "|".join(s.replace(" ", r"\s") for s in LEGAL_SUFFIXES_EN)
    cjk = "|".join(LEGAL_SUFFIXES_CJK)
    junk = "|".join(j.replace(" ", r"\s") for j in JUNK_COMPANIES)
    text = company.lower().re_replace("&", " and ").re_replace(r"[^\p{L}\p{N}]+", " ")
    text = text.re_replace(r"^\s*the\s+", "")
    # any run of legal forms at the end, in any order: "Acme Holdings Co., Ltd.", "Acme 有限公司 Ltd"
    text = text.re_replace(rf"(?:\s*(?:{cjk})|\s+(?:{en}))+\s*$", "")
    return text.re_replace(rf"^\s*(?:{junk})\s*$", "").re_replace(r"\s+", "").nullif("")


# ------------------------------------------------------------------------------------------------ phones


@functools.cache
def _country_names() -> dict[str, str]:
    """Country name (English or Chinese, lower case) or ISO code -> phone region code."""
    names: dict[str, str] = {}
    for region, by_lang in LOCALE_DATA.items():
        names[region.lower()] = region
        for lang in ("aa", "en", "zh"):
            name = by_lang.get(lang, "")
            if name and not name.startswith("*"):
                names[name.lower()] = region
    names.update({"usa": "US", "united states of america": "US", "uk": "GB", "great britain": "GB",
                  "england": "GB", "prc": "CN", "mainland china": "CN", "korea": "KR", "russia": "RU"})
    return names


def region_for(country: str | None, default_country: str) -> str:
    """The phone region to read a national number in: the lead's country if known, else the default."""
    if country:
        region = _country_names().get(str(country).strip().lower())
        if region:
            return region
    return default_country.upper()


@functools.lru_cache(maxsize=1 << 20)
def e164(phone: str | None, country: str | None = None, default_country: str = "US") -> str | None:
    """A phone number in E.164 form (+4930123456), or None if it cannot be a phone number.

    National numbers are read in the lead's country (name or ISO code), else in `default_country`.
    """
    if not phone or not str(phone).strip():
        return None
    try:
        number = phonenumbers.parse(str(phone), region_for(country, default_country))
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


PHONE_FUNCTION = "smarketing_e164"


def _e164_batch(phone: pa.Array, country: pa.Array, default_country: pa.Array) -> pa.Array:
    """Vectorised E.164 normalisation: the database hands over a batch of distinct values."""
    out = [
        e164(p, c, d)
        for p, c, d in zip(phone.to_pylist(), country.to_pylist(), default_country.to_pylist(), strict=True)
    ]
    return pa.array(out, pa.string())


@ibis.udf.scalar.builtin(name=PHONE_FUNCTION)
def _phone_function(phone: str, country: str, default_country: str) -> str:
    """The database function registered by `phone_key` (a reference, so Ibis does not register it again)."""


def phone_key(con, phone: ibis.StringValue, country: ibis.StringValue, default_country: str) -> ibis.StringValue:
    """E.164 key of a phone column, computed in the database by `e164` (registered once per database).

    Registered by hand rather than as an Ibis Python UDF: DuckDB shares one function catalog between all
    connections to the same file in a process, and Ibis would register its UDF again for each connection.
    """
    # already registered (by an earlier call, or another connection to the same database file)
    with contextlib.suppress(duckdb.CatalogException, duckdb.NotImplementedException):
        store.raw(con).create_function(
            PHONE_FUNCTION, _e164_batch, ["VARCHAR", "VARCHAR", "VARCHAR"], "VARCHAR", type="arrow",
            null_handling="special",  # returns NULL for non-numbers
        )
    return _phone_function(phone, country, ibis.literal(default_country))


def check_country(code: str) -> str:
    """Validate a default country code (ISO 3166 alpha-2, as phone numbers use it)."""
    code = (code or "").strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown country code '{code}' (expected a two-letter code such as US, GB, DE, CN)")
    return code
