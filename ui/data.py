"""Workspace access and cached computations for the pages: every cache is keyed on the workspace's version."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

import kpi
from kpi import now as kpi_now
from kpi import periods as kpi_periods
from storage.workspace import Workspace, WorkspaceError

DEFAULT_WORKSPACE = "workspace"


def workspace_path() -> str:
    return str(Path(os.environ.get("PROCUREMENT_KPI_WORKSPACE") or DEFAULT_WORKSPACE).resolve())


@st.cache_resource(show_spinner=False)
def _workspace(path: str) -> Workspace:
    return Workspace(path)


def workspace() -> Workspace:
    """The app's workspace (one object per folder, shared by sessions).

    A folder that cannot be used (read-only, a file, a damaged catalogue) stops the page with the
    workspace's own message instead of a traceback; it is tried again on the next run.
    """
    try:
        return _workspace(workspace_path())
    except WorkspaceError as exc:
        from ui.format import md_escape

        st.error(md_escape(exc), icon=":material/error:")
        st.stop()


def version() -> str:
    """What every cache below is keyed on: the workspace's version, and the KPI database in use (when one is
    configured and answers; a new connection, and so fresh numbers, every kpi.sql.live.REFRESH_SECONDS)."""
    ver = str(workspace().version)
    state = kpi_source_state()
    if state is not None and state.source is not None:
        ver += f"|{state.key}"
    return ver


_SAMPLE_LOCK = threading.Lock()  # one sample load at a time in the process (see ensure_sample)


def ensure_sample() -> bool:
    """Fill a never-used workspace with the sample city; True when the sample is being shown.

    A workspace that ever held an import is left alone, so removing the sample (or undoing every import)
    does not bring it back.
    """
    ws = workspace()
    # A run that starts while another loads the sample (a page clicked meanwhile: Streamlit starts the new run
    # before the old one stops; another session) waits for it, rather than showing a half-loaded city.
    with _SAMPLE_LOCK:
        if not st.session_state.get("_sample_tried") and ws.is_empty and ws.imports().empty:
            st.session_state["_sample_tried"] = True
            import sample_data

            with st.spinner("First start: loading the sample city…"):
                try:
                    sample_data.ensure_sample(ws)
                except Exception as exc:  # noqa: BLE001 - the app must still open
                    st.error(f"The sample city could not be loaded: {exc}")
    return bool(settings().get("sample_data"))


def sample_tables() -> list[str]:
    """The tables whose rows still come from the sample city (all of them until the office imports)."""
    import sample_data

    return sample_data.sample_tables(workspace())


def sample_is_whole(tables: list[str]) -> bool:
    """Whether every table of the sample city is still in the workspace (nothing of the office's yet)."""
    import sample_data

    return len(tables) >= len({t for _name, t in sample_data.SAMPLE_TABLES})


# The version changes with every import, undo, goal or setting, so it alone keys every cache below. No page
# reads the workspace's tables into pandas: everything is asked of source() (the rows a page lists come back).

# The KPIs compute in embedded DuckDB over the workspace's Parquet files (kpi.sql): one Source per data
# version, shared by sessions, so DuckDB's scratch tables of records are written once per data version. The
# data version is what the records depend on: the tables' current files (each version has a file of its own
# name, never reused), the fiscal year's start and the as-of setting. It is not the workspace's version, which
# a goal or any other setting changes too: after such an edit the KPIs come from the Source's memo instead of
# being computed again (21.5 s at 10M payments). A new fiscal start or as-of date gets a new Source, whose
# records are then written a group of KPIs at a time (the first report day of a Source is).
def _workspace_source(path: str, ver: str):
    return _data_source(path, *_data_version(path, ver))


@st.cache_resource(max_entries=4, show_spinner=False)
def _data_version(path: str, ver: str) -> tuple:
    ws = _workspace(path)
    settings = ws.settings() or {}
    files = tuple(sorted((name, str(file)) for name, file in ws.table_files().items()))
    return files, (_fy_start(settings), settings.get("as_of") or None)


@st.cache_resource(max_entries=2, show_spinner=False)
def _data_source(path: str, files: tuple[tuple[str, str], ...], record_settings: tuple):
    """The Source over `files` (`record_settings` only keys the cache)."""
    from kpi.sql.source import Source

    return Source.from_workspace(_workspace(path), files={name: Path(file) for name, file in files})


def prepare_overview() -> threading.Thread | None:
    """Start computing the Overview's KPIs for the data as it now is, in the background, after an import or
    an undo: the director reads the import's report first, and the Overview is ready, or nearly, when opened
    (its first view of 1M payments takes some 7 s). The same Source and question as the Overview's default
    view, so the page's own call is answered from the Source's memo, or waits for the work in progress instead
    of doing it twice. Nothing is shown: a failure here only means that the page computes the KPIs itself.
    Not while a KPI database is configured (an import does not change what is computed there)."""
    if kpi_source_state() is not None:
        return None
    thread = threading.Thread(target=_prepare, args=(workspace_path(), version()), name="kpi-prepare", daemon=True)
    thread.start()
    return thread


def _prepare(path: str, ver: str) -> None:
    from ui.filters import DEFAULT_GRAIN

    try:
        ws = _workspace(path)
        src, settings = _workspace_source(path, ver), ws.settings() or {}
        fy = _fy_start(settings)
        day = kpi_now.data_through(src, settings)
        period = kpi_now.default_period(day, fy) if DEFAULT_GRAIN == "year" else None
        kpi.scorecard(src, ws.goals(), filters=kpi.Filters(), grain=DEFAULT_GRAIN, fy_start_month=fy, as_of=day,
                      period=period)
    except Exception:  # noqa: BLE001 - only a head start: the page computes, and reports, whatever failed
        logging.getLogger(__name__).debug("preparing the Overview failed", exc_info=True)


# ----------------------------------------------------------------------------- the KPIs in a database
# When the office names a database holding the canonical tables (PROCUREMENT_KPI_SOURCE, or [kpi_source] in
# .streamlit/secrets.toml: loaders.sql.kpi_source), the KPIs, lists and the data-through date are computed
# there; goals, settings, imports and what is recorded in the app stay in the workspace. kpi.sql.live keeps the
# connection: app.py checks it once per run (check_kpi_source) and runs the page inside kpi_source_fallback, so
# a database that cannot be reached, or that fails in the middle of a page, is said on every page and the
# workspace's data is used meanwhile.


@dataclasses.dataclass(frozen=True)
class KpiSourceState:
    """The configured KPI database: the Source in use (None: it failed, the workspace is used), its URL
    without password, why it is not used, the key caches are kept under, and how long after the failure it
    is tried again (0: on the next run)."""

    source: object | None
    display: str
    error: str | None = None
    key: str = ""
    retry_after: float = 0.0


def _live():
    """The configured database's kpi.sql.live.LiveSource and its setting; None when none is configured."""
    from kpi.sql import live
    from loaders import sql as loaders_sql

    setting = loaders_sql.kpi_source()
    if setting is None:
        return None
    return live.live(setting.url, setting.schema), setting


def kpi_source_state() -> KpiSourceState | None:
    """The KPI database configured for the app and whether it is in use; None when none is configured."""
    from loaders import sql as loaders_sql

    try:
        found = _live()
    except loaders_sql.SourceError as exc:
        return KpiSourceState(None, "the configured KPI database", str(exc))
    if found is None:
        return None
    kept, setting = found
    src = kept.current()
    if src is None:
        failure = kept.failure
        return KpiSourceState(None, setting.display, failure.message if failure else "not connected",
                              retry_after=failure.wait if failure else 0.0)
    return KpiSourceState(src, setting.display, None, f"{setting.display}#{kept.generation}")


def check_kpi_source() -> None:
    """Once per run, from app.py: is the configured database still answering with its tables? A lost
    connection is replaced; a database that is back is used again (kpi.sql.live.LiveSource.check)."""
    from loaders import sql as loaders_sql

    try:
        found = _live()
    except loaders_sql.SourceError:
        return  # said by kpi_source_notice
    if found is not None:
        found[0].check()


@contextlib.contextmanager
def kpi_source_fallback():
    """Around everything a run of the app computes (app.py): when the configured database fails in the middle
    (a query refused, the connection lost), it is set aside and the run starts again on the workspace's data,
    with the sidebar's filters and the session's uploads as they were. Other errors pass through."""
    from kpi.sql.source import is_database_failure

    state = kpi_source_state()
    try:
        yield
    except Exception as exc:
        if state is None or state.source is None or not is_database_failure(exc):
            raise
        found = _live()
        if found is not None:
            found[0].fail(exc, state.source)
        st.rerun()


def on_kpi_source(make):
    """`make(source)` as a deferred download's data, made where the KPIs are computed. Streamlit calls it when
    the button is clicked, outside the run (and its kpi_source_fallback): a database failing then is set aside
    here, so the next run says why, and the file is made from the workspace's data instead of failing."""
    from kpi.sql.source import is_database_failure

    state = kpi_source_state()
    path, ws_version = workspace_path(), str(workspace().version)

    def deferred():
        src = state.source if state is not None else None
        if src is None:
            return make(_workspace_source(path, ws_version))
        try:
            return make(src)
        except Exception as exc:
            if not is_database_failure(exc):
                raise
            found = _live()
            if found is not None:
                found[0].fail(exc, src)
            return make(_workspace_source(path, ws_version))

    return deferred


def _source(path: str, ver: str):
    """Where the KPIs of this data version are computed (a kpi.sql Source): the configured database when it
    answers, else the workspace's Parquet files."""
    state = kpi_source_state()
    if state is not None and state.source is not None:
        return state.source
    return _workspace_source(path, ver)


def source():
    return _source(workspace_path(), version())


def workspace_source():
    """The workspace's own tables as a kpi.sql Source, even while a KPI database is in use (the Data page lists
    both)."""
    return _workspace_source(workspace_path(), version())


def settings() -> dict:
    return dict(workspace().settings() or {})


def fy_start_month() -> int:
    return _fy_start(settings())


def _fy_start(settings: dict) -> int:
    return int(settings.get("fiscal_year_start_month") or 7)


@st.cache_resource(max_entries=4, show_spinner=False)
def _as_of(path: str, ver: str):
    return kpi_now.data_through(_source(path, ver), _workspace(path).settings())


def as_of():
    """The data-through date of the whole app: the workspace's as_of setting (the sample city sets its own),
    else the latest date in the data (kpi.now.data_through)."""
    return _as_of(workspace_path(), version())


@st.cache_resource(max_entries=4, show_spinner=False)
def _lag_notes(path: str, ver: str, day) -> tuple[str, ...]:
    return tuple(kpi_now.lag_notes(_source(path, ver), day))


def lag_notes() -> tuple[str, ...]:
    """'Payments end 31 Mar 2026' for each table whose data ends well before the data-through date."""
    return _lag_notes(workspace_path(), version(), as_of())


def goals() -> pd.DataFrame:
    return workspace().goals()


@st.cache_resource(max_entries=8, show_spinner=False)
def _filter_options(path: str, ver: str, fy_start: int, last_day) -> dict[str, list]:
    # Asked of where the KPIs are computed (a few DISTINCT queries): a KPI page never reads the tables into
    # pandas (only the Data and Contract performance pages do).
    return kpi_filter_options(_source(path, ver), fy_start, last_day)


def filter_options() -> dict[str, list]:
    """Fiscal years, departments, categories and methods present in the data, for the sidebar."""
    return _filter_options(workspace_path(), version(), fy_start_month(), as_of())


# The dates KPIs are counted on; a contract's end date or a vendor's registration would add years that no
# KPI reports.
ACTIVITY_DATES = {
    "solicitations": ("issue_date", "award_date"),
    "payments": ("payment_date",),
    "contracts": ("start_date", "executed_date"),
    "evaluations": ("due_date",),
    "engagements": ("engagement_date",),
}


def kpi_filter_options(src, fy_start: int, last_day=None) -> dict[str, list]:
    """Fiscal years with activity (up to the data-through date), departments, categories and methods, asked of
    a kpi.sql Source: the distinct months of each activity date and the distinct values come back, never the
    rows."""
    from kpi.sql.engine import fetch

    years: set[int] = set()
    values: dict[str, set] = {"department": set(), "category": set(), "method": set()}
    last = pd.Timestamp(last_day or pd.Timestamp.today()).date()
    for name, t in src.tables.items():
        for col in ACTIVITY_DATES.get(name, ()):
            if col not in t.columns:
                continue
            d = t[col] if t[col].type().is_date() else t[col].cast("date")
            months = fetch(t.filter(d.notnull() & (d <= last)).select(y=d.year(), m=d.month()).distinct())
            if len(months):
                days = np.array([f"{int(y):04d}-{int(m):02d}-01" for y, m in zip(months["y"], months["m"],
                                                                                  strict=True)], "datetime64[D]")
                years.update(int(y) for y in np.unique(kpi_periods.fiscal_year(days, fy_start)))
        for col, bucket in values.items():
            if col in t.columns:
                found = fetch(t.filter(t[col].notnull()).select(v=t[col].cast("string")).distinct())
                bucket.update(str(v) for v in found["v"])
    return {"fiscal_year": sorted(years), **{k: sorted(v) for k, v in values.items()}}


# Shown only when a scorecard is computed rather than read from the cache, and only after half a second (Streamlit's
# delay): the first view of new data at millions of payments takes a while, and the page must say it is working.
COMPUTING = "Computing the KPIs… The first view of newly loaded data takes longest."


@st.cache_data(max_entries=64, show_spinner=COMPUTING)
def _scorecard(path, ver, filters, grain, fy_start, as_of_, period=None):
    return kpi.scorecard(_source(path, ver), _workspace(path).goals(), filters=filters, grain=grain,
                         fy_start_month=fy_start, as_of=as_of_, period=period)


def scorecard(filters, grain: str, period=None) -> pd.DataFrame:
    """The scorecard of the view: `period` (a kpi.now.Period) compared like for like at the year grain."""
    return _scorecard(workspace_path(), version(), filters, grain, fy_start_month(), as_of(),
                      period if period is not None else _view_period(grain))


def _view_period(grain: str):
    """The period of the sidebar's view (the scorecards' default) at the fiscal-year grain."""
    from ui import filters as ui_filters  # ui.filters reads this module's data

    view = ui_filters.current()
    return view.period if grain == "year" else None


@st.cache_data(max_entries=256, show_spinner=False)
def _result(path, ver, kpi_id, filters, grain, by, fy_start, as_of_):
    res = kpi.compute(kpi_id, _source(path, ver), filters=filters, grain=grain, by=by,
                      fy_start_month=fy_start, as_of=as_of_)
    # pandas Period objects do not serialise to a chart spec; period_label and period_start say the same.
    periods = [c for c in res.frame.columns if isinstance(res.frame[c].dtype, pd.PeriodDtype)]
    return dataclasses.replace(res, frame=res.frame.drop(columns=periods)) if periods else res


def result(kpi_id: str, filters, grain: str, by: str | None = None):
    """KPIResult for the current workspace (cached per KPI, filters, grain and breakdown)."""
    return _result(workspace_path(), version(), kpi_id, filters, grain, by, fy_start_month(), as_of())


# Drill-down frames can hold every payment of a year: kept as shared objects (read-only), never pickled.
@st.cache_resource(max_entries=8, show_spinner=False)
def _drilldown(path, ver, kpi_id, filters, period_label, grain, fy_start, as_of_, group, by):
    return kpi.drilldown(kpi_id, _source(path, ver), filters=filters, period_label=period_label,
                         grain=grain, fy_start_month=fy_start, as_of=as_of_, group=group, by=by)


def drilldown(kpi_id: str, filters, period_label: str, grain: str, *, group: str | None = None,
              by: str | None = None):
    """The records behind one value; `group` (a value of the breakdown `by`) narrows them to one bar."""
    return _drilldown(workspace_path(), version(), kpi_id, filters, period_label, grain,
                      fy_start_month(), as_of(), group, by if group is not None else None)


def goal_for(kpi_id: str, filters) -> dict:
    """The goal that applies to a KPI under these filters: target, at_risk, source."""
    return kpi.resolve_goal(kpi_id, goals(), filters=filters)


@st.cache_data(max_entries=64, show_spinner=COMPUTING)
def _theme_scorecard(path, ver, ids, filters, grain, fy_start, as_of_, period=None):
    return kpi.scorecard(_source(path, ver), _workspace(path).goals(), filters=filters, grain=grain,
                         fy_start_month=fy_start, as_of=as_of_, kpis=list(ids), period=period)


def theme_scorecard(ids: tuple[str, ...], filters, grain: str, period=None) -> pd.DataFrame:
    """The scorecard's columns for any list of KPIs (a theme page's summary); `period` as in scorecard()."""
    return _theme_scorecard(workspace_path(), version(), tuple(ids), filters, grain,
                            fy_start_month(), as_of(), period if period is not None else _view_period(grain))
