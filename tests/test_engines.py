"""The engine layer: connection URLs and secrets, and the same analyses giving the same rows on DuckDB and on
PySpark (local mode) over the same demo data.

The cross-engine tests start a local Spark (about a minute on a busy 2-core machine); select them with
`-m engines` (or leave them out with `-m "not engines"`).
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import tomllib
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from apptest import run_page

from smarketing import demo, store
from smarketing.attribution import report as attribution
from smarketing.cli import main
from smarketing.filters import Filters
from smarketing.funnel import lifecycle as funnel
from smarketing.schema import TABLES, create_sql
from smarketing.scoring import scores as scoring
from smarketing.scoring import versions as scoring_rules
from smarketing.store import engines

ROOT = Path(__file__).resolve().parents[1]
_MARKERS = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["pytest"]["ini_options"]["markers"]
# the marker is applied once it is registered in pyproject.toml (pytest runs with --strict-markers)
ENGINES = pytest.mark.engines if any(m.startswith("engines:") for m in _MARKERS) else (lambda test: test)


# ------------------------------------------------------------------------------------------- URLs


def test_urls_parse_and_never_show_passwords():
    pg = engines.parse("postgres://analyst:s3cr%40t@db.example.com:5432/crm?schema=marketing")
    assert (pg.engine, pg.host, pg.port, pg.user, pg.password, pg.path) == (
        "postgres", "db.example.com", 5432, "analyst", "s3cr@t", "crm")
    assert pg.options == {"schema": "marketing"}
    assert pg.redacted() == "postgres://analyst:***@db.example.com:5432/crm?schema=marketing"
    assert "s3cr" not in repr(pg)
    spark = engines.parse("pyspark://local[2]?path=/lake/crm")
    assert (spark.engine, spark.host, spark.options) == ("pyspark", "local[2]", {"path": "/lake/crm"})
    assert engines.parse("spark://master:7077?database=crm").port == 7077
    assert engines.redact("postgresql://u:pw@h/db") == "postgres://u:***@h/db"
    assert engines.redact("data/demo.duckdb") == "data/demo.duckdb"


def test_is_url_leaves_duckdb_files_to_the_store():
    assert engines.is_url("pyspark://local") and engines.is_url("postgres://h/db")
    assert not engines.is_url("duckdb://data/x.duckdb") and not engines.is_url("data/demo.duckdb")
    assert not engines.is_url(None)


def test_unknown_scheme_error_masks_the_password():
    with pytest.raises(engines.EngineError, match=r"'mysql://u:\*\*\*@h/db' is not a connection URL") as info:
        engines.parse("mysql://u:hunter2@h/db")
    assert "hunter2" not in str(info.value)


def test_password_and_url_from_environment(monkeypatch):
    monkeypatch.setenv("SMARKETING_DB_PASSWORD", "from-env")
    assert engines.password_for(engines.parse("postgres://u@h/db")) == "from-env"
    assert engines.password_for(engines.parse("postgres://u:inline@h/db")) == "inline"
    monkeypatch.setenv("SMARKETING_DB", "pyspark://local[1]?path=/x")
    assert engines.configured_url() == "pyspark://local[1]?path=/x"


def test_postgres_connection_error_is_clear_and_secret_free(monkeypatch):
    monkeypatch.setenv("SMARKETING_DB_PASSWORD", "topsecret")
    with pytest.raises(engines.EngineError) as info:
        store.connect("postgres://analyst@127.0.0.1:1/crm")  # nothing listens on port 1
    assert str(info.value).startswith("cannot connect to postgres://analyst@127.0.0.1:1/crm")
    assert "topsecret" not in str(info.value)


def test_export_parquet_writes_every_table(tmp_path):
    con = store.connect(":memory:")
    store.raw(con).execute("INSERT INTO leads (lead_id, created_at) VALUES ('L1', TIMESTAMP '2024-01-02 03:04:05.25')")
    written = engines.export_parquet(con, tmp_path / "lake")
    assert sorted(written) == sorted(TABLES)
    back = pd.read_parquet(written["leads"])
    assert back.created_at.iloc[0] == pd.Timestamp("2024-01-02 03:04:05.25")


# ------------------------------------------------------------------------------ DuckDB vs PySpark

WINDOW = Filters(since=date(2026, 1, 1), until=date(2026, 10, 31))
# Kept to four analyses (each Spark query takes seconds): together they cover stage reach, windows in both
# time modes, breakdowns, medians / percentiles, score decay, path collection and every attribution model.
CASES = {
    "funnel by source group": lambda con: funnel.lifecycle_funnel(con, WINDOW, by="source_group"),
    "funnel, period mode": lambda con: funnel.lifecycle_funnel(
        con, Filters(since=WINDOW.since, until=WINDOW.until, mode="period")),
    "lead scores (fit, decayed interest, quadrant, MQL)": lambda con: scoring.scores_frame(
        con, scoring_rules.load_rules(scoring_rules.shipped_rules_path())),
    "attribution credits, all models": lambda con: attribution.attribution(con).credits,
}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The same 300-lead demo data in DuckDB and, exported to Parquet by the CLI, in a local Spark session."""
    pytest.importorskip("pyspark")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.skip("PySpark needs a Java runtime (Java 17)")
    home = tmp_path_factory.mktemp("engines")
    db = str(home / "demo.duckdb")
    con = store.connect(db)
    demo.generate(con, leads=300, seed=11, end=date(2026, 11, 1), progress=False)
    con.disconnect()
    assert main(["export", "--db", db, "--parquet", str(home / "lake")]) == 0
    url = f"pyspark://local[2]?path={home / 'lake'}&partitions=2"
    duck, spark = store.connect(db, read_only=True), store.connect(url)
    yield SimpleNamespace(duck=duck, spark=spark, db=db, url=url)
    duck.disconnect()


def same_rows(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Row by row after a stable sort on the non-float columns; floats to 1e-9 relative."""
    assert list(a.columns) == list(b.columns)
    keys = [c for c in a.columns if not pd.api.types.is_float_dtype(a[c])]
    a = a.sort_values(keys, kind="stable").reset_index(drop=True) if keys else a
    b = b.sort_values(keys, kind="stable").reset_index(drop=True) if keys else b
    pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, rtol=1e-9, atol=1e-9)


@ENGINES
@pytest.mark.parametrize("case", list(CASES))
def test_same_rows_on_duckdb_and_pyspark(both, case):
    duck, spark = both.duck, both.spark
    assert engines.kind(duck) == "duckdb" and engines.kind(spark) == "pyspark"
    expected, got = CASES[case](duck), CASES[case](spark)
    assert len(expected) > 0
    same_rows(expected, got)


def test_app_never_shows_the_password_of_a_warehouse_url(monkeypatch):

    monkeypatch.setenv("SMARKETING_DB", "postgres://analyst:topsecret@127.0.0.1:1/crm")
    at = run_page("data", timeout=60, run=False)
    at.run()
    shown = " ".join(str(e.value) for e in (*at.error, *at.caption, *at.info, *at.markdown)).replace("\\", "")
    assert "Cannot use the data source: cannot connect to postgres://analyst:***@127.0.0.1:1/crm" in shown
    assert "topsecret" not in shown


@ENGINES
def test_cli_funnel_on_a_pyspark_url_prints_the_same_table(both, capsys):
    assert main(["funnel", "--db", both.db, "--format", "csv"]) == 0
    on_duckdb = capsys.readouterr().out
    assert main(["funnel", "--db", both.url, "--format", "csv"]) == 0
    assert capsys.readouterr().out == on_duckdb


# -------------------------------------------------------------------------------- DuckDB vs PostgreSQL


def _pg_binary(name: str) -> str | None:
    return shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    """A throw-away PostgreSQL server (Debian's binaries) on a free local port; skipped if not installed."""
    initdb, pg_ctl = _pg_binary("initdb"), _pg_binary("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    home = Path(tempfile.mkdtemp(prefix="smarketing-pg-"))
    as_user = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(home, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = home / "data", _free_port()
    subprocess.run([*as_user, initdb, "-D", str(data), "-A", "trust", "-U", "smarketing"], check=True,
                   capture_output=True)
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-l", str(home / "log"), "-w", "-o",
                    f"-p {port} -k {home} -c listen_addresses=127.0.0.1", "start"], check=True, capture_output=True)
    try:
        yield f"postgres://smarketing@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def copy_to_postgres(duck, pg) -> None:
    """The six tables from DuckDB into PostgreSQL (COPY; DuckDB's DOUBLE is PostgreSQL's DOUBLE PRECISION)."""
    cur = pg.con.cursor()
    for name, table in TABLES.items():
        cur.execute(create_sql(table).replace(" DOUBLE", " DOUBLE PRECISION"))
        frame = duck.table(name).select(*table.column_names).execute()
        for column in table.columns:
            if column.sql_type == "BIGINT":
                frame[column.name] = frame[column.name].astype("Int64")
        frame = frame.astype(object).where(frame.notna(), None)
        columns = ", ".join(f'"{c}"' for c in table.column_names)
        with cur.copy(f'COPY "{name}" ({columns}) FROM STDIN') as copy:
            for row in frame.itertuples(index=False):
                copy.write_row(row)
    pg.con.commit()


@pytest.fixture(scope="module")
def duck_and_postgres(tmp_path_factory, postgres_url):
    db = tmp_path_factory.mktemp("pgdemo") / "demo.duckdb"
    duck = store.connect(db)
    demo.generate(duck, leads=300, seed=11, end=date(2026, 11, 1), progress=False)
    pg = store.connect(postgres_url)
    copy_to_postgres(duck, pg)
    yield duck, pg
    pg.disconnect()
    duck.disconnect()


@ENGINES
@pytest.mark.parametrize("case", list(CASES))
def test_same_rows_on_duckdb_and_postgres(duck_and_postgres, case):
    duck, pg = duck_and_postgres
    assert engines.kind(pg) == "postgres"
    expected, got = CASES[case](duck), CASES[case](pg)
    assert len(expected) > 0
    same_rows(expected, got)


def test_postgres_word_boundaries():
    assert engines.postgres_regex(r"\b(VP|Head)\b") == r"\y(VP|Head)\y"
    assert engines.postgres_regex(r"\Bx\\b") == r"\Yx\\b"  # an escaped backslash followed by b stays
