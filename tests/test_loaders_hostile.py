"""Hostile exports (tests/hostile_files.py): every line accounted for, counts and totals as worked out by hand."""

import json
import math
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from loaders import import_file, inspect_file
from loaders.__main__ import main
from tests import hostile_files as H

ROOT = Path(__file__).resolve().parent.parent


def _inspect(path: Path, expected: dict, **options):
    [part] = inspect_file(path, table=expected["table"], mapping=expected.get("mapping"), **options)
    return part


def physical_lines(path: Path) -> int:
    """Lines a person sees in the file: a text file's lines (any line ending), a workbook's rows down to its last."""
    if path.suffix == ".xlsx":
        return openpyxl.load_workbook(path).active.max_row
    data = path.read_bytes()
    text = data.decode("utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else data.decode("latin-1")
    return len(text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n"))


@pytest.mark.parametrize("fixture", H.TABLE_FIXTURES, ids=lambda f: f.__name__)
def test_every_line_is_header_data_above_or_blank(tmp_path, fixture):
    """header + loaded + excluded (or, for a bid tabulation, the lines its bids were made from) + above + blank
    == the lines in the file, and each figure is the one worked out by hand."""
    path, want = fixture(tmp_path)
    part = _inspect(path, want)
    assert physical_lines(path) == want["lines"]
    acc = part.to_json()["rows_accounted"]
    data = want.get("data", want["loaded"] + want["excluded"])
    assert acc == {"lines": want["lines"], "header": 1 if want["header_row"] else 0, "above_header": want["above"],
                   "blank": want["blank"], "data": data, "combined": data if "data" in want else 0}
    header = 1 if want["header_row"] else 0
    rows = acc["combined"] or part.rows_loaded + part.rows_excluded
    assert header + rows + part.to_json()["rows_above_header"]["count"] + acc["blank"] == physical_lines(path)
    assert (part.header_row, part.rows_loaded, part.rows_excluded) == (want["header_row"], want["loaded"],
                                                                       want["excluded"])
    if "reasons" in want:
        excluded = {k.removeprefix("excluded: "): v for k, v in part.issue_counts().items() if k.startswith("excluded: ")}
        assert excluded == want["reasons"]
    money = next(iter(part.amount_totals().values()))
    assert math.isclose(money, want["total"], abs_tol=0.005)


def test_cr_only_file_reads_line_by_line_with_ragged_rows(tmp_path):
    """CR-only endings are lines; a short row loads with a blank department, a long row's extra cell is kept."""
    path, _ = H.cr_only_ragged_csv(tmp_path)
    [part] = inspect_file(path)
    assert part.table == "payments"
    assert part.frame["vendor_name"].tolist() == ["ACME PAVING INC", "Smith, John", "Office Depot",
                                                  'Bolt "Fast" Electric', "City Lumber"]
    assert part.frame["department"].isna().tolist() == [False, True, False, False, False]
    assert "column F" in part.columns and part.preview["column F"].tolist()[2] == "see memo"
    assert any("carriage return" in n for n in part.notes)


def test_headerless_file_is_named_by_position_and_mapped_by_the_user(tmp_path):
    """No header row: nothing is taken for one, Column 1..4 are offered, and no row is lost before mapping."""
    path, _ = H.headerless_checkbook(tmp_path)
    [part] = inspect_file(path)
    assert part.header_row == 0 and part.columns == ["Column 1", "Column 2", "Column 3", "Column 4"]
    assert part.rows_read == 50 and part.rows_loaded + part.rows_excluded == 50
    assert part.preview.iloc[0].tolist() == ["07/01/2024", "ACME PAVING", "100.00", "PW-0"]
    assert any(n.startswith("no header row") for n in part.notes)


def test_header_is_never_a_row_dozens_down_under_data(tmp_path):
    """Line 40 of words under 39 lines of data is a row (excluded with its reason), not the header."""
    path, _ = H.headerless_row_40_headerish(tmp_path)
    [part] = inspect_file(path)
    assert part.header_row == 0 and part.rows_read == 60
    path, _ = H.header_then_headerish_row_40(tmp_path)
    [part] = inspect_file(path)
    assert part.header_row == 1 and part.columns == ["Check Date", "Payee", "Amount", "Fund"]


def test_rows_above_header_are_reported_with_their_text(tmp_path, capsys):
    """inspect --json: the count of lines above the header and the first few, each also in the issues."""
    path, _ = H.pay_item_bid_tab(tmp_path)
    assert main(["inspect", str(path), "--json"]) == 0
    [part] = json.loads(capsys.readouterr().out)["parts"]
    assert part["rows_above_header"] == {"count": 1, "rows": [
        {"row": 1, "value": "State DOT Letting of 03/14/2024 - Bid Tabulation"}]}
    assert {"row": 1, "column": "", "value": "State DOT Letting of 03/14/2024 - Bid Tabulation",
            "problem": "row above the header (a title or note, not data)"} in part["issues"]


def test_pay_item_bid_tab_sums_extensions_per_bidder_and_checks_total_rows(tmp_path):
    """One bid per (solicitation, bidder): names with line breaks, extra spaces or other case are one bidder;
    a TOTAL BID row that disagrees with the extensions is reported; a footnote belongs to no bid."""
    path, want = H.pay_item_bid_tab(tmp_path)
    [part] = inspect_file(path)
    assert part.table == "bids"
    got = dict(zip(zip(part.frame["solicitation_id"], part.frame["vendor_name"], strict=True), part.frame["bid_amount"],
                   strict=True))
    assert got == want["bids"]
    mismatch = part.issues[part.issues["problem"] == "totals row differs from the sum of line items"]
    assert mismatch["row"].tolist() == [want["mismatch_row"]]
    assert mismatch["value"].tolist() == ["Bolt Construction Co: totals row 15,700.00, line items sum to 15,750.00"]
    unused = part.issues[part.issues["problem"].str.startswith("row belongs to no bid")]
    assert unused["row"].tolist() == [17]


def test_wide_bid_tab_one_bid_per_bidder_pair(tmp_path):
    """A column pair per bidder: the totals row gives each bid; a name over two lines is one bidder."""
    path, want = H.wide_bid_tab(tmp_path)
    [part] = inspect_file(path)
    assert part.table == "bids"
    assert dict(zip(part.frame["vendor_name"], part.frame["bid_amount"], strict=True)) == want["bids"]
    assert set(part.frame["solicitation_id"]) == {"2024-10481"}


def test_pay_item_tab_is_not_a_solicitations_log(tmp_path):
    """Without a table given, a pay-item tabulation is bids, never solicitations."""
    path, _ = H.pay_item_bid_tab(tmp_path)
    assert [p.table for p in inspect_file(path)] == ["bids"]


def test_repeated_ids_reported_and_latest_or_all_chosen(tmp_path):
    """A contract id on three rows is reported row by row; 'latest' keeps the row with the latest start date."""
    path, want = H.repeated_contract_ids(tmp_path)
    [part] = inspect_file(path)
    assert part.duplicates == {"column": "contract_id", "ids": 1, "rows": 3, "examples": ["C-1"], "choice": "all",
                               "rows_dropped": 0}
    repeated = part.issues[part.issues["problem"].str.startswith("repeated contract_id")]
    assert repeated["row"].tolist() == [2, 3, 5] and part.rows_loaded == 4
    [latest] = inspect_file(path, duplicates="latest")
    assert latest.rows_loaded == want["latest_loaded"] and latest.rows_excluded == 2
    assert latest.frame.set_index("contract_id")["current_amount"].to_dict() == {"C-1": 140000.0, "C-2": 5000.0}
    assert latest.excluded_rows()["row"].tolist() == [2, 3]
    assert latest.amount_totals() == {"current_amount": want["latest_total"]}


def test_duplicates_choice_is_saved_with_the_layout(tmp_path):
    """`import --duplicates latest` is remembered: the next inspect of the same layout keeps the latest too."""
    from storage.workspace import Workspace

    path, _ = H.repeated_contract_ids(tmp_path)
    ws_dir = tmp_path / "ws"
    assert main(["import", str(path), "--table", "contracts", "--duplicates", "latest", "--workspace",
                 str(ws_dir)]) == 0
    ws = Workspace(ws_dir)
    [again] = inspect_file(path, workspace=ws)
    assert again.duplicates["choice"] == "latest" and again.rows_loaded == 2
    [results] = import_file(path, ws, table="contracts", duplicates="all")
    assert results.part.rows_loaded == 4
    assert ws.layout_options(again.fingerprint) == {"duplicates": "all"}


def test_placeholder_out_of_range_dates_and_negative_amounts_flagged(tmp_path):
    """Each flagged with its row, column and value; every row still loads (a placeholder end is open-ended)."""
    path, want = H.placeholder_dates(tmp_path)
    [part] = inspect_file(path)
    assert part.rows_loaded == 5
    got = {(int(r.row), r.column, r.value, r.problem) for r in part.issues.dropna(subset=["row"]).itertuples()}
    assert got == want["flagged"]
    assert any(n.startswith("placeholder end dates: 1 rows (e.g. 12/31/2050) read as open-ended") for n in part.notes)


def test_junk_bytes_refused_whatever_the_name(tmp_path):
    """Random bytes, a PDF, images and a plain zip under table names: exit 2 and one line naming the file."""
    for path in H.junk_files(tmp_path):
        for command in (["inspect", str(path)], ["import", str(path), "--table", "payments", "--workspace",
                                                 str(tmp_path / "ws")]):
            run = subprocess.run([sys.executable, "-m", "loaders", *command], capture_output=True, text=True,
                                 cwd=ROOT, timeout=120)
            assert run.returncode == 2, (path.name, run.stdout, run.stderr)
            assert run.stderr.count("\n") == 1 and path.name in run.stderr and "Traceback" not in run.stderr


def test_headerless_sheet_continuing_the_one_before_takes_its_names(tmp_path):
    """'Page 2' of a converted PDF has no header: its columns line up with Page 1's (the empty Notes column
    dropped), so it reads as payments with Page 1's names, and its title line is above the data."""
    path, want = H.pdf_pages_workbook(tmp_path)
    page1, page2 = inspect_file(path)
    assert (page1.table, page1.header_row, page1.rows_loaded) == ("payments", 2, 3)
    assert page2.header_row == 0 and page2.columns == want["page2_columns"]
    assert page2.table == "payments" and page2.rows_loaded == 2
    assert page2.amount_totals() == {"amount": want["page2_total"]}
    assert page2.rows_above_header == [(1, "Payments over 250")]
    assert any("continues 'Page 1'" in n for n in page2.notes)


def test_mixed_encodings_read_line_by_line(tmp_path):
    """A UTF-8 file with one Windows-1252 line: every name as written, and a note saying so."""
    path, want = H.mixed_encodings(tmp_path)
    [part] = inspect_file(path)
    assert part.frame["vendor_name"].tolist() == want["names"]
    assert any(n.startswith("mixed encodings") for n in part.notes)


def test_purchase_order_lines_are_not_taken_for_a_pay_item_tab(tmp_path):
    """Vendor, item, quantity, unit price and amount without a bid word anywhere: each line stays a row."""
    from loaders.bidtab import pay_item_columns

    names = ["PO Number", "Line", "Vendor", "Item", "Description", "Quantity", "Unit Price", "Amount"]
    assert pay_item_columns(names, ["po_lines.csv"]) is None
    assert pay_item_columns(names, ["bid_tab_2024.csv"])["extension"] == "Amount"
    assert pay_item_columns(["Bidder", "Item No", "Quantity", "Unit Price", "Extension"], [])["bidder"] == "Bidder"
