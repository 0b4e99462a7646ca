"""The real public exports in ../shared/real-data: right table, key columns mapped, every row
accounted for, money totals equal to an independent pandas computation (skipped where absent)."""

from functools import cache

import numpy as np
import pandas as pd
import pytest

from loaders import inspect_file

PHILADELPHIA = "philadelphia_professional_services_contracts_FY2019Q3.csv"
LA_RAMP = "los_angeles_ramp_awards_with_opportunities.csv"
NEW_ORLEANS = "new_orleans_check_register.csv"
PORTLAND = "port_of_portland_bid_tabulation_2023D003.xlsx"
LA_MBE = "los_angeles_certified_mbe_vendors.xlsx"


@cache
def parts(path: str):
    return inspect_file(path)


def only(real_data, name):
    [part] = parts(str(real_data / name))
    return part


def accounted(part):
    assert part.rows_read == part.rows_loaded + part.rows_excluded
    assert len(part.frame) == part.rows_loaded
    excluded = part.issues[part.issues["problem"].str.startswith("excluded")]
    assert excluded["row"].nunique() == part.rows_excluded


def test_philadelphia_contracts(real_data):
    """Contracts: M/D/YYYY dates, 2050 placeholder end dates flagged, repeated ids reported, ADVERTISED/EXEMPT methods, every row loaded."""
    part = only(real_data, PHILADELPHIA)
    raw = pd.read_csv(real_data / PHILADELPHIA, dtype=str)
    assert part.table == "contracts" and part.confidence >= 0.8
    assert {"original_contract_id": "contract_id", "vendor": "vendor_name", "start_dt": "start_date",
            "end_dt": "end_date", "amt": "current_amount", "department_name": "department",
            "adv_or_exempt": "method"}.items() <= part.mapping.items()
    accounted(part)
    assert part.rows_read == len(raw) == 1820 and part.rows_excluded == 0
    assert part.amount_totals()["current_amount"] == pytest.approx(pd.to_numeric(raw["amt"]).sum(), abs=0.01)
    # Ids both numeric and alphanumeric stay text exactly as written.
    assert part.frame["contract_id"].tolist() == raw["original_contract_id"].tolist()
    assert part.frame["start_date"].tolist() == pd.to_datetime(raw["start_dt"], format="%m/%d/%Y").tolist()
    # Philadelphia ends open-ended contracts on any day of 2050 (12/31/2050, 6/30/2050...): every one is flagged
    # as a placeholder (issue 13), and nothing else is.
    placeholders = part.issues[part.issues["problem"] == "placeholder date"]
    in_2050 = raw["end_dt"].str.endswith("/2050")
    assert set(placeholders["value"]) == set(raw.loc[in_2050, "end_dt"])
    assert len(placeholders) == in_2050.sum() and (placeholders["column"] == "end_dt").all()
    # The contract ids that repeat (amendments) are reported; all rows are kept unless the user chooses 'latest'.
    repeats = raw["original_contract_id"].value_counts()
    assert part.duplicates == {"column": "contract_id", "ids": int((repeats > 1).sum()),
                               "rows": int(repeats[repeats > 1].sum()), "examples": part.duplicates["examples"],
                               "choice": "all", "rows_dropped": 0}
    methods = part.frame["method"].value_counts()
    assert methods["exempt"] == (raw["adv_or_exempt"] == "EXEMPT").sum()
    assert methods["request for proposals"] == (raw["adv_or_exempt"] == "ADVERTISED").sum()


def test_new_orleans_payments(real_data):
    """Payments: cp1252, blank first header, NA strings, 1e+05; rows without an amount excluded with the reason."""
    part = only(real_data, NEW_ORLEANS)
    raw = pd.read_csv(real_data / NEW_ORLEANS, encoding="cp1252", dtype=str, keep_default_na=False)
    assert part.table == "payments" and part.confidence >= 0.8
    assert {"Check": "payment_id", "Check.Date": "payment_date", "Amount": "amount", "Vendor": "vendor_name",
            "PO": "po_number", "Department": "department", "Invoice.Date": "invoice_date",
            "Stamp.Date": "invoice_received_date"}.items() <= part.mapping.items()
    assert part.columns[0] == "column A" and "column A" in part.unmapped_columns
    accounted(part)
    assert part.rows_read == len(raw) == 18026
    amount = pd.to_numeric(raw["Amount"].replace("NA", np.nan))
    date = pd.to_datetime(raw["Check.Date"].replace("NA", np.nan), format="%Y-%m-%d")
    loadable = amount.notna() & date.notna() & raw["Check"].ne("NA") & raw["Check"].ne("")
    assert part.rows_loaded == loadable.sum()
    assert part.rows_excluded == (~loadable).sum()
    assert part.amount_totals()["amount"] == pytest.approx(amount[loadable].sum(), abs=0.01)
    assert (amount == 100000).any() and (part.frame["amount"] == 100000).sum() == (amount[loadable] == 100000).sum()
    assert part.frame["vendor_name"].isna().sum() == (raw.loc[loadable, "Vendor"].isin(["", "NA"])).sum()
    assert part.frame["po_number"].notna().all() or part.frame["po_number"].dtype == "str"


def test_los_angeles_ramp_solicitations(real_data):
    """Salesforce awards joined to opportunities: solicitations, UTC timestamps to dates, $0 awards listed."""
    part = only(real_data, LA_RAMP)
    raw = pd.read_csv(real_data / LA_RAMP, dtype=str, keep_default_na=False)
    assert part.table == "solicitations"
    assert {"Opportunity__r.Id": "solicitation_id", "Account__r.Name": "awarded_vendor_name",
            "Opportunity__r.Account.Name": "department", "Award_Amount__c": "awarded_amount",
            "Opportunity__r.Name": "title", "Opportunity__r.Bid_Due__c": "due_date",
            "Opportunity__r.Bid_Post__c": "issue_date", "MBE__c": "is_mbe", "WBE__c": "is_wbe",
            "DBE__c": "is_dbe"}.items() <= part.mapping.items()
    accounted(part)
    assert part.rows_read == len(raw) == 13278
    amount = pd.to_numeric(raw["Award_Amount__c"])
    assert part.amount_totals()["awarded_amount"] == pytest.approx(amount.sum(), abs=0.01)
    assert part.issue_counts()["zero amount"] == (amount == 0).sum() == 4575
    assert part.issue_counts()["required column not found: method"] == 1
    due = pd.to_datetime(raw["Opportunity__r.Bid_Due__c"].str.slice(0, 10), format="%Y-%m-%d")
    assert part.frame["due_date"].tolist() == due.tolist()
    assert part.frame["is_mbe"].sum() == (raw["MBE__c"] == "True").sum()


def test_portland_bid_tabulation(real_data):
    """A 12-sheet bid tab: bids per bidder from the wide tabs and the summary; the estimate is not a bid."""
    book = parts(str(real_data / PORTLAND))
    by_sheet = {p.sheet: p for p in book}
    assert len(book) == 12
    for p in book:
        accounted(p)
    summary = by_sheet["Summary"]
    assert summary.table == "bids" and summary.header_row == 7
    assert summary.mapping["Bidder"] == "vendor_name"
    assert summary.mapping["Total Amount Base Bid"] == "bid_amount"
    assert summary.frame["solicitation_id"].unique().tolist() == ["2024-10481"]  # from the title rows
    independent = pd.read_excel(real_data / PORTLAND, sheet_name="Summary", header=6, engine="calamine")
    bidders = independent[independent["Bidder"].isin(["Fortis Construction, Inc.", "Northeast Electric, LLC"])]
    base = pd.to_numeric(bidders.iloc[:, 1].astype(str).str.replace(r"[$,*]", "", regex=True))
    assert summary.amount_totals()["bid_amount"] == pytest.approx(base.sum(), abs=0.01)
    assert summary.frame["vendor_name"].tolist() == bidders["Bidder"].tolist()
    reasons = summary.excluded_rows()["reason"].tolist()
    assert reasons == ["engineer's estimate, not a bid", "footnote", "footnote"]

    tab = by_sheet["Base Bid Tab"]
    assert tab.table == "bids" and tab.header_row == 7
    assert "Fortis Construction, Inc. Total Price" in tab.preview.columns
    grid = pd.read_excel(real_data / PORTLAND, sheet_name="Base Bid Tab", header=None, engine="calamine")
    totals_row = grid[grid[1].astype(str).str.startswith("Total Amount Bid")].iloc[0]
    assert tab.frame["bid_amount"].tolist() == pytest.approx([totals_row[5], totals_row[7]], abs=0.01)
    assert tab.frame["solicitation_id"].unique().tolist() == ["2024-10481"]
    # Blank bid forms (no prices) are reported as sheets with no table.
    assert by_sheet["Bid Item List"].table is None and "hidden sheet" in by_sheet["Bid Item List"].notes


def test_los_angeles_certified_mbe_vendors(real_data):
    """A certified-MBE vendor list: ids as text, every vendor MBE (from the file's name, noted)."""
    part = only(real_data, LA_MBE)
    raw = pd.read_excel(real_data / LA_MBE, engine="calamine")
    assert part.table == "vendors"
    assert part.mapping["BAVN_COMPANY_ID"] == "vendor_id" and part.mapping["COMPANY_NAME"] == "vendor_name"
    accounted(part)
    assert part.rows_read == len(raw) == 2095
    assert part.frame["vendor_id"].iloc[0] == "208"
    assert part.frame["vendor_name"].tolist()[:3] == raw["COMPANY_NAME"].str.strip().tolist()[:3]
    assert part.frame["is_mbe"].all()
    assert any("certifications taken from" in n for n in part.notes)
