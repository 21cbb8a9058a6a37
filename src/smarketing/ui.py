"""Streamlit helpers shared by every page: the database handle, the sidebar filters, downloads.

Filters live in st.session_state and in the URL (st.query_params) so a view can be shared.
"""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import streamlit as st

from smarketing import access, engines, exports, privacy, store, writes
from smarketing.filters import MODES, Filters
from smarketing.formatting import md_code, md_text
from smarketing.labels import t

WAREHOUSE_CACHE_SECONDS = 600
SEGMENT_COLUMNS = ("source_group", "source", "industry", "country", "region", "owner")


@st.cache_resource(show_spinner=False, max_entries=2)
def _connection(path: str, version: str):
    """One read-only connection per database file version (a new one after each import), shared by all
    sessions; each thread queries it through its own cursor (see connection())."""
    return store.connect(path, read_only=True)


_thread = threading.local()


def db_path() -> str:
    """The data source in use: the one chosen in the sidebar, else $SMARKETING_DB or the Streamlit secret
    `[smarketing] db`, else data/demo.duckdb. A warehouse URL is returned as it is (with any password:
    show it only through engines.redact)."""
    chosen = st.session_state.get("data_source") or engines.configured_url()
    return str(chosen) if engines.is_url(chosen) else str(store.db_path(chosen))


def is_warehouse() -> bool:
    """True when the app reads from another engine (PySpark, PostgreSQL …) rather than a DuckDB file."""
    return engines.is_url(db_path())


def connection():
    """The Ibis backend of the database in use, for this thread: a cursor of the shared read-only
    connection of the file's current version, so sessions run their queries side by side."""
    path = db_path()
    try:
        base = _connection(path, "" if engines.is_url(path) else writes.version(path))
    except FileNotFoundError:
        st.error(f"No database at {md_code(path)}. Create the demo data with `smarketing demo` or set SMARKETING_DB.")
        _reset_source_button()
        st.stop()
    except (engines.EngineError, store.DatabaseError) as exc:  # messages never contain the password
        st.error(f"Cannot use the data source: {md_text(exc)}")
        _reset_source_button()
        st.stop()
    cursors = _thread.__dict__.setdefault("cursors", {})
    if id(base) not in cursors or cursors[id(base)][0] is not base:
        cursors[id(base)] = (base, store.thread_backend(base))
    return cursors[id(base)][1]


@contextlib.contextmanager
def writable_connection():
    """A read-write connection for the Data page's imports, to a private copy of the database that replaces
    the file atomically when the import succeeds (store.writing). Sessions reading meanwhile go on with
    the file they have; their next run opens the new one. Imports queue behind each other."""
    access.require(access.IMPORT)
    with store.writing(db_path()) as con:
        yield con
    st.cache_data.clear()


def cache_key() -> str:
    """Part of every cache key: the database file and its modification time. A warehouse changes without
    the app knowing: its results are kept for at most WAREHOUSE_CACHE_SECONDS."""
    if is_warehouse():
        return f"{engines.redact(db_path())}:{int(time.time() // WAREHOUSE_CACHE_SECONDS)}"
    return f"{db_path()}:{writes.version(db_path())}"


@st.cache_data(show_spinner=False)
def _data_bounds(key: str) -> tuple[date, date]:
    leads = connection().table("leads")
    row = leads.aggregate(lo=leads.created_at.min(), hi=leads.created_at.max()).execute().iloc[0]
    if pd.isna(row["lo"]):
        today = date.today()
        return today - timedelta(days=365), today
    return row["lo"].date(), row["hi"].date()


@st.cache_data(show_spinner=False)
def _segment_values(key: str, column: str) -> list[str]:
    leads = connection().table("leads")
    if column not in leads.columns:
        return []
    values = leads.select(v=leads[column].cast("string")).distinct().filter(lambda x: x.v.notnull())
    return sorted(values.limit(500).execute()["v"].tolist())


def _param_date(name: str, default: date) -> date:
    try:
        return date.fromisoformat(st.query_params.get(name, ""))
    except ValueError:
        return default


def sidebar() -> Filters:
    """Draw the shared sidebar and return the filters; state is kept in the URL."""
    key = cache_key()
    lo, hi = _data_bounds(key)
    default_since = max(lo, hi - timedelta(days=364))
    st.sidebar.caption(f"{t('database')}: {md_code(engines.redact(db_path()))}")
    _source_picker()
    floor, ceiling = date(1990, 1, 1), max(hi, date.today()) + timedelta(days=3650)
    since = min(max(_param_date("since", default_since), floor), ceiling)
    until = min(max(_param_date("until", hi), since), ceiling)
    picked = st.sidebar.date_input(
        t("date_range"), value=(since, until), min_value=floor, max_value=ceiling,
        key="flt_range", help="Whole days, inclusive, UTC.",
    )
    if isinstance(picked, tuple) and len(picked) == 2:
        since, until = picked
    mode = st.query_params.get("mode", "cohort")
    mode = st.sidebar.radio(
        t("time_mode"), MODES, index=MODES.index(mode) if mode in MODES else 0,
        format_func=lambda m: t(f"mode_{m}"), key="flt_mode",
    )
    segments = {}
    with st.sidebar.expander(t("segments"), expanded=any(c in st.query_params for c in SEGMENT_COLUMNS)):
        for column in SEGMENT_COLUMNS:
            options = _segment_values(key, column)
            if not options:
                continue
            chosen = [v for v in st.query_params.get_all(column) if v in options]
            picked_values = st.multiselect(t(column), options, default=chosen, key=f"flt_{column}")
            if picked_values:
                segments[column] = tuple(picked_values)
    _write_params(since, until, mode, segments)
    return Filters(since=since, until=until, mode=mode, segments=segments)


def _reset_source_button() -> None:
    """Back to the configured data source, when this session chose another one that cannot be used."""
    if st.session_state.get("data_source") and st.button(t("data_source_reset"), key="data_source_reset_err"):
        del st.session_state["data_source"]
        st.rerun()


def _source_picker() -> None:
    """Sidebar: point this session at another data source by URL (a DuckDB file, pyspark://, postgres://)."""
    if not access.can(access.CHOOSE_SOURCE):
        return
    with st.sidebar.expander(t("data_source"), expanded=False):
        typed = st.text_input(t("data_source_url"), key="data_source_input", placeholder="postgres://user@host/db",
                              help=t("data_source_help"))
        left, right = st.columns(2)
        if left.button(t("data_source_use"), key="data_source_use", disabled=not typed.strip()):
            try:
                st.session_state["data_source"] = allowed_source(typed)
            except ValueError as exc:
                st.error(md_text(exc), icon=":material/error:")
            else:
                st.rerun()
        if st.session_state.get("data_source") and right.button(t("data_source_reset"), key="data_source_reset"):
            del st.session_state["data_source"]
            st.rerun()


def data_folder() -> Path:
    """The app's data folder: where the configured DuckDB database lives (data/ by default, also when the
    configured source is a warehouse)."""
    configured = engines.configured_url()
    return store.db_path(store.DEFAULT_DB if engines.is_url(configured) else configured).resolve().parent


def allowed_source(typed: str) -> str:
    """A data source typed in the sidebar, if allowed, else ValueError: a .duckdb file inside the app's data
    folder (imports write there), or a warehouse URL that is the configured one or listed under
    `[smarketing] sources` in secrets (a typed URL would otherwise get the stored password sent to any host,
    or read any folder of the server)."""
    typed = typed.strip()
    if engines.is_url(typed):
        engines.parse(typed)  # EngineError (a ValueError) names what is wrong
        listed = access.settings().get("sources", [])
        if typed not in {engines.configured_url(), *([listed] if isinstance(listed, str) else listed)}:
            raise ValueError(t("data_source_not_allowed"))
        return typed
    folder = data_folder()
    path = store.db_path(typed)
    path = (path if path.is_absolute() else folder / path).resolve()
    if path.suffix != ".duckdb" or not path.is_relative_to(folder):
        raise ValueError(t("data_source_outside").format(folder=folder.name))
    return str(path)


def _write_params(since: date, until: date, mode: str, segments: dict) -> None:
    params = {"since": since.isoformat(), "until": until.isoformat(), "mode": mode}
    params.update({c: list(v) for c, v in segments.items()})
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    wanted = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    if current != wanted:
        st.query_params.from_dict(params)


def download(frame: pd.DataFrame, name: str, key: str | None = None) -> None:
    """A CSV download button for a table (personal data masked, spreadsheet formulas neutralised). The file
    is written when the button is clicked, not on every run of the page (pages have many tables)."""
    unmask = access.show_personal_data()
    st.download_button(
        t("download_csv"), lambda: exports.table_csv(frame, unmask=unmask), file_name=f"{name}.csv",
        mime="text/csv", key=key or f"dl_{name}", icon=":material/download:",
    )


def personal_label(column: str) -> str:
    """Label of an email / phone column: says "(masked)" unless personal data is shown."""
    return t(column) if access.show_personal_data() else t(f"{column}_masked")


def dataframe(frame: pd.DataFrame, **kwargs):
    """st.dataframe with emails and phones masked (unless the setting shows them); a pandas Styler (of
    aggregate tables) is shown as it is."""
    if isinstance(frame, pd.DataFrame):
        frame = _blank_text(privacy.mask_frame(frame, unmask=access.show_personal_data()))
    return st.dataframe(frame, **kwargs)


def _blank_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values of text columns shown as empty cells rather than "None"."""
    text = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    if not text or not frame[text].isna().any().any():
        return frame
    out = frame.copy()
    for col in text:
        out[col] = out[col].astype(object).where(out[col].notna(), "")
    return out


def empty_state(message: str | None = None) -> None:
    st.info(message or t("no_data"), icon=":material/info:")


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_call(db_key: str, name: str, args_repr: str, _func, _args, _kwargs):
    return _func(connection(), *_args, **_kwargs)


def cached(func, *args, **kwargs):
    """func(connection(), *args, **kwargs), cached per database file version and argument values."""
    name = f"{func.__module__}.{func.__qualname__}"
    return _cached_call(cache_key(), name, repr((args, sorted(kwargs.items()))), func, args, kwargs)


def percent_column(label: str, help: str | None = None):
    return st.column_config.NumberColumn(label, help=help, format="percent")


def int_column(label: str, help: str | None = None):
    return st.column_config.NumberColumn(label, help=help, format="localized")


def number_column(label: str, help: str | None = None, fmt: str = "%.1f"):
    return st.column_config.NumberColumn(label, help=help, format=fmt)


def page_link(path: str, label: str) -> None:
    """A link to another page; silently absent when the page is run on its own (tests)."""
    with contextlib.suppress(st.errors.StreamlitAPIException):
        st.page_link(path, label=label, icon=":material/arrow_forward:")


def table(frame: pd.DataFrame, name: str, percent=(), days=(), money=(), ints=(), decimals=(), help=None,
          key: str | None = None) -> None:
    """Show a table with display labels and readable numbers, and a CSV download of the raw values.

    percent: fraction columns shown as 12.3%; days: 1 decimal; money: $1,234; ints: 1,234;
    decimals: 3 decimals; help: {column: tooltip}.
    """
    help = help or {}
    shown = _blank_text(privacy.mask_frame(frame, unmask=access.show_personal_data())).copy()
    config = {}
    for col in shown.columns:
        label, tip = t(col), help.get(col)
        numeric = col in (*percent, *days, *money, *ints, *decimals)
        if numeric and shown[col].isna().any():  # NaN would show as "None": format as text with a dash
            shown[col] = shown[col].map(lambda v, c=col: _cell(v, c, percent, days, money, ints))
            config[col] = st.column_config.TextColumn(label, help=tip)
        elif col in percent:
            shown[col] = shown[col] * 100
            config[col] = st.column_config.NumberColumn(label, help=tip, format="%.1f%%")
        elif col in days:
            config[col] = st.column_config.NumberColumn(label, help=tip, format="%.1f")
        elif col in money:
            config[col] = st.column_config.NumberColumn(label, help=tip, format="dollar")
        elif col in ints:
            config[col] = st.column_config.NumberColumn(label, help=tip, format="localized")
        elif col in decimals:
            config[col] = st.column_config.NumberColumn(label, help=tip, format="%.3f")
        else:
            config[col] = st.column_config.Column(label, help=tip)
    st.dataframe(shown, column_config=config, hide_index=True, width="stretch", key=key)
    download(frame, name, key=f"dl_{key or name}")


def _cell(value, col, percent, days, money, ints) -> str:
    if value is None or value != value:
        return "–"
    if col in percent:
        return f"{value * 100:.1f}%"
    if col in days:
        return f"{value:,.1f}"
    if col in money:
        return f"${value:,.0f}"
    if col in ints:
        return f"{value:,.0f}"
    return f"{value:.3f}"
