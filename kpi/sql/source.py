"""Where the canonical tables live: Ibis tables of one backend (DuckDB, PostgreSQL, Spark...).

A Source names each canonical table present (by its canonical name, in the schema the user gave) and
answers "is this column there, with at least one value?" with one aggregate query per table (cached).
Nothing here reads rows into Python.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import weakref
from collections.abc import Mapping
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from loaders.schema import TABLES
from storage.frames import BLANKS, TRIMMED, TRIMMED_KEY, dtypes

# DuckDB's memory for a workspace's KPIs (its default is 80% of the machine's): at 10M payments the
# records stay paged on the scratch disk rather than in memory.
SCRATCH_MEMORY = "2GB"
# Up to this many rows a table's columns are checked for values in one scan of the whole table; beyond, one
# short scan per column asked about (it stops at the first value).
SMALL_TABLE_ROWS = 200_000
# A database server that does not answer is given up on after this long (a page waits no longer).
CONNECT_TIMEOUT_SECONDS = 10
# The app's check of its database on every run waits no longer than this (a table locked by a long-running
# change, a server too busy to answer): past it, the workspace's data is used and the page says why.
CHECK_TIMEOUT_SECONDS = 10
# The app's KPI queries on PostgreSQL are stopped past this (or the server's own statement_timeout when lower):
# a table locked after the per-run check passed, or a query too heavy for the server, gives the workspace's
# numbers and the reason instead of a page that waits for ever. The command line sets no limit.
QUERY_TIMEOUT_SECONDS = 300


class SourceError(RuntimeError):
    """A source that cannot be opened or read: the message names it (never its password)."""


class SourceTimeout(SourceError):
    """The database did not answer in time: connecting again would not help (kpi.sql.live waits instead)."""


class Source:
    """The canonical tables of one Ibis backend connection."""

    def __init__(self, con, tables: Mapping[str, ir.Table], *, label: str = ""):
        self.con = con
        # Held for every call on an embedded DuckDB connection, and while the engine writes its tables: the
        # app's sessions share one Source per data version, and DuckDB refuses a second call on a busy
        # connection ("connection is busy with another call").
        self.lock = serialised(con)
        self.tables = {k: v for k, v in tables.items() if k in TABLES}
        self.label = label or getattr(con, "name", "")
        self._stats: dict = {}  # presence and row counts, asked once
        self._bulk: dict = {}  # small tables: every column's presence, from one scan
        self._lock = threading.Lock()
        self.on_disk = False
        self.memo: dict = {}  # derived small tables (vendor keys...) computed once per source
        self.schema: str | None = None  # where the tables were found (a database source)
        self.query_timeout_ms: int | None = None  # PostgreSQL: this connection's statement_timeout (limit_queries)

    @property
    def trimmed(self) -> bool:
        """Whether text is stored trimmed, blank as missing (storage.frames.trimmed_text): not trimmed again.
        Held on the connection, where kpi.sql.query.fetch_expr (given only an expression) reads it."""
        return getattr(self.con, "_kpi_trimmed", False)

    @trimmed.setter
    def trimmed(self, value: bool) -> None:
        self.con._kpi_trimmed = bool(value)

    # ----------------------------------------------------------------- constructors

    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame]) -> Source:
        """Embedded DuckDB over in-memory frames (registered as Arrow, not copied into DuckDB)."""
        con = ibis.duckdb.connect()
        tables = {}
        for name, frame in frames.items():
            if name in TABLES and isinstance(frame, pd.DataFrame):
                con.con.register(name, pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False))
                tables[name] = con.table(name)
        return cls(con, tables, label="duckdb (in memory)")

    @classmethod
    def from_parquet(cls, files: Mapping[str, Path], *, threads: int | None = None,
                     memory_limit: str | None = SCRATCH_MEMORY) -> Source:
        """Embedded DuckDB over Parquet files (a workspace's current table versions): nothing is loaded
        into Python; DuckDB reads the columns a query needs, and beyond `memory_limit` pages its work to
        the scratch folder's disk."""
        con, folder = _scratch_duckdb()
        if threads:
            con.raw_sql(f"SET threads = {int(threads)}")
        if memory_limit:
            con.con.execute("SET memory_limit = ?", [str(memory_limit)])
        tables = {name: con.read_parquet(str(path), table_name=name) for name, path in files.items()
                  if name in TABLES}
        out = cls(con, tables, label="duckdb (workspace Parquet)")
        out.on_disk = True
        # The scratch database goes with the source (the app keeps one per data version).
        weakref.finalize(out, _drop_scratch, con, folder)
        return out

    @classmethod
    def from_workspace(cls, workspace, files: Mapping[str, Path] | None = None) -> Source:
        """The workspace's Parquet table versions (its current ones, or `files`, its table_files() read
        before); a table never imported is an empty table, as Workspace.tables() gives it to the app (its KPIs
        say "no rows", as they do there)."""
        files = workspace.table_files() if files is None else files
        src = cls.from_parquet(files)
        src.trimmed = all(stored_trimmed(path) for path in files.values())
        for name in TABLES:
            if name not in src.tables:
                frame = workspace.table(name)
                src.con.con.register(name, pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False))
                src.tables[name] = src.con.table(name)
        return src

    @classmethod
    def from_connection(cls, con, *, schema: str | None = None, label: str = "") -> Source:
        """The canonical tables (or views) found in `schema` of an Ibis connection."""
        try:
            names = set(con.list_tables(database=schema) if schema else con.list_tables())
        except Exception as exc:  # noqa: BLE001 - the backend's own error, reported with the schema
            raise SourceError(f"cannot list the tables of {label or 'the database'}"
                              f"{f' (schema {schema})' if schema else ''}: {' '.join(str(exc).split())[:300]}") \
                from None
        tables = {}
        for name in TABLES:
            if name in names:
                tables[name] = con.table(name, database=schema) if schema else con.table(name)
        out = cls(con, tables, label=label)
        out.schema = schema
        return out

    @classmethod
    def from_url(cls, url: str, *, schema: str | None = None) -> Source:
        return cls.from_connection(connect(url), schema=schema, label=safe_url(url))

    def check(self) -> None:
        """Whether the database still answers with every table and column this source found: one round trip
        (each table asked for no rows, so existence and SELECT permission are checked, nothing is read).
        Raises the driver's error (a lost connection, a dropped table or column, a revoked permission)."""
        from .query import run

        if not self.tables:
            return
        sql = self._cached(("check",), self._check_sql)
        if self.dialect != "postgres":
            run(self.con, self.dialect, sql)
            return
        import psycopg

        with self.con.con.cursor() as cur:
            cur.execute(f"SET statement_timeout = {int(CHECK_TIMEOUT_SECONDS * 1000)}")
            try:
                cur.execute(sql).fetchall()
            except psycopg.errors.QueryCanceled:
                raise SourceTimeout(f"the database did not answer within {CHECK_TIMEOUT_SECONDS:g} s (a table "
                                    "may be locked by a change in progress, or the server too busy)") from None
            finally:
                self._restore_timeout(cur)

    def limit_queries(self, seconds: float) -> None:
        """On PostgreSQL, no statement of this connection runs longer than `seconds`, or than the server's own
        statement_timeout when that is lower (an administrator's limit is never loosened); elsewhere nothing."""
        if self.dialect != "postgres":
            return
        with self.con.con.cursor() as cur:
            server = int(cur.execute("SELECT setting::bigint FROM pg_settings WHERE name = 'statement_timeout'")
                         .fetchone()[0])
            ms = int(seconds * 1000) if server <= 0 else min(server, int(seconds * 1000))
            self.query_timeout_ms = ms
            self._restore_timeout(cur)

    def _restore_timeout(self, cur) -> None:
        if self.query_timeout_ms is None:
            cur.execute("RESET statement_timeout")
        else:
            cur.execute(f"SET statement_timeout = {int(self.query_timeout_ms)}")

    def _check_sql(self) -> str:
        """SELECT COUNT(*) FROM (SELECT <columns> FROM schema.table WHERE FALSE) for each table, UNION ALL."""
        from sqlglot import exp

        from .query import sql_of

        parts = [exp.select(exp.Count(this=exp.Star()).as_("n")).from_(
                     exp.select(*(exp.column(c, quoted=True) for c in t.columns))
                     .from_(exp.table_(name, db=self.schema, quoted=True)).where(exp.false()).subquery("q"))
                 for name, t in self.tables.items()]
        union = parts[0]
        for part in parts[1:]:
            union = exp.union(union, part, distinct=False)
        return sql_of(union, self.dialect)

    # ----------------------------------------------------------------- small helper tables and views

    @property
    def dialect(self) -> str:
        return getattr(self.con, "name", "duckdb")

    def put(self, name: str, frame: pd.DataFrame, schema) -> ir.Table:
        """A small lookup table (a few thousand rows at most) made available to this connection's queries
        under `name`: registered Arrow in DuckDB, a temporary table or view elsewhere (no write to the
        office's schemas)."""
        name = str(name)
        if self.dialect == "duckdb":
            with self.lock:
                self.con.con.register(name, pa.Table.from_pandas(frame, schema=schema.to_pyarrow(),
                                                                 preserve_index=False))
                return self.con.table(name)
        if self.dialect == "pyspark":
            session = self.con._session
            df = session.createDataFrame(frame.astype(object).where(frame.notna(), None),
                                         schema=schema.to_pyspark() if hasattr(schema, "to_pyspark") else None)
            df.createOrReplaceTempView(name)
            return self.con.table(name)
        if self.dialect == "postgres":
            return self._put_postgres(name, frame, schema)
        raise SourceError(f"cannot hold lookup tables on {self.dialect}")

    _PG_TYPES = {"string": "TEXT", "boolean": "BOOLEAN", "date": "DATE", "int64": "BIGINT", "float64": "DOUBLE PRECISION"}

    def _put_postgres(self, name: str, frame: pd.DataFrame, schema) -> ir.Table:
        """A temporary table (session-scoped; nothing written to the office's schemas), rows bound by the
        driver. Column names and types are our own."""
        cols = list(schema.names)
        ddl = ", ".join(f'"{c}" {self._PG_TYPES[str(schema[c]).lower().rstrip("!")]}' for c in cols)
        rows = frame[cols].astype(object).where(frame[cols].notna(), None).itertuples(index=False, name=None)
        with self.con.con.cursor() as cur:
            cur.execute(f'DROP TABLE IF EXISTS pg_temp."{name}"')
            cur.execute(f'CREATE TEMP TABLE "{name}" ({ddl})')
            cur.executemany(f'INSERT INTO pg_temp."{name}" VALUES ({", ".join(["%s"] * len(cols))})', list(rows))
        self.con.con.commit()
        return self.con.table(name)

    def quote(self, name: str) -> str:
        """An identifier of ours (never user input) quoted for this backend."""
        return f"`{name}`" if self.dialect == "pyspark" else f'"{name}"'

    def view(self, name: str, sql: str, *, materialize: bool = False, table: bool = True,
             in_memory: bool = False) -> ir.Table | None:
        """A temporary view of compiled SQL (our own text, never user input) on this connection; with
        `materialize`, a temporary table (cached in Spark) computed once: in embedded DuckDB over a large
        workspace, on the scratch disk unless `in_memory` (a table of a few million rows at most). Its Ibis
        table unless `table` is false (asking a backend for a table's schema is a round trip)."""
        if self.dialect == "pyspark":
            verb = "CACHE TABLE" if materialize else "CREATE OR REPLACE TEMPORARY VIEW"
            self.con._session.sql(f"{verb} `{name}` AS {sql}")
        elif self.dialect == "postgres" and materialize:
            with self.con.con.cursor() as cur:
                cur.execute(f'DROP TABLE IF EXISTS pg_temp."{name}"')
                cur.execute(f'CREATE TEMP TABLE "{name}" AS {sql}')
                cur.execute(f'ANALYZE pg_temp."{name}"')
            self.con.con.commit()
        else:
            if self.trimmed:
                sql = untrimmed(sql)
            # On the scratch disk only when large: a small table is written faster in memory.
            on_disk = self.on_disk and self.large and not in_memory
            kind = ("TABLE" if on_disk else "TEMP TABLE") if materialize else "TEMP VIEW"
            self.con.raw_sql(f'CREATE OR REPLACE {kind} "{name}" AS {sql}')
        return self.con.table(name) if table else None

    def drop(self, name: str) -> None:
        """Drop a temporary table that view(..., materialize=True) wrote (our own name, never user input)."""
        if self.dialect == "pyspark":
            self.con._session.sql(f"UNCACHE TABLE IF EXISTS `{name}`")
            self.con._session.sql(f"DROP VIEW IF EXISTS `{name}`")
        elif self.dialect == "postgres":
            with self.con.con.cursor() as cur:
                cur.execute(f'DROP TABLE IF EXISTS pg_temp."{name}"')
            self.con.con.commit()
        else:
            self.con.raw_sql(f'DROP TABLE IF EXISTS "{name}"')

    # ----------------------------------------------------------------- presence

    @property
    def large(self) -> bool:
        """Whether any table has more than SMALL_TABLE_ROWS rows (asked once)."""
        return self._cached(("large",), lambda: any(self.rows(n) > SMALL_TABLE_ROWS for n in self.tables))

    def table(self, name: str) -> ir.Table | None:
        return self.tables.get(name)

    def columns(self, name: str) -> tuple[str, ...]:
        t = self.tables.get(name)
        return tuple(t.columns) if t is not None else ()

    def _cached(self, key, compute):
        with self._lock:
            if key in self._stats:
                return self._stats[key]
        value = compute()
        with self._lock:
            self._stats[key] = value
        return value

    def facts(self) -> tuple:
        """What was asked of the data so far, as yes/no: which columns have values, which tables are empty."""
        with self._lock:
            return tuple(sorted((k, bool(v)) for k, v in self._stats.items() if k[0] in ("present", "rows")))

    def _from(self, name: str) -> str:
        """The SQL of a canonical table as a FROM item (compiled by Ibis: our identifiers only)."""
        return self._cached(("sql", name), lambda: f"({self.con.compile(self.tables[name])}) AS t")

    def rows(self, name: str) -> int:
        if name not in self.tables:
            return 0
        from .query import run

        return self._cached(("rows", name), lambda: int(
            run(self.con, self.dialect, f"SELECT COUNT(*) AS n FROM {self._from(name)}")["n"].iloc[0] or 0))

    def _present(self, name: str, column: str) -> bool:
        """Whether a column has at least one value (text: not blank). A small table answers for all its
        columns in one scan; in a large one, each column's scan stops at its first value."""
        from .query import run

        def look() -> bool:
            if self.rows(name) <= SMALL_TABLE_ROWS:
                return self._presence(name)[column]
            return len(run(self.con, self.dialect,
                           f"SELECT 1 AS hit FROM {self._from(name)} WHERE {self._filled(name, column)} LIMIT 1")) > 0

        return self._cached(("present", name, column), look)

    def _filled(self, name: str, column: str) -> str:
        c = self.quote(column)
        return f"NULLIF(TRIM({c}), '') IS NOT NULL" if self.tables[name][column].type().is_string() \
            else f"{c} IS NOT NULL"

    def _presence(self, name: str) -> dict[str, bool]:
        """Every column of a small table: has it a value? (one query, kept apart from the facts: only the
        questions the definitions ask are facts.)"""
        from .query import run

        hit = self._bulk.get(name)
        if hit is None:
            cols = list(self.tables[name].columns)
            counts = ", ".join(f"SUM(CASE WHEN {self._filled(name, c)} THEN 1 ELSE 0 END) AS c{i}"
                               for i, c in enumerate(cols))
            row = run(self.con, self.dialect, f"SELECT {counts} FROM {self._from(name)}").iloc[0]
            hit = self._bulk[name] = {c: bool((row[f"c{i}"] or 0) > 0) for i, c in enumerate(cols)}
        return hit

    def last_dates(self, columns: Mapping[str, tuple[str, ...]], cap) -> dict:
        """The last date on or before `cap` in any of each table's columns (tables with one)."""
        import datetime as dt

        out = {}
        for name, cols in columns.items():
            t = self.tables.get(name)
            cols = [c for c in cols if t is not None and c in t.columns]
            if not cols:
                continue
            aggs = {}
            for c in cols:
                d = t[c] if t[c].type().is_date() else t[c].cast("date")
                aggs[c] = d.max(where=d <= cap)
            from .query import fetch_expr

            row = fetch_expr(t.aggregate(**aggs)).iloc[0]
            days = [v for v in row.tolist() if v is not None and not pd.isna(v)]
            if days:
                out[name] = max(pd.Timestamp(v).date() if not isinstance(v, dt.date) else v for v in days)
        return out

    def has(self, table: str, column: str | None = None) -> bool:
        if table not in self.tables:
            return False
        if column is None:
            return True
        return column in self.tables[table].columns and self._present(table, column)

    def missing(self, needs: tuple[str, ...]) -> tuple[str, ...]:
        """Needs ('table.col' or 'table.a|table.b') that are absent or empty, each named as the app says it."""
        out: list[str] = []
        for need in needs:
            options = need.split("|")
            if any(self.has(*o.split(".", 1)) for o in options):
                continue
            names = []
            for o in options:
                t, c = o.split(".", 1)
                if t not in self.tables:
                    names.append(f"{t} (table not loaded)")
                elif self.rows(t) == 0:
                    names.append(f"{t} (no rows)")
                elif c not in self.tables[t].columns:
                    names.append(o)
                else:
                    names.append(f"{o} (no values)")
            out.append(" or ".join(dict.fromkeys(names)))
        return tuple(dict.fromkeys(out))


# The Ibis backend calls that run something on its connection (a result is read from the connection after
# the query, so the whole call holds the lock).
_CONNECTION_CALLS = ("to_pyarrow", "execute", "to_pandas", "raw_sql", "sql", "table", "create_table",
                     "create_view", "drop_table", "drop_view", "read_parquet", "list_tables", "get_schema",
                     "_get_schema_using_query", "_register_in_memory_tables", "insert", "disconnect")


def serialised(con) -> threading.RLock:
    """The lock of a connection, every call of an embedded DuckDB backend made to hold it (once per connection).
    Other drivers wait their turn on their own (psycopg's connection, Spark's session)."""
    lock = getattr(con, "_kpi_lock", None)
    if lock is not None:
        return lock
    lock = threading.RLock()
    if getattr(con, "name", "") == "duckdb":
        for name in _CONNECTION_CALLS:
            call = getattr(con, name, None)
            if call is not None:
                setattr(con, name, _holding(lock, call))
    con._kpi_lock = lock
    return lock


def _holding(lock: threading.RLock, call):
    def held(*args, **kwargs):
        with lock:
            return call(*args, **kwargs)

    return held


def stored_trimmed(path: Path) -> bool:
    """Whether a workspace's table file says its text is stored trimmed (files written before it did are not)."""
    return (pq.read_schema(path).metadata or {}).get(TRIMMED_KEY) == TRIMMED


# TRIM of a canonical text column as Ibis compiles kpi.sql.measures.text for DuckDB: `TRIM("t3"."contract_id",
# ' \t\n\r\x0b\x0c')`. Only canonical columns' own names: their values come from the stored (trimmed) columns.
_TEXT_COLUMNS = "|".join(sorted({c for t in TABLES for c, kind in dtypes(t).items() if kind == "str"}))
_TRIM_OF_COLUMN = re.compile(rf"""TRIM\(("[A-Za-z0-9_]+"\."(?:{_TEXT_COLUMNS})"), '{re.escape(BLANKS)}'\)""")


def untrimmed(sql: str) -> str:
    """Compiled SQL over tables whose text is stored trimmed, without trimming canonical columns again (TRIM
    scans every character of every value: 1.7 s for a contract id in 10M payments)."""
    return _TRIM_OF_COLUMN.sub(r"\1", sql)


def _scratch_duckdb():
    """A DuckDB database in a private temporary folder: the KPIs' record tables are written there,
    compressed and paged by DuckDB's buffer manager, so memory stays bounded however large the tables."""
    folder = tempfile.mkdtemp(prefix="kpi-engine-")
    return ibis.duckdb.connect(str(Path(folder) / "records.duckdb")), folder


def _drop_scratch(con, folder: str) -> None:
    try:
        con.disconnect()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# The drivers and engines whose errors mean "the database failed" (a lost connection, a table or column gone,
# a permission revoked, a server restarting), as opposed to a fault in this program.
DATABASE_ERROR_MODULES = ("psycopg", "psycopg2", "psycopg_pool", "sqlalchemy", "duckdb", "pyspark", "py4j", "ibis")
CONNECTION_ERRORS = ("OperationalError", "InterfaceError", "AdminShutdown", "ConnectionTimeout")


def is_database_failure(exc: BaseException) -> bool:
    """Whether an error came from the database or its driver (SourceError, a driver's or engine's error, a
    network error), not from this program's own code."""
    if isinstance(exc, (SourceError, ConnectionError, TimeoutError)):
        return True
    # A driver's compiled core names its own module with a leading underscore (duckdb's errors: `_duckdb`).
    return any(str(getattr(c, "__module__", "")).split(".")[0].lstrip("_") in DATABASE_ERROR_MODULES
               for c in type(exc).__mro__)


def timed_out(exc: BaseException) -> bool:
    """Whether PostgreSQL stopped a statement at its statement_timeout (psycopg reports it as an
    OperationalError, but the connection is fine: a new one would wait on the same lock)."""
    return any(c.__name__ == "QueryCanceled" for c in type(exc).__mro__) and "statement timeout" in str(exc)


def describe_failure(exc: BaseException, url: str | None = None) -> str:
    """What failed, in one line without the password: 'the connection was lost: terminating connection due to
    administrator command', 'a query failed: relation "kpi.payments" does not exist'."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = " ".join(text.split())
    from loaders.sql import scrub

    password = _password(url) if url else None
    text = scrub(text.replace(password, "***") if password else text)
    if isinstance(exc, SourceError):
        return text[:400]
    if timed_out(exc):
        return (f"a query ran past the time limit ({QUERY_TIMEOUT_SECONDS:g} s, or the database's own lower "
                "limit) and was stopped (a table may be locked by a change in progress, or the server too busy)")
    lost = any(c.__name__ in CONNECTION_ERRORS for c in type(exc).__mro__) or isinstance(exc, ConnectionError)
    return f"{'the connection was lost' if lost else 'a query failed'}: {text}"[:400]


def _password(url: str) -> str | None:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).password
    except Exception:  # noqa: BLE001 - not a URL: no password to hide
        return None


def safe_url(url: str) -> str:
    """The URL without its password (for messages and labels)."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a SQLAlchemy URL: show only the scheme
        return str(url).split("://", 1)[0] + "://..."


def connect(url: str):
    """An Ibis connection for a database URL: postgresql[+driver]://user:pw@host:port/db, duckdb:///path."""
    from sqlalchemy.engine import make_url

    try:
        u = make_url(url)
    except Exception:  # noqa: BLE001
        raise SourceError(f"not a database URL: {safe_url(url)}") from None
    backend = u.get_backend_name()
    try:
        if backend in ("postgresql", "postgres"):
            return ibis.postgres.connect(host=u.host or "localhost", port=u.port or 5432, user=u.username,
                                         password=u.password, database=u.database,
                                         connect_timeout=CONNECT_TIMEOUT_SECONDS)
        if backend == "duckdb":
            return ibis.duckdb.connect(u.database or ":memory:", read_only=bool(u.database))
    except Exception as exc:  # noqa: BLE001 - the driver's message, without the password
        msg = " ".join(str(exc).split())
        if u.password:
            msg = msg.replace(u.password, "***")
        raise SourceError(f"cannot connect to {safe_url(url)}: {msg[:300]}") from None
    raise SourceError(f"unsupported database for computing KPIs: {backend} (use postgresql or duckdb; Spark "
                      "through kpi.sql.Source.from_connection(ibis.pyspark.connect(session)))")
