"""The database behind every page: the data source in use, one shared read-only connection per file version
with a cursor per thread, the writable copy for imports, and the cache of analysis results."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import streamlit as st

from smarketing import access, precompute, settings, store
from smarketing.formatting import md_code, md_text
from smarketing.labels import language, t
from smarketing.launch import warmup
from smarketing.store import clamp, engines, writes

WAREHOUSE_CACHE_SECONDS = 600


@st.cache_resource(show_spinner=False, max_entries=2)
def _connection(path: str, version: str):
    """One read-only connection per database file version (a new one after each import), shared by all
    sessions; each thread queries it through its own cursor (see connection()). A version after the first
    (an import landed) starts a warm-up of every page's default view (smarketing.launch.warmup)."""
    con = store.connect(path, read_only=True)
    if _seen_versions and os.environ.get(warmup.ENV):
        warmup.start(os.environ[warmup.ENV])
    _seen_versions.add((path, version))
    return con


_seen_versions: set[tuple[str, str]] = set()


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
        st.error(t("database_missing").format(path=md_code(path)))
        reset_source_button()
        st.stop()
    except (engines.EngineError, store.DatabaseError) as exc:  # messages never contain the password
        st.error(t("data_source_unusable").format(error=md_text(exc)))
        reset_source_button()
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
    with store.writing(db_path(), derive=precompute.refresh) as con:
        yield con
    st.cache_data.clear()


def cache_key() -> str:
    """Part of every cache key: the database file and its modification time. A warehouse changes without
    the app knowing: its results are kept for at most WAREHOUSE_CACHE_SECONDS."""
    if is_warehouse():
        return f"{engines.redact(db_path())}:{int(time.time() // WAREHOUSE_CACHE_SECONDS)}"
    return f"{db_path()}:{writes.version(db_path())}"


@st.cache_data(show_spinner=False)
def data_bounds(key: str) -> tuple[date, date]:
    """The first and last day a lead was created (a creation date that was clamped to the sane window's edge is
    left out: a lead "created" in 9999 does not move every page's default range)."""
    leads = connection().table("leads")
    leads = leads.filter(clamp.window_filter(leads.created_at))
    row = leads.aggregate(lo=leads.created_at.min(), hi=leads.created_at.max()).execute().iloc[0]
    if pd.isna(row["lo"]):
        today = date.today()
        return today - timedelta(days=365), today
    return row["lo"].date(), row["hi"].date()


@st.cache_data(show_spinner=False)
def clamped_values(key: str) -> list[clamp.Clamped]:
    """The out-of-window date values the data source holds, read clamped (smarketing.store.clamp)."""
    return clamp.clamped(connection())


@st.cache_data(show_spinner=False)
def segment_values(key: str, column: str) -> list[str]:
    leads = connection().table("leads")
    if column not in leads.columns:
        return []
    values = leads.select(v=leads[column].cast("string")).distinct().filter(lambda x: x.v.notnull())
    return sorted(values.limit(500).execute()["v"].tolist())


def reset_source_button() -> None:
    """Back to the configured data source, when this session chose another one that cannot be used."""
    if st.session_state.get("data_source") and st.button(t("data_source_reset"), key="data_source_reset_err"):
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
        if typed not in {engines.configured_url(), *settings.current().sources}:
            raise ValueError(t("data_source_not_allowed"))
        return typed
    folder = data_folder()
    path = store.db_path(typed)
    path = (path if path.is_absolute() else folder / path).resolve()
    if path.suffix != ".duckdb" or not path.is_relative_to(folder):
        raise ValueError(t("data_source_outside").format(folder=folder.name))
    return str(path)


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_call(db_key: str, name: str, args_repr: str, _func, _args, _kwargs):
    return _func(connection(), *_args, **_kwargs)


def cached(func, *args, **kwargs):
    """func(connection(), *args, **kwargs), cached per database file version, argument values and interface
    language (a result may hold words: labelled rows, notes)."""
    name = f"{func.__module__}.{func.__qualname__}@{language()}"
    return _cached_call(cache_key(), name, repr((args, sorted(kwargs.items()))), func, args, kwargs)


def profile():
    """What the database in use holds (smarketing.store.profile), cached per file version."""
    from smarketing.store.profile import data_profile

    return cached(data_profile)
