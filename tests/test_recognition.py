"""Recognition that generalises (issue 13): header lists as real ERPs and open-data portals write them, each
with a few rows of plausible values, and the table and mapping a careful analyst would give."""

from __future__ import annotations

import pandas as pd
import pytest

from loaders.mapping import ASK, candidates, classify, concepts, header_words, map_columns, profile
from loaders.schema import TABLES

# Values per canonical kind of the answer (and for columns the answer leaves unmapped, by a hint).
VALUES = {
    "date": ["07/01/2025", "07/15/2025", "08/02/2025", "08/20/2025"],
    "money": ["$1,200.00", "560.50", "99.00", "12,345.67"],
    "id": ["100042", "100043", "100051", "100077"],
    "text": ["Acme Paving Inc", "Bolt Electric LLC", "Core Supply Co", "Dyna Services"],
    "method": ["ITB", "RFP", "Sole Source", "RFQ"],
    "integer": ["3", "1", "0", "5"],
    "boolean": ["Y", "N", "N", "Y"],
    "code": ["100-2210", "100-2210", "310-5500", "410-1100"],
}


def _kind(table: str, col: str | None, hint: str) -> str:
    if col is None:
        return hint
    kind = TABLES[table].column(col).kind
    return {"number": "money", "score": "integer", "certifications": "text"}.get(kind, kind)


def frame_for(table: str, headers: dict[str, str | None], hints: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({h: VALUES[_kind(table, c, hints.get(h, "text"))] for h, c in headers.items()})


# (name, table, {header: expected canonical column or None for "leave unmapped"}, {header: value kind hint})
LAYOUTS = [
    ("Tyler Munis AP check register (truncated names)", "payments", {
        "VENDOR_NA": "vendor_name", "VENDOR_NO": "vendor_id", "CHECK_NO": "payment_id", "CHECK_DT": "payment_date",
        "INVOICE_DA": "invoice_date", "CHECK_AMT": "amount", "DEPT_DESC": "department", "FUND": None}, {"FUND": "code"}),
    ("Oracle EBS payables", "payments", {
        "VENDOR_NAME": "vendor_name", "VENDOR_NUMBER": "vendor_id", "CHECK_NUMBER": "payment_id",
        "CHECK_DATE": "payment_date", "INVOICE_NUM": None, "INVOICE_DATE": "invoice_date", "AMOUNT_PAID": "amount",
        "ORG_NAME": "department"}, {"INVOICE_NUM": "code"}),
    ("SAP FBL1N vendor line items", "payments", {
        "Company Code": None, "Vendor": "vendor_id", "Name 1": "vendor_name", "Document Number": "payment_id",
        "Posting Date": "payment_date", "Amount in LC": "amount"}, {"Company Code": "code"}),
    ("PeopleSoft voucher payments", "payments", {
        "VENDOR_ID": "vendor_id", "NAME1": "vendor_name", "VOUCHER_ID": "payment_id", "PYMNT_DT": "payment_date",
        "PYMNT_AMT": "amount", "DEPTID": "department"}, {}),
    ("Great Plains check register", "payments", {
        "Vendor ID": "vendor_id", "Vendor Name": "vendor_name", "Check Number": "payment_id",
        "Check Date": "payment_date", "Check Amount": "amount"}, {}),
    ("Socrata checkbook (no payment id)", "payments", {
        "fiscal_year": None, "department_name": "department", "vendor_name": "vendor_name",
        "check_date": "payment_date", "check_amount": "amount"}, {"fiscal_year": "integer"}),
    ("NYC Checkbook NYC", "payments", {
        "Payee Name": "vendor_name", "Check Amount": "amount", "Issue Date": "payment_date", "Agency": "department",
        "Contract ID": "contract_id", "Expense Category": "category"}, {}),
    ("UK spend over £500", "payments", {
        "Body Name": None, "Service Area": "department", "Expenses Type": "category", "Date": "payment_date",
        "Transaction Number": "payment_id", "Amount": "amount", "Supplier Name": "vendor_name"}, {}),
    ("Run-together and camelCase checkbook", "payments", {
        "VENDORNAME": "vendor_name", "checkDate": "payment_date", "PaymentAmount": "amount",
        "CheckNumber": "payment_id"}, {}),
    ("Canadian proactive contract disclosure", "contracts", {
        "procurement_id": "contract_id", "vendor_name": "vendor_name", "contract_date": "executed_date",
        "description_en": "title", "contract_period_start": "start_date", "delivery_date": "end_date",
        "contract_value": "current_amount", "original_value": "original_amount",
        "solicitation_procedure": "method", "owner_org": "department"}, {}),
    ("USAspending prime awards", "contracts", {
        "award_id_piid": "contract_id", "recipient_name": "vendor_name", "recipient_uei": "vendor_id",
        "awarding_agency_name": "department", "current_total_value_of_award": "current_amount",
        "period_of_performance_start_date": "start_date", "period_of_performance_current_end_date": "end_date",
        "extent_competed": "method"}, {}),
    ("Contract register (Salesforce)", "contracts", {
        "Contract_Number__c": "contract_id", "Supplier__r.Name": "vendor_name", "Start_Date__c": "start_date",
        "End_Date__c": "end_date", "Contract_Value__c": "current_amount"}, {}),
    ("Bid log", "solicitations", {
        "Bid #": "solicitation_id", "Bid Title": "title", "Bid Type": "method", "Issue Date": "issue_date",
        "Opening Date": "due_date", "# of Bids": "bids_received", "Award Date": "award_date",
        "Awarded Vendor": "awarded_vendor_name", "Award Amt": "awarded_amount"}, {}),
    ("Certified vendor list", "vendors", {
        "Supplier Number": "vendor_id", "Supplier Name": "vendor_name", "Address 1": None, "City": None,
        "MBE": "is_mbe", "WBE": "is_wbe", "Small Business": "is_small"}, {}),
]


@pytest.mark.parametrize(("name", "table", "headers", "hints"), LAYOUTS, ids=[x[0] for x in LAYOUTS])
def test_erp_layouts_are_recognised_and_mapped(name, table, headers, hints):
    sample = frame_for(table, headers, hints)
    cls = classify(list(headers), ["Sheet1"], sample=sample)
    assert cls.table == table, (name, cls.scores)
    assert cls.confidence >= ASK, (name, cls.confidence)
    mapping = cls.mappings[table].mapping
    expected = {h: c for h, c in headers.items() if c}
    assert mapping == expected, name


@pytest.mark.parametrize(("header", "words"), [
    ("VENDOR_NA", ("vendor", "name")), ("CHECK_DT", ("check", "dt")), ("DEPT_DESC", ("dept", "desc")),
    ("INVOICE_DA", ("invoice", "date")), ("VENDORNAME", ("vendor", "name")), ("checkDate", ("check", "date")),
    ("Award_Amount__c", ("award", "amount")), ("POAmount", ("po", "amount")), ("DESCRIPTIO", ("description",)),
    ("Award Date (MM/DD/YYYY)", ("award", "date")),
])
def test_header_words(header, words):
    assert header_words(header) == words


def test_word_families_and_abbreviations():
    assert concepts("Supplier Name") == concepts("Payee Name") == concepts("Vendor Nm") == {"vendor", "name"}
    assert concepts("Warrant Date") == concepts("Pymt Dt") == concepts("Check Date") == {"payment", "date"}
    assert concepts("Net Amount") == concepts("Total") == {"amount"}


def test_a_blank_column_never_takes_a_slot():
    """An all-blank 'Check Date' would exclude every row: the filled 'Paid On' takes the slot instead."""
    sample = pd.DataFrame({"Check No": ["1", "2", "3"], "Check Date": [None, "", None],
                           "Paid On": ["07/01/2025", "07/02/2025", "07/03/2025"], "Amount": ["5", "6", "7"]})
    cm = map_columns(list(sample.columns), "payments", sample=sample)
    assert "Check Date" not in cm.mapping
    assert cm.rejected["Check Date"] == "the column is blank"
    assert cm.mapping["Paid On"] == "payment_date"


def test_a_longer_more_specific_header_wins():
    sample = pd.DataFrame({"Vendor": ["100042", "100043", "100044"], "Vendor Name": ["Acme", "Bolt", "Core"],
                           "Amount": ["1", "2", "3"], "Date": ["07/01/2025"] * 3})
    cm = map_columns(list(sample.columns), "payments", sample=sample)
    assert cm.mapping["Vendor Name"] == "vendor_name"
    assert cm.mapping["Vendor"] == "vendor_id"


def test_a_payments_tracker_naming_only_its_vendor_is_not_a_vendor_list():
    """Only 'Vendor Name' is a known header; three money columns stay unexplained by a vendor list."""
    sample = pd.DataFrame({"Vendor Name": ["Acme", "Bolt", "Core"], "Phase": ["Design", "Build", "Close"],
                           "Budget": ["1,200.00", "560.50", "99.00"], "Spent": ["200.00", "60.50", "99.00"],
                           "Remaining": ["1,000.00", "500.00", "0.00"]})
    cls = classify(list(sample.columns), ["Sheet1"], sample=sample)
    assert cls.table != "vendors"
    assert cls.table is None or cls.confidence < ASK


def test_content_refuses_a_date_header_holding_names():
    sample = pd.DataFrame({"Check No": ["1", "2", "3", "4", "5"], "Paid Date": ["Acme", "Bolt", "Core", "Dyna", "Echo"],
                           "Amount": ["5", "6", "7", "8", "9"]})
    cm = map_columns(list(sample.columns), "payments", sample=sample)
    assert "Paid Date" not in cm.mapping
    assert "date" in cm.rejected["Paid Date"]


def test_profile_kinds():
    assert profile(pd.Series(["$1,200.00", "(12.50)", "99"])).kind == "money"
    assert profile(pd.Series(["2021-04-08T18:00:00.000+0000", "25/06/2012", "Jan 5, 2024"])).kind == "date"
    assert profile(pd.Series([None, "", "  "])).kind == "blank"
    assert profile(pd.Series(["Acme Paving", "Bolt"])).kind == "text"


def test_cli_import_refuses_a_file_lacking_a_required_column(tmp_path, capsys):
    """Changed rule (issue 13): rows are no longer imported with a required column left empty; the command
    exits 2 naming the column, as the app's Import button already refuses."""
    from loaders.__main__ import main

    path = tmp_path / "checks.csv"
    path.write_text("Check No,Vendor,Amount\n1,Acme,5\n2,Bolt,6\n", encoding="utf-8")
    code = main(["import", str(path), "--table", "payments", "--workspace", str(tmp_path / "ws")])
    err = capsys.readouterr().err
    assert code == 2
    assert "required column not found: payment_date" in err
    from storage.workspace import Workspace

    assert Workspace(tmp_path / "ws").imports().empty


def test_cli_import_names_every_missing_required_column(tmp_path, capsys):
    """A file holding none of a table's identity columns is refused (exit 2) naming each of them."""
    from loaders.__main__ import main

    path = tmp_path / "vendors_only.csv"
    path.write_text("Vendor Name,Department,Description\nAcme,Parks,Mowing\nBolt,Fire,Hoses\n", encoding="utf-8")
    code = main(["import", str(path), "--table", "payments", "--workspace", str(tmp_path / "ws")])
    err = capsys.readouterr().err
    assert code == 2
    assert "payment_date" in err and "amount" in err


def test_cli_import_makes_payment_ids_for_a_checkbook_without_them(tmp_path, capsys):
    from loaders.__main__ import main

    path = tmp_path / "checkbook.csv"
    path.write_text("Check Date,Vendor,Amount\n2025-07-01,Acme,5\n2025-07-02,Bolt,6\n", encoding="utf-8")
    assert main(["import", str(path), "--table", "payments", "--workspace", str(tmp_path / "ws")]) == 0
    from storage.workspace import Workspace

    ids = Workspace(tmp_path / "ws").table("payments")["payment_id"].tolist()
    assert len(ids) == 2 and all(i.startswith("R") for i in ids)


def test_foreign_headers_read_as_english_words():
    """Portuguese, Spanish and French headers, accents or not, meet the English vocabulary."""
    assert concepts("Preço Inicial (€)") == concepts("Preco Inicial") == concepts("Initial Amount")
    assert concepts("Data de celebração") == concepts("Signed Date")
    assert concepts("Fecha de adjudicación") == concepts("Award Date")
    assert concepts("Descrição Breve") == concepts("Short Description")
    assert header_words("INVOICE_DA") == ("invoice", "date")  # 'da' ends no Portuguese header: a truncated word


def test_a_count_of_bidders_is_not_a_bidders_number():
    """'Number of Bidders' counts; 'Bidder Number' identifies."""
    assert concepts("Number of Bidders") == concepts("Número de concorrentes") == {"count", "bidders"}
    assert "bids_received" in candidates("tender/numberOfTenderers", "solicitations")
    assert "vendor_id" not in candidates("Number of Bidders", "contracts")


def test_a_qualified_date_is_not_the_payment_date():
    """'Approved Date' is the approval's date (a PO's), not the date a payment was made; 'Date' alone may be."""
    assert candidates("Approved Date", "payments").get("payment_date", 0) < 0.7
    assert candidates("Approved Date", "contracts")["executed_date"] >= 0.95
    assert candidates("Date", "payments")["payment_date"] >= 0.95
    assert candidates("date", "contracts").get("end_date", 0) < 0.7  # 'to date' says no more than 'date'


def test_an_amount_is_not_the_thing_it_prices():
    """'Contract Value' is an amount: never the contract's id, even in a table whose id it could be."""
    assert candidates("contract_value", "checkins").get("contract_id", 0) < 0.7
    assert candidates("contract_value", "solicitations")["awarded_amount"] >= 0.95


def test_header_legend():
    """A header that defines its codes; one code in brackets is a unit or a format, not a legend."""
    from loaders.mapping import header_legend

    assert header_legend("Invitation to Quote (Q) or published invitation to tender (T)?") == {
        "Q": "Invitation to Quote", "T": "published invitation to tender"}
    assert header_legend("Amount (USD)") == {} and header_legend("Protest (Y/N)") == {}
