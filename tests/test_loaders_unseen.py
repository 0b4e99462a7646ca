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


# ---------------------------------------------------------------------------------------------
# Families the corpus still read wrong (issue 13, third round): small hand-written files of each family.


def test_purchase_order_lines_are_contracts_not_payments(tmp_path):
    """PO number, approval date, supplier and line amount make an award log: a payment needs payment evidence,
    and a lone 'date' inside 'Approved Date' is not a payment date. Lines of one PO are repeats, all kept."""
    wb = Workbook()
    ws = wb.active
    ws.append(["Purchasing Org", "Approved Date", "Number", "Line", "Category", "Description", "Quantity",
               "UOM", "Price", "Amount", "Buyer", "Supplier", "Closure Status"])
    rows = [("PO-RESEARCH", dt.datetime(2018, 1, 3, 9, 15), 1001, 1, "Lab", "Pipettes", 10, "Each", 12.5, 125.0,
             "Smith, Ann", "Acme Lab Supply", "Open"),
            ("PO-RESEARCH", dt.datetime(2018, 1, 3, 9, 15), 1001, 2, "Lab", "Gloves", 400, "US Dollar", 1.0, 400.0,
             "Smith, Ann", "Acme Lab Supply", "Open"),
            ("PO-FACILITIES", dt.datetime(2018, 2, 11, 14, 0), 1002, 1, "Services", "HVAC service", 2500, "US Dollar",
             1.0, 2500.0, "Jones, Bo", "Bolt Mechanical", "Closed"),
            ("PO-FACILITIES", dt.datetime(2018, 3, 1, 8, 0), 1002, 2, "Services", "Extend period", 0, "US Dollar",
             1.0, 0.0, "Jones, Bo", "Bolt Mechanical", "Closed"),
            ("PO-IT", dt.datetime(2018, 4, 20, 10, 30), 1003, 1, "IT", "Laptops", 3, "Each", 999.99, 2999.97,
             "Lee, Cy", "Core Computers", "Open")]
    for r in rows:
        ws.append(list(r))
    path = tmp_path / "FOIA 21303.xlsx"
    wb.save(path)
    [part] = inspect_file(path)
    assert part.table == "contracts"
    assert {k: part.mapping[k] for k in ("Number", "Approved Date", "Supplier", "Amount", "Description")} == {
        "Number": "contract_id", "Approved Date": "executed_date", "Supplier": "vendor_name",
        "Amount": "current_amount", "Description": "title"}
    assert part.rows_loaded == 5 and part.rows_excluded == 0
    assert part.amount_totals() == {"current_amount": 6024.97}  # 125 + 400 + 2,500 + 0 + 2,999.97
    assert part.duplicates["ids"] == 2 and part.duplicates["rows"] == 4 and part.duplicates["choice"] == "all"
    [latest] = inspect_file(path, duplicates="latest")
    assert latest.rows_loaded == 3  # one row per PO: 1001's second line, 1002's amendment of 1 March, 1003


def test_wide_bid_abstract_with_bidders_named_in_the_headers(tmp_path):
    """MnDOT's abstract: a project block, pay items with a '<bidder> (Unit Price)' / '<bidder> (Extension)' pair
    per bidder and the engineer's pair, then a bidder summary: one bid per bidder, checked against the summary."""
    path = tmp_path / "abstract.csv"
    path.write_text(
        '"Letting Date","Job Description","Contract Id"\r\n"01/28/2022","MILL AND OVERLAY","220099"\r\n\r\n'
        '"ContractId","LineNumber","ItemDescription","Quantity","Engineers (Unit Price)","Engineers (Extended Amount)",'
        '"Acme Paving, Inc. (Unit Price) ","Acme Paving, Inc. (Extension)  ","Bolt & Sons (Unit Price) ",'
        '"Bolt & Sons (Extension)  "\r\n'
        '"220099","0005","MOBILIZATION","1","5000","5000","  $4,000.00","  $4,000.00","  $6,000.00","  $6,000.00"\r\n'
        '"220099","0010","BITUMINOUS","100","55.5","5550","     $.50","     $50.00","   $60.00","$6,000.00"\r\n'
        '\r\n"Bidder Number","Bidder Name","Bidder Amount"\r\n'
        '"0000111","Acme Paving, Inc.","   $4,050.00"\r\n"0000222","Bolt & Sons","  $12,500.00"\r\n',
        encoding="utf-8")
    [part] = inspect_file(path)
    assert part.table == "bids" and part.header_row == 4
    assert part.mapping["ContractId"] == "solicitation_id"
    bids = part.frame.set_index("vendor_name")
    assert bids["bid_amount"].to_dict() == {"Acme Paving, Inc.": 4050.0, "Bolt & Sons": 12000.0}
    assert set(part.frame["solicitation_id"]) == {"220099"}
    assert part.excluded_rows()["reason"].tolist() == ["engineer's estimate, not a bid"]
    # The summary says 12,500.00 for Bolt & Sons; its extensions sum to 12,000.00: reported, not hidden.
    differs = part.issues[part.issues["problem"] == "totals row differs from the sum of line items"]
    assert differs["value"].tolist() == ["Bolt & Sons: bidder summary 12,500.00, bid 12,000.00"]
    # Every line accounted for: 2 items, the summary's header (a row of no bid) and its 2 rows (the check).
    assert part.account.combined == 5 and part.account.balanced()


def test_bid_abstract_with_bidders_headed_by_number_takes_names_from_the_summary(tmp_path):
    """The older download heads each bidder's pair with its vendor number; the summary gives the names."""
    path = tmp_path / "abstract_old.csv"
    path.write_text(
        '"ContractId","LineNumber","Quantity","0000111 (Unit Price) ","0000111 (Extension)  ",'
        '"0000222 (Unit Price) ","0000222 (Extension)  "\n'
        '"220099","0005","1","  $4,000.00","  $4,000.00","  $6,000.00","  $6,000.00"\n'
        '"220099","0010","2","  $10.00","  $20.00","  $15.00","  $30.00"\n\n'
        '"Bidder Number","Bidder Name","Bidder Amount"\n"0000111","Acme Paving, Inc.","   $4,020.00"\n',
        encoding="utf-8")
    [part] = inspect_file(path)
    assert part.table == "bids"
    assert part.frame[["vendor_id", "vendor_name", "bid_amount"]].values.tolist() == [
        ["0000111", "Acme Paving, Inc.", 4020.0], ["0000222", "0000222", 6030.0]]


def test_portuguese_contract_register(tmp_path):
    """Portal BASE headers in Portuguese: the contract's id, signing date, initial and final price; the base
    price (the budget) and the number of competitors are not contract columns; procedures are methods."""
    wb = Workbook()
    ws = wb.active
    ws.append([None, "ID", "Descrição Breve", "Tipo de procedimento", "Data de celebração", "Preço Base (€)",
               "Preço Inicial (€)", "Preço Efetivo (€)", "Número de concorrentes", "Município"])
    ws.append([0, 5521, "Repavimentação da Rua A", "Ajuste Direto", "03-02-2016", 150000, 149000.5, 151200.25, 1,
               " Almada"])
    ws.append([1, 5522, "Escola B", "Concurso Público", "15-06-2017", 900000, 870000, 905000, 4, " Porto"])
    ws.append([2, 5523, "Ponte C", "Procedimento de negociação", "01-12-2018", "N/A", 50000, 50000, 2, " Braga"])
    path = tmp_path / "contratos.xlsx"
    wb.save(path)
    [part] = inspect_file(path)
    assert part.table == "contracts"
    assert part.mapping == {"ID": "contract_id", "Descrição Breve": "title", "Tipo de procedimento": "method",
                            "Data de celebração": "executed_date", "Preço Inicial (€)": "original_amount",
                            "Preço Efetivo (€)": "current_amount"}
    assert part.frame["method"].tolist() == ["sole source", "invitation for bid", "request for proposals"]
    assert part.frame["executed_date"].tolist() == [pd.Timestamp("2016-02-03"), pd.Timestamp("2017-06-15"),
                                                    pd.Timestamp("2018-12-01")]
    assert part.amount_totals() == {"original_amount": 1069000.5, "current_amount": 1106200.25}


def test_award_notices_identified_by_their_url(tmp_path):
    """A scraped award log (winner, value, date, title, notice URL) is solicitations with their awards: the
    notice's URL is its only id, the lone 'date' is the award's, a blank value is missing, not zero."""
    path = tmp_path / "awards.csv"
    path.write_text(
        "winner_company,contract_value,date,tender_title,url\n"
        'Houle Electric Ltd,"CAD 273,936.60",2026/05/22,Substation upgrades,https://x.ca/en/tender-opportunities/award-notice/cb-182-1\n'
        'Stone Pacific Ltd.,"CAD 615,038.37",2026/05/08,"Road upgrades, Fort Rodd",https://x.ca/en/tender-opportunities/award-notice/cb-4-2\n'
        "Entity Mechanical Ltd.,,2026/04/21,Roof replacement,https://x.ca/en/tender-opportunities/award-notice/cb-9-3\n",
        encoding="utf-8")
    [part] = inspect_file(path)
    assert part.table == "solicitations"
    assert part.mapping == {"winner_company": "awarded_vendor_name", "contract_value": "awarded_amount",
                            "date": "award_date", "tender_title": "title", "url": "solicitation_id"}
    assert part.rows_loaded == 3 and part.amount_totals() == {"awarded_amount": 888974.97}
    notices = tmp_path / "notices.csv"
    notices.write_text(" title|url\r\n WATERJET CUTTER (W0107-19RL22/A)|https://b.gc.ca/tender-notice/PW-1\r\n"
                       " Rotary Mower (T7054-180093/A)|https://b.gc.ca/tender-notice/PW-2\r\n", encoding="utf-8")
    [part] = inspect_file(notices)
    assert part.table == "solicitations" and part.mapping == {"title": "title", "url": "solicitation_id"}


def test_certified_business_directory(tmp_path):
    """NYC SBS: the formal name (not the DBA, blank for most firms), the account number as the vendor's id, and
    the certification renewal date as its expiry."""
    path = tmp_path / "sbs.csv"
    head = "Account_Number,Vendor_Formal_Name,Vendor_DBA,telephone,Certification,Certification_Renewal_Date\n"
    renewal = {1: "04/30/2026;04/30/2026", 2: "03/31/2027;04/30/2026"}  # one date per certification
    lines = [f'{100 + i},"Firm {i} LLC",{"Firm DBA" if i == 0 else ""},212555{1000 + i},"MBE,WBE",'
             f'{renewal.get(i, "04/30/2026")}' for i in range(12)]
    path.write_text(head + "\n".join(lines) + "\n", encoding="utf-8")
    [part] = inspect_file(path)
    assert part.table == "vendors"
    assert part.mapping == {"Account_Number": "vendor_id", "Vendor_Formal_Name": "vendor_name",
                            "Certification": "certifications",
                            "Certification_Renewal_Date": "certification_expiration_date"}
    assert part.frame["is_mbe"].all() and part.frame["is_wbe"].all()
    assert part.frame["certification_expiration_date"].iloc[:3].tolist() == [pd.Timestamp("2026-04-30")] * 3
    assert part.issue_counts() == {"several dates in one cell: the earliest kept": 1}


def test_flattened_ocds_tenders(tmp_path):
    """OCDS paths as headers: the tender's id (not the release's 'id'), its estimated value, publication date,
    the buyer as the department and the number of tenderers as bids received."""
    path = tmp_path / "ocds.csv"
    path.write_text(
        "ocid,id,date,tender/id,tender/title,tender/procurementMethod,tender/value/amount,tender/datePublished,"
        "buyer/name,tender/numberOfTenderers\n"
        "ocds-1,1,29-09-2022,2021_PWD_1,Road A,Open Tender,1500000,01-04-2021 10:30,Public Works Department,3\n"
        "ocds-2,1,29-09-2022,2021_PWD_2,Road B,Open Tender,250000,05-04-2021,Public Works Department,NA\n",
        encoding="utf-8")
    [part] = inspect_file(path)
    assert part.table == "solicitations"
    assert {k: v for k, v in part.mapping.items()} == {
        "tender/id": "solicitation_id", "tender/title": "title", "tender/procurementMethod": "method",
        "tender/value/amount": "estimated_amount", "tender/datePublished": "issue_date", "buyer/name": "department",
        "tender/numberOfTenderers": "bids_received"}
    assert part.amount_totals() == {"estimated_amount": 1750000.0}


def test_headerless_padded_payments_are_read_by_content(tmp_path):
    """A state warrant file with no header: one date column and one column of signed, zero-padded amounts
    make it spend; the app still asks (confidence below the threshold) and the user names the rest."""
    from loaders.mapping import ASK

    path = tmp_path / "payments.txt"
    path.write_text(
        "2014|F|XXXXX4339|BUSINESS OBSERVER   |210000|D4000175440|2013-10-03|131100|+0000000175.00\n"
        "2014|F|XXXXX2710|JUSTICE STRATEGIES  |210000|D4000156091|2013-09-27|131300|+0000002500.00\n"
        "2014|F|XXXXX2710|JUSTICE STRATEGIES  |210000|D4000138150|2013-09-19|131300|-0000000012.40",
        encoding="utf-8")
    [part] = inspect_file(path)
    assert part.header_row == 0 and part.table == "payments" and part.confidence < ASK
    assert part.mapping == {"Column 7": "payment_date", "Column 9": "amount"}
    assert part.rows_loaded == 3 and part.amount_totals() == {"amount": 2662.6}


def test_method_codes_defined_in_the_header(tmp_path):
    """'Invitation to Quote (Q) or published invitation to tender (T)?' holding Q and T: the header is the
    legend, so Q is a request for quotes and T an invitation for bid; 'N/A' stays blank."""
    path = tmp_path / "register.csv"
    path.write_text("Number,Title/Description,Supplier,Start Date,End Date,Estimated Annual Value,"
                    "Invitation to Quote (Q) or published invitation to tender (T)?\n"
                    "1,Grounds maintenance,Acme,01/04/2017,31/03/2018,\"£12,000\",Q\n"
                    "2,Audit,Bolt LLP,01/05/2017,30/04/2020,\"£40,000\",T\n"
                    "3,Window cleaning,Core Ltd,01/06/2017,31/05/2018,£900,Q\n"
                    "4,Insurance,Dale plc,01/07/2017,30/06/2018,\"£5,500\",N/A\n", encoding="utf-8")
    [part] = inspect_file(path)
    assert part.table == "contracts"
    assert part.mapping["Invitation to Quote (Q) or published invitation to tender (T)?"] == "method"
    assert part.frame["method"].iloc[:3].tolist() == ["request for quotes", "invitation for bid", "request for quotes"]
    assert part.frame["method"].isna().iloc[3]
    assert any(n.startswith("method codes read from the header: Q = request for quotes") for n in part.notes)


def test_french_contract_register_and_portuguese_payments(tmp_path):
    """Headers in French and Portuguese the corpus does not hold: the same vocabulary reads them."""
    fr = tmp_path / "marches.csv"
    fr.write_text("Numéro du marché,Objet du marché,Titulaire,Montant HT,Date de notification,Procédure,"
                  "Acheteur public\n"
                  'M2022-01,Travaux de voirie,Colas SA,"125 000,00",12/01/2022,Procédure adaptée,Ville de Lyon\n'
                  "M2022-02,Maintenance,Sopra SA,\"48 500,00\",03/02/2022,Appel d'offres ouvert,Ville de Lyon\n"
                  'M2022-03,Nettoyage,ISS France,"32 000,00",15/03/2022,Marché négocié sans publicité,Ville de Lyon\n',
                  encoding="utf-8")
    [part] = inspect_file(fr)
    assert part.table == "contracts"
    assert part.mapping == {"Numéro du marché": "contract_id", "Objet du marché": "title", "Titulaire": "vendor_name",
                            "Montant HT": "current_amount", "Date de notification": "executed_date",
                            "Procédure": "method", "Acheteur public": "department"}
    assert part.frame["method"].tolist() == ["request for quotes", "invitation for bid", "sole source"]
    assert part.amount_totals() == {"current_amount": 205500.0}
    pt = tmp_path / "pagamentos.csv"
    pt.write_text("Data de pagamento,Fornecedor,NIF,Valor pago (€),Descrição\n"
                  "2021-01-05,Empresa A Lda,501234567,1500.00,Material de escritório\n"
                  "2021-01-07,Empresa B SA,502345678,230.50,Serviços de limpeza\n", encoding="utf-8")
    [part] = inspect_file(pt)
    assert part.table == "payments"
    assert part.mapping == {"Data de pagamento": "payment_date", "Fornecedor": "vendor_name", "Valor pago (€)": "amount"}


def test_pound_signs_in_windows_1252_are_not_read_as_central_european(tmp_path):
    """A UK spend file in cp1252 whose names carry accents: the byte before each amount is '£', so the amounts
    read; a supplier's post code is an address, not the supplier's code."""
    path = tmp_path / "spend.csv"
    path.write_bytes("Date of Payment,Supplier,Amount,Supplier Post Code\n"
                     "01/08/2024,Société Générale,\"£278,419.94\",Ls18 4gh\n"
                     "20/08/2024,Łódź Trading,\"£144,048.88\",E17 4jf\n".encode("cp1252", errors="replace"))
    [part] = inspect_file(path)
    assert part.table == "payments" and part.mapping["Amount"] == "amount"
    assert "Supplier Post Code" not in part.mapping
    assert part.amount_totals() == {"amount": 422468.82}


def test_pay_item_tab_with_line_numbers_and_a_proposal_id(tmp_path):
    """MDOT: 'Call', 'Proposal ID', 'Ln Num', 'Vendor Name', 'Bid Price' (unit), 'Ext Amount' (extension), the
    engineer's estimate written as a bidder 'Eng Est': one bid per bidder, the sum of its extensions."""
    path = tmp_path / "bidtabs.csv"
    rows = ["Call ,Proposal ID,Ln Num,Quantity,Vendor Name,Bid Price,Ext Amount"]
    for ln, qty in (("0010", 1), ("0020", 10)):
        for vendor, price in (("Eng Est", 100), ("Anlaan Corporation", 90), ("Bailey Excavating, Inc.", 120)):
            rows.append(f'901,38000-209775,{ln},{qty}.000,"{vendor}","${price:,.2f}","${qty * price:,.2f}"')
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    [part] = inspect_file(path)
    assert part.table == "bids"
    assert part.mapping["Proposal ID"] == "solicitation_id" and part.mapping["Ext Amount"] == "bid_amount"
    loaded = part.frame.set_index("vendor_name")["bid_amount"].to_dict()
    assert loaded == {"Anlaan Corporation": 990.0, "Bailey Excavating, Inc.": 1320.0}  # 90 + 900; 120 + 1,200
    assert part.excluded_rows()["reason"].tolist() == ["engineer's estimate, not a bid"]


def test_bids_point_at_their_procurement_by_url(tmp_path):
    """World Bank bid evaluations: the contract each bid answers is a URL ('.../procdetails/OP00029774'); it is the
    solicitation, not the loan's project code."""
    path = tmp_path / "bids.csv"
    path.write_text("project,contract,bidder.name,status,opening.price.amount\n"
                    "P127759,http://search.worldbank.org/wcontractawards/procdetails/OP00029774,Energo OJSC,Awarded,653690.0\n"
                    "P127759,http://search.worldbank.org/wcontractawards/procdetails/OP00029774,Uchet PJSC,Evaluated,662500.0\n"
                    "P127759,http://search.worldbank.org/wcontractawards/procdetails/OP00031102,Energo OJSC,Awarded,90000.0\n",
                    encoding="utf-8")
    [part] = inspect_file(path)
    assert part.table == "bids"
    assert part.mapping["contract"] == "solicitation_id" and "project" not in part.mapping


def test_certified_firm_directory_with_certificate_numbers(tmp_path):
    """Maryland's MBE directory: the certificate number ('16-346') names the firm, the certification date is
    when it was certified; a number is never a certification's kind."""
    path = tmp_path / "directory.csv"
    path.write_text("name,certification_number,certification_date,naics_code,phone_phone_number\n"
                    "Acme LLC,16-346,2016-07-07T00:00:00,541611-MBE/DBE/SBE,4105550100\n"
                    "Bolt Inc,15-002,2015-01-12T00:00:00,541430-DBE/SBE-ONLY,4105550101\n"
                    "Core Co,17-120,2017-03-30T00:00:00,562910-ACDBE-ONLY,4105550102\n", encoding="utf-8")
    [part] = inspect_file(path)
    assert part.table == "vendors"
    assert part.mapping == {"name": "vendor_name", "certification_number": "vendor_id",
                            "certification_date": "registration_date"}


def test_unquoted_commas_in_names_are_joined_back(tmp_path):
    """A headerless city checkbook quoting nothing: 'HALE, LOGAN M.' spills into a second field and shifts the
    row; joined back where the date and amount columns fit (the field after the comma starts with a space)."""
    path = tmp_path / "payments.txt"
    firms = [f"FIRM {i} INC,4/{1 + i % 28}/2013,{100 + i}.50,Utilities,Parts,Supplies" for i in range(12)]
    jurors = ["HALE, LOGAN M.,4/15/2013,5.00,Municipal Court,Jury Duty,Jury Duty",
              "PITTS, JR, DAVID,4/16/2013,10.00,Municipal Court,Jury Duty,Jury Duty"]
    path.write_text("\n".join(firms[:6] + jurors + firms[6:]) + "\n", encoding="utf-8")
    [part] = inspect_file(path)
    assert part.table == "payments" and part.rows_loaded == 14
    assert part.amount_totals() == {"amount": 1200 + 66 + 6 + 15.0}  # 12 x 100.50 + (0 + ... + 11), 5, 10
    assert part.preview["Column 1"].iloc[6:8].tolist() == ["HALE, LOGAN M.", "PITTS, JR, DAVID"]
    assert any(n.startswith("2 rows had more fields than the others") for n in part.notes)


def glued_payments(path):
    """Lambeth-like payments where the ERP dropped a comma twice: a date glued to its amount (file row 14) and a
    supplier glued to its date (row 15); 12 well-formed rows before them."""
    lines = ["Body,Department,Supplier Name,Invoice Creation Date,Invoice Nett Amount,Subj Description"]
    lines += [f"Lambeth,Adults,Firm {i} Ltd,{10 + i:02d}/06/2012,{500 + i}.00,CARE" for i in range(12)]
    lines += ["Lambeth,Children,A A GuestHouses,25/06/2012900,PRIVATE RESIDENTIAL CARE",
              "Lambeth,Housing,Catch2212/06/2012,750.00,RENT"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_glued_date_and_amount_are_split(tmp_path):
    """Lambeth: the ERP dropped a comma, gluing the date to the amount ('25/06/2012900'): split where the date keeps
    the column's shape (dd/mm/yyyy) and the rest is an amount."""
    [part] = inspect_file(glued_payments(tmp_path / "payments.csv"))
    assert part.table == "payments" and part.rows_loaded == 14
    assert part.amount_totals() == {"amount": 6000 + 66 + 900 + 750.0}  # 12 x 500 + (0 + ... + 11)
    assert part.frame["vendor_name"].iloc[-1] == "Catch22"
    assert any(n.startswith("2 rows had a field fewer than the others") for n in part.notes)


def test_a_blank_last_field_is_not_a_glued_row(tmp_path):
    """Rows whose optional last field is blank are read as they are: nothing is split to fill it."""
    path = tmp_path / "checks.csv"
    lines = ["Check Date,Payee,Amount,Memo"]
    lines += [f"07/{1 + i:02d}/2024,Firm {i},{20 + i},memo {i}" for i in range(15)]
    lines += ["07/20/2024,Acme,25,", "07/21/2024,Bolt,31.50,"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [part] = inspect_file(path)
    assert part.frame["amount"].iloc[-2:].tolist() == [25.0, 31.5]
    assert not any("field fewer" in n for n in part.notes)


def test_a_cell_gluing_three_fields_is_split_in_three(tmp_path):
    """Lambeth's worst line: supplier, date and amount in one cell ('Academy2129/05/2012740')."""
    path = tmp_path / "payments.csv"
    lines = ["Body,Department,Supplier Name,Invoice Creation Date,Invoice Nett Amount,Subj Description"]
    lines += [f"Lambeth,Adults,Firm {i} Ltd,{10 + i:02d}/06/2012,{500 + i}.00,CARE" for i in range(12)]
    lines += ["Lambeth,Children,Inter High Education/Academy2129/05/2012740,PROFESSIONAL FEES"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [part] = inspect_file(path)
    last = part.frame.iloc[-1]
    assert (last["vendor_name"], last["amount"]) == ("Inter High Education/Academy21", 740.0)
    assert last["payment_date"] == pd.Timestamp("2012-05-29")
