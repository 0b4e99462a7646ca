"""The workspace: a folder holding the canonical tables (Parquet) and a SQLite catalogue of everything else."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from kpi.goals import GOAL_COLUMNS  # one goal shape, declared beside its one validation
from loaders.schema import TABLES
from storage.frames import (
    IMPORT_ID,
    TRIMMED,
    TRIMMED_KEY,
    ConformError,
    conform,
    dtypes,
    empty_table,
    trimmed_text,
)
from storage.lock import FileLock, LockTimeout

ENV_VAR = "PROCUREMENT_KPI_WORKSPACE"
DEFAULT_PATH = "workspace"
CATALOGUE = "catalogue.sqlite"
LOCK = ".lock"
TABLES_DIR = "tables"
SCHEMA_VERSION = 1
DEFAULT_SETTINGS: dict = {"fiscal_year_start_month": 7, "office_name": None, "sample_data": False}
ISSUE_COLUMNS = ("source", "sheet", "row", "column", "value", "problem")
IMPORT_COLUMNS = ("import_id", "source", "sheet", "table", "imported_at", "rows_read", "rows_loaded",
                  "rows_excluded", "checksum", "status")
CURRENT, REPLACED, UNDONE = "current", "replaced", "undone"
LOCK_TIMEOUT = 120.0  # seconds a writer waits for another writer before giving up
BUSY_TIMEOUT = 30.0  # seconds SQLite waits on a locked catalogue
PARQUET_COMPRESSION = "zstd"  # 1M sample-city payments: ~17 MB, read in ~0.1-0.15 s here
# Row groups of this many rows let a SQL engine scan one table with every core (one group: one thread).
PARQUET_ROW_GROUP = 131_072

# Test hook: called with a stage name ("parquet_written", "before_commit") during a write.
_test_hook: Callable[[str], None] | None = None


class WorkspaceError(RuntimeError):
    """A workspace problem a person can act on; the message says what and where."""


_meta = sa.MetaData()
_t_meta = sa.Table("meta", _meta, sa.Column("key", sa.String, primary_key=True),
                   sa.Column("value", sa.String, nullable=False))
_t_imports = sa.Table(
    "imports", _meta,
    sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String, nullable=False),
    sa.Column("sheet", sa.String, nullable=False),  # "" when the source has no sheets
    sa.Column("table_name", sa.String, nullable=False),
    sa.Column("imported_at", sa.String, nullable=False),
    sa.Column("rows_read", sa.Integer),
    sa.Column("rows_loaded", sa.Integer, nullable=False),
    sa.Column("rows_excluded", sa.Integer),
    sa.Column("checksum", sa.String),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("replaced_by", sa.Integer),
    sa.Column("undone_at", sa.String),
    sa.Column("mapping", sa.String),  # JSON: source header -> canonical column, as used
    sa.Index("ix_imports_key", "source", "sheet", "table_name", "status"),
    sqlite_autoincrement=True,  # ids are never reused after an undo
)
_t_issues = sa.Table(
    "issues", _meta,
    sa.Column("issue_id", sa.Integer, primary_key=True),
    sa.Column("import_id", sa.Integer, nullable=False, index=True),
    sa.Column("source", sa.String), sa.Column("sheet", sa.String), sa.Column("row", sa.Integer),
    sa.Column("column", sa.String), sa.Column("value", sa.String), sa.Column("problem", sa.String),
)
_t_current = sa.Table(
    "current_files", _meta,
    sa.Column("table_name", sa.String, primary_key=True),
    sa.Column("file_name", sa.String, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
)
_t_mappings = sa.Table(
    "mappings", _meta,
    sa.Column("fingerprint", sa.String, primary_key=True),
    sa.Column("table_name", sa.String, nullable=False),
    sa.Column("mapping", sa.String, nullable=False),
    sa.Column("saved_at", sa.String, nullable=False),
)
# Choices made for an export layout besides its columns (repeated ids: keep "all" rows or the "latest" per id).
_t_layout_options = sa.Table(
    "layout_options", _meta,
    sa.Column("fingerprint", sa.String, primary_key=True),
    sa.Column("options", sa.String, nullable=False),  # JSON object
    sa.Column("saved_at", sa.String, nullable=False),
)
_t_goals = sa.Table(
    "goals", _meta,
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("kpi_id", sa.String), sa.Column("fiscal_year", sa.Integer),
    sa.Column("scope_type", sa.String), sa.Column("scope_value", sa.String),
    sa.Column("target", sa.Float), sa.Column("at_risk", sa.Float),
    sa.Column("source", sa.String), sa.Column("note", sa.String),
    sa.Column("extra", sa.String),  # JSON of any further columns the goals frame carries
)
_t_settings = sa.Table("settings", _meta, sa.Column("key", sa.String, primary_key=True),
                       sa.Column("value", sa.String, nullable=False))
_t_sources = sa.Table(  # named database sources (loaders/sql_source.py): never a password
    "sources", _meta,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("spec", sa.String, nullable=False),  # JSON: connection, sql_table or sql_query, table, mapping...
    sa.Column("saved_at", sa.String, nullable=False),
)
_t_audit = sa.Table(  # what was recorded in the app, when and by whom (one row per record added or changed)
    "audit_log", _meta,
    sa.Column("audit_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String, nullable=False),
    sa.Column("user", sa.String, nullable=False),
    sa.Column("table_name", sa.String, nullable=False),
    sa.Column("action", sa.String, nullable=False),  # added, changed
    sa.Column("record", sa.String, nullable=False),  # JSON of the record's key columns
    sa.Column("before", sa.String),  # JSON of the changed columns' old values (None when added)
    sa.Column("after", sa.String, nullable=False),  # JSON of the values recorded
    sa.Column("import_id", sa.Integer),
)
APP_SOURCE = "Recorded in the app"
AUDIT_COLUMNS = ("at", "user", "table", "action", "record", "before", "after", "import_id")
_SECRET_WORDS = ("password", "passwd", "pwd", "secret", "token")


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _hook(stage: str) -> None:
    if _test_hook is not None:
        _test_hook(stage)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not supported everywhere (Windows); durability is best effort
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _is_canonical(table: str, frame: pd.DataFrame) -> bool:
    expected = {**dtypes(table), IMPORT_ID: "int64"}
    return list(frame.columns) == list(expected) and all(
        str(t) == expected[c] for c, t in frame.dtypes.items())


def _scalar(value):
    """A JSON-safe Python scalar, None for missing values."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return _scalar(value.item())
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()
    return value


_plain_scalar = _scalar


def _check_no_secret(value, key: str = "") -> None:
    """Refuse a saved source holding a password: a key named like one, or a URL carrying one."""
    if isinstance(value, dict):
        for k, v in value.items():
            if any(w in str(k).lower() for w in _SECRET_WORDS) and v not in (None, ""):
                raise WorkspaceError(f"A saved source never holds a password ({k!r}); keep it in "
                                     ".streamlit/secrets.toml or an environment variable.")
            _check_no_secret(v, str(k))
    elif isinstance(value, (list, tuple)):
        for v in value:
            _check_no_secret(v, key)
    elif isinstance(value, str) and "://" in value and key != "sql_query":
        try:
            url = sa.engine.make_url(value)
        except (sa.exc.ArgumentError, ValueError):
            return
        if url.password or any(w in q.lower() for q in url.query for w in _SECRET_WORDS):
            raise WorkspaceError("A saved source never holds a password: save the URL without it "
                                 "(or name a configured connection).")


class Workspace:
    """The app's memory in one folder: canonical tables, import history, mappings, goals and settings.

    The folder is `path`, else $PROCUREMENT_KPI_WORKSPACE, else ./workspace; it is created if missing.
    Each write is one catalogue transaction (several, inside `batch()`); each table version is a Parquet file written under a
    temporary name, renamed, and made current by that transaction, so a failed or killed write leaves
    the workspace as it was. Writers in any process take turns through a lock file.
    """

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path or os.environ.get(ENV_VAR) or DEFAULT_PATH).expanduser().absolute()
        self._tables_dir = self.path / TABLES_DIR
        self._thread = threading.local()
        self._cache: dict[str, pd.DataFrame] = {}
        self._cache_lock = threading.Lock()
        self._check_folder()
        self._engine = sa.create_engine(
            f"sqlite:///{self.path / CATALOGUE}",
            poolclass=NullPool,
            connect_args={"timeout": BUSY_TIMEOUT, "check_same_thread": False},
        )
        lock = FileLock(self.path / LOCK)
        if lock.acquire(blocking=False):
            self._thread.depth = 1
            try:
                self._initialise()
                self._collect_garbage()
            finally:
                self._thread.depth = 0
                lock.release()
        elif not self._initialised():
            # Someone is writing; wait for them only when the catalogue does not exist yet.
            with self._writing():
                self._initialise()

    def _initialised(self) -> bool:
        with self._connect() as conn:
            return sa.inspect(conn).has_table("meta") and conn.execute(
                sa.select(_t_meta.c.value).where(_t_meta.c.key == "version")).scalar() is not None

    def _initialise(self) -> None:
        with self._begin() as conn:
            _meta.create_all(conn)
            have = dict(conn.execute(sa.select(_t_meta.c.key, _t_meta.c.value)).all())
            if "schema_version" not in have:
                conn.execute(sa.insert(_t_meta), [
                    {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                    # Starting from the clock keeps versions unique if the folder is ever recreated.
                    {"key": "version", "value": str(time.time_ns() // 1000)},
                ])
            elif int(have["schema_version"]) > SCHEMA_VERSION:
                raise WorkspaceError(
                    f"The workspace {self.path} was written by a newer version of this app "
                    f"(catalogue schema {have['schema_version']}); update the app to open it.")

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"

    def __reduce__(self):
        # Pickles (and hashes, for caches) as its folder.
        return (type(self), (str(self.path),))

    # ------------------------------------------------------------------ reading

    @property
    def version(self) -> int:
        """A number that changes whenever data, goals or settings change (a cache key)."""
        with self._connect() as conn:
            return int(conn.execute(sa.select(_t_meta.c.value).where(_t_meta.c.key == "version")).scalar_one())

    @property
    def is_empty(self) -> bool:
        """True when no import is current (nothing was imported, or everything was undone)."""
        with self._connect() as conn:
            n = conn.execute(sa.select(sa.func.count()).select_from(_t_imports)
                             .where(_t_imports.c.status == CURRENT)).scalar_one()
        return n == 0

    def table(self, name: str) -> pd.DataFrame:
        """One canonical table: every schema column (missing ones empty, typed) plus `import_id`.

        Empty (zero rows, all columns) when nothing was imported into it.
        """
        if name not in TABLES:
            raise WorkspaceError(f"Unknown table {name!r}; the tables are {', '.join(TABLES)}.")
        for _attempt in range(20):
            with self._connect() as conn:
                file_name = conn.execute(
                    sa.select(_t_current.c.file_name).where(_t_current.c.table_name == name)).scalar()
            if file_name is None:
                return empty_table(name)
            try:
                return self._read(name, file_name)
            except FileNotFoundError:
                time.sleep(0.05)  # a writer replaced this version between our two reads: look again
        raise WorkspaceError(f"The {name} table of {self.path} keeps changing or its file is missing.")

    def table_files(self) -> dict[str, Path]:
        """The Parquet file of each canonical table's current version (tables never imported are absent):
        what an embedded SQL engine reads in place. A file stays valid until a later version of its table
        replaces it and the workspace is reopened (old versions are collected then)."""
        with self._connect() as conn:
            rows = conn.execute(sa.select(_t_current.c.table_name, _t_current.c.file_name)).all()
        return {name: self._tables_dir / file for name, file in rows if name in TABLES and file}

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every canonical table by name."""
        return {name: self.table(name) for name in TABLES}

    def _read(self, name: str, file_name: str) -> pd.DataFrame:
        with self._cache_lock:
            cached = self._cache.get(file_name)
        if cached is None:
            # One block per column: no consolidation copy of a million rows.
            frame = pq.read_table(self._tables_dir / file_name).to_pandas(split_blocks=True, self_destruct=True)
            # Schema changes since the file was written (columns added or dropped) are absorbed here.
            cached = frame if _is_canonical(name, frame) else conform(name, frame)
            with self._cache_lock:
                for key in [k for k in self._cache if k.startswith(f"{name}-")]:
                    del self._cache[key]
                self._cache[file_name] = cached
        # Copy-on-write makes a shallow copy safe to hand out: a caller's edits never reach the cache.
        return cached.copy(deep=False)

    def imports(self) -> pd.DataFrame:
        """Import history, oldest first: import_id, source, sheet, table, imported_at, row counts,
        checksum, status (current, replaced or undone) and replaced_by."""
        t = _t_imports
        with self._connect() as conn:
            rows = conn.execute(sa.select(
                t.c.import_id, t.c.source, t.c.sheet, t.c.table_name, t.c.imported_at, t.c.rows_read,
                t.c.rows_loaded, t.c.rows_excluded, t.c.checksum, t.c.status, t.c.replaced_by,
            ).order_by(t.c.import_id)).all()
        cols = [*IMPORT_COLUMNS, "replaced_by"]
        frame = pd.DataFrame([tuple(r) for r in rows], columns=cols)
        return pd.DataFrame({
            "import_id": frame["import_id"].astype("int64"),
            "source": frame["source"].astype("str"),
            "sheet": frame["sheet"].replace("", None).astype("str"),
            "table": frame["table"].astype("str"),
            "imported_at": pd.to_datetime(frame["imported_at"]).astype("datetime64[us]"),
            "rows_read": frame["rows_read"].astype("Int64"),
            "rows_loaded": frame["rows_loaded"].astype("int64"),
            "rows_excluded": frame["rows_excluded"].astype("Int64"),
            "checksum": frame["checksum"].astype("str"),
            "status": frame["status"].astype("str"),
            "replaced_by": frame["replaced_by"].astype("Int64"),
        })

    def issues(self, import_id: int | None = None) -> pd.DataFrame:
        """Values and rows the loaders could not take, of one import or of all current imports:
        import_id, source, sheet, row (as seen in Excel), column, value, problem."""
        t, i = _t_issues, _t_imports
        q = sa.select(t.c.import_id, t.c.source, t.c.sheet, t.c.row, t.c.column, t.c.value, t.c.problem)
        if import_id is None:
            q = q.join(i, i.c.import_id == t.c.import_id).where(i.c.status == CURRENT)
        else:
            q = q.where(t.c.import_id == int(import_id))
        with self._connect() as conn:
            rows = conn.execute(q.order_by(t.c.import_id, t.c.issue_id)).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=["import_id", *ISSUE_COLUMNS])
        return frame.astype({"import_id": "int64", "source": "str", "sheet": "str", "row": "Int64",
                             "column": "str", "value": "str", "problem": "str"})

    def mapping_for(self, fingerprint: str) -> tuple[str, dict[str, str]] | None:
        """The confirmed (table, {source column: canonical column}) for a header fingerprint, if any."""
        with self._connect() as conn:
            row = conn.execute(sa.select(_t_mappings.c.table_name, _t_mappings.c.mapping)
                               .where(_t_mappings.c.fingerprint == fingerprint)).first()
        return None if row is None else (row.table_name, json.loads(row.mapping))

    def layout_options(self, fingerprint: str) -> dict:
        """The choices saved with an export layout's mapping ({"duplicates": "latest"}), or {}."""
        with self._connect() as conn:
            row = conn.execute(sa.select(_t_layout_options.c.options)
                               .where(_t_layout_options.c.fingerprint == fingerprint)).first()
        return {} if row is None else json.loads(row.options)

    def save_layout_options(self, fingerprint: str, options: dict) -> None:
        """Remember choices for an export layout (merged into what was saved before)."""
        merged = {**self.layout_options(fingerprint), **{str(k): v for k, v in options.items()}}
        value = json.dumps(merged, ensure_ascii=False, sort_keys=True)
        with self._writing(), self._begin() as conn:
            conn.execute(sa.delete(_t_layout_options).where(_t_layout_options.c.fingerprint == fingerprint))
            conn.execute(sa.insert(_t_layout_options).values(fingerprint=fingerprint, options=value, saved_at=_now()))

    def goals(self) -> pd.DataFrame:
        """Goals as saved: kpi_id, fiscal_year, scope_type, scope_value, target, at_risk, source, note
        (plus any further columns the saved frame had)."""
        with self._connect() as conn:
            rows = conn.execute(sa.select(_t_goals).order_by(_t_goals.c.position)).mappings().all()
        records, extra_cols = [], {}
        for r in rows:
            record = {c: r[c] for c in GOAL_COLUMNS}
            extra = json.loads(r["extra"]) if r["extra"] else {}
            for k in extra:
                extra_cols.setdefault(k, None)
            records.append({**record, **extra})
        frame = pd.DataFrame(records, columns=[*GOAL_COLUMNS, *extra_cols])
        return frame.astype({"kpi_id": "str", "fiscal_year": "Int64", "scope_type": "str",
                             "scope_value": "str", "target": "float64", "at_risk": "float64",
                             "source": "str", "note": "str"})

    def settings(self) -> dict:
        """Settings with their defaults filled in (fiscal_year_start_month, office_name, sample_data...)."""
        with self._connect() as conn:
            rows = conn.execute(sa.select(_t_settings.c.key, _t_settings.c.value)).all()
        return {**DEFAULT_SETTINGS, **{k: json.loads(v) for k, v in rows}}

    def sources(self) -> dict[str, dict]:
        """Named database sources as saved: {name: spec}, by name."""
        with self._connect() as conn:
            if not sa.inspect(conn).has_table(_t_sources.name):
                return {}  # a catalogue from before named sources
            rows = conn.execute(sa.select(_t_sources.c.name, _t_sources.c.spec).order_by(_t_sources.c.name)).all()
        return {r.name: json.loads(r.spec) for r in rows}

    # ------------------------------------------------------------------ writing

    def save_source(self, name: str, spec: dict) -> None:
        """Save (or replace) a named database source. Anything that looks like a password is refused."""
        if not name or not str(name).strip():
            raise WorkspaceError("A saved source needs a name.")
        _check_no_secret(spec)
        try:
            value = json.dumps(spec, ensure_ascii=False, sort_keys=True)
        except TypeError:
            raise WorkspaceError(f"Source {name!r} cannot be saved (not plain data).") from None
        with self._writing(), self._begin() as conn:
            _t_sources.create(conn, checkfirst=True)
            conn.execute(sa.delete(_t_sources).where(_t_sources.c.name == name))
            conn.execute(sa.insert(_t_sources).values(name=name, spec=value, saved_at=_now()))

    def delete_source(self, name: str) -> None:
        """Forget a named source (its imported rows stay; undo them in the import history)."""
        with self._writing(), self._begin() as conn:
            _t_sources.create(conn, checkfirst=True)
            conn.execute(sa.delete(_t_sources).where(_t_sources.c.name == name))


    def record_rows(self, table: str, rows: pd.DataFrame, *, keys: tuple[str, ...], user: str) -> int:
        """Add or change rows recorded in the app, in one transaction with their audit entries; returns the
        import_id now holding the table's app-recorded rows.

        Rows recorded in the app are one import of their own (source APP_SOURCE) that each recording replaces
        with the previous rows plus these, a row with the same `keys` as an earlier one taking its place; so a
        re-import of any file leaves them alone, and the import history can undo them.
        """
        if table not in TABLES:
            raise WorkspaceError(f"Unknown table {table!r}; the tables are {', '.join(TABLES)}.")
        missing = [k for k in keys if k not in TABLES[table].names]
        if missing or not keys:
            raise WorkspaceError(f"{table} has no column {', '.join(missing) or '(no key given)'} to record by.")
        if not user or not str(user).strip():
            raise WorkspaceError("A recording needs the name of the person making it.")
        try:
            new = conform(table, rows, import_id=0)
        except ConformError as exc:
            raise WorkspaceError(f"Cannot record these {table} rows: {exc}") from exc
        if new.empty:
            return 0
        blank = new[list(keys)].isna().any(axis=1)
        if blank.any():
            raise WorkspaceError(f"Row {int(np.flatnonzero(blank)[0]) + 1}: {', '.join(keys)} must all be filled.")
        new = new.drop_duplicates(list(keys), keep="last").reset_index(drop=True)
        t = _t_imports
        with self._writing(), self._begin() as conn:
            previous = [r[0] for r in conn.execute(sa.select(t.c.import_id).where(
                t.c.source == APP_SOURCE, t.c.table_name == table, t.c.status == CURRENT))]
            old = self._current_frame(conn, table)
            old = empty_table(table) if old is None else old
            mine = old[old[IMPORT_ID].isin(previous)]
            audit = self._audit_rows(table, mine, new, keys, user)
            merged = pd.concat([mine, new], ignore_index=True).drop_duplicates(list(keys), keep="last")
            import_id = conn.execute(sa.insert(t).values(
                source=APP_SOURCE, sheet="", table_name=table, imported_at=_now(), rows_read=len(new),
                rows_loaded=len(merged), rows_excluded=0, checksum="", status=CURRENT, mapping=None,
            )).inserted_primary_key[0]
            merged[IMPORT_ID] = np.int64(import_id)
            if previous:
                conn.execute(sa.update(t).where(t.c.import_id.in_(previous))
                             .values(status=REPLACED, replaced_by=import_id))
            others = old[~old[IMPORT_ID].isin(previous)]
            combined = merged if others.empty else pd.concat([others, merged], ignore_index=True)
            _t_audit.create(conn, checkfirst=True)
            if audit:
                conn.execute(sa.insert(_t_audit), [{**a, "import_id": int(import_id)} for a in audit])
            self._commit_table(conn, table, combined.reset_index(drop=True))
        return int(import_id)

    def recorded(self, table: str) -> pd.DataFrame:
        """The rows of `table` recorded in the app (its current import from APP_SOURCE), canonical columns only
        (what an office copies into its database when the KPIs are computed there)."""
        imports = self.imports()
        ids = imports.loc[(imports["source"] == APP_SOURCE) & (imports["table"] == table)
                          & (imports["status"] == CURRENT), "import_id"]
        frame = self.table(table)
        return frame[frame[IMPORT_ID].isin(set(ids))].drop(columns=[IMPORT_ID]).reset_index(drop=True)

    @staticmethod
    def _audit_rows(table: str, old: pd.DataFrame, new: pd.DataFrame, keys: tuple[str, ...], user: str) -> list[dict]:
        """One audit entry per row of `new` that adds a record or changes one of `old` (same keys)."""
        cols = [c for c in TABLES[table].names]

        def _scalar(v):  # dates as plain dates in the log
            v = _plain_scalar(v)
            return v[:10] if isinstance(v, str) and v.endswith("T00:00:00") else v

        before = {tuple(_scalar(r[k]) for k in keys): r for r in old[cols].to_dict("records")}
        at, out = _now(), []
        for r in new[cols].to_dict("records"):
            key = tuple(_scalar(r[k]) for k in keys)
            values = {c: _scalar(r[c]) for c in cols if _scalar(r[c]) is not None}
            was = before.get(key)
            if was is None:
                out.append({"at": at, "user": str(user), "table_name": table, "action": "added",
                            "record": json.dumps(dict(zip(keys, key, strict=True)), default=str),
                            "before": None, "after": json.dumps(values, default=str)})
                continue
            changed = {c: _scalar(was[c]) for c in cols if _scalar(was[c]) != _scalar(r[c])}
            if changed:
                out.append({"at": at, "user": str(user), "table_name": table, "action": "changed",
                            "record": json.dumps(dict(zip(keys, key, strict=True)), default=str),
                            "before": json.dumps(changed, default=str),
                            "after": json.dumps({c: _scalar(r[c]) for c in changed}, default=str)})
        return out

    def audit_log(self, table: str | None = None) -> pd.DataFrame:
        """What was recorded in the app, newest first: at, user, table, action (added, changed), record (its
        key columns), before and after (the values changed), import_id; each of the last three as a dict."""
        a = _t_audit
        with self._connect() as conn:
            if not sa.inspect(conn).has_table(a.name):
                rows = []
            else:
                q = sa.select(a.c.at, a.c.user, a.c.table_name, a.c.action, a.c.record, a.c.before, a.c.after,
                              a.c.import_id)
                if table is not None:
                    q = q.where(a.c.table_name == table)
                rows = conn.execute(q.order_by(a.c.audit_id.desc())).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=list(AUDIT_COLUMNS))
        for c in ("record", "before", "after"):
            frame[c] = [json.loads(v) if isinstance(v, str) and v else {} for v in frame[c].astype(object)]
        frame["at"] = pd.to_datetime(frame["at"]).astype("datetime64[us]")
        return frame

    def import_table(self, table: str, frame: pd.DataFrame, *, source: str, sheet: str | None = None,
                     rows_read: int, rows_excluded: int, checksum: str,
                     issues: pd.DataFrame | None = None, mapping: dict[str, str] | None = None) -> int:
        """Store a canonical frame as one import and return its import_id.

        Rows of an earlier current import of the same (source, sheet, table) are replaced, never
        duplicated. Columns the schema does not know are not stored. All or nothing: on any error
        (or a kill) the workspace is left as it was.
        """
        if table not in TABLES:
            raise WorkspaceError(f"Unknown table {table!r}; the tables are {', '.join(TABLES)}.")
        if not source:
            raise WorkspaceError("An import needs a source name (the file or query it came from).")
        sheet_key = sheet or ""
        try:
            new = conform(table, frame, import_id=0)  # validate before taking the lock
        except ConformError as exc:
            raise WorkspaceError(f"Cannot store {source!r} as {table}: {exc}") from exc
        issue_rows = self._issue_rows(issues, source, sheet)
        mapping_json = json.dumps(mapping, ensure_ascii=False, sort_keys=True) if mapping else None
        t = _t_imports
        with self._writing(), self._begin() as conn:
            previous = [r[0] for r in conn.execute(sa.select(t.c.import_id).where(
                t.c.source == source, t.c.sheet == sheet_key, t.c.table_name == table,
                t.c.status == CURRENT))]
            import_id = conn.execute(sa.insert(t).values(
                source=source, sheet=sheet_key, table_name=table, imported_at=_now(),
                rows_read=None if rows_read is None else int(rows_read), rows_loaded=len(new),
                rows_excluded=None if rows_excluded is None else int(rows_excluded),
                checksum=checksum, status=CURRENT, mapping=mapping_json,
            )).inserted_primary_key[0]
            new[IMPORT_ID] = np.int64(import_id)
            old = self._current_frame(conn, table)
            if old is not None and previous:
                old = old[~old[IMPORT_ID].isin(previous)]
            combined = new if old is None or old.empty else pd.concat([old, new], ignore_index=True)
            if previous:
                conn.execute(sa.update(t).where(t.c.import_id.in_(previous))
                             .values(status=REPLACED, replaced_by=import_id))
            if issue_rows:
                for r in issue_rows:
                    r["import_id"] = import_id
                conn.execute(sa.insert(_t_issues), issue_rows)
            self._commit_table(conn, table, combined)
        return int(import_id)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Several writes as one transaction: all of them land, or none does (a workbook's sheets; removing
        the sample city and importing in its place). Reads inside the batch see its writes so far."""
        if getattr(self._thread, "batch", None) is not None:
            yield
            return
        with self._writing(), self._begin() as conn:
            self._thread.batch = conn
            try:
                yield
            finally:
                self._thread.batch = None

    def undo(self, import_id: int) -> None:
        """Take a current import's rows out of its table and mark it undone.

        The import it replaced (if any) stays replaced: re-import that source to bring it back.
        """
        t = _t_imports
        with self._writing(), self._begin() as conn:
            row = conn.execute(sa.select(t.c.table_name, t.c.status, t.c.replaced_by)
                               .where(t.c.import_id == int(import_id))).first()
            if row is None:
                raise WorkspaceError(f"There is no import {import_id} in {self.path}.")
            if row.status == UNDONE:
                raise WorkspaceError(f"Import {import_id} was already undone.")
            if row.status == REPLACED:
                raise WorkspaceError(f"Import {import_id} was replaced by import {row.replaced_by}; "
                                     f"undo that one instead.")
            conn.execute(sa.update(t).where(t.c.import_id == int(import_id))
                         .values(status=UNDONE, undone_at=_now()))
            old = self._current_frame(conn, row.table_name)
            remaining = None if old is None else old[old[IMPORT_ID] != int(import_id)]
            self._commit_table(conn, row.table_name, remaining)

    def save_mapping(self, fingerprint: str, table: str, mapping: dict[str, str]) -> None:
        """Remember a confirmed mapping for an export layout (its header fingerprint)."""
        if table not in TABLES:
            raise WorkspaceError(f"Unknown table {table!r}; the tables are {', '.join(TABLES)}.")
        value = json.dumps({str(k): str(v) for k, v in mapping.items()}, ensure_ascii=False, sort_keys=True)
        with self._writing(), self._begin() as conn:
            conn.execute(sa.delete(_t_mappings).where(_t_mappings.c.fingerprint == fingerprint))
            conn.execute(sa.insert(_t_mappings).values(fingerprint=fingerprint, table_name=table,
                                                       mapping=value, saved_at=_now()))

    def save_goals(self, goals: pd.DataFrame) -> None:
        """Replace all goals with this frame, in one transaction, after kpi.goals.validate_goals (the rules of
        the Goals page and the goals file) finds no problem; every problem is listed in the WorkspaceError."""
        if "kpi_id" not in goals.columns:
            raise WorkspaceError("A goals table needs a kpi_id column.")
        from kpi.goals import validate_goals

        check = validate_goals(goals.reindex(columns=GOAL_COLUMNS), "goals", numbers=range(1, len(goals) + 1))
        if check.problems:
            raise WorkspaceError("Goals not saved: " + "; ".join(check.problems) + ".")
        rows = []
        for position, record in enumerate(goals.to_dict("records")):
            row = {"position": position}
            for c in GOAL_COLUMNS:
                value = _scalar(record.get(c))
                try:
                    if c == "fiscal_year" and value is not None:
                        if float(value) != int(float(value)):
                            raise ValueError(value)
                        value = int(float(value))
                    elif c in ("target", "at_risk") and value is not None:
                        value = float(value)
                    elif value is not None:
                        value = str(value)
                except (TypeError, ValueError):
                    raise WorkspaceError(f"Goal row {position + 1}: {c} {value!r} is not a number.") from None
                row[c] = value
            extra = {k: _scalar(v) for k, v in record.items() if k not in GOAL_COLUMNS}
            row["extra"] = json.dumps(extra, ensure_ascii=False, default=str) if extra else None
            rows.append(row)
        with self._writing(), self._begin() as conn:
            conn.execute(sa.delete(_t_goals))
            if rows:
                conn.execute(sa.insert(_t_goals), rows)
            self._bump(conn)

    def set_settings(self, **values) -> None:
        """Store settings (JSON values); `None` resets a setting to its default."""
        if "fiscal_year_start_month" in values and values["fiscal_year_start_month"] is not None:
            month = values["fiscal_year_start_month"]
            if not isinstance(month, (int, np.integer)) or not 1 <= int(month) <= 12:
                raise WorkspaceError(f"fiscal_year_start_month must be a month number 1-12, not {month!r}.")
        encoded = {}
        for key, value in values.items():
            try:
                encoded[key] = None if value is None else json.dumps(_scalar(value), ensure_ascii=False)
            except TypeError:
                raise WorkspaceError(f"Setting {key!r}: {value!r} cannot be saved (not plain data).") from None
        with self._writing(), self._begin() as conn:
            for key, value in encoded.items():
                conn.execute(sa.delete(_t_settings).where(_t_settings.c.key == key))
                if value is not None:
                    conn.execute(sa.insert(_t_settings).values(key=key, value=value))
            self._bump(conn)

    # ------------------------------------------------------------------ internals

    def _check_folder(self) -> None:
        what_to_do = (f"Choose a folder you can write to (set {ENV_VAR}) or ask for write access to "
                      f"{self.path}.")
        if self.path.exists() and not self.path.is_dir():
            raise WorkspaceError(f"The workspace {self.path} is a file, not a folder. {what_to_do}")
        try:
            self._tables_dir.mkdir(parents=True, exist_ok=True)
            probe = self.path / f".probe-{uuid.uuid4().hex}"
            probe.write_bytes(b"")
            probe.unlink()
            os.close(os.open(self.path / LOCK, os.O_RDWR | os.O_CREAT, 0o666))
            catalogue = self.path / CATALOGUE
            if catalogue.exists():
                os.close(os.open(catalogue, os.O_RDWR))
        except OSError as exc:
            raise WorkspaceError(f"The workspace folder {self.path} is read-only or not accessible "
                                 f"({exc.strerror or exc}). {what_to_do}") from exc

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sa.Connection]:
        if getattr(self._thread, "batch", None) is not None:  # inside batch(): read its writes so far
            yield self._thread.batch
            return
        try:
            with self._engine.connect() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            raise self._catalogue_error(exc) from exc
        except sa.exc.DatabaseError as exc:
            raise WorkspaceError(f"The catalogue {self.path / CATALOGUE} is damaged ({exc.orig}); "
                                 f"restore it from a backup or start a new workspace folder.") from exc

    @contextlib.contextmanager
    def _begin(self) -> Iterator[sa.Connection]:
        """One catalogue transaction; the new table file it made current is removed if it fails."""
        if getattr(self._thread, "batch", None) is not None:  # inside batch(): part of its transaction
            yield self._thread.batch
            return
        self._thread.new_files = []
        self._thread.old_files = []
        try:
            with self._engine.begin() as conn:
                yield conn
                _hook("before_commit")
        except BaseException as exc:
            for f in self._thread.new_files:
                with contextlib.suppress(OSError):
                    (self._tables_dir / f).unlink()
            if isinstance(exc, sa.exc.OperationalError):
                raise self._catalogue_error(exc) from exc
            if isinstance(exc, sa.exc.DatabaseError):
                raise WorkspaceError(f"The catalogue {self.path / CATALOGUE} is damaged ({exc.orig}).") from exc
            raise
        finally:
            self._thread.new_files = []
        # Committed: versions no longer current can go (a reader that already opened one keeps it).
        for f in self._thread.old_files:
            with contextlib.suppress(OSError):
                (self._tables_dir / f).unlink()
        self._thread.old_files = []

    def _catalogue_error(self, exc: sa.exc.OperationalError) -> WorkspaceError:
        text = str(exc.orig)
        if "readonly" in text or "read-only" in text:
            return WorkspaceError(f"The workspace catalogue {self.path / CATALOGUE} is read-only. "
                                  f"Choose a folder you can write to (set {ENV_VAR}).")
        if "locked" in text or "busy" in text:
            return WorkspaceError(f"The workspace {self.path} is busy (another import is running); "
                                  f"try again in a moment.")
        return WorkspaceError(f"The workspace catalogue {self.path / CATALOGUE} cannot be used: {text}.")

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the workspace's write lock (re-entrant within a thread)."""
        if getattr(self._thread, "depth", 0):
            self._thread.depth += 1
            try:
                yield
            finally:
                self._thread.depth -= 1
            return
        lock = FileLock(self.path / LOCK, timeout=LOCK_TIMEOUT)
        try:
            lock.acquire()
        except LockTimeout:
            raise WorkspaceError(f"The workspace {self.path} stayed busy for {LOCK_TIMEOUT:.0f} s "
                                 f"(another import is running); try again later.") from None
        except OSError as exc:
            raise WorkspaceError(f"Cannot lock the workspace {self.path}: {exc.strerror or exc}.") from exc
        self._thread.depth = 1
        try:
            self._collect_garbage()  # files a writer killed earlier left behind
            yield
        finally:
            self._thread.depth = 0
            lock.release()

    def _bump(self, conn: sa.Connection) -> None:
        current = int(conn.execute(sa.select(_t_meta.c.value).where(_t_meta.c.key == "version")).scalar_one())
        conn.execute(sa.update(_t_meta).where(_t_meta.c.key == "version")
                     .values(value=str(max(current + 1, time.time_ns() // 1000))))

    def _current_frame(self, conn: sa.Connection, table: str) -> pd.DataFrame | None:
        file_name = conn.execute(sa.select(_t_current.c.file_name)
                                 .where(_t_current.c.table_name == table)).scalar()
        return None if file_name is None else self._read(table, file_name)

    def _commit_table(self, conn: sa.Connection, table: str, frame: pd.DataFrame | None) -> None:
        """Within the transaction: write `frame` as the table's new version (None or empty: no file)."""
        old_name = conn.execute(sa.select(_t_current.c.file_name)
                                .where(_t_current.c.table_name == table)).scalar()
        conn.execute(sa.delete(_t_current).where(_t_current.c.table_name == table))
        if frame is not None and len(frame):
            name = f"{table}-{uuid.uuid4().hex}.parquet"
            tmp = self._tables_dir / f".tmp-{name}"
            try:
                table_ = pa.Table.from_pandas(trimmed_text(frame.reset_index(drop=True)), preserve_index=False)
                table_ = table_.replace_schema_metadata({**(table_.schema.metadata or {}), TRIMMED_KEY: TRIMMED})
                pq.write_table(table_, tmp, compression=PARQUET_COMPRESSION, row_group_size=PARQUET_ROW_GROUP)
                with open(tmp, "rb+") as fh:
                    os.fsync(fh.fileno())
                _hook("parquet_written")
                os.replace(tmp, self._tables_dir / name)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise WorkspaceError(f"Cannot write the {table} table into {self._tables_dir}: "
                                     f"{exc.strerror or exc}.") from exc
            finally:
                with contextlib.suppress(OSError):
                    tmp.unlink()
            self._thread.new_files.append(name)
            _fsync_dir(self._tables_dir)
            conn.execute(sa.insert(_t_current).values(table_name=table, file_name=name, rows=len(frame)))
        if old_name:
            self._thread.old_files.append(old_name)
        self._bump(conn)

    def _issue_rows(self, issues: pd.DataFrame | None, source: str, sheet: str | None) -> list[dict]:
        if issues is None or len(issues) == 0:
            return []
        frame = issues.reset_index(drop=True)
        n = len(frame)
        out = {}
        for c in ISSUE_COLUMNS:
            col = frame[c] if c in frame.columns else pd.Series([None] * n)
            if c == "source":
                col = col.where(col.notna(), source)
            elif c == "sheet":
                col = col.where(col.notna(), sheet)
            if c == "row":
                values = pd.to_numeric(col, errors="coerce").astype("Int64")
                out[c] = [None if v is pd.NA else int(v) for v in values]
            else:
                out[c] = [None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA
                          else str(v) for v in col.astype(object)]
        return [dict(zip(ISSUE_COLUMNS, values, strict=True)) for values in zip(*out.values(), strict=True)]

    def _collect_garbage(self) -> None:
        """Remove table files no catalogue entry points to (left by a killed write). Lock held."""
        with self._connect() as conn:
            if not sa.inspect(conn).has_table(_t_current.name):
                return  # a catalogue still being created has no table files yet
            current = {r[0] for r in conn.execute(sa.select(_t_current.c.file_name))}
        for f in self._tables_dir.iterdir():
            if f.is_file() and f.name not in current and (f.suffix == ".parquet"):
                with contextlib.suppress(OSError):
                    f.unlink()
