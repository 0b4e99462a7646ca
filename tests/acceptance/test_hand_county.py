"""Acceptance: Hand County, a small fictional county whose KPIs were worked out by hand.

The county's exports are written below exactly as its systems print them (a Munis-style bid register and an
Oracle-style contract report as .xlsx, a Socrata-style checkbook CSV, an Ariba-style bid tabulation as a
Windows-1252 CSV with semicolons and decimal commas, a vendor master workbook, evaluation and outreach
logs). They go through the real command line: `python -m loaders inspect --json` and `python -m loaders import`
into a temporary workspace whose fiscal year starts in October, then `python -m kpi report --json`.

Every expected value was worked out by hand from the rows below and DESIGN.md's definitions (the one-line
comment says how); where DESIGN.md leaves a choice open, the engine's documented interpretation
(docs/kpis.md) is followed and the comment says so. docs/acceptance.md tells the whole story.

Fiscal year: October start, FY2026 = 1 Oct 2025 - 30 Sep 2026. As-of (data-through) date: 30 Jun 2026, so
FY2026 is partial and anything dated after 30 Jun 2026 is left out.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from hand_county_files import write_csv, write_workbook, write_xlsx

pytestmark = pytest.mark.xdist_group("hand_county")  # one worker: the county is imported and reported once
ROOT = Path(__file__).resolve().parents[2]
D = dt.date
AS_OF = "2026-06-30"
FY = 2026
FY_START_MONTH = 10

# Vendor numbers: 1001 Acme Paving (local), 1002 Blue Ridge Consulting (MBE, small), 1003 Café Verde Catering
# (MBE+WBE, small, local), 1004 Delta Fleet Services, 1005 Evergreen Landscaping (WBE, small, local),
# 1006 Frontier IT Solutions, 1007 Granite Construction (DBE, local), 1008 Harbor Janitorial (SBE, small,
# local), 1009 Ironwood Engineering (MBE, certification expired 31 Dec 2025), 1010 Juniper Office Supply (small).

# ----------------------------------------------------------------------------------------------------------
# 1. Solicitations: Munis-style "Bid and Proposal Register" workbook. Title lines, M/D/YYYY text dates (old
#    rows as real Excel dates, one row in ISO text), "$1,234.00" text money (one row as Excel numbers), Y/N
#    protest flag, a "Grand Total" line and a footnote under the data.
# ----------------------------------------------------------------------------------------------------------
SOL_TITLE = ["Hand County, Ohio", "Purchasing Division - Bid and Proposal Register",
             "Report date: 8/3/2026   Data through: 6/30/2026"]
SOL_HEADER = ["Bid #", "Bid Description", "Dept", "Commodity Description", "Solicitation Type", "Est. Amount",
              "Req. Received", "Date Advertised", "Bid Opening", "Award Date", "Status", "No. of Responses",
              "Award Amount", "Awarded Vendor #", "Awarded Vendor Name", "Protest (Y/N)", "Replaces Contract #"]
SOL_ROWS = [
    # history (awards before FY2026: they only matter for first-time vendors)
    ["HC-22-005", "Fleet fuel card program", "Fleet", "Goods", "ITB", "$110,000.00", D(2022, 3, 1), D(2022, 4, 1),
     D(2022, 5, 2), D(2022, 8, 10), "Awarded", 2, "$100,000.00", 1004, "Delta Fleet Services Co.", "N", ""],
    ["HC-23-001", "Road maintenance 2023-2026", "Public Works", "Construction", "ITB", "$320,000.00",
     D(2022, 11, 1), D(2022, 12, 1), D(2023, 1, 5), D(2023, 3, 15), "Awarded", 3, "$300,000.00", 1001,
     "Acme Paving Inc.", "N", ""],
    ["HC-24-003", "Park landscape services", "Parks", "Services", "RFP", "$65,000.00", D(2023, 9, 1),
     D(2023, 10, 2), D(2023, 11, 1), D(2024, 1, 10), "Awarded", 1, "$60,000.00", 1005, "Evergreen Landscaping",
     "N", ""],
    ["HC-25-010", "Help desk bridge contract", "Information Technology", "Information Technology", "RFP",
     "$260,000.00", "4/1/2025", "5/1/2025", "6/2/2025", "8/20/2025", "Awarded", 1, "$250,000.00", 1006,
     "Frontier IT Solutions, Inc.", "N", ""],
    ["HC-25-020", "Bridge inspection services", "Public Works", "Professional Services", "RFP", "$200,000.00",
     "5/1/2025", "6/2/2025", "7/2/2025", "8/15/2025", "Awarded", 2, "$190,000.00", 1009,
     "Ironwood Engineering PLLC", "N", ""],
    # FY2026
    ["HC-26-001", "Road resurfacing program", "Public Works", "Construction", "ITB", "$500,000.00", "8/1/2025",
     "9/2/2025", "10/2/2025", "11/1/2025", "Awarded", 4, "$460,000.00", 1001, "Acme Paving Inc.", "N", ""],
    ["HC-26-002", "IT help desk services", "Information Technology", "Information Technology", "RFP",
     "$300,000.00", "9/15/2025", "10/15/2025", "11/14/2025", "1/13/2026", "Awarded", 1, "$310,000.00", 1006,
     "Frontier IT Solutions, Inc.", "Y", ""],
    ["HC-26-003", "Office supplies", "Finance", "Goods", "RFQ", "$40,000.00", "", "10/6/2025", "10/20/2025",
     "10/27/2025", "Awarded", 3, "$36,000.00", 1010, "Juniper Office Supply", "N", ""],
    ["HC-26-004", "Permitting software maintenance", "Information Technology", "Information Technology",
     "Sole Source", "$120,000.00", "11/3/2025", "", "", "12/3/2025", "Awarded", "", "$120,000.00", 1006,
     "Frontier IT Solutions, Inc.", "N", ""],
    ["HC-26-005", "Storm debris hauling", "Public Works", "Services", "Emergency", "", "1/10/2026", "", "",
     "1/12/2026", "Awarded", "", "$80,000.00", 1004, "Delta Fleet Services Co.", "N", ""],
    ["HC-26-006", "Janitorial services", "Facilities", "Services", "ITB", "$250,000.00", "12/1/2025", "1/5/2026",
     "2/4/2026", "3/6/2026", "Awarded", 2, "$240,000.00", 1008, "Harbor Janitorial Services", "N",
     "HC-C-2021-07"],
    ["HC-26-007", "Landscape maintenance", "Parks", "Services", "RFP", "$150,000.00", "1/15/2026", "2/2/2026",
     "3/4/2026", "4/13/2026", "Awarded", 5, "$140,000.00", 1005, "Evergreen Landscaping", "N", ""],
    ["HC-26-008", "Fleet tires", "Fleet", "Goods", "ITB", "$90,000.00", "1/20/2026", "2/10/2026", "3/10/2026", "",
     "Canceled - No Bids Received", 0, "", "", "", "", "HC-C-2023-09"],
    ["HC-26-009", "Organizational study", "County Administration", "Professional Services", "RFP",
     "$200,000.00", "2/1/2026", "3/2/2026", "4/1/2026", "5/21/2026", "Awarded", 1, "$195,000.00", 1002,
     "Blue Ridge Consulting LLC", "N", ""],
    ["HC-26-010", "Pickup trucks (Sourcewell)", "Fleet", "Goods", "Cooperative - Sourcewell", "$180,000.00",
     "3/2/2026", "", "", "3/20/2026", "Awarded", "", "$175,000.00", 1004, "Delta Fleet Services Co.", "N", ""],
    ["HC-26-011", "Sidewalk and road repair", "Public Works", "Construction", "ITB", "$400,000.00", "3/1/2026",
     "4/1/2026", "5/1/2026", "", "Under Evaluation", 3, "", "", "", "", "HC-C-2023-01"],
    ["HC-26-012", "Body-worn cameras", "Sheriff", "Goods", "RFP", "$600,000.00", "4/15/2026", "5/15/2026",
     "7/15/2026", "", "Open for Bids", "", "", "", "", "", ""],
    ["HC-26-013", "Copier lease renewal", "County Administration", "Services", "Exempt", "$15,000.00",
     "2/10/2026", "", "", "2/20/2026", "Awarded", "", "$15,000.00", 1010, "Juniper Office Supply", "N", ""],
    ["HC-26-014", "Printer toner", "Finance", "Goods", "Small Purchase", "$8,000.00", "4/1/2026", "", "",
     "4/8/2026", "Awarded", "", "$7,500.00", "", "JUNIPER OFFICE SUPPLY INC", "", ""],
    ["HC-26-015", "Event catering", "County Administration", "Goods", "RFQ", "$25,000.00", "11/10/2025",
     "11/17/2025", "12/1/2025", "12/10/2025", "Awarded", 2, "$22,000.00", 1003, "Café Verde Catering", "N", ""],
    ["HC-26-016", "Water main replacement", "Utilities", "Construction", "ITB", 1200000.0, "2025-10-01",
     "2025-11-03", "2025-12-03", "2026-02-02", "Awarded", 1, 1150000.0, 1007, "Granite Construction Group", "",
     ""],
    ["HC-26-017", "HVAC replacement", "Facilities", "Construction", "RFP", "$350,000.00", "5/1/2026", "5/20/2026",
     "6/19/2026", "7/20/2026", "Awarded", 2, "$345,000.00", "", "Polar Mechanical Inc.", "N", ""],
]
SOL_FOOTER = [
    ["Grand Total", "", "", "", "", "$5,383,000.00", "", "", "", "", "", 33, "$4,195,500.00", "", "", "", ""],
    ["* Award amounts exclude change orders executed after award."],
]

# ----------------------------------------------------------------------------------------------------------
# 2. Bids: Ariba-style bid tabulation, Windows-1252 CSV, semicolons, decimal commas ("460.000,00"), Y/N
#    'Awarded', bidders outside the vendor list by name only (spelt two ways), a total line.
# ----------------------------------------------------------------------------------------------------------
BID_TITLE = ["Hand County - Sourcing Event Bid Tabulation Export"]
BID_HEADER = ["Event ID", "Supplier ID", "Supplier Name", "Bid Amount", "Awarded"]
BID_ROWS = [
    ["HC-23-001", "1001", "Acme Paving Inc.", "300.000,00", "Y"],
    ["HC-23-001", "1007", "Granite Construction Group", "310.000,00", "N"],
    ["HC-23-001", "", "Summit Paving Co.", "320.000,00", "N"],
    ["HC-25-010", "1006", "Frontier IT Solutions, Inc.", "250.000,00", "Y"],
    ["HC-25-020", "1009", "Ironwood Engineering PLLC", "190.000,00", "Y"],
    ["HC-25-020", "1001", "Acme Paving Inc.", "205.000,00", "N"],
    ["HC-26-001", "1001", "Acme Paving Inc.", "460.000,00", "Y"],
    ["HC-26-001", "1007", "Granite Construction Group", "475.500,00", "N"],
    ["HC-26-001", "", "Summit Paving Co.", "489.250,50", "N"],
    ["HC-26-001", "", "Keystone Builders LLC", "512.000,00", "N"],
    ["HC-26-002", "1006", "Frontier IT Solutions, Inc.", "310.000,00", "Y"],
    ["HC-26-003", "1010", "Juniper Office Supply", "36.000,00", "Y"],
    ["HC-26-003", "", "Office Depot Inc.", "37.250,75", "N"],
    ["HC-26-003", "", "Staples Business Advantage", "38.900,00", "N"],
    ["HC-26-006", "1008", "Harbor Janitorial Services", "240.000,00", "Y"],
    ["HC-26-006", "", "ABM Industries", "255.000,00", "N"],
    ["HC-26-007", "1005", "Evergreen Landscaping", "140.000,00", "Y"],
    ["HC-26-007", "1001", "Acme Paving Inc.", "151.000,00", "N"],
    ["HC-26-007", "", "Greenway Grounds LLC", "149.500,00", "N"],
    ["HC-26-007", "", "Summit Paving Company", "160.000,00", "N"],
    ["HC-26-007", "1008", "Harbor Janitorial Services", "155.000,00", "N"],
    ["HC-26-009", "1002", "Blue Ridge Consulting LLC", "195.000,00", "Y"],
    ["HC-26-011", "1001", "Acme Paving Inc.", "380.000,00", "N"],
    ["HC-26-011", "1007", "Granite Construction Group", "372.500,25", "N"],
    ["HC-26-011", "", "KEYSTONE BUILDERS, L.L.C.", "399.999,99", "N"],
    ["HC-26-015", "1003", "Café Verde Catering", "22.000,00", "Y"],
    ["HC-26-015", "", "Gourmet Events Inc.", "23.400,00", "N"],
    ["HC-26-016", "1007", "Granite Construction Group", "1.150.000,00", "Y"],
    ["HC-26-017", "", "Polar Mechanical Inc.", "345.000,00", "Y"],
    ["HC-26-017", "1007", "Granite Construction Group", "362.000,00", "N"],
]
BID_FOOTER = [["Total", "", "", "8.434.301,49", ""]]

# ----------------------------------------------------------------------------------------------------------
# 3. Contracts: Oracle-style "Contract Expiration Report" workbook; real Excel dates, "$1,234.00" text money,
#    Y/N flags (one blank), a "Report Total" line.
# ----------------------------------------------------------------------------------------------------------
CTR_TITLE = ["HAND COUNTY", "Procurement Contracts - Contract Expiration Report"]
CTR_HEADER = ["Contract Number", "Contract Description", "Supplier Number", "Supplier Name", "Organization",
              "Sourcing Method", "Start Date", "End Date", "Original Contract Amount", "Current Contract Amount",
              "Amendments", "Renewal Options Remaining", "Performance Metrics (Y/N)", "Key Contract (Y/N)",
              "Date Fully Executed", "Contract Status"]
CTR_ROWS = [
    ["HC-C-2026-01", "Road resurfacing program", 1001, "Acme Paving Inc.", "Public Works", "ITB", D(2025, 11, 15),
     D(2026, 11, 14), "$460,000.00", "$483,000.00", 1, 0, "Y", "Y", D(2025, 11, 10), "Active"],
    ["HC-C-2026-02", "IT help desk services", 1006, "Frontier IT Solutions, Inc.", "Information Technology", "RFP",
     D(2026, 2, 1), D(2029, 1, 31), "$310,000.00", "$310,000.00", 0, 2, "N", "Y", D(2026, 2, 10), "Active"],
    ["HC-C-2026-03", "Janitorial services", 1008, "Harbor Janitorial Services", "Facilities", "ITB",
     D(2026, 4, 1), D(2029, 3, 31), "$240,000.00", "$240,000.00", 0, 2, "Y", "N", D(2026, 3, 25), "Active"],
    ["HC-C-2026-04", "Landscape maintenance", 1005, "Evergreen Landscaping", "Parks", "RFP", D(2026, 5, 1),
     D(2027, 4, 30), "$140,000.00", "$140,000.00", 0, 1, "Y", "Y", D(2026, 5, 15), "Active"],
    ["HC-C-2026-05", "Water main replacement", 1007, "Granite Construction Group", "Utilities", "ITB",
     D(2026, 3, 1), D(2027, 8, 31), "$1,150,000.00", "$1,265,000.00", 1, 0, "Y", "Y", D(2026, 3, 1), "Active"],
    ["HC-C-2021-07", "Janitorial services (prior)", 1008, "Harbor Janitorial Services", "Facilities", "ITB",
     D(2021, 4, 1), D(2026, 3, 31), "$300,000.00", "$360,000.00", 2, 0, "N", "Y", D(2021, 3, 20), "Expired"],
    ["HC-C-2022-03", "Fleet fuel cards", 1004, "Delta Fleet Services Co.", "Fleet", "ITB", D(2022, 10, 1),
     D(2026, 9, 30), "$100,000.00", "$100,000.00", 0, 0, "", "Y", D(2022, 9, 20), "Active"],
    ["HC-C-2023-01", "Road maintenance", 1001, "Acme Paving Inc.", "Public Works", "ITB", D(2023, 4, 1),
     D(2026, 10, 31), "$300,000.00", "$400,000.00", 2, 0, "Y", "N", D(2023, 3, 28), "Active"],
    ["HC-C-2024-02", "Park landscape services", 1005, "Evergreen Landscaping", "Parks", "RFP", D(2024, 1, 15),
     D(2026, 12, 15), "$60,000.00", "$60,000.00", 0, 1, "N", "N", D(2024, 1, 12), "Active"],
    ["HC-C-2023-09", "Tire supply", 1004, "Delta Fleet Services Co.", "Fleet", "ITB", D(2023, 9, 1),
     D(2026, 8, 31), "$60,000.00", "$60,000.00", 0, 0, "N", "N", D(2023, 8, 25), "Active"],
]
CTR_FOOTER = [["Report Total", "", "", "", "", "", "", "", "$3,120,000.00", "$3,418,000.00", 6, "", "", "", "", ""]]

# ----------------------------------------------------------------------------------------------------------
# 4. Payments: Socrata-style open checkbook CSV (UTF-8); ISO check dates, M/D/YYYY invoice-received dates,
#    "$1,234.00" and a credit "(1,250.00)", two payees by name only, an unmapped 'Fund', a 'Total' line.
# ----------------------------------------------------------------------------------------------------------
PAY_TITLE = ["Hand County Open Checkbook", "Vendor payments - data through 07/31/2026"]
PAY_HEADER = ["Check Number", "Check Date", "Vendor Number", "Payee Name", "Department Name", "Fund",
              "Contract Number", "Invoice Received", "Check Amount"]
PAY_ROWS = [  # days from receipt to payment in the comment
    # FY2025 (Jul-Sep 2025): outside FY2026 when the year starts in October
    ["40001", "2025-07-15", "1001", "Acme Paving Inc.", "Public Works", "General Fund", "HC-C-2023-01", "6/20/2025", "$50,000.00"],
    ["40002", "2025-08-20", "1004", "Delta Fleet Services Co.", "Fleet", "Fleet Fund", "HC-C-2022-03", "8/1/2025", "$20,000.00"],
    ["40003", "2025-09-30", "1002", "Blue Ridge Consulting LLC", "County Administration", "General Fund", "", "9/10/2025", "$10,000.00"],
    # FY2026 up to the as-of date (35 payments)
    ["40004", "2025-10-01", "1001", "Acme Paving Inc.", "Public Works", "General Fund", "HC-C-2023-01", "9/5/2025", "$100,000.00"],  # 26
    ["40005", "2025-10-15", "1004", "Delta Fleet Services Co.", "Fleet", "Fleet Fund", "HC-C-2022-03", "9/30/2025", "$20,000.00"],  # 15
    ["40006", "2025-10-31", "1010", "Juniper Office Supply", "Finance", "General Fund", "", "10/20/2025", "$5,000.00"],  # 11
    ["40007", "2025-11-03", "1006", "Frontier IT Solutions, Inc.", "Information Technology", "General Fund", "", "10/1/2025", "$6,000.00"],  # 33
    ["40008", "2025-11-14", "1003", "Café Verde Catering", "County Administration", "General Fund", "", "10/10/2025", "$8,000.00"],  # 35
    ["40009", "2025-12-01", "1004", "Delta Fleet Services Co.", "Fleet", "Fleet Fund", "HC-C-2023-09", "11/20/2025", "$25,000.00"],  # 11
    ["40010", "2025-12-15", "1001", "Acme Paving Inc.", "Public Works", "Capital Fund", "HC-C-2026-01", "12/1/2025", "$150,000.00"],  # 14
    ["40011", "2025-12-19", "1009", "Ironwood Engineering PLLC", "Public Works", "Capital Fund", "", "11/21/2025", "$40,000.00"],  # 28
    ["40012", "2025-12-31", "1008", "Harbor Janitorial Services", "Facilities", "General Fund", "HC-C-2021-07", "12/1/2025", "$30,000.00"],  # 30
    ["40013", "2026-01-05", "1010", "Juniper Office Supply", "Finance", "General Fund", "", "12/20/2025", "$1,500.00"],  # 16
    ["40014", "2026-01-15", "1005", "Evergreen Landscaping", "Parks", "General Fund", "HC-C-2024-02", "12/15/2025", "$12,000.00"],  # 31
    ["40015", "2026-01-20", "1004", "Delta Fleet Services Co.", "Fleet", "Fleet Fund", "HC-C-2022-03", "1/5/2026", "$20,000.00"],  # 15
    ["40016", "2026-02-01", "1004", "Delta Fleet Services Co.", "Fleet", "Fleet Fund", "HC-C-2023-09", "1/10/2026", "$25,000.00"],  # 22
    ["40017", "2026-02-13", "1006", "Frontier IT Solutions, Inc.", "Information Technology", "General Fund", "HC-C-2026-02", "2/3/2026", "$25,000.00"],  # 10
    ["40018", "2026-02-20", "1005", "Evergreen Landscaping", "Parks", "General Fund", "HC-C-2024-02", "2/10/2026", "$12,000.00"],  # 10
    ["40019", "2026-03-02", "1002", "Blue Ridge Consulting LLC", "County Administration", "General Fund", "", "", "$15,000.00"],  # no receipt date
    ["40020", "2026-03-10", "1003", "Café Verde Catering", "County Administration", "General Fund", "", "3/1/2026", "$4,000.00"],  # 9
    ["40021", "2026-03-16", "1001", "Acme Paving Inc.", "Public Works", "Capital Fund", "HC-C-2026-01", "2/20/2026", "$150,000.00"],  # 24
    ["40022", "2026-03-31", "1007", "Granite Construction Group", "Utilities", "Water Fund", "HC-C-2026-05", "3/15/2026", "$200,000.00"],  # 16
    ["40023", "2026-03-31", "1008", "Harbor Janitorial Services", "Facilities", "General Fund", "HC-C-2021-07", "3/2/2026", "$30,000.00"],  # 29
    ["40024", "2026-04-01", "1004", "Delta Fleet Services Co.", "Fleet", "Fleet Fund", "HC-C-2023-09", "3/15/2026", "$15,000.00"],  # 17
    ["40025", "2026-04-10", "1008", "Harbor Janitorial Services", "Facilities", "General Fund", "HC-C-2026-03", "4/5/2026", "$20,000.00"],  # 5
    ["40026", "2026-04-15", "1005", "Evergreen Landscaping", "Parks", "General Fund", "HC-C-2024-02", "3/1/2026", "$12,000.00"],  # 45
    ["40027", "2026-04-30", "1010", "Juniper Office Supply", "Finance", "General Fund", "", "4/28/2026", "$2,500.00"],  # 2
    ["40028", "2026-05-05", "1001", "Acme Paving Inc.", "Public Works", "Capital Fund", "HC-C-2026-01", "", "(1,250.00)"],  # credit, no receipt
    ["40029", "2026-05-11", "1009", "Ironwood Engineering PLLC", "Public Works", "Capital Fund", "", "4/1/2026", "$10,000.00"],  # 40
    ["40030", "2026-05-15", "1006", "Frontier IT Solutions, Inc.", "Information Technology", "General Fund", "HC-C-2026-02", "4/10/2026", "$25,000.00"],  # 35
    ["40031", "2026-05-20", "1007", "Granite Construction Group", "Utilities", "Water Fund", "HC-C-2026-05", "5/1/2026", "$250,000.00"],  # 19
    ["40032", "2026-05-29", "1005", "Evergreen Landscaping", "Parks", "General Fund", "HC-C-2026-04", "5/20/2026", "$10,000.00"],  # 9
    ["40033", "2026-06-01", "1004", "Delta Fleet Services Co.", "Fleet", "Fleet Fund", "HC-C-2022-03", "5/10/2026", "$20,000.00"],  # 22
    ["40034", "2026-06-10", "1003", "Café Verde Catering", "Parks", "General Fund", "", "6/1/2026", "$6,000.00"],  # 9
    ["40035", "2026-06-15", "", "BLUE RIDGE CONSULTING, L.L.C.", "County Administration", "General Fund", "", "6/1/2026", "$20,000.00"],  # 14
    ["40036", "2026-06-22", "", "CAFE VERDE CATERING LLC", "County Administration", "General Fund", "", "6/20/2026", "$3,000.00"],  # 2
    ["40037", "2026-06-30", "1001", "Acme Paving Inc.", "Public Works", "Capital Fund", "HC-C-2026-01", "5/29/2026", "$100,000.00"],  # 32
    ["40038", "2026-06-30", "1008", "Harbor Janitorial Services", "Facilities", "General Fund", "HC-C-2026-03", "6/25/2026", "$20,000.00"],  # 5
    # after the as-of date
    ["40039", "2026-07-01", "1001", "Acme Paving Inc.", "Public Works", "Capital Fund", "HC-C-2026-01", "6/20/2026", "$80,000.00"],
    ["40040", "2026-07-15", "1005", "Evergreen Landscaping", "Parks", "General Fund", "HC-C-2026-04", "7/1/2026", "$10,000.00"],
]
PAY_FOOTER = [["", "", "", "", "", "", "", "Total", "$1,560,750.00"]]

# ----------------------------------------------------------------------------------------------------------
# 5. Vendors: vendor master workbook; "MBE, WBE" certifications, Y/N small and local, one expired certificate.
# ----------------------------------------------------------------------------------------------------------
VEN_TITLE = ["Hand County Vendor Master - Certifications"]
VEN_HEADER = ["Vendor No.", "Vendor Name", "Certification Type", "Cert. Expiration", "Small Business",
              "Local Vendor", "Date Registered", "Remit City"]
VEN_ROWS = [
    [1001, "Acme Paving Inc.", "", "", "N", "Y", D(2015, 3, 2), "Hand City"],
    [1002, "Blue Ridge Consulting LLC", "MBE", "5/31/2027", "Y", "N", D(2019, 6, 11), "Columbus"],
    [1003, "Café Verde Catering", "MBE, WBE", "12/31/2026", "Y", "Y", D(2021, 1, 20), "Hand City"],
    [1004, "Delta Fleet Services Co.", "", "", "N", "N", D(2012, 7, 1), "Dayton"],
    [1005, "Evergreen Landscaping", "WBE", "9/30/2027", "Y", "Y", D(2018, 4, 15), "Hand City"],
    [1006, "Frontier IT Solutions, Inc.", "", "", "N", "N", D(2020, 2, 3), "Cincinnati"],
    [1007, "Granite Construction Group", "DBE", "1/31/2028", "N", "Y", D(2010, 5, 5), "Hand City"],
    [1008, "Harbor Janitorial Services", "SBE", "3/31/2027", "Y", "Y", D(2016, 8, 8), "Hand City"],
    [1009, "Ironwood Engineering PLLC", "MBE", "12/31/2025", "N", "N", D(2017, 9, 9), "Toledo"],
    [1010, "Juniper Office Supply", "", "", "Y", "N", D(2014, 1, 6), "Akron"],
]

# ----------------------------------------------------------------------------------------------------------
# 6. Evaluations (CSV, M/D/YYYY) and 7. market research (CSV, ISO dates).
# ----------------------------------------------------------------------------------------------------------
EVA_TITLE = ["Vendor Performance Evaluations"]
EVA_HEADER = ["Contract No.", "Vendor No.", "Evaluation Due Date", "Date Completed", "Overall Rating",
              "Overall Score (1-5)"]
EVA_ROWS = [
    ["HC-C-2022-03", "1004", "10/31/2025", "10/20/2025", "Satisfactory", "3"],
    ["HC-C-2023-01", "1001", "12/31/2025", "1/15/2026", "Needs Improvement", "2"],
    ["HC-C-2021-07", "1008", "3/31/2026", "3/31/2026", "Exceeds Expectations", "4.5"],
    ["HC-C-2024-02", "1005", "4/30/2026", "", "", ""],
    ["HC-C-2023-09", "1004", "6/15/2026", "6/10/2026", "Unsatisfactory", "1"],
    ["HC-C-2026-01", "1001", "8/15/2026", "", "", ""],
]
ENG_HEADER = ["Outreach ID", "Activity Type", "Solicitation No.", "Activity Date", "Responses", "Attendees"]
ENG_ROWS = [
    ["MR-25-014", "RFI", "HC-26-001", "2025-08-15", "6", ""],
    ["MR-26-001", "Industry Day", "HC-26-002", "2025-10-01", "", "14"],
    ["MR-26-002", "Internet Research", "HC-26-016", "2025-10-10", "", ""],
    ["MR-26-003", "Pre-Bid Conference", "HC-26-006", "2026-01-15", "", "9"],
    ["MR-26-004", "Sources Sought", "HC-26-012", "2026-04-20", "5", ""],
]


def write_exports(folder: Path) -> dict[str, Path]:
    """Hand County's seven exports, as files in `folder`: {canonical table: path}."""
    return {
        "solicitations": write_xlsx(folder / "HandCounty_BidRegister.xlsx", "Bid Register", SOL_TITLE, SOL_HEADER,
                                    SOL_ROWS, SOL_FOOTER),
        "bids": write_csv(folder / "HandCounty_BidTabulation.csv", BID_TITLE, BID_HEADER, BID_ROWS, BID_FOOTER,
                          delimiter=";", encoding="cp1252"),
        "contracts": write_xlsx(folder / "HandCounty_ContractExpiration.xlsx", "Contracts", CTR_TITLE, CTR_HEADER,
                                CTR_ROWS, CTR_FOOTER),
        "payments": write_csv(folder / "HandCounty_Checkbook.csv", PAY_TITLE, PAY_HEADER, PAY_ROWS, PAY_FOOTER),
        "vendors": write_xlsx(folder / "HandCounty_VendorMaster.xlsx", "Vendors", VEN_TITLE, VEN_HEADER, VEN_ROWS,
                              []),
        "evaluations": write_csv(folder / "HandCounty_VendorEvaluations.csv", EVA_TITLE, EVA_HEADER, EVA_ROWS, []),
        "engagements": write_csv(folder / "HandCounty_MarketResearch.csv", [], ENG_HEADER, ENG_ROWS, []),
    }


# ==========================================================================================================
# What inspect must find in each file: the table, rows read = loaded + excluded (the totals and footnote
# lines excluded and reported), every header mapped as below, money totals to the cent.
# ==========================================================================================================
INSPECT = {
    "solicitations": dict(
        rows_read=24, rows_loaded=22, rows_excluded=2,  # 22 data rows + 'Grand Total' + '* Award amounts...'
        reasons={"totals row": 1, "footnote": 1},
        mapping={"Bid #": "solicitation_id", "Bid Description": "title", "Dept": "department",
                 "Commodity Description": "category", "Solicitation Type": "method",
                 "Est. Amount": "estimated_amount", "Req. Received": "requisition_date",
                 "Date Advertised": "issue_date", "Bid Opening": "due_date", "Award Date": "award_date",
                 "Status": "status", "No. of Responses": "bids_received", "Award Amount": "awarded_amount",
                 "Awarded Vendor #": "awarded_vendor_id", "Awarded Vendor Name": "awarded_vendor_name",
                 "Protest (Y/N)": "protest_filed", "Replaces Contract #": "replaces_contract_id"},
        # 110+320+65+260+200 (history) + 500+300+40+120+250+150+90+200+180+400+600+15+8+25+1200+350 (FY2026;
        # HC-26-005 has no estimate) = $5,383,000, as the Grand Total line says; awards likewise $4,195,500.
        totals={"estimated_amount": 5_383_000.00, "awarded_amount": 4_195_500.00},
    ),
    "bids": dict(
        rows_read=31, rows_loaded=30, rows_excluded=1, reasons={"totals row": 1},
        mapping={"Event ID": "solicitation_id", "Supplier ID": "vendor_id", "Supplier Name": "vendor_name",
                 "Bid Amount": "bid_amount", "Awarded": "is_winner"},
        # sum of the 30 bids, as the Total line: 8.434.301,49
        totals={"bid_amount": 8_434_301.49},
    ),
    "contracts": dict(
        rows_read=11, rows_loaded=10, rows_excluded=1, reasons={"totals row": 1},
        mapping={"Contract Number": "contract_id", "Contract Description": "title", "Supplier Number": "vendor_id",
                 "Supplier Name": "vendor_name", "Organization": "department", "Sourcing Method": "method",
                 "Start Date": "start_date", "End Date": "end_date", "Original Contract Amount": "original_amount",
                 "Current Contract Amount": "current_amount", "Amendments": "amendment_count",
                 "Renewal Options Remaining": "renewal_options_remaining",
                 "Performance Metrics (Y/N)": "has_performance_metrics", "Key Contract (Y/N)": "is_key_contract",
                 "Date Fully Executed": "executed_date", "Contract Status": "status"},
        totals={"original_amount": 3_120_000.00, "current_amount": 3_418_000.00},
    ),
    "payments": dict(
        rows_read=41, rows_loaded=40, rows_excluded=1, reasons={"totals row": 1},
        mapping={"Check Number": "payment_id", "Check Date": "payment_date", "Vendor Number": "vendor_id",
                 "Payee Name": "vendor_name", "Department Name": "department", "Contract Number": "contract_id",
                 "Invoice Received": "invoice_received_date", "Check Amount": "amount"},
        unmapped=["Fund"],
        # FY2025 80,000 + FY2026 1,390,750 + after the as-of date 90,000 = $1,560,750 (the credit is -1,250)
        totals={"amount": 1_560_750.00}, negative=1,  # the credit of -1,250
    ),
    "vendors": dict(
        rows_read=10, rows_loaded=10, rows_excluded=0, reasons={},
        mapping={"Vendor No.": "vendor_id", "Vendor Name": "vendor_name", "Certification Type": "certifications",
                 "Cert. Expiration": "certification_expiration_date", "Small Business": "is_small",
                 "Local Vendor": "is_local", "Date Registered": "registration_date"},
        unmapped=["Remit City"],
        totals={},
    ),
    "evaluations": dict(
        rows_read=6, rows_loaded=6, rows_excluded=0, reasons={},
        mapping={"Contract No.": "contract_id", "Vendor No.": "vendor_id", "Evaluation Due Date": "due_date",
                 "Date Completed": "completed_date", "Overall Rating": "rating", "Overall Score (1-5)": "score"},
        totals={},
    ),
    "engagements": dict(
        rows_read=5, rows_loaded=5, rows_excluded=0, reasons={},
        mapping={"Outreach ID": "engagement_id", "Activity Type": "type", "Solicitation No.": "solicitation_id",
                 "Activity Date": "engagement_date", "Responses": "responses", "Attendees": "attendees"},
        totals={},
    ),
}

# ==========================================================================================================
# The KPIs for FY2026 (October start) as of 30 Jun 2026, worked out by hand: (value, n, status).
# Goals are the registry defaults of DESIGN.md (target / at-risk limit, both inclusive).
#
# FY2026 awards (award date 1 Oct 2025 - 30 Jun 2026): HC-26-001, -002, -003, -004, -005, -006, -007, -009,
# -010, -013, -014, -015, -016 = 13 awards, $2,950,500 in all (460,000 + 310,000 + 36,000 + 120,000 + 80,000 +
# 240,000 + 140,000 + 195,000 + 175,000 + 15,000 + 7,500 + 22,000 + 1,150,000). HC-25-020 (awarded 15 Aug 2025)
# is FY2025; HC-26-017 (awarded 20 Jul 2026) is after the as-of date.
# Competitive solicitations whose bids were due in FY2026 by 30 Jun 2026 (docs/kpis.md: dated by the bid
# opening): HC-26-001 (4 bids), -002 (1), -003 (3), -006 (2), -007 (5), -008 (0), -009 (1), -011 (3), -015 (2),
# -016 (1), -017 (2) = 11 solicitations, 24 bids; HC-26-012 (due 15 Jul 2026) is not yet due.
# FY2026 payments up to 30 Jun 2026: checks 40004-40038 = 35 payments, $1,390,750 (net of the 1,250 credit).
# ==========================================================================================================
EXPECTED = {
    # --- leadership scorecard -------------------------------------------------------------------------
    # issue->award days of the 8 FY2026 awards with an issue date: 60 (-001), 90 (-002), 21 (-003), 60 (-006),
    # 70 (-007), 80 (-009), 23 (-015), 91 (-016); sorted 21 23 60 60 | 70 80 90 91 -> median (60+70)/2 = 65;
    # 65 > 60 target, <= 90 -> at risk. (-004, -005, -010, -013, -014 were never advertised: no issue date.)
    "procurement_lead_time_days": (65.0, 8, "at_risk"),
    # requisition->award days of the 12 FY2026 awards with a requisition date (-003 has none): 92, 120, 30, 2,
    # 95, 88, 109, 18, 10, 7, 30, 124; sorted 2 7 10 18 30 30 | 88 92 95 109 120 124 -> (30+88)/2 = 59 <= 90.
    "requisition_to_award_days": (59.0, 12, "met"),
    # contracts starting in FY2026: -01 (signed 5 days before start), -02 (9 days after), -03 (before), -04
    # (14 days after), -05 (signed on its start date: not late) -> 2 of 5 = 0.4 > 20% limit.
    "late_contract_share": (0.4, 5, "missed"),
    # 24 bids over 11 competitive solicitations = 2.18; >= 2.0 at-risk limit, < 3.0 target.
    "bids_per_solicitation": (24 / 11, 11, "at_risk"),
    # one bid: -002, -009, -016 -> 3 of 11 = 27% > 20%.
    "single_bid_share": (3 / 11, 11, "missed"),
    # sole source 120,000 (-004) + emergency 80,000 (-005) + exempt 15,000 (-013) = 215,000 of 2,950,500 = 7.3%.
    "noncompetitive_share": (215_000 / 2_950_500, 13, "at_risk"),
    # awarded vendors with an award in FY2023-FY2025 (Oct-Sep years): Acme (HC-23-001, Mar 2023 = FY2023),
    # Evergreen (HC-24-003, FY2024), Frontier (HC-25-010, Aug 2025 = FY2025). Delta's last award (HC-22-005,
    # Aug 2022) is FY2022, four years back. Not first-time: -001 Acme, -002 and -004 Frontier, -007 Evergreen;
    # first-time: the other 9 of 13 (a vendor's second FY2026 award still counts: the look-back is the
    # previous fiscal years) -> 9/13 = 69% >= 20%.
    "first_time_vendor_share": (9 / 13, 13, "met"),
    # M/WBE payments: Blue Ridge 15,000 + 20,000 (by name 'BLUE RIDGE CONSULTING, L.L.C.') = 35,000; Café Verde
    # 8,000 + 4,000 + 6,000 + 3,000 (by name 'CAFE VERDE CATERING LLC', unaccented) = 21,000; Evergreen 12,000 x 3
    # + 10,000 = 46,000; Ironwood 40,000 on 19 Dec 2025 (certified until 31 Dec 2025; its 10,000 in May 2026 is
    # after expiry, docs/kpis.md) -> 142,000 / 1,390,750 = 10.2% < 15%.
    "mwbe_spend_share": (142_000 / 1_390_750, 35, "missed"),
    # contracts ending 1 Jul - 27 Dec 2026 (180 days): HC-C-2026-01 (14 Nov, no options, no replacement:
    # counts), HC-C-2022-03 (30 Sep, counts), HC-C-2023-09 (31 Aug; its replacement HC-26-008 was cancelled:
    # counts), HC-C-2023-01 (31 Oct; replacement HC-26-011 under way: not), HC-C-2024-02 (15 Dec; 1 renewal
    # option: not) -> 3 of n = 5 (docs/kpis.md: n = contracts ending in the window); 3 <= 3 -> at risk.
    "expiring_without_replacement": (3.0, 5, "at_risk"),
    # key contracts active on 30 Jun 2026: -2026-01 (metrics Y), -2026-02 (N), -2026-04 (Y), -2026-05 (Y),
    # -2022-03 (blank: none); HC-C-2021-07 ended 31 Mar 2026 -> 3 of 5 = 60% < 80%.
    "contracts_with_metrics_share": (0.6, 5, "missed"),
    # evaluations due 1 Oct 2025 - 30 Jun 2026: on time 20 Oct (due 31 Oct), 31 Mar (on the due date), 10 Jun
    # (due 15 Jun); late 15 Jan (due 31 Dec); never done (due 30 Apr) -> 3 of 5 = 60%; the one due 15 Aug 2026
    # is not yet due.
    "evaluation_completion_rate": (0.6, 5, "missed"),
    # 35 FY2026 payments, 2 without a receipt date (40019, the 40028 credit) -> 33; over 30 days: 40007 (33),
    # 40008 (35), 40014 (31), 40026 (45), 40029 (40), 40030 (35), 40037 (32) -> 26 of 33 = 78.8% < 80%
    # (40012, 30 days, is on time).
    "on_time_payment_share": (26 / 33, 33, "missed"),
    # $100,000+ solicitations dated in FY2026 (issue date, else award date: docs/kpis.md): -002, -004, -006,
    # -007, -009, -010, -011, -012, -016, -017 = 10 (-001 was issued 2 Sep 2025, FY2025); engaged before issue:
    # -002 (industry day 1 Oct, issued 15 Oct), -012 (sources sought 20 Apr, issued 15 May); not counted:
    # -016's internet research (desk research), -006's pre-bid conference (after issue) -> 2/10 = 20% < 25%.
    "engagement_share": (0.2, 10, "missed"),
    # the county exports no check-in log and no contract metrics or results: no data (naming the tables to
    # import), never a zero.
    "quarterly_checkin_rate": (None, 0, "no_data"),
    "offtrack_key_contract_share": (None, 0, "no_data"),
    # --- the other KPIs -------------------------------------------------------------------------------
    # within the cycle goal for method and value band (docs/kpis.md table): -001 IFB $460k 92 > 90 no; -002 RFP
    # $310k 120 <= 120 yes; -004 sole source $120k 30 <= 60 yes; -005 emergency $80k 2 <= 7 yes; -006 IFB $240k
    # 95 > 90 no; -007 RFP 88 <= 120 yes; -009 RFP 109 <= 120 yes; -010 cooperative $175k 18 <= 45 yes; -013
    # exempt $15k 10 <= 30 yes; -014 small purchase 7 <= 15 yes; -015 RFQ $22k 30 <= 30 yes; -016 IFB $1.15M
    # 124 > 120 no -> 9 of 12 = 75%: >= 70%, < 80%.
    "within_cycle_goal_share": (0.75, 12, "at_risk"),
    # bid opening->award of the 8 awards with a due date: 30, 60, 7, 30, 40, 50, 9, 61; sorted 7 9 30 30 | 40
    # 50 60 61 -> (30+40)/2 = 35 <= 60.
    "decision_days": (35.0, 8, "met"),
    # no bid: -008 -> 1/11 = 9.1%: > 5%, <= 10%.
    "no_bid_share": (1 / 11, 11, "at_risk"),
    # emergency 80,000 / 2,950,500 = 2.7%: > 2%, <= 5%.
    "emergency_share": (80_000 / 2_950_500, 13, "at_risk"),
    # issued in FY2026 with a status: -002, -003, -006, -007, -008, -009, -011, -012, -015, -016, -017 = 11
    # (never-advertised awards have no issue date: excluded, docs/kpis.md); 'Canceled - No Bids Received' (-008)
    # -> 1/11 = 9.1%: > 5%, <= 10%.
    "cancelled_solicitation_share": (1 / 11, 11, "at_risk"),
    # distinct bidders on the 11 solicitations (24 bids): Acme, Granite, Summit Paving (Co. = Company), Keystone
    # Builders (LLC = L.L.C.), Frontier, Juniper, Office Depot, Staples, Harbor, ABM, Evergreen, Greenway, Blue
    # Ridge, Café Verde, Gourmet Events, Polar Mechanical = 16; no default goal. n = bids (docs/kpis.md).
    "active_bidder_count": (16.0, 24, "no_goal"),
    # protested: -002 of 13 awards = 7.7% > 5%.
    "protest_rate": (1 / 13, 13, "missed"),
    # awards to M/WBE firms: Evergreen 140,000 (-007) + Blue Ridge 195,000 (-009) + Café Verde 22,000 (-015) =
    # 357,000 / 2,950,500 = 12.1% < 15%.
    "mwbe_award_share": (357_000 / 2_950_500, 13, "missed"),
    # small vendors: Blue Ridge 35,000 + Café Verde 21,000 + Evergreen 46,000 + Harbor 100,000 + Juniper 9,000 =
    # 211,000 / 1,390,750 = 15.2% < 18%.
    "small_business_share": (211_000 / 1_390_750, 35, "missed"),
    # local vendors: Acme 498,750 (100,000 + 150,000 + 150,000 - 1,250 + 100,000) + Café Verde 21,000 + Evergreen
    # 46,000 + Granite 450,000 + Harbor 100,000 = 1,115,750 / 1,390,750 = 80.2% >= 40%.
    "local_spend_share": (1_115_750 / 1_390_750, 35, "met"),
    # bids from certified firms (any certification, valid on the bid date): Granite on -001, -011, -016, -017
    # (DBE), Harbor on -006 and -007 (SBE), Evergreen on -007 (WBE), Blue Ridge on -009 (MBE), Café Verde on
    # -015 -> 9 of 24 = 37.5% >= 25%.
    "diverse_bid_share": (9 / 24, 24, "met"),
    # payments without a contract number: 5,000 + 6,000 + 8,000 + 40,000 + 1,500 + 15,000 + 4,000 + 2,500 +
    # 10,000 + 6,000 + 20,000 + 3,000 = 121,000 -> (1,390,750 - 121,000) / 1,390,750 = 91.3% >= 80%.
    "spend_under_contract_share": (1_269_750 / 1_390_750, 35, "met"),
    # competitive FY2026 awards, estimate vs award ($k): 500/460, 300/310, 40/36, 250/240, 150/140, 200/195,
    # 25/22, 1200/1150 -> (2,665,000 - 2,553,000) / 2,665,000 = 4.2%: >= 0%, < 5%.
    "savings_rate": (112_000 / 2_665_000, 8, "at_risk"),
    # cooperative 175,000 / 2,950,500 = 5.9%: >= 5%, < 10%.
    "cooperative_share": (175_000 / 2_950_500, 13, "at_risk"),
    # completed in FY2026 (by completion date): Satisfactory, Needs Improvement (low), Exceeds Expectations,
    # Unsatisfactory (low) -> 2/4 = 50% > 10%.
    "low_performance_share": (0.5, 4, "missed"),
    # contracts starting in FY2026 whose vendor held an earlier contract: -01 Acme (HC-C-2023-01), -03 Harbor
    # (HC-C-2021-07), -04 Evergreen (HC-C-2024-02); -02 Frontier and -05 Granite are their vendors' first.
    # Evaluated in the 365 days up to the start: Harbor's HC-C-2021-07 on 31 Mar 2026, the day before -03's
    # 1 Apr start (yes); Acme's 15 Jan 2026 evaluation is after -01's 15 Nov 2025 start (no); Evergreen's was
    # never completed (no) -> 1/3 < 75%.
    "repeat_awards_with_evaluation_share": (1 / 3, 3, "missed"),
    # contracts starting in FY2026: (483,000 - 460,000) + (1,265,000 - 1,150,000) = 138,000 over original
    # 460,000 + 310,000 + 240,000 + 140,000 + 1,150,000 = 2,300,000 -> 6%: > 5%, <= 10%.
    "cost_growth": (0.06, 5, "at_risk"),
    # HC-C-2023-09 ($60,000) paid 25,000 + 25,000 + 15,000: crosses on 1 Apr 2026; the other 9 contracts with
    # payments stay within (e.g. HC-C-2026-01: 398,750 of 483,000 by 30 Jun) -> 1; n = the 10 contracts with
    # payments, each placed by its crossing or last payment (docs/kpis.md), all in FY2026; 1 <= 1 -> at risk.
    "overspent_contracts": (1.0, 10, "at_risk"),
    # the 33 receipt->payment durations sorted: 2 2 5 5 9 9 9 10 10 11 11 14 14 15 15 16 [16] 17 19 22 22 24 26
    # 28 29 30 31 32 33 35 35 40 45 -> 17th = 16 days <= 30.
    "days_to_pay": (16.0, 33, "met"),
    # within Construction (docs/kpis.md: same category, weighted by solicitations): engaged -001 4 bids; not
    # engaged -011 3, -016 1, -017 2 (mean 2) -> +2 over 4 solicitations; IT has only the engaged -002 and the
    # other categories no engaged solicitation -> 2.0 bids; no default goal.
    "engagement_bid_lift": (2.0, 4, "no_goal"),
}
# Every loaded row has its key fields (solicitations: id, method, title, department; contracts: id, title,
# department, vendor, method, start, amount; payments: date, amount, vendor, department; ...): 100%. The five
# solicitations with no issue date (sole source, emergency, cooperative, exempt, small purchase) were never
# advertised: a blank issue date is not a missing field. n is left out.
EXPECTED_VALUE_ONLY = {"field_completeness": (1.0, "met")}

# By fiscal quarter (--grain quarter; October year: Q1 = Oct-Dec 2025, Q2 = Jan-Mar 2026, Q3 = Apr-Jun 2026).
EXPECTED_QUARTERS = {
    # receipt->payment of the dated payments: Q1 26 15 11 33 35 11 14 28 30 -> 7 of 9 within 30 days; Q2 16 31
    # 15 22 10 10 9 24 16 29 -> 9 of 10; Q3 17 5 45 2 40 35 19 9 22 9 14 2 32 5 -> 10 of 14 (26 of 33 in all).
    "on_time_payment_share": {"FY2026 Q1": (7 / 9, 9), "FY2026 Q2": (9 / 10, 10), "FY2026 Q3": (10 / 14, 14)},
    # awards by quarter: Q1 -001 60, -003 21, -015 23 -> 23; Q2 -002 90, -016 91, -006 60 -> 90; Q3 -007 70,
    # -009 80 -> 75.
    "procurement_lead_time_days": {"FY2026 Q1": (23.0, 3), "FY2026 Q2": (90.0, 3), "FY2026 Q3": (75.0, 2)},
    # at each quarter's end (Q3: the as-of date), contracts ending in the next 180 days: on 31 Dec 2025 only
    # HC-C-2021-07 (31 Mar), whose replacement HC-26-006 was under way (*doc*: started by its requisition of
    # 1 Dec) -> 0 of 1; on 31 Mar 2026 (window to 27 Sep) only HC-C-2023-09 (31 Aug, replacement cancelled)
    # -> 1 of 1; on 30 Jun 2026 as above -> 3 of 5.
    "expiring_without_replacement": {"FY2026 Q1": (0.0, 1), "FY2026 Q2": (1.0, 1), "FY2026 Q3": (3.0, 5)},
}

# ==========================================================================================================
# The same workspace reported with a July fiscal year (--fy-start-month 7): FY2026 = 1 Jul 2025 - 30 Jun 2026,
# complete at the as-of date. Against the October year this adds July-September 2025: the awards HC-25-020
# (15 Aug 2025, RFP, $190,000, Ironwood: MBE until 31 Dec 2025) and HC-25-010 (20 Aug 2025, RFP, $250,000,
# Frontier) -> 15 awards, $3,390,500; HC-25-020's bids (due 2 Jul 2025, 2) -> 12 competitive solicitations,
# 26 bids; HC-26-001 (issued 2 Sep 2025) for issue-dated KPIs; checks 40001-40003 (Acme 50,000 paid 25 days
# after receipt, Delta 20,000 / 19 days, Blue Ridge 10,000 / 20 days, no contract) -> 38 payments,
# $1,470,750. Contracts, evaluations and the snapshot date (30 Jun 2026) are unchanged.
# ==========================================================================================================
EXPECTED_JULY = {
    # + 74 (HC-25-020) and 111 (HC-25-010): 21 23 60 60 70 | 74 80 90 91 111 -> (70+74)/2 = 72.
    "procurement_lead_time_days": (72.0, 10, "at_risk"),
    # + 106 and 141: 2 7 10 18 30 30 88 | 92 95 106 109 120 124 141 -> (88+92)/2 = 90, the target (inclusive).
    "requisition_to_award_days": (90.0, 14, "met"),
    "late_contract_share": (0.4, 5, "missed"),  # the same five contracts start in Jul 2025 - Jun 2026
    "bids_per_solicitation": (26 / 12, 12, "at_risk"),  # 24 + 2 bids over 11 + 1 solicitations = 2.17
    "single_bid_share": (3 / 12, 12, "missed"),  # HC-25-020 had two bids: 3 of 12
    "noncompetitive_share": (215_000 / 3_390_500, 15, "at_risk"),  # 6.3%
    # Delta's HC-22-005 (Aug 2022) is now FY2023, inside the look-back: -005 and -010 are not first-time;
    # Frontier's HC-25-010 and -002 fall in the same FY2026, so Frontier is new -> not new: -001 Acme, -005 and
    # -010 Delta, -007 Evergreen -> 11/15.
    "first_time_vendor_share": (11 / 15, 15, "met"),
    "mwbe_spend_share": (152_000 / 1_470_750, 38, "missed"),  # + Blue Ridge 10,000 -> 10.3%
    "expiring_without_replacement": (3.0, 5, "at_risk"),
    "contracts_with_metrics_share": (0.6, 5, "missed"),
    "evaluation_completion_rate": (0.6, 5, "missed"),
    "quarterly_checkin_rate": (None, 0, "no_data"),
    "offtrack_key_contract_share": (None, 0, "no_data"),
    "repeat_awards_with_evaluation_share": (1 / 3, 3, "missed"),  # the same five contracts start in the year
    "on_time_payment_share": (29 / 36, 36, "at_risk"),  # + 3 on time: 29 of 36 = 80.6%, at least the 80% limit
    "engagement_share": (3 / 11, 11, "at_risk"),  # + HC-26-001 ($500,000, RFI on 15 Aug before 2 Sep) -> 27%
    # + HC-25-020 RFP $190k 106 <= 120 yes, HC-25-010 RFP $250k 141 > 120 no -> 10/14 = 71%.
    "within_cycle_goal_share": (10 / 14, 14, "at_risk"),
    # + 44 and 79: 7 9 30 30 40 | 44 50 60 61 79 -> 42.
    "decision_days": (42.0, 10, "met"),
    "no_bid_share": (1 / 12, 12, "at_risk"),
    "emergency_share": (80_000 / 3_390_500, 15, "at_risk"),
    "cancelled_solicitation_share": (1 / 12, 12, "at_risk"),  # + HC-26-001 (awarded) issued in the year
    "active_bidder_count": (17.0, 26, "no_goal"),  # + Ironwood (HC-25-020); Acme already counted
    "protest_rate": (1 / 15, 15, "missed"),
    # + Ironwood's 190,000 (MBE on the award date) -> 547,000 / 3,390,500 = 16.1%: >= 15%, < 25%.
    "mwbe_award_share": (547_000 / 3_390_500, 15, "at_risk"),
    "small_business_share": (221_000 / 1_470_750, 38, "missed"),  # + Blue Ridge 10,000
    "local_spend_share": (1_165_750 / 1_470_750, 38, "met"),  # + Acme 50,000
    "diverse_bid_share": (10 / 26, 26, "met"),  # + Ironwood's bid on 2 Jul 2025 (MBE then)
    "spend_under_contract_share": (1_339_750 / 1_470_750, 38, "met"),  # + 50,000 + 20,000 under contracts
    # + 200k/190k and 260k/250k: (3,125,000 - 2,993,000) / 3,125,000 = 4.2%.
    "savings_rate": (132_000 / 3_125_000, 10, "at_risk"),
    "cooperative_share": (175_000 / 3_390_500, 15, "at_risk"),
    "low_performance_share": (0.5, 4, "missed"),
    "cost_growth": (0.06, 5, "at_risk"),
    "overspent_contracts": (1.0, 10, "at_risk"),
    # + 25, 19, 20: 36 durations, 18th and 19th sorted are 17 and 19 -> 18 days.
    "days_to_pay": (18.0, 36, "met"),
    # HC-25-020 is Professional Services, where nothing was engaged: Construction alone, as before.
    "engagement_bid_lift": (2.0, 4, "no_goal"),
}


# ==========================================================================================================


def _run(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """The exports written, inspected, imported into a workspace with an October fiscal year, and reported."""
    folder = tmp_path_factory.mktemp("hand_county")
    files = write_exports(folder)
    ws_dir = folder / "workspace"
    from storage.workspace import Workspace

    Workspace(ws_dir).set_settings(fiscal_year_start_month=FY_START_MONTH)
    # Inspections and imports run side by side (the workspace makes concurrent writers take turns).
    with ThreadPoolExecutor(max_workers=4) as pool:
        inspecting = {t: pool.submit(_run, "-m", "loaders", "inspect", str(p), "--json") for t, p in files.items()}
        importing = {t: pool.submit(_run, "-m", "loaders", "import", str(p), "--table", t, "--workspace", str(ws_dir))
                     for t, p in files.items()}
        inspected = {t: f.result() for t, f in inspecting.items()}
        imports = {t: f.result() for t, f in importing.items()}
    base = ("-m", "kpi", "report", "--workspace", str(ws_dir), "--fy", str(FY), "--as-of", AS_OF, "--json")
    with ThreadPoolExecutor(max_workers=3) as pool:
        report, july, quarters = pool.map(lambda extra: _run(*base, *extra),
                                          [(), ("--fy-start-month", "7"), ("--grain", "quarter")])
    return {"files": files, "inspected": inspected, "imports": imports, "report": report, "july": july,
            "quarters": quarters, "workspace": ws_dir}


@pytest.mark.parametrize("table", list(INSPECT))
def test_inspect_finds_table_rows_and_totals(county, table):
    res = county["inspected"][table]
    assert res.returncode == 0, res.stderr
    [part] = json.loads(res.stdout)["parts"]
    want = INSPECT[table]
    assert part["table"] == table
    assert (part["rows_read"], part["rows_loaded"], part["rows_excluded"]) == \
        (want["rows_read"], want["rows_loaded"], want["rows_excluded"])
    assert part["rows_read"] == part["rows_loaded"] + part["rows_excluded"]
    excluded = {k.removeprefix("excluded: "): v for k, v in part["issue_counts"].items() if k.startswith("excluded: ")}
    assert excluded == want["reasons"]
    assert {k: v for k, v in part["mapping"].items()} == want["mapping"]
    assert sorted(part["unmapped_columns"]) == sorted(want.get("unmapped", []))
    assert part["amount_totals"] == pytest.approx(want["totals"], abs=0.001)
    # Only the totals/footnote exclusions and the title lines above the header (each reported, never silently
    # dropped): every value of these exports is readable.
    titles = {"solicitations": SOL_TITLE, "bids": BID_TITLE, "contracts": CTR_TITLE, "payments": PAY_TITLE,
              "vendors": VEN_TITLE, "evaluations": EVA_TITLE, "engagements": []}[table]
    assert part["rows_above_header"]["count"] == len(titles)
    assert [r["value"] for r in part["rows_above_header"]["rows"]] == [" ".join(t.split()) for t in titles[:5]]
    others = {k: v for k, v in part["issue_counts"].items()
              if not k.startswith("excluded: ") and k != "row above the header (a title or note, not data)"}
    # Negative amounts (voids, refunds) load and are flagged for review, one issue each.
    negative = others.pop("negative amount (a credit, refund or void?)", 0)
    assert negative == want.get("negative", 0)
    assert others == {}


def test_imports_load_every_row(county):
    for table, res in county["imports"].items():
        assert res.returncode == 0, f"{table}: {res.stderr}"
        want = INSPECT[table]
        assert f"{want['rows_loaded']:,} rows loaded, {want['rows_excluded']:,} excluded of {want['rows_read']:,} read" \
            in res.stdout, res.stdout


def test_windows_1252_names_and_decimal_commas_survive(county):
    from storage.workspace import Workspace

    ws = Workspace(county["workspace"])
    bids = ws.table("bids")
    assert "Café Verde Catering" in set(bids["vendor_name"])
    assert bids.loc[bids["vendor_name"] == "KEYSTONE BUILDERS, L.L.C.", "bid_amount"].item() == 399_999.99
    sol = ws.table("solicitations").set_index("solicitation_id")
    assert sol.loc["HC-26-016", "awarded_amount"] == 1_150_000.0 and sol.loc["HC-26-010", "method"] == "cooperative"
    assert sol.loc["HC-26-016", "award_date"] == pd.Timestamp("2026-02-02")
    assert sol.loc["HC-22-005", "award_date"] == pd.Timestamp("2022-08-10")
    pay = ws.table("payments").set_index("payment_id")
    assert pay.loc["40028", "amount"] == -1_250.0
    vend = ws.table("vendors").set_index("vendor_id")
    assert bool(vend.loc["1003", "is_mbe"]) and bool(vend.loc["1003", "is_wbe"]) and not bool(vend.loc["1001", "is_mbe"])
    assert ws.settings()["fiscal_year_start_month"] == 10


def _kpis(res: subprocess.CompletedProcess, start_month: int) -> dict[str, dict]:
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["fiscal_year"] == FY and data["fiscal_year_start_month"] == start_month and data["as_of"] == AS_OF
    return {k["id"]: k for k in data["kpis"]}


@pytest.fixture(scope="module")
def report(county):
    """The report with the workspace's own setting (October)."""
    return _kpis(county["report"], FY_START_MONTH)


@pytest.fixture(scope="module")
def july(county):
    return _kpis(county["july"], 7)


def test_every_scorecard_kpi_has_a_hand_worked_value():
    import kpi

    assert set(kpi.SCORECARD) <= set(EXPECTED)
    assert set(EXPECTED) | set(EXPECTED_VALUE_ONLY) == set(kpi.KPIS)
    assert set(EXPECTED_JULY) == set(EXPECTED)


@pytest.mark.parametrize("kpi_id", list(EXPECTED))
def test_kpi_value_n_and_status(report, kpi_id):
    value, n, status = EXPECTED[kpi_id]
    got = report[kpi_id]
    assert (got["value"], got["n"], got["status"]) == (_approx(value), n, status), got["summary"]


def _approx(value):
    """A hand-worked value to 1e-9; None (no data) exactly."""
    return None if value is None else pytest.approx(value, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("kpi_id", list(EXPECTED_VALUE_ONLY))
def test_kpi_value_and_status(report, kpi_id):
    value, status = EXPECTED_VALUE_ONLY[kpi_id]
    got = report[kpi_id]
    assert (got["value"], got["status"]) == (pytest.approx(value, rel=1e-9), status), got["summary"]


@pytest.mark.parametrize("kpi_id", list(EXPECTED_JULY))
def test_kpi_value_n_and_status_july_year(july, kpi_id):
    value, n, status = EXPECTED_JULY[kpi_id]
    got = july[kpi_id]
    assert (got["value"], got["n"], got["status"]) == (_approx(value), n, status), got["summary"]
    assert got["partial"] is False  # FY2026 ends on the as-of date


@pytest.mark.parametrize("kpi_id", list(EXPECTED_QUARTERS))
def test_kpi_by_fiscal_quarter(county, kpi_id):
    got = _kpis(county["quarters"], FY_START_MONTH)[kpi_id]
    periods = {p["period"]: (p["value"], p["n"]) for p in got["periods"]}
    for label, (value, n) in EXPECTED_QUARTERS[kpi_id].items():
        assert periods.get(label) == (pytest.approx(value, rel=1e-9), n), (label, got["periods"])
    assert got["value"] == pytest.approx(EXPECTED[kpi_id][0])  # the value is still the fiscal year's


def test_bid_counts_from_the_bid_tabulation_when_the_register_has_none(county):
    """A register without 'No. of Responses': the bid tabulation's distinct bidders give the same counts (its
    30 rows match the register's counts for every FY2026 solicitation; HC-26-008 has no rows: 0 bids)."""
    from kpi.cli import report_data
    from storage.workspace import Workspace

    ws = Workspace(county["workspace"])
    tables = {name: ws.table(name) for name in ws.tables()}
    tables["solicitations"] = tables["solicitations"].drop(columns="bids_received")
    got = {k["id"]: k for k in report_data(tables, fiscal_year=FY, fy_start_month=FY_START_MONTH,
                                           as_of=AS_OF)["kpis"]}
    for kpi_id in ("bids_per_solicitation", "single_bid_share", "no_bid_share", "engagement_bid_lift"):
        value, n, status = EXPECTED[kpi_id]
        assert (got[kpi_id]["value"], got[kpi_id]["n"], got[kpi_id]["status"]) == \
            (pytest.approx(value, rel=1e-9), n, status), kpi_id


def test_one_workbook_with_a_sheet_per_table(tmp_path):
    """The seven exports as sheets of one workbook, imported with `--table T` (no sheet named): the import
    takes its own sheet only and skips the six others, which are clearly other tables (before the fix every
    sheet was forced into T: bids, contracts and outreach rows became solicitations)."""
    from loaders import import_file
    from storage.workspace import Workspace

    book = write_workbook(tmp_path / "HandCounty_AllTables.xlsx", {
        "Solicitations": (SOL_TITLE, SOL_HEADER, SOL_ROWS, SOL_FOOTER), "Bids": ([], BID_HEADER, BID_ROWS, []),
        "Contracts": (CTR_TITLE, CTR_HEADER, CTR_ROWS, CTR_FOOTER), "Payments": (PAY_TITLE, PAY_HEADER, PAY_ROWS,
                                                                                 PAY_FOOTER),
        "Vendors": ([], VEN_HEADER, VEN_ROWS, []), "Evaluations": ([], EVA_HEADER, EVA_ROWS, []),
        "Engagements": ([], ENG_HEADER, ENG_ROWS, [])})
    ws = Workspace(tmp_path / "ws")
    for table in ("solicitations", "payments"):
        results = import_file(book, ws, table=table)
        done = [(r.part.sheet, r.table) for r in results if r.imported]
        assert done == [(table.title(), table)], [(r.part.sheet, r.table, r.skipped) for r in results]
        assert all(r.skipped.startswith("looks like ") for r in results if not r.imported)
    rows = {t: len(ws.table(t)) for t in ws.tables()}
    assert {t: n for t, n in rows.items() if n} == {"solicitations": 22, "payments": 40}
