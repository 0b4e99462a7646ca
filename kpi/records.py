"""What a KPI's measure returns: one row per candidate record, aligned arrays, no aggregation yet."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .periods import NAT

DIMENSIONS = ("department", "category", "method", "vendor")
NOT_RECORDED = "(not recorded)"


class Reasons:
    """Exclusion reasons in priority order: the first reason that applies to a record is its reason."""

    def __init__(self, n: int):
        self.code = np.zeros(n, dtype=np.int16)
        self.names: list[str] = [""]

    def add(self, mask, reason: str) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if reason not in self.names:
            self.names.append(reason)
        self.code[(self.code == 0) & mask] = self.names.index(reason)

    @property
    def used(self) -> np.ndarray:
        return self.code == 0


@dataclass
class Records:
    """Candidate records of one KPI.

    `rows` index the base table (`table`); `date` places each record in a period (for excluded records a
    fallback date); `reason` is 0 for records used, else an index into `reasons`. Kind-specific arrays:
    num/den (ratio and count), x (duration or mean), key (distinct count), lo/hi (snapshot: the range of
    reference dates at which the record counts). `dims` are (codes, labels) per breakdown dimension.
    """

    table: str
    rows: np.ndarray
    date: np.ndarray
    reason: np.ndarray
    reasons: tuple[str, ...]
    dims: dict[str, tuple[np.ndarray, pd.Index]]
    amount: np.ndarray
    num: np.ndarray | None = None
    den: np.ndarray | None = None
    x: np.ndarray | None = None
    x_name: str = "days"  # what x is, as the drill-down's column name
    key: np.ndarray | None = None
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    lo: np.ndarray | None = None
    hi: np.ndarray | None = None
    source: np.ndarray | None = None  # table of each row when records span several tables
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    vendor: dict | None = None  # the vendor dimension's keys, ids and normalised names for filters
    cache: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)


def empty_dims(n: int) -> dict[str, tuple[np.ndarray, pd.Index]]:
    return {d: (np.full(n, -1, dtype=np.int64), pd.Index([], dtype="str")) for d in DIMENSIONS}


def first_date(*arrays: np.ndarray) -> np.ndarray:
    """Element-wise first non-NaT date of the arrays."""
    out = np.full(len(arrays[0]), NAT)
    for a in arrays:
        out = np.where(np.isnat(out), a, out)
    return out


def concat_dims(parts: list[dict[str, tuple[np.ndarray, pd.Index]]]) -> dict[str, tuple[np.ndarray, pd.Index]]:
    """Stack the dims of several record sets, re-coding labels into one shared Index per dimension."""
    out = {}
    for d in DIMENSIONS:
        labels = pd.Index(pd.unique(np.concatenate([np.asarray(p[d][1], dtype=object) for p in parts]))
                          if parts else [], dtype="str")
        codes = []
        for p in parts:
            c, lab = p[d]
            remap = labels.get_indexer(lab) if len(lab) else np.array([], dtype=np.int64)
            codes.append(np.where(c >= 0, remap[np.maximum(c, 0)] if len(remap) else -1, -1))
        out[d] = (np.concatenate(codes).astype(np.int64) if codes else np.array([], np.int64), labels)
    return out
