"""Rows of a delimited file with a field too many or too few, put back in their columns.

Exports that quote nothing split a payee written 'HALE, LOGAN M.' into two fields, so its row has one more
field than the others and every later cell sits one column to the right; an ERP that drops a delimiter glues
two fields ('25/06/2012900' is 25/06/2012 and 900). The rows of the usual width say what each column holds
(dates of one shape, numbers, a short list of codes); a longer row is joined, and a shorter one split, at the
one place where every column then holds what it holds in the other rows. A row with no such place, or more
than one, is left as read (and is excluded later with its reason). Each repair is said in a note.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

_NUMBER = re.compile(r"^\(?[-+]?\s*[$£€]?\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\)?-?$")
_DATE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$")
_WORD = re.compile(r"[^\W\d_]")  # a letter
CODES = 20  # a text column with at most this many distinct values is a list of codes ('IS', 'CX')
TYPED_SHARE = 0.9  # a column is typed when this share of its filled cells (in rows of the usual width) is


@dataclass
class _Column:
    kind: str  # "date", "number", "codes" or "text"
    shapes: frozenset[str] = frozenset()  # dates: '99/99/9999'
    codes: frozenset[str] = frozenset()


def _shape(text: str) -> str:
    return re.sub(r"\d", "9", text)


def _fits(col: _Column, cell: str) -> bool:
    t = cell.strip()
    if not t:
        return True
    if col.kind == "date":
        return _shape(t) in col.shapes
    if col.kind == "number":
        return bool(_NUMBER.match(t))
    return True  # text, and codes (a short list seen in other rows need not be the whole list)


def _columns(rows: list[list[str]], width: int) -> list[_Column]:
    out = []
    for j in range(width):
        cells = [r[j].strip() for r in rows if r[j].strip()]
        if not cells:
            out.append(_Column("text"))
            continue
        dates = [c for c in cells if _DATE.match(c)]
        if len(dates) >= TYPED_SHARE * len(cells):
            out.append(_Column("date", shapes=frozenset(_shape(c) for c in dates)))
        elif sum(bool(_NUMBER.match(c)) for c in cells) >= TYPED_SHARE * len(cells):
            out.append(_Column("number"))
        elif len(set(cells)) <= CODES and len(cells) >= 5 * len(set(cells)):
            out.append(_Column("codes", codes=frozenset(cells)))
        else:
            out.append(_Column("text"))
    return out


def _all_fit(cols: list[_Column], cells: list[str]) -> bool:
    return all(_fits(c, v) for c, v in zip(cols, cells, strict=True))


def _known_codes(cols: list[_Column], cells: list[str]) -> int:
    """How many cells of code columns hold a code seen in the other rows ('IS', not ' GIVEN,IS')."""
    return sum(c.kind == "codes" and v.strip() in c.codes for c, v in zip(cols, cells, strict=True))


def _joined(cells: list[str], width: int, cols: list[_Column], delim: str) -> list[str] | None:
    """The row with its extra fields joined back into one text cell, where exactly one place fits."""
    extra = len(cells) - width
    found = []
    for j in range(width):
        if cols[j].kind != "text" or not all(_WORD.search(c) for c in cells[j:j + extra + 1]):
            continue  # the pieces of a split name each hold a word, never a stray number or date ('12.00', '99')
        row = cells[:j] + [delim.join(cells[j:j + extra + 1])] + cells[j + extra + 1:]
        if _all_fit(cols, row):
            # A field that starts with a space continues the one before it ('HALE', ' LOGAN M.').
            found.append(((sum(c.startswith(" ") for c in cells[j + 1:j + extra + 1]), _known_codes(cols, row)), row))
    return _best(found)


def _best(found: list[tuple[tuple[int, int], list[str]]]) -> list[str] | None:
    """The one best-ranked candidate row; None when there is none or two rank alike."""
    if not found:
        return None
    found.sort(key=lambda f: f[0], reverse=True)
    if len(found) > 1 and found[0][0] == found[1][0]:
        return None
    return found[0][1]


def _split(cells: list[str], width: int, cols: list[_Column]) -> list[str] | None:
    """The row with its glued cells split, where exactly one way of splitting fits every column: one cell in two
    ('25/06/2012900'), or, two fields short, one cell in three ('Academy2129/05/2012740')."""
    if width - len(cells) > 1 and sum(len(c) for c in cells) > MAX_SPLIT_TEXT:
        return None  # two splits of a long row: too many ways to try for the evidence one row gives
    found = {tuple(row): row for row in _splits(cells, width, cols)}
    return _best([((0, _known_codes(cols, row)), row) for row in found.values()])


def _splits(cells: list[str], width: int, cols: list[_Column]):
    """Every way of splitting cells until the row is `width` long and fits; a split leaves typed text on at
    least one side (two texts glued together cannot be told apart)."""
    if len(cells) == width:
        if _all_fit(cols, cells):
            yield cells
        return
    for j, cell in enumerate(cells):
        if cols[j].kind == "text" and cols[j + 1].kind == "text":
            continue
        t = cell.strip()
        for k in range(1, len(t)):
            left, right = t[:k], t[k:]
            if left.strip() and right.strip() and _fits(cols[j], left):
                yield from _splits(cells[:j] + [left, right] + cells[j + 1:], width, cols)


MAX_SPLIT_TEXT = 300  # characters of a row two fields short that are tried for two splits
MIN_ROWS = 6  # rows of the usual width, at least, in a short file (ten when they are under half the rows)
KIND_SAMPLE = 2000  # rows of the usual width whose cells say what each column holds


def realign(grid: pd.DataFrame, delim: str) -> tuple[pd.DataFrame, list[str], list[tuple[int, str, int, str]]]:
    """The grid with rows one or two fields too long joined and rows one or two fields too short split, a note for
    each kind of repair made, and each repaired row as (row as seen, the joined field or the glued cell as read,
    its column, 1-based, "joined" or "split"); unchanged when no width is shared by most rows, or no row differs.
    Columns only the too-long rows filled are dropped (the grid is as wide as its widest row after the repair)."""
    if grid.empty:
        return grid, [], []
    values = grid.to_numpy(dtype=object)
    filled = (grid.ne("") & grid.notna()).to_numpy(dtype=bool)  # the reader writes '' for an empty field
    n_cols = filled.shape[1]
    widths = np.where(filled.any(axis=1), n_cols - np.argmax(filled[:, ::-1], axis=1), 0)
    counts = Counter(int(w) for w in widths if w > 1)
    total = sum(counts.values())
    # The usual width: the most common, or the narrower of the two most common when the wider rows are the
    # narrower ones with a field split (a list of jurors 'SURNAME, GIVEN' can outnumber the firms).
    # A short file (a dozen checks) needs most of its rows at that width.
    candidates = sorted(w for w, n in counts.most_common(2)
                        if (n >= 10 and n >= 0.3 * total) or (n >= MIN_ROWS and n >= 0.5 * total))
    for width in candidates:
        base_rows = widths == width
        # A row one field short is a glued one only where the last column is always filled in the usual rows.
        last_full = filled[base_rows, width - 1].mean() >= 0.95 if base_rows.any() else False
        short = ((widths == width - 1) | (widths == width - 2)) & (widths > 1) if last_full \
            else np.zeros(len(widths), dtype=bool)
        odd = [int(i) for i in np.flatnonzero((widths == width + 1) | (widths == width + 2) | short)]
        if not odd:
            continue
        base = np.flatnonzero(widths == width)[:KIND_SAMPLE]
        cols = _columns([_cells(values[i]) for i in base], width)
        if all(c.kind == "text" for c in cols):
            continue
        joined, split, repaired = _repairs(values, widths, odd, width, cols, delim)
        if len(joined) + len(split) >= 0.8 * len(odd):
            return _result(grid, repaired, joined, split)
    return grid, [], []


def _cells(row) -> list[str]:
    return ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in row]


def _repairs(values, widths, odd: list[int], width: int, cols: list[_Column], delim: str):
    """([(line, joined text)], [(line, split text)], {row index: repaired cells}) for the rows of another width."""
    joined: list[tuple[int, str, int]] = []  # (line, joined text, column index)
    split: list[tuple[int, str, int]] = []  # (line, the glued cell as read, column index)
    repaired: dict[int, list[str]] = {}
    for i in odd:
        r, w = _cells(values[i]), int(widths[i])
        if w < width and _all_fit(cols, (r + [""] * width)[:width]):
            continue  # as read, every column already holds what it should: a blank last field, not a shift
        fixed = _joined(r[:w], width, cols, delim) if w > width else _split(r[:w], width, cols)
        if fixed is None:
            continue
        changed = next(j for j in range(min(w, width)) if fixed[j] != r[j])
        repaired[i] = fixed + [""] * (len(r) - width)
        (joined if w > width else split).append((i + 1, fixed[changed] if w > width else r[changed], changed))
    return joined, split, repaired


def _result(grid: pd.DataFrame, repaired: dict[int, list[str]], joined, split):
    notes = []
    if joined:
        notes.append(f"{len(joined):,} rows had more fields than the others (a comma inside an unquoted value, "
                     f"e.g. line {joined[0][0]}: {joined[0][1]!r}): the fields joined where every column fits")
    if split:
        notes.append(f"{len(split):,} rows had a field fewer than the others (two values glued together, e.g. "
                     f"line {split[0][0]}: {split[0][1]!r}): the cell split where every column fits")
    if not notes:
        return grid, [], []
    out = grid.copy()
    for i, cells in repaired.items():
        out.iloc[i] = cells[: out.shape[1]] + [""] * (out.shape[1] - len(cells))
    # Columns at the right that only the too-long rows filled are empty now.
    filled = (out.ne("") & out.notna()).to_numpy(dtype=bool).any(axis=0)
    keep = int(np.flatnonzero(filled)[-1]) + 1 if filled.any() else out.shape[1]
    if keep < out.shape[1]:
        out = out.iloc[:, :keep]
    rows = sorted([(line, text, col + 1, "joined") for line, text, col in joined]
                  + [(line, text, col + 1, "split") for line, text, col in split])
    return out, notes, rows
