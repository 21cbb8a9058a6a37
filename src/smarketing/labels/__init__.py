"""Every word the interface shows comes from a label table, one per language: labels/en.toml (English) and
labels/zh.toml (Simplified Chinese), keyed by snake_case keys with {name} placeholders. Both tables have the same
keys and placeholders (tests/test_labels_zh.py).

`t(key)` is a label; a key missing from the table is a bug (tests run with SMARKETING_STRICT_LABELS=1,
which makes it raise, in every language). `label(value)` is for anything that may be a key or a value from the
user's data (a stage, a channel, an extra column): the label when there is one, else the value made readable; a
stage with a display name in the current language (`display = { zh = "…" }` in the stage model) shows it.

The current language is a context value: the app's UI layer sets it at the start of every script run
(`set_language`, from the sidebar's choice, `?lang=` or the browser), a piece of work in another thread takes it
along (`using`), and anything else (the command line, a scheduled job) reads the `language` setting
($SMARKETING_LANG, smarketing.settings), English by default. Analysis modules never choose a language.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import re
import tomllib
from importlib import resources

DEFAULT_LANGUAGE = "en"
LANGUAGE = DEFAULT_LANGUAGE  # the default language (kept for callers that only need it)
LANGUAGES = {"en": "English", "zh": "中文"}  # every language with a table, by its own name
STRICT_ENV = "SMARKETING_STRICT_LABELS"
KEY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")  # what a label key looks like
ARROW = " → "  # "Lead → MQL": a stage change, each side labelled

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("smarketing_language", default=None)


class MissingLabel(KeyError):
    """A label key that is not in the label table."""


def language_of(text) -> str | None:
    """The language of ours a language tag stands for ("zh", "zh-CN", "zh_Hans_CN", "ZH-tw" -> "zh"; "en-GB" ->
    "en"), or None when we have no table for it."""
    primary = re.split(r"[-_]", str(text or "").strip().lower(), maxsplit=1)[0]
    return primary if primary in LANGUAGES else None


def language() -> str:
    """The current language: the one set for this run or thread, else the language setting, else English."""
    chosen = _current.get()
    if chosen is not None:
        return chosen
    from smarketing.settings import current

    return language_of(current().language) or DEFAULT_LANGUAGE


def set_language(lang: str | None) -> contextvars.Token:
    """Make `lang` (a tag such as "zh-CN"; None or unknown: the setting's) the current language of this context."""
    return _current.set(language_of(lang))


@contextlib.contextmanager
def using(lang: str | None):
    """The labels of `lang` inside the block (work that runs in a thread of its own, a pack in another language)."""
    token = set_language(lang)
    try:
        yield language()
    finally:
        _current.reset(token)


@functools.cache
def table(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The label table of a language (read once from the package)."""
    text = resources.files("smarketing.labels").joinpath(f"{language}.toml").read_text("utf-8")
    return tomllib.loads(text)


def t(key: str) -> str:
    """The label for `key` in the current language. A snake_case key missing from that language's table raises
    MissingLabel in strict mode, else shows in English (or as readable text when English lacks it too); other
    text (a stage name passed through) is shown as it is."""
    lang = language()
    labels = table(lang)
    if key in labels:
        return labels[key]
    if os.environ.get(STRICT_ENV) and KEY.fullmatch(str(key)):
        raise MissingLabel(key if lang == DEFAULT_LANGUAGE else f"{key} (in {lang}.toml)")
    return table(DEFAULT_LANGUAGE).get(key) or _readable(str(key))


def table_label(name: str) -> str:
    """The name of one of our tables as the import shows it ("Leads", "Stage changes"; 线索, not 线索数)."""
    return t(f"table_{name}")


def label(value) -> str:
    """The label of a key or data value: a stage's display name in the current language, the table's label if
    there is one (in another language also for an English label an analysis returns as a value, such as the
    headline metric "Won revenue"), else the value made readable (a snake_case name spaced and capitalised; other
    text, such as a stage name, as it is). "A → B" (a stage change) is labelled on each side."""
    text = str(value)
    if (found := _lookup(text)) is not None:
        return found
    if ARROW in text:
        return ARROW.join(_lookup(part) or part for part in text.split(ARROW))
    return _readable(text)


def _lookup(text: str) -> str | None:
    """The label of a key, stage name or English label in the current language, None when there is none."""
    lang = language()
    if lang != DEFAULT_LANGUAGE:
        if shown := _stage_names(lang).get(text) or table(lang).get(text):
            return shown
        if (key := _english_keys().get(text)) and key in table(lang):
            return table(lang)[key]  # an English word an analysis returns as a value ("Won revenue", "Converted")
    return table(DEFAULT_LANGUAGE).get(text)


@functools.cache
def _english_keys() -> dict[str, str]:
    """{English label: its key} (the first key of a label that several share)."""
    out: dict[str, str] = {}
    for key, text in table(DEFAULT_LANGUAGE).items():
        out.setdefault(text, key)
    return out


def _stage_names(lang: str) -> dict[str, str]:
    """{stage name: its display name in `lang`} of the stage model in use."""
    from smarketing.stages import active_stages

    return active_stages().display_names(lang)


def _readable(text: str) -> str:
    """A snake_case name spaced and capitalised ("lead_score" -> "Lead score"); any other text as it is."""
    return text.replace("_", " ").capitalize() if KEY.fullmatch(text) else text


def heading(column) -> str:
    """A table column's header: t() for a snake_case key (strict mode still catches a missing one), label() for
    anything else (a stage name as a column shows its display name)."""
    return t(column) if KEY.fullmatch(str(column)) else label(column)


def column_labels(columns) -> dict[str, str]:
    """Map column names (keys or data columns) to their display labels (for tables and chart axes)."""
    return {c: label(c) for c in columns}


# Table columns whose values are our words (stage names, stage changes, metric names, statuses), shown in the
# interface language; other columns hold the user's data and stay as they are, except the markers our analyses put
# among them ("(none)", "(other)", "Total" …). {column: key prefix} for values that are keys without their prefix.
WORD_COLUMNS = {"stage": "", "from_stage": "", "to_stage": "", "transition": "", "metric": "", "item": "",
                "outcome": "", "bucket": "", "status": "", "stages": "", "quadrant": "q_", "deal_status": "status_"}
MARKER_KEYS = ("none_value", "other_group", "total", "all_rows", "no_reason_given", "unassigned", "no_response")


def words(frame):
    """The frame with our words in its cells in the current language, for people (a copy; the frame itself in
    English): stage names, stage changes, metric names and statuses in WORD_COLUMNS, our markers in any text column."""
    if language() == DEFAULT_LANGUAGE:
        return frame
    english = table(DEFAULT_LANGUAGE)
    markers = {english[k] for k in MARKER_KEYS if k in english}
    out = frame
    for column in frame.columns:
        series = frame[column]
        if series.dtype != object and str(series.dtype) not in ("string", "str", "category"):
            continue
        prefix = WORD_COLUMNS.get(str(column))
        if prefix is None and not series.isin(markers).any():
            continue
        out = out.copy() if out is frame else out
        out[column] = series.map(lambda v, p=prefix: _word(v, p, markers))
    return out


def _word(value, prefix: str | None, markers: set):
    if not isinstance(value, str):
        return value
    if prefix is None:
        return label(value) if value in markers else value
    key = f"{prefix}{value.replace(' ', '_')}"
    if prefix and key in table(DEFAULT_LANGUAGE):
        return t(key)
    if ", " in value and prefix == "":  # a list of stages ("MQL, SQL")
        return ", ".join(label(v) for v in value.split(", "))
    return label(value)
