"""Every word the interface shows comes from a label table: labels/en.toml (English), keyed by snake_case
keys with {name} placeholders.

`t(key)` is a label; a key missing from the table is a bug (tests run with SMARKETING_STRICT_LABELS=1,
which makes it raise). `label(value)` is for anything that may be a key or a value from the user's data
(a stage, a channel, an extra column): the label when there is one, else the value made readable.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from importlib import resources

LANGUAGE = "en"
STRICT_ENV = "SMARKETING_STRICT_LABELS"
KEY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")  # what a label key looks like


class MissingLabel(KeyError):
    """A label key that is not in the label table."""


@functools.cache
def table(language: str = LANGUAGE) -> dict[str, str]:
    """The label table of a language (read once from the package)."""
    text = resources.files("smarketing.labels").joinpath(f"{language}.toml").read_text("utf-8")
    return tomllib.loads(text)


def t(key: str) -> str:
    """The label for `key`. A missing snake_case key shows as readable text, or raises MissingLabel in strict
    mode; other text (a stage name passed through) is shown as it is."""
    labels = table()
    if key in labels:
        return labels[key]
    if os.environ.get(STRICT_ENV) and KEY.fullmatch(str(key)):
        raise MissingLabel(key)
    return _readable(str(key))


def label(value) -> str:
    """The label of a key or data value: the table's label if there is one, else the value made readable
    (snake_case words spaced and capitalised; other text, such as a stage name, as it is)."""
    return table().get(str(value)) or _readable(str(value))


def _readable(text: str) -> str:
    return text.replace("_", " ").capitalize() if text.islower() and " " not in text else text


def column_labels(columns) -> dict[str, str]:
    """Map column names (keys or data columns) to their display labels (for tables and chart axes)."""
    return {c: label(c) for c in columns}
