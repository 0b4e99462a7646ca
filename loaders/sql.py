"""Database sources through SQLAlchemy: connect, list tables, read a table or a read-only SELECT."""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from .readers import LoadError

CHUNK_ROWS = 50_000
SECRETS_FILE = Path(".streamlit") / "secrets.toml"
ENV_PREFIX = "PROCUREMENT_KPI_DB_"  # PROCUREMENT_KPI_DB_ERP=postgresql+psycopg://...


class SourceError(LoadError):
    """A database source failed; the message says what failed and never carries a password.

    A LoadError, so the CLI and the app report it as they report an unreadable file.
    """


@dataclass(frozen=True)
class Connection:
    name: str
    url: URL

    @property
    def display(self) -> str:
        return safe_url(self.url)


def safe_url(url: URL | str) -> str:
    """The URL with its password masked, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<unparseable database URL>"


_SECRET_QUERY_KEYS = ("password", "passwd", "pwd", "secret", "token", "sslpassword", "access_key")


def password_free(url: URL | str) -> str:
    """The URL with no password at all (nor password-like query arguments): what is recorded and saved."""
    try:
        u = make_url(url)
    except (ArgumentError, ValueError):
        return "<unparseable database URL>"
    secret = [k for k in u.query if any(w in k.lower() for w in _SECRET_QUERY_KEYS)]
    # URL.set(password=None) would leave the password as it is: replace the field itself.
    return u.difference_update_query(secret)._replace(password=None).render_as_string(hide_password=False)


def with_installed_driver(url: URL) -> URL:
    """"postgresql://..." means psycopg2 to SQLAlchemy; use psycopg (3), which is installed, when psycopg2 is not."""
    if url.drivername == "postgresql":
        import importlib.util

        if importlib.util.find_spec("psycopg2") is None and importlib.util.find_spec("psycopg") is not None:
            return url.set(drivername="postgresql+psycopg")
    return url


def _url_from_secrets(section: dict) -> URL:
    """Build a URL the way st.connection(type="sql") reads [connections.NAME]."""
    if "url" in section:
        return make_url(section["url"])
    dialect = section.get("dialect")
    if not dialect:
        raise SourceError("the connection needs either url or dialect (and host, database...)")
    driver = section.get("driver")
    return URL.create(
        f"{dialect}+{driver}" if driver else dialect,
        username=section.get("username"),
        password=section.get("password"),
        host=section.get("host"),
        port=section.get("port"),
        database=section.get("database"),
        query=section.get("query") or {},
    )


def configured_connections(secrets_file: Path | None = None) -> dict[str, Connection]:
    """Connections named in .streamlit/secrets.toml ([connections.NAME]) and PROCUREMENT_KPI_DB_* variables."""
    found: dict[str, Connection] = {}
    path = secrets_file or SECRETS_FILE
    if path.is_file():
        try:
            secrets = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SourceError(f"{path}: not valid TOML ({type(exc).__name__})") from None
        for name, section in (secrets.get("connections") or {}).items():
            if isinstance(section, dict):
                try:
                    found[name] = Connection(name, with_installed_driver(_url_from_secrets(section)))
                except (ArgumentError, ValueError, SourceError) as exc:
                    raise SourceError(f"{path}: connection {name!r} is not usable: {_scrub(str(exc))}") from None
    for key, value in os.environ.items():
        if key.startswith(ENV_PREFIX) and value:
            name = key[len(ENV_PREFIX):].lower()
            try:
                found[name] = Connection(name, with_installed_driver(make_url(value)))
            except (ArgumentError, ValueError):
                raise SourceError(f"environment variable {key} is not a database URL") from None
    return found


def resolve(source: str, secrets_file: Path | None = None) -> Connection:
    """A URL as given, or the name of a configured connection."""
    if "://" in source:
        try:
            return Connection("url", with_installed_driver(make_url(source)))
        except (ArgumentError, ValueError):
            raise SourceError("not a valid database URL (expected dialect+driver://user@host/db)") from None
    connections = configured_connections(secrets_file)
    if source in connections:
        return connections[source]
    known = ", ".join(sorted(connections)) or "none configured"
    raise SourceError(f"no database connection named {source!r} (known: {known})")


def _scrub(message: str, url: URL | None = None) -> str:
    """Remove anything password-like from a driver's message."""
    if url is not None and url.password:
        message = message.replace(str(url.password), "***")
    message = re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", message)
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", message, flags=re.IGNORECASE)


def scrub(message: str, url: URL | None = None) -> str:
    """A message with the URL's password and anything password-like taken out (for any caller's errors)."""
    return _scrub(message, url)


def explain(exc: BaseException, connection: Connection) -> str:
    """One line saying what failed: driver, host, authentication, database, table or statement."""
    where = connection.display
    text = str(getattr(exc, "orig", None) or exc)
    low = text.lower()
    if isinstance(exc, (NoSuchModuleError, ImportError)):
        return f"{where}: no driver installed for {connection.url.drivername!r} ({_scrub(text)})"
    if "no password supplied" in low or "password is required" in low:
        return (f"{where}: a password is needed for user {connection.url.username!r} (type it in the app, or keep "
                "it in .streamlit/secrets.toml or a PROCUREMENT_KPI_DB_* environment variable)")
    if "password authentication failed" in low or "authentication failed" in low or "access denied" in low:
        return f"{where}: authentication failed for user {connection.url.username!r}"
    if "does not exist" in low and "database" in low:
        return f"{where}: database {connection.url.database!r} does not exist"
    if any(s in low for s in ("could not connect", "connection refused", "could not translate host",
                              "name or service not known", "timeout", "no route to host")):
        return f"{where}: cannot reach the database server ({connection.url.host}:{connection.url.port or 'default port'})"
    if "unable to open database file" in low:
        return f"{where}: cannot open the database file"
    if "file is not a database" in low:
        return f"{where}: the file is not a SQLite database"
    first = _scrub(text.strip().splitlines()[0] if text.strip() else type(exc).__name__, connection.url)
    return f"{where}: {first}"


def connect(connection: Connection) -> Engine:
    """An engine whose connection has been tried once, so a bad URL fails here with a clear message."""
    url = connection.url
    if (url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
            and not url.database.startswith("file:") and not Path(url.database).is_file()):
        raise SourceError(f"{connection.display}: no SQLite database at {url.database}")
    try:
        connect_args = {"connect_timeout": 5} if url.get_backend_name() == "postgresql" else {}
        engine = sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        with engine.connect() as conn:
            if url.get_backend_name() == "sqlite":
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_master")  # a file that is not a database fails here
    except (SQLAlchemyError, DBAPIError, ImportError) as exc:
        raise SourceError(explain(exc, connection)) from None
    return engine


def list_tables(engine: Engine, schema: str | None = None) -> list[str]:
    """Tables and views the database itself lists (the only names read_table accepts)."""
    try:
        inspector = sa.inspect(engine)
        return sorted(inspector.get_table_names(schema=schema) + inspector.get_view_names(schema=schema))
    except (SQLAlchemyError, DBAPIError) as exc:
        raise SourceError(explain(exc, Connection("database", engine.url))) from None


def check_table_name(engine: Engine, name: str, schema: str | None = None) -> str:
    """The database's own spelling of a table name, or SourceError; exact match first, then case-insensitive."""
    tables = list_tables(engine, schema)
    if name in tables:
        return name
    folded = [t for t in tables if t.lower() == name.lower()]
    if len(folded) == 1:
        return folded[0]
    shown = ", ".join(tables[:20]) + (" ..." if len(tables) > 20 else "")
    raise SourceError(f"no table or view named {name!r} (tables: {shown or 'none'})")


_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_WRITE_WORDS = re.compile(
    r"\b(insert|update|delete|merge|drop|create|alter|truncate|grant|revoke|attach|detach|pragma|"
    r"vacuum|copy|call|exec|execute|into|lock|set|reindex)\b",
    re.IGNORECASE,
)


def check_select(sql: str) -> str:
    """The statement if it is a single read-only SELECT (or WITH ... SELECT), else SourceError."""
    body = _COMMENTS.sub(" ", sql).strip().rstrip(";").strip()
    if not body:
        raise SourceError("the query is empty")
    if ";" in body:
        raise SourceError("not a SELECT: only one statement is allowed")
    if not re.match(r"(select|with)\b", body, re.IGNORECASE):
        raise SourceError("not a SELECT: the query must start with SELECT or WITH")
    # Words inside quoted strings are data, and inside quoted identifiers ("Insert Date") names.
    unquoted = re.sub(r"'(?:[^']|'')*'", "''", body)
    unquoted = re.sub(r'"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]', '""', unquoted)
    word = _WRITE_WORDS.search(unquoted)
    if word:
        raise SourceError(f"not a SELECT: {word.group(0).upper()} is not allowed in a read-only query")
    return body


def _read_only(conn: sa.Connection) -> None:
    """Ask the database itself to refuse writes in this transaction, as a second line of defence."""
    backend = conn.engine.url.get_backend_name()
    if backend == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    elif backend == "sqlite":
        conn.exec_driver_sql("PRAGMA query_only = ON")


@dataclass
class SqlRead:
    frame: pd.DataFrame
    name: str  # table name or "query"
    rows: int


def read_table(
    engine: Engine,
    name: str,
    *,
    schema: str | None = None,
    date_column: str | None = None,
    date_from=None,
    date_to=None,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int, int | None], None] | None = None,
    connection: Connection | None = None,
) -> SqlRead:
    """Every row of a table or view (optionally between two dates, as bound parameters), read in chunks.

    "schema.table" names a table in another schema (PostgreSQL) when no table has that dotted name.
    """
    schema, actual = _schema_and_table(engine, name, schema)
    shown = f"{schema}.{actual}" if schema else actual
    try:
        table = sa.Table(actual, sa.MetaData(), schema=schema, autoload_with=engine)
    except (SQLAlchemyError, DBAPIError) as exc:
        raise SourceError(explain(exc, connection or Connection("database", engine.url))) from None
    stmt = sa.select(table)
    if date_column is not None:
        found = [c.name for c in table.c if c.name == date_column] or [
            c.name for c in table.c if c.name.lower() == str(date_column).lower()]
        if len(found) != 1:
            raise SourceError(f"table {shown!r} has no column {date_column!r}")
        column = table.c[found[0]]
        typed = isinstance(column.type, (sa.Date, sa.DateTime))
        if date_from is not None:
            stmt = stmt.where(column >= sa.bindparam("date_from", _as_date(date_from) if typed else date_from))
        if date_to is not None:
            stmt = stmt.where(column <= sa.bindparam("date_to", _as_date(date_to) if typed else date_to))
    total_stmt = sa.select(sa.func.count()).select_from(stmt.subquery())
    return _read(engine, stmt, total_stmt, shown, chunk_rows, progress, connection)


def _schema_and_table(engine: Engine, name: str, schema: str | None) -> tuple[str | None, str]:
    """(schema, table) as the database spells them; both checked against its own lists."""
    try:
        return schema, check_table_name(engine, name, schema)
    except SourceError as exc:
        if schema is not None or "." not in name:
            raise
        error = exc
    first, _, rest = name.partition(".")
    try:
        schemas = sa.inspect(engine).get_schema_names()
    except (SQLAlchemyError, DBAPIError, NotImplementedError):
        raise error from None
    match = [s for s in schemas if s == first] or [s for s in schemas if s.lower() == first.lower()]
    if len(match) != 1:
        raise error from None
    return match[0], check_table_name(engine, rest, match[0])


def read_query(
    engine: Engine,
    sql: str,
    *,
    params: dict | None = None,
    date_column: str | None = None,
    date_from=None,
    date_to=None,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int, int | None], None] | None = None,
    connection: Connection | None = None,
) -> SqlRead:
    """The rows of one read-only SELECT; parameters (and date bounds) are bound, never formatted into the text."""
    body = check_select(sql)
    params = dict(params or {})
    if date_column is not None and (date_from is not None or date_to is not None):
        # The query becomes a subquery; the column name is quoted by the dialect, the dates are bound.
        column = engine.dialect.identifier_preparer.quote_identifier(str(date_column))
        where = []
        if date_from is not None:
            where.append(f"q.{column} >= :date_from")
            params["date_from"] = date_from
        if date_to is not None:
            where.append(f"q.{column} <= :date_to")
            params["date_to"] = date_to
        body = f"SELECT * FROM ({body}) AS q WHERE " + " AND ".join(where)
    stmt = sa.text(body)
    if params:
        stmt = stmt.bindparams(*[_typed_param(k, v) if k in ("date_from", "date_to") else sa.bindparam(k, v)
                                 for k, v in params.items()])
    return _read(engine, stmt, None, "query", chunk_rows, progress, connection)


def _as_date(value):
    """An ISO date (or date-time) written as text becomes a date, so a DATE column's driver can bind it."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
        except ValueError:
            raise SourceError(f"{value!r} is not a date; write it as YYYY-MM-DD") from None
    return value


def _typed_param(name: str, value) -> sa.BindParameter:
    """A date bound with its SQL type (each dialect then sends it its own way)."""
    value = _as_date(value)
    if isinstance(value, dt.datetime):
        return sa.bindparam(name, value, type_=sa.DateTime)
    if isinstance(value, dt.date):
        return sa.bindparam(name, value, type_=sa.Date)
    return sa.bindparam(name, value)


def _read(engine, stmt, total_stmt, name, chunk_rows, progress, connection) -> SqlRead:
    """Rows in chunks, kept column by column as the driver's Python values (object columns, no guessing)."""
    chunks: list[list[tuple]] = []
    columns: list[str] = []
    done = 0
    try:
        with engine.connect() as conn:
            _read_only(conn)
            try:
                total = conn.execute(total_stmt).scalar_one() if total_stmt is not None else None
                result = conn.execution_options(stream_results=True, yield_per=chunk_rows).execute(stmt)
                columns = list(result.keys())
                for rows in result.partitions(chunk_rows):
                    chunks.append(list(zip(*rows, strict=True)) if rows else [])
                    done += len(rows)
                    if progress:
                        progress(done, total)
            finally:
                conn.rollback()
                if conn.engine.url.get_backend_name() == "sqlite":
                    conn.exec_driver_sql("PRAGMA query_only = OFF")
    except (SQLAlchemyError, DBAPIError) as exc:
        conn_info = connection or Connection("database", engine.url)
        raise SourceError(explain(exc, conn_info)) from None
    arrays = {}
    for j in range(len(columns)):
        values = np.empty(done, dtype=object)
        at = 0
        for chunk in chunks:
            if chunk:
                # fromiter: a value that is itself a list (a PostgreSQL array) stays one cell
                values[at:at + len(chunk[j])] = np.fromiter(chunk[j], dtype=object, count=len(chunk[j]))
                at += len(chunk[j])
        arrays[j] = values
    frame = pd.DataFrame(arrays, index=pd.RangeIndex(done))
    frame.columns = columns  # positional: a query may repeat a column name
    return SqlRead(frame, name, done)


# ----------------------------------------------------------------------------- where the app computes its KPIs

KPI_SOURCE_ENV = "PROCUREMENT_KPI_SOURCE"  # a database URL holding the canonical tables (or views)
KPI_SCHEMA_ENV = "PROCUREMENT_KPI_SCHEMA"  # the schema holding them (optional)
KPI_PASSWORD_ENV = "PROCUREMENT_KPI_SOURCE_PASSWORD"  # the password, kept out of the URL (optional)
KPI_SOURCE_SECTION = "kpi_source"  # [kpi_source] in .streamlit/secrets.toml: url (or dialect, host...), schema


@dataclass(frozen=True)
class KpiSource:
    """The database the app computes its KPIs in (python -m kpi report --source does the same)."""

    url: str  # with its password: passed to the engine only, never shown
    schema: str | None
    origin: str  # where it was configured, for messages

    @property
    def display(self) -> str:
        """The URL without its password, and the schema."""
        return safe_url(self.url) + (f" (schema {self.schema})" if self.schema else "")


def kpi_source(secrets_file: Path | None = None, environ=None) -> KpiSource | None:
    """The KPI source configured for the app: the environment variable PROCUREMENT_KPI_SOURCE (a URL, with
    PROCUREMENT_KPI_SCHEMA), else a [kpi_source] section of .streamlit/secrets.toml written like a
    [connections.NAME] section (url, or dialect, host, port, database, username, password) plus `schema`.
    PROCUREMENT_KPI_SOURCE_PASSWORD, when set, is the password. None when none is configured; SourceError
    when one is configured but unusable."""
    env = os.environ if environ is None else environ
    raw, schema, origin = env.get(KPI_SOURCE_ENV, "").strip(), env.get(KPI_SCHEMA_ENV, "").strip() or None, \
        f"the environment variable {KPI_SOURCE_ENV}"
    url: URL | None = None
    if raw:
        try:
            url = make_url(raw)
        except (ArgumentError, ValueError):
            raise SourceError(f"{origin} is not a database URL (expected postgresql://user@host/db)") from None
    else:
        path = secrets_file or SECRETS_FILE
        section = None
        if path.is_file():
            try:
                section = tomllib.loads(path.read_text(encoding="utf-8")).get(KPI_SOURCE_SECTION)
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise SourceError(f"{path}: not valid TOML ({type(exc).__name__})") from None
        if not isinstance(section, dict):
            return None
        origin = f"{path} [{KPI_SOURCE_SECTION}]"
        try:
            url = _url_from_secrets(section)
        except (ArgumentError, ValueError, SourceError) as exc:
            raise SourceError(f"{origin} is not usable: {_scrub(str(exc))}") from None
        schema = schema or (str(section["schema"]).strip() if section.get("schema") else None)
    password = env.get(KPI_PASSWORD_ENV)
    if password:
        url = url.set(password=password)
    return KpiSource(url.render_as_string(hide_password=False), schema, origin)
