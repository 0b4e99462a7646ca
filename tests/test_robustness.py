"""Bad input from the command line: every hostile file gets one clear line (or its bad values as issues),
never a traceback, and the workspace is left as it was. docs/reliability.md holds the table of cases."""

from __future__ import annotations

import hashlib
import random
import re
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from loaders import LoadError, import_file, inspect_file
from loaders.__main__ import main
from loaders.readers import MB, upload_limit_mb
from loaders.schema import TABLES
from storage import Workspace

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["Check No", "Check Date", "Vendor Name", "Amount"]

# ------------------------------------------------------------------ the hostile files, made here


def xlsx(path: Path, rows: list[list], *, text_cells: bool = False) -> Path:
    """A workbook of rows; with text_cells every cell is stored as text (so '=1+1' is text, not a formula)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Checks"
    for row in rows:
        ws.append(row)
    if text_cells:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    wb.save(path)
    return path


def csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    def cell(v) -> str:
        text = str(v)
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text

    path.write_text("\n".join(",".join(cell(v) for v in r) for r in rows) + "\n", encoding=encoding)
    return path


def good_rows(n: int = 3, prefix: str = "CHK") -> list[list]:
    return [HEADER] + [[f"{prefix}-{i:04d}", "07/15/2025", f"Vendor {i}", f"${100 + i:,.2f}"] for i in range(n)]


def put(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal, valid OLE2 compound file (CFB v3, 512-byte sectors) holding these streams.

    Each stream is padded to 4,096 bytes or more, so it lives in ordinary sectors (no mini stream).
    An Excel workbook saved with a password is such a file with EncryptionInfo and EncryptedPackage.
    """
    free, end, fat_mark = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    names = sorted(streams, key=lambda n: (len(n), n.upper()))  # CFB sibling order: length, then name
    bodies = [streams[n].ljust(max(4096, -(-len(streams[n]) // 512) * 512), b"\0") for n in names]
    entries = 1 + len(names)
    dir_sectors = -(-entries * 128 // 512)
    data_sectors = sum(len(b) // 512 for b in bodies)
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + dir_sectors + data_sectors:
        fat_sectors += 1
    fat = [fat_mark] * fat_sectors
    first_dir = len(fat)
    fat += [first_dir + i + 1 for i in range(dir_sectors - 1)] + [end]
    starts = []
    for body in bodies:
        n = len(body) // 512
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(n - 1)] + [end]
    fat += [free] * (fat_sectors * 128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", free, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
                + struct.pack("<IIi", start, size, 0))

    directory = entry("Root Entry", 5, 1 if names else free, free, end, 0)
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else free
        directory += entry(name, 2, free, right, starts[i], len(streams[name]))
    directory = directory.ljust(dir_sectors * 512, b"\0")
    difat = [i for i in range(fat_sectors)] + [free] * (109 - fat_sectors)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, fat_sectors, first_dir, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", *difat))
    return header + struct.pack(f"<{len(fat)}I", *fat) + directory + b"".join(bodies)


def _all_scripts() -> list[str]:
    return ["Café Müller & Søn", "Ελληνική Εταιρεία", "ООО «Стройсервис»", "شركة البناء المتحدة", "חברת בנייה",
            "निर्माण कंपनी", "บริษัท ก่อสร้าง", "北京建设有限公司", "株式会社テスト", "건설 주식회사",
            "Construção 👷🏽‍♀️🚧", "Zalgo Z̷̢a̸l̵g̶o", "left\u202eright override", "zero\u200bwidth", "Ω≈ç√∫"]


HTML = ["<script>alert('x')</script>", "<img src=x onerror=alert(1)>", "**bold** [click](javascript:alert(1))",
        "</td></tr></table><h1>big</h1>", "![pixel](http://tracker.example/p.png)"]
FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "=1+1",
            "-2+3", "\t=1+1"]


def _zip_not_workbook(p: Path) -> Path:
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("readme.txt", "quarterly exports")
        z.writestr("payments.csv", "a,b\n1,2\n")
    return p


def _zip_claiming_workbook(p: Path) -> Path:
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "not xml at all")
    return p


def _truncated(p: Path) -> Path:
    whole = xlsx(p.with_name("whole.xlsx"), good_rows(300)).read_bytes()
    p.write_bytes(whole[: len(whole) // 2])
    return p


def _random(p: Path, seed: int) -> Path:
    p.write_bytes(random.Random(seed).randbytes(6000))
    return p


def _renamed(p: Path) -> Path:
    p.write_bytes(xlsx(p.with_name("real.xlsx"), good_rows(3)).read_bytes())
    return p


def _wide(p: Path) -> Path:
    extra = [f"Field {i}" for i in range(3000 - len(HEADER))]
    rows = [HEADER + extra] + [[f"W-{i}", "07/15/2025", "Wide Co", "$5.00"] + ["x"] * len(extra) for i in range(30)]
    return csv(p, rows)


def _over_limit(p: Path) -> Path:
    with p.open("wb") as fh:  # sparse: no disk is spent on it
        fh.write(good_rows_bytes())
        fh.truncate(upload_limit_mb() * MB + 1)
    return p


def good_rows_bytes() -> bytes:
    return "\n".join(",".join(r) for r in good_rows(3)).encode() + b"\n"


def _zip_bomb(p: Path) -> Path:
    """A real workbook whose sheet expands from about 1 MB to 120 MB of repeated rows (ratio ~ 1000)."""
    _renamed(p.with_name("template.csv"))
    with zipfile.ZipFile(p.with_name("real.xlsx")) as src, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED,
                                                                          compresslevel=1) as z:
        for info in src.infolist():
            if not info.filename.startswith("xl/worksheets/"):
                z.writestr(info, src.read(info))
                continue
            with z.open(info.filename, "w", force_zip64=True) as out:
                out.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                block = b'<row><c t="inlineStr"><is><t>AAAA</t></is></c></row>' * 20_000
                for _ in range(120 * MB // len(block)):
                    out.write(block)
                out.write(b"</sheetData></worksheet>")
    return p


def _span_bomb(p: Path) -> Path:
    """A 1 KB web page saved as .xls whose cells claim 10,000 rows x 200 columns each (2 million cells per cell)."""
    bomb = "<td rowspan=10000 colspan=200>x</td>" * 10
    rows = "".join(f"<tr><td>SPAN-{i}</td><td>07/15/2025</td><td>$5.00</td></tr>" for i in range(3))
    return put(p, (f"<html><table><tr><th>Check No</th><th>Check Date</th><th>Amount</th></tr>{rows}"
                   f"<tr>{bomb}</tr><tr>{bomb}</tr></table></html>").encode())


def _sparse_xml(p: Path) -> Path:
    """Excel 2003 XML whose second row claims to be row 9,999,999 and column 20,000."""
    ns = 'xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"'
    return put(p, (f'<?xml version="1.0"?><Workbook {ns}><Worksheet ss:Name="Checks"><Table>'
                   '<Row><Cell><Data ss:Type="String">Check No</Data></Cell></Row>'
                   '<Row ss:Index="9999999"><Cell ss:Index="20000"><Data ss:Type="String">x</Data></Cell></Row>'
                   "</Table></Worksheet></Workbook>").encode())


def _entity_bomb(p: Path) -> Path:
    """Excel 2003 XML with nested entities that would expand to 10 GB ("billion laughs")."""
    entities = '<!ENTITY a0 "AAAAAAAAAA">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    ns = 'xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"'
    return put(p, (f'<?xml version="1.0"?><!DOCTYPE Workbook [{entities}]><Workbook {ns}><Worksheet ss:Name="S">'
                   '<Table><Row><Cell><Data ss:Type="String">&a9;</Data></Cell></Row></Table></Worksheet>'
                   "</Workbook>").encode())


def _far_cell(p: Path) -> Path:
    """A small table and one stray value in the last cell Excel has (XFD1048576): 17 billion cells apart."""
    wb = Workbook()
    for row in good_rows(3):
        wb.active.append(row)
    wb.active["XFD1048576"] = "stray"
    wb.save(p)
    return p


def _sheet_xml(path: Path, change) -> Path:
    """A small workbook whose sheet XML is rewritten by `change`: how other writers, or an attacker, spell it."""
    plain = xlsx(path.with_name("plain_" + path.name), good_rows(3))
    with zipfile.ZipFile(plain) as zi, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zo:
        for item in zi.infolist():
            data = zi.read(item.filename)
            zo.writestr(item, change(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
    plain.unlink()
    return path


def _append_rows(xml: bytes) -> callable:
    return lambda data: data.replace(b"</sheetData>", xml + b"</sheetData>")


def _prefixed(data: bytes) -> bytes:
    """Every element with an 'x:' namespace prefix, as .NET's Open XML SDK writes it."""
    data = data.replace(b'<worksheet xmlns="', b'<x:worksheet xmlns:x="')
    return re.sub(rb"<(/?)(?![?!])(?!x:)([A-Za-z]+)", rb"<\1x:\2", data)


# The cell at XFD1048576 spelt as calamine reads it but not as Excel writes it.
_FAR_REORDERED = b'<row r="1048576"><c t="inlineStr" r="XFD1048576"><is><t>stray</t></is></c></row>'
_FAR_HIDDEN = (b'<row r="1048576"><c xmlns:q="urn: r=\'A1\' >" t="inlineStr" r="XFD1048576"><is><t>stray</t></is>'
               b"</c></row>")
_FAR_QUOTED = b"<row r='1048576'><c r='XFD1048576' t='inlineStr'><is><t>stray</t></is></c></row>"
# No references at all: 40,000 empty rows, then 16,000 empty cells and a value (a 640-million-cell rectangle).
_FAR_UNREFERENCED = (b"<row></row>" * 40_000 + b"<row>" + b"<c/>" * 16_000
                     + b'<c t="inlineStr"><is><t>stray</t></is></c></row>')


def _unreferenced(data: bytes) -> bytes:
    """Cells and rows without their r="B7" references (allowed: their place is implied by order)."""
    return re.sub(rb' r="[A-Z]*\d+"', b"", data)


def _error_values_xlsx(p: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["ERR-1", "07/15/2025", "Acme", "#REF!"])  # openpyxl stores these as real error cells (t="e")
    ws.append(["ERR-2", "#DIV/0!", "Bolt", 20])
    ws.append(["ERR-3", "07/16/2025", "#N/A", 30])
    ws.append(["ERR-4", "07/17/2025", "Core", 40])
    wb.save(p)
    return p


# id -> (builder, expected CLI outcome). "reject": exit 2 with one line holding these words;
# "load": exit 0, with the problems expected among the issues (and the rows they exclude).
CASES = {
    "empty_csv": (lambda p: put(p / "empty.csv", b""), ("reject", "empty")),
    "zero_byte_xlsx": (lambda p: put(p / "zero.xlsx", b""), ("reject", "empty")),
    "truncated_xlsx": (lambda p: _truncated(p / "cut.xlsx"), ("reject", "could not be read as an Excel workbook")),
    "random_bytes_xlsx": (lambda p: _random(p / "noise.xlsx", 1), ("reject", "not a valid Excel workbook")),
    "random_bytes_csv": (lambda p: _random(p / "noise.csv", 2), ("reject", "binary")),
    "xlsx_renamed_csv": (lambda p: _renamed(p / "really_a_workbook.csv"), ("load", {})),
    "zip_not_workbook": (lambda p: _zip_not_workbook(p / "archive.xlsx"), ("reject", "zip archive")),
    "zip_claiming_workbook": (lambda p: _zip_claiming_workbook(p / "fake.xlsx"),
                              ("reject", "could not be read as an Excel workbook")),
    "password_protected": (
        lambda p: put(p / "locked.xlsx", cfb({"EncryptionInfo": b"\x04\x00\x04\x00" + b"\x40" * 200,
                                                       "EncryptedPackage": random.Random(3).randbytes(5000)})), ("reject", "password-protected")),
    "password_protected_named_xls": (
        lambda p: put(p / "locked.xls", cfb({"EncryptionInfo": b"\x04\x00", "EncryptedPackage": b"x"})), ("reject", "password-protected")),
    "cfb_magic_not_xls": (
        lambda p: put(p / "memo.xls", cfb({"WordDocument": b"Dear council", "1Table": b"\0"})), ("reject", "no Excel workbook inside")),
    "cfb_magic_garbage": (lambda p: put(p / "damaged.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 3000), ("reject", "no Excel workbook inside")),
    "header_no_rows_csv": (lambda p: csv(p / "header_only.csv", [HEADER]), ("reject", "nothing could be imported")),
    "header_no_rows_xlsx": (lambda p: xlsx(p / "header_only.xlsx", [HEADER]), ("reject", "nothing could be imported")),
    "duplicate_headers": (lambda p: csv(p / "dupes.csv", [["Check No", "Check Date", "Amount", "Amount", "Vendor Name"],
                                                         ["D-1", "07/15/2025", "$10.00", "$99.00", "Acme"],
                                                         ["D-2", "07/16/2025", "$20.00", "$98.00", "Bolt"]]),
                          ("load", {})),
    "all_blank_columns": (lambda p: csv(p / "gaps.csv", [["Check No", "", "Check Date", "Memo", "Amount", ""],
                                                        ["B-1", "", "07/15/2025", "", "$10.00", ""],
                                                        ["B-2", "", "07/16/2025", "", "$20.00", ""]]), ("load", {})),
    "three_thousand_columns": (lambda p: _wide(p / "wide.csv"), ("load", {})),
    "too_many_fields": (lambda p: put(p / "commas.csv", b"Check No" + b"," * 20_000 + b"\n1\n"),
                        ("reject", "more than a spreadsheet can hold")),
    "one_wide_row_many_rows": (lambda p: put(p / "tallwide.csv", b"Check No" + b"," * 16_000 + b"\n" + b"1\n" * 5000),
                               ("reject", "too large to read")),
    "span_bomb_html": (lambda p: _span_bomb(p / "spans.xls"), ("reject", "nothing could be imported")),
    "sparse_xml_far_row": (lambda p: _sparse_xml(p / "far.xls"), ("reject", "too large to read")),
    "entity_bomb_xml": (lambda p: _entity_bomb(p / "laughs.xls"), ("reject", "could not be read")),
    "stray_value_in_last_cell": (lambda p: _far_cell(p / "stray.xlsx"), ("reject", "too large to read")),
    "stray_cell_reference_not_first": (lambda p: _sheet_xml(p / "reordered.xlsx", _append_rows(_FAR_REORDERED)),
                                       ("reject", "too large to read")),
    "stray_cell_behind_a_decoy_reference": (lambda p: _sheet_xml(p / "decoy.xlsx", _append_rows(_FAR_HIDDEN)),
                                            ("reject", "too large to read")),
    "stray_cell_single_quoted": (lambda p: _sheet_xml(p / "quoted.xlsx", _append_rows(_FAR_QUOTED)),
                                 ("reject", "too large to read")),
    "stray_cell_namespace_prefix": (lambda p: _sheet_xml(p / "prefixed.xlsx",
                                                         lambda d: _prefixed(_append_rows(_FAR_REORDERED)(d))),
                                    ("reject", "too large to read")),
    "stray_cell_by_position": (lambda p: _sheet_xml(p / "unreferenced.xlsx", _append_rows(_FAR_UNREFERENCED)),
                               ("reject", "too large to read")),
    "malformed_cell_reference": (lambda p: _sheet_xml(p / "badref.xlsx", lambda d: d.replace(b'r="B2"', b'r="B2B"')),
                                 ("reject", "a cell reference is not one ('B2B')")),
    "namespace_prefixed_sheet": (lambda p: _sheet_xml(p / "sdk.xlsx", _prefixed), ("load", {})),
    "cells_without_references": (lambda p: _sheet_xml(p / "implied.xlsx", _unreferenced), ("load", {})),
    "thousands_of_tables": (lambda p: put(p / "tables.xls", ("<html>" + "<table><tr><th>Check No</th><th>Check Date</th>"
                                                              "<th>Amount</th></tr><tr><td>T-1</td><td>07/15/2025</td>"
                                                              "<td>$5.00</td></tr></table>" * 3000 + "</html>").encode()),
                            ("load", {"only the first 100 of 3,000 sheets or tables were read; split the file": 1})),
    "damaged_parquet": (lambda p: put(p / "table.parquet", b"PAR1" + random.Random(5).randbytes(3000)),
                        ("reject", "could not be read as a Parquet file")),
    "over_upload_limit": (lambda p: _over_limit(p / "huge.csv"), ("reject", "upload limit")),
    "zip_bomb": (lambda p: _zip_bomb(p / "bomb.xlsx"), ("reject", "far more than a real export")),
    "error_values_csv": (lambda p: csv(p / "errors.csv", [HEADER, ["E-1", "07/15/2025", "Acme", "#REF!"],
                                                          ["E-2", "#DIV/0!", "Bolt", "$20.00"],
                                                          ["E-3", "07/16/2025", "Core", "$30.00"]]),
                         ("load", {"spreadsheet error (a broken formula in the export)": 2,
                                   "excluded: missing amount": 1, "excluded: missing payment_date": 1})),
    "error_values_xlsx": (lambda p: _error_values_xlsx(p / "errors.xlsx"),
                          ("load", {"spreadsheet error (a broken formula in the export)": 3,
                                    "excluded: missing amount": 1, "excluded: missing payment_date": 1})),
    "impossible_dates": (lambda p: csv(p / "dates.csv", [HEADER, ["T-1", "31/02/2026", "Acme", "$1.00"],
                                                         ["T-2", "1900-01-00", "Bolt", "$2.00"],
                                                         ["T-3", "2026-02-30", "Core", "$3.00"],
                                                         ["T-4", "15/01/2026", "Dune", "$4.00"]]),
                         ("load", {"not a date": 3, "excluded: missing payment_date": 3})),
    "amounts_in_words": (lambda p: csv(p / "words.csv", [HEADER, ["A-1", "07/15/2025", "Acme", "five hundred dollars"],
                                                         ["A-2", "07/15/2025", "Bolt", "one million"],
                                                         ["A-3", "07/15/2025", "Core", "$12.00"]]),
                         ("load", {"not a money amount": 2, "excluded: missing amount": 2})),
    "every_script_and_emoji": (lambda p: csv(p / "scripts.csv", [HEADER] + [[f"S-{i}", "07/15/2025", name, "$1.00"]
                                                                          for i, name in enumerate(_all_scripts())]),
                               ("load", {})),
    "stray_nul_bytes": (lambda p: put(p / "padded.csv", good_rows_bytes().replace(b"Vendor 1", b"Vendor\x001")),
                        ("load", {"1 NUL characters removed (stray bytes in the export)": 1})),
    "utf16_without_bom": (lambda p: put(p / "utf16.csv", good_rows_bytes().decode().encode("utf-16-le")), ("load", {})),
    "unicode_text_saved_as_xls": (lambda p: put(p / "unicode.xls", b"\xff\xfe" + good_rows_bytes().decode()
                                                .replace(",", "\t").encode("utf-16-le")), ("load", {})),
    "html_and_script_tags": (lambda p: csv(p / "tags.csv", [HEADER] + [[f"H-{i}", "07/15/2025", text, "$1.00"]
                                                                      for i, text in enumerate(HTML)]), ("load", {})),
    "formulas_as_values_csv": (lambda p: csv(p / "formulas.csv", [HEADER] + [[f"F-{i}", "07/15/2025", text, "$1.00"]
                                                                             for i, text in enumerate(FORMULAS)]),
                               ("load", {})),
    "formulas_as_values_xlsx": (lambda p: xlsx(p / "formulas.xlsx", [HEADER] + [[f"F-{i}", "07/15/2025", text, 1.0]
                                                                                for i, text in enumerate(FORMULAS)],
                                               text_cells=True), ("load", {})),
}
REJECTED = [k for k, (_, (kind, _)) in CASES.items() if kind == "reject"]
# Refused by `import` (nothing to import) but readable: `inspect` and the app show what is there.
READABLE = {"header_no_rows_csv", "header_no_rows_xlsx", "span_bomb_html"}
LOADED = [k for k, (_, (kind, _)) in CASES.items() if kind == "load"]


def make(case: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return CASES[case][0](folder)


# ------------------------------------------------------------------ the workspace, before and after


def fingerprint(folder: Path) -> dict:
    """What must not change: import history, every table's content, issues, goals, settings, table files."""
    ws = Workspace(folder)
    tables = {}
    for name in TABLES:
        frame = ws.table(name)
        digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()).hexdigest()
        tables[name] = (len(frame), digest)
    return {"imports": ws.imports().to_dict("records"), "tables": tables, "issues": len(ws.issues()),
            "goals": ws.goals().to_dict("records"), "settings": ws.settings(),
            "files": sorted(p.name for p in (folder / "tables").iterdir())}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A workspace that already holds an office's import and settings (copied per test)."""
    folder = tmp_path_factory.mktemp("seed") / "ws"
    ws = Workspace(folder)
    import_file(csv(folder.parent / "june.csv", good_rows(5, "JUNE")), ws)
    ws.set_settings(office_name="Testville Purchasing", fiscal_year_start_month=7)
    return folder


@pytest.fixture
def workspace(seeded, tmp_path) -> Path:
    import shutil

    folder = tmp_path / "ws"
    shutil.copytree(seeded, folder)
    return folder


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


# ------------------------------------------------------------------ the cases


@pytest.mark.parametrize("case", REJECTED)
def test_cli_rejects_with_one_line_and_leaves_the_workspace(case, workspace, tmp_path, capsys):
    """`python -m loaders import` on an unreadable file: exit 2, one line naming it, the workspace as it was."""
    path = make(case, tmp_path / "in")
    words = CASES[case][1][1]
    before = fingerprint(workspace)
    code, out, err = run_cli(["import", str(path), "--table", "payments", "--workspace", str(workspace)], capsys)
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert path.name in err and words in err, err
    assert "Traceback" not in err + out
    assert fingerprint(workspace) == before
    # inspect says the same without a workspace, except for files that are readable but hold nothing to import
    code, out, err = run_cli(["inspect", str(path)], capsys)
    if case in READABLE:
        assert code == 0 and ("rows: 0 read" in out or "no canonical table recognised" in out), out
    else:
        assert code == 2 and path.name in err and err.count("\n") == 1


@pytest.mark.parametrize("case", LOADED)
def test_cli_loads_readable_files_and_reports_bad_values(case, workspace, tmp_path, capsys):
    """A readable file with bad values: exit 0, every row loaded or excluded with its reason, the values as
    issues; what was imported before stays current and unchanged."""
    path = make(case, tmp_path / "in")
    expected = CASES[case][1][1]
    before = fingerprint(workspace)
    started = time.monotonic()
    code, out, err = run_cli(["import", str(path), "--table", "payments", "--workspace", str(workspace)], capsys)
    elapsed = time.monotonic() - started
    assert code == 0, err
    assert err == "" and "Traceback" not in out
    # A hang guard, not a benchmark: these files load in well under a second; a quadratic path takes minutes.
    assert elapsed < 20, f"{case} took {elapsed:.1f} s"
    ws = Workspace(workspace)
    history = ws.imports()
    new = history[~history["import_id"].isin([r["import_id"] for r in before["imports"]])]
    assert len(new) == 1 and (history["status"] == "current").all()
    row = new.iloc[0]
    assert int(row["rows_read"]) == int(row["rows_loaded"]) + int(row["rows_excluded"])
    problems = ws.issues(int(row["import_id"]))["problem"].value_counts().to_dict()
    for problem, count in expected.items():
        assert problems.get(problem) == count, problems
    table = ws.table("payments")
    kept = table[table["import_id"] != int(row["import_id"])]
    assert kept["payment_id"].tolist() == [f"JUNE-{i:04d}" for i in range(5)]  # the earlier import is intact
    assert Workspace(workspace).settings()["office_name"] == "Testville Purchasing"


def _loaded(case: str, tmp_path: Path) -> pd.DataFrame:
    parts = inspect_file(make(case, tmp_path), table="payments")
    assert len(parts) == 1
    return parts[0].frame


def test_text_in_every_script_is_kept_exactly(tmp_path):
    """Names in any script, with emoji, combining marks and direction overrides, arrive unchanged."""
    assert _loaded("every_script_and_emoji", tmp_path)["vendor_name"].tolist() == _all_scripts()


def test_markup_and_formulas_are_kept_as_plain_text(tmp_path):
    """HTML, script tags, markdown and formulas are data: stored as the text they are (exports neutralise them)."""
    assert _loaded("html_and_script_tags", tmp_path / "a")["vendor_name"].tolist() == HTML
    for case in ("formulas_as_values_csv", "formulas_as_values_xlsx"):
        names = _loaded(case, tmp_path / case)["vendor_name"].tolist()
        assert names == [f.strip() for f in FORMULAS], case  # a leading tab is surrounding space


def test_duplicate_headers_are_both_kept_and_one_is_used(tmp_path):
    """Two 'Amount' columns: the first maps to amount, the second stays visible as 'Amount (2)', unmapped."""
    [part] = inspect_file(make("duplicate_headers", tmp_path), table="payments")
    assert part.mapping["Amount"] == "amount" and "Amount (2)" in part.unmapped_columns
    assert part.frame["amount"].tolist() == [10.0, 20.0]


def test_blank_columns_and_unnamed_columns_are_dropped(tmp_path):
    """All-blank columns (named or not) do not become data, and every row loads."""
    [part] = inspect_file(make("all_blank_columns", tmp_path), table="payments")
    assert part.rows_loaded == 2 and part.rows_excluded == 0
    assert not [c for c in part.columns if c.startswith("column ")]


def test_three_thousand_columns_are_checked_together_not_one_by_one(tmp_path, monkeypatch):
    """A 3,000-column export is read, classified and normalised with its cells checked in one pass, not column by
    column (which took ~15 s): the per-column checks run a handful of times, not 3,000."""
    from loaders import headers
    from loaders import values as V

    calls = []
    for module, name in ((V, "_blank_and_error"), (V, "code"), (headers, "_column_flags")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    [part] = inspect_file(make("three_thousand_columns", tmp_path))
    assert part.table == "payments" and part.rows_loaded == 30 and len(part.columns) == 3000
    assert 0 < len(calls) < 50, len(calls)


def test_error_cells_in_a_workbook_are_named_not_blank(tmp_path):
    """Excel error cells (#REF!, #DIV/0!, #N/A), which the Excel reader sees as blank, are reported by cell."""
    [part] = inspect_file(make("error_values_xlsx", tmp_path), table="payments")
    errors = part.issues[part.issues["problem"].str.startswith("spreadsheet error (")]
    assert sorted(zip(errors["row"], errors["column"], errors["value"], strict=True)) == [
        (2, "Amount", "#REF!"), (3, "Check Date", "#DIV/0!"), (4, "Vendor Name", "#N/A")]
    assert part.rows_loaded == 2 and part.frame["payment_id"].tolist() == ["ERR-3", "ERR-4"]


def test_formulas_never_calculated_are_noted(tmp_path):
    """A workbook written by a program with formulas but no values says so instead of loading blanks silently."""
    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append(["CALC-1", "07/15/2025", "Acme", "=2*3"])
    wb.active.append(["CALC-2", "07/15/2025", "Bolt", 5])
    wb.save(tmp_path / "generated.xlsx")
    [part] = inspect_file(tmp_path / "generated.xlsx", table="payments")
    assert any(n.startswith("formulas without a calculated value: 1 cells") for n in part.notes)
    assert part.rows_loaded == 1 and part.excluded_rows()["reason"].tolist() == ["missing amount"]


def test_upload_limit_is_the_apps_and_is_enforced_before_reading(tmp_path, monkeypatch):
    """The loaders refuse what the app's uploader refuses: server.maxUploadSize, from .streamlit/config.toml."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert upload_limit_mb() == config["server"]["maxUploadSize"]
    monkeypatch.setenv("STREAMLIT_SERVER_MAX_UPLOAD_SIZE", "1")  # Streamlit's own override, honoured too
    assert upload_limit_mb() == 1
    path = tmp_path / "big.csv"
    path.write_bytes(good_rows_bytes() + b"x" * MB)
    with pytest.raises(LoadError, match=r"big\.csv: is 1 MB, over the 1 MB upload limit"):
        inspect_file(path)


def test_password_protected_workbook_is_a_valid_compound_file():
    """The generated encrypted workbook is a well-formed CFB container, so the test exercises the real layout."""
    data = cfb({"EncryptionInfo": b"\x04\x00", "EncryptedPackage": b"secret"})
    assert data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and len(data) % 512 == 0
    directory = data[1024:1536]
    assert "EncryptedPackage".encode("utf-16-le") in directory and "EncryptionInfo".encode("utf-16-le") in directory


def test_no_traceback_from_the_module_entry_point(tmp_path):
    """Run as `python -m loaders`, a few of the worst files still give one line and status 2."""
    files = [make(c, tmp_path / c) for c in ("truncated_xlsx", "password_protected")]
    for path in files:
        done = subprocess.run([sys.executable, "-m", "loaders", "inspect", str(path), "--json"], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.count("\n") == 1 and path.name in done.stderr and "Traceback" not in done.stderr


def test_a_parquet_file_is_measured_before_it_is_decoded(tmp_path, monkeypatch):
    """Parquet's own metadata gives rows and columns: a file wider than a spreadsheet is refused unread."""
    import loaders.readers as readers

    pd.DataFrame({f"Field {i}": ["x"] for i in range(60)}).to_parquet(tmp_path / "wide.parquet")
    monkeypatch.setattr(readers, "MAX_COLUMNS", 50)
    with pytest.raises(LoadError, match=r"wide\.parquet: has 60 columns, more than a spreadsheet can hold"):
        inspect_file(tmp_path / "wide.parquet")
    monkeypatch.setattr(readers, "MAX_COLUMNS", 16_384)
    monkeypatch.setattr(readers, "MAX_CELLS", 59)
    with pytest.raises(LoadError, match="too large to read"):
        inspect_file(tmp_path / "wide.parquet")


def test_long_runs_of_spaces_or_punctuation_are_checked_in_linear_time(tmp_path):
    """A bid tab whose vendor cell is 'Budget' and 100,000 spaces (or a totals label padded the same way) is read
    at once: the estimate and totals patterns never re-split a run between two quantifiers."""
    padded = ["Budget" + " " * 100_000 + "x", "Total" + "\u00a0" * 100_000 + "!x", "Budget" + "!" * 100_000 + "x"]
    path = csv(tmp_path / "bidtab.csv", [["Solicitation No", "Bidder", "Bid Amount"]]
               + [[f"SOL-{i}", name, "$10.00"] for i, name in enumerate(padded)] + [["SOL-9", "Acme", "$12.00"]])
    started = time.process_time()
    [part] = inspect_file(path, table="bids")
    assert time.process_time() - started < 10  # a hang guard: ~0.1 s here, minutes when a pattern backtracks
    assert part.rows_read == part.rows_loaded + part.rows_excluded == 4


def test_terminal_control_sequences_from_a_file_are_printed_escaped(tmp_path, capsys):
    """A header holding escape sequences (set the window title, clear the screen) or a right-to-left override is
    shown escaped by the command line, never run by the terminal."""
    path = csv(tmp_path / "ansi.csv", [HEADER + ["\x1b]0;pwned\x07Memo\x1b[2J\u202e"], ["A-1", "07/15/2025", "Acme", "$1", "x"]])
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\u001b]0;pwned\\u0007Memo\\u001b[2J\\u202e" in out
    assert main(["inspect", str(tmp_path / "\x1b[31mred.csv")]) == 2
    assert "\x1b" not in capsys.readouterr().err
