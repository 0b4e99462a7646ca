"""Acceptance: export layouts of other systems (PeopleSoft, SAP, Tyler Munis, Bonfire, OpenGov, Ariba, a
state contract register, certification lists, CPARS-like evaluations, RFI logs) that no test fixture was
built from. Each file is read through `loaders.inspect_file`: the right table, its key columns mapped, every
row loaded. Headers are ones these systems print; the rows are made up."""

from __future__ import annotations

import pytest
from hand_county_files import write_csv

from loaders import inspect_file

LAYOUTS = {
    "peoplesoft_payments": ("payments", [
        ["Voucher ID", "Payment Date", "Supplier ID", "Supplier Name", "Payment Amount", "Business Unit",
         "Invoice ID", "Invoice Date", "PO No."],
        ["00012345", "07/03/2025", "0000004411", "Acme Paving Inc", "12,500.00", "PWORK", "INV-88", "06/20/2025", "PO-1"],
        ["00012346", "07/03/2025", "0000004512", "Blue Ridge LLC", "980.10", "ADMIN", "INV-91", "06/22/2025", ""],
        ["00012347", "07/07/2025", "0000004411", "Acme Paving Inc", "3,000.00", "PWORK", "INV-93", "06/30/2025", "PO-1"],
    ], {"Voucher ID": "payment_id", "Payment Date": "payment_date", "Supplier ID": "vendor_id",
        "Supplier Name": "vendor_name", "Payment Amount": "amount", "Invoice Date": "invoice_date"}),
    "sap_payments": ("payments", [
        ["Document Number", "Posting Date", "Vendor", "Amount in LC", "Reference"],
        ["1500000101", "2025-07-03", "Acme Paving Inc", "12500.00", "INV-88"],
        ["1500000102", "2025-07-03", "Blue Ridge LLC", "980.10", "INV-91"],
        ["1500000103", "2025-07-07", "Acme Paving Inc", "-300.00", "CM-2"],
    ], {"Document Number": "payment_id", "Posting Date": "payment_date", "Vendor": "vendor_name",
        "Amount in LC": "amount"}),
    "warrant_register": ("payments", [
        ["Warrant Number", "Warrant Date", "Payee", "Agency", "Expense Category", "Amount Paid", "Contract ID",
         "Date Invoice Received"],
        ["W-9001", "7/3/2025", "Acme Paving Inc", "Transportation", "Construction", "$12,500.00", "C-1", "6/20/2025"],
        ["W-9002", "7/3/2025", "Blue Ridge LLC", "Administration", "Consulting", "$980.10", "", "6/22/2025"],
        ["W-9003", "7/7/2025", "Acme Paving Inc", "Transportation", "Construction", "$3,000.00", "C-1", "6/30/2025"],
    ], {"Warrant Number": "payment_id", "Warrant Date": "payment_date", "Payee": "vendor_name",
        "Amount Paid": "amount", "Contract ID": "contract_id", "Date Invoice Received": "invoice_received_date"}),
    "bonfire_projects": ("solicitations", [
        ["Reference #", "Project Name", "Department", "Solicitation Type", "Open Date", "Close Date", "Status",
         "Submissions", "Awarded Supplier", "Awarded Amount"],
        ["RFP-2025-014", "Fleet telematics", "Fleet", "RFP", "2025-03-01", "2025-04-01", "Awarded", "4",
         "Geotab Inc", "$120,000.00"],
        ["ITB-2025-020", "Asphalt", "Public Works", "ITB", "2025-03-10", "2025-04-10", "Awarded", "2",
         "Acme Paving Inc", "$480,000.00"],
        ["RFQ-2025-031", "Toner", "Finance", "RFQ", "2025-04-01", "2025-04-15", "Cancelled", "0", "", ""],
    ], {"Reference #": "solicitation_id", "Project Name": "title", "Solicitation Type": "method",
        "Open Date": "issue_date", "Close Date": "due_date", "Submissions": "bids_received",
        "Awarded Supplier": "awarded_vendor_name", "Awarded Amount": "awarded_amount"}),
    "opengov_projects": ("solicitations", [
        ["Project ID", "Title", "Procurement Method", "Release Date", "Proposal Deadline", "Responses",
         "Award Date", "Estimated Budget"],
        ["2025-0101", "Website redesign", "Request for Proposals", "3/1/2025", "4/1/2025", "6", "6/1/2025",
         "$150,000"],
        ["2025-0102", "Salt supply", "Invitation for Bids", "3/5/2025", "3/26/2025", "3", "4/20/2025", "$90,000"],
        ["2025-0103", "Body cameras", "Sole Source", "", "", "", "5/1/2025", "$300,000"],
    ], {"Project ID": "solicitation_id", "Title": "title", "Procurement Method": "method",
        "Release Date": "issue_date", "Proposal Deadline": "due_date", "Responses": "bids_received",
        "Award Date": "award_date", "Estimated Budget": "estimated_amount"}),
    "state_bid_log": ("solicitations", [
        ["Solicitation Number", "Solicitation Title", "Solicitation Type", "Posting Date", "Closing Date",
         "Number of Bids", "Award Date", "Award Amount", "Vendor Name"],
        ["S-25-001", "Road salt", "IFB", "01/05/2025", "02/05/2025", "3", "03/01/2025", "$210,000.00", "Salt Co"],
        ["S-25-002", "Audit services", "RFP", "01/10/2025", "02/20/2025", "1", "04/01/2025", "$95,000.00",
         "Audit LLP"],
        ["S-25-003", "Emergency roof", "Emergency", "", "", "", "01/15/2025", "$40,000.00", "Roof Inc"],
    ], {"Solicitation Number": "solicitation_id", "Solicitation Type": "method", "Posting Date": "issue_date",
        "Closing Date": "due_date", "Number of Bids": "bids_received", "Award Date": "award_date",
        "Award Amount": "awarded_amount", "Vendor Name": "awarded_vendor_name"}),
    "munis_bid_log": ("solicitations", [
        ["Bid No", "Description", "Bid Type", "Requisition Date", "Issued", "Opening Date", "Awarded Date",
         "Awarded To", "Award Amt"],
        ["B25-01", "Salt", "Formal Bid", "12/1/2024", "1/5/2025", "2/5/2025", "3/1/2025", "Salt Co", "210,000.00"],
        ["B25-02", "Audit", "RFP", "12/10/2024", "1/10/2025", "2/20/2025", "4/1/2025", "Audit LLP", "95,000.00"],
        ["B25-03", "Copier", "Cooperative", "1/2/2025", "", "", "1/20/2025", "Copy Inc", "12,000.00"],
    ], {"Bid No": "solicitation_id", "Description": "title", "Bid Type": "method",
        "Requisition Date": "requisition_date", "Issued": "issue_date", "Opening Date": "due_date",
        "Awarded Date": "award_date", "Awarded To": "awarded_vendor_name", "Award Amt": "awarded_amount"}),
    "agreement_register": ("contracts", [
        ["Agreement Number", "Description", "Supplier", "Start Date", "End Date", "Agreement Amount", "Status"],
        ["AG-100", "Janitorial", "Harbor Janitorial", "2024-07-01", "2027-06-30", "$300,000.00", "Active"],
        ["AG-101", "Fuel", "Delta Fleet", "2023-01-01", "2025-12-31", "$90,000.00", "Active"],
        ["AG-102", "Audit", "Audit LLP", "2025-04-01", "2026-03-31", "$95,000.00", "Active"],
    ], {"Agreement Number": "contract_id", "Supplier": "vendor_name", "Start Date": "start_date",
        "End Date": "end_date", "Agreement Amount": "current_amount"}),
    "master_agreements": ("contracts", [
        ["Master Agreement ID", "Supplier Name", "Commodity", "Term Start Date", "Term End Date",
         "Max Contract Value", "Extensions Available"],
        ["MA-1", "Harbor Janitorial", "Janitorial", "7/1/2024", "6/30/2027", "$300,000.00", "2"],
        ["MA-2", "Delta Fleet", "Fuel", "1/1/2023", "12/31/2025", "$90,000.00", "0"],
        ["MA-3", "Audit LLP", "Audit", "4/1/2025", "3/31/2026", "$95,000.00", "1"],
    ], {"Master Agreement ID": "contract_id", "Supplier Name": "vendor_name", "Term Start Date": "start_date",
        "Term End Date": "end_date", "Max Contract Value": "current_amount",
        "Extensions Available": "renewal_options_remaining"}),
    "certification_list": ("vendors", [
        ["Vendor ID", "Business Name", "Certification(s)", "Certifying Agency", "Expiration"],
        ["V-1", "Blue Ridge LLC", "MBE", "State DAS", "5/31/2027"],
        ["V-2", "Cafe Verde", "MBE; WBE", "City OBO", "12/31/2026"],
        ["V-3", "Harbor Janitorial", "SBE", "State DAS", "3/31/2026"],
    ], {"Vendor ID": "vendor_id", "Business Name": "vendor_name", "Certification(s)": "certifications",
        "Expiration": "certification_expiration_date"}),
    "evaluation_log": ("evaluations", [
        ["Contract", "Vendor ID", "Review Due Date", "Review Completed", "Rating", "Overall Score (0-100)"],
        ["AG-100", "V-3", "1/31/2026", "1/20/2026", "Satisfactory", "78"],
        ["AG-101", "V-9", "2/28/2026", "", "", ""],
        ["AG-102", "V-7", "3/31/2026", "4/15/2026", "Marginal", "55"],
    ], {"Contract": "contract_id", "Vendor ID": "vendor_id", "Review Due Date": "due_date",
        "Review Completed": "completed_date", "Rating": "rating", "Overall Score (0-100)": "score"}),
    "bid_tab": ("bids", [
        ["Bid Number", "Vendor Name", "Vendor Number", "Total Bid Amount", "Low Bid (Y/N)"],
        ["B25-01", "Salt Co", "501", "$210,000.00", "Y"],
        ["B25-01", "Road Supply Inc", "502", "$228,500.00", "N"],
        ["B25-01", "Winter Materials LLC", "", "$241,000.00", "N"],
    ], {"Bid Number": "solicitation_id", "Vendor Name": "vendor_name", "Vendor Number": "vendor_id",
        "Total Bid Amount": "bid_amount", "Low Bid (Y/N)": "is_winner"}),
    "rfi_log": ("engagements", [
        ["RFI Number", "RFI Title", "Event Type", "Issue Date", "Responses", "Related Solicitation"],
        ["RFI-25-01", "Telematics market scan", "RFI", "1/15/2025", "5", "RFP-2025-014"],
        ["RFI-25-02", "Asphalt suppliers", "Industry Day", "2/1/2025", "", "ITB-2025-020"],
        ["RFI-25-03", "Cameras", "Sources Sought", "2/10/2025", "3", ""],
    ], {"RFI Number": "engagement_id", "Event Type": "type", "Issue Date": "engagement_date",
        "Responses": "responses", "Related Solicitation": "solicitation_id"}),
}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_unseen_layout_is_classified_and_mapped(tmp_path, name):
    table, grid, key_mapping = LAYOUTS[name]
    path = write_csv(tmp_path / f"{name}.csv", [], grid[0], grid[1:], [])
    [part] = inspect_file(path)
    assert part.table == table, (part.table, part.table_scores)
    assert {k: part.mapping.get(k) for k in key_mapping} == key_mapping
    assert (part.rows_read, part.rows_loaded, part.rows_excluded) == (3, 3, 0), part.issues


def test_certification_spellings_of_other_lists(tmp_path):
    """Certification lists write M/WBE status many ways; each must set the flags the equity KPIs read."""
    rows = [["V-1", "A", "WMBE"], ["V-2", "B", "W/MBE"], ["V-3", "C", "M/WBE"], ["V-4", "D", "MBE, WBE"],
            ["V-5", "E", "LSBE"], ["V-6", "F", "Woman-Owned"], ["V-7", "G", "None"]]
    path = write_csv(tmp_path / "certified.csv", [], ["Vendor ID", "Vendor Name", "Certification Type"], rows, [])
    [part] = inspect_file(path)
    f = part.frame.set_index("vendor_id")
    flags = {v: (bool(f.loc[v, "is_mbe"]), bool(f.loc[v, "is_wbe"]), bool(f.loc[v, "is_sbe"]), bool(f.loc[v, "is_lbe"]))
             for v in f.index}
    assert flags == {"V-1": (True, True, False, False), "V-2": (True, True, False, False),
                     "V-3": (True, True, False, False), "V-4": (True, True, False, False),
                     "V-5": (False, False, True, True), "V-6": (False, True, False, False),
                     "V-7": (False, False, False, False)}
    assert part.issue_counts() == {}


def test_european_payments_and_accounting_negatives(tmp_path):
    """A Windows-1252 SAP download (semicolons, dotted day-first dates, '1.234,56') and a US register whose
    credits are written as Excel shows them ('$(300.00)', '$ (1,250.00)'): dates and amounts exact."""
    eu = write_csv(tmp_path / "fbl1n.csv", [], ["Belegnummer", "Buchungsdatum", "Lieferant", "Betrag"], [
        ["1500000101", "01.10.2025", "Müller Straßenbau GmbH", "12.500,00"],
        ["1500000102", "02.11.2025", "Café Verde", "980,10"],
        ["1500000103", "05.03.2026", "Müller Straßenbau GmbH", "-300,00"],
    ], [], delimiter=";", encoding="cp1252")
    mapping = {"Belegnummer": "payment_id", "Buchungsdatum": "payment_date", "Lieferant": "vendor_name",
               "Betrag": "amount"}
    [part] = inspect_file(eu, table="payments", mapping=mapping)
    f = part.frame
    assert f["payment_date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-10-01", "2025-11-02", "2026-03-05"]
    assert f["amount"].tolist() == [12_500.0, 980.10, -300.0]
    assert f["vendor_name"].tolist()[0] == "Müller Straßenbau GmbH"
    us = write_csv(tmp_path / "register.csv", [], ["Check Number", "Check Date", "Payee", "Check Amount"], [
        ["1", "10/01/2025", "Acme", "$12,500.00"], ["2", "10/02/2025", "Acme", "$(300.00)"],
        ["3", "10/03/2025", "Beta", "$ (1,250.00)"]], [])
    [part] = inspect_file(us)
    assert part.frame["amount"].tolist() == [12_500.0, -300.0, -1_250.0]
    # The two credits load, and each is flagged for review (issue 13: negative amounts are flagged).
    assert part.issue_counts() == {"negative amount (a credit, refund or void?)": 2}
    assert part.amount_totals() == {"amount": 10_950.0}


METHOD_SPELLINGS = {
    "Request for Bids (RFB)": "invitation for bid", "Invitation to Bid": "invitation for bid",
    "Sealed Bid": "invitation for bid", "Competitive Negotiation": "request for proposals",
    "Request for Qualifications": "request for proposals", "Informal Quote": "request for quotes",
    "Direct Award": "sole source", "Sole Source / Single Source": "sole source",
    "Emergency Purchase": "emergency", "Exempt - Professional Services": "exempt",
    "Statewide Contract": "cooperative", "Piggyback": "cooperative", "P-Card": "small purchase",
}


def test_method_spellings_of_other_cities(tmp_path):
    """Methods as other offices write them, normalised to DESIGN.md's methods (competitive or not)."""
    rows = [[f"S-{i}", m, "10/1/2025", "$1,000.00"] for i, m in enumerate(METHOD_SPELLINGS)]
    path = write_csv(tmp_path / "log.csv", [], ["Solicitation Number", "Procurement Method", "Award Date",
                                                "Award Amount"], rows, [])
    [part] = inspect_file(path)
    assert part.table == "solicitations"
    assert dict(zip(METHOD_SPELLINGS, part.frame["method"], strict=True)) == METHOD_SPELLINGS
    assert part.issue_counts() == {}
