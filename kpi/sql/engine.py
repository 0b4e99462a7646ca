"""The computation in the database: records of a KPI -> filters -> one aggregate query by period and group.

Each KPI's records (kpi.sql.measures) become one SELECT: the exclusion reason by priority (one CASE), the
fiscal period code, the group; then one GROUP BY for the values (quantiles, sums, distinct counts) and one for
the exclusion reasons. Only those aggregates come back; Python only labels the periods and shapes the frame
the app reads (kpi.KPIResult, the same columns as before).
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import periods as P
from ..registry import KPI, KPIS
from ..results import (
    AFTER_LABEL,
    AFTER_REASON,
    NO_COMPARISON,
    NO_DATE_LABEL,
    NOT_RECORDED,
    Drilldown,
    Filters,
    KPIResult,
    Records,
    empty_frame,
    empty_reasons,
    order_frame,
    period_frame,
    snapshot_periods,
)
from ..results import check_breakdown as _check_by
from ..results import kpi_by_id as _kpi
from ..vendors import normalise_name, normalise_names
from . import measures as M
from . import query as Q
from .cube import Cube, Spans
from .source import Source

# ----------------------------------------------------------------------------- sources


_SOURCES: OrderedDict = OrderedDict()
_SOURCES_LOCK = threading.Lock()


def source_of(tables) -> Source:
    """A Source for what the caller passed: a Source, a Workspace, or a mapping of canonical frames (cached by
    the frames' identity)."""
    if isinstance(tables, Source):
        return tables
    if hasattr(tables, "table_files"):
        return Source.from_workspace(tables)
    frames = {k: v for k, v in (tables or {}).items() if isinstance(v, pd.DataFrame)}
    key = tuple(sorted((name, id(df), df.shape) for name, df in frames.items()))
    with _SOURCES_LOCK:
        hit = _SOURCES.get(key)
        if hit is not None and all(hit[1].get(n) is df for n, df in frames.items()):
            _SOURCES.move_to_end(key)
            return hit[0]
    src = Source.from_frames(frames)
    with _SOURCES_LOCK:
        _SOURCES[key] = (src, frames)
        while len(_SOURCES) > 2:
            _SOURCES.popitem(last=False)
    return src


# ----------------------------------------------------------------------------- periods in SQL


def period_code(d: ir.DateValue, grain: str, fy: int) -> ir.IntegerValue:
    """The integer code of kpi.periods (pandas' own ordinals for M, Q-<end>, Y-<end>) computed in SQL."""
    months = (d.year().cast("int64") - 1970) * 12 + d.month().cast("int64") - 1
    if grain == "month":
        return months
    fiscal = months - P._offset(fy)
    return fiscal // (3 if grain == "quarter" else 12)


# ----------------------------------------------------------------------------- records -> one table


def _as_of(as_of) -> dt.date:
    d = P.as_day(as_of) if as_of is not None else np.datetime64(P.today(), "D")
    return (np.datetime64(P.today(), "D") if np.isnat(d) else d).astype(dt.date)



def measure_of(kpi_id: str):
    fn = getattr(M, kpi_id, None)
    if fn is None:
        raise NotImplementedError(f"{kpi_id} has no SQL definition")
    return fn


def _needed(by: str | None, filters: Filters) -> frozenset:
    dims = {by} if by else set()
    for dim, values in (("department", filters.departments), ("category", filters.categories),
                        ("method", filters.methods), ("vendor", filters.vendors)):
        if values:
            dims.add(dim)
    return frozenset(dims)


def _vendor_match(src: Source, rec: M.Rec, wanted: tuple):
    """Records whose vendor is one of `wanted` (a display name, an id, or a name normalised alike)."""
    words = [str(v).strip() for v in wanted]
    norms = {normalise_name(w) for w in words} - {""}
    lookups = [v for k, v in src.memo.items() if isinstance(k, tuple) and k[0] == "vendor_lookup_frame"
               and k[1] == rec.table]
    if not lookups or rec.table == "evaluations":
        return Q.is_in("_d_vendor", words)
    f = lookups[0]
    keys = set(f.loc[f["_vlabel"].isin(words), "_vkey"].dropna())
    keys |= {k for k in f["_vkey"].dropna() if k in {f"id:{w}" for w in words} | {f"nm:{n}" for n in norms}}
    if norms:
        labels = f["_vlabel"].dropna().drop_duplicates()
        hit = labels[normalise_names(labels).isin(norms).to_numpy()]
        keys |= set(f.loc[f["_vlabel"].isin(hit), "_vkey"].dropna())
    return Q.is_in("_vkey", sorted(keys))


def _reason(rec: M.Rec) -> ir.StringValue:
    return ibis.cases(*((c.fill_null(False), r) for c, r in rec.reasons), else_=ibis.null("string"))


def _columns(rec: M.Rec, kpi: KPI, as_of: dt.date) -> dict[str, ir.Value]:
    """The record table's columns: _date, _reason (NULL = used; events dated after the as-of date are
    excluded), every dimension (_d_<dim>), the vendor key, the amount and the kind's own columns."""
    reason = _reason(rec)
    if not kpi.kind.startswith("snapshot"):
        reason = ibis.coalesce(reason, ibis.ifelse(rec.date > as_of, AFTER_REASON, ibis.null("string")))
    cols = {"_date": rec.date, "_reason": reason, "_amount": rec.amount.cast("float64")}
    for d, e in rec.dims.items():
        cols[f"_d_{d}"] = e.cast("string")
    cols["_vkey"] = rec.t._vkey.cast("string") if "_vkey" in rec.t.columns and rec.table != "evaluations" \
        else ibis.null("string")
    m = rec.measure
    if isinstance(m, (M.Duration, M.Mean)):
        cols["_x"] = m.x.cast("float64")
    elif isinstance(m, M.Ratio):
        cols["_num"], cols["_den"] = m.num.cast("float64"), m.den.cast("float64")
        if m.sustained is not None:
            cols["_sus"] = m.sustained.cast("float64")
    elif isinstance(m, M.Count):
        cols["_num"] = m.num.cast("float64")
    elif isinstance(m, M.Distinct):
        cols["_key"] = m.key.cast("string")
    elif isinstance(m, M.Lift):
        cols["_x"] = m.x.cast("float64")
        cols["_eng"] = ibis.ifelse(m.engaged, 1, 0)
    elif isinstance(m, M.Expiring):
        for w in m.windows:
            cols[f"_lo{w}"] = m.lo(rec.date, w)
        cols["_lo"] = cols[f"_lo{m.window}"]
        cols["_hi"] = m.hi
        cols["_flag_hi"] = m.flag_hi
    elif isinstance(m, M.Active):
        cols["_lo"], cols["_hi"] = m.lo, m.hi
        cols["_num"], cols["_den"] = m.num.cast("float64"), m.den.cast("float64")
    return cols


def _records_key(kpi: KPI, fy: int, as_of: dt.date, with_method: bool, grain: str) -> tuple:
    """A KPI with one record per period (registry `per_period`) has records per grain; the others one set."""
    return ("records", kpi.id, fy, as_of, with_method) + ((grain,) if kpi.per_period else ())


def records(src: Source, kpi: KPI, fy: int, as_of: dt.date, needed: frozenset, grain: str = "quarter"):
    """(Rec, the KPI's records as a FROM item: a subquery naming the columns of its group's record table).
    Records are written on first use (per as-of date, fiscal start and whether a payment needs its contract's
    method) together with those of every KPI over the same base, then queried as tables: a filter change runs
    only the small aggregate queries on top. A KPI with one record per period of the report's grain has its
    records written per grain, when first asked for."""
    with_method = "method" in needed
    grain = P.normalise_grain(grain) if kpi.per_period else "quarter"
    key = _records_key(kpi, fy, as_of, with_method, grain)
    if key not in src.memo and not kpi.per_period:
        # Over a workspace, the asked KPI's whole group (the app shows most KPIs of a base); compute_all writes
        # every group; over frames or in a warehouse, only what was asked for. A second as-of date (a
        # scorecard's comparison counted on its own last day) writes only what it asks for.
        first = src.memo.setdefault(("report_day",), (fy, as_of, with_method))
        if src.memo.get(("batch",)):
            _materialize_records(src, fy, as_of, with_method)
        elif src.on_disk and first == (fy, as_of, with_method):
            _materialize_records(src, fy, as_of, with_method, group_of=kpi)
    if key not in src.memo:  # a per-period KPI, one asked alone in a warehouse (or outside the registry)
        _materialize_records(src, fy, as_of, with_method, only=(kpi,), grain=grain)
    return src.memo[key]


def _groups(src: Source, fy: int, as_of: dt.date, with_method: bool, only, grain: str) -> list[list]:
    """The KPIs' records grouped by their base (the same rows): [[(kpi, rec), ...], ...]; a KPI without
    records is noted as such. Every KPI of the registry is built once per source, as-of date and fiscal start
    (per-period KPIs only when asked for, `only`)."""
    plan_key = ("groups", fy, as_of, with_method) if only is None else None
    if plan_key in src.memo:
        return src.memo[plan_key]
    ctx = M.Context(src, as_of, fy, frozenset(M.DIMENSIONS) if with_method else frozenset({"vendor"}), grain)
    groups: dict = {}
    for kpi in only or KPIS.values():
        key = _records_key(kpi, fy, as_of, with_method, grain)
        if key in src.memo or kpi.id in NOT_YET_PORTED or getattr(M, kpi.id, None) is None \
                or src.missing(kpi.needs) or (kpi.per_period and only is None):
            continue
        rec = measure_of(kpi.id)(ctx)
        if rec is None:
            src.memo[key] = (None, None)
            continue
        groups.setdefault(rec.t.op(), []).append((kpi, rec))
    out = list(groups.values())
    if plan_key is not None:
        src.memo[plan_key] = out
    return out


def _materialize_records(src: Source, fy: int, as_of: dt.date, with_method: bool, only=None,
                         grain: str = "quarter", group_of: KPI | None = None) -> None:
    """The records of every computable KPI (or of `group_of`'s group, or `only`), written once per source:
    KPIs over the same rows (the same base table) share one table whose columns are each distinct expression
    once (dimensions, the vendor key and most dates and amounts are common), so each base is scanned and
    written once. Each KPI reads a subquery naming its columns as the aggregate queries expect (_date,
    _reason, _d_<dim>...). Per-period KPIs are written only when asked for (`only`), for `grain`."""
    with src.lock:  # two sessions of the app writing records at once would name two tables alike
        _write_records(src, fy, as_of, with_method, only, grain, group_of)


def _write_records(src: Source, fy: int, as_of: dt.date, with_method: bool, only, grain: str,
                   group_of: KPI | None) -> None:
    written = src.memo.setdefault(("record_tables",), {})
    for members in _groups(src, fy, as_of, with_method, only, grain):
        if group_of is not None and all(k.id != group_of.id for k, _ in members):
            continue
        if all(_records_key(k, fy, as_of, with_method, grain) in src.memo for k, _ in members):
            continue
        columns: dict[str, ir.Value] = {}
        named: dict = {}  # expression -> its column
        views = []
        for kpi, rec in members:
            names = {}
            for name, e in _columns(rec, kpi, as_of).items():
                col = named.get(e.op())
                if col is None:
                    col = named[e.op()] = f"c{len(columns)}"
                    columns[col] = e
                names[name] = col
            views.append((kpi, rec, names))
        t = members[0][1].t
        expr = t.select(**columns)
        table = written.get(expr.op())
        if table is None:
            table = f"kpi_records_{len(written)}"
            sql = _compiled(src, expr, ("records", tuple(k.id for k, _ in members), fy, as_of, with_method, grain))
            written_once = not _read_alone(src, members)
            in_memory = written_once and src.on_disk and src.large and _hold_in_memory(src, members)
            # Over a large workspace, records bound for the scratch disk are not written for the report: every
            # KPI's cube comes from one pass over their SQL, and the records are written when a question the
            # cubes cannot answer first reads them (_write_when_asked).
            cubed = written_once and src.on_disk and src.large and not in_memory and _cubed_together(members)
            src.view(table, sql, materialize=written_once and not cubed, table=False, in_memory=in_memory)
            if cubed:
                src.memo.setdefault(("cubed together",), set()).add(table)
                src.memo[("unwritten", table)] = sql
            written[expr.op()] = table
        subqueries = []
        for kpi, rec, names in views:
            # Read as a subquery naming the KPI's columns (the aggregate templates' dialect, transpiled).
            select = ", ".join(f'"{col}" AS "{name}"' for name, col in names.items())
            view = f'(SELECT {select} FROM "{table}")'
            src.memo[_records_key(kpi, fy, as_of, with_method, grain)] = (rec, view)
            src.memo[("record columns", view)] = (table, names)
            subqueries.append((kpi, rec, names, view))
        if table in src.memo.get(("cubed together",), ()):
            _cube_together(src, table, subqueries, as_of)


def _write_when_asked(src: Source, view: str) -> None:
    """Write the records behind `view` if they were left unwritten (cubed together, _write_records): a question
    their cubes cannot answer (a vendor, a value band, part of a month for a duration) reads them as a table."""
    table = src.memo[("record columns", view)][0]
    if ("unwritten", table) not in src.memo:
        return
    with src.lock:
        sql = src.memo.pop(("unwritten", table), None)
        if sql is not None:  # not written by another session meanwhile
            src.con.raw_sql(f'DROP VIEW IF EXISTS "{table}"')
            src.view(table, sql, materialize=True, table=False)


# Over a large workspace, record tables are written in memory (uncompressed: about 120 bytes a row here) while
# this many rows in all are held there, then on the scratch disk, compressed. In memory a table is written in
# about half the time and a filter change, answered from cubes, reads it no slower. 1M payments: a cold report
# 5.6 -> 4.4 s, peak memory 0.6 -> 1.0 GB; 10M: 23.4 -> 22.5 s, 1.6 -> 2.2 GB (with every table of up to 2M
# rows in memory: 22.0 s and 2.7 GB).
RECORDS_IN_MEMORY_ROWS = 4_000_000


def _hold_in_memory(src: Source, members: list) -> bool:
    """Whether a group's record table is written in memory: it fits in what is left of the source's
    RECORDS_IN_MEMORY_ROWS (its rows are then counted there). Its rows: one per row of its canonical table,
    or of every table for a union of them; records per period may have many more (on disk)."""
    if any(k.per_period for k, _ in members):
        return False
    base = members[0][1].table
    rows = src.rows(base) if base else sum(src.rows(name) for name in src.tables)
    held = src.memo.get(("records_in_memory",), 0)
    if held + rows > RECORDS_IN_MEMORY_ROWS:
        return False
    src.memo[("records_in_memory",)] = held + rows
    return True


# The kinds whose cube answers the first, unfiltered report as well as the filters after it.
CUBED_TOGETHER_KINDS = ("ratio", "count", "mean", "duration")


def _cubed_together(members: list) -> bool:
    """Whether a group's cubes are made together, from its records' SQL, when the records are first asked for:
    every KPI of the group is a share, a count, a mean or a duration over its own records (the lift's and the
    distinct count's questions read the records; a per-period KPI has records per grain)."""
    return all(k.kind in CUBED_TOGETHER_KINDS and not k.per_period for k, _ in members)


def _read_alone(src: Source, members: list) -> bool:
    """Whether a group's records are left a view, computed where read: one KPI's records over a large workspace
    are read once by the report and once for the KPI's cube (the filters after it read the cube), so writing
    them costs more than computing them twice (the union of every table for field_completeness: 12M rows at
    10M payments, 3.3 s written, 0.9 s read)."""
    return len(members) == 1 and src.on_disk and src.large and not members[0][0].per_period


_SQL: dict = {}
_SQL_LOCK = threading.Lock()


def _compiled(src: Source, expr: ir.Table, key: tuple) -> str:
    """The SQL of a KPI's records: compiled once per process for the same tables (names and column types),
    the same answers to what the definitions asked of the data (is this column filled, is that table empty:
    a measure built on them differs), KPI, fiscal start and as-of date; a new source over new data reuses it."""
    tables = tuple(sorted((n, t.get_name(), tuple(t.schema().items())) for n, t in src.tables.items()))
    k = (src.dialect, tables, src.facts(), *key)
    with _SQL_LOCK:
        hit = _SQL.get(k)
    if hit is None:
        src.con._register_in_memory_tables(expr)
        hit = str(src.con.compile(expr))
        with _SQL_LOCK:
            if len(_SQL) > 512:
                _SQL.clear()
            _SQL[k] = hit
    return hit


def _where(src: Source, rec: M.Rec, filters: Filters, *, dates: bool = True) -> Q.exp.Expression:
    """The filters as a WHERE condition on the record view (values as literals the generator quotes)."""
    cond: list = []
    for dim, wanted in filters.dimension_values():
        cond.append(Q.is_in(f"_d_{dim}", wanted))
    if filters.vendors:
        cond.append(_vendor_match(src, rec, filters.vendors))
    if filters.value_band is not None:
        lo, hi = filters.value_band
        if lo is not None:
            cond.append(Q.col("_amount") >= Q.literal(float(lo)))
        if hi is not None:
            cond.append(Q.col("_amount") <= Q.literal(float(hi)))
    if dates:
        if filters.date_from is not None:
            cond.append(Q.col("_date") >= Q.literal(P.as_day(filters.date_from).astype(dt.date)))
        if filters.date_to is not None:
            cond.append(Q.col("_date") <= Q.literal(P.as_day(filters.date_to).astype(dt.date)))
    return Q.exp.and_(*cond) if cond else Q.exp.true()


def filtered(src: Source, rec: M.Rec, r: ir.Table, by: str | None, filters: Filters, *, dates: bool = True):
    """The record table under the filters (drill-downs: Ibis, rows to fetch), with _g."""
    r = r.filter(_ibis_where(src, rec, r, filters, dates))
    return r.mutate(_g=r[f"_d_{by}"] if by else ibis.literal(""))


def _ibis_where(src: Source, rec: M.Rec, r: ir.Table, filters: Filters, dates: bool) -> ir.BooleanValue:
    cond = ibis.literal(True)
    for dim, wanted in filters.dimension_values():
        cond = cond & r[f"_d_{dim}"].isin(wanted).fill_null(False)
    if filters.vendors:
        m = _vendor_match(src, rec, filters.vendors)
        if isinstance(m, Q.exp.In):
            name = m.this.name
            values = [v.this for v in m.expressions]
            cond = cond & r[name].isin(values).fill_null(False)
        else:
            cond = cond & ibis.literal(False)
    if filters.value_band is not None:
        lo, hi = filters.value_band
        if lo is not None:
            cond = cond & (r._amount >= float(lo)).fill_null(False)
        if hi is not None:
            cond = cond & (r._amount <= float(hi)).fill_null(False)
    if dates:
        if filters.date_from is not None:
            cond = cond & (r._date >= P.as_day(filters.date_from).astype(dt.date)).fill_null(False)
        if filters.date_to is not None:
            cond = cond & (r._date <= P.as_day(filters.date_to).astype(dt.date)).fill_null(False)
    return cond


# ----------------------------------------------------------------------------- events


def _fetch(expr) -> pd.DataFrame:
    return Q.fetch_expr(expr)


# ----------------------------------------------------------------------------- cubes

SUMMABLE_KINDS = ("ratio", "count", "mean", "lift", "duration")


def _summable(kpi: KPI, by: str | None, filters: Filters) -> bool:
    """Whether the KPI's value adds up from sums (a share, a count, a mean, the lift's category means; a
    duration's quantiles from its days counted) and the question filters and groups only by what its cube
    keeps: the dimensions and the date (a duration's month: whole months only). A vendor (thousands of them)
    or a value band (amounts) asks the records."""
    if by == "vendor" or filters.vendors or filters.value_band is not None:
        return False
    if kpi.kind.startswith("snapshot"):  # its records, counted at each period's reference date
        return True
    return kpi.kind in SUMMABLE_KINDS and (kpi.kind != "duration" or _whole_months(filters))


def _summable_now(kpi: KPI, src: Source, view: str, by: str | None, filters: Filters) -> bool:
    """Whether to answer from the KPI's cube: once it is written, whenever it can; before, only under a
    filter. The first, unfiltered report is one aggregate query per KPI over its records (a cube
    costs a few of those), and a KPI is cubed when it is first filtered: the filter changes after it read
    the cube."""
    if not _summable(kpi, by, filters):
        return False
    return ("cube", view) in src.memo or replace(filters, fiscal_years=()) != Filters()


def _whole_months(filters: Filters) -> bool:
    """Whether the date range starts on a month's first day and ends on a month's last."""
    first = filters.date_from is None or P.as_day(filters.date_from).astype(dt.date).day == 1
    last = filters.date_to is None or (P.as_day(filters.date_to).astype(dt.date) + dt.timedelta(days=1)).day == 1
    return first and last


def _cube(kpi: KPI, rec: M.Rec, src: Source, view: str, as_of: dt.date) -> Cube:
    """The KPI's records summed by date, each dimension but the vendor, and exclusion reason (with the count
    and the kind's sums), made once per records (_cube_together): a filter on dimensions and dates then reads
    tens of thousands of rows, not every record (10M payments). A duration counts its used records by their
    days and month (by day, it would keep nearly every record). Fetched: a filter change regroups it in arrays
    (kpi.sql.cube), with no query."""
    cube = src.memo.get(("cube", view))
    if cube is None:
        table, names = src.memo[("record columns", view)]
        _cube_together(src, table, [(kpi, rec, names, view)], as_of)
        cube = src.memo[("cube", view)]
    return cube


def _cube_together(src: Source, table: str, members: list, as_of: dt.date) -> None:
    """Every member's cube (see _cube) from one pass over the records' table or view: one GROUPING SET per
    distinct way the members group them (their date, reason and dimensions), every sum once. Members are
    (kpi, rec, {record column: the table's column}, the KPI's view of the table). At 10M payments
    the six payment KPIs' cubes take 2.1 s from the records' SQL, where writing the records takes 4.1 s and
    the report's six queries on them another 1.5 s."""
    keys: dict[str, str] = {}  # SQL -> alias
    sums: dict[str, str] = {}
    sets: dict[tuple, list] = {}  # the set's key aliases -> [(view, {cube column: alias}, {cube sum: alias})]
    for kpi, rec, names, view in members:
        if ("cube", view) in src.memo:
            continue
        key_sql, sum_sql = _cube_columns(kpi, rec, {n: f'"{c}"' for n, c in names.items()})
        key_of = {n: keys.setdefault(e, f"k{len(keys)}") for n, e in key_sql.items()}
        sum_of = {n: sums.setdefault(e, f"s{len(sums)}") for n, e in sum_sql.items()}
        sets.setdefault(tuple(key_of.values()), []).append((view, key_of, sum_of))
    if not sets:
        return
    every = list(keys.values())
    picked = [f"{e} AS {a}" for e, a in keys.items()] + [f"{e} AS {a}" for e, a in sums.items()]
    grouping = ", ".join(f"({', '.join(s)})" for s in sets)
    sql = (f"SELECT GROUPING({', '.join(every)}) AS _set, {', '.join(every)}, COUNT(*) AS _cnt"
           f"{''.join(f', SUM({a}) AS {a}' for a in sums.values())} "
           f'FROM (SELECT {", ".join(picked)} FROM "{table}") AS r GROUP BY GROUPING SETS ({grouping})')
    rows = Q.arrow(src, sql, as_of=as_of)
    for aliases, cubes in sets.items():
        # GROUPING(...) has a bit per key, the first the highest, set where the key is not in the set.
        mask = sum(1 << (len(every) - 1 - i) for i, a in enumerate(every) if a not in aliases)
        mine = rows.filter(pc.equal(rows["_set"], mask))
        for view, key_of, sum_of in cubes:
            columns = {n: mine[a] for n, a in key_of.items()} | {"_cnt": mine["_cnt"]} \
                | {n: mine[a] for n, a in sum_of.items()}
            src.memo[("cube", view)] = Cube.of(pa.table(columns))


def _cube_columns(kpi: KPI, rec: M.Rec, col: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """A KPI's cube as SQL over its records' columns (`col`: a record column's name -> its SQL): the grouping
    keys (_date: the day, a duration's month; _placed, _undated, each dimension but the vendor, _reason, a
    duration's days, the lift's side) and the sums (_num, _den, _sus; a mean's and the lift's _s1, a mean's
    _s2), as kpi.sql.cube.Cube reads them."""
    date, reason = col["_date"], col["_reason"]
    keys = {"_date": f"CAST(DATE_TRUNC('month', {date}) AS DATE)" if kpi.kind == "duration" else date,
            "_placed": f"({date} IS NOT NULL AND {date} <= :as_of)", "_undated": f"({date} IS NULL)",
            **{f"_d_{d}": col[f"_d_{d}"] for d in rec.dims if d != "vendor"}, "_reason": reason}
    sums: dict[str, str] = {}
    if kpi.kind == "duration":  # the used records counted by their days
        keys["_x"] = f"CASE WHEN {reason} IS NULL THEN {col['_x']} END"
    elif kpi.kind in ("ratio", "count"):
        sums = {n: col[n] for n in ("_num", "_den", "_sus") if n in col}
    elif kpi.kind in ("mean", "lift"):  # the sum of the values (and of their squares: a mean's spread)
        sums = {"_s1": col["_x"]} | ({"_s2": f"{col['_x']} * {col['_x']}"} if kpi.kind == "mean" else {})
    if kpi.kind == "lift":  # by side: engaged or not
        keys["_eng"] = col["_eng"]
    return keys, sums


# The cube's sums under the names the aggregate query gives them.
CUBE_SUMS = {"_cnt": "count", "_num": "numerator", "_den": "denominator", "_sus": "sustained", "_s1": "_s",
             "_s2": "_s2"}


def _aggregate_events(kpi: KPI, rec: M.Rec, src: Source, view: str, where, by: str | None, grain: str, fy: int,
                      as_of: dt.date, *, cube: Cube | None = None,
                      filters: Filters | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records placed by their date. One query groups them by (period, group, reason) with the kind's sums
    (used records have no reason); the lift's category sums take a second. A KPI with a cube takes the same
    rows from it under `filters`, in arrays. The few rows are shaped in arrays (a filter change runs this for
    every KPI)."""
    kind = kpi.kind
    sustained = getattr(rec.measure, "sustained", None) is not None  # a share of the numerator beside the value
    sums = ""
    if kind in ("ratio", "count"):
        sums = ", SUM(_num) AS numerator" + (", SUM(_den) AS denominator" if kind == "ratio" else "")
        if sustained:
            sums += ", SUM(_sus) AS sustained"
    elif kind == "mean":
        sums = ", SUM(_x) AS _s, SUM(_x * _x) AS _s2"
    elif kind == "duration":  # the used records are one group of their own: its quantiles are the value
        sums = ", QUANTILE_CONT(_x, 0.5) AS value, QUANTILE_CONT(_x, 0.9) AS p90"
    elif kind == "distinct":
        sums = ", COUNT(DISTINCT _key) AS value"
    inner = Q.placed_records(view, by, grain, fy)
    if cube is not None:  # a duration's cube keeps the used records' days: the quantiles are taken below
        keep = cube.select(filters)
        raw = cube.rows(keep, by, grain, fy, keys=("_reason", "_x") if kind == "duration" else ("_reason",))
        raw = raw.rename(columns=CUBE_SUMS) if len(raw) else pd.DataFrame(
            columns=["_code", "_placed", "_undated", "_g", "_reason", "count"])
    else:
        raw = Q.query(src, f'SELECT _code, _placed, _undated, _g, _reason, COUNT(*) AS "count"{sums} '
                      f"FROM ({inner}) AS r GROUP BY _code, _placed, _undated, _g, _reason", where, as_of=as_of)
    placed = raw["_placed"].to_numpy(dtype=bool, na_value=False)
    has_reason = raw["_reason"].notna().to_numpy()
    reasons_raw = raw[has_reason]
    if not placed.any():
        return empty_frame(kpi, by), _reasons(reasons_raw, by, grain, fy)
    # One slot per (period, group) with a placed record: used rows fill it (one each), excluded rows add up.
    p = raw[placed]
    used = ~has_reason[placed]
    codes = p["_code"].to_numpy(dtype=np.int64)
    # A group never recorded comes from PostgreSQL as None objects: the same missing group as DuckDB's NULL.
    gcodes, groups = pd.factorize(p["_g"].astype(object).where(p["_g"].notna(), None).to_numpy(), sort=True)
    key = codes * (len(groups) + 1) + gcodes + 1  # missing group (-1) first, as the sort below wants
    slots, slot = np.unique(key, return_inverse=True)
    counts = p["count"].to_numpy(dtype=np.int64)
    n = np.bincount(slot, weights=np.where(used, counts, 0), minlength=len(slots)).astype(np.int64)
    excluded = np.bincount(slot, weights=np.where(used, 0, counts), minlength=len(slots)).astype(np.int64)

    def per_slot(column: str, fill=np.nan) -> np.ndarray:
        out = np.full(len(slots), fill, dtype=float)
        out[slot[used]] = p[column].to_numpy(dtype=float, na_value=np.nan)[used]
        return out

    slot_codes = slots // (len(groups) + 1)
    gidx = slots % (len(groups) + 1) - 1
    slot_groups = np.where(gidx >= 0, np.asarray(groups, dtype=object)[np.maximum(gidx, 0)], None) if len(groups) \
        else np.full(len(slots), None, dtype=object)
    cols: dict[str, np.ndarray] = {}
    uncompared = None
    if kind in ("ratio", "count"):
        num = np.nan_to_num(per_slot("numerator", 0.0))
        if kind == "ratio":
            den = np.nan_to_num(per_slot("denominator", 0.0))
            with np.errstate(invalid="ignore", divide="ignore"):
                cols["value"] = np.where(den != 0, num / np.where(den != 0, den, 1), np.nan)
            cols["numerator"], cols["denominator"] = num, den
        else:
            cols["value"] = num
        if sustained:
            sus = np.nan_to_num(per_slot("sustained", 0.0))
            cols["sustained"] = sus
            with np.errstate(invalid="ignore", divide="ignore"):
                cols["sustained_share"] = np.where(num > 0, sus / np.where(num > 0, num, 1), np.nan)
    elif kind == "mean":
        s1, s2 = np.nan_to_num(per_slot("_s", 0.0)), np.nan_to_num(per_slot("_s2", 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = s1 / n
            var = (s2 - n * mean ** 2) / np.maximum(n - 1, 1)
        cols["value"] = np.where(n > 0, mean, np.nan)
        cols["sd"] = np.where(n > 1, np.sqrt(np.maximum(var, 0)), np.nan)
    elif kind == "duration" and cube is not None:
        x = p["_x"].to_numpy(dtype=float, na_value=np.nan)
        cols["value"], cols["p90"] = _quantiles(slot[used], x[used], counts[used], len(slots), (0.5, 0.9))
    elif kind == "duration":
        cols["value"], cols["p90"] = per_slot("value"), per_slot("p90")
    elif kind == "distinct":
        cols["value"] = np.nan_to_num(per_slot("value", 0.0))
    elif kind == "lift":
        if cube is not None:
            cat = cube.rows(keep, by, grain, fy, keys=("_d_category", "_eng"), used_only=True)
            cat = cat.rename(columns={"_d_category": "_cat", "_cnt": "c", "_s1": "s"}).reindex(
                columns=["_code", "_g", "_cat", "_eng", "c", "s"])
        else:
            used_only = f"SELECT {{cols}} FROM ({inner}) AS r WHERE _placed AND _reason IS NULL GROUP BY {{keys}}"
            cat = Q.query(src, used_only.format(cols="_code, _g, _d_category AS _cat, _eng, COUNT(*) AS c, SUM(_x) AS s",
                                                keys="_code, _g, _d_category, _eng"), where, as_of=as_of)
        cat["_code"] = cat["_code"].astype(np.int64)
        agg = pd.DataFrame({"_code": slot_codes, "_g": slot_groups, "n": n, "excluded": excluded})
        agg, uncompared = _lift(cat, agg)
        cols = {c: agg[c].to_numpy() for c in ("value", "engaged_n", "not_engaged_n", "engaged_mean_bids",
                                               "not_engaged_mean_bids")}
        n, excluded = agg["n"].to_numpy(dtype=np.int64), agg["excluded"].to_numpy(dtype=np.int64)
    frame = period_frame(slot_codes, grain, fy, np.datetime64(as_of, "D"))
    if by:
        frame.insert(5, "group", np.where(pd.isna(slot_groups), NOT_RECORDED, slot_groups).astype(object))
    for col, values in cols.items():
        frame[col] = values
    frame["n"] = n
    frame["excluded"] = excluded
    if kind == "count" and not by:
        frame = _fill_counts(frame, int(slot_codes.min()), int(slot_codes.max()), grain, fy, as_of)
    frame = order_frame(frame, by)
    reasons = _reasons(reasons_raw, by, grain, fy)
    if uncompared is not None and (uncompared["count"] > 0).any():
        u = uncompared[uncompared["count"] > 0]
        labels = P.labels(u["_code"].to_numpy(), grain, fy)
        extra = pd.DataFrame({"period_label": labels, "reason": NO_COMPARISON, "count": u["count"].to_numpy()})
        if by:
            extra.insert(1, "group", u["_g"].fillna(NOT_RECORDED).to_numpy(dtype=object))
        reasons = pd.concat([reasons, extra], ignore_index=True)
    return frame, reasons


def _quantiles(slot: np.ndarray, x: np.ndarray, counts: np.ndarray, slots: int, qs) -> list[np.ndarray]:
    """Each slot's continuous quantiles of x (QUANTILE_CONT's: the values at positions floor and ceil of
    (n - 1) q, interpolated) from its values counted (x repeated counts times); NaN where no value."""
    keep = ~np.isnan(x)
    slot, x, counts = slot[keep], x[keep], counts[keep].astype(np.int64)
    order = np.lexsort((x, slot))
    slot, x, counts = slot[order], x[order], counts[order]
    ends = np.cumsum(counts)  # each row's values end at this position, counted over every slot
    total = np.bincount(slot, weights=counts, minlength=slots).astype(np.int64)
    start = np.cumsum(total) - total
    out = []
    for q in qs:
        h = (total - 1) * q
        lo, hi = np.floor(h), np.ceil(h)
        at = np.minimum(np.searchsorted(ends, start + lo, side="right"), max(len(x) - 1, 0))
        up = np.minimum(np.searchsorted(ends, start + hi, side="right"), max(len(x) - 1, 0))
        a, b = (x[at], x[up]) if len(x) else (np.full(slots, np.nan), np.full(slots, np.nan))
        out.append(np.where(total == 0, np.nan, np.where(hi > lo, a + (b - a) * (h - lo), a)))
    return out


def _lift(cat: pd.DataFrame, agg: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per (period, group): mean bids with engagement minus without, within each category (only categories
    with both), weighted by the category's solicitations; the per-category sums come from the engine."""
    keys = ["_code", "_g", "_cat"]
    cat = cat.astype({"_eng": np.int64, "c": np.int64}).assign(_g=cat["_g"].fillna(NOT_RECORDED),
                                                                _cat=cat["_cat"].fillna(NOT_RECORDED))
    wide = cat.pivot_table(index=keys, columns="_eng", values=["c", "s"], aggfunc="sum", fill_value=0)
    c0, c1, s0, s1 = ((wide[(v, e)] if (v, e) in wide.columns else pd.Series(0, index=wide.index))
                      for v, e in (("c", 0), ("c", 1), ("s", 0), ("s", 1)))
    both = (c0 > 0) & (c1 > 0)
    per = pd.DataFrame({
        "w": (c0 + c1).where(both, 0),
        "wdiff": ((s1 / c1.where(c1 > 0) - s0 / c0.where(c0 > 0)) * (c0 + c1)).where(both, 0.0),
        "eng_n": c1.where(both, 0), "not_n": c0.where(both, 0),
        "eng_s": s1.where(both, 0.0), "not_s": s0.where(both, 0.0)}).groupby(level=["_code", "_g"]).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        lift = pd.DataFrame({
            "value": np.where(per["w"] > 0, per["wdiff"] / per["w"].where(per["w"] > 0, 1), np.nan),
            "engaged_n": per["eng_n"].astype(np.int64), "not_engaged_n": per["not_n"].astype(np.int64),
            "engaged_mean_bids": np.where(per["eng_n"] > 0, per["eng_s"] / per["eng_n"].where(per["eng_n"] > 0, 1),
                                          np.nan),
            "not_engaged_mean_bids": np.where(per["not_n"] > 0,
                                              per["not_s"] / per["not_n"].where(per["not_n"] > 0, 1), np.nan),
            "_compared": per["w"].astype(np.int64)}, index=per.index).reset_index()
    agg = agg.assign(_gk=agg["_g"].fillna(NOT_RECORDED)).merge(
        lift.rename(columns={"_g": "_gk"}), on=["_code", "_gk"], how="left").drop(columns="_gk")
    agg["engaged_n"] = agg["engaged_n"].fillna(0).astype(np.int64)
    agg["not_engaged_n"] = agg["not_engaged_n"].fillna(0).astype(np.int64)
    compared = agg["_compared"].fillna(0).astype(np.int64)
    unc = agg["n"] - compared
    agg["n"] = compared
    agg["excluded"] = agg["excluded"] + unc
    return agg.drop(columns="_compared"), pd.DataFrame({"_code": agg["_code"], "_g": agg["_g"], "count": unc})


def _reasons(raw: pd.DataFrame, by: str | None, grain: str, fy: int) -> pd.DataFrame:
    """The excluded records counted by (period, group, reason): periods in order, then records not dated, then
    records dated after the as-of date."""
    if raw.empty:
        return empty_reasons(by)
    placed = raw["_placed"].to_numpy(dtype=bool, na_value=False)
    undated = raw["_undated"].to_numpy(dtype=bool, na_value=False)
    codes = raw["_code"].to_numpy(dtype=float, na_value=np.nan)
    labels = np.empty(len(raw), dtype=object)
    if placed.any():
        labels[placed] = P.labels(codes[placed].astype(np.int64), grain, fy)
    labels[~placed] = np.where(undated[~placed], NO_DATE_LABEL, AFTER_LABEL)
    order = np.where(placed, np.nan_to_num(codes, nan=0), np.where(undated, 1e18, 2e18))
    reasons = raw["_reason"].to_numpy(dtype=object)
    keys = [_ranks(reasons)]
    out = {"period_label": labels}
    if by:
        out["group"] = raw["_g"].astype(object).where(raw["_g"].notna(), NOT_RECORDED).to_numpy(dtype=object)
        keys.append(_ranks(out["group"]))
    out["reason"], out["count"] = reasons, raw["count"].to_numpy(dtype=np.int64)
    sort = np.lexsort((*keys, order))  # the last key sorts first
    return pd.DataFrame({k: v[sort] for k, v in out.items()})


def _ranks(texts: np.ndarray) -> np.ndarray:
    """Each text's rank in sorted order (np.lexsort sorts numbers, not objects)."""
    return np.unique(texts.astype(str), return_inverse=True)[1].reshape(-1)


def _fill_counts(frame: pd.DataFrame, cmin: int, cmax: int, grain: str, fy: int, as_of) -> pd.DataFrame:
    """A count is zero, not missing, in a period inside the data's span that had no event."""
    full = period_frame(np.arange(cmin, cmax + 1), grain, fy, np.datetime64(as_of, "D"))
    add = full[~full["period_label"].isin(set(frame["period_label"]))].copy()
    if add.empty:
        return frame
    add["value"] = 0.0
    add["n"] = 0
    add["excluded"] = 0
    return pd.concat([frame, add], ignore_index=True)


# ----------------------------------------------------------------------------- snapshots


def _snapshot_refs(r: ir.Table, grain: str, fy: int, as_of: dt.date, filters: Filters) -> pd.DataFrame:
    first = _fetch(r.filter(r._reason.isnull() & r._lo.notnull()).aggregate(lo=r._lo.min()))["lo"].iloc[0]
    return _periods_from(first, grain, fy, as_of, filters)


def _periods_from(first, grain: str, fy: int, as_of: dt.date, filters: Filters) -> pd.DataFrame:
    """kpi.results.snapshot_periods as a frame: _code and _ref (the reference date)."""
    codes, refs = snapshot_periods(first, grain, fy, np.datetime64(as_of, "D"), filters)
    return pd.DataFrame({"_code": codes, "_ref": pd.Series(refs.astype(dt.date), dtype="object")})


def _spans(rec: M.Rec, src: Source, view: str) -> Spans:
    """A snapshot KPI's records with their spans, dimensions (but the vendor), reason and sums, fetched once
    per records (contracts: 500,000 at most in the largest benchmark)."""
    key = ("spans", view)
    spans = src.memo.get(key)
    if spans is None:
        m = rec.measure
        cols = ["_lo", "_hi", *(f"_d_{d}" for d in rec.dims if d != "vendor"), "_reason"]
        cols += [f"_lo{w}" for w in m.windows] + ["_flag_hi"] if isinstance(m, M.Expiring) else ["_num", "_den"]
        spans = src.memo[key] = Spans.of(Q.arrow(src, f"SELECT {', '.join(cols)} FROM {view} AS v"))
    return spans


def _aggregate_snapshot(kpi: KPI, rec: M.Rec, src: Source, view: str, where, by: str | None, grain: str, fy: int,
                        as_of: dt.date, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records counted at each period's reference date while they cover it. Under filters on dimensions, in
    arrays over the records fetched once (Spans); else the periods are a VALUES list joined to the record
    view: one query counts them by (period, group, reason), one the undated."""
    g = f"_d_{by}" if by else "''"
    # (Spans cost about one query: fetched from the first question on.)
    spans = _spans(rec, src, view) if _summable(kpi, by, filters) else None
    if spans is not None:
        keep = spans.select(filters)
        first = spans.first(keep)
    else:
        first = Q.query(src, f'SELECT MIN(_lo) AS lo FROM {view} AS v WHERE _reason IS NULL AND _lo IS NOT NULL '
                        "AND :filters", where)["lo"].iloc[0]
    refs = _periods_from(first, grain, fy, as_of, filters)
    if refs.empty:
        return empty_frame(kpi, by), empty_reasons(by)
    m = rec.measure
    expiring = isinstance(m, M.Expiring)
    in_range = "(_lo <= _ref AND _ref <= _hi)"
    if expiring:
        sums = ", ".join(f"SUM(CASE WHEN _reason IS NULL AND _lo{w} <= _ref AND _ref <= _flag_hi THEN 1 ELSE 0 END)"
                         f" AS value_{w}" for w in m.windows)
        widest = f"LEAST(_lo{max(m.windows)}, _lo)"
    else:
        sums = (f"SUM(CASE WHEN {in_range} THEN _num END) AS numerator, "
                f"SUM(CASE WHEN {in_range} THEN _den END) AS denominator")
        widest = "_lo"
    if spans is not None:
        counted = spans.counted(keep, refs["_code"].to_numpy(dtype=np.int64),
                                np.array(refs["_ref"].tolist(), dtype="datetime64[D]"), by)
        undated = spans.undated(keep, by)
    else:
        counted = Q.query(
            src, f"SELECT _code, _g, _reason, SUM(CASE WHEN {in_range} THEN 1 ELSE 0 END) AS cnt, {sums} "
            f'FROM (SELECT *, {g} AS _g FROM {view} AS v WHERE _lo IS NOT NULL AND _hi IS NOT NULL AND :filters) '
            f"AS r JOIN __refs__ ON {widest} <= _ref AND _ref <= _hi GROUP BY _code, _g, _reason", where,
            rows={"__refs__": refs[["_code", "_ref"]]})
        undated = Q.query(src, f'SELECT _g, _reason, COUNT(*) AS "count" FROM (SELECT _reason, {g} AS _g FROM {view} '
                          "AS v WHERE _reason IS NOT NULL AND (_lo IS NULL OR _hi IS NULL) AND :filters) AS r "
                          "GROUP BY _g, _reason", where)
    used = counted["_reason"].isna()
    excluded = counted[~used & (counted["cnt"] > 0)]
    keys = ["_code", "_g"]
    agg = counted[used].drop(columns="_reason").rename(columns={"cnt": "n"}).merge(
        excluded.groupby(keys, dropna=False)["cnt"].sum().rename("excluded").reset_index(), on=keys, how="outer")
    reasons_raw = excluded[["_code", "_g", "_reason", "cnt"]].rename(columns={"cnt": "count"})
    if by:
        agg = agg[(agg["n"].fillna(0) > 0) | (agg["excluded"].fillna(0) > 0)]
        full = agg.merge(refs, on="_code")
    else:
        full = refs.merge(agg.drop(columns="_g"), on="_code", how="left")
        full["_g"] = ""
    for col in [c for c in full.columns if c not in ("_code", "_g", "_ref")]:
        full[col] = full[col].fillna(0)
    full["_code"] = full["_code"].astype(np.int64)
    full = full.sort_values(["_code", "_g"]).reset_index(drop=True)
    frame = period_frame(full["_code"].to_numpy(), grain, fy, np.datetime64(as_of, "D"))
    if by:
        frame.insert(5, "group", full["_g"].fillna(NOT_RECORDED).astype(object).to_numpy())
    if expiring:
        for w in m.windows:
            frame[f"value_{w}"] = full[f"value_{w}"].astype(float).to_numpy()
        frame["value"] = frame[f"value_{m.window}"]
        frame = frame[[c for c in frame.columns if c != "value"][:6 if by else 5] + ["value"] +
                      [c for c in frame.columns if c not in frame.columns[:6 if by else 5] and c != "value"]]
    else:
        num = full["numerator"].astype(float).to_numpy()
        den = full["denominator"].astype(float).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            frame["value"] = np.where(den != 0, num / np.where(den != 0, den, 1), np.nan)
        frame["numerator"], frame["denominator"] = num, den
    frame["n"] = full["n"].astype(np.int64).to_numpy()
    frame["excluded"] = full["excluded"].astype(np.int64).to_numpy()
    frame["reference_date"] = pd.to_datetime(pd.Series(full["_ref"].to_numpy()))
    frame = order_frame(frame, by)
    rr = reasons_raw.copy()
    rr["_placed"] = True
    rr["_undated"] = False
    if len(undated):
        ud = undated.copy()
        ud["_code"] = np.nan
        ud["_placed"] = False
        ud["_undated"] = True
        rr = pd.concat([rr, ud], ignore_index=True)
    return frame, _reasons(rr, by, grain, fy)


# ----------------------------------------------------------------------------- public entry points

NOT_YET_PORTED_REASON = "not yet computed in the database engine (issue 16)"
# KPIs whose SQL definition does not (yet) give what the recorded results (tests/golden, from the deleted
# pandas engine) hold: the engine reports no data with NOT_YET_PORTED_REASON for them rather than a different number.
# tests/test_engine_parity.py checks every other KPI for exact equality with tests/golden and each of these
# for that reason, so the list only shrinks deliberately, as definitions are ported.
NOT_YET_PORTED: frozenset[str] = frozenset()  # every KPI of the registry has its SQL definition


def _empty_result(kpi, by, missing, base) -> KPIResult:
    return KPIResult(frame=empty_frame(kpi, by), excluded_reasons=empty_reasons(by), missing=missing, **base)


def compute(kpi_id: str, tables, *, filters: Filters | None = None, grain: str = "quarter", by: str | None = None,
            fy_start_month: int = 7, as_of=None) -> KPIResult:
    """One KPI by period (and group) under the filters, computed where the tables are."""
    kpi = _kpi(kpi_id)
    filters = filters or Filters()
    grain = P.normalise_grain(grain)
    fy = P.check_start_month(fy_start_month)
    _check_by(kpi, by)
    day = _as_of(as_of)
    src = source_of(tables)
    # The same question asked again of the same data version (a scorecard's card and the dollar figure beside
    # it, a page's card and its chart) is answered once.
    key = ("result", kpi_id, filters, grain, by, fy, day)
    hit = src.memo.get(key)
    if hit is None:
        # Asked by two threads at once (two sessions; a page and the background preparation after an import,
        # ui.data.prepare_overview): the second waits for the first's answer instead of computing it again.
        with _asking(src, key):
            hit = src.memo.get(key)
            if hit is None:
                if src.memo.get(("results",), 0) >= KEPT_RESULTS:
                    for k in [k for k in src.memo if isinstance(k, tuple) and k[:1] in (("result",), ("asking",))]:
                        del src.memo[k]
                    src.memo[("results",)] = 0
                hit = src.memo[key] = _compute(kpi, src, filters, grain, by, fy, day)
                src.memo[("results",)] = src.memo.get(("results",), 0) + 1
    return replace(hit, frame=hit.frame.copy(), excluded_reasons=hit.excluded_reasons.copy())


def _asking(src: Source, key: tuple) -> threading.Lock:
    """The lock of one question on one source (made once, under the source's own lock)."""
    with src._lock:
        return src.memo.setdefault(("asking", key), threading.Lock())


KEPT_RESULTS = 2048  # results kept per source (every KPI under a few dozen filter sets)


def _compute(kpi: KPI, src: Source, filters: Filters, grain: str, by: str | None, fy: int, day: dt.date) -> KPIResult:
    kpi_id = kpi.id
    base = dict(kpi=kpi, grain=grain, fy_start_month=fy, as_of=day, by=by, filters=filters)
    if kpi_id in NOT_YET_PORTED or getattr(M, kpi_id, None) is None:  # said, never a divergent number
        return _empty_result(kpi, by, (NOT_YET_PORTED_REASON,), base)
    missing = src.missing(kpi.needs)
    if missing:
        return _empty_result(kpi, by, missing, base)
    rec, view = records(src, kpi, fy, day, _needed(by, filters), grain)
    if rec is None:
        return _empty_result(kpi, by, (), base)
    if kpi.kind.startswith("snapshot"):  # date filters select periods (reference dates), not records
        where = _where(src, rec, filters, dates=False)
        frame, reasons = _aggregate_snapshot(kpi, rec, src, view, where, by, grain, fy, day, filters)
    else:
        # Every period lies inside one fiscal year: a fiscal-year filter selects periods of the result.
        where = _where(src, rec, replace(filters, fiscal_years=()))
        cube = _cube(kpi, rec, src, view, day) if _summable_now(kpi, src, view, by, filters) else None
        if cube is None:
            _write_when_asked(src, view)
        frame, reasons = _aggregate_events(kpi, rec, src, view, where, by, grain, fy, day, cube=cube,
                                           filters=replace(filters, fiscal_years=()))
        if filters.fiscal_years:
            frame = frame[frame["fiscal_year"].isin(filters.fiscal_years)].reset_index(drop=True)
            reasons = reasons[reasons["period_label"].isin(set(frame["period_label"]))].reset_index(drop=True)
    return KPIResult(frame=frame, excluded_reasons=reasons, notes=rec.notes, **base)


def compute_all(tables, **kwargs) -> dict[str, KPIResult]:
    """Every KPI of the registry (same keyword arguments as compute; a `by` a KPI lacks is ignored for it)."""
    src = source_of(tables)
    by = kwargs.pop("by", None)
    src.memo[("batch",)] = True
    try:
        return {k: compute(k, src, by=by if by in KPIS[k].breakdowns else None, **kwargs) for k in KPIS}
    finally:
        src.memo.pop(("batch",), None)


# ----------------------------------------------------------------------------- drill-down


def drilldown(kpi_id: str, tables, *, filters: Filters | None = None, period_label: str | None = None,
              group: str | None = None, fy_start_month: int = 7, grain: str = "quarter", as_of=None,
              by: str | None = None) -> Drilldown:
    """Records behind the value of `period_label` (default: the latest period with records) and `group`:
    only those rows come back from the engine."""
    kpi = _kpi(kpi_id)
    filters = filters or Filters()
    grain = P.normalise_grain(grain)
    fy = P.check_start_month(fy_start_month)
    day = _as_of(as_of)
    src = source_of(tables)
    none = Drilldown(Records(), Records(), Records(columns=("reason",)), kpi, period_label, group)
    if kpi_id in NOT_YET_PORTED or getattr(M, kpi_id, None) is None or src.missing(kpi.needs):
        return none
    dims = [by] if by else [d for d in kpi.breakdowns]
    rec, _view = records(src, kpi, fy, day, _needed(None, filters) | set(dims if group is not None else []),
                                 grain)
    if rec is None:
        return none
    snapshot = kpi.kind.startswith("snapshot")
    m = rec.measure
    shown = {c: rec.t[c] for c in rec.source_columns}
    if rec.table == "":
        shown = {"table": rec.dims["table"]}
    measures = {}
    x = getattr(m, "x", None)
    if x is not None:
        measures[getattr(m, "x_name", "days")] = x.cast("float64")
    if isinstance(m, (M.Ratio, M.Count, M.Active)):
        measures["_counted"] = (m.num != 0).fill_null(False)
        if isinstance(m, M.Ratio) and m.dollars:
            measures["numerator_amount"] = m.num.cast("float64")
            measures["denominator_amount"] = m.den.cast("float64")
    if isinstance(m, M.Lift):
        measures["engaged"] = M.one_if(m.engaged)
    for name, e in rec.extra.items():
        if name not in shown:
            measures[name] = e
    extra = {**{f"_s_{k}": v for k, v in shown.items()}, **measures}
    r = filtered(src, rec, rec.t.select(**_columns(rec, kpi, day), **extra), None, filters, dates=not snapshot)
    if group is not None:
        gcond = ibis.literal(False)
        for d in dims:
            if f"_d_{d}" in r.columns:
                gcond = gcond | (r[f"_d_{d}"].isnull() if group == NOT_RECORDED else (r[f"_d_{d}"] == group))
        r = r.filter(gcond)
    if snapshot:
        refs = _snapshot_refs(r, grain, fy, day, filters)
        if refs.empty:
            return none
        if period_label is None:
            t = len(refs) - 1
        else:
            want = P.parse_label(period_label, grain, fy)
            hit = np.flatnonzero(refs["_code"].to_numpy() == want)
            if not len(hit):
                return none
            t = int(hit[0])
        ref = refs["_ref"].iloc[t]
        label = P.labels(np.array([refs["_code"].iloc[t]]), grain, fy)[0]
        inp, held = _held(src, r.filter(r._lo.notnull() & r._hi.notnull() & (r._lo <= ref) & (r._hi >= ref)))
        den = inp.filter(inp._reason.isnull())
        num = den.filter((den._flag_hi.notnull() & (den._flag_hi >= ref)) if isinstance(m, M.Expiring)
                         else den._num != 0)
        exc = inp.filter(inp._reason.notnull())
    else:
        if period_label is None:
            placed = r.filter(r._reason.isnull() & r._date.notnull() & (r._date <= day))
            last = _fetch(placed.aggregate(d=placed._date.max()))["d"].iloc[0]
            if last is None or pd.isna(last):
                return replace(none, period_label=None)
            target = P.code_of(last, grain, fy)
        else:
            target = P.parse_label(period_label, grain, fy)
        label = P.labels(np.array([target]), grain, fy)[0]
        # The period as a date range (its code is a function of the date): the engine compares dates, not codes.
        first = P.period_start(np.array([target]), grain, fy)[0].astype(dt.date)
        last_day = min(P.period_end(np.array([target]), grain, fy)[0].astype(dt.date), day)
        inp, held = _held(src, r.filter(r._date.notnull() & (r._date >= first) & (r._date <= last_day)))
        den = inp.filter(inp._reason.isnull())
        exc = inp.filter(inp._reason.notnull())
        if isinstance(m, M.Lift):
            both = den.group_by("_d_category").aggregate(e=den.engaged.max(), ne=den.engaged.min())
            both = both.filter((both.e == 1) & (both.ne == 0)).select(_bc="_d_category")
            dj = den.left_join(both, den._d_category == both._bc)
            uncompared = dj.filter(dj._bc.isnull()).drop("_bc").mutate(_reason=ibis.literal(NO_COMPARISON))
            den = dj.filter(dj._bc.notnull()).drop("_bc")
            exc = exc.mutate(_part=ibis.literal(0)).union(uncompared.mutate(_part=ibis.literal(1)))
        num = den.filter(den._counted) if kpi.kind in ("ratio", "count") else den
    parts = [_records(q, shown, measures, kpi, label, held, reason=q is exc) for q in (num, den, exc)]
    return Drilldown(*parts, kpi, label, group)


_DRILL_TABLES = itertools.count()


def _held(src: Source, rows: ir.Table) -> tuple[ir.Table, _Held]:
    """The period's records computed once, in a temporary table (cached in Spark): each tab's count and
    first rows then read that table, not the KPI's tables and joins again. The table is dropped once no
    drill-down part refers to it any more (by the next drill-down on the source, never by the collector)."""
    held = _Held(src)
    released = src.memo.setdefault(("drill", "released"), [])
    while released:
        src.drop(released.pop())
    name = f"kpi_drill_{next(_DRILL_TABLES)}"
    src.con._register_in_memory_tables(rows)
    table = src.view(name, str(src.con.compile(rows)), materialize=True, in_memory=True)
    weakref.finalize(held, released.append, name)
    return table, held


class _Held:
    """What a drill-down's parts keep alive while they are read: their source (a workspace's closes its
    connection when collected) and its temporary table."""

    def __init__(self, source: Source):
        self.source = source


RECORD_IDS = ("solicitation_id", "contract_id", "payment_id", "vendor_id")


def _records(q: ir.Table, shown: dict, measures: dict, kpi: KPI, label: str, held, *, reason: bool) -> Records:
    """A drill-down part as a query with the drill-down's column names (fetched only when asked)."""
    counted = "counted" if kpi.kind in ("ratio", "count", "snapshot_ratio") else "_counted"
    cols = {c: q[f"_s_{c}"] for c in shown}
    cols |= {(counted if c == "_counted" else c): q[c] for c in measures if not c.startswith("_") or c == "_counted"}
    if reason:
        cols["reason"] = q._reason
    ids = [c for c in RECORD_IDS if c in shown]
    # By date, the ids, then every column: the same rows in the same order however the records were read.
    order = [*(["_part"] if "_part" in q.columns else []), "_date", *ids, *(c for c in cols if c not in ids)]
    hidden = {c: q[c] for c in ("_part", "_date") if c in q.columns}
    return Records(q.select(**cols, **hidden), order, finish=lambda f: _finished(f, label), held=held)


def _finished(f: pd.DataFrame, label: str) -> pd.DataFrame:
    for c in f.columns:
        if f[c].dtype == object and len(f) and isinstance(f[c].dropna().iloc[0] if f[c].notna().any() else None,
                                                            dt.date):
            f[c] = pd.to_datetime(f[c])
    if "reason" in f:
        f.insert(0, "reason", f.pop("reason"))
    f.insert(0, "period_label", label)
    return f


# ----------------------------------------------------------------------------- lists built on a KPI's records


def selection(kpi_id: str, tables, *, filters: Filters | None = None, fy_start_month: int = 7, as_of=None,
              dates: bool = True, columns=None, check_needs: bool = True, name: str | None = None, extend=None):
    """(Rec, table) for the lists built on a KPI's records (kpi.contracts, kpi.market): the KPI's records under
    the filters as an Ibis table, not fetched (the caller fetches only the rows or aggregates it shows). Columns:
    the engine's record columns (_date; _reason, NULL for a record the KPI uses; _d_<dimension>, _vkey, _amount
    and the kind's own), `columns(rec)` (name -> expression over rec.t) and what `extend(table)` adds (joins).
    Dimension, vendor and value-band filters apply; with `dates`, the date range and the fiscal years apply to
    the record's date. A `name` writes the list's rows, before the filters, once per source, as-of date and
    fiscal start (a temporary table): each filter change then queries only that small table. (None, None) when
    the KPI's tables or columns are missing (`check_needs`) or it has no records."""
    kpi = _kpi(kpi_id)
    filters = filters or Filters()
    fy = P.check_start_month(fy_start_month)
    day = _as_of(as_of)
    src = source_of(tables)
    if check_needs and src.missing(kpi.needs):
        return None, None
    with_method = "method" in _needed(None, filters)
    key = ("selection", kpi_id, name, fy, day, with_method)
    hit = src.memo.get(key) if name else None
    if hit is None:
        # The KPI's record expression (not its written records: the list selects its own columns from it).
        rec = measure_of(kpi_id)(M.Context(src, day, fy, frozenset(M.DIMENSIONS) if with_method
                                           else frozenset({"vendor"})))
        if rec is None:
            return None, None
        base = rec.t.select(**_columns(rec, kpi, day), **(columns(rec) if columns else {}))
        if extend is not None:
            base = extend(base)
        if name:
            table = f"kpi_list_{kpi_id}_{name}_{len(src.memo)}"
            src.view(table, _compiled(src, base, key), materialize=True)
            base = src.con.table(table)
            src.memo[key] = (rec, base)
        hit = (rec, base)
    rec, r = hit
    r = r.filter(_ibis_where(src, rec, r, filters, dates))
    if dates and filters.fiscal_years:
        years = [int(y) for y in filters.fiscal_years]
        r = r.filter(M.fiscal_year_of(r._date, fy).isin(years).fill_null(False))
    return rec, r


def fetch(expr) -> pd.DataFrame:
    """The rows of an expression over a source's tables (the rows a user sees, or an aggregate)."""
    return _fetch(expr)


def clear_cache() -> None:
    with _SOURCES_LOCK:
        _SOURCES.clear()


__all__ = ["compute", "compute_all", "drilldown", "selection", "fetch", "source_of", "Source", "Mapping",
           "NOT_YET_PORTED", "NOT_YET_PORTED_REASON"]
