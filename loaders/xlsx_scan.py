"""What a workbook's sheet XML holds that calamine must not be trusted with, found before calamine reads it.

calamine builds a sheet as one dense rectangle reaching its furthest cell: one value at A1 and one at
XFD1048576 is a 512 GB allocation that aborts the process. So each sheet's extent is measured from its
XML first. The same pass notices error cells (#REF!...) and formulas without a value, which calamine
reads as blank.

The XML is streamed in pieces (a 100,000-row sheet is never held whole): one thread inflates the next
piece while numpy looks at this one (both release the GIL). The spelling every writer we know uses
(`<c r="B7"`, `<row r="7"`: Excel, LibreOffice, openpyxl, xlsxwriter) is read with vectorised byte
comparisons; any other (attributes in another order, single quotes, cells without a reference) is read
tag by tag with regular expressions, and namespace prefixes (`<x:c`) are removed first.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

PIECE = 4 << 20  # bytes of XML looked at at once

_ERROR_MARK = b't="e"'
_ERROR_CELL = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
_ERROR_VALUE = re.compile(rb"<v>([^<]{1,40})</v>")
# A formula cell with no calculated value (written by a program, never opened in Excel): calamine reads blank.
_UNCACHED_MARKS = (b"</f><v></v>", b"</f><v/>", b"</f></c>")
_UNCACHED_SHARED = re.compile(rb"<f\b[^>]*/>(?:<v\s*/>|<v></v>)?</c>")

_PAD = b"\0" * 32  # reads just past the end of a piece land here
_NAME_END = np.zeros(256, dtype=bool)  # what may follow an element's name: space, '>' or '/'
_NAME_END[[9, 10, 13, 32, ord(">"), ord("/")]] = True
_PREFIX = re.compile(rb"<(/?)[A-Za-z_][\w.\-]*:")
# A c or row start tag whole: '>' may appear inside a quoted attribute value.
_TAG = re.compile(rb"""<(c|row)(?=[\s>/])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ATTRIBUTE = re.compile(rb"""([^\s=/>]+)\s*=\s*("[^"]*"|'[^']*')""")
_CELL_REF = re.compile(rb"([A-Za-z]+)(\d+)")


@dataclass
class SheetScan:
    """A sheet's error cells (row, column, text, from 0), formulas without a value, and the last row and
    column a cell can land in (from 1; an upper bound). `malformed`: a cell reference that is not one."""

    errors: list[tuple[int, int, str]]
    uncalculated: int
    rows: int = 0
    columns: int = 0
    malformed: str | None = None


def scan_workbook(path) -> dict[str, SheetScan]:
    """Each worksheet's scan, by sheet name. Anything unexpected in the package means nothing is
    returned, never a failure (calamine then reports the damage in its own words)."""
    out: dict[str, SheetScan] = {}
    try:
        with zipfile.ZipFile(path) as z:
            ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
            ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
            targets = {r.get("Id"): r.get("Target", "") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
            members = set(z.namelist())
            for sheet in ET.fromstring(z.read("xl/workbook.xml")).iter(f"{ns_main}sheet"):
                target = targets.get(sheet.get(f"{ns_rel}id"), "")
                member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                if member in members:
                    out[sheet.get("name", "")] = scan_sheet(z, member)
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, ValueError, RuntimeError):
        return {}
    return out


def scan_sheet(z: zipfile.ZipFile, member: str) -> SheetScan:
    """One streamed pass for the extent; error cells and uncalculated formulas only where the pass saw some."""
    extent = _Extent()
    marked = False
    for piece in _pieces(z, member):
        extent.add(piece)
        marked = marked or _ERROR_MARK in piece
        if extent.malformed:
            break
    rows, columns = extent.bound()
    if extent.malformed or not (marked or extent.formulas):
        return SheetScan([], 0, rows, columns, extent.malformed)
    data = z.read(member)
    uncalculated = sum(data.count(m) for m in _UNCACHED_MARKS) + len(_UNCACHED_SHARED.findall(data))
    return SheetScan(_error_cells(data), uncalculated, rows, columns)


def _error_cells(data: bytes) -> list[tuple[int, int, str]]:
    cells = []
    at = data.find(_ERROR_MARK)
    while at >= 0 and len(cells) < 100_000:
        start, end = data.rfind(b"<c ", 0, at), data.find(b"</c>", at)
        where = _ERROR_CELL.search(data, start, at) if start >= 0 else None
        value = _ERROR_VALUE.search(data, at, end) if end >= 0 else None
        if where and value:
            cells.append((int(where.group(2)) - 1, _column_number(where.group(1)) - 1,
                          value.group(1).decode("utf-8", "replace")))
        at = data.find(_ERROR_MARK, at + len(_ERROR_MARK))
    return cells


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _pieces(z: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The member's bytes in pieces of about PIECE bytes, each ending just before a '<' (no tag is cut in
    two); the next piece is inflated in a second thread while this one is looked at."""
    with z.open(member) as fh, ThreadPoolExecutor(max_workers=1) as pool:
        tail = b""
        pending = pool.submit(fh.read, PIECE)
        while True:
            chunk = pending.result()
            if chunk:
                pending = pool.submit(fh.read, PIECE)
            data = tail + chunk
            cut = max(data.rfind(b"<"), 0) if chunk else len(data)
            piece, tail = data[:cut], data[cut:]
            if piece:
                yield piece
            if not chunk:
                return


class _Extent:
    """The furthest row and column any cell of a sheet can land in, piece by piece.

    A cell without a reference lands right of the cell before it, and a row without one below the row
    before it: those are counted and added to the bound.
    """

    def __init__(self):
        self.rows = self.columns = 0  # the largest row and column a reference names
        self.unnumbered_rows = 0
        self.open_cells = 0  # cells without a reference in the row being read
        self.widest = 0  # most cells without a reference in one row
        self.formulas = False
        self.malformed: str | None = None

    def bound(self) -> tuple[int, int]:
        return self.rows + self.unnumbered_rows, self.columns + max(self.widest, self.open_cells)

    def add(self, piece: bytes) -> None:
        a = np.frombuffer(piece + _PAD, dtype=np.uint8)
        if _prefixed(a, len(piece)):
            piece = _PREFIX.sub(rb"<\1", piece)
            a = np.frombuffer(piece + _PAD, dtype=np.uint8)
        n = len(piece)
        opens, after = a[:n] == 60, a[1:n + 1]  # '<' and the byte after it
        cells = np.flatnonzero(opens & (after == 99))  # '<c'
        cells = cells[_NAME_END[a[cells + 2]]]
        rows = np.flatnonzero(opens & (after == 114))  # '<r'
        rows = rows[(a[rows + 2] == 111) & (a[rows + 3] == 119) & _NAME_END[a[rows + 4]]]
        if not self.formulas:
            f = np.flatnonzero(opens & (after == 102))  # '<f'
            self.formulas = bool(_NAME_END[a[f + 2]].any())
        if not (_reference_first(a, cells + 2).all() and _reference_first(a, rows + 4).all()):
            self._add_tag_by_tag(piece)
            return
        if len(rows):
            self.widest, self.open_cells = max(self.widest, self.open_cells), 0
        for starts, letters in ((cells + 6, True), (rows + 8, False)):
            row, column, bad = _references(a, starts, letters)
            self.rows, self.columns = max(self.rows, row), max(self.columns, column)
            self.malformed = self.malformed or bad

    def _add_tag_by_tag(self, piece: bytes) -> None:
        for tag in _TAG.finditer(piece):
            # Attribute by attribute, each value whole: an 'r="..."' inside another value is not the reference.
            ref = next((a.group(2)[1:-1] for a in _ATTRIBUTE.finditer(tag.group(2)) if a.group(1) == b"r"), None)
            if tag.group(1) == b"row":
                self.widest, self.open_cells = max(self.widest, self.open_cells), 0
                if ref is None:
                    self.unnumbered_rows += 1
                elif ref.isdigit():
                    self.rows = max(self.rows, int(ref))
                else:
                    self.malformed = self.malformed or ref.decode("utf-8", "replace")
            elif ref is None:
                self.open_cells += 1
            elif (cell := _CELL_REF.fullmatch(ref)) is not None:
                self.rows = max(self.rows, int(cell.group(2)))
                self.columns = max(self.columns, _column_number(cell.group(1)))
            else:
                self.malformed = self.malformed or ref.decode("utf-8", "replace")


def _prefixed(a: np.ndarray, n: int) -> bool:
    """Whether any c, row or f element has a namespace prefix ('<x:c'): a colon followed by one of those names."""
    colons = np.flatnonzero(a[:n] == 58)
    if not len(colons):
        return False
    name = a[colons + 1]
    short = ((name == 99) | (name == 102)) & _NAME_END[a[colons + 2]]
    row = (name == 114) & (a[colons + 2] == 111) & (a[colons + 3] == 119) & _NAME_END[a[colons + 4]]
    return bool((short | row).any())


def _reference_first(a: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Whether the element's first attribute is its reference, double-quoted: ' r="'."""
    return (a[at] == 32) & (a[at + 1] == 114) & (a[at + 2] == 61) & (a[at + 3] == 34)


def _references(a: np.ndarray, starts: np.ndarray, letters: bool) -> tuple[int, int, str | None]:
    """The largest row and column named by the references starting at `starts` ('B7"' for a cell, '7"' for a
    row), and the first one that is not a reference, if any. Read position by position across all of them."""
    if not len(starts):
        return 0, 0, None
    n_letters = np.zeros(len(starts), dtype=np.int64)
    column = np.zeros(len(starts), dtype=np.int64)
    reading = np.full(len(starts), letters)
    for k in range(4 if letters else 0):  # a fourth letter is already beyond Excel's last column
        byte = a[starts + k]
        reading &= ((byte | 32) - 97) < 26  # uint8 arithmetic wraps around: only a-z and A-Z land below 26
        if not reading.any():
            break
        n_letters += reading
        column = np.where(reading, column * 26 + ((byte | 32).astype(np.int64) - 96), column)
    row = np.zeros(len(starts), dtype=np.int64)
    at = starts + n_letters
    reading = np.ones(len(starts), dtype=bool)
    n_digits = np.zeros(len(starts), dtype=np.int64)
    for _ in range(8):  # an eighth digit is already beyond Excel's last row
        byte = a[at]
        reading &= (byte - 48) < 10
        if not reading.any():
            break
        row = np.where(reading, row * 10 + (byte.astype(np.int64) - 48), row)
        n_digits += reading
        at += reading
    ok = (a[at] == 34) & (n_digits > 0) & ((n_letters > 0) if letters else True)
    if not ok.all():
        first = int(starts[np.flatnonzero(~ok)[0]])
        return 0, 0, bytes(a[first:first + 12]).split(b'"')[0].decode("utf-8", "replace")
    return int(row.max()), int(column.max()), None
