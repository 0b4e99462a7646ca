"""Database sources on the files' path: a table or SELECT read as a RawSheet, and named sources to refresh.

A SQL read becomes the same raw sheet the file readers produce (column names as the header, typed values
as the cells, like a Parquet file), so header handling, classification, mapping, coercion and the issues
report are the files' own. Where the rows came from is recorded without the password: the source is the
password-free URL and the "sheet" is the table's own spelling (or the query text).

Named sources (`SavedSource`) are kept in the workspace: a name, a configured connection name or a
password-free URL, a table or query, the canonical table and the mapping. Refreshing one re-imports it
under the same source and sheet, which replaces that source's rows in one workspace transaction.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import URL

from . import sql
from .readers import LoadError, RawSheet
from .schema import TABLES

Progress = Callable[[int, int | None], None]


@dataclass
class SqlSheet:
    """One SQL read as a raw sheet, with where it came from (never the password)."""

    sheet: RawSheet
    origin: str  # the password-free URL
    label: str  # the table's own name, or the query text (the workspace's "sheet")
    rows: int
    connection: sql.Connection


def _one_of(sql_table: str | None, sql_query: str | None) -> None:
    if bool(sql_table) == bool(sql_query):
        raise LoadError("give either a table (--sql-table) or a query (--sql-query), not " +
                        ("both" if sql_table else "neither"))


def query_label(query: str) -> str:
    """The query as recorded: comments kept, whitespace collapsed, no trailing semicolon."""
    return " ".join(query.split()).rstrip(";").strip()


def with_password(connection: sql.Connection, password: str | None) -> sql.Connection:
    """The connection with this password (typed into the app, never saved); unchanged when None or empty.

    A SQLite file has no password: one typed for it is ignored.
    """
    if not password or connection.url.get_backend_name() == "sqlite":
        return connection
    return sql.Connection(connection.name, connection.url.set(password=password))


def _plain(value):
    """A driver's value as a file reader would give it: Decimal -> int or float, UUID and others -> text."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (dt.time, dt.timedelta, uuid.UUID)):
        return str(value)
    return value


_PLAIN_TYPES = (str, int, float, bool, dt.date, dt.datetime, pd.Timestamp, type(None))


def frame_to_sheet(frame: pd.DataFrame, name: str | None) -> RawSheet:
    """A frame read from a database as a raw sheet: column names are the header, values the cells."""
    header = [str(c) for c in frame.columns]
    columns = {}
    for j in range(frame.shape[1]):
        values = frame.iloc[:, j].astype(object).to_numpy()
        if len(values) and not set(map(type, values)).issubset(_PLAIN_TYPES):
            values = np.array([_plain(v) for v in values], dtype=object)
        columns[j] = values
    grid = pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))
    if not columns:
        grid = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    return RawSheet(name, grid, typed_header=header)


def read_sql_sheet(source: str | sql.Connection, *, sql_table: str | None = None, sql_query: str | None = None,
                   date_column: str | None = None, date_from=None, date_to=None,
                   progress: Progress | None = None, password: str | None = None,
                   secrets_file: Path | None = None) -> SqlSheet:
    """Read a table (its name checked against the database's own list, then quoted) or one read-only SELECT.

    `source` is a URL or the name of a configured connection. Raises SourceError (a LoadError) with one
    line saying what failed; no message carries the password.
    """
    _one_of(sql_table, sql_query)
    connection = source if isinstance(source, sql.Connection) else sql.resolve(str(source), secrets_file)
    connection = with_password(connection, password)
    try:
        return _read_sheet(connection, sql_table, sql_query, date_column, date_from, date_to, progress)
    except sql.SourceError as exc:
        message = str(exc)
        if not message.startswith(connection.display):  # every message says which database
            raise sql.SourceError(f"{connection.display}: {message}") from None
        raise


def _read_sheet(connection, sql_table, sql_query, date_column, date_from, date_to, progress) -> SqlSheet:
    if sql_query:
        sql.check_select(sql_query)  # refused before any connection is made
    engine = sql.connect(connection)
    try:
        if sql_table:
            read = sql.read_table(engine, sql_table, date_column=date_column, date_from=date_from,
                                  date_to=date_to, progress=progress, connection=connection)
            label = read.name
        else:
            read = sql.read_query(engine, sql_query, date_column=date_column, date_from=date_from,
                                  date_to=date_to, progress=progress, connection=connection)
            label = query_label(sql_query)
    finally:
        engine.dispose()
    return SqlSheet(frame_to_sheet(read.frame, label), sql.password_free(connection.url), label, read.rows,
                    connection)


# ---------------------------------------------------------------------------------------------
# Named sources


@dataclass
class SavedSource:
    """A database source saved in the workspace, refreshed with one click. Never holds a password."""

    name: str
    connection: str  # a configured connection's name, or a URL without its password
    table: str  # the canonical table
    sql_table: str | None = None
    sql_query: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    date_column: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    @property
    def what(self) -> str:
        return self.sql_table or f"query: {query_label(self.sql_query or '')}"

    @property
    def is_url(self) -> bool:
        return "://" in self.connection

    def needs_password(self) -> bool:
        """A typed URL with a user but no saved password (a configured connection brings its own)."""
        if not self.is_url:
            return False
        try:
            url = sql.make_url(self.connection)
        except Exception:  # noqa: BLE001 - an unusable URL fails clearly when refreshed
            return False
        return url.get_backend_name() != "sqlite" and bool(url.username)

    def to_spec(self) -> dict:
        spec = asdict(self)
        spec.pop("name")
        return {k: v for k, v in spec.items() if v not in (None, {}, "")}

    @classmethod
    def from_spec(cls, name: str, spec: dict) -> SavedSource:
        known = {k: spec[k] for k in ("connection", "table", "sql_table", "sql_query", "mapping", "date_column",
                                      "date_from", "date_to") if k in spec}
        return cls(name=name, **known)


def connection_reference(connection: sql.Connection | str, secrets_file: Path | None = None) -> str:
    """What a saved source keeps: a configured connection's name, else the URL without its password.

    A typed URL that is one of the configured connections (same URL but for the password) is kept as
    that connection's name, so its refresh finds the password where the office keeps it.
    """
    if isinstance(connection, str):
        connection = sql.resolve(connection, secrets_file)
    if connection.name != "url":
        return connection.name
    bare = sql.password_free(connection.url)
    try:
        configured = sql.configured_connections(secrets_file)
    except sql.SourceError:
        configured = {}
    for name, other in configured.items():
        if sql.password_free(other.url) == bare:
            return name
    return bare


_NAME = re.compile(r"^[\w][\w .,()&'/-]{0,79}$")


def save_source(workspace, source: SavedSource, *, secrets_file: Path | None = None) -> SavedSource:
    """Save (or replace) a named source in the workspace; the password is dropped, the rest checked."""
    name = " ".join(str(source.name or "").split())
    if not _NAME.match(name):
        raise LoadError(f"{name!r} cannot name a source: use up to 80 letters, digits, spaces and . , ( ) & ' / -")
    _one_of(source.sql_table, source.sql_query)
    if source.table not in TABLES:
        raise LoadError(f"unknown table {source.table!r}; the tables are {', '.join(TABLES)}.")
    if source.sql_query:
        sql.check_select(source.sql_query)
    ref = connection_reference(source.connection, secrets_file) if source.is_url else source.connection
    if not source.is_url:
        sql.resolve(source.connection, secrets_file)  # a name that is configured now
    saved = SavedSource(name, ref, source.table, source.sql_table or None, source.sql_query or None,
                        {str(k): str(v) for k, v in (source.mapping or {}).items() if v},
                        source.date_column or None, _iso(source.date_from), _iso(source.date_to))
    workspace.save_source(name, saved.to_spec())
    return saved


def _iso(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.isoformat()[:10]
    return str(value)


def saved_sources(workspace) -> list[SavedSource]:
    """The workspace's named sources, by name."""
    return [SavedSource.from_spec(name, spec) for name, spec in sorted(workspace.sources().items())]


def get_source(workspace, name: str) -> SavedSource:
    spec = workspace.sources().get(name)
    if spec is None:
        known = ", ".join(sorted(workspace.sources())) or "none saved"
        raise LoadError(f"no saved source named {name!r} (saved: {known})")
    return SavedSource.from_spec(name, spec)


def delete_source(workspace, name: str) -> None:
    workspace.delete_source(name)


def refresh_source(workspace, name: str | SavedSource, *, password: str | None = None,
                   progress: Progress | None = None, secrets_file: Path | None = None):
    """Re-import a named source: its rows are replaced in one transaction (same source and sheet as before)."""
    from .api import import_sql

    saved = name if isinstance(name, SavedSource) else get_source(workspace, name)
    return import_sql(saved.connection, workspace, sql_table=saved.sql_table, sql_query=saved.sql_query,
                      table=saved.table, mapping=saved.mapping or None, date_column=saved.date_column,
                      date_from=saved.date_from, date_to=saved.date_to, progress=progress, password=password,
                      secrets_file=secrets_file)


def display_url(url: URL | str) -> str:
    """For messages: the URL with its password masked."""
    return sql.safe_url(url)
