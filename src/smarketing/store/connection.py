"""Opening the database: read-only snapshots for the app, writable private copies for imports."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import duckdb
import ibis

from smarketing import settings
from smarketing.labels import t
from smarketing.schema import TABLES, create_sql
from smarketing.store import clamp, derived, engines, writes
from smarketing.store.errors import DatabaseError

DEFAULT_DB = settings.DEFAULT_DB


def configured_source(path: str | os.PathLike | None = None) -> str:
    """The data source in use: the argument, else the configured one (smarketing.settings)."""
    return str(path) if path else settings.current().db


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database file in use: the argument, else $SMARKETING_DB, else data/demo.duckdb."""
    text = configured_source(path)
    if text.startswith("duckdb://"):
        text = text.removeprefix("duckdb://")
    return Path(text)


def connect(path: str | os.PathLike | None = None, read_only: bool = False, file_access: bool = False):
    """Open (creating if needed) a DuckDB database as an Ibis backend with the canonical tables.

    Read-only opens attach the file to a private in-memory DuckDB (not through DuckDB's per-process cache of
    open files), so after an import has swapped in a new file (see `writing`) a new read-only connection
    sees it while older ones keep reading the old file; file access from SQL is then switched off unless
    `file_access` (for exports).

    A URL of another engine (pyspark://…, postgres://…, see smarketing.engines) connects to that engine
    instead, where the tables already are; nothing is created or written there.
    """
    chosen = configured_source(path)
    if engines.is_url(chosen):
        return clamp.guard(engines.connect(str(chosen)), frozen=False)
    target = db_path(path)
    if read_only and str(target) != ":memory:":
        if not target.exists():
            raise FileNotFoundError(f"database {target} does not exist (run `smarketing demo` first)")
        return _attach_read_only(target, file_access)
    if str(target) != ":memory:":
        target.parent.mkdir(parents=True, exist_ok=True)
    con = ibis.duckdb.connect(str(target))
    _session_settings(raw(con))
    ensure_tables(con)
    return con


ATTACHED = "smarketing_db"


def _attach_read_only(target: Path, file_access: bool = False):
    db = duckdb.connect(":memory:")
    try:
        db.execute(f"ATTACH {sql_string(str(target))} AS {ATTACHED} (READ_ONLY)")  # ATTACH takes no parameters
    except duckdb.Error as exc:
        db.close()
        raise DatabaseError(f"cannot open database {target.name}: {str(exc).splitlines()[0]}") from exc
    db.execute(f"USE {ATTACHED}")
    _session_settings(db)
    if not file_access:
        db.execute("SET enable_external_access = false")  # no file or network access from SQL in the app
    backend = ibis.duckdb.from_connection(db)
    backend.frozen_facts = {}  # facts of this unchanging file version (see frozen_fact), shared by its cursors
    return clamp.guard(backend)  # whatever the file holds, no analysis sees a date outside the sane window



def sql_string(text: str) -> str:
    """A SQL string literal (single quotes doubled), where a statement cannot take a parameter."""
    return "'" + text.replace("'", "''") + "'"


def _session_settings(db) -> None:
    db.execute("SET TimeZone = 'UTC'")
    db.execute("SET enable_progress_bar = false")


def thread_backend(con):
    """An Ibis backend on a new cursor of `con`'s database, for one thread.

    A DuckDB connection must not run queries from several threads at once; cursors of one database may,
    and they run concurrently. (Other engines are returned as they are.)"""
    if not hasattr(con, "con") or not isinstance(raw(con), duckdb.DuckDBPyConnection):
        return con
    cur = raw(con).cursor()
    if cur.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [ATTACHED]).fetchone()[0]:
        cur.execute(f"USE {ATTACHED}")
    _session_settings(cur)
    backend = ibis.duckdb.from_connection(cur)
    if hasattr(con, "frozen_facts"):
        backend.frozen_facts = con.frozen_facts
    return clamp.share(con, backend)


@contextlib.contextmanager
def writing(path: str | os.PathLike | None = None, fresh: bool = False, derive=None):
    """A read-write connection to a private copy of the database (empty if `fresh`); when the block ends
    without an exception the copy replaces the file atomically, else the file is left exactly as it was.
    Before it lands, the data version changes (smarketing.store.derived) and `derive(con, path)` builds the
    derived tables (smarketing.precompute.refresh; inside the same swap, so readers never see them stale).

    Writers wait for each other (one at a time per file); readers are never blocked (smarketing.writes)."""
    target = db_path(path)
    if engines.is_url(configured_source(path)) or str(target) == ":memory:":
        raise ValueError(t("imp_into_duckdb_only"))
    with writes.replacing(target, fresh=fresh) as work:
        con = connect(work)
        try:
            yield con
            derived.bump_version(con)  # whatever the block changed, derived tables built before are stale
            if derive is not None:
                derive(con, target)
            raw(con).execute("CHECKPOINT")
        finally:
            con.disconnect()


def raw(con) -> duckdb.DuckDBPyConnection:
    """The DuckDB connection under an Ibis backend (for loading data, never for analyses)."""
    return con.con


def ensure_tables(con) -> None:
    for table in TABLES.values():
        raw(con).execute(create_sql(table))


def table_counts(con) -> dict[str, int]:
    """Row count of each canonical table."""
    return {name: int(con.table(name).count().execute()) for name in TABLES}
