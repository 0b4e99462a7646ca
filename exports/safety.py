"""Formula neutralisation for spreadsheet exports (Excel and CSV), in one place."""

from __future__ import annotations

import io

import pandas as pd

# Text starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets
# (OWASP "CSV injection"); tab and carriage return hide a formula after them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_dangerous(value) -> bool:
    """True for text a spreadsheet could read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(value):
    """Text that a spreadsheet could run becomes plain text by a leading apostrophe; anything else as is.

    '=HYPERLINK(...)' -> "'=HYPERLINK(...)"; numbers (also negative ones), dates and None are unchanged.
    """
    if is_dangerous(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and column names) are neutralised; numeric columns untouched."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
            continue
        out[col] = s.map(neutralise, na_action="ignore")
    out.columns = [neutralise(str(c)) if isinstance(c, str) else c for c in out.columns]
    return out


def safe_csv(frame: pd.DataFrame, *, index: bool = False) -> bytes:
    """CSV bytes (UTF-8 with BOM, so Excel reads accents right) with formula-like text neutralised."""
    buf = io.StringIO()
    if index:  # the index is written as columns, so its values and names are neutralised like any other
        frame = frame.reset_index()
    # CRLF rows (RFC 4180): a cell holding a bare carriage return is then quoted. With "\n" rows pandas leaves
    # it unquoted, Excel starts a new row at it, and text after it ('Parks\r=HYPERLINK(...)') becomes a formula.
    neutralise_frame(frame).to_csv(buf, index=False, date_format="%Y-%m-%d", lineterminator="\r\n")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
