"""Personal data: emails and phone numbers are masked wherever a table leaves the database (pages, downloads,
CLI exports) unless showing them is switched on explicitly.

Masked forms: `a***@example.com` (first letter of the mailbox, the domain) and `+1 *** *** 1234` (country
code, last four digits). A column is treated as personal when its name says email / phone / mobile (English
or Chinese), or, for emails, when its text looks like an email address whatever the column is called.
"""

from __future__ import annotations

import re

import pandas as pd
import phonenumbers

EMAIL_RE = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[^\s@<>()\[\],;:\"']+")
EMAIL_NAME = re.compile(r"e-?mail|邮箱|邮件", re.I)
PHONE_NAME = re.compile(r"phone|mobile|whatsapp|手机|电话|(?<![a-z])cell(?![a-z])", re.I)  # not "cancelled"


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


def mask_text(value):
    """Every email address inside a text (a cell of another column, a message) masked."""
    if not isinstance(value, str) or "@" not in value:
        return value
    return EMAIL_RE.sub(lambda m: mask_email(m.group(0)), value)


def _is_text(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series)


def personal_columns(frame: pd.DataFrame) -> tuple[list, list]:
    """(email columns, phone columns) of a table: text columns whose names say so (a date column such as
    `emailed_at` or a number is not masked)."""
    text = [c for c in frame.columns if _is_text(frame[c])]
    emails = [c for c in text if EMAIL_NAME.search(str(c))]
    phones = [c for c in text if PHONE_NAME.search(str(c)) and c not in emails]
    return emails, phones


def mask_value(column: str, value):
    """One value of a column called `column`, masked as mask_frame would mask it."""
    if EMAIL_NAME.search(str(column)):
        return mask_email(value)
    if PHONE_NAME.search(str(column)):
        return mask_phone(value)
    return mask_text(value)


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
        out[col] = out[col].map(mask_phone)
    for col in text:
        if col not in emails and col not in phones:
            out[col] = out[col].map(mask_text)
    return out
