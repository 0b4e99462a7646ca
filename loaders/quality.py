"""Records to question after normalising: ids that repeat (amendments, modifications) and how many to keep."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .schema import RECORD_IDS

DUPLICATES_ALL = "all"
DUPLICATES_LATEST = "latest"
DUPLICATE_CHOICES = (DUPLICATES_ALL, DUPLICATES_LATEST)
# The id that names one record, per table where a repeat means another version of the same record. Payments
# are left out: one check paying several invoices repeats its number on every line, rightly.
RECORD_ID = {t: RECORD_IDS[t] for t in ("contracts", "solicitations")}
# Which of two rows with the same id is the later version: the first of these dates they both have, then
# the amendment count, then the order of the file (an export lists amendments in the order they were made).
VERSION_ORDER = {
    "contracts": ("executed_date", "start_date", "end_date", "amendment_count"),
    "solicitations": ("award_date", "issue_date", "due_date", "requisition_date"),
}
REPEATED = "repeated {column} (another version of the same record?)"
EARLIER = "earlier version of a repeated {column} (duplicates: latest)"
SHOWN = 5


@dataclass
class Repeats:
    """Ids that occur on more than one loaded row, and which rows are earlier versions."""

    column: str
    ids: int  # distinct ids that repeat
    rows: int  # rows carrying them
    examples: list[str]
    repeated: np.ndarray  # per frame row: its id repeats
    earlier: np.ndarray  # per frame row: a later row has the same id

    def to_json(self, choice: str) -> dict:
        return {"column": self.column, "ids": self.ids, "rows": self.rows, "examples": self.examples,
                "choice": choice, "rows_dropped": int(self.earlier.sum()) if choice == DUPLICATES_LATEST else 0}


def find_repeats(frame: pd.DataFrame, table: str) -> Repeats | None:
    """The repeated record ids of a canonical frame (None when the table has no record id or none repeats)."""
    column = RECORD_ID.get(table)
    if column is None or column not in frame.columns or frame.empty:
        return None
    ids = frame[column].astype("str")
    present = ids.notna().to_numpy() & (ids.fillna("").str.strip() != "").to_numpy()
    key = ids.where(present, None)
    counts = key.map(key.value_counts())
    repeated = (counts.fillna(0).to_numpy() > 1) & present
    if not repeated.any():
        return None
    order = _version_order(frame, table)
    ranked = frame.assign(_key=key, _order=order).reset_index(drop=True)
    ranked = ranked.iloc[np.lexsort((np.arange(len(ranked)), ranked["_order"].to_numpy()))]
    latest = ranked[repeated[ranked.index]].drop_duplicates("_key", keep="last").index
    earlier = repeated.copy()
    earlier[np.asarray(latest, dtype=int)] = False
    firsts = key[repeated].drop_duplicates().tolist()
    return Repeats(column, len(firsts), int(repeated.sum()), [str(x) for x in firsts[:SHOWN]], repeated, earlier)


def _version_order(frame: pd.DataFrame, table: str) -> np.ndarray:
    """A sortable number per row, larger for later versions (the first order column the rows have)."""
    for col in VERSION_ORDER.get(table, ()):
        if col in frame.columns and frame[col].notna().any():
            values = frame[col]
            if values.dtype.kind == "M":
                return values.to_numpy(dtype="datetime64[us]").astype("int64").astype(float)
            numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            return np.nan_to_num(numbers, nan=-np.inf)
    return np.zeros(len(frame))
