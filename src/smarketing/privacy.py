"""Personal data: emails and phone numbers are masked wherever a table leaves the database (pages, downloads,
CLI exports) unless showing them is switched on explicitly.

Masked forms: `a***@example.com` (first letter of the mailbox, the domain) and `+1 *** *** 1234` (country
code, last four digits). A column is treated as personal when its name says email / phone / mobile / tel / fax
(English, German or Chinese), text or numbers alike; in any other text (a note, a return reason, an error message)
emails and phone numbers are found by their shape and masked where they stand. A phone number there is a run of
7 to 15 digits written as phones are: with a "+" or "00" country code, an area code in brackets, digits in groups
("415-555-0142", "020 7946 0958", "01 23 45 67 89"), or any digit run right after a word such as "tel" or "call".
Dates (2024-03-14, 14.03.2024), times, amounts in thousands groups (1,234,567 or 1.234.567), ranges (1000-4999)
and ids (L-20241001, 18000000007, a hash) are not phone numbers.
"""

from __future__ import annotations

import re

import pandas as pd
import phonenumbers

EMAIL_RE = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[^\s@<>()\[\],;:\"']+")
EMAIL_NAME = re.compile(r"e-?mail|邮箱|邮件", re.I)
PHONE_NAME = re.compile(r"phone|mobile|whatsapp|telefon|手机|电话|传真|(?<![a-z])(?:cell|tel|fax|handy)(?![a-z])",
                        re.I)  # not "cancelled", "hotel", "intel", "telemetry"
_SEP = r"[ .\-/]"
PHONE_RE = re.compile(  # a candidate; _is_phone() decides (dates, amounts, ranges and ids are not phones)
    r"(?<![\w.,/+\-])(?:"
    rf"(?:\+|00)\d{{1,3}}{_SEP}?(?:\(0?\d{{1,5}}\){_SEP}?)?\d(?:{_SEP}?\d){{4,13}}"  # +1 415-555-0142, 0049 30 …
    rf"|\(\d{{2,5}}\){_SEP}?\d(?:{_SEP}?\d){{3,11}}"  # (617) 555-0199
    rf"|\d{{2,5}}(?:{_SEP}\d{{2,8}}){{1,5}}"  # 415-555-0142, 020 7946 0958, 01 23 45 67 89, 030 1234567
    r")(?![\w,+]|[.\-/]\d)"
)
_KEYWORD_PHONE = re.compile(r"(?i)(?:(?<![a-z])(?:tel|phone|call|mobile|cell|fax|whatsapp|ph)|电话|手机)\.?[:：]?\s*"
                            r"(\+?\d(?:[ ./\-]?\d){6,14})(?![\d,])")
_DATE_PARTS = re.compile(r"^(?:\d{4}([-./])\d{1,2}\1\d{1,2}|\d{1,2}([-./])\d{1,2}\2\d{4})")


def mask_email(value) -> str | None:
    """j***@example.com; text that is not an address becomes ***; missing stays missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    if "@" not in text:
        return "***" if text else text
    local, domain = text.rsplit("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_phone(value) -> str | None:
    """+1 *** *** 1234: the country code (when the number says it) and the last four digits."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    digits = re.sub(r"\D", "", text)
    if not digits:
        return "***" if text else text
    last = digits[-4:] if len(digits) > 6 else ""
    prefix = ""
    if text.startswith("+") or text.startswith("00"):
        try:
            prefix = f"+{phonenumbers.parse('+' + digits.removeprefix('00') if text.startswith('00') else text).country_code} "
        except phonenumbers.NumberParseException:
            prefix = ""
    return f"{prefix}*** *** {last}".strip()


def _is_phone(candidate: str) -> bool:
    """A phone-shaped match that is a phone number: 7 to 15 digits, not a date, an amount or a range."""
    digits = re.sub(r"\D", "", candidate).removeprefix("00" if candidate.startswith("00") else "")
    if not 7 <= len(digits) <= 15:
        return False
    if candidate.startswith(("+", "00", "(")):
        return True
    if _DATE_PARTS.match(candidate):
        return False  # 2024-03-14 09 …, 14.03.2024
    groups = re.split(r"[ .\-/]", candidate)
    if len(groups) >= 2 and len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]) and \
            not candidate.startswith("0"):
        return False  # 1.234.567, 12 345 678: thousands
    if len(groups) == 2 and "-" in candidate and len(groups[0]) == len(groups[1]) and groups[0][0] != "0":
        return False  # 1000-4999, 2019-2024: a range
    return not (len(groups) == 4 and "." in candidate and all(len(g) <= 3 for g in groups))  # not 192.168.1.10


def mask_text(value):
    """Every email address and phone number inside a text (a cell of another column, a message) masked."""
    if not isinstance(value, str):
        return value
    if "@" in value:
        value = EMAIL_RE.sub(lambda m: mask_email(m.group(0)), value)
    if sum(ch.isdigit() for ch in value) < 7:
        return value
    value = _KEYWORD_PHONE.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + mask_phone(m.group(1)), value)
    return PHONE_RE.sub(lambda m: mask_phone(m.group(0)) if _is_phone(m.group(0)) else m.group(0), value)


def _is_text(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series)


def personal_columns(frame: pd.DataFrame) -> tuple[list, list]:
    """(email columns, phone columns) of a table: text columns whose names say email, text or number columns
    whose names say phone (a date column such as `emailed_at` is not masked; a phone stored as a number is)."""
    text = [c for c in frame.columns if _is_text(frame[c])]
    emails = [c for c in text if EMAIL_NAME.search(str(c))]
    numbers = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
               and not pd.api.types.is_bool_dtype(frame[c])]
    phones = [c for c in [*text, *numbers] if PHONE_NAME.search(str(c)) and c not in emails]
    return emails, phones


def mask_value(column: str, value):
    """One value of a column called `column`, masked as mask_frame would mask it."""
    if EMAIL_NAME.search(str(column)):
        return mask_email(value)
    if PHONE_NAME.search(str(column)):
        return mask_phone(_number_text(value))
    return mask_text(value)


def _number_text(value):
    """A phone stored as a number, as its digits (13800138000.0 → "13800138000")."""
    if isinstance(value, float) and value == value and value.is_integer():
        return str(int(value))
    return value if value is None or isinstance(value, str) or pd.isna(value) else str(value)


def mask_frame(frame: pd.DataFrame, unmask: bool = False) -> pd.DataFrame:
    """A copy of `frame` with emails and phones masked (the frame itself when unmask or nothing to mask)."""
    if unmask or frame is None or frame.empty:
        return frame
    emails, phones = personal_columns(frame)
    text = [c for c in frame.columns if _is_text(frame[c])]
    if not (emails or phones or text):
        return frame
    out = frame.copy()
    for col in emails:
        out[col] = out[col].map(mask_email)
    for col in phones:
        out[col] = out[col].astype(object).map(lambda v: mask_phone(_number_text(v)))
    for col in text:
        if col not in emails and col not in phones:
            out[col] = out[col].map(mask_text)
    return out
