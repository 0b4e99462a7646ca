"""Layouts other offices export: files that are not what their name says, grouped reports, odd headers."""

import datetime as dt

import pandas as pd
from openpyxl import Workbook

from loaders import inspect_file


def test_html_table_saved_as_xls(tmp_path):
    """An ERP 'Excel' export that is really an HTML table is read, colspan titles and all."""
    path = tmp_path / "export.xls"
    path.write_text(
        "<html><body><table><tr><td colspan=4>City of X Payments</td></tr>"
        "<tr><th>Check No</th><th>Check Date</th><th>Vendor</th><th>Amount</th></tr>"
        "<tr><td>001</td><td>01/02/2024</td><td>Acme &amp; Co</td><td>$1,000.00</td></tr>"
        "<tr><td>002</td><td>01/03/2024</td><td>Bolt</td><td>$5.00</td></tr>"
        "<tr><td>Total</td><td></td><td></td><td>$1,005.00</td></tr></table></body></html>", encoding="utf-8")
    [part] = inspect_file(path)
    assert part.table == "payments" and part.header_row == 2
    assert part.frame["vendor_name"].tolist() == ["Acme & Co", "Bolt"]
    assert part.frame["payment_id"].tolist() == ["001", "002"]
    assert part.excluded_rows()["reason"].tolist() == ["totals row"]
    assert any("web page" in p for p in part.issue_counts())


def test_excel_2003_xml_workbook(tmp_path):
    """SpreadsheetML (Excel 2003 XML) with typed cells and a merged title."""
    path = tmp_path / "contracts.xls"
    path.write_text(
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Contracts"><Table>'
        '<Row><Cell ss:MergeAcross="3"><Data ss:Type="String">Contract list</Data></Cell></Row>'
        '<Row><Cell><Data ss:Type="String">Contract Number</Data></Cell><Cell><Data ss:Type="String">Start Date'
        '</Data></Cell><Cell><Data ss:Type="String">End Date</Data></Cell><Cell><Data ss:Type="String">Amount'
        '</Data></Cell></Row><Row><Cell><Data ss:Type="String">0042</Data></Cell><Cell><Data ss:Type="DateTime">'
        '2024-01-01T00:00:00.000</Data></Cell><Cell><Data ss:Type="DateTime">2025-01-01T00:00:00.000</Data>'
        '</Cell><Cell><Data ss:Type="Number">1500.5</Data></Cell></Row></Table></Worksheet></Workbook>',
        encoding="utf-8")
    [part] = inspect_file(path)
    assert (part.sheet, part.table, part.header_row) == ("Contracts", "contracts", 2)
    assert part.frame["contract_id"].tolist() == ["0042"]
    assert part.frame["end_date"].tolist() == [pd.Timestamp("2025-01-01")]
    assert part.amount_totals() == {"current_amount": 1500.5}


def test_tab_separated_text_saved_as_xls(tmp_path):
    """Tab-separated text under an .xls name is read as text, and the part says so."""
    path = tmp_path / "checks.xls"
    path.write_text("Check No\tCheck Date\tAmount\n1\t2024-01-01\t5\n", encoding="utf-8")
    [part] = inspect_file(path)
    assert part.table == "payments" and part.rows_loaded == 1
    assert any("delimited text" in p for p in part.issue_counts())


def test_excel_sep_hint_line(tmp_path):
    """A first line 'sep=;' names the delimiter and is not a row of the table."""
    path = tmp_path / "eu.csv"
    path.write_text("sep=;\nCheck No;Check Date;Amount\n1;2024-01-01;5,5\n", encoding="utf-8")
    [part] = inspect_file(path)
    assert part.header_row == 2
    assert part.frame["amount"].tolist() == [5.5]


def test_unbalanced_quote_is_read_and_reported(tmp_path):
    """An opening quote that never closes does not swallow the file; the part notes it."""
    path = tmp_path / "q.csv"
    path.write_text('Check No,Vendor,Amount\n1,"Acme ""Best"" Inc",5\n2,"unterminated,6\n', encoding="utf-8")
    [part] = inspect_file(path)
    assert part.rows_read == 2
    assert any(p.startswith("unbalanced quote") for p in part.issue_counts())


def test_grouped_report_with_subtotals(tmp_path):
    """A report grouped by department: group headings, subtotals and a grand total are all accounted for."""
    wb = Workbook()
    ws = wb.active
    ws.append(["Vendor Payments by Department"])
    ws.append(["Check #", "Check Date", "Vendor Name", "Amount"])
    ws.append(["Department: Parks"])
    ws.append(["1001", dt.date(2024, 1, 2), "Acme", 100])
    ws.append(["1002", dt.date(2024, 1, 3), "Bolt", 50])
    ws.append(["Subtotal for Parks", None, None, 150])
    ws.append(["Department: Water"])
    ws.append(["1003", dt.date(2024, 1, 4), "Core", 25])
    ws.append(["Water Total", None, None, 25])
    ws.append(["Grand Total", None, None, 175])
    wb.save(tmp_path / "grouped.xlsx")
    [part] = inspect_file(tmp_path / "grouped.xlsx")
    assert part.table == "payments"
    assert part.rows_read == 8 and part.rows_loaded == 3 and part.rows_excluded == 5
    reasons = part.excluded_rows()["reason"].value_counts().to_dict()
    assert reasons["totals row"] == 3
    assert reasons["one-cell row (a heading or note)"] == 2
    assert part.amount_totals() == {"amount": 175.0}


def test_munis_style_vendor_and_vendor_name(tmp_path):
    """'Vendor' next to 'Vendor Name': the more specific name wins the vendor name."""
    path = tmp_path / "ap.csv"
    path.write_text("Vendor,Vendor Name,Check Number,Check Date,Check Amount\n"
                    "10442,ACME PAVING,88001,07/01/2023,\"1,250.00\"\n", encoding="utf-8")
    [part] = inspect_file(path)
    assert part.mapping["Vendor Name"] == "vendor_name"
    assert part.mapping["Check Amount"] == "amount"


def test_socrata_checkbook_with_generic_date(tmp_path):
    """An open-data checkbook: 'Date', 'Payee', 'Amount (USD)', 'Transaction ID'."""
    path = tmp_path / "checkbook.csv"
    path.write_text("Transaction ID,Date,Payee,Amount (USD),Fund\nT1,2023-07-01T00:00:00.000,Acme,−12.50,General\n"
                    "T2,2023-07-02T00:00:00.000,Bolt,$1.2M,General\n", encoding="utf-8")
    [part] = inspect_file(path)
    assert part.table == "payments"
    assert part.frame["amount"].tolist() == [-12.5, 1_200_000.0]
    assert part.frame["payment_date"].tolist() == [pd.Timestamp("2023-07-01"), pd.Timestamp("2023-07-02")]


def test_method_column_found_by_its_values(tmp_path):
    """A 'Procurement Type' column holding 'Invitation for Bid', 'RFP', 'Sole Source' is the method."""
    path = tmp_path / "bids.csv"
    path.write_text("Bid Number,Bid Title,Procurement Type,Open Date,Close Date,Awarded To,Award Amount\n"
                    "B-1,Road salt,Invitation for Bid,2023-01-02,2023-01-20,Acme,\"$12,000\"\n"
                    "B-2,IT audit,RFP,2023-02-02,2023-03-01,,\n"
                    "B-3,Plow,Sole Source,2023-02-05,,Bolt,5000\n", encoding="utf-8")
    [part] = inspect_file(path)
    assert part.table == "solicitations"
    assert part.mapping["Procurement Type"] == "method"
    assert part.mapping["Awarded To"] == "awarded_vendor_name"
    assert part.frame["method"].tolist() == ["invitation for bid", "request for proposals", "sole source"]
