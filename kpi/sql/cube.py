"""A KPI's cube: its records summed by date, dimension and exclusion reason, fetched once per records.

The engine writes the sums in the database (one GROUP BY over the KPI's records: 10M payments become some
60,000 rows of day x department x category x reason); a filter change then selects and regroups those rows
here, in arrays, without a round trip: the rows come back exactly as the aggregate query over the records
gives them (_code, _placed, _undated, _g, _reason, count and the kind's sums), for the same shaping.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import periods as P
from ..results import Filters

KEYS = ("_reason", "_eng", "_x")  # grouping columns beside the date and the dimensions, when the cube has them


def _in_dimensions(columns: dict, n: int, filters: Filters) -> np.ndarray:
    """The rows whose dimensions the filters keep (as kpi.sql.engine._where; a row without the dimension is
    never kept)."""
    keep = np.ones(n, dtype=bool)
    for dim, wanted in filters.dimension_values():
        codes, uniques = columns.get(f"_d_{dim}", (np.full(n, -1), np.array([], object)))
        wanted_codes = np.zeros(len(uniques) + 1, dtype=bool)  # by code + 1: NULL (-1) is never wanted
        wanted_codes[1:] = np.isin(uniques.astype(str), wanted)
        keep &= wanted_codes[codes + 1]
    return keep


def _days(column: pa.ChunkedArray) -> np.ndarray:
    """Dates as datetime64[D], NaT where missing."""
    if pa.types.is_timestamp(column.type) or pa.types.is_date64(column.type):
        column = pc.cast(column, pa.date32())
    if not pa.types.is_date32(column.type):  # a driver's rows without a type (no value, or text)
        return pd.to_datetime(pd.Series(column.to_pylist(), dtype=object)).to_numpy("datetime64[D]")
    return column.to_numpy(zero_copy_only=False).astype("datetime64[D]")


def _flags(column: pa.ChunkedArray) -> np.ndarray:
    """Yes/no, no where missing."""
    if not pa.types.is_boolean(column.type):  # a driver's rows without a type
        return np.array([bool(v) for v in column.to_pylist()], dtype=bool)
    return pc.fill_null(column, False).to_numpy(zero_copy_only=False).astype(bool)


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    """Numbers as floats, NaN where NULL (cast in Arrow: DuckDB sums whole numbers as 128-bit decimals)."""
    if pa.types.is_null(column.type):
        return np.full(len(column), np.nan)
    return pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)


def _encoded(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, values): each row's index into the distinct values, -1 where NULL (Arrow's dictionary
    encoding: no Python object per row)."""
    if pa.types.is_null(column.type):  # no value at all (a driver's rows give it no type)
        column = pc.cast(column, pa.string())
    encoded = pc.dictionary_encode(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column)
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, np.asarray(encoded.dictionary.to_pylist(), dtype=object)


@dataclass(frozen=True)
class Cube:
    """A KPI's records summed by date, dimension and reason (and a duration's days, the lift's side)."""

    day: np.ndarray  # datetime64[D]; NaT when undated (a duration's cube: the month's first day)
    months: np.ndarray  # the day's month, counted from January 1970 (any value when undated)
    placed: np.ndarray  # bool: dated on or before the as-of date
    undated: np.ndarray  # bool
    columns: dict  # grouping column -> (codes, values): codes index values, -1 is NULL
    sums: dict  # "_cnt" and the kind's sums -> float array (NaN is NULL)

    @classmethod
    def of(cls, table: pa.Table) -> Cube:
        """The cube from its fetched rows (_date, _placed, _undated, _d_<dim>..., _reason, [_eng | _x], sums)."""
        names = table.column_names
        day = _days(table["_date"])
        return cls(day, P.month_ordinals(day), _flags(table["_placed"]), _flags(table["_undated"]),
                   {c: _encoded(table[c]) for c in names if c.startswith("_d_") or c in KEYS},
                   {c: _floats(table[c]) for c in names if c in ("_cnt", "_num", "_den", "_sus", "_s1", "_s2")})

    def select(self, filters: Filters) -> np.ndarray:
        """The rows the filters keep (their dimensions and dates: what the cube holds)."""
        keep = _in_dimensions(self.columns, len(self.day), filters)
        if filters.date_from is not None:
            keep &= self.day >= P.as_day(filters.date_from)  # NaT compares False: undated rows leave
        if filters.date_to is not None:
            keep &= self.day <= P.as_day(filters.date_to)
        return keep

    def rows(self, keep: np.ndarray, by: str | None, grain: str, fy: int, *, keys=("_reason",),
             used_only: bool = False) -> pd.DataFrame:
        """The kept rows grouped by period code (placed rows only), _placed, _undated, the group (`by`'s
        dimension) and `keys`, with count and the sums: the aggregate query's rows. `used_only`: the
        placed rows without a reason."""
        if used_only:
            keep = keep & self.placed & (self.columns["_reason"][0] < 0)
        idx = np.flatnonzero(keep)
        if not len(idx):
            return pd.DataFrame()
        placed = self.placed[idx]
        code = np.where(placed, P.month_period_codes(self.months[idx], grain, fy), 0)
        texts = {"_g": self.columns.get(f"_d_{by}") if by else None, **{k: self.columns.get(k) for k in keys}}
        (codes, placed_, undated, *coded), row_group = _combinations(
            [code - code.min(), placed.astype(np.int64), self.undated[idx].astype(np.int64),
             *((col[0][idx] + 1) if col is not None else np.zeros(len(idx), np.int64) for col in texts.values())])
        out = {"_code": np.where(placed_ == 1, codes + code.min(), np.nan), "_placed": placed_.astype(bool),
               "_undated": undated.astype(bool)}
        for (name, col), values in zip(texts.items(), coded, strict=True):
            if col is None:  # no group asked (every row in one) or a column the cube lacks
                out[name] = np.full(len(values), "" if name == "_g" else None, dtype=object)
            else:
                labels = col[1]
                out[name] = np.where(values > 0, labels[np.maximum(values - 1, 0)] if len(labels) else None, None)
        for name, values in self.sums.items():
            v = values[idx]
            nan = np.isnan(v)
            total = np.bincount(row_group, weights=np.where(nan, 0.0, v), minlength=len(codes))
            filled = np.bincount(row_group, weights=~nan, minlength=len(codes))
            out[name] = np.where(filled > 0, total, np.nan)  # SQL's SUM: NULL when every value is NULL
        return pd.DataFrame(out)


def _combinations(columns: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct combinations of columns of small non-negative integers (one array per column) and the
    combination of each row: the columns read as the digits of one number."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    bases = []
    for values in columns:
        base = int(values.max()) + 1 if len(values) else 1
        key = key * base + values
        bases.append(base)
    distinct, row = np.unique(key, return_inverse=True)
    digits = []
    for base in reversed(bases):
        digits.append(distinct % base)
        distinct = distinct // base
    return digits[::-1], row


@dataclass(frozen=True)
class Spans:
    """A snapshot KPI's records (contracts), each with the days it counts on ([_lo, _hi]; an expiring
    contract's windows [_lo<w>, _flag_hi]) and its sums, fetched once: a filter change counts them at each
    period's reference date in arrays, with no query."""

    lo: np.ndarray  # datetime64[D]
    hi: np.ndarray
    windows: dict  # window days -> its first day (expiring contracts); empty otherwise
    flag_hi: np.ndarray | None
    columns: dict  # _d_<dim> and _reason -> (codes, values), as Cube's
    sums: dict  # "_num", "_den" (an active share) -> float array

    @classmethod
    def of(cls, table: pa.Table) -> Spans:
        names = table.column_names
        return cls(_days(table["_lo"]), _days(table["_hi"]),
                   {int(c[3:]): _days(table[c]) for c in names if c.startswith("_lo") and c[3:].isdigit()},
                   _days(table["_flag_hi"]) if "_flag_hi" in names else None,
                   {c: _encoded(table[c]) for c in names if c.startswith("_d_") or c == "_reason"},
                   {c: _floats(table[c]) for c in ("_num", "_den") if c in names})

    def select(self, filters: Filters) -> np.ndarray:
        """The records the dimension filters keep (a snapshot's dates pick periods, not records)."""
        return _in_dimensions(self.columns, len(self.lo), filters)

    def first(self, keep: np.ndarray):
        """The earliest day a kept, used record counts on (None without one)."""
        days = self.lo[keep & (self.columns["_reason"][0] < 0) & ~np.isnat(self.lo)]
        return pd.Timestamp(days.min()) if len(days) else None

    def counted(self, keep: np.ndarray, codes: np.ndarray, refs: np.ndarray, by: str | None) -> pd.DataFrame:
        """The records counted at each reference date (refs ascending, one per period code), by (code, group,
        reason): cnt and the sums while _lo <= ref <= _hi, value_<w> while _lo<w> <= ref <= min(_flag_hi,
        _hi) for used records; a row wherever a record spans the reference date from its widest window."""
        keep = keep & ~np.isnat(self.lo) & ~np.isnat(self.hi)
        idx = np.flatnonzero(keep)
        group = self.columns.get(f"_d_{by}") if by else None
        g = group[0][idx] + 1 if group is not None else np.zeros(len(idx), np.int64)
        reason = self.columns["_reason"][0][idx] + 1
        nr = len(self.columns["_reason"][1]) + 1
        key = g * nr + reason
        nk, npd = int(key.max()) + 1 if len(key) else 1, len(refs)
        lo, hi = self.lo[idx], self.hi[idx]
        widest = np.minimum.reduce([lo, *(w[idx] for w in self.windows.values())])

        def spanned(first, last, weight=None):  # per (key, period): the weight of records with first<=ref<=last
            k1 = np.searchsorted(refs, first, side="left")
            k2 = np.searchsorted(refs, last, side="right")  # one past the last period covered
            ok = (k1 < k2) & ~np.isnat(first) & ~np.isnat(last)  # a missing day never counts
            w = np.ones(len(idx)) if weight is None else np.nan_to_num(weight)
            size = nk * (npd + 1)
            diff = np.bincount(key[ok] * (npd + 1) + k1[ok], w[ok], size) \
                - np.bincount(key[ok] * (npd + 1) + k2[ok], w[ok], size)
            return np.cumsum(diff.reshape(nk, npd + 1), axis=1)[:, :npd]

        joined = spanned(widest, hi)
        out = {"cnt": spanned(lo, hi)}
        if self.windows:
            used = reason == 0
            top = np.minimum(self.flag_hi[idx], hi)
            for w, first in self.windows.items():
                out[f"value_{w}"] = spanned(first[idx], top, np.where(used, 1.0, 0.0))
        for c in ("_num", "_den"):  # (no value and nothing counted both read as zero)
            if c in self.sums:
                out["numerator" if c == "_num" else "denominator"] = spanned(lo, hi, self.sums[c][idx])
        kk, pp = np.nonzero(np.round(joined) > 0)
        labels = group[1] if group is not None else None
        gi, ri = kk // nr, kk % nr
        frame = {"_code": codes[pp].astype(np.int64),
                 "_g": (np.where(gi > 0, labels[np.maximum(gi - 1, 0)] if len(labels) else None, None)
                        if labels is not None else np.full(len(kk), "")).astype(object),
                 "_reason": np.where(ri > 0, self.columns["_reason"][1][np.maximum(ri - 1, 0)]
                                     if nr > 1 else None, None).astype(object)}
        for name, grid in out.items():
            frame[name] = np.round(grid[kk, pp]) if name == "cnt" or name.startswith("value_") else grid[kk, pp]
        frame["_g"] = pd.array(frame["_g"], dtype="str")  # text, missing as NaN: as the query gives it
        frame["_reason"] = pd.array(frame["_reason"], dtype="str")
        return pd.DataFrame(frame)

    def undated(self, keep: np.ndarray, by: str | None) -> pd.DataFrame:
        """Excluded records without a span, by (group, reason)."""
        reason = self.columns["_reason"][0]
        rows = keep & (reason >= 0) & (np.isnat(self.lo) | np.isnat(self.hi))
        if not rows.any():
            return pd.DataFrame(columns=["_g", "_reason", "count"])
        group = self.columns.get(f"_d_{by}") if by else None
        f = pd.DataFrame({"_g": group[1][group[0][rows]] if group is not None else "",
                          "_reason": self.columns["_reason"][1][reason[rows]]})
        if group is not None:
            f.loc[group[0][rows] < 0, "_g"] = None
        return f.groupby(["_g", "_reason"], dropna=False).size().rename("count").reset_index()
