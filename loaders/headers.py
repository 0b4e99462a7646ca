"""Header detection: where a sheet's table starts, what its columns are called, and which rows are not data.

Finds the header under title rows and blank rows, joins two-row and merged headers ("Bidder A" merged
over "Unit Price" / "Total Price" -> "Bidder A Unit Price"), names blank headers after their column
letter, and marks totals, footnotes and repeated header rows so the normaliser can exclude and report them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .mapping import header_hits
from .readers import RawSheet
from .schema import normalise_header
from .values import MISSING_TOKENS, WIDE, Coded, blank_grid, code, factorize

SCAN_ROWS = 60  # the header is looked for in the first rows of a sheet
GROUP_ROWS_UP = 8  # how far above the header a group label (bidder name) may sit


@dataclass
class Header:
    """Where a sheet's table is: its header row(s), column names and the data rows under it."""

    row: int  # 0-based grid row of the (last) header row; -1 when the names come from the format
    names: list[str]  # source column names, unique, one per kept grid column
    columns: list[int]  # grid columns kept, aligned with names
    groups: dict[str, str] = field(default_factory=dict)  # source column -> group label above it
    titles: list[tuple[int, str]] = field(default_factory=list)  # (Excel row, text) above the header
    group_row: int | None = None  # 0-based grid row of the group labels of a two-level header
    headerless: bool = False  # no header row: the data starts at row + 1 and columns are named by position
    continues: str | None = None  # a headerless sheet named after the sheet it continues (that sheet's name)
    below: int | None = None  # a headerless sheet named by a header line below its data: that line's grid row

    @property
    def excel_row(self) -> int:
        """The header's row number as a person sees it in Excel (0 when there is none, or the format names columns)."""
        return 0 if self.headerless or self.row < 0 else self.row + 1

    @property
    def data_start(self) -> int:
        """0-based grid row of the first row under the header (the first row of a headerless sheet)."""
        return self.row + 1 if self.row >= 0 or self.headerless else 0


def column_letter(j: int) -> str:
    """0 -> 'A', 26 -> 'AA'."""
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def cell_text(x) -> str:
    """A header cell as clean text ('' when blank); newlines and runs of spaces collapse."""
    if x is None or (isinstance(x, float) and x != x):
        return ""
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    elif isinstance(x, (dt.datetime, dt.date)):
        x = x.strftime("%Y-%m-%d")
    return " ".join(str(x).split())


def _is_texty(x) -> bool:
    """A cell that could be a column name: text that is not a number or a date."""
    if not isinstance(x, str):
        return False
    t = x.strip()
    if not t or t.lower() in MISSING_TOKENS:
        return False
    if re.fullmatch(r"[-+($]*[\d.,\s]+[)%]*", t):
        return False
    return not re.fullmatch(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}.*", t)


def _nonblank(x) -> bool:
    if x is None or (isinstance(x, float) and x != x):
        return False
    return not (isinstance(x, str) and not x.strip())


def find_header(sheet: RawSheet) -> Header | None:
    """The sheet's header, or None when the sheet holds no table (no non-blank cell)."""
    grid = sheet.grid
    if sheet.typed_header is not None:
        return Header(-1, _unique(sheet.typed_header, list(range(len(sheet.typed_header)))),
                      list(range(len(sheet.typed_header))))
    if grid.empty:
        return None
    start = 0
    if is_blank_rows(grid.iloc[:SCAN_ROWS]).all():
        # Nothing in the first rows: the table may start further down.
        filled = np.flatnonzero(~is_blank_rows(grid))
        if len(filled) == 0:
            return None
        start = int(filled[0])
    # Merged cells count as filled everywhere they cover (a name merged down over two header rows).
    window = _fill_merged([list(r) for r in grid.iloc[: start + SCAN_ROWS].itertuples(index=False, name=None)],
                          sheet.merged, start + SCAN_ROWS)
    top = window[start:]
    counts = [sum(_nonblank(x) for x in r) for r in top]
    h = start + _best_header_row(top, counts)
    first_full = start + _first_full_row(counts)
    if h > first_full and _data_rows_between(window, first_full, h) >= DATA_ROWS_ABOVE:
        # Rows of data above the 'best' row: that row is a stray (a note, a VOID line, a second report's
        # header), never the header of the rows above it.
        h = first_full
    below = _column_kinds(window[h + 1:h + 1 + KIND_ROWS])
    if _looks_like_data(window[h], below):
        first = h
        while first > start and _looks_like_data(window[first - 1], below):
            first -= 1  # records above the row chosen are records too
        header = _headerless(grid, window, start, first)
        names_row = _header_below(grid, first, below)
        if names_row is not None:
            names = [cell_text(x) for x in grid.iloc[names_row].tolist()]
            keep = sorted(set(header.columns) | {j for j, n in enumerate(names) if n})
            header.columns = keep
            header.names = _unique([names[j] or f"column {column_letter(j)}" for j in keep], keep)
            header.below = names_row
        return header
    filled_top = window[: h + 1]
    names, groups, group_rows = _names_with_groups(filled_top, h, sheet.merged)
    keep = _kept_columns(grid, h, names)
    names = [names[j] or f"column {column_letter(j)}" for j in keep]
    unique = _unique(names, keep)
    group_map = {unique[i]: groups[j] for i, j in enumerate(keep) if groups.get(j)}
    titles = []
    grouped_cols = set(groups)
    for r in range(0, h):
        cells = [x for j, x in enumerate(filled_top[r]) if not (r in group_rows and j in grouped_cols)]
        texts = [cell_text(x) for x in cells if _nonblank(x)]
        seen: list[str] = []
        for t in texts:
            if t not in seen:
                seen.append(t)
        if seen:
            titles.append((r + 1, " ".join(seen)))
    group_row = min(group_rows) if group_rows else None
    return Header(h, unique, keep, group_map, titles, group_row)


DATA_ROWS_ABOVE = 3  # data-like rows above a candidate header that rule it out
KIND_ROWS = 20  # rows below a row whose cell kinds it is compared with


def _cell_kind(x) -> str:
    """'blank', 'number', 'date' or 'text': what a cell holds, judged as a person reading it would."""
    if not _nonblank(x):
        return "blank"
    if isinstance(x, bool):
        return "text"
    if isinstance(x, (int, float, np.integer, np.floating)):
        return "number"
    if isinstance(x, (dt.date, dt.datetime, pd.Timestamp)):
        return "date"
    t = str(x).strip()
    if t.lower() in MISSING_TOKENS:
        return "blank"
    if re.fullmatch(r"[-+($]*[\d.,\s]+[)%]*", t) and any(c.isdigit() for c in t):
        return "number"
    if re.fullmatch(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}.*", t):
        return "date"
    return "text"


def _year_like(x) -> bool:
    """A whole number that reads as a year (a column heading such as 2024), not an amount."""
    try:
        v = float(str(x).replace(",", "")) if isinstance(x, str) else float(x)
    except ValueError:
        return False
    return v.is_integer() and 1990 <= v <= 2100


def _column_kinds(rows: list[list]) -> dict[int, str]:
    """Per column, the kind most of these rows hold (blank cells not counted)."""
    tally: dict[int, dict[str, int]] = {}
    for row in rows:
        for j, x in enumerate(row):
            k = _cell_kind(x)
            if k != "blank":
                tally.setdefault(j, {}).setdefault(k, 0)
                tally[j][k] += 1
    return {j: max(t, key=t.get) for j, t in tally.items()}


def _looks_like_data(row: list, below: dict[int, str], *, one_column: bool = False) -> bool:
    """A row that is a record, not column names: two or more cells (one in a one-column list), a number or a
    date among them, no cell a known column name, and cell kinds that agree with the rows under it."""
    kinds = {j: _cell_kind(x) for j, x in enumerate(row)}
    filled = [j for j, k in kinds.items() if k != "blank"]
    typed = [j for j in filled if kinds[j] in ("number", "date")]
    if len(filled) < (1 if one_column else 2) or not typed:
        return False
    if all(kinds[j] == "number" and _year_like(row[j]) and below.get(j) == "number" for j in typed) and \
            len(typed) < len(filled):
        return False  # 'Vendor | 2023 | 2024': years heading columns of amounts
    texts = [cell_text(row[j]) for j in filled if kinds[j] == "text"]
    if texts and 2 * header_hits(texts) >= len(texts):
        return False  # mostly known column names ('Vendor | 2023 | 2024'); one status 'Paid' among values is data
    if not below:
        return True
    agree = sum(below.get(j) == kinds[j] for j in filled)
    return agree >= 0.6 * len(filled)


def _first_full_row(counts: list[int]) -> int:
    """The first row about as full as the fullest rows (title lines above a table are sparse)."""
    width = max(counts) if counts else 0
    for i, n in enumerate(counts):
        if n and n >= max(min(2, width), 0.5 * width):
            return i
    return 0


def _data_rows_between(window: list[list], lo: int, hi: int) -> int:
    """How many rows from lo up to (not including) hi look like records."""
    below = _column_kinds(window[hi + 1:hi + 1 + KIND_ROWS])
    one_column = max((sum(_nonblank(x) for x in r) for r in window), default=0) <= 1
    if one_column:  # a one-column list: judge by the rows above (the candidate may be its last line)
        below = _column_kinds(window[lo:hi])
    return sum(_looks_like_data(window[r], below, one_column=one_column) for r in range(lo, hi))


def _headerless(grid: pd.DataFrame, window: list[list], start: int, first: int) -> Header:
    """A sheet with no header row: its records start at `first`; columns are named by position."""
    keep = [j for j, filled in enumerate(~blank_grid(grid.iloc[first:]).all(axis=0)) if filled]
    names = [f"Column {j + 1}" for j in keep]
    titles = []
    for r in range(start, first):
        texts = [cell_text(x) for x in window[r] if _nonblank(x)]
        if texts:
            titles.append((r + 1, " ".join(texts)))
    return Header(first - 1, names, keep, {}, titles, None, headerless=True)


TAIL_ROWS = 20  # how far up from the last line a header written below the data is looked for


def _header_below(grid: pd.DataFrame, first: int, below: dict[int, str]) -> int | None:
    """The grid row of a header line written below the data of a headerless sheet (an export sorted with its
    header among the records, which ends up last), or None.

    Among the last non-blank lines: a line of distinct texts, none a number or a date, most of them known column
    names, that is not a record like the ones above it and names every column the records fill."""
    filled = np.flatnonzero(~is_blank_rows(grid.iloc[first:])) + first
    if len(filled) < 3:
        return None
    data_cols = {j for j, k in below.items() if k != "blank"}
    for r in filled[::-1][:TAIL_ROWS]:
        r = int(r)
        if r <= first:
            break
        row = grid.iloc[r].tolist()
        kinds = [_cell_kind(x) for x in row]
        named = [j for j, k in enumerate(kinds) if k != "blank"]
        if len(named) < 2 or any(kinds[j] != "text" for j in named):
            continue
        texts = [cell_text(row[j]) for j in named]
        if len({t.lower() for t in texts}) < len(texts) or _looks_like_data(row, below):
            continue
        if 2 * header_hits(texts) < len(texts) or not data_cols <= set(named):
            continue
        return r
    return None


def column_profile(sheet: RawSheet, header: Header) -> list[str]:
    """The kind of each kept column in the rows under the header ('number', 'date', 'text' or 'blank')."""
    rows = [list(r) for r in sheet.grid.iloc[header.data_start:header.data_start + KIND_ROWS, header.columns]
            .itertuples(index=False, name=None)]
    kinds = _column_kinds(rows)
    return [kinds.get(i, "blank") for i in range(len(header.columns))]


def _best_header_row(top: list[list], counts: list[int]) -> int:
    """The row most like a header: many distinct text cells, known column names, data-like rows below."""
    width = max(counts) if counts else 0
    best, best_score = 0, -1.0
    for i, row in enumerate(top):
        n = counts[i]
        if n == 0:
            continue
        texts = [cell_text(x) for x in row if _is_texty(x)]
        if n < 2 and width > 1:
            score = 0.1 * len(texts)
        else:
            distinct = len(set(t.lower() for t in texts))
            hits = header_hits(texts)
            long_cells = sum(len(t) > 60 for t in texts)
            below = [counts[k] for k in range(i + 1, min(i + 6, len(top)))]
            support = (sum(c >= max(1, 0.5 * n) for c in below) / len(below)) if below else 0.3
            score = (distinct + 2.0 * hits - long_cells) * (n / width) * (0.5 + 0.5 * support)
            if len(texts) < 0.5 * n:  # mostly numbers or dates: a data row
                score *= 0.3
        if score > best_score + 1e-9:
            best, best_score = i, score
    return best


def _fill_merged(rows: list[list], merged, h: int) -> list[list]:
    """Copy each merged range's value into every cell it covers (rows up to the header only)."""
    for (r0, c0), (r1, c1) in merged or []:
        if r0 > h:
            continue
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, h) + 1):
            for c in range(c0, min(c1 + 1, len(rows[r]))):
                if not _nonblank(rows[r][c]):
                    rows[r][c] = value
    return rows


def _names_with_groups(rows: list[list], h: int, merged) -> tuple[list[str], dict[int, str], set[int]]:
    """Header names, joined with the group label above them where the header is two-level.

    A group label is used for columns whose names repeat (bidder name over Unit / Total price),
    and for a whole row directly above the header when joining makes more names known
    ("Vendor" over "ID" / "Name" -> "Vendor ID", "Vendor Name").
    """
    header = [cell_text(x) for x in rows[h]]
    width = len(header)
    groups: dict[int, str] = {}
    group_rows: set[int] = set()
    lowered = [n.lower() for n in header]
    dup_cols = [j for j, n in enumerate(lowered) if n and lowered.count(n) > 1]
    if dup_cols:
        dup_set = set(dup_cols)
        for r in range(h - 1, max(-1, h - 1 - GROUP_ROWS_UP), -1):
            labels = _ffill_labels(rows[r], dup_set)
            found = sum(bool(labels.get(j)) for j in dup_cols)
            if found >= max(1, len(dup_cols) // 2):
                for j in dup_cols:
                    if labels.get(j):
                        groups[j] = labels[j]
                group_rows.add(r)
                break
    if h >= 1 and h - 1 not in group_rows:
        above = rows[h - 1]
        texts = [cell_text(x) for x in above if _is_texty(x)]
        numbers = sum(_nonblank(x) and not _is_texty(x) for x in above)
        if len(texts) >= 2 and numbers == 0:
            labels = _ffill_labels(above, set(range(width)), stop_at_named=header)
            joined = [(f"{labels[j]} {header[j]}".strip() if labels.get(j) and labels[j] != header[j]
                       else header[j] or labels.get(j, "")) for j in range(width)]
            vertical = [header[j] or (cell_text(above[j]) if j < len(above) else "") for j in range(width)]
            if header_hits(joined) > header_hits(vertical):
                for j in range(width):
                    if labels.get(j) and header[j] and labels[j] != header[j]:
                        groups.setdefault(j, labels[j])
                group_rows.add(h - 1)
            else:
                header = vertical
    names = []
    for j in range(width):
        g = groups.get(j)
        names.append(f"{g} {header[j]}".strip() if g and header[j] else (header[j] or g or ""))
    return names, groups, group_rows


def _ffill_labels(row: list, cols: set[int], stop_at_named: list[str] | None = None) -> dict[int, str]:
    """Labels of a group row carried right across blank cells, only within `cols`."""
    labels: dict[int, str] = {}
    current = ""
    for j in range(len(row)):
        if j not in cols:
            current = ""
            continue
        t = cell_text(row[j]) if _is_texty(row[j]) else ""
        if t:
            current = t
        elif stop_at_named is not None and j < len(stop_at_named) and not stop_at_named[j]:
            current = ""
        if current:
            labels[j] = current
    return labels


def _kept_columns(grid: pd.DataFrame, h: int, names: list[str]) -> list[int]:
    """Columns with a name or with any data under the header."""
    named = [j for j in range(grid.shape[1]) if j < len(names) and names[j]]
    unnamed = [j for j in range(grid.shape[1]) if not (j < len(names) and names[j])]
    below = grid.iloc[h + 1:, unnamed]
    with_data = [j for j, filled in zip(unnamed, ~blank_grid(below).all(axis=0), strict=True) if filled] \
        if len(below) else []
    return sorted(named + with_data)


def _unique(names: list[str], cols: list[int]) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for name in names:
        key = name.lower()
        if key in seen:
            seen[key] += 1
            name = f"{name} ({seen[key]})"
        else:
            seen[key] = 1
        out.append(name)
    return out


def is_blank_rows(grid: pd.DataFrame) -> np.ndarray:
    """Per row of a grid, whether every cell is blank."""
    if grid.shape[1] == 0:
        return np.ones(len(grid), dtype=bool)
    return _blank_mask(grid).all(axis=1)


def _blank_mask(grid: pd.DataFrame) -> np.ndarray:
    return blank_grid(grid)


# ---------------------------------------------------------------------------------------------
# Rows that are not data

TOTALS_LABEL = re.compile(
    r"^\W*+(grand|sub|report|overall|final|page|column|net|sum of)?\s*-?\s*totals?\b\W*+(for\b.*|of\b.*)?$"
    r"|^.{0,40}\btotals?\s*+:?\W*+$|^sum\W*+$"
)
TOTALS_START = re.compile(r"^\W*(grand\s*|sub\s*-?\s*)?totals?\b")
FOOTNOTE = re.compile(
    r"^\s*(\*|†|‡|\(\d+\)|\[\d+\]|notes?\b|nb\b|source\b|sources\b|footnote|report (generated|run|printed|date)"
    r"|generated\b|printed\b|run (date|time|on)|page \d|prepared by|data as of|as of\b|confidential"
    r"|end of report|disclaimer|\d+\s+records?\b|records?:|row count|count:)"
)
# 'Engineer's Estimate', 'ENGINEERS EST.', 'Eng Est' (Michigan DOT's pseudo-bidder of rank 0), 'Engr. Estimate',
# and a bidder written 'Engineers' alone.
ESTIMATE = re.compile(r"\b(?:engineer|engr|eng|architect|consultant|owner|city|county|department|dept)'?s?\.?\s*+"
                      r"(?:cost\s*+)?est(?:imated?|\.)?(?!\w)"
                      r"|^\W*+(?:estimate|engineers?'?s?)\W*+$|\bbudget(?:ed)?\s*+(?:amount|estimate)?\W*+$",
                      re.IGNORECASE)
# Possessive quantifiers (*+): a run of spaces or punctuation is never re-split between two of them, so a
# 'budget' followed by a million spaces is checked in linear time, not quadratic.

def _non_capturing(rx: re.Pattern) -> re.Pattern:
    """The same pattern without capture groups (pandas warns on groups in str.contains)."""
    return re.compile(re.sub(r"(?<!\\)\((?!\?)", "(?:", rx.pattern), rx.flags)


TOTALS_LABEL, TOTALS_START, FOOTNOTE = (_non_capturing(r) for r in (TOTALS_LABEL, TOTALS_START, FOOTNOTE))

_ID_WORDS = {"id", "no", "number", "num", "nbr", "#", "code", "key", "ref", "item", "line", "seq"}

REASON_TOTALS = "totals row"
REASON_FOOTNOTE = "footnote"
REASON_REPEATED_HEADER = "repeated header row"


def _column_flags(col: pd.Series | Coded, header_name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(strong totals label, starts with 'Total', equals the header name) for each cell of a column.

    Checked once per distinct value: Arrow string operations narrow 100,000 values down to the
    few holding 'total' or 'sum' before any Python regex runs.
    """
    coded = code(col)
    codes = coded.codes
    none = np.zeros(len(codes), dtype=bool)
    if len(coded.uniques) == 0:
        return none, none, none
    take = np.where(codes < 0, 0, codes)
    present = codes >= 0
    t = coded.lowered
    eq = (t == header_name).fillna(False).to_numpy(bool)
    cand = (t.str.contains("total", regex=False) | t.str.contains("sum", regex=False)).fillna(False).to_numpy(bool)
    strong_u = np.zeros(len(t), dtype=bool)
    weak_u = np.zeros(len(t), dtype=bool)
    for i in np.flatnonzero(cand):
        text = " ".join(t.iloc[i].split())
        strong_u[i] = TOTALS_LABEL.search(text) is not None
        weak_u[i] = TOTALS_START.search(text) is not None
    return strong_u[take] & present, weak_u[take] & present, eq[take] & present


def _grid_flags(grid: pd.DataFrame, names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """_column_flags for many columns at once (rows x columns arrays): one pass over all distinct values."""
    n, width = grid.shape
    flat = pd.Series(grid.to_numpy(dtype=object).ravel(order="F"), dtype=object)
    strong, weak, _ = _column_flags(flat, "")
    texts = _lowered_texts(flat)
    eq = texts == np.repeat(np.asarray(names, dtype=object), n)
    return (strong.reshape((n, width), order="F"), weak.reshape((n, width), order="F"),
            eq.astype(bool).reshape((n, width), order="F"))


def _lowered_texts(col: pd.Series) -> np.ndarray:
    """Each cell as stripped lower-case text (None where missing), computed once per distinct value."""
    codes, uniques = factorize(col)
    if len(uniques) == 0:
        return np.full(len(col), None, dtype=object)
    t = pd.Series(np.asarray(uniques, dtype=object), dtype=object).astype("str").str.strip().str.lower()
    out = t.to_numpy(dtype=object, na_value=None)[np.where(codes < 0, 0, codes)]
    out[codes < 0] = None
    return out


def structural_rows(raw: pd.DataFrame, blank: np.ndarray, coded: list[Coded] | None = None) -> pd.Series:
    """Reason per row for rows that are not data (totals, footnotes, repeated headers), else NA.

    `blank` is the cell-level blank mask of `raw`; `coded`, if given, its columns coded. Totals: a label such as 'Total', 'Grand Total',
    'Aviation Total' on a row no fuller than the typical row, or a row starting 'Total ...' that is
    much sparser than typical, or a trailing unlabelled row of numbers equal to the column sums above.
    Footnotes: single-cell rows starting '*', 'Note', 'Source', 'Report generated'..., and single-cell
    prose after the last data row.
    """
    n, width = raw.shape
    reasons = np.full(n, None, dtype=object)
    if n == 0 or width == 0:
        return pd.Series(reasons, dtype="str")
    nb = (~blank).sum(axis=1)
    filled = nb > 0
    typical = float(np.median(nb[filled])) if filled.any() else 0.0
    strong = np.zeros(n, dtype=bool)
    weak = np.zeros(n, dtype=bool)
    header_like = np.zeros(n, dtype=int)
    texty = [j for j in range(width) if raw.iloc[:, j].dtype.kind not in "biufcmM"]
    names = [" ".join(str(raw.columns[j]).split()).lower() for j in texty]
    if len(texty) > WIDE:
        s, w, hd = _grid_flags(raw.iloc[:, texty], names)
        strong, weak, header_like = s.any(axis=1), w.any(axis=1), hd.sum(axis=1)
    for j, name in ([] if len(texty) > WIDE else zip(texty, names, strict=True)):
        s, w, hd = _column_flags(coded[j] if coded else raw.iloc[:, j], name)
        strong |= s
        weak |= w
        header_like += hd
    full_rows = np.flatnonzero(nb >= max(2.0, 0.5 * typical))
    last_full = int(full_rows[-1]) if len(full_rows) else -1
    trailing = np.arange(n) > last_full
    repeated = (header_like >= 2) & (header_like >= 0.6 * nb)
    # In a one- or two-column list every row is nearly single-cell: no footnote guessing there.
    single = (nb == 1) if typical >= 2 else np.zeros(n, dtype=bool)
    footnote = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(single):
        x = raw.iat[i, int(np.flatnonzero(~blank[i])[0])]
        if not isinstance(x, str):
            continue
        text = " ".join(x.split()).lower()
        prose = bool(trailing[i]) and width >= 3 and typical >= 3 and len(text.split()) >= 4
        footnote[i] = prose or FOOTNOTE.search(text) is not None
    # 'Total Community Action, Inc.' is a vendor: a row starting 'Total' must also be sparse.
    totals = filled & ((strong & (nb <= typical)) | (weak & (nb < typical) & (nb <= max(2.0, 0.6 * typical))))
    totals |= _unlabelled_totals(raw, blank, nb, trailing & filled & ~footnote & ~totals)
    reasons[totals] = REASON_TOTALS
    reasons[footnote] = REASON_FOOTNOTE
    reasons[repeated] = REASON_REPEATED_HEADER
    return pd.Series(reasons, dtype="str")


def _unlabelled_totals(raw: pd.DataFrame, blank: np.ndarray, nb: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Trailing rows holding only numbers, one of which equals the sum of its column above."""
    from .values import parse_number

    out = np.zeros(len(raw), dtype=bool)
    for i in np.flatnonzero(candidates)[:3]:
        cols = np.flatnonzero(~blank[i])
        values = parse_number(raw.iloc[i, cols]).values.to_numpy()
        if np.isnan(values).any():
            continue
        for j, v in zip(cols, values, strict=True):
            if _ID_WORDS.intersection(normalise_header(raw.columns[j]).split()):
                continue  # ids and counts in an id column add up by chance
            above = parse_number(raw.iloc[:i, j]).values.to_numpy()
            above = above[~np.isnan(above)]
            if len(above) >= 2 and v != 0 and abs(above.sum() - v) <= max(0.01, abs(v) * 1e-9):
                out[i] = True
                break
    return out
