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
LONG_SHARE = re.compile(r"(?<![\w.,])\d{1,3}\.\d{2,}%")  # shares are shown to one decimal: 3.8%, not 3.81%
ZERO_P = re.compile(r"\bp\s*=\s*0\.0+(?![\d])")  # a p-value below the shown precision: "< 0.001", not "0.000"
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
        raw = frame.value if isinstance(frame.value, pd.DataFrame) else values
        placeholder = frame.proto.placeholder
        if placeholder and MISSING.fullmatch(placeholder):
            problems.append(f"table {i + 1}: missing values shown as '{placeholder}'")
        for column in values.columns:
            conf = config.get(str(column), {})
            if conf.get("hidden") or conf is None:
                continue
            label = conf.get("label", str(column))
            where = f"table {i + 1}, column '{label}'"
            if SNAKE.fullmatch(label) or label != label.strip():
                problems.append(f"{where}: raw column name")
            series = values[column]
            if not placeholder and column in raw.columns and raw[column].isna().any():
                # the browser shows a null cell as "None" (a styled table's display value is not used for it)
                problems.append(f"{where}: missing value shown as 'None'")
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
                if column in raw.columns and len(raw) == len(series):  # a null cell shows the placeholder
                    series = series[raw[column].notna().to_numpy()]
                shown = series.dropna().astype(str)
                bad = shown[shown.str.fullmatch(r"None|NaN|nan|inf|-inf|NaT|<NA>|\$?inf.*|\$?nan.*")]
                if len(bad):
                    problems.append(f"{where}: '{bad.iloc[0]}' in a cell")
                if shown.str.fullmatch(r"[-+]?\$?\d{5,}(\.\d+)?").any():
                    problems.append(f"{where}: integers of 5+ digits without separators")
                if shown.str.fullmatch(r"[-+]?\d{1,3}\.\d{2,}%").any():
                    problems.append(f"{where}: shares with 2+ decimals")
    return problems


def text_findings(at, allowed: set[str] = frozenset()) -> list[str]:
    """Problems in the page's visible texts."""
    problems = []
    keys = set(label_table())
    for where, text in visible_texts(at):
        plain = re.sub(r"`[^`]*`", "", text)  # code spans name columns or events on purpose
        plain = re.sub(r"\]\([^)]*\)|https?://\S+", "", plain)  # link targets
        for pattern, what in ((MISSING, "missing value as a word"), (SNAKE, "raw identifier"),
                              (BARE_INT, "integer without separators"), (LONG_SHARE, "share with 2+ decimals"),
                              (ZERO_P, "p-value shown as zero")):
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
        for trace in spec.get("data", []):
            for field in ("x", "y", "labels", "text"):  # categories, bar texts and labels a reader sees
                values = trace.get(field)
                if not isinstance(values, list):
                    continue
                for value in {v for v in values if isinstance(v, str)}:
                    if MISSING.fullmatch(value) or any("_" in w for w in SNAKE.findall(value)):
                        problems.append(f"chart {i + 1}: '{value}' in {field}")
                        break
            if _colour_scale_shown(trace) and not _colorbar_title(trace, layout):
                problems.append(f"chart {i + 1}: a colour scale without a title")
    return problems


def _colour_scale_shown(trace: dict) -> bool:
    if trace.get("type") in ("heatmap", "histogram2d", "histogram2dcontour", "contour"):
        return trace.get("showscale", True) is not False
    marker = trace.get("marker") or {}
    return isinstance(marker.get("color"), list | dict) and bool(marker.get("showscale"))


def _colorbar_title(trace: dict, layout: dict) -> str | None:
    bar = trace.get("colorbar") or (trace.get("marker") or {}).get("colorbar") or {}
    if not bar and trace.get("coloraxis"):
        bar = (layout.get(trace["coloraxis"]) or {}).get("colorbar") or {}
    title = bar.get("title")
    return title.get("text") if isinstance(title, dict) else title


def findings(at) -> list[str]:
    """Every problem of a page run: texts, tables, charts."""
    return text_findings(at) + table_findings(at) + figure_findings(at)
