"""Public API and CLI: bad files, the JSON contract, imports into a workspace, remembered mappings."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from loaders import ImportResult, LoadError, Part, import_file, inspect_file
from loaders.__main__ import main
from loaders.normalise import TOTALS_MISMATCH

ROOT = Path(__file__).resolve().parent.parent
PART_KEYS = ["sheet", "table", "confidence", "header_row", "rows_read", "rows_loaded", "rows_excluded", "mapping",
             "unmapped_columns", "issue_counts", "issues", "amount_totals", "rows_above_header", "rows_accounted",
             "duplicates"]


def payments_csv(path, header=("Check Number", "Check Date", "Payee", "Amount")) -> Path:
    path.write_text(",".join(header) + "\n0001,01/02/2024,Acme,$10.00\n0002,01/03/2024,Bolt,$5.50\n"
                    "0003,,Core,$1.00\nTotal,,,$16.50\n", encoding="utf-8")
    return path


# ------------------------------------------------------------------ bad input


def bad_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n  \n", encoding="utf-8")
    encrypted = tmp_path / "locked.xlsx"  # an encrypted workbook is an OLE container, not a zip
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    pdf = tmp_path / "report.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 500)
    not_workbook = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(not_workbook, "w") as z:
        z.writestr("readme.txt", "hello")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    empty_book = tmp_path / "empty_book.xlsx"
    Workbook().save(empty_book)
    return {"empty": (empty, "empty"), "blank": (blank, "empty"), "encrypted": (encrypted, "password"),
            "pdf": (pdf, "is a PDF document"), "binary": (binary, "PNG image"),
            "zip": (not_workbook, "zip archive"), "broken": (broken, "could not be read"),
            "empty_book": (empty_book, "no data"), "missing": (tmp_path / "nope.csv", "not found"),
            "folder": (tmp_path, "folder")}


@pytest.mark.parametrize("case", ["empty", "blank", "encrypted", "pdf", "binary", "zip", "broken", "empty_book",
                                  "missing", "folder"])
def test_bad_files_raise_load_error_naming_the_file(tmp_path, case):
    """Unreadable, empty, password-protected and wrong-format files raise LoadError with a clear message."""
    path, words = bad_files(tmp_path)[case]
    with pytest.raises(LoadError) as err:
        inspect_file(path)
    message = str(err.value)
    assert path.name in message
    assert words in message
    assert "\n" not in message


@pytest.mark.parametrize("case", ["empty", "encrypted", "pdf", "binary", "missing"])
def test_cli_bad_input_exits_2_with_one_line(tmp_path, capsys, case):
    """The CLI prints one line on stderr and exits 2 for bad input."""
    path, _ = bad_files(tmp_path)[case]
    assert main(["inspect", str(path), "--json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and path.name in err and "Traceback" not in err


def test_unknown_sheet_and_table(tmp_path):
    """A sheet or table that does not exist is a LoadError listing what does."""
    wb = Workbook()
    wb.active.title = "Data"
    wb.active.append(["Check Number", "Amount"])
    wb.active.append(["1", "2"])
    wb.save(tmp_path / "b.xlsx")
    with pytest.raises(LoadError, match="'Data'"):
        inspect_file(tmp_path / "b.xlsx", sheet="Payments")
    with pytest.raises(LoadError, match="unknown table"):
        inspect_file(tmp_path / "b.xlsx", table="checks")
    assert inspect_file(tmp_path / "b.xlsx", sheet="data")[0].sheet == "Data"
    assert inspect_file(tmp_path / "b.xlsx", sheet=0)[0].sheet == "Data"


# ------------------------------------------------------------------ the JSON contract


def test_inspect_json_contract(tmp_path, capsys):
    """`inspect --json` prints one object with exactly the agreed keys."""
    path = payments_csv(tmp_path / "checks.csv")
    assert main(["inspect", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["path", "parts"]
    [part] = out["parts"]
    assert list(part) == PART_KEYS
    assert part["sheet"] is None and part["table"] == "payments" and part["header_row"] == 1
    assert (part["rows_read"], part["rows_loaded"], part["rows_excluded"]) == (4, 2, 2)
    assert part["mapping"] == {"Check Number": "payment_id", "Check Date": "payment_date", "Payee": "vendor_name",
                               "Amount": "amount"}
    assert part["amount_totals"] == {"amount": 15.5}
    # The totals row says $16.50; the two rows imported add up to $15.50 (a row was excluded): reported too.
    assert part["issue_counts"] == {"excluded: missing payment_date": 1, "excluded: totals row": 1,
                                    TOTALS_MISMATCH: 1}
    assert {"row": 4, "column": "Check Date", "value": "0003 | Core | $1.00", "problem": "excluded: missing payment_date"} \
        in part["issues"]
    assert all(set(i) == {"row", "column", "value", "problem"} for i in part["issues"])


def test_inspect_readable_summary_and_table_flag(tmp_path, capsys):
    """Without --json, a readable summary; --table forces the table."""
    path = payments_csv(tmp_path / "checks.csv")
    assert main(["inspect", str(path), "--table", "contracts"]) == 0
    text = capsys.readouterr().out
    assert "contracts" in text and "rows: 4 read" in text


def test_cli_runs_as_module_without_traceback(tmp_path):
    """`python -m loaders` works from the project folder; bad input gives one line and status 2."""
    good = subprocess.run([sys.executable, "-m", "loaders", "inspect", str(payments_csv(tmp_path / "c.csv")),
                           "--json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["parts"][0]["table"] == "payments"
    bad = subprocess.run([sys.executable, "-m", "loaders", "import", str(tmp_path / "missing.csv"), "--table",
                          "payments", "--workspace", str(tmp_path / "ws")], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "missing.csv" in bad.stderr


# ------------------------------------------------------------------ imports


class FakeWorkspace:
    """Records what import_file hands over; stores mappings like the real workspace."""

    def __init__(self):
        self.imports = []
        self.mappings = {}

    def import_table(self, table, frame, *, source, sheet=None, rows_read, rows_excluded, checksum, issues=None):
        self.imports.append(dict(table=table, frame=frame, source=source, sheet=sheet, rows_read=rows_read,
                                 rows_excluded=rows_excluded, checksum=checksum, issues=issues))
        return len(self.imports)

    def save_mapping(self, fingerprint, table, mapping):
        self.mappings[fingerprint] = (table, dict(mapping))

    def mapping_for(self, fingerprint):
        return self.mappings.get(fingerprint)


def test_import_file_calls_import_table_once_per_part(tmp_path):
    """Each part goes to workspace.import_table with its counts, checksum and issues."""
    ws = FakeWorkspace()
    [result] = import_file(payments_csv(tmp_path / "checks.csv"), ws)
    assert isinstance(result, ImportResult) and isinstance(result.part, Part)
    assert result.imported and result.import_id == 1
    [call] = ws.imports
    assert call["table"] == "payments" and call["source"] == "checks.csv" and call["sheet"] is None
    assert (call["rows_read"], call["rows_excluded"], len(call["frame"])) == (4, 2, 2)
    assert len(call["checksum"]) == 64
    assert list(call["issues"].columns) == ["source", "sheet", "row", "column", "value", "problem"]


def test_confirmed_mapping_is_reapplied_for_the_same_layout(tmp_path):
    """A mapping saved for a header fingerprint is used the next time the same layout is inspected."""
    ws = FakeWorkspace()
    path = payments_csv(tmp_path / "odd.csv", header=("Ref", "When", "Who", "How Much"))
    [auto] = inspect_file(path, workspace=ws)
    assert auto.table != "payments" or "When" not in auto.mapping
    mapping = {"Ref": "payment_id", "When": "payment_date", "Who": "vendor_name", "How Much": "amount"}
    import_file(path, ws, table="payments", mapping=mapping)
    assert ws.mappings[auto.fingerprint] == ("payments", mapping)
    [again] = inspect_file(path, workspace=ws)
    assert again.table == "payments" and again.mapping == mapping and again.confidence == 1.0
    assert again.rows_loaded == 2


def test_fingerprint_is_stable_and_layout_specific(tmp_path):
    """Same headers, same fingerprint (spacing and case aside); other headers, another one."""
    a = inspect_file(payments_csv(tmp_path / "a.csv"))[0].fingerprint
    b = inspect_file(payments_csv(tmp_path / "b.csv", header=("check number", "CHECK DATE", "Payee",
                                                              "Amount")))[0].fingerprint
    c = inspect_file(payments_csv(tmp_path / "c.csv", header=("Check", "Date", "Payee", "Amount")))[0].fingerprint
    assert a == b != c


def test_import_into_the_real_workspace(tmp_path):
    """import_file stores the rows in storage.workspace.Workspace and the CLI import command works."""
    from storage.workspace import Workspace

    ws = Workspace(tmp_path / "ws")
    [result] = import_file(payments_csv(tmp_path / "checks.csv"), ws)
    assert result.imported
    assert len(ws.table("payments")) == 2
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"Payee": "vendor_name"}), encoding="utf-8")
    code = main(["import", str(tmp_path / "checks.csv"), "--table", "payments", "--mapping", str(mapping),
                 "--workspace", str(tmp_path / "ws")])
    assert code == 0
    assert len(Workspace(tmp_path / "ws").table("payments")) == 2  # replaced, not duplicated


def test_cli_import_bad_mapping_file(tmp_path, capsys):
    """A mapping file that is not JSON, or names unknown columns, exits 2 with one line."""
    path = payments_csv(tmp_path / "checks.csv")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["import", str(path), "--table", "payments", "--mapping", str(bad), "--workspace",
                 str(tmp_path / "ws")]) == 2
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"Payee": "supplier"}), encoding="utf-8")
    assert main(["import", str(path), "--table", "payments", "--mapping", str(wrong), "--workspace",
                 str(tmp_path / "ws")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "bad.json" in err[0] and "supplier" in err[1]


def test_summary_sheet_repeating_detail_is_not_imported_twice(tmp_path):
    """Two sheets with the same records: the second is skipped with the reason."""
    wb = Workbook()
    for title in ("Bids", "Summary"):
        ws = wb.create_sheet(title)
        ws.append(["Bid Number", "Bidder", "Bid Amount"])
        ws.append(["B-1", "Acme", 100])
        ws.append(["B-1", "Bolt", 120])
    del wb["Sheet"]
    wb.save(tmp_path / "bids.xlsx")
    fake = FakeWorkspace()
    results = import_file(tmp_path / "bids.xlsx", fake)
    assert [r.imported for r in results] == [True, False]
    assert "same records" in results[1].skipped
    assert len(fake.imports) == 1


def test_mapping_applies_to_the_sheets_that_have_its_columns(tmp_path):
    """In a workbook, a mapping is used on the sheets with its columns; the others map automatically."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Checks"
    ws.append(["Ref", "When", "How Much"])
    ws.append(["1", "2024-01-01", "5"])
    other = wb.create_sheet("Vendors")
    other.append(["Vendor Number", "Vendor Name"])
    other.append(["7", "Acme"])
    wb.save(tmp_path / "two.xlsx")
    checks, vendors = inspect_file(tmp_path / "two.xlsx", table=None,
                                   mapping={"Ref": "payment_id", "When": "payment_date", "How Much": "amount"})
    assert checks.table == "payments" and checks.rows_loaded == 1
    assert vendors.table == "vendors"
    with pytest.raises(LoadError, match="no sheet has the columns"):
        inspect_file(tmp_path / "two.xlsx", mapping={"Nope": "amount"})
