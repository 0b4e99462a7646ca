"""The aggregate queries on a KPI's record view, written once (DuckDB's SQL) and transpiled by sqlglot to the
backend's dialect; run on the backend's own driver. A filter change costs a parse-free rewrite of a cached
syntax tree and one round trip per query (no expression compiler in the loop).

User input (filter values, dates, the value band) only ever enters as sqlglot literal nodes, which the
generator quotes for the dialect; identifiers are our own constants.
"""

from __future__ import annotations

import datetime as dt
import threading
from functools import lru_cache

import numpy as np
import pandas as pd
import sqlglot
from sqlglot import exp

from .. import periods as P

_DIALECTS = {"duckdb": "duckdb", "postgres": "postgres", "pyspark": "spark"}
_LOCK = threading.Lock()


@lru_cache(maxsize=256)
def _template(sql: str) -> exp.Expression:
    return sqlglot.parse_one(sql, read="duckdb")


def literal(value) -> exp.Expression:
    """A value as a typed SQL literal (quoted by the generator)."""
    if value is None:
        return exp.Null()
    if isinstance(value, (dt.date, np.datetime64)):
        day = P.as_day(value).astype(dt.date) if isinstance(value, np.datetime64) else value
        return exp.cast(exp.Literal.string(day.isoformat()), "DATE")
    if isinstance(value, (bool, np.bool_)):
        return exp.Boolean(this=bool(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return exp.Literal.number(repr(float(value)) if isinstance(value, (float, np.floating)) else int(value))
    return exp.Literal.string(str(value))


def col(name: str) -> exp.Column:
    return exp.column(name)


def is_in(name: str, values) -> exp.Expression:
    values = list(values)
    if not values:
        return exp.false()
    return exp.column(name).isin(*[literal(v) for v in values])


def build(sql: str, where: exp.Expression | None = None, **values) -> exp.Expression:
    """The template with its :placeholders replaced by literals (or expressions) and `where` set in the
    innermost subquery marked by the placeholder :filters."""
    tree = _template(sql).copy()
    subs = {k: (v if isinstance(v, exp.Expression) else literal(v)) for k, v in values.items()}
    subs["filters"] = where if where is not None else exp.true()
    return exp.replace_placeholders(tree, **subs)


@lru_cache(maxsize=512)
def _text(sql: str, dialect: str, names: tuple[str, ...]) -> str:
    """The template in the dialect, each :placeholder left as a marker identifier (generated once)."""
    tree = exp.replace_placeholders(_template(sql).copy(), **{n: exp.column(f"__kpi_{n}__") for n in names})
    return sql_of(tree, dialect)


def query(src, sql: str, where: exp.Expression | None = None, **values) -> pd.DataFrame:
    """build() and fetch() in one, without re-generating the whole query on every filter change: the
    template's text is made once per dialect and only the values and the filters (small trees, generated and
    quoted by sqlglot) are written into it."""
    subs = {k: (v if isinstance(v, exp.Expression) else literal(v)) for k, v in values.items()}
    subs["filters"] = where if where is not None else exp.true()
    text = _text(sql, src.dialect, tuple(sorted(subs)))
    for name, node in subs.items():
        text = text.replace(f"__kpi_{name}__", f"({sql_of(node, src.dialect)})")
    return run(src.con, src.dialect, text)


def with_values(tree: exp.Expression, name: str, frame: pd.DataFrame, columns: tuple[str, ...]) -> exp.Expression:
    """The table named `name` in the tree replaced by the rows of `frame` as a VALUES list (literals)."""
    rows = [tuple(literal(v) for v in row) for row in frame[list(columns)].itertuples(index=False, name=None)]
    values = exp.values([exp.tuple_(*r) for r in rows], alias=name.strip("_"), columns=list(columns))

    def swap(node):
        return values.copy() if isinstance(node, exp.Table) and node.name == name else node

    return tree.transform(swap)


def _spark_percentile(node: exp.Expression) -> exp.Expression:
    # Spark's exact percentile(x, q) interpolates linearly, as QUANTILE_CONT and PERCENTILE_CONT do.
    if isinstance(node, exp.PercentileCont):
        return exp.Anonymous(this="PERCENTILE", expressions=[node.this, node.expression])
    return node


def sql_of(tree: exp.Expression, dialect: str) -> str:
    if dialect == "pyspark":
        tree = tree.transform(_spark_percentile)
    return tree.sql(dialect=_DIALECTS.get(dialect, dialect))


def fetch(src, tree: exp.Expression) -> pd.DataFrame:
    """Run a query on the source's backend, rows back as a DataFrame (column names as written)."""
    return run(src.con, src.dialect, sql_of(tree, src.dialect))


def fetch_expr(expr) -> pd.DataFrame:
    """An Ibis expression run on its backend's driver (numbers as floats on every backend: PostgreSQL
    types a literal 1.0 NUMERIC, which Ibis's Arrow conversion refuses)."""
    con = expr._find_backend()
    if con.name == "duckdb":
        return expr.to_pyarrow().to_pandas()
    con._register_in_memory_tables(expr)
    return run(con, con.name, str(con.compile(expr)))


def run(con, dialect: str, sql: str) -> pd.DataFrame:
    if dialect == "duckdb":
        with _LOCK:  # one DuckDB connection: its registered tables and views are its own
            return con.con.sql(sql).to_arrow_table().to_pandas()
    if dialect == "pyspark":
        return con._session.sql(sql).toPandas()
    with con.con.cursor() as cur:
        cur.execute(sql)
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
    con.con.commit()
    frame = pd.DataFrame.from_records(rows, columns=names)
    for c in frame.columns:  # PostgreSQL numerics come back as Decimal
        if frame[c].dtype == object and len(frame) and frame[c].map(lambda v: type(v).__name__ == "Decimal").any():
            frame[c] = frame[c].astype(float)
    return frame


def period_code(grain: str, fy: int) -> str:
    """kpi.periods' integer code of _date, as SQL text (constants only)."""
    months = "((YEAR(_date) - 1970) * 12 + MONTH(_date) - 1)"
    if grain == "month":
        return months
    div = 3 if grain == "quarter" else 12
    return f"CAST(FLOOR(({months} - ({P._offset(fy)})) / {div}) AS BIGINT)"


def placed_records(view: str, group: str | None, grain: str, fy: int) -> str:
    """The filtered record view with _placed (dated on or before the as-of date), _undated, _code and _g."""
    g = f"_d_{group}" if group else "''"
    code = period_code(grain, fy)
    return (f"SELECT *, (_date IS NOT NULL AND _date <= :as_of) AS _placed, (_date IS NULL) AS _undated, "
            f"CASE WHEN _date IS NOT NULL AND _date <= :as_of THEN {code} END AS _code, {g} AS _g "
            f'FROM "{view}" WHERE :filters')
