"""What a reader of a page sees, checked for the marks of unfinished presentation: None / NaN / inf, raw
snake_case identifiers, integers of five or more digits without thousands separators, numbers of a table
column shown without a format. Used by tests/test_presentation.py on every page."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa

from smarketing.labels import table as label_table

MISSING = re.compile(r"(?<![\w-])(None|NaN|nan|inf|-inf|Infinity|undefined)(?![\w-])")
SNAKE = re.compile(r"(?<![\w./:@#-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w./:@(-])")
BARE_INT = re.compile(r"(?<![\w.,:/#-])\d{5,}(?![\w.,%:/-])")
TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success",
                 "text")


def visible_texts(at) -> list[tuple[str, str]]:
    """(where, text) of every text element, metric, widget label and option and tab label of the page."""
    found = []
    for kind in TEXT_ELEMENTS:
        found += [(kind, str(e.value)) for e in getattr(at, kind)]
    for m in at.metric:
        found += [("metric label", m.label), ("metric value", str(m.value))]
        if m.proto.delta:
            found.append(("metric delta", m.proto.delta))
    for kind in ("selectbox", "multiselect", "radio", "segmented_control", "number_input", "slider",
                 "select_slider", "toggle", "checkbox", "text_input", "date_input"):
        for widget in getattr(at, kind, []):
            found.append((f"{kind} label", widget.label))
            for option in getattr(widget, "options", []) or []:
                found.append((f"{kind} option", str(option)))
    found += [("tab", t.label) for t in at.tabs]
    found += [("expander", e.label) for e in at.expander]
    return found


def table_findings(at) -> list[str]:
    """Problems in the tables as they are displayed: raw column labels, missing values shown as words,
    numeric columns without a number format."""
    problems = []
    for i, frame in enumerate(at.dataframe):
        config = json.loads(frame.proto.columns or "{}")
        styled = frame.proto.arrow_data.styler.display_values
        values = pa.ipc.open_stream(styled).read_all().to_pandas() if styled else frame.value
        if not isinstance(values, pd.DataFrame):
            continue
        for column in values.columns:
            conf = config.get(str(column), {})
            if conf.get("hidden") or conf is None:
                continue
            label = conf.get("label", str(column))
            where = f"table {i + 1}, column '{label}'"
            if SNAKE.fullmatch(label) or label != label.strip():
                problems.append(f"{where}: raw column name")
            series = values[column]
            if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
                kind = conf.get("type_config", {})
                if not kind.get("format") and not np.all(np.asarray(series.dropna(), dtype=float) % 1 == 0) \
                        and len(series.dropna()):
                    problems.append(f"{where}: fractional numbers without a format")
                elif not kind.get("format") and series.dropna().abs().ge(10_000).any():
                    problems.append(f"{where}: integers of 5+ digits without separators")
                if np.isinf(np.asarray(series.dropna(), dtype=float)).any():
                    problems.append(f"{where}: inf shown")
            elif series.dtype == object or pd.api.types.is_string_dtype(series):
                shown = series.dropna().astype(str)
                bad = shown[shown.str.fullmatch(r"None|NaN|nan|inf|-inf|NaT|<NA>|\$?inf.*|\$?nan.*")]
                if len(bad):
                    problems.append(f"{where}: '{bad.iloc[0]}' in a cell")
                if styled and shown.str.fullmatch(r"-?\d{5,}(\.\d+)?").any():
                    problems.append(f"{where}: integers of 5+ digits without separators")
    return problems


def text_findings(at, allowed: set[str] = frozenset()) -> list[str]:
    """Problems in the page's visible texts."""
    problems = []
    keys = set(label_table())
    for where, text in visible_texts(at):
        plain = re.sub(r"`[^`]*`", "", text)  # code spans name columns or events on purpose
        plain = re.sub(r"\]\([^)]*\)|https?://\S+", "", plain)  # link targets
        for pattern, what in ((MISSING, "missing value as a word"), (SNAKE, "raw identifier"),
                              (BARE_INT, "integer without separators")):
            for match in pattern.finditer(plain):
                word = match.group(0)
                if word in allowed or (what == "raw identifier" and word not in keys and "_" not in word):
                    continue
                problems.append(f"{where}: {what} '{word}' in «{text[:120]}»")
    return problems


def figure_findings(at) -> list[str]:
    """Raw identifiers or missing values in chart titles, axis titles and legend names."""
    problems = []
    for i, chart in enumerate(at.get("plotly_chart")):
        spec = json.loads(chart.proto.spec)
        layout = spec.get("layout", {})
        texts = [(layout.get("title") or {}).get("text") if isinstance(layout.get("title"), dict)
                 else layout.get("title")]
        for axis in (k for k in layout if k.startswith(("xaxis", "yaxis"))):
            title = layout[axis].get("title")
            texts.append(title.get("text") if isinstance(title, dict) else title)
        texts += [trace.get("name") for trace in spec.get("data", []) if trace.get("showlegend", True)]
        for text in filter(None, texts):
            text = str(text)
            if MISSING.search(text) or SNAKE.fullmatch(text):
                problems.append(f"chart {i + 1}: '{text}'")
    return problems
