"""Where the analyses run: the embedded DuckDB file, or an engine that already holds the data, chosen by URL.

    duckdb:///data/demo.duckdb            the embedded default (a plain path works too)
    pyspark://local[4]?path=/lake/crm     Spark in local mode; each canonical table read from
                                          /lake/crm/<table>.parquet (a file or a folder of parts);
                                          options: partitions=N (shuffle), memory=4g (driver)
    pyspark://spark-master:7077?database=crm
                                          a Spark cluster; the tables of catalog database `crm`
    postgres://analyst@db.example.com:5432/crm?schema=marketing
                                          PostgreSQL; the password comes from the environment
                                          ($SMARKETING_DB_PASSWORD or $PGPASSWORD) or Streamlit secrets

Every analysis is an Ibis expression, so it runs unchanged on each engine: the data stays where it is and
only small results travel. Secrets are never part of what is shown: `redact()` gives the URL for display.
The URL itself may come from $SMARKETING_DB or from Streamlit secrets (`[smarketing] db = "…"`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote

import ibis

from smarketing import settings
from smarketing.schema import TABLES

SCHEMES = {"duckdb": "duckdb", "pyspark": "pyspark", "spark": "pyspark", "postgres": "postgres",
           "postgresql": "postgres"}


class EngineError(ValueError):
    """A connection URL that cannot be used; the message never contains a password."""


@dataclass(frozen=True)
class EngineURL:
    engine: str  # duckdb | pyspark | postgres
    host: str = ""
    port: int | None = None
    user: str = ""
    password: str = field(default="", repr=False)
    path: str = ""  # duckdb: file; postgres: database name
    options: dict[str, str] = field(default_factory=dict)

    def redacted(self) -> str:
        """The URL as it may be shown: any password replaced by ***."""
        if self.engine == "duckdb":
            return f"duckdb:///{self.path.lstrip('/')}" if self.path.startswith("/") else f"duckdb://{self.path}"
        auth = ""
        if self.user:
            auth = quote(self.user, safe="") + (":***" if self.password else "") + "@"
        port = f":{self.port}" if self.port else ""
        path = f"/{self.path}" if self.path else ""
        query = "&".join(f"{k}={v}" for k, v in self.options.items())
        return f"{self.engine}://{auth}{self.host}{port}{path}" + (f"?{query}" if query else "")


def is_url(text: str | os.PathLike | None) -> bool:
    """True for 'scheme://…' text of a known engine other than a DuckDB file."""
    if text is None:
        return False
    match = re.match(r"^([a-z][a-z0-9+.-]*)://", str(text))
    return bool(match) and SCHEMES.get(match.group(1)) not in (None, "duckdb")


def parse(url: str) -> EngineURL:
    """Split a connection URL (hand-parsed: Spark masters like local[4] are not valid URL hosts)."""
    match = re.match(r"^([a-z][a-z0-9+.-]*)://(.*)$", str(url).strip())
    if not match or match.group(1) not in SCHEMES:
        known = ", ".join(sorted(f"{s}://" for s in SCHEMES))
        raise EngineError(f"'{_safe(url)}' is not a connection URL (expected one of {known})")
    engine, rest = SCHEMES[match.group(1)], match.group(2)
    rest, _, query = rest.partition("?")
    options = dict(parse_qsl(query, keep_blank_values=True))
    if engine == "duckdb":
        return EngineURL("duckdb", path=unquote(rest), options=options)
    netloc, _, path = rest.partition("/")
    auth, _, hostport = netloc.rpartition("@")
    user, _, password = auth.partition(":")
    host, port = hostport, None
    if (m := re.match(r"^(.*):(\d+)$", hostport)) and not hostport.startswith("local"):
        host, port = m.group(1), int(m.group(2))
    return EngineURL(engine, host, port, unquote(user), unquote(password), unquote(path), options)


def _safe(url) -> str:
    """Text of a URL with any password masked, for error messages about unparseable input."""
    return re.sub(r"(://[^/:@]*):[^@/]*@", r"\1:***@", str(url))


def redact(url: str | os.PathLike | None) -> str:
    """A URL or path as it may be shown to the user (passwords masked)."""
    if url is None:
        return ""
    try:
        return parse(str(url)).redacted() if "://" in str(url) else str(url)
    except EngineError:
        return _safe(url)


def configured_url() -> str | None:
    """The configured data source ($SMARKETING_DB or `[smarketing] db`, see smarketing.settings); None if unset."""
    resolved = settings.current()
    return resolved.db if resolved.db_configured else None


def password_for(url: EngineURL) -> str:
    return url.password or settings.current().db_password or ""


def connect(url: str):
    """An Ibis backend for an engine URL (not DuckDB files: store.connect opens those)."""
    parsed = parse(url)
    if parsed.engine == "pyspark":
        return _pyspark(parsed)
    if parsed.engine == "postgres":
        return _postgres(parsed)
    raise EngineError(f"{parsed.engine}:// URLs are opened by store.connect")


def kind(con) -> str:
    """The engine of an Ibis backend: 'duckdb', 'pyspark', 'postgres' …"""
    return con.name


# ------------------------------------------------------------------------------------------- PySpark


def spark_session(master: str = "local[2]", partitions: int | None = None, app: str = "smarketing",
                  memory: str | None = None):
    """A Spark session set up for the analyses: UTC session time zone, few shuffle partitions locally.

    `memory` (e.g. "4g") sizes the driver, which in local mode does all the work; it only takes effect
    when this call starts the JVM.
    """
    from pyspark.sql import SparkSession

    local = master.startswith("local")
    builder = SparkSession.builder.master(master).appName(app)
    if memory:
        builder = builder.config("spark.driver.memory", memory)
    builder = (
        builder
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(partitions or (4 if local else 200)))
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def portable_pyspark() -> None:
    """Two fixes to ibis 12's PySpark compiler, so the analyses compile to the same meaning as on DuckDB.

    - `x.median(where=cond)`: ibis applies `where` to the percentage as well as to the value
      (`percentile(IF(c, x, NULL), IF(c, 0.5, NULL))`), which Spark rejects; the condition belongs to the
      value only, as ibis already does for `quantile`.
    - `x.collect(include_null=True)`: Spark's collect_list skips NULLs, so ibis refuses it; collecting
      one-element arrays and flattening them keeps the NULLs (`flatten(collect_list(array(x)))`).
    - `ts.epoch_seconds()`: ibis uses Spark's unix_timestamp, which drops fractions of a second, while
      DuckDB's epoch keeps them; durations between stages then differ by up to a second. unix_micros / 1e6
      keeps them on Spark too.
    Idempotent; applied whenever a pyspark:// connection is opened.
    """
    from ibis.backends.sql.compilers.pyspark import PySparkCompiler

    if getattr(PySparkCompiler, "_smarketing_portable", False):
        return
    original_collect = PySparkCompiler.visit_ArrayCollect

    def visit_Median(self, op, *, arg, where):
        return self.visit_Quantile(op, arg=arg, quantile=0.5, where=where)

    def visit_ArrayCollect(self, op, *, arg, where, order_by, include_null, distinct):
        if not include_null or order_by or distinct:
            return original_collect(self, op, arg=arg, where=where, order_by=order_by,
                                    include_null=include_null, distinct=distinct)
        wrapped = self.f.array(arg)
        if where is not None:
            wrapped = self.if_(where, wrapped, NULL)
        return self.f.flatten(self.f.collect_list(wrapped))

    import ibis.expr.datatypes as dt
    from ibis.backends.sql.compilers.base import NULL

    def visit_ExtractEpochSeconds(self, op, *, arg):
        return self.f.unix_micros(self.cast(arg, dt.timestamp)) / 1_000_000

    PySparkCompiler.visit_Median = visit_Median
    PySparkCompiler.visit_ExtractEpochSeconds = visit_ExtractEpochSeconds
    PySparkCompiler.visit_ArrayCollect = visit_ArrayCollect
    PySparkCompiler._smarketing_portable = True


def _pyspark(url: EngineURL):
    portable_pyspark()
    host = url.host or "local[*]"
    master = host if host.startswith("local") else f"spark://{host}:{url.port or 7077}"
    partitions = int(url.options["partitions"]) if url.options.get("partitions") else None
    session = spark_session(master, partitions, memory=url.options.get("memory"))
    if url.options.get("database"):
        session.catalog.setCurrentDatabase(url.options["database"])
    if url.options.get("path"):
        register_parquet(session, url.options["path"])
    return ibis.pyspark.connect(session)


def register_parquet(session, directory: str | os.PathLike) -> list[str]:
    """Expose <directory>/<table>.parquet (file or folder) as a temporary view per canonical table."""
    directory = Path(directory)
    if not directory.is_dir():
        raise EngineError(f"parquet folder not found: {directory}")
    found = []
    for name, table in TABLES.items():
        path = directory / f"{name}.parquet"
        if path.exists():
            session.read.parquet(str(path)).createOrReplaceTempView(name)
            found.append(name)
        else:  # an absent table is an empty one (e.g. no hand-offs tracked), so every page still works
            session.createDataFrame([], _spark_schema(table)).createOrReplaceTempView(name)
    if "leads" not in found:
        raise EngineError(f"{directory} has no leads.parquet (expected one <table>.parquet per canonical table)")
    return found


def _spark_schema(table) -> str:
    types = {"VARCHAR": "STRING", "TIMESTAMP": "TIMESTAMP_NTZ", "DATE": "DATE", "BIGINT": "BIGINT",
             "DOUBLE": "DOUBLE"}
    return ", ".join(f"`{c.name}` {types[c.sql_type]}" for c in table.columns)


def export_parquet(con, directory: str | os.PathLike) -> dict[str, Path]:
    """Write each canonical table of a DuckDB database to <directory>/<table>.parquet (for Spark or a lake)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in TABLES:
        path = directory / f"{name}.parquet"
        # COPY … TO a path given as a bound parameter is not supported; the path is quoted, not user SQL
        target = str(path).replace("'", "''")
        con.con.execute(f"COPY \"{name}\" TO '{target}' (FORMAT parquet)")
        written[name] = path
    return written


# ---------------------------------------------------------------------------------------- PostgreSQL


def portable_postgres() -> None:
    """Two gaps in ibis 12's PostgreSQL compilation that the analyses hit, filled with portable forms.

    - casting a boolean to a small integer (`flag.cast("int8")` to count it): PostgreSQL casts booleans
      only to `integer`, so the value goes through `integer` first;
    - `hash()` of an array (used only to give ties a deterministic order): hashed as its text form;
    - regular expressions (scoring rules' `matches`): PostgreSQL reads `\\b` as a backspace, its word
      boundary is `\\y` (`\\B` is `\\Y`), so literal patterns are translated.
    Idempotent; applied whenever a postgres:// connection is opened.
    """
    from ibis.backends.sql.compilers.postgres import PostgresCompiler

    if getattr(PostgresCompiler, "_smarketing_portable", False):
        return
    import ibis.expr.datatypes as dt
    import ibis.expr.operations as ops
    import sqlglot.expressions as sge

    original_cast, original_hash = PostgresCompiler.visit_Cast, PostgresCompiler.visit_Hash

    def visit_Cast(self, op, *, arg, to):
        if op.arg.dtype.is_boolean() and to.is_integer() and not to.is_int32():
            return self.cast(self.cast(arg, dt.int32), to)
        return original_cast(self, op, arg=arg, to=to)

    def visit_Hash(self, op, *, arg):
        if op.arg.dtype.is_array():
            return self.f.hashtextextended(self.cast(arg, dt.string), 0)
        return original_hash(self, op, arg=arg)

    def visit_RegexSearch(self, op, *, arg, pattern):
        if isinstance(op.pattern, ops.Literal) and isinstance(op.pattern.value, str):
            pattern = sge.convert(postgres_regex(op.pattern.value))
        return self.f.regexp_like(arg, pattern)

    PostgresCompiler.visit_Cast = PostgresCompiler.visit_TryCast = visit_Cast
    PostgresCompiler.visit_RegexSearch = visit_RegexSearch
    PostgresCompiler.visit_Hash = visit_Hash
    PostgresCompiler._smarketing_portable = True


def postgres_regex(pattern: str) -> str:
    """A Python / RE2 style pattern in PostgreSQL's dialect: word boundaries \\b, \\B become \\y, \\Y."""
    return re.sub(r"(?<!\\)((?:\\\\)*)\\([bB])", lambda m: m.group(1) + ("\\y" if m.group(2) == "b" else "\\Y"),
                  pattern)


def _postgres(url: EngineURL):
    portable_postgres()
    if not url.host or not url.path:
        raise EngineError(f"'{url.redacted()}': a postgres URL needs a host and a database name "
                          f"(postgres://user@host:5432/database)")
    try:
        return ibis.postgres.connect(
            host=url.host, port=url.port or 5432, user=url.user or None, password=password_for(url) or None,
            database=url.path, schema=url.options.get("schema") or None,
        )
    except Exception as exc:
        message = str(exc).replace(password_for(url), "***") if password_for(url) else str(exc)
        raise EngineError(f"cannot connect to {url.redacted()}: {message.strip().splitlines()[0]}") from exc
