"""Header detection and classification on messy workbooks generated here with openpyxl."""

import datetime as dt

import pytest
from openpyxl import Workbook

from loaders import inspect_file


def save(wb: Workbook, path):
    wb.save(path)
    return path


def payments_register(path, *, total_label="Grand Total"):
    """A check register the way ERPs print it: title rows, a blank row, header on row 5, totals, footnote."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Check Register"
    ws["A1"] = "City of Example"
    ws["A2"] = "Check Register FY2024"
    ws.merge_cells("A1:E1")
    ws["A3"] = "Run date: 07/01/2024"
    ws.append([])  # row 4 blank
    ws.append(["Check #", "Check Date", "Vendor Name", "Amount", "Department"])  # row 5
    ws.append(["000101", dt.datetime(2024, 1, 5), "Acme Paving", "$1,200.00", "Public Works"])  # row 6
    ws.append(["000102", dt.datetime(2024, 1, 6), "Total Quality Inc", 300.5, "Parks"])  # row 7: a vendor, not a total
    ws.append([None, None, None, None, None])  # row 8 blank: not counted
    ws.append(["000103", "2/7/2024", "Bolt Electric", "(50.00)", "Water"])  # row 9
    ws.append(["000104", None, "No Date Co", 75, "Water"])  # row 10: missing payment_date
    ws.append([total_label, None, None, 1525.5, None])  # row 11
    ws.append(["Report generated 07/01/2024 by FINANCE"])  # row 12
    return save(wb, path)


def test_title_rows_blank_rows_totals_and_footnote(tmp_path):
    """Header found under titles; totals and footnote excluded and reported; Excel row numbers kept."""
    [part] = inspect_file(payments_register(tmp_path / "register.xlsx"))
    assert part.table == "payments"
    assert part.header_row == 5
    assert part.rows_read == 6  # rows 6, 7, 9, 10, 11, 12; the blank row 8 is not a row
    assert part.rows_loaded == 3
    assert part.rows_excluded == 3
    assert part.rows_read == part.rows_loaded + part.rows_excluded
    assert part.frame["source_row"].tolist() == [6, 7, 9]
    assert part.frame["payment_id"].tolist() == ["000101", "000102", "000103"]  # leading zeros survive
    assert part.frame["amount"].tolist() == [1200.0, 300.5, -50.0]
    excluded = part.excluded_rows()
    assert dict(zip(excluded["row"], excluded["reason"], strict=True)) == {
        10: "missing payment_date", 11: "totals row", 12: "footnote"}
    assert part.amount_totals() == {"amount": 1450.5}


@pytest.mark.parametrize("label", ["Total", "TOTAL:", "Grand Total", "Sub-total", "Water Total", "Totals"])
def test_totals_labels(tmp_path, label):
    """The usual spellings of a totals row are all excluded as totals."""
    [part] = inspect_file(payments_register(tmp_path / "r.xlsx", total_label=label))
    assert "excluded: totals row" in part.issue_counts()


def test_merged_two_level_bid_tab_becomes_one_bid_per_bidder(tmp_path):
    """Bidder names merged over Unit/Total price give 'Bidder Unit Price' headers and one bid per bidder."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Bid Tab"
    ws["A1"] = "WATER MAIN REPLACEMENT"
    ws["A2"] = "Bid No. IFB-2024-017"
    ws["E1"] = "Acme Pipe Co."
    ws.merge_cells("E1:F2")
    ws["G1"] = "Best Build LLC"
    ws.merge_cells("G1:H2")
    ws["I1"] = "Engineer's Estimate"
    ws.merge_cells("I1:J2")
    ws.append(["Item", "Description", "Qty", "Unit", "Unit Price", "Total Price", "Unit Price", "Total Price",
               "Unit Price", "Total Price"])  # row 3
    ws.append(["0001", "Mobilization", 1, "LS", 5000, 5000, 7000, 7000, 6000, 6000])
    ws.append(["0002", "8in pipe", 100, "LF", 50, 5000, 45, 4500, 55, 5500])
    ws.append([None, "Total Amount Bid", None, None, None, 10000, None, 11500, None, 11500])
    ws.append(["*Bids read aloud 3/1/2024"])
    [part] = inspect_file(save(wb, tmp_path / "tab.xlsx"))
    assert part.header_row == 3
    assert "Acme Pipe Co. Total Price" in part.columns or part.table == "bids"
    assert part.table == "bids"
    assert part.frame["vendor_name"].tolist() == ["Acme Pipe Co.", "Best Build LLC"]
    assert part.frame["bid_amount"].tolist() == [10000.0, 11500.0]
    assert part.frame["solicitation_id"].tolist() == ["IFB-2024-017", "IFB-2024-017"]
    assert part.frame["source_row"].tolist() == [1, 1]  # where the bidder names are written
    assert part.rows_read == 3 and part.rows_loaded == 2 and part.rows_excluded == 1  # the estimate


def test_bid_tab_totals_row_that_disagrees_is_reported(tmp_path):
    """A stated total that differs from the line items is used, and the difference is listed."""
    wb = Workbook()
    ws = wb.active
    ws["C1"] = "Acme"
    ws.merge_cells("C1:D1")
    ws["E1"] = "Best"
    ws.merge_cells("E1:F1")
    ws.append(["Item", "Description", "Unit Price", "Extended", "Unit Price", "Extended"])
    ws.append(["1", "Pipe", 10, 100, 12, 120])
    ws.append(["2", "Valve", 5, 50, 6, 60])
    ws.append([None, "TOTAL", None, 160, None, 180])
    [part] = inspect_file(save(wb, tmp_path / "tab.xlsx"))
    assert part.frame["bid_amount"].tolist() == [160.0, 180.0]
    assert part.issue_counts()["totals row differs from the sum of line items"] == 1  # Acme: 160 vs 150


def test_two_row_header_without_merges(tmp_path):
    """'Vendor' over 'ID' / 'Name' and 'Payment' over 'Date' / 'Amount' join into known names."""
    wb = Workbook()
    ws = wb.active
    ws.append(["Vendor", None, "Payment", None, "Check"])
    ws.append(["ID", "Name", "Date", "Amount", "Number"])
    ws.append(["V1", "Acme", "2024-01-02", "10.00", "5001"])
    ws.append(["V2", "Bolt", "2024-01-03", "20.00", "5002"])
    [part] = inspect_file(save(wb, tmp_path / "two.xlsx"))
    assert part.columns == ["Vendor ID", "Vendor Name", "Payment Date", "Payment Amount", "Check Number"]
    assert part.header_row == 2
    assert part.table == "payments"
    assert part.mapping == {"Vendor ID": "vendor_id", "Vendor Name": "vendor_name",
                            "Payment Date": "payment_date", "Payment Amount": "amount",
                            "Check Number": "payment_id"}


def test_vertically_merged_header_cells(tmp_path):
    """A header cell merged down over two header rows keeps its name."""
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "Contract Number"
    ws.merge_cells("A1:A2")
    ws["B1"] = "Term"
    ws.merge_cells("B1:C1")
    ws["B2"] = "Start Date"
    ws["C2"] = "End Date"
    ws["D1"] = "Vendor"
    ws.merge_cells("D1:D2")
    ws.append(["C-1", "2024-01-01", "2024-12-31", "Acme"])
    ws.append(["C-2", "2024-02-01", "2025-01-31", "Bolt"])
    [part] = inspect_file(save(wb, tmp_path / "v.xlsx"))
    assert part.table == "contracts"
    assert part.mapping["Contract Number"] == "contract_id"
    assert "start_date" in part.mapping.values() and "end_date" in part.mapping.values()
    assert part.rows_loaded == 2


def test_table_not_at_a1_blank_first_header_and_repeated_header(tmp_path):
    """A table starting at C3 with a blank first header and a page-break repeat of its header."""
    wb = Workbook()
    ws = wb.active
    ws["C3"] = None
    ws.cell(3, 4, "Vendor")
    ws.cell(3, 5, "Check Date")
    ws.cell(3, 6, "Amount")
    ws.cell(3, 7, "Check")
    rows = [[1, "Acme", "1/2/2024", 10, "1"], [2, "Bolt", "1/3/2024", 20, "2"],
            [None, "Vendor", "Check Date", "Amount", "Check"], [3, "Core", "1/4/2024", 30, "3"]]
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            ws.cell(4 + i, 3 + j, v)
    [part] = inspect_file(save(wb, tmp_path / "offset.xlsx"))
    assert part.header_row == 3
    assert part.columns[0] == "column C"
    assert "column C" in part.unmapped_columns
    assert part.frame["source_row"].tolist() == [4, 5, 7]
    assert part.issue_counts()["excluded: repeated header row"] == 1


def test_every_sheet_considered_and_empty_sheet_reported(tmp_path):
    """Each sheet is a part; an empty sheet is reported, not an error; a hidden sheet is noted."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Contracts"
    ws.append(["Contract No", "Vendor", "Start Date", "End Date", "Contract Amount"])
    ws.append(["K-1", "Acme", "2024-01-01", "2025-01-01", "$100"])
    wb.create_sheet("Notes")
    hidden = wb.create_sheet("Vendors")
    hidden.append(["Vendor Number", "Vendor Name", "Certification"])
    hidden.append(["0042", "Acme", "MBE; WBE"])
    hidden.sheet_state = "hidden"
    parts = inspect_file(save(wb, tmp_path / "book.xlsx"))
    assert [p.sheet for p in parts] == ["Contracts", "Notes", "Vendors"]
    assert [p.table for p in parts] == ["contracts", None, "vendors"]
    assert parts[1].issue_counts() == {"no table found on this sheet": 1}
    assert "hidden sheet" in parts[2].notes
    vendors = parts[2].frame
    assert vendors["vendor_id"].tolist() == ["0042"]
    assert vendors[["is_mbe", "is_wbe"]].iloc[0].tolist() == [True, True]
    # Changed rule (issue 13): a certification the list never names is not recorded, not "no" for everyone.
    assert "is_dbe" not in vendors.columns


@pytest.mark.parametrize(("headers", "sheet", "table"), [
    (["Solicitation Number", "Title", "Procurement Method", "Issue Date", "Due Date", "Award Date",
      "Bids Received"], "Sheet1", "solicitations"),
    (["Bid Number", "Bidder", "Bid Amount", "Awarded"], "Sheet1", "bids"),
    (["Agreement Number", "Contractor", "Effective Date", "Expiration Date", "Not To Exceed"], "Sheet1",
     "contracts"),
    (["Voucher", "Payee", "Paid Date", "Net Amount"], "Sheet1", "payments"),
    (["Supplier Number", "Supplier Name", "Certification Type", "Small Business"], "Sheet1", "vendors"),
    (["Contract No", "Evaluation Due", "Completed Date", "Overall Score", "Rating"], "Sheet1", "evaluations"),
    (["Engagement Type", "Solicitation Number", "Event Date", "Attendees"], "Sheet1", "engagements"),
    (["Name", "Amount", "Date"], "Check Register", "payments"),
])
def test_classification(tmp_path, headers, sheet, table):
    """Each kind of export is classified as its table, with a confidence between 0 and 1."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    ws.append(["1"] * len(headers))
    [part] = inspect_file(save(wb, tmp_path / "x.xlsx"))
    assert part.table == table
    assert 0.0 < part.confidence <= 1.0


def test_table_override_and_low_evidence(tmp_path):
    """table= forces the table; a sheet with no recognisable column has no table."""
    wb = Workbook()
    ws = wb.active
    ws.append(["Foo", "Bar", "Baz"])
    ws.append(["a", "b", "c"])
    path = save(wb, tmp_path / "x.xlsx")
    [part] = inspect_file(path)
    assert part.table is None and part.rows_read == part.rows_excluded == 1
    [forced] = inspect_file(path, table="vendors")
    assert forced.table == "vendors"
    assert forced.issue_counts().get("required column not found: vendor_id or vendor_name") == 1


def test_confident_when_columns_are_clear(tmp_path):
    """A clean payments export is classified with high confidence."""
    [part] = inspect_file(payments_register(tmp_path / "r.xlsx"))
    assert part.confidence >= 0.8
