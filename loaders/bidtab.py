"""Bid tabulations in their two line-item shapes, turned into one row per bidder before normalising.

Wide: line items down, bidders across (bidder name merged over Unit / Total price); the bid total is
the bidder's value on the sheet's totals row, or the sum of its line totals where there is none.
Pay items: one row per pay item and bidder with an extension (quantity x unit price) column, as state
DOT lettings publish them; the bid is the sum of the bidder's extensions per solicitation, checked
against any 'Total' row the file gives for that bidder. A bidder's name written with a line break or
extra spaces is the same bidder.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from .headers import REASON_TOTALS, Header, structural_rows
from .schema import normalise_header
from .values import is_blank, parse_money

BIDDER = "Bidder"
SOLICITATION = "Solicitation Number"
BID_TOTAL = "Bid Total"
LINE_ITEMS = "Line Items"
VENDOR_NUMBER = "Vendor Number"
_TOTAL_SUB = re.compile(r"\b(total|extended|ext|amount|extension)\b")
_PRICE_SUB = re.compile(r"\b(price|bid|cost)\b")


@dataclass
class BidTab:
    """A reshaped bid tabulation: one raw row per bidder, with the rows and notes it came from."""

    raw: pd.DataFrame
    rows: np.ndarray
    notes: list[str] = field(default_factory=list)
    mismatches: list[tuple[int, str, str]] = field(default_factory=list)  # (row, bidder, what differs)
    source_rows: int = 0  # non-blank rows under the header that the bids were made from
    unused: list[tuple[int, str]] = field(default_factory=list)  # (row, text) rows that belong to no bid
    mapping: dict[str, str] = field(default_factory=dict)  # reshaped column -> canonical bids column, where known
    total_column: str = BID_TOTAL  # the reshaped column holding each bid's amount


_PAIR = re.compile(r"^(?P<label>.*\S)\s*\((?P<sub>[^()]+)\)\s*$")


def bidder_columns(header: Header) -> dict[str, str]:
    """{bidder label: its total-price source column} when the header is a wide bid tab (2+ bidders): the
    bidder's name merged above its columns, or written in each of them ('Acme Paving (Unit Price)',
    'Acme Paving (Extension)', as MnDOT's abstracts do). The office's estimate comes along and is excluded,
    with its reason, by the normaliser."""
    by_label: dict[str, list[str]] = {}
    for src, label in (header.groups or _labels_in_names(header.names)).items():
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


def _labels_in_names(names: list[str]) -> dict[str, str]:
    """{column: label} for columns written '<label> (<what>)' where a label heads two or more columns and one
    of them is a total or extension: a bidder's column pair named in its own header cells."""
    found: dict[str, list[tuple[str, str]]] = {}
    for name in names:
        m = _PAIR.match(str(name))
        if m:
            found.setdefault(m.group("label").strip(), []).append((name, normalise_header(m.group("sub"))))
    out = {name: label for label, cols in found.items() if len(cols) >= 2
           and any(_TOTAL_SUB.search(sub) for _, sub in cols) for name, _ in cols}
    return out if len({*out.values()}) >= 2 else {}


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
    priced = _priced(data, list(columns.values()))
    carried = _constant_columns(data, priced, list(columns.values()), header)
    summary = _bidder_summary(data, data_rows, is_item & ~priced, list(columns))
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
        if label in summary and summary[label][1] is not None and abs(summary[label][1] - total) > 0.01:
            mismatches.append((summary[label][2], label, f"bidder summary {summary[label][1]:,.2f}, "
                                                         f"bid {total:,.2f}"))
        bidders.append(label)
        totals.append(total)
        items.append(len(line))
        label_rows.append(row)
    where = (f"totals row {int(data_rows[total_rows[-1]])}" if len(total_rows)
             else "the sum of the line items")
    notes.append(f"bid tabulation: {int((is_item & priced).sum())} line items by {len(bidders)} bidders; "
                 f"one bid per bidder, its total from {where}"
                 + (f"; {len(summary)} checked against the bidder summary" if summary else ""))
    columns_out = {name: pd.Series([value] * len(bidders), dtype=object) for name, value in carried.items()}
    named = {label: summary[label][0] for label in bidders if label in summary and summary[label][0]}
    if named:  # bidders headed by their number ('0000207897 (Extension)'): the summary gives their names
        columns_out[VENDOR_NUMBER] = pd.Series(bidders, dtype=object)
        bidders = [named.get(label, label) for label in bidders]
    columns_out.update({BIDDER: pd.Series(bidders, dtype=object), BID_TOTAL: pd.Series(totals, dtype=object),
                        LINE_ITEMS: pd.Series(items, dtype=object)})
    summary_rows = {row for _, _, row in summary.values()}
    unused = [(int(data_rows[i]), _row_text(data.iloc[i])) for i in np.flatnonzero(is_item & ~priced)
              if int(data_rows[i]) not in summary_rows]
    return BidTab(pd.DataFrame(columns_out), np.asarray(label_rows, dtype=np.int64), notes, mismatches,
                  int(filled.sum()), unused)


def _priced(data: pd.DataFrame, bid_columns: list[str]) -> np.ndarray:
    """Rows where some bidder's total column holds an amount: the line items."""
    priced = np.zeros(len(data), dtype=bool)
    for c in bid_columns:
        priced |= ~np.isnan(parse_money(data[c]).values.to_numpy(dtype=float, na_value=np.nan))
    return priced


def _bidder_summary(data: pd.DataFrame, data_rows: np.ndarray, candidates: np.ndarray,
                    labels: list[str]) -> dict[str, tuple[str | None, float | None, int]]:
    """{label: (name, amount, row)} from a bidder summary under the items ('Bidder Number, Bidder Name,
    Bidder Amount'): a row naming a bidder's label in one cell, with an amount and maybe a name in others."""
    keys = {bidder_key(label): label for label in labels}
    out: dict[str, tuple[str | None, float | None, int]] = {}
    for i in np.flatnonzero(candidates):
        cells = [" ".join(str(v).split()) for v in data.iloc[i].tolist() if not is_blank([v])[0]]
        hit = next((keys[bidder_key(c)] for c in cells if bidder_key(c) in keys), None)
        if hit is None or hit in out:
            continue
        others = [c for c in cells if bidder_key(c) != bidder_key(hit)]
        money = parse_money(pd.Series(others, dtype=object)).values.to_numpy(dtype=float, na_value=np.nan)
        amounts = [round(float(m), 2) for m, c in zip(money, others, strict=True)
                   if not np.isnan(m) and any(ch in c for ch in "$.,")]
        names = [c for c, m in zip(others, money, strict=True) if np.isnan(m) and any(ch.isalpha() for ch in c)]
        out[hit] = (names[0] if names and not any(ch.isalpha() for ch in hit) else None,
                    amounts[0] if amounts else None, int(data_rows[i]))
    return out


def _constant_columns(data: pd.DataFrame, priced: np.ndarray, bid_columns: list[str],
                      header: Header) -> dict[str, object]:
    """{column: value} for a solicitation column ('ContractId') holding one value on every line item (the
    rows where a bidder priced something): it names the solicitation every bid answers."""
    out: dict[str, object] = {}
    roles = PAY_ITEM_ROLES["solicitation"]
    for name in header.names:
        if name in bid_columns or name in header.groups or normalise_header(name) not in roles:
            continue
        values = {" ".join(str(v).split()) for v in data.loc[priced, name].tolist() if not is_blank([v])[0]}
        if len(values) == 1:
            out[name] = next(iter(values))
    return out


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


# ---------------------------------------------------------------------------------------------
# One row per pay item and bidder

# Header words of each role (normalised headers, whole words); the bidder, item and extension roles are
# what make a sheet a pay-item tabulation, quantity or unit price confirm it.
PAY_ITEM_ROLES = {
    "bidder": ("bidder", "bidder name", "vendor", "vendor name", "contractor", "contractor name", "firm",
               "firm name", "company", "company name", "supplier", "supplier name", "bidder company"),
    "item": ("item", "item no", "item number", "item #", "pay item", "pay item no", "pay item number",
             "bid item", "bid item no", "line", "line no", "line number", "line num", "ln", "ln num", "ln no",
             "ln number", "line item", "line item number", "item code", "item id", "item num"),
    "extension": ("extension", "extended", "extended amount", "extended price", "extended total", "ext amount",
                  "ext price", "total price", "line total", "item total", "bid extension", "amount"),
    "quantity": ("quantity", "qty", "est qty", "estimated quantity", "bid quantity"),
    "unit_price": ("unit price", "unit bid price", "unit bid", "unit cost", "bid unit price", "bid price"),
    # Most specific first: a DOT's 'Call' (the order of the letting) names the proposal only when nothing else does.
    "solicitation": ("solicitation", "solicitation no", "solicitation number", "solicitation id", "contract",
                     "contract id", "contract no", "contract number", "proposal", "proposal id", "proposal no",
                     "proposal number", "project", "project id", "project no", "project number", "bid number",
                     "bid no", "ifb number", "letting", "call", "call no", "call number"),
    "description": ("description", "item description", "pay item description", "item desc", "desc"),
}
_TOTAL_WORD = re.compile(r"\btotals?\b", re.IGNORECASE)


_BID_WORDS = re.compile(r"\b(bid|bids|bidder|bidders|tab|tabulation|letting|proposal|proposals|tender|tenders)\b")


def pay_item_columns(names: list[str], hints: list[str] = ()) -> dict[str, str] | None:
    """{role: source column} when the header is one row per pay item and bidder, else None.

    A purchase-order line export (vendor, item, quantity, unit price, amount) has the same columns: it counts
    as a bid tabulation only when a column names bidders or extensions, or the sheet or file name says bids."""
    from .mapping import expand

    out: dict[str, str] = {}
    spelled = {name: {normalise_header(name), expand(normalise_header(name))} for name in names}
    for role, words in PAY_ITEM_ROLES.items():
        # Word by word in the role's order of preference ('Proposal ID' before 'Call'), each header once.
        out_role = next((name for word in words for name in names
                         if word in spelled[name] and name not in out.values()), None)
        if out_role is not None:
            out[role] = out_role
    if not ({"bidder", "item", "extension"} <= set(out) and ({"quantity", "unit_price"} & set(out))):
        return None
    bid_like = "bidder" in normalise_header(out["bidder"]) or normalise_header(out["extension"]).startswith("ext") \
        or any(_BID_WORDS.search(normalise_header(h)) for h in hints)
    return out if bid_like else None


def bidder_key(name: object) -> str:
    """A bidder's name as compared: line breaks and runs of spaces collapse, case is ignored."""
    return " ".join(str(name).split()).casefold()


def reshape_pay_items(raw: pd.DataFrame, rows: np.ndarray, roles: dict[str, str]) -> BidTab:
    """One row per (solicitation, bidder): the sum of its extensions, checked against its 'Total' row."""
    blank = np.column_stack([is_blank(raw.iloc[:, j]).to_numpy() for j in range(raw.shape[1])])
    filled = ~blank.all(axis=1)
    data = raw.iloc[np.flatnonzero(filled)].reset_index(drop=True)
    data_rows = np.asarray(rows)[filled]
    ext = parse_money(data[roles["extension"]]).values.to_numpy()
    bidder = _clean(data[roles["bidder"]])
    sol = _clean(data[roles["solicitation"]]) if "solicitation" in roles else pd.Series([""] * len(data))
    # A bidder's total line says 'Total' where the item or its description would be (or the solicitation).
    is_total = np.zeros(len(data), dtype=bool)
    for c in (roles.get("item"), roles.get("description")):
        if c:
            is_total |= _clean(data[c]).map(lambda t: bool(_TOTAL_WORD.search(t))).to_numpy(bool)
    is_total |= sol.map(lambda t: bool(_TOTAL_WORD.search(t))).to_numpy(bool)
    groups: dict[tuple[str, str], dict] = {}
    unused: list[tuple[int, str]] = []
    for i in range(len(data)):
        key = (sol.iat[i].casefold(), bidder_key(bidder.iat[i]))
        if not bidder.iat[i] or np.isnan(ext[i]):
            unused.append((int(data_rows[i]), _row_text(data.iloc[i])))
            continue
        g = groups.setdefault(key, {"sol": sol.iat[i], "bidder": bidder.iat[i], "row": int(data_rows[i]),
                                    "lines": [], "stated": None, "stated_row": None})
        if is_total[i]:
            g["stated"], g["stated_row"] = round(float(ext[i]), 2), int(data_rows[i])
        else:
            g["lines"].append(float(ext[i]))
    out_sol, out_bidder, out_total, out_items, out_rows = [], [], [], [], []
    mismatches: list[tuple[int, str, str]] = []
    for g in groups.values():
        line_sum = round(math.fsum(g["lines"]), 2)
        total = line_sum if g["lines"] else g["stated"]
        if g["stated"] is not None and g["lines"] and abs(g["stated"] - line_sum) > 0.01:
            mismatches.append((g["stated_row"], g["bidder"],
                               f"totals row {g['stated']:,.2f}, line items sum to {line_sum:,.2f}"))
        out_sol.append(g["sol"] or None)
        out_bidder.append(g["bidder"])
        out_total.append(total)
        out_items.append(len(g["lines"]))
        out_rows.append(g["row"])
    # The bids keep the names of the columns they come from ('Vendor Name', 'Ext Amount' summed), so the mapping
    # a user sees and confirms is in the file's own words.
    bidder_col, total_col = roles["bidder"], roles["extension"]
    sol_col = roles.get("solicitation")
    if LINE_ITEMS in (bidder_col, total_col, sol_col):  # a source column named like the count of line items
        bidder_col, total_col, sol_col = BIDDER, BID_TOTAL, SOLICITATION if sol_col else None
    columns = {bidder_col: pd.Series(out_bidder, dtype=object), total_col: pd.Series(out_total, dtype=object),
               LINE_ITEMS: pd.Series(out_items, dtype=object)}
    mapping = {bidder_col: "vendor_name", total_col: "bid_amount"}
    if sol_col:
        columns = {sol_col: pd.Series(out_sol, dtype=object), **columns}
        mapping[sol_col] = "solicitation_id"
    n_sol = len({s for s, _ in groups})
    notes = [f"bid tabulation: {sum(out_items)} pay-item lines, {len(groups)} bids ({len({b for _, b in groups})} "
             f"bidders{f', {n_sol} solicitations' if 'solicitation' in roles else ''}); each bid is the sum of its "
             "extensions" + (", checked against the bidder's totals row" if any(g['stated'] is not None
                                                                             for g in groups.values()) else "")]
    return BidTab(pd.DataFrame(columns), np.asarray(out_rows, dtype=np.int64), notes, mismatches,
                  int(filled.sum()), unused, mapping, total_col)


def _clean(col: pd.Series) -> pd.Series:
    """Cells as text with whitespace collapsed ('' where blank)."""
    text = col.map(lambda v: " ".join(str(v).split()))
    return text.where(~is_blank(col).to_numpy(), "")


def _row_text(row: pd.Series) -> str:
    cells = [" ".join(str(v).split()) for v in row.tolist() if not is_blank([v])[0]]
    return " | ".join(c for c in cells if c)


# ---------------------------------------------------------------------------------------------
# No header: bidders in repeating blocks of columns

MIN_BLOCKS = 3  # bidder blocks a headerless line needs before it is read as a tabulation
DETECT_ROWS = 4000  # lines the layout is judged on
BLOCK_WIDTHS = range(3, 9)  # columns per bidder block (name, city, unit price, extension, spacer...)


@dataclass
class Blocks:
    """Where a headerless tabulation's bidders are: block b's name in column first + b * width, its extension
    `ext` columns further on; the solicitation in column `solicitation` (grid positions in the raw frame)."""

    first: int
    width: int
    count: int
    ext: int
    solicitation: int | None


def _is_name(col: pd.Series) -> np.ndarray:
    text = col.map(lambda v: " ".join(str(v).split()) if isinstance(v, str) else "")
    return text.str.contains(r"[^\W\d_]{2}", regex=True).to_numpy(bool)


def bidder_blocks(raw: pd.DataFrame) -> Blocks | None:
    """A headerless sheet whose lines each hold several bidders side by side, in blocks of the same columns (a
    bidder's name, then its prices, the last of them the extension): NCDOT's 'three bidders a line'. Three blocks
    or more alike column by column, the first block's name on most lines (later ones may be empty where fewer
    bidders bid), each name column holding text and few distinct names (bidders price many items), each
    extension column an amount wherever the name is. None for anything else."""
    n, width = raw.shape
    if n < 6 or width < MIN_BLOCKS * BLOCK_WIDTHS.start:
        return None
    full = raw
    if n > DETECT_ROWS:  # the layout is judged on a sample: the first lines and lines spread through the rest
        raw = raw.iloc[np.unique(np.r_[np.arange(DETECT_ROWS // 2), np.linspace(0, n - 1, DETECT_ROWS // 2)
                                       .astype(np.int64)])]
        n = len(raw)
    blank = np.column_stack([is_blank(raw.iloc[:, j]).to_numpy() for j in range(width)])
    names: dict[int, np.ndarray] = {}

    def name_cells(j: int) -> np.ndarray:
        if j not in names:
            names[j] = _is_name(raw.iloc[:, j])
        return names[j]
    money: dict[int, np.ndarray] = {}

    def amounts(j: int) -> np.ndarray:
        if j not in money:
            money[j] = ~np.isnan(parse_money(raw.iloc[:, j]).values.to_numpy(dtype=float, na_value=np.nan))
        return money[j]

    @cache
    def name_column(j: int, share: float = 0.5) -> bool:
        filled = ~blank[:, j]
        if filled.sum() < max(1, share * n) or name_cells(j)[filled].mean() < 0.9:
            return False
        distinct = raw.iloc[:, j][filled].map(lambda v: " ".join(str(v).split()).casefold()).nunique()
        return distinct <= max(2, 0.2 * filled.sum())

    @cache
    def kind(j: int) -> str:
        filled = ~blank[:, j]
        if filled.mean() < 0.1:
            return "blank"
        if name_cells(j)[filled].mean() >= 0.9:
            return "text"
        return "money" if amounts(j)[filled].mean() >= 0.9 else "other"

    def shape(c: int, k: int) -> tuple[str, ...]:
        return tuple(kind(c + o) for o in range(k))

    best: Blocks | None = None
    for k in BLOCK_WIDTHS:
        for s in range(width - MIN_BLOCKS * k + 1):
            if not name_column(s):
                continue
            for e in range(k - 1, 0, -1):
                count = 0
                # Every block alike, column by column (name, town, unit price, extension...), as the first.
                # The first block is filled on most lines; later ones may be empty where fewer bidders bid.
                while s + count * k + k <= width and name_column(s + count * k, 0.5 if count == 0 else 0.05) and \
                        shape(s + count * k, k) == shape(s, k):
                    c = s + count * k
                    named = ~blank[:, c]
                    if amounts(c + e)[named].mean() < 0.9:
                        break
                    count += 1
                if count >= MIN_BLOCKS and (best is None or count > best.count):
                    best = Blocks(s, k, count, e, None)
                if count:
                    break  # the last amount column of the block is its extension
    if best is None or not _different_bidders(raw, best):
        return None
    full_blank = np.column_stack([is_blank(full.iloc[:, j]).to_numpy() for j in range(best.first)]) \
        if best.first else np.zeros((len(full), 0), dtype=bool)
    best.solicitation = _solicitation_column(full, full_blank, best.first)
    return best


def _different_bidders(raw: pd.DataFrame, blocks: Blocks) -> bool:
    """Whether the blocks of a line name different bidders (on nearly every line naming two or more): the same name
    in every block is one record's columns repeated, not bidders side by side."""
    cols = [_clean(raw.iloc[:, blocks.first + b * blocks.width]).map(bidder_key) for b in range(blocks.count)]
    keys = pd.concat(cols, axis=1).to_numpy(dtype=object)
    filled = keys != ""
    several = filled.sum(axis=1) >= 2
    if not several.any():
        return False
    distinct = np.array([len({k for k in row if k}) == int(f.sum()) for row, f in zip(keys[several],
                                                                                      filled[several], strict=True)])
    return distinct.mean() >= 0.9


def _solicitation_column(raw: pd.DataFrame, blank: np.ndarray, before: int) -> int | None:
    """The column left of the bidders naming the solicitation: codes ('C204498', one word holding a digit) on
    every line, each in one run of lines, the fewest values above one (a letting's id is one value for all; a
    call or line number splits a contract); None when no column qualifies."""
    best, best_distinct = None, None
    for j in range(before):
        if blank[:, j].any():
            continue
        text = raw.iloc[:, j].map(lambda v: " ".join(str(v).split()) if isinstance(v, str) else "")
        if not text.str.fullmatch(r"(?=\S*\d)\S{2,30}").all():
            continue
        runs = int((text != text.shift()).sum())
        distinct = text.nunique()
        if runs != distinct or distinct < 2:
            continue
        if best_distinct is None or distinct < best_distinct:
            best, best_distinct = j, distinct
    return best


def reshape_blocks(raw: pd.DataFrame, rows: np.ndarray, blocks: Blocks) -> BidTab:
    """One row per (solicitation, bidder) of a block tabulation: the sum of its extensions. Lines with no bidder
    priced (a contract's total lines, a 'BIDDERS IN ORDER' summary) belong to no bid and are listed."""
    blank = np.column_stack([is_blank(raw.iloc[:, j]).to_numpy() for j in range(raw.shape[1])])
    filled = ~blank.all(axis=1)
    data = raw.iloc[np.flatnonzero(filled)].reset_index(drop=True)
    data_rows = np.asarray(rows)[filled]
    sol = _clean(data.iloc[:, blocks.solicitation]) if blocks.solicitation is not None else \
        pd.Series([""] * len(data))
    groups: dict[tuple[str, str], dict] = {}
    used = np.zeros(len(data), dtype=bool)
    for b in range(blocks.count):
        c = blocks.first + b * blocks.width
        bidder = _clean(data.iloc[:, c])
        ext = parse_money(data.iloc[:, c + blocks.ext]).values.to_numpy(dtype=float, na_value=np.nan)
        for i in np.flatnonzero((bidder != "").to_numpy() & ~np.isnan(ext)):
            key = (sol.iat[i].casefold(), bidder_key(bidder.iat[i]))
            g = groups.setdefault(key, {"sol": sol.iat[i], "bidder": bidder.iat[i], "row": int(data_rows[i]),
                                        "lines": []})
            g["lines"].append(float(ext[i]))
            used[i] = True
    unused = [(int(data_rows[i]), _row_text(data.iloc[i])) for i in np.flatnonzero(~used)]
    sol_name = str(raw.columns[blocks.solicitation]) if blocks.solicitation is not None else None
    columns = {BIDDER: pd.Series([g["bidder"] for g in groups.values()], dtype=object),
               BID_TOTAL: pd.Series([round(math.fsum(g["lines"]), 2) for g in groups.values()], dtype=object),
               LINE_ITEMS: pd.Series([len(g["lines"]) for g in groups.values()], dtype=object)}
    mapping = {BIDDER: "vendor_name", BID_TOTAL: "bid_amount"}
    if sol_name:
        columns = {sol_name: pd.Series([g["sol"] or None for g in groups.values()], dtype=object), **columns}
        mapping[sol_name] = "solicitation_id"
    n_sol = len({s for s, _ in groups})
    notes = [f"bid tabulation with no header: {blocks.count} bidders a line in blocks of {blocks.width} columns "
             f"(from {raw.columns[blocks.first]}); {int(used.sum())} line items, {len(groups)} bids "
             f"({len({b for _, b in groups})} bidders" + (f", {n_sol} solicitations by {sol_name}" if sol_name else "")
             + "); each bid is the sum of its extensions" + (f"; {len(unused)} lines priced by no bidder (totals, "
                                                            "summaries) listed" if unused else "")]
    return BidTab(pd.DataFrame(columns), np.asarray([g["row"] for g in groups.values()], dtype=np.int64), notes, [],
                  int(filled.sum()), unused, mapping, BID_TOTAL)
