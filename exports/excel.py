"""Excel workbooks with openpyxl: formatted header, number and date formats, frozen header, status colours.

Every text cell goes through safety.neutralise, so nothing in a workbook is ever run as a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from charts.theme import STATUS_DARK, STATUS_SYMBOLS, STATUS_TINTS
from kpi.format import excel_format
from loaders.labels import column_label

from .safety import neutralise

EXCEL_MAX_ROWS = 1_048_575  # below the header
HEADER_FILL = "1F4E79"
# Excel number formats per KPI unit, with the app's decimals (values are stored as numbers; shares as fractions).
UNIT_FORMATS = {unit: excel_format(unit) for unit in ("share", "dollars", "days", "count", "bids", "ratio")}
MONEY_FORMAT = '"$"#,##0.00'
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
INT_FORMAT = "#,##0"
FLOAT_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"
# Columns that carry a KPI value in the row's unit (scorecard and KPI tables with a `unit` column).
UNIT_VALUE_COLUMNS = ("value", "p90", "target", "at_risk", "prev_value", "yoy_value", "previous", "last_year")

# Plain column names come from one place: loaders.labels (canonical, engine and scorecard columns).


def status_word(status) -> str:
    """'at_risk' / 'AT RISK' / Status.AT_RISK -> 'at risk'; empty for missing."""
    if status is None or (isinstance(status, float) and math.isnan(status)):
        return ""
    s = getattr(status, "value", status)
    return str(s).replace("_", " ").strip().lower()


def header_name(column: str, humanise: bool) -> str:
    if not humanise:
        return str(column)
    text = str(column)
    if text != text.lower():  # already written for people ("KPI", "Rows read")
        return text
    label = column_label(text)
    return label if label != text else text.replace("_", " ").capitalize()


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (31 characters, none of []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", " ", str(name)).strip().strip("'")[:31] or "Sheet"
    title, i = base, 2
    while title.lower() in taken:
        suffix = f" ({i})"
        title, i = base[: 31 - len(suffix)] + suffix, i + 1
    taken.add(title.lower())
    return title


def _column_kind(name: str, s: pd.Series) -> str:
    lname = str(name).lower()
    if pd.api.types.is_bool_dtype(s):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(s):
        has_time = s.dropna().dt.normalize().ne(s.dropna()).any() if len(s.dropna()) else False
        return "datetime" if has_time else "date"
    if pd.api.types.is_numeric_dtype(s):
        if lname.endswith("_amount") or lname in ("amount", "spend", "dollars"):
            return "money"
        if lname.endswith(("_share", "_rate", "_pct")) or lname in ("share", "rate"):
            return "percent"
        if pd.api.types.is_integer_dtype(s):
            return "int"
        return "float"
    if lname == "status":
        return "status"
    sample = s.dropna().head(50)
    if len(sample) and all(isinstance(v, (dt.date, pd.Timestamp)) for v in sample):
        return "date"
    return "text"


def _plain(value):
    """A value openpyxl can store: None for missing, Python scalars, lists joined, text neutralised."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        return ", ".join("" if _plain(v) is None else str(_plain(v)) for v in value)
    if isinstance(value, dict):
        return neutralise(str(value))
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, (bool, int, float, dt.date, dt.datetime)):
        return value
    return neutralise(str(value))


def _display_len(value, fmt: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, (dt.date, dt.datetime)):
        return 16 if isinstance(value, dt.datetime) and fmt == DATETIME_FORMAT else 10
    if isinstance(value, float):
        return len(f"{value:,.2f}") + (1 if fmt and "$" in fmt else 0)
    if isinstance(value, int) and not isinstance(value, bool):
        return len(f"{value:,}") + (1 if fmt and "$" in fmt else 0)
    return max((len(line) for line in str(value).splitlines()), default=0)


def write_sheet(
    wb: Workbook,
    name: str,
    frame: pd.DataFrame,
    *,
    humanise: bool = True,
    taken: set[str] | None = None,
    header_fill: str = HEADER_FILL,
) -> None:
    """Append one formatted sheet (write-only mode: fast for large drill-downs)."""
    taken = taken if taken is not None else set()
    ws = wb.create_sheet(sheet_title(name, taken))
    frame = frame.reset_index(drop=True)
    truncated = len(frame) > EXCEL_MAX_ROWS
    if truncated:
        frame = frame.iloc[:EXCEL_MAX_ROWS]
    columns = list(frame.columns)
    kinds = {c: _column_kind(c, frame[c]) for c in columns}
    units = frame["unit"].astype(str).tolist() if "unit" in frame.columns else None

    def fmt_for(col, row_i):
        kind = kinds[col]
        if units is not None and col in UNIT_VALUE_COLUMNS:
            return UNIT_FORMATS.get(units[row_i], FLOAT_FORMAT)
        return {
            "money": MONEY_FORMAT,
            "percent": PERCENT_FORMAT,
            "int": INT_FORMAT,
            "float": FLOAT_FORMAT,
            "date": DATE_FORMAT,
            "datetime": DATETIME_FORMAT,
        }.get(kind)

    # Widths from the header and the first rows.
    widths = []
    sample = frame.head(300)
    for c in columns:
        lengths = [_display_len(_plain(v), fmt_for(c, i)) for i, v in enumerate(sample[c])]
        widths.append(min(max([len(header_name(c, humanise)) + 2, *[x + 2 for x in lengths], 8]), 60))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(frame) + 1, 2)}"

    header_font = Font(bold=True, color="FFFFFF")
    header_fill_ = PatternFill("solid", fgColor=header_fill.lstrip("#").upper())
    header_align = Alignment(wrap_text=True, vertical="center")
    thin = Border(bottom=Side(style="thin", color="999999"))
    header = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=neutralise(header_name(c, humanise)))
        cell.font, cell.fill, cell.alignment, cell.border = header_font, header_fill_, header_align, thin
        header.append(cell)
    ws.append(header)

    status_fills = {k: PatternFill("solid", fgColor=v.lstrip("#")) for k, v in STATUS_TINTS.items()}
    status_fonts = {k: Font(bold=True, color=STATUS_DARK[k].lstrip("#")) for k in STATUS_TINTS}
    wrap = Alignment(wrap_text=True, vertical="top")
    long_text = {c for c, w in zip(columns, widths, strict=True) if w >= 60 and kinds[c] == "text"}
    values = [frame[c].tolist() for c in columns]
    for i in range(len(frame)):
        row = []
        for j, c in enumerate(columns):
            v = _plain(values[j][i])
            kind = kinds[c]
            if kind == "status":
                word = status_word(values[j][i])
                cell = WriteOnlyCell(
                    ws, value=neutralise(f"{STATUS_SYMBOLS.get(word, '')} {word}".strip()) or None
                )
                if word in status_fills:
                    cell.fill, cell.font = status_fills[word], status_fonts[word]
                row.append(cell)
                continue
            fmt = fmt_for(c, i) if v is not None and not isinstance(v, str) else None
            if fmt is None and c not in long_text:
                row.append(v)
                continue
            cell = WriteOnlyCell(ws, value=v)
            if fmt:
                cell.number_format = fmt
            if c in long_text:
                cell.alignment = wrap
            row.append(cell)
        ws.append(row)
    if truncated:
        ws.append([f"Only the first {EXCEL_MAX_ROWS:,} rows fit in a worksheet."])


def excel_workbook(
    sheets: pd.DataFrame | Mapping[str, pd.DataFrame],
    *,
    about: Mapping[str, str] | None = None,
    humanise: bool = True,
    header_fill: str = HEADER_FILL,
) -> bytes:
    """An .xlsx of one frame or several ({sheet name: frame}), each formatted, plus an optional About sheet.

    Dates get a date format, *_amount columns dollars, *_share/*_rate percent; a `unit` column formats
    the KPI value columns of its row; a `status` column is coloured and spelled out (✓ met, ! at risk,
    ✗ missed). Text that could run as a formula is neutralised.
    """
    if isinstance(sheets, pd.DataFrame):
        sheets = {"Data": sheets}
    wb = Workbook(write_only=True)
    taken: set[str] = set()
    for name, frame in sheets.items():
        write_sheet(wb, name, frame, humanise=humanise, taken=taken, header_fill=header_fill)
    if about:
        ws = wb.create_sheet(sheet_title("About", taken))
        ws.column_dimensions["A"].width = 22
        ws.column_dimensions["B"].width = 100
        bold = Font(bold=True)
        for k, v in about.items():
            key = WriteOnlyCell(ws, value=neutralise(str(k)))
            key.font = bold
            ws.append([key, _plain(v)])
    if not sheets and not about:
        wb.create_sheet("Empty").append(["No data"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


SCORECARD_ORDER = (
    "title",
    "period_label",
    "value",
    "target",
    "at_risk",
    "status",
    "prev_value",
    "yoy_value",
    "n",
    "partial",
    "sentence",
    "goal_source",
    "unit",
    "direction",
    "kpi_id",
)


def scorecard_frame(scorecard: pd.DataFrame) -> pd.DataFrame:
    """The scorecard in reading order, without the sparkline lists."""
    cols = [c for c in SCORECARD_ORDER if c in scorecard.columns]
    rest = [c for c in scorecard.columns if c not in cols and c not in ("sparkline", "missing")]
    return scorecard[cols + rest].rename(columns={"title": "KPI"})


def scorecard_xlsx(scorecard: pd.DataFrame, *, about: Mapping[str, str] | None = None) -> bytes:
    """The scorecard (kpi.scorecard's frame) as a formatted workbook."""
    return excel_workbook({"Scorecard": scorecard_frame(scorecard)}, about=about)


def table_xlsx(
    frame: pd.DataFrame, sheet: str = "Records", *, about: Mapping[str, str] | None = None
) -> bytes:
    """Any KPI table or drill-down as a formatted workbook (one sheet; column names kept as they are)."""
    return excel_workbook({sheet: frame}, about=about, humanise=False)
