"""Writers for Hand County's exports: each export is given as the rows a person sees in it (title lines, the
header, data rows as the ERP prints them, a totals line); these functions only put them into a file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font


def write_xlsx(path: Path, sheet: str, title: list[str], header: list[str], rows: list[list], footer: list[list]) -> Path:
    """A report-style workbook: bold title lines, a blank line, the header, the rows, the footer lines.
    Cells are written as given: text stays text ('$460,000.00', '11/1/2025'), dates become Excel dates,
    numbers Excel numbers (with a currency format where the column says so)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for line in title:
        ws.append([line])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
    ws.append([])
    ws.append(header)
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)
    for row in rows + footer:
        ws.append([None if v == "" else v for v in row])
        for c in ws[ws.max_row]:
            if isinstance(c.value, (dt.date, dt.datetime)):
                c.number_format = "m/d/yyyy"
            elif isinstance(c.value, float):
                c.number_format = '"$"#,##0.00'
    wb.save(path)
    return path


def write_workbook(path: Path, sheets: dict[str, tuple[list[str], list[str], list[list], list[list]]]) -> Path:
    """One workbook with a sheet per export (sheet name -> title, header, rows, footer), as an office that
    keeps all its tables in one file would send them."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, (title, header, rows, footer) in sheets.items():
        ws = wb.create_sheet(name)
        for line in title:
            ws.append([line])
        if title:
            ws.append([])
        ws.append(header)
        for row in rows + footer:
            ws.append([None if v == "" else v for v in row])
    wb.save(path)
    return path


def write_csv(path: Path, title: list[str], header: list[str], rows: list[list], footer: list[list], *,
              delimiter: str = ",", encoding: str = "utf-8") -> Path:
    """A text export: title lines (one cell each), the header, rows, footer lines; quoted where needed."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for line in title:
        w.writerow([line])
    w.writerow(header)
    for row in rows + footer:
        w.writerow(row)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path
