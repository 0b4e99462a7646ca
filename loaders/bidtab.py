"""Wide bid tabulations: line items down, bidders across (bidder name merged over Unit / Total price).

Such a sheet holds one bid per bidder, not one per row. It is turned into one row per bidder
(Bidder, Bid Total, Line Items) before normalising: the bid total is the bidder's value on the
sheet's totals row, or the sum of its line totals where there is no totals row.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .headers import REASON_TOTALS, Header, structural_rows
from .schema import normalise_header
from .values import is_blank, parse_money

BIDDER = "Bidder"
BID_TOTAL = "Bid Total"
LINE_ITEMS = "Line Items"
_TOTAL_SUB = re.compile(r"\b(total|extended|ext|amount|extension)\b")
_PRICE_SUB = re.compile(r"\b(price|bid|cost)\b")


@dataclass
class BidTab:
    """A reshaped bid tabulation: one raw row per bidder, with the rows and notes it came from."""

    raw: pd.DataFrame
    rows: np.ndarray
    notes: list[str] = field(default_factory=list)
    mismatches: list[tuple[int, str, str]] = field(default_factory=list)  # (row, bidder, what differs)


def bidder_columns(header: Header) -> dict[str, str]:
    """{bidder label: its total-price source column} when the header is a wide bid tab (2+ bidders)."""
    by_label: dict[str, list[str]] = {}
    for src, label in header.groups.items():
        by_label.setdefault(label, []).append(src)
    out: dict[str, str] = {}
    for label, cols in by_label.items():
        subs = {c: normalise_header(c[len(label):] if c.startswith(label) else c) for c in cols}
        total = [c for c, s in subs.items() if _TOTAL_SUB.search(s)]
        price = [c for c, s in subs.items() if _PRICE_SUB.search(s)]
        if total:
            out[label] = total[0]
        elif len(cols) == 1 and price:
            out[label] = price[0]
    return out if len(out) >= 2 else {}


def reshape(raw: pd.DataFrame, rows: np.ndarray, header: Header, merged, columns: dict[str, str]) -> BidTab:
    """One row per bidder: its bid total from the totals row (or the sum of its line totals)."""
    blank = np.column_stack([is_blank(raw.iloc[:, j]).to_numpy() for j in range(raw.shape[1])])
    filled = ~blank.all(axis=1)
    data = raw.iloc[np.flatnonzero(filled)].reset_index(drop=True)
    data_rows = np.asarray(rows)[filled]
    reasons = structural_rows(data, blank[filled]).to_numpy(dtype=object, na_value=None)
    is_total = np.array([r == REASON_TOTALS for r in reasons], dtype=bool)
    is_item = np.array([not isinstance(r, str) for r in reasons], dtype=bool)
    bidders, totals, items, label_rows = [], [], [], []
    notes: list[str] = []
    mismatches: list[tuple[int, str, str]] = []
    total_rows = np.flatnonzero(is_total)
    for label, col in columns.items():
        values = parse_money(data[col]).values.to_numpy()
        line = values[is_item]
        line = line[~np.isnan(line)]
        line_sum = round(math.fsum(line), 2)
        stated = np.nan
        for i in total_rows[::-1]:
            if not np.isnan(values[i]):
                stated = round(float(values[i]), 2)
                break
        total = stated if not np.isnan(stated) else (line_sum if len(line) else np.nan)
        row = _label_row(header, merged, raw, col)
        if not np.isnan(stated) and len(line) and abs(stated - line_sum) > 0.01:
            mismatches.append((row, label, f"totals row {stated:,.2f}, line items sum to {line_sum:,.2f}"))
        bidders.append(label)
        totals.append(total)
        items.append(len(line))
        label_rows.append(row)
    where = (f"totals row {int(data_rows[total_rows[-1]])}" if len(total_rows)
             else "the sum of the line items")
    notes.append(f"bid tabulation: {int(is_item.sum())} line items by {len(bidders)} bidders; "
                 f"one bid per bidder, its total from {where}")
    frame = pd.DataFrame({BIDDER: pd.Series(bidders, dtype=object),
                          BID_TOTAL: pd.Series(totals, dtype=object),
                          LINE_ITEMS: pd.Series(items, dtype=object)})
    return BidTab(frame, np.asarray(label_rows, dtype=np.int64), notes, mismatches)


def _label_row(header: Header, merged, raw: pd.DataFrame, col: str) -> int:
    """The Excel row a bidder's name is written on (the top of its merged cell)."""
    if header.group_row is None:
        return header.excel_row
    j = header.columns[header.names.index(col)]
    r = header.group_row
    for (r0, c0), (r1, c1) in merged or []:
        if r0 <= r <= r1 and c0 <= j <= c1:
            return r0 + 1
    return r + 1
