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

from .. import periods as P
from ..results import Filters

KEYS = ("_reason", "_eng", "_x")  # grouping columns beside the date and the dimensions, when the cube has them


@dataclass(frozen=True)
class Cube:
    day: np.ndarray  # datetime64[D]; NaT when undated (a duration's cube: the month's first day)
    placed: np.ndarray  # bool: dated on or before the as-of date
    undated: np.ndarray  # bool
    columns: dict  # grouping column -> (codes, values): codes index values, -1 is NULL
    sums: dict  # "_cnt" and the kind's sums -> float array (NaN is NULL)

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Cube:
        """The cube from its fetched rows (_date, _placed, _undated, _d_<dim>..., _reason, [_eng | _x], sums)."""
        day = pd.to_datetime(frame["_date"]).to_numpy("datetime64[D]")
        columns = {}
        for c in frame.columns:
            if c.startswith("_d_") or c in KEYS:
                values = frame[c].astype(object).where(frame[c].notna(), None).to_numpy()
                codes, uniques = pd.factorize(values, use_na_sentinel=True)
                columns[c] = (codes.astype(np.int64), np.asarray(uniques, dtype=object))
        sums = {c: frame[c].to_numpy(dtype=float, na_value=np.nan) for c in frame.columns
                if c == "_cnt" or c in ("_num", "_den", "_sus", "_s1", "_s2")}
        return cls(day, frame["_placed"].to_numpy(dtype=bool, na_value=False),
                   frame["_undated"].to_numpy(dtype=bool, na_value=False), columns, sums)

    def select(self, filters: Filters) -> np.ndarray:
        """The rows the filters keep (their dimensions and dates: what the cube holds)."""
        keep = np.ones(len(self.day), dtype=bool)
        for dim, values in (("department", filters.departments), ("category", filters.categories),
                            ("method", filters.methods)):
            if values:
                wanted = [str(v).strip() for v in values]
                if dim == "method":
                    wanted = [w.lower() for w in wanted]
                codes, uniques = self.columns.get(f"_d_{dim}", (np.full(len(self.day), -1), np.array([], object)))
                keep &= np.isin(codes, np.flatnonzero(np.isin(uniques.astype(str), wanted)))
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
        code = np.where(placed, P.period_codes(self.day[idx], grain, fy), 0)
        parts = [(code - code.min(), None), (placed.astype(np.int64), None), (self.undated[idx].astype(np.int64), None)]
        group = self.columns.get(f"_d_{by}") if by else None
        names = ["_g", *keys]
        for name in names:
            col = group if name == "_g" else self.columns.get(name)
            parts.append((col[0][idx] + 1, col[1]) if col is not None else (np.zeros(len(idx), np.int64), None))
        key = np.zeros(len(idx), dtype=np.int64)
        radix = []
        for values, _ in parts:
            base = int(values.max()) + 1 if len(values) else 1
            key = key * base + values
            radix.append(base)
        uniq, inverse = np.unique(key, return_inverse=True)
        decoded = []
        rest = uniq.copy()
        for base in reversed(radix):
            decoded.append(rest % base)
            rest //= base
        decoded.reverse()
        out = {"_code": np.where(decoded[1] == 1, decoded[0] + code.min(), np.nan),
               "_placed": decoded[1].astype(bool), "_undated": decoded[2].astype(bool)}
        for name, values, (_, labels) in zip(names, decoded[3:], parts[3:], strict=True):
            if labels is None:
                out[name] = np.full(len(uniq), "" if name == "_g" else None, dtype=object)
            else:
                out[name] = np.where(values > 0, labels[np.maximum(values - 1, 0)] if len(labels) else None, None)
        for name, values in self.sums.items():
            nan = np.isnan(values[idx])
            total = np.bincount(inverse, weights=np.where(nan, 0.0, values[idx]), minlength=len(uniq))
            filled = np.bincount(inverse, weights=~nan, minlength=len(uniq))
            out[name] = np.where(filled > 0, total, np.nan)  # SQL's SUM: NULL when every value is NULL
        return pd.DataFrame(out)
