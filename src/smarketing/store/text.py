"""Invisible characters at either end of a value: every kind of whitespace (tabs, no-break and ideographic spaces),
control characters and Unicode format characters (zero-width spaces and joiners, byte-order marks, direction
marks). Exports carry them ("L1\\t", "L1\\u200b"), and an id with one is a near-duplicate of the id without. Every
text cell an import reads and every id, key and text value it stores is stripped of them (the same rule in Python
and in DuckDB, whose RE2 knows the Unicode classes); characters inside a value are kept.
"""

from __future__ import annotations

import re

# Unicode's format characters (category Cf, Unicode 14), for Python's `re`, which has no \p{Cf}
FORMAT_CHARACTERS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_EDGE = f"[\\s\\x00-\\x1f\\x7f-\\x9f{FORMAT_CHARACTERS}]"
_EDGES = re.compile(f"^{_EDGE}+|{_EDGE}+$")
PATTERN = _EDGES.pattern  # for pandas' vectorised str.replace
SQL_PATTERN = r"^[\s\p{Z}\p{Cf}\p{Cc}]+|[\s\p{Z}\p{Cf}\p{Cc}]+$"


def strip_edges(value) -> str:
    """The text without invisible characters at either end."""
    return _EDGES.sub("", str(value))


def sql_strip(expr: str) -> str:
    """SQL: the text of `expr` without invisible characters at either end."""
    return f"regexp_replace(CAST({expr} AS VARCHAR), '{SQL_PATTERN}', '', 'g')"
