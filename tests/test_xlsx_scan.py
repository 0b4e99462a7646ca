"""The sheet-extent scan that runs before calamine: never below what calamine would allocate, exact for the
spelling real writers use, whatever the piece size; hostile spellings are in tests/test_robustness.py."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from loaders import xlsx_scan

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
positions = st.lists(st.tuples(st.integers(1, 3000), st.integers(1, 120)), min_size=1, max_size=8, unique=True)


def workbook(path: Path, cells: list[tuple[int, int]]) -> Path:
    wb = Workbook()
    for row, column in cells:
        wb.active.cell(row=row, column=column, value=f"{get_column_letter(column)}{row}")
    wb.save(path)
    return path


def respelt(path: Path, change) -> Path:
    out = path.with_name("respelt_" + path.name)
    with zipfile.ZipFile(path) as zi, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zo:
        for item in zi.infolist():
            data = zi.read(item.filename)
            zo.writestr(item, change(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
    return out


def calamine_extent(path: Path) -> tuple[int, int]:
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(path))
    end = wb.get_sheet_by_name(wb.sheet_names[0]).end
    return (end[0] + 1, end[1] + 1) if end else (0, 0)


def extent(path: Path) -> tuple[int, int]:
    (scan,) = xlsx_scan.scan_workbook(path).values()
    assert scan.malformed is None
    return scan.rows, scan.columns


SPELLINGS = {
    "reference last": lambda d: re.sub(rb'<c r="([A-Z]+\d+)"( [^>]*?)(/?)>', rb'<c\2 r="\1"\3>', d),
    "single quotes": lambda d: re.sub(rb' r="([A-Z]*\d+)"', rb" r='\1'", d),
    "spaces around =": lambda d: d.replace(b' r="', b' r = "'),
    "namespace prefix": lambda d: re.sub(rb"<(/?)(?![?!])([A-Za-z]+)", rb"<\1x:\2",
                                         d.replace(b'<worksheet xmlns="', b'<worksheet xmlns:x="')),
    "no references": lambda d: re.sub(rb' r="[A-Z]*\d+"', b"", d),
    "'>' in an earlier value": lambda d: re.sub(rb'<c r="', b'<c xmlns:q="urn:a>b" r="', d),
    "'r=' in an earlier value": lambda d: re.sub(rb'<c r="', b'<c xmlns:q="urn: r=\'A1\'" r="', d),
}


@SETTINGS
@given(cells=positions)
def test_the_extent_is_exact_as_real_writers_spell_it(tmp_path_factory, cells):
    path = workbook(tmp_path_factory.mktemp("x") / "book.xlsx", cells)
    assert extent(path) == (max(r for r, _ in cells), max(c for _, c in cells)) == calamine_extent(path)


@pytest.mark.parametrize("spelling", list(SPELLINGS))
@SETTINGS
@given(cells=positions)
def test_the_extent_is_never_below_what_calamine_reads(tmp_path_factory, spelling, cells):
    path = respelt(workbook(tmp_path_factory.mktemp("x") / "book.xlsx", cells), SPELLINGS[spelling])
    rows, columns = extent(path)
    read_rows, read_columns = calamine_extent(path)
    assert rows >= read_rows and columns >= read_columns


@SETTINGS
@given(cells=positions, piece=st.integers(16, 400))
def test_pieces_of_any_size_give_the_same_extent(tmp_path_factory, monkeypatch, cells, piece):
    """Tags cut across piece boundaries are carried to the next piece whole."""
    path = respelt(workbook(tmp_path_factory.mktemp("x") / "book.xlsx", cells), SPELLINGS["reference last"])
    whole = extent(path)
    with monkeypatch.context() as m:
        m.setattr(xlsx_scan, "PIECE", piece)
        assert extent(path) == whole


def test_a_reference_that_is_not_one_is_named(tmp_path):
    path = respelt(workbook(tmp_path / "book.xlsx", [(1, 1), (2, 2)]), lambda d: d.replace(b'r="B2"', b'r="B-2"'))
    (scan,) = xlsx_scan.scan_workbook(path).values()
    assert scan.malformed == "B-2"


def test_cells_placed_by_order_count_towards_the_extent(tmp_path):
    """Without references a cell lands right of the one before, a row below the one before."""
    rows = b"<row></row>" * 10 + b"<row>" + b"<c/>" * 20 + b'<c t="inlineStr"><is><t>far</t></is></c></row>'
    path = respelt(workbook(tmp_path / "book.xlsx", [(1, 1), (2, 4)]), lambda d: d.replace(b"</sheetData>",
                                                                                        rows + b"</sheetData>"))
    rows_bound, columns_bound = extent(path)
    assert calamine_extent(path) == (13, 21)
    assert (rows_bound, columns_bound) == (2 + 11, 4 + 21)  # explicit extent plus the rows and cells counted
