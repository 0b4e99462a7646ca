"""What the KPI engine returns, whichever engine computes it: filters, results, drill-downs, frame shapes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from . import periods as P
from .registry import KPI, KPIS

NO_DATE_LABEL = "(no date)"
NOT_RECORDED = "(not recorded)"  # the group of records whose breakdown value (department...) is blank
AFTER_LABEL = "(after the as-of date)"
AFTER_REASON = "dated after the as-of date"
NO_COMPARISON = "category without both engaged and non-engaged solicitations"


@dataclass(frozen=True)
class Filters:
    """What to look at: fiscal years, a date range (on each KPI's date basis), departments, categories,
    methods, vendors (names or ids) and a value band (inclusive; None for an open end). Empty = all."""

    fiscal_years: tuple[int, ...] = ()
    date_from: Any = None
    date_to: Any = None
    departments: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()
    value_band: tuple[float | None, float | None] | None = None

    def __post_init__(self):
        # Lists from a UI become tuples so the filters stay hashable (cache keys).
        for name in ("fiscal_years", "departments", "categories", "methods", "vendors"):
            v = getattr(self, name)
            if v is None:
                v = ()
            elif isinstance(v, (str, int)):
                v = (v,)
            object.__setattr__(self, name, tuple(int(x) for x in v) if name == "fiscal_years" else tuple(v))
        if self.value_band is not None:
            object.__setattr__(self, "value_band", tuple(self.value_band))

    def dimension_values(self) -> tuple[tuple[str, list[str]], ...]:
        """(dimension, wanted values) of each dimension filtered, as records are compared: trimmed, methods
        in lower case."""
        out = []
        for dim, values in (("department", self.departments), ("category", self.categories),
                            ("method", self.methods)):
            if values:
                wanted = [str(v).strip() for v in values]
                out.append((dim, [w.lower() for w in wanted] if dim == "method" else wanted))
        return tuple(out)

    @property
    def scope(self) -> tuple[str, str] | None:
        """The goal scope these filters select: one department, else one category."""
        if len(self.departments) == 1:
            return ("department", self.departments[0])
        if len(self.categories) == 1:
            return ("category", self.categories[0])
        return None


@dataclass
class KPIResult:
    """A KPI by period (and group): see the module docs of kpi for the frame's columns."""

    kpi: KPI
    frame: pd.DataFrame
    excluded_reasons: pd.DataFrame
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    grain: str = "quarter"
    fy_start_month: int = 7
    as_of: dt.date | None = None
    by: str | None = None
    filters: Filters = field(default_factory=Filters)

    @property
    def no_data(self) -> bool:
        return bool(self.missing) or self.frame.empty or not (self.frame["n"] > 0).any()

    @property
    def message(self) -> str:
        """Why there is no value: the missing columns, or no records for the selection."""
        if self.missing:
            return "No data: missing " + "; ".join(self.missing)
        if self.no_data:
            return "No data: no records for this selection"
        return ""

    def latest(self, complete: bool = False):
        """The row of the last period with records (a frame of its groups when `by` was given)."""
        f = self.frame[self.frame["n"] > 0] if len(self.frame) else self.frame
        if complete:
            f = f[~f["partial"]]
        if f.empty:
            return None
        last = f["period_start"].max()
        rows = f[f["period_start"] == last]
        return rows if self.by else rows.iloc[-1]

    def at(self, period_label: str):
        """The row of a period (a frame of its groups when `by` was given); None when it has none."""
        # A scorecard asks a result for a dozen periods: their positions are found once per frame.
        index = self.__dict__.get("_positions")
        if index is None or index[0] is not self.frame:
            labels = self.frame["period_label"].astype(str).tolist() if len(self.frame) else []
            where: dict[str, list[int]] = {}
            for i, lab in enumerate(labels):
                where.setdefault(lab, []).append(i)
            index = self.__dict__["_positions"] = (self.frame, where)
        pos = index[1].get(str(period_label), [])
        if self.by:
            return self.frame.iloc[pos]
        return self.frame.iloc[pos[-1]] if pos else None


class Records:
    """Some of the records behind a value, kept as a query on the engine: counted there, and only the rows asked
    for come back (the first rows a page shows; every row for a CSV, when its button is pressed).

    `query` holds the drill-down's columns, plus hidden ones (a leading underscore) that only order the rows;
    `order` lists the sort keys; `finish` shapes fetched rows (dates as datetimes, the reason first)."""

    def __init__(self, query=None, order=(), finish=None, columns=(), held=None):
        self.query = query
        self.order = tuple(order)
        self._finish = finish
        self._held = held  # kept alive while these records are: what their query reads (a temporary table)
        self._empty_columns = tuple(columns)
        self._count: int | None = None
        self._all: pd.DataFrame | None = None
        self._first: tuple[int, pd.DataFrame] | None = None  # the last head(n): a page asks it on every rerun
        self._values: dict[str, pd.Series] = {}  # a histogram's column, asked on every rerun too

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Records:
        """A frame's rows as Records (in the frame's order): what a test or a caller with rows in hand passes."""
        import ibis
        import pyarrow as pa

        if frame.empty:
            return cls(columns=frame.columns)
        con = ibis.duckdb.connect()  # registered as Arrow, as kpi.sql.source.Source.from_frames does
        con.con.register("records", pa.Table.from_pandas(frame.reset_index(drop=True).assign(
            _row=np.arange(len(frame))), preserve_index=False))
        return cls(con.table("records"), order=("_row",))

    @property
    def columns(self) -> list[str]:
        if self.query is None:
            return list(self._empty_columns)
        return [c for c in self.query.columns if not c.startswith("_")]

    @property
    def count(self) -> int:
        if self._count is None:
            if self._all is not None:
                self._count = len(self._all)
            elif self.query is None:
                self._count = 0
            else:
                self._count = int(_fetch(self.query.aggregate(n=self.query.count()))["n"].iloc[0])
        return self._count

    def __len__(self) -> int:
        return self.count

    def head(self, n: int) -> pd.DataFrame:
        """The first `n` rows in the drill-down's order."""
        if self._all is not None or self.query is None:
            return self.frame().head(n)
        if self._count is not None and self._count <= n:
            return self.frame()
        if self._first is None or self._first[0] != n:
            self._first = (n, self._rows(n))
        return self._first[1]

    def frame(self) -> pd.DataFrame:
        """Every row (fetched once)."""
        if self._all is None:
            self._all = self._rows(None)
            self._count = len(self._all)
        return self._all

    def values(self, column: str) -> pd.Series:
        """One column of every row, as numbers (a histogram's durations): the other columns stay behind."""
        if column not in self._values:
            if self._all is not None or self.query is None:
                frame = self.frame()
                got = frame[column] if column in frame else pd.Series(dtype="float64")
            else:
                got = _fetch(self.query.select(column).filter(self.query[column].notnull()))[column]
            self._values[column] = pd.to_numeric(got, errors="coerce").dropna().reset_index(drop=True)
        return self._values[column]

    def where(self, keep) -> Records:
        """These records narrowed by `keep(table)` (a boolean Ibis expression over the query's columns)."""
        if self.query is None:
            return self
        return Records(self.query.filter(keep(self.query)), self.order, self._finish, held=self._held)

    def largest_first(self, column: str) -> Records:
        """The same records, the largest `column` first (missing last), then in their own order."""
        if self.query is None:
            return self
        key = self.query[column].cast("float64").name("_largest")  # a sort key named apart from the column
        return Records(self.query, (key.desc(nulls_first=False), *self.order), self._finish, held=self._held)

    def first_columns(self, names) -> Records:
        """The same records with these columns first (those it has), the others after them."""
        if self.query is None:
            return self
        first = [c for c in names if c in self.query.columns]
        rest = [c for c in self.query.columns if c not in first]
        return Records(self.query.select(*first, *rest), self.order, self._finish, held=self._held)

    def _rows(self, limit: int | None) -> pd.DataFrame:
        if self.query is None:
            return pd.DataFrame({c: pd.Series(dtype="str" if c == "reason" else "float64")
                                 for c in self._empty_columns})
        q = self.query.order_by(list(self.order)) if self.order else self.query
        frame = _fetch(q.limit(limit) if limit is not None else q)
        frame = frame.drop(columns=[c for c in frame.columns if c.startswith("_")])
        return (self._finish(frame) if self._finish else frame).reset_index(drop=True)


def _fetch(expr) -> pd.DataFrame:
    from .sql.query import fetch_expr

    return fetch_expr(expr)


@dataclass(eq=False)
class Drilldown:
    """The records behind one value, as queries: those counted in the value (the numerator), those used (the
    denominator, len == n) and those set aside, each with a reason. `numerator`, `denominator` and `excluded`
    are their every row (fetched when first read)."""

    counted: Records
    used: Records
    set_aside: Records
    kpi: KPI | None = None
    period_label: str | None = None
    group: str | None = None
    memo: dict = field(default_factory=dict, repr=False)  # what is picked from it (kpi.exceptions), once

    @property
    def numerator(self) -> pd.DataFrame:
        return self.counted.frame()

    @property
    def denominator(self) -> pd.DataFrame:
        return self.used.frame()

    @property
    def excluded(self) -> pd.DataFrame:
        return self.set_aside.frame()



# ----------------------------------------------------------------------------- frame shapes


def period_frame(codes: np.ndarray, grain: str, fy: int, as_of: np.datetime64) -> pd.DataFrame:
    codes = np.asarray(codes, dtype=np.int64)
    return _period_frame(codes.tobytes(), grain, fy, np.datetime64(as_of, "D")).copy()


@lru_cache(maxsize=1024)
def _period_frame(codes: bytes, grain: str, fy: int, as_of: np.datetime64) -> pd.DataFrame:
    """The period columns of a result (a filter change asks for the same periods again: made once)."""
    codes = np.frombuffer(codes, dtype=np.int64)
    starts = P.period_start(codes, grain, fy)
    ends = P.period_end(codes, grain, fy)
    return pd.DataFrame({
        "period": P.to_periods(codes, grain, fy),
        "period_label": P.labels(codes, grain, fy),
        "period_start": pd.to_datetime(starts),
        "period_end": pd.to_datetime(ends),
        "fiscal_year": P.fiscal_year(starts, fy).astype(int),
        "partial": ends > as_of,
    })


def empty_frame(kpi: KPI, by: str | None) -> pd.DataFrame:
    cols = ["period", "period_label", "period_start", "period_end", "fiscal_year"]
    cols += ["group"] if by else []
    cols += ["value"] + (["p90"] if kpi.is_duration else []) + ["n", "excluded", "partial"]
    f = pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    f["n"] = f["n"].astype("int64")
    f["excluded"] = f["excluded"].astype("int64")
    f["partial"] = f["partial"].astype(bool)
    return f



def empty_reasons(by: str | None) -> pd.DataFrame:
    return _empty_reasons(bool(by)).copy()


@lru_cache(maxsize=2)
def _empty_reasons(grouped: bool) -> pd.DataFrame:
    cols = ["period_label"] + (["group"] if grouped else []) + ["reason", "count"]
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "count" else "str") for c in cols})



def order_frame(frame: pd.DataFrame, by: str | None) -> pd.DataFrame:
    keys = ["period_start"] + (["group"] if by else [])
    if by or not frame["period_start"].is_monotonic_increasing:
        frame = frame.sort_values(keys, kind="stable")
    frame = frame.reset_index(drop=True)
    first = ["period", "period_label", "period_start", "period_end", "fiscal_year"] + (["group"] if by else [])
    first += ["value"] + (["p90"] if "p90" in frame else []) + ["n", "excluded", "partial"]
    rest = [c for c in frame.columns if c not in first]
    for col, dtype in (("n", "int64"), ("excluded", "int64"), ("value", "float64")):
        if frame[col].dtype != dtype:
            frame[col] = frame[col].astype(dtype)
    return frame[first + rest]


def kpi_by_id(kpi_id: str) -> KPI:
    """The registry entry of a KPI id; ValueError naming an unknown id."""
    try:
        return KPIS[kpi_id]
    except KeyError:
        raise ValueError(f"unknown KPI id {kpi_id!r}") from None


def check_breakdown(kpi: KPI, by: str | None) -> None:
    """ValueError unless `by` is None or a breakdown the KPI has (the same rule on every engine)."""
    if by is not None and by not in kpi.breakdowns:
        allowed = ", ".join(kpi.breakdowns) or "none"
        raise ValueError(f"{kpi.id} cannot be broken down by {by!r} (allowed: {allowed})")


def snapshot_periods(first, grain: str, fy: int, as_of: np.datetime64,
                     filters: Filters) -> tuple[np.ndarray, np.ndarray]:
    """Period codes from the one `first` (the earliest day any used record counts on; None: no period) falls
    in up to the as-of date's, and each period's reference date (its last day, or the as-of date for the
    period not over yet); date filters select periods. Both engines' snapshot KPIs."""
    if first is None or pd.isna(first):
        return np.array([], np.int64), np.array([], "datetime64[D]")
    last = P.code_of(as_of, grain, fy)
    start = min(int(P.period_codes(np.array([np.datetime64(pd.Timestamp(first).date(), "D")]), grain, fy)[0]), last)
    codes = np.arange(start, last + 1, dtype=np.int64)
    refs = np.minimum(P.period_end(codes, grain, fy), as_of)
    keep = np.ones(len(codes), bool)
    if filters.fiscal_years:
        keep &= np.isin(P.code_fiscal_year(codes, grain, fy), np.array(filters.fiscal_years, dtype=np.int64))
    if filters.date_from is not None:
        keep &= P.period_end(codes, grain, fy) >= P.as_day(filters.date_from)
    if filters.date_to is not None:
        keep &= P.period_start(codes, grain, fy) <= P.as_day(filters.date_to)
    return codes[keep], refs[keep]
