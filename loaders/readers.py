"""Readers: a file to raw grids of cells (one per sheet), read as written, before any header is known."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .ragged import realign
from .xlsx_scan import SheetScan, scan_workbook

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".tab", ".dat", "")
PARQUET_SUFFIXES = (".parquet", ".pq")
DELIMITERS = (",", ";", "\t", "|")
MAX_COLUMNS = 16_384  # Excel's own limits: no real export is wider or longer
EXCEL_ROWS = 1_048_576
MAX_SHEETS = 100  # sheets (or web-page tables) read from one file
MAX_CELLS = 60_000_000  # a sheet's used area beyond which it is reported instead of read (memory)
# A workbook is a zip: what it expands to is checked before it is opened. Real exports expand 5-15 times
# (a 100,000-row register: 7 MB to 65 MB); a "zip bomb" expands hundreds of times, to gigabytes.
MAX_EXPANDED_BYTES = 2 * 1024**3
MAX_EXPANSION = 100  # times the file's size, once it expands to more than EXPANSION_FLOOR
EXPANSION_FLOOR = 100 * 1024**2

# The upload limit is Streamlit's server.maxUploadSize (megabytes of 1024 x 1024 bytes), read from the
# project's .streamlit/config.toml or, as Streamlit does, from its environment variable, so the app's
# uploader and every loader (command line included) refuse the same files.
CONFIG_FILE = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"
UPLOAD_LIMIT_ENV = "STREAMLIT_SERVER_MAX_UPLOAD_SIZE"
STREAMLIT_DEFAULT_UPLOAD_MB = 200
MB = 1024 * 1024

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARQUET = b"PAR1"
# Formats that are never a table, known by their first bytes whatever the file is called.
_NOT_TABLES = (
    (b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"), (b"BM", None), (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"), (b"Rar!", "a RAR archive"),
    (b"{\\rtf", "a Word (RTF) document"), (b"RIFF", "a media file"), (b"\x7fELF", "a program"),
    (b"MZ", None),
)


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
    # Rows put back in their columns by loaders.ragged.realign: (row as seen, the field joined or the cell split
    # as read, the column it is in, 1-based, "joined" or "split").
    repaired: list[tuple[int, str, int, str]] = field(default_factory=list)


def upload_limit_mb() -> int:
    """The largest file, in MB, the app accepts: $STREAMLIT_SERVER_MAX_UPLOAD_SIZE, else server.maxUploadSize
    in .streamlit/config.toml, else Streamlit's default (200)."""
    import tomllib

    env = os.environ.get(UPLOAD_LIMIT_ENV, "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        config = tomllib.loads(CONFIG_FILE.read_text(encoding="utf-8"))
        value = config.get("server", {}).get("maxUploadSize")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError):
        value = None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return STREAMLIT_DEFAULT_UPLOAD_MB


def _not_a_table(head: bytes) -> str | None:
    """What a file is when its first bytes say it is a document, image, archive or program, else None.

    Two-byte signatures ('BM', 'MZ') also begin ordinary text ('BMW Group,...'), so they count only when
    a control byte follows soon after."""
    for magic, what in _NOT_TABLES:
        if head.startswith(magic):
            if what is None:
                if any(b < 9 or 13 < b < 32 for b in head[2:16]):
                    return "a Windows program" if magic == b"MZ" else "a bitmap image"
                continue
            return what
    return None


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
            head = fh.read(16)
    except OSError as exc:
        raise LoadError(f"{name}: cannot be opened ({exc.strerror or exc}); check its permissions.") from exc
    size = path.stat().st_size
    if size == 0:
        raise LoadError(f"{name}: the file is empty; export the data again.")
    limit = upload_limit_mb()
    if size > limit * MB:
        raise LoadError(f"{name}: is {size / MB:,.0f} MB, over the {limit:,} MB upload limit; export a shorter "
                        "period (or one department) per file, or raise server.maxUploadSize in "
                        ".streamlit/config.toml.")
    what = _not_a_table(head)
    if what:
        raise LoadError(f"{name}: is {what}, not a spreadsheet or delimited text; export the data as .xlsx or .csv.")
    kind = _sniff_kind(path, head)
    if kind == "parquet":
        return [read_parquet(path, name)]
    if kind == "ole":
        # Office's container (CFB): an encrypted .xlsx, an Excel 97-2003 .xls, or a Word/Outlook file.
        if _ole_holds(path, "EncryptedPackage", "EncryptionInfo"):
            raise LoadError(
                f"{name}: the workbook is password-protected (encrypted); open it in Excel, remove "
                "the password (File > Info > Protect Workbook) and save it again."
            )
        if not _ole_holds(path, "Workbook", "Book"):
            if path.suffix.lower() in (".xlsx", ".xlsm", ".xlsb"):  # how Excel saves a password-protected book
                raise LoadError(f"{name}: the workbook is password-protected (encrypted) or damaged; open it in "
                                "Excel, remove any password (File > Info > Protect Workbook) and save it again.")
            raise LoadError(f"{name}: is a Microsoft Office file with no Excel workbook inside (a Word or Outlook "
                            "file, or a damaged workbook); open it in Excel and save it as .xlsx, or export as CSV.")
        return read_excel(path, name, by_content=path.suffix.lower() != ".xls")
    if kind == "zip":
        if not _looks_like_workbook_zip(path):
            raise LoadError(f"{name}: is a zip archive, not an Excel workbook; unzip it and load the "
                            "spreadsheet or CSV inside.")
        _check_expansion(path, name, size)
        return read_excel(path, name, by_content=path.suffix.lower() not in (".xlsx", ".xlsm", ".xlsb", ".ods"))
    # Many ERPs save HTML, SpreadsheetML (Excel 2003 XML) or tab-separated text under an .xls name.
    markup = _sniff_markup(path)
    if markup == "html":
        return read_html(path, name)
    if markup == "spreadsheetml":
        return read_spreadsheetml(path, name)
    if path.suffix.lower() in EXCEL_SUFFIXES and not _looks_like_text(path):
        raise LoadError(f"{name}: is not a valid Excel workbook (the file is damaged or is another format "
                        "renamed); open it in Excel and save it again as .xlsx or .csv.")
    sheet = read_csv(path, name)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        sheet.notes.append(f"the file is delimited text saved under a {path.suffix} name")
    return [sheet]


def _head_text(path: Path, size: int = 4096) -> str:
    with path.open("rb") as fh:
        data = fh.read(size)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="ignore")
    return data.decode("utf-8", errors="ignore").lstrip("\ufeff")


def _sniff_markup(path: Path) -> str | None:
    head = _head_text(path).lstrip().lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in head and "<workbook" in head:
        return "spreadsheetml"
    if head.startswith(("<!doctype html", "<html", "<table", "<meta", "<head", "<body")) or (
            head.startswith("<") and "<table" in head):
        return "html"
    return None


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as fh:
        data = fh.read(8192)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(data):
        # Excel's "Unicode Text" (UTF-16, tab-separated), often saved under an .xls name: judged as text.
        order = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else \
            "utf-16-le" if data[1::2].count(0) > data[0::2].count(0) else "utf-16-be"
        text = data[: len(data) // 2 * 2].decode(order, errors="replace")
        return sum(ch.isprintable() or ch in "\t\r\n" for ch in text) >= 0.95 * max(1, len(text))
    if data.count(b"\x00") > 0.01 * len(data):
        return False  # a stray NUL in an export is tolerated (read_csv removes it); many are binary
    printable = sum(32 <= b < 127 or b in (9, 10, 13) or b >= 128 for b in data)
    return printable >= 0.95 * len(data)


def _check_expansion(path: Path, name: str, size: int) -> None:
    """Refuse a workbook that would expand to far more than any real export before anything is unpacked."""
    try:
        with zipfile.ZipFile(path) as z:
            expanded = sum(max(0, i.file_size) for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the Excel reader reports the damage
    if expanded > MAX_EXPANDED_BYTES or (expanded > EXPANSION_FLOOR and expanded > MAX_EXPANSION * size):
        raise LoadError(f"{name}: expands from {size / MB:,.1f} MB to {expanded / MB:,.0f} MB when opened, far more "
                        "than a real export (a damaged or malicious file); export the data again, as CSV if it "
                        "is large.")


def _utf16_without_bom(data: bytes) -> bool:
    odd, even = data[1::2].count(0), data[0::2].count(0)
    return max(odd, even) > 0.4 * len(data) / 2 and min(odd, even) < 0.02 * len(data) / 2


def _ole_holds(path: Path, *streams: str) -> bool:
    """Whether a CFB container names any of these streams (directory entries are UTF-16 names)."""
    import mmap

    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return any(data.find(s.encode("utf-16-le") + b"\x00\x00") >= 0 for s in streams)


def _looks_like_workbook_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        return True  # let the Excel reader report the damage
    return any(n.startswith(("xl/", "[Content_Types].xml", "content.xml")) for n in names)


# ---------------------------------------------------------------------------------------------
# Excel


def read_excel(path: Path, name: str, *, by_content: bool = False) -> list[RawSheet]:
    """All sheets with python-calamine: cached values of formulas, merged ranges, hidden flags.

    `by_content`: the name's extension is not the workbook's format (an .xls saved as .xlsx), so
    calamine picks the format from the bytes rather than from the name.
    """
    from concurrent.futures import ThreadPoolExecutor

    # Error cells are looked for alongside calamine's parse (decompression runs outside the GIL).
    with ThreadPoolExecutor(max_workers=1) as pool:
        scan = pool.submit(scan_workbook, path) if _is_zip(path) else None
        sheets = _read_calamine(path, name, by_content, scan)
    return sheets


def _read_calamine(path: Path, name: str, by_content: bool, scan) -> list[RawSheet]:
    try:
        import python_calamine as pc

        if by_content:
            with path.open("rb") as fh:
                wb = pc.CalamineWorkbook.from_filelike(fh)
        else:
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
    errors = scan.result() if scan is not None else {}
    sheets = []
    for sheet_name in wb.sheet_names[:MAX_SHEETS]:
        try:
            known = errors.get(sheet_name)
            if known is not None and known.malformed:
                raise LoadError(f"a cell reference is not one ({known.malformed!r}); open the file in Excel and "
                                "save it again")
            if known is not None and known.rows * known.columns > MAX_CELLS:
                raise _TooLarge(known.rows, known.columns)  # before calamine allocates the whole rectangle
            sheet = wb.get_sheet_by_name(sheet_name)
            height, width = _used_size(sheet)
            if height * width > MAX_CELLS:
                raise _TooLarge(height, width)
            rows = sheet.to_python(skip_empty_area=False)
            merged = list(getattr(sheet, "merged_cell_ranges", None) or [])
        except _TooLarge as big:
            sheets.append(RawSheet(sheet_name, pd.DataFrame(), hidden=hidden.get(sheet_name, False), notes=[
                f"sheet too large to read ({big.height:,} rows x {big.width:,} columns in use); delete the unused "
                "rows and columns in Excel (a stray value far from the table counts), or export the sheet as CSV"]))
            continue
        except Exception as exc:
            sheets.append(RawSheet(sheet_name, pd.DataFrame(), notes=[f"sheet could not be read: {_short(exc)}"],
                                   hidden=hidden.get(sheet_name, False)))
            continue
        notes = _put_error_cells(rows, errors.get(sheet_name))
        sheets.append(RawSheet(sheet_name, grid_from_rows(rows), merged=merged,
                               hidden=hidden.get(sheet_name, False), notes=notes))
    if not sheets:
        raise LoadError(f"{name}: the workbook has no sheets; export the data again.")
    return _limit_sheets(sheets, len(wb.sheet_names))


def _limit_sheets(sheets: list[RawSheet], total: int) -> list[RawSheet]:
    """At most MAX_SHEETS sheets (thousands of tiny tables would take minutes); the first says so."""
    if total > MAX_SHEETS:
        sheets = sheets[:MAX_SHEETS]
        sheets[0].notes.append(f"only the first {MAX_SHEETS} of {total:,} sheets or tables were read; split the file")
    return sheets


class _TooLarge(Exception):
    def __init__(self, height: int, width: int):
        super().__init__(f"{height} x {width}")
        self.height, self.width = height, width


def _is_zip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == _ZIP


def _put_error_cells(rows: list[list], damage: SheetScan | None) -> list[str]:
    """Write error cells into calamine's rows (where it left them blank); notes on what was found."""
    if damage is None or not (damage.errors or damage.uncalculated):
        return []
    notes = []
    placed = 0
    for r, c, text in damage.errors:
        if r < len(rows) and c < len(rows[r]) and rows[r][c] in ("", None):
            rows[r][c] = text
            placed += 1
    if placed:
        kinds = sorted({text for _, _, text in damage.errors})
        notes.append(f"spreadsheet error values: {placed:,} cells ({', '.join(kinds[:5])}) from broken formulas")
    if damage.uncalculated:
        notes.append(f"formulas without a calculated value: {damage.uncalculated:,} cells read as blank (the file was "
                     "written by a program and never opened in Excel); open it in Excel, save it and import again")
    return notes


def _used_size(sheet) -> tuple[int, int]:
    """Rows and columns from A1 to the last used cell (what to_python would build)."""
    end = getattr(sheet, "end", None)
    if end:
        return end[0] + 1, end[1] + 1
    return getattr(sheet, "height", 0), getattr(sheet, "width", 0)


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
    head = data[:4096]
    if head.count(0) > 0.3 * len(head):  # UTF-16 without its BOM: every other byte of Latin text is zero
        order = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return data[: len(data) // 2 * 2].decode(order), order
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: the binary check that follows says so
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _mixed_utf8(data)
    if mixed is not None:
        return mixed, MIXED_ENCODING
    detected = []
    try:
        from charset_normalizer import from_bytes

        detected = [m.encoding for m in from_bytes(data[:400_000]) if m.encoding]
    except Exception:  # detection is a hint only
        pass
    if detected and _latin_family(detected[0]) and not _latin_script(detected[0]):
        # Another script's code page (Cyrillic Windows-1251, Greek...): the detector read whole words in it.
        try:
            return data.decode(detected[0]), detected[0]
        except (UnicodeDecodeError, LookupError):
            pass
    # Government exports that are not UTF-8 are almost always Windows-1252; another Latin-script page only on
    # evidence (see _latin_page).
    page = _latin_page(data, [c for c in detected if _latin_script(c)])
    if page is not None:
        return page
    return data.decode("latin-1"), "latin-1"


# Single-byte code pages of the Latin script: they differ from Windows-1252 in a few letters and symbols only
# ('£' at 0xA3 is 'Ł' in Central European Windows-1250), so a detector's guess among them rests on a handful of
# bytes and is often wrong both ways. The bytes decide instead (_latin_page).
_LATIN_SCRIPT = ("cp1250", "cp1252", "cp1254", "cp1257", "cp1258", "windows_1250", "windows_1252", "windows_1254",
                 "windows_1257", "windows_1258", "iso8859_1", "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_9",
                 "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "latin_1", "latin1",
                 "latin_2", "latin2", "cp850", "cp852", "cp775", "cp437", "mac_roman", "mac_latin2", "mac_iceland")
# A non-letter between two letters that still belongs in a word: apostrophes, dashes, a middle dot.
_WORD_PUNCTUATION = frozenset("\u2019\u2018\u00b4`\u2013\u2014\u00b7\u00ad")
_ODD_IN_WORD = re.compile(r"(?<=[^\W\d_])[^\x00-\x7f](?=[^\W\d_])")


def _latin_script(enc: str) -> bool:
    return enc.lower().replace("-", "_") in _LATIN_SCRIPT


def _odd_in_words(text: str) -> int:
    """Non-ASCII characters between two letters that are not letters themselves: 'Zak³ad' read in the wrong
    code page ('³' where Central European Windows-1250 has 'ł'), or a control character."""
    return sum(1 for m in _ODD_IN_WORD.finditer(text) if not m.group().isalpha() and m.group() not in _WORD_PUNCTUATION)


def _latin_page(data: bytes, detected: list[str]) -> tuple[str, str] | None:
    """The Latin-script code page that reads these bytes best: Windows-1252 unless another page (of those the
    detector found plausible) decodes them with fewer odd characters inside words. 'Zak³ad Us³ug' is
    Windows-1250's 'Zakład Usług'; 'Net Amount(£)' and '£278,419.94' stay Windows-1252 ('Ł' after '(' or before
    a digit is no evidence of Windows-1250). (text, code page), or None when no candidate decodes the bytes."""
    sample = data[:400_000]
    ranked = []
    for i, enc in enumerate(dict.fromkeys(["cp1252", *detected])):
        try:
            ranked.append((_odd_in_words(sample.decode(enc)), i, enc))
        except (UnicodeDecodeError, LookupError):
            continue
    for _, _, enc in sorted(ranked):  # fewest odd characters first, Windows-1252 on a tie
        try:
            return data.decode(enc), enc  # the whole file, not only the sample
        except UnicodeDecodeError:
            continue
    return None


MIXED_ENCODING = "utf-8 (some lines Windows-1252)"
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _mixed_utf8(data: bytes) -> str | None:
    """Text of a file that is UTF-8 but for a few lines in Windows-1252 (exports appended to one another), each
    line decoded as what it is; None when the file is not mostly UTF-8."""
    good = len(_UTF8_SEQUENCE.findall(data[:2_000_000]))
    bad = data[:2_000_000].decode("utf-8", errors="replace").count("\ufffd")
    if good < 3 * max(1, bad):
        return None
    out = []
    for line in data.split(b"\n"):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace"))
    return "\n".join(out)


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


def _max_fields(text: str, delim: str, limit_lines: int | None = None, quoting: int = csv.QUOTE_MINIMAL) -> int:
    lines = io.StringIO(text)
    reader = csv.reader(lines, delimiter=delim, quoting=quoting)
    width = 1
    try:
        for i, row in enumerate(reader):
            width = max(width, len(row))
            if limit_lines is not None and i >= limit_lines:
                break
    except csv.Error:
        pass
    return width


def _unify_line_endings(text: str, notes: list[str]) -> str:
    """Every line ending as '\\n': Windows CR LF, and old Mac CR-only files (which would otherwise read as
    one line). A CR inside a quoted cell becomes a line break in that cell, which is what it was."""
    if "\r" not in text:
        return text
    crlf = text.count("\r\n")
    text = text.replace("\r\n", "\n")
    lone = text.count("\r")
    if lone:
        text = text.replace("\r", "\n")
        if lone > crlf:
            notes.append("lines end with a carriage return only (an old Mac export); read line by line")
    return text


def read_csv(path: Path, name: str) -> RawSheet:
    """A delimited text file as a grid of strings ('' for empty), every row kept in place."""
    data = path.read_bytes()
    text, encoding = decode(data, name)
    sample = text[:65536]
    controls = sum(sample.count(chr(c)) for c in range(32) if c not in (9, 10, 13))
    if controls > max(3, 0.01 * len(sample)):
        raise LoadError(f"{name}: is not a text, CSV or Excel file (it holds binary data); "
                        "export the data as .xlsx or .csv.")
    notes = []
    if "\x00" in text:  # stray NUL bytes (a padded or damaged export): dropped, and said
        notes.append(f"{text.count(chr(0)):,} NUL characters removed (stray bytes in the export)")
        text = text.replace("\x00", "")
    if not text.strip():
        raise LoadError(f"{name}: the file is empty; export the data again.")
    text = _unify_line_endings(text, notes)
    if encoding == MIXED_ENCODING:
        notes.append("mixed encodings: the file is UTF-8 but some lines are Windows-1252; each line read as written")
    first_line = text[:20].split("\n", 1)[0].strip().strip('"').lower()
    if first_line.startswith("sep=") and len(first_line) == 5:
        # Excel's hint line ("sep=;") names the delimiter; it is not part of the table.
        delim = first_line[4]
        text = "\n" + text.split("\n", 1)[1] if "\n" in text else ""
    else:
        delim = sniff_delimiter(text)
    options = dict(sep=delim, header=None, dtype=str, keep_default_na=False, na_filter=False,
                   skip_blank_lines=False, quotechar='"', engine="c")
    # Give pandas the width: blank or short title lines must not decide how many columns there are.
    width = _max_fields(text[:200_000], delim, limit_lines=500)
    _check_width(width, name, delim)
    _check_cells(text.count("\n") + 1, width, name)
    try:
        try:
            grid = pd.read_csv(io.StringIO(text), names=range(width), **options)
        except pd.errors.ParserError as exc:
            if "EOF inside string" not in str(exc):
                width = _max_fields(text, delim)  # a later row is wider than the first ones
                grid = pd.read_csv(io.StringIO(text), names=range(width), **options)
            else:
                # An opening quote that never closes would swallow the rest of the file: read the
                # lines as they are instead, and say so.
                width = _max_fields(text, delim, quoting=csv.QUOTE_NONE)
                grid = pd.read_csv(io.StringIO(text), names=range(width), **{**options, "quoting": csv.QUOTE_NONE})
                grid = grid.apply(lambda c: c.str.strip('"'))
                where = re.search(r"row (\d+)", str(exc))
                notes.append("unbalanced quote" + (f" in row {int(where.group(1)) + 1}" if where else "")
                             + "; the file was read without quoting, check that row")
    except Exception as exc:
        raise LoadError(f"{name}: could not be read as a delimited text file ({_short(exc)}); "
                        "open it in Excel and save it as .xlsx or .csv.") from exc
    _check_width(grid.shape[1], name, delim)
    grid.columns = range(grid.shape[1])
    grid = grid.astype(object)
    grid, notes_added, repaired = realign(grid, delim)
    notes += notes_added
    return RawSheet(None, grid, encoding=encoding, delimiter=delim, notes=notes, repaired=repaired)


def _too_many_cells(height: int, width: int) -> str | None:
    """Why a grid of this size is not built (every row is padded to the widest), or None."""
    if height * width <= MAX_CELLS:
        return None
    return (f"too large to read ({height:,} rows x {width:,} columns, counting the widest row); delete unused "
            "rows and columns, or split the export")


def _check_cells(height: int, width: int, name: str) -> None:
    why = _too_many_cells(height, width)
    if why:
        raise LoadError(f"{name}: {why}.")


def _check_width(width: int, name: str, delim: str) -> None:
    if width > MAX_COLUMNS:
        shown = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(delim, repr(delim))
        raise LoadError(f"{name}: a row has {width:,} {shown}-separated fields, more than a spreadsheet can hold "
                        f"({MAX_COLUMNS:,} columns); check that it is a table, or export it again.")


# ---------------------------------------------------------------------------------------------
# Parquet


def read_parquet(path: Path, name: str) -> RawSheet:
    """A Parquet file: its column names are the header, its typed values the cells."""
    try:
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata  # the size is known before anything is decoded
        rows, columns = meta.num_rows, meta.num_columns
    except Exception as exc:
        raise LoadError(f"{name}: could not be read as a Parquet file ({_short(exc)}); "
                        "export it again or as CSV.") from exc
    if columns > MAX_COLUMNS:
        raise LoadError(f"{name}: has {columns:,} columns, more than a spreadsheet can hold ({MAX_COLUMNS:,}); "
                        "export only the columns needed.")
    _check_cells(rows, columns, name)
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:
        raise LoadError(f"{name}: could not be read as a Parquet file ({_short(exc)}); "
                        "export it again or as CSV.") from exc
    header = [str(c) for c in frame.columns]
    grid = pd.DataFrame({j: frame.iloc[:, j].astype(object).to_numpy() for j in range(frame.shape[1])})
    return RawSheet(None, grid, typed_header=header)


# ---------------------------------------------------------------------------------------------
# HTML tables and SpreadsheetML (what many ERPs save as ".xls")


SPAN_AREA = 2_000_000  # cells a table's row and column spans may cover in all


class _TableParser:
    """Collects the cells of every <table> (stdlib html.parser), keeping colspan/rowspan as merges."""

    def __init__(self):
        from html.parser import HTMLParser

        outer = self

        class P(HTMLParser):
            def handle_starttag(self, tag, attrs):
                outer.start(tag, dict(attrs))

            def handle_endtag(self, tag):
                outer.end(tag)

            def handle_data(self, data):
                outer.data(data)

        self.parser = P(convert_charrefs=True)
        self.tables: list[dict] = []
        self.stack: list[dict] = []

    def start(self, tag, attrs):
        if tag == "table":
            # Cells spanning later rows are kept as ranges, not cell by cell: a 2 KB page of
            # rowspan=10000 colspan=200 cells would otherwise be hundreds of millions of cells.
            self.stack.append({"rows": [], "merged": [], "spans": [], "row_taken": set(), "area": 0,
                               "cell": None, "r": -1})
        elif not self.stack:
            return
        elif tag == "tr":
            self._new_row(self.stack[-1])
        elif tag in ("td", "th"):
            t = self.stack[-1]
            if t["r"] < 0:
                self._new_row(t)
            while t["c"] in t["row_taken"]:
                t["c"] += 1
            if t["c"] >= MAX_COLUMNS:
                raise ValueError(f"a table row is wider than {MAX_COLUMNS:,} columns")
            span_c = _int(attrs.get("colspan"), 1, 200)
            span_r = _int(attrs.get("rowspan"), 1, 10_000)
            if t["area"] + span_c * span_r > SPAN_AREA:
                span_r = 1  # past any real report's merged area: the cell keeps its own row
            t["area"] += span_c * span_r
            t["cell"] = (t["r"], t["c"], [])
            if span_r > 1:
                t["spans"].append((t["r"], t["r"] + span_r - 1, t["c"], t["c"] + span_c - 1))
            if span_c > 1 or span_r > 1:
                t["merged"].append(((t["r"], t["c"]), (t["r"] + span_r - 1, t["c"] + span_c - 1)))
            t["c"] += span_c
        elif tag == "br" and self.stack[-1]["cell"] is not None:
            self.stack[-1]["cell"][2].append("\n")

    @staticmethod
    def _new_row(t: dict) -> None:
        """Start the next row: the columns cells above still cover are taken."""
        t["r"] += 1
        t["rows"].append([])
        t["c"] = 0
        r = t["r"]
        t["spans"] = [s for s in t["spans"] if s[1] >= r]
        t["row_taken"] = {c for r0, _r1, c0, c1 in t["spans"] if r0 < r for c in range(c0, c1 + 1)}

    def data(self, text):
        if self.stack and self.stack[-1]["cell"] is not None:
            self.stack[-1]["cell"][2].append(text)

    def end(self, tag):
        if not self.stack:
            return
        t = self.stack[-1]
        if tag in ("td", "th") and t["cell"] is not None:
            r, c, parts = t["cell"]
            text = "\n".join(" ".join(line.split()) for line in "".join(parts).split("\n")).strip()
            while len(t["rows"]) <= r:
                t["rows"].append([])
            row = t["rows"][r]
            row.extend([""] * (c + 1 - len(row)))
            row[c] = text
            t["cell"] = None
        elif tag == "table":
            self.tables.append(self.stack.pop())


def _int(value, default: int, limit: int) -> int:
    try:
        return max(1, min(int(str(value).strip()), limit))
    except (TypeError, ValueError):
        return default


def read_html(path: Path, name: str) -> list[RawSheet]:
    """Each HTML <table> with two rows or more as one sheet ('Table 1', 'Table 2'...)."""
    text, _ = decode(path.read_bytes(), name)
    collector = _TableParser()
    try:
        collector.parser.feed(text)
        collector.parser.close()
    except Exception as exc:
        raise LoadError(f"{name}: is a web page that could not be read ({_short(exc)}); open it in Excel and "
                        "save it as .xlsx or .csv.") from exc
    sheets, total = [], 0
    for t in collector.tables:
        if len([r for r in t["rows"] if any(r)]) < 2:
            continue
        total += 1
        if total > MAX_SHEETS:
            continue
        notes = ["the file is a web page (HTML table) saved under a spreadsheet name"] \
            if path.suffix.lower() in EXCEL_SUFFIXES else []
        why = _too_many_cells(len(t["rows"]), max(len(r) for r in t["rows"]))
        sheets.append(RawSheet(f"Table {len(sheets) + 1}", pd.DataFrame() if why else grid_from_rows(t["rows"]),
                               merged=[] if why else t["merged"], notes=notes + ([f"sheet {why}"] if why else [])))
    if not sheets:
        raise LoadError(f"{name}: is a web page with no table in it; export the data as .xlsx or .csv.")
    return _limit_sheets(sheets, total)


def read_spreadsheetml(path: Path, name: str) -> list[RawSheet]:
    """An Excel 2003 XML workbook: every Worksheet, typed cells, merges from MergeAcross/MergeDown."""
    import datetime as dt
    import xml.etree.ElementTree as ET

    ns = "{urn:schemas-microsoft-com:office:spreadsheet}"
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise LoadError(f"{name}: is an Excel 2003 XML file that could not be read ({_short(exc)}); open it in "
                        "Excel and save it as .xlsx.") from exc
    sheets = []
    worksheets = list(root.iter(f"{ns}Worksheet"))
    for ws in worksheets[:MAX_SHEETS]:
        rows: list[list] = []
        merged = []
        r = -1
        for row in ws.iter(f"{ns}Row"):
            r = _int(row.get(f"{ns}Index"), r + 2, EXCEL_ROWS) - 1
            while len(rows) <= r:
                rows.append([])
            c = -1
            for cell in row.iter(f"{ns}Cell"):
                c = _int(cell.get(f"{ns}Index"), c + 2, MAX_COLUMNS) - 1
                if c >= MAX_COLUMNS:  # past Excel's last column (merges pushing right): nothing real is there
                    break
                data = cell.find(f"{ns}Data")
                value = "" if data is None else "".join(data.itertext())
                kind = "" if data is None else data.get(f"{ns}Type", "")
                if kind == "Number":
                    with contextlib.suppress(ValueError):
                        value = float(value)
                elif kind == "DateTime":
                    with contextlib.suppress(ValueError):
                        value = dt.datetime.fromisoformat(value[:19])
                out = rows[r]
                out.extend([""] * (c + 1 - len(out)))
                out[c] = value
                across = _int(cell.get(f"{ns}MergeAcross"), 0, 20_000) if cell.get(f"{ns}MergeAcross") else 0
                down = _int(cell.get(f"{ns}MergeDown"), 0, 10**6) if cell.get(f"{ns}MergeDown") else 0
                if across or down:
                    merged.append(((r, c), (r + down, c + across)))
                c += across
        why = _too_many_cells(len(rows), max((len(r) for r in rows), default=0))
        if why:
            sheets.append(RawSheet(ws.get(f"{ns}Name") or f"Sheet {len(sheets) + 1}", pd.DataFrame(),
                                   notes=[f"sheet {why}"]))
            continue
        sheets.append(RawSheet(ws.get(f"{ns}Name") or f"Sheet {len(sheets) + 1}", grid_from_rows(rows),
                               merged=merged))
    if not sheets:
        raise LoadError(f"{name}: is an Excel 2003 XML file with no worksheet; export the data again.")
    return _limit_sheets(sheets, len(worksheets))
