"""The Data page's database section: connect, list tables, preview, map, import, save a named source, refresh.

The rows go through the loaders exactly as a file's do (loaders.api.inspect_sql / import_sql). A password
is typed into a masked box, kept only in this browser session's widget state, and never shown, saved or
put in a message: every message comes from the loaders, which take it out.
"""

from __future__ import annotations

import hashlib

import streamlit as st

import sample_data
from loaders import LoadError
from loaders import sql as sqlmod
from loaders.api import import_sql, sql_part
from loaders.sql_source import (
    SavedSource,
    delete_source,
    read_sql_sheet,
    refresh_source,
    save_source,
    saved_sources,
    with_password,
)
from sample_data.database import SAMPLE_DATABASE, sample_url
from ui import data, importer
from ui.format import label_escape, md_escape
from ui.mapping import mapping_problems, table_options
from ui.tables import show_table

SAMPLE_CHOICE = "__sample__"
URL_CHOICE = "__url__"
TABLE, QUERY = "A table or view", "A SELECT query"
SKIP = "(choose a table)"


def _say_error(exc: BaseException, what: str = "The database could not be read") -> None:
    """One clear error; loader messages name what failed and never carry a password."""
    if isinstance(exc, LoadError):
        st.error(md_escape(exc), icon=":material/error:")
    else:
        st.error(f"{what} ({type(exc).__name__}: {md_escape(sqlmod.scrub(str(exc)))}).", icon=":material/error:")


# ---------------------------------------------------------------------------------------------
# Connection


def _configured() -> dict[str, sqlmod.Connection]:
    try:
        return sqlmod.configured_connections()
    except LoadError as exc:
        st.warning(md_escape(exc), icon=":material/warning:")
        return {}


def connection_picker() -> tuple[str, str | None] | None:
    """(source, password) for the chosen connection: a configured name or a URL, and a typed password."""
    configured = _configured()
    options = [*sorted(configured), *([SAMPLE_CHOICE] if SAMPLE_DATABASE.is_file() else []), URL_CHOICE]
    labels = {name: f"{name} · {c.display}" for name, c in configured.items()}
    labels[SAMPLE_CHOICE] = "Sample city (SQLite, bundled)"
    labels[URL_CHOICE] = "Type a database URL…"
    choice = st.selectbox("Connection", options, format_func=labels.get, key="db-choice",
                          help="Connections named in .streamlit/secrets.toml ([connections.NAME]) or in "
                               "PROCUREMENT_KPI_DB_NAME environment variables are listed here.")
    if choice == SAMPLE_CHOICE:
        return sample_url(), None
    if choice != URL_CHOICE:
        return choice, None
    url = st.text_input("Database URL", key="db-url",
                        placeholder="postgresql+psycopg://reader@db.example.gov:5432/erp  or  sqlite:///path/erp.db",
                        help="A SQLAlchemy URL. Leave the password out: type it in the box below.").strip()
    password = st.text_input("Password", type="password", key="db-password",
                             help="Used for this session only; never saved, logged or shown.")
    if not url:
        return None
    if "://" in url:
        try:
            if sqlmod.make_url(url).password:
                st.warning("The URL box shows what you type: put the password in the Password box instead.",
                           icon=":material/visibility:")
        except Exception:  # noqa: BLE001 - a bad URL is reported when connecting
            pass
    return url, password or None


def _connection_key(source: str, password: str | None) -> str:
    digest = hashlib.sha256((password or "").encode()).hexdigest()[:12]
    return f"{sqlmod.password_free(source) if '://' in source else source}|{digest}"


def _connection(source: str, password: str | None) -> sqlmod.Connection:
    return with_password(sqlmod.resolve(source), password)


def _tables(source: str, password: str | None) -> list[str] | None:
    """The database's tables, listed once per connection and session (after Connect)."""
    key = _connection_key(source, password)
    listed = st.session_state.get("_db_tables")
    if listed and listed[0] == key:
        return listed[1]
    if not st.button("Connect", key="db-connect", icon=":material/database:"):
        return None
    try:
        engine = sqlmod.connect(_connection(source, password))
        try:
            tables = sqlmod.list_tables(engine)
        finally:
            engine.dispose()
    except Exception as exc:  # noqa: BLE001 - a failed connection never takes the page down
        st.session_state.pop("_db_tables", None)
        _say_error(exc, "Could not connect")
        return None
    st.session_state["_db_tables"] = (key, tables)
    st.session_state["_db_reads"] = {}
    return tables


def _columns(source: str, password: str | None, table: str) -> list[str]:
    try:
        engine = sqlmod.connect(_connection(source, password))
        try:
            import sqlalchemy as sa

            return [c["name"] for c in sa.inspect(engine).get_columns(table)]
        finally:
            engine.dispose()
    except Exception:  # noqa: BLE001 - only an optional filter depends on it
        return []


# ---------------------------------------------------------------------------------------------
# Read, preview, map, import


def _read(source: str, password: str | None, request: dict):
    """The rows of a table or query, read once per request and session (mapping changes reuse them)."""
    key = (_connection_key(source, password), tuple(sorted((k, str(v)) for k, v in request.items())))
    reads = st.session_state.setdefault("_db_reads", {})
    if key not in reads:
        with st.status("Reading from the database…", expanded=False) as status:
            bar = st.progress(0.0, text="Connecting…")

            def progress(done: int, total: int | None) -> None:
                share = min(done / total, 1.0) if total else 0.5
                bar.progress(share, text=f"{done:,} rows read" + (f" of {total:,}" if total else ""))

            failed = None
            try:
                reads.clear()  # one read kept at a time: a large table is not held twice
                reads[key] = read_sql_sheet(_connection(source, password), progress=progress, **request)
            except Exception as exc:  # noqa: BLE001
                failed = exc
                status.update(label="Could not read it", state="error")
            else:
                status.update(label=f"Read {reads[key].rows:,} rows", state="complete")
        if failed is not None:
            _say_error(failed)
            return None
    return reads[key]


def _request_widgets(source: str, password: str | None, tables: list[str]) -> dict | None:
    how = st.radio("Read", [TABLE, QUERY], horizontal=True, key="db-how")
    if how == QUERY:
        query = st.text_area("SELECT query", key="db-query", height=100,
                             placeholder='SELECT * FROM "AP Check Register" WHERE "Check Date" >= \'2025-07-01\'',
                             help="One read-only SELECT (or WITH … SELECT). Press Ctrl+Enter to run it.")
        return {"sql_query": query} if query.strip() else None
    if not tables:
        st.info("The database lists no tables or views.")
        return None
    table = st.selectbox("Table or view", [SKIP, *tables], key="db-table")
    if table == SKIP:
        return None
    request: dict = {"sql_table": table}
    with st.expander("Only rows between two dates (optional)"):
        columns = _columns(source, password, table)
        column = st.selectbox("Date column", [None, *columns], key="db-date-column",
                              format_func=lambda c: "— every row —" if c is None else c)
        if column:
            left, right = st.columns(2)
            start = left.date_input("From", value=None, key="db-date-from")
            end = right.date_input("To", value=None, key="db-date-to")
            if start or end:
                request.update(date_column=column, date_from=start, date_to=end)
    return request


def import_section(source: str, password: str | None, request: dict) -> None:
    read = _read(source, password, request)
    if read is None:
        return
    key = "db"
    try:
        part = sql_part(read, workspace=data.workspace())
    except Exception as exc:  # noqa: BLE001
        _say_error(exc, "The rows could not be checked")
        return
    options = table_options()
    table = st.selectbox("Canonical table", options, index=options.index(part.table) if part.table in options else 0,
                         key="db-target", help="Detected from the column names; change it if the guess is wrong.")
    if table != part.table:
        part = sql_part(read, table=table, workspace=data.workspace())
    st.caption(f"{md_escape(read.label)} · {part.rows_read:,} rows read · {part.rows_loaded:,} loadable · "
               f"{part.rows_excluded:,} excluded · {float(part.confidence or 0):.0%} confidence")
    preview_tab, mapping_tab, issues_tab = st.tabs(["Preview", "Column mapping", "Validation"])
    with preview_tab:
        show_table(part.preview, key=f"{key}-preview")
    with mapping_tab:
        mapping = importer.mapping_editor(part, table, key=key)
    if mapping != {k: v for k, v in (part.mapping or {}).items() if k in part.columns}:
        try:
            part = sql_part(read, table=table, mapping=mapping, workspace=data.workspace())
        except Exception as exc:  # noqa: BLE001
            _say_error(exc, "The mapping could not be applied")
            return
    with issues_tab:
        importer.validation(part, key=key)
    problems = mapping_problems(mapping, table)
    for problem in problems:
        st.warning(problem)
    left, right = st.columns([1, 1])
    with left:
        if importer.pending_for("db"):
            choice = importer.sample_choice(table, key="db")
            if choice is not None:
                run_import(source, password, request, table, mapping, read.label, keep_sample=choice == importer.KEEP)
        elif st.button(f"Import {part.rows_loaded:,} rows as {table}", key="db-import", type="primary",
                       disabled=bool(problems), icon=":material/download_done:") and not importer.ask_before_sample("db"):
            run_import(source, password, request, table, mapping, read.label)
    with right:
        name = st.text_input("Save as a named source", key="db-save-name", placeholder="e.g. Munis AP checks",
                             help="Saved in the workspace (never the password) and refreshed with one click.")
        if st.button("Save source", key="db-save", disabled=bool(problems) or not name.strip(),
                     icon=":material/bookmark_add:"):
            try:
                saved = save_source(data.workspace(), SavedSource(name, source, table, mapping=mapping, **request))
            except Exception as exc:  # noqa: BLE001
                _say_error(exc, "The source could not be saved")
            else:
                st.session_state["_flash"] = (f"Saved the source “{md_escape(saved.name)}”: refresh it below.", [])
                st.rerun()


def _progress_bar():
    bar = st.progress(0.02, text="Connecting…")

    def progress(done: int, total: int | None) -> None:
        share = min(done / total, 1.0) if total else 0.5
        bar.progress(0.05 + 0.6 * share, text=f"{done:,} rows read" + (f" of {total:,}" if total else ""))

    return bar, progress


def _finish(results, label: str, table: str) -> None:
    loaded = sum(r.part.rows_loaded for r in results if r.imported)
    excluded = sum(r.part.rows_excluded for r in results if r.imported)
    skipped = [f"Not imported: {md_escape(r.skipped)}." for r in results if not r.imported]
    st.session_state["_flash"] = (f"Imported {loaded:,} rows of {table} from {md_escape(label)}; {excluded:,} "
                                  "excluded (see the import history).", skipped)
    st.session_state["_inspected"] = {}
    st.session_state["_db_reads"] = {}


def _after_sample(ws, load, *, table: str | None = None, keep_sample: bool = False):
    """Run an import; when the workspace shows the sample city, the sample goes in the same transaction
    (only its `table` when `keep_sample`, else all of it), so a failed connection or import leaves the
    sample in place (nothing changed)."""
    if not data.settings().get("sample_data"):
        return load()
    with ws.batch():
        if keep_sample and table:
            sample_data.remove_sample_table(ws, table)
            return load()
        results = load()
        sample_data.remove_sample(ws)
    return results


def run_import(source: str, password: str | None, request: dict, table: str, mapping: dict, label: str, *,
               keep_sample: bool = False) -> None:
    """Read again with progress and import in one transaction; over the sample city, the sample goes in it
    (only the sample's `table` when `keep_sample`)."""
    ws = data.workspace()
    with st.status(f"Importing {label_escape(label)} as {table}…", expanded=True) as status:
        bar, progress = _progress_bar()
        try:
            results = _after_sample(ws, lambda: import_sql(source, ws, table=table, mapping=mapping,
                                                           progress=progress, password=password, **request),
                                    table=table, keep_sample=keep_sample)
        except Exception as exc:  # noqa: BLE001 - a failed import leaves the workspace as it was
            status.update(label="Import failed; nothing changed.", state="error")
            results = exc
        else:
            bar.progress(1.0, text="Done")
            status.update(label="Imported", state="complete")
    if isinstance(results, Exception):
        _say_error(results, "The import failed")
        return
    _finish(results, label, table)
    st.rerun()


# ---------------------------------------------------------------------------------------------
# Saved sources


def _last_import(saved: SavedSource) -> str:
    history = data.workspace().imports()
    if history.empty:
        return "not imported yet"
    try:
        origin = sqlmod.password_free(sqlmod.resolve(saved.connection).url)
    except LoadError:
        return "connection not configured here"
    from loaders.sql_source import query_label

    sheet = saved.sql_table or query_label(saved.sql_query or "")
    rows = history[(history["source"] == origin) & (history["status"] == "current") & (history["table"] == saved.table)]
    rows = rows[rows["sheet"].str.lower() == sheet.lower()]
    if rows.empty:
        return "not imported yet"
    last = rows.iloc[-1]
    return f"{int(last['rows_loaded']):,} rows, imported {last['imported_at']:%d %b %Y %H:%M}"


def saved_sources_section() -> None:
    sources = saved_sources(data.workspace())
    if not sources:
        return
    st.markdown("**Saved sources**")
    for i, saved in enumerate(sources):
        with st.container(border=True):
            where = saved.connection if not saved.is_url else sqlmod.safe_url(saved.connection)
            st.markdown(f"**{md_escape(saved.name)}** · {md_escape(saved.what)} → {saved.table}")
            st.caption(f"{md_escape(where)} · {md_escape(_last_import(saved))}")
            password = None
            if saved.needs_password():
                password = st.text_input(f"Password for {saved.name}", type="password", key=f"src-password-{i}")
            left, right = st.columns([1, 1])
            if left.button("Refresh", key=f"src-refresh-{i}", type="primary", icon=":material/refresh:",
                           help="Read it again and replace its rows in one transaction."):
                refresh(saved, password)
            if right.button("Forget", key=f"src-forget-{i}", icon=":material/bookmark_remove:",
                            help="Remove the saved source; its imported rows stay (undo them in Import history)."):
                delete_source(data.workspace(), saved.name)
                st.rerun()


def refresh(saved: SavedSource, password: str | None) -> None:
    ws = data.workspace()
    with st.status(f"Refreshing {label_escape(saved.name)}…", expanded=True) as status:
        bar, progress = _progress_bar()
        try:
            results = _after_sample(ws, lambda: refresh_source(ws, saved, password=password, progress=progress))
        except Exception as exc:  # noqa: BLE001 - a failed refresh leaves the workspace as it was
            status.update(label="Refresh failed; nothing changed.", state="error")
            results = exc
        else:
            bar.progress(1.0, text="Done")
            status.update(label="Refreshed", state="complete")
    if isinstance(results, Exception):
        _say_error(results, "The refresh failed")
        return
    _finish(results, saved.name, saved.table)
    st.rerun()


# ---------------------------------------------------------------------------------------------


def database_section() -> None:
    """The whole section: saved sources first (one click each), then a new database source."""
    st.subheader("Database")
    st.caption("Read a table, a view or a SELECT from your ERP's reporting database or a data warehouse. "
               "The same mapping and checks as files apply. Passwords are never saved or shown.")
    saved_sources_section()
    picked = connection_picker()
    if picked is None:
        return
    source, password = picked
    tables = _tables(source, password)
    if tables is None:
        return
    request = _request_widgets(source, password, tables)
    if request is None:
        return
    import_section(source, password, request)

