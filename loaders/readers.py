"""Readers: a file to raw grids of cells (one per sheet), read as written, before any header is known."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".tab", ".dat", "")
PARQUET_SUFFIXES = (".parquet", ".pq")
DELIMITERS = (",", ";", "\t", "|")

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARQUET = b"PAR1"


class LoadError(ValueError):
    """A file that cannot be read; the message names the file and says what to do."""


@dataclass
class RawSheet:
    """One sheet (or a whole CSV) as a grid of raw cells: text, numbers, dates, '' for empty.

    `grid` has integer columns 0..width-1 and one row per spreadsheet row from the first row,
    so grid row i is the row a person sees as i + 1.
    """

    name: str | None
    grid: pd.DataFrame
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    hidden: bool = False
    typed_header: list[str] | None = None  # formats with real column names (Parquet)
    notes: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None


def _sniff_kind(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if head.startswith(_PARQUET):
        return "parquet"
    if head.startswith(_OLE):
        return "ole"
    if head.startswith(_ZIP):
        return "zip"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    return "text"


def read_file(path: str | Path, *, display_name: str | None = None) -> list[RawSheet]:
    """Every sheet of a workbook, or the one table of a CSV/text/Parquet file, as raw grids.

    The format is taken from the file's first bytes, not trusted from its name. Raises LoadError
    for missing, empty, damaged, password-protected or unsupported files.
    """
    path = Path(path)
    name = display_name or path.name
    if not path.exists():
        raise LoadError(f"{name}: file not found; check the path.")
    if path.is_dir():
        raise LoadError(f"{name}: is a folder, not a file; give the path of an Excel or CSV file.")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise LoadError(f"{name}: cannot be opened ({exc.strerror or exc}); check its permissions.") from exc
    if path.stat().st_size == 0:
        raise LoadError(f"{name}: the file is empty; export the data again.")
    kind = _sniff_kind(path, head)
    if kind == "parquet":
        return [read_parquet(path, name)]
    if kind == "ole":
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xlsb"):
            raise LoadError(
                f"{name}: the workbook is password-protected (encrypted); open it in Excel, remove "
                "the password (File > Info > Protect Workbook) and save it again."
            )
        return read_excel(path, name)
    if kind == "zip":
        if not _looks_like_workbook_zip(path):
            raise LoadError(f"{name}: is a zip archive, not an Excel workbook; unzip it and load the "
                            "spreadsheet or CSV inside.")
        return read_excel(path, name)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        raise LoadError(f"{name}: is not a valid Excel workbook (the file is damaged or is another format "
                        "renamed); open it in Excel and save it again as .xlsx or .csv.")
    return [read_csv(path, name)]


def _looks_like_workbook_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        return True  # let the Excel reader report the damage
    return any(n.startswith(("xl/", "[Content_Types].xml", "content.xml")) for n in names)


# ---------------------------------------------------------------------------------------------
# Excel


def read_excel(path: Path, name: str) -> list[RawSheet]:
    """All sheets with python-calamine: cached values of formulas, merged ranges, hidden flags."""
    try:
        import python_calamine as pc

        wb = pc.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        msg = str(exc).lower()
        if "password" in msg or "encrypt" in msg:
            raise LoadError(f"{name}: the workbook is password-protected; remove the password in Excel "
                            "and save it again.") from exc
        raise LoadError(f"{name}: could not be read as an Excel workbook ({_short(exc)}); open it in "
                        "Excel and save it again as .xlsx, or export it as CSV.") from exc
    hidden = {}
    try:
        for meta in wb.sheets_metadata:
            hidden[meta.name] = str(meta.visible).rsplit(".", 1)[-1].lower() != "visible"
    except Exception:  # older calamine versions have no metadata
        pass
    sheets = []
    for sheet_name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(sheet_name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = list(getattr(sheet, "merged_cell_ranges", None) or [])
        except Exception as exc:
            sheets.append(RawSheet(sheet_name, pd.DataFrame(), notes=[f"sheet could not be read: {_short(exc)}"],
                                   hidden=hidden.get(sheet_name, False)))
            continue
        sheets.append(RawSheet(sheet_name, grid_from_rows(rows), merged=merged,
                               hidden=hidden.get(sheet_name, False)))
    if not sheets:
        raise LoadError(f"{name}: the workbook has no sheets; export the data again.")
    return sheets


def grid_from_rows(rows: list[list]) -> pd.DataFrame:
    """A list of row lists (ragged allowed) as an object DataFrame with columns 0..width-1."""
    if not rows:
        return pd.DataFrame()
    width = max(len(r) for r in rows)
    if any(len(r) != width for r in rows):
        rows = [list(r) + [""] * (width - len(r)) for r in rows]
    grid = pd.DataFrame(rows, dtype=object)
    grid.columns = range(grid.shape[1])
    return grid


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]


# ---------------------------------------------------------------------------------------------
# CSV and text


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else the detected or cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:400_000]).best()
        if best is not None and best.encoding:
            candidates.append(best.encoding)
    except Exception:  # detection is a hint only
        pass
    # Government exports that are not UTF-8 are almost always Windows-1252.
    for enc in [c for c in candidates if _latin_family(c)] + ["cp1252"]:
        try:
            return data.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1"), "latin-1"


def _latin_family(enc: str) -> bool:
    e = enc.lower().replace("-", "_")
    return e.startswith(("cp125", "windows_125", "iso8859", "latin", "mac_roman", "utf_16", "utf_32"))


def sniff_delimiter(text: str) -> str:
    """The delimiter (comma, semicolon, tab or pipe) that splits the first lines most consistently."""
    sample = text[:65536]
    lines = sample.splitlines()[:60]
    if len(lines) > 1 and len(sample) == 65536:
        lines = lines[:-1]  # the last line may be cut
    best, best_score = ",", -1.0
    for delim in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delim) if r]
        except csv.Error:
            continue
        if not counts:
            continue
        values, freq = np.unique(counts, return_counts=True)
        multi = values > 1
        if not multi.any():
            continue
        k = np.argmax(np.where(multi, freq, -1))
        mode, share = values[k], freq[k] / len(counts)
        score = share * np.log2(mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def read_csv(path: Path, name: str) -> RawSheet:
    """A delimited text file as a grid of strings ('' for empty), every row kept in place."""
    data = path.read_bytes()
    text, encoding = decode(data, name)
    if "\x00" in text[:8192]:
        raise LoadError(f"{name}: is not a text, CSV or Excel file (it holds binary data); "
                        "export the data as .xlsx or .csv.")
    if not text.strip():
        raise LoadError(f"{name}: the file is empty; export the data again.")
    delim = sniff_delimiter(text)
    options = dict(sep=delim, header=None, dtype=str, keep_default_na=False, na_filter=False,
                   skip_blank_lines=False, quotechar='"', engine="c")
    try:
        grid = pd.read_csv(io.StringIO(text), **options)
    except pd.errors.ParserError:
        # Ragged rows (title lines shorter than the table): give pandas the widest row's width.
        width = max((len(r) for r in csv.reader(io.StringIO(text), delimiter=delim)), default=1)
        try:
            grid = pd.read_csv(io.StringIO(text), names=range(width), **options)
        except Exception as exc:
            raise LoadError(f"{name}: could not be read as a delimited text file ({_short(exc)}); "
                            "open it in Excel and save it as .xlsx or .csv.") from exc
    except Exception as exc:
        raise LoadError(f"{name}: could not be read as a delimited text file ({_short(exc)}); "
                        "open it in Excel and save it as .xlsx or .csv.") from exc
    grid.columns = range(grid.shape[1])
    grid = grid.astype(object)
    return RawSheet(None, grid, encoding=encoding, delimiter=delim)


# ---------------------------------------------------------------------------------------------
# Parquet


def read_parquet(path: Path, name: str) -> RawSheet:
    """A Parquet file: its column names are the header, its typed values the cells."""
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:
        raise LoadError(f"{name}: could not be read as a Parquet file ({_short(exc)}); "
                        "export it again or as CSV.") from exc
    header = [str(c) for c in frame.columns]
    grid = pd.DataFrame({j: frame.iloc[:, j].astype(object).to_numpy() for j in range(frame.shape[1])})
    return RawSheet(None, grid, typed_header=header)
