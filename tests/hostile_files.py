"""Hostile exports as offices really send them, each with the counts a person works out by reading it.

Every fixture is a function writing one file into a folder and returning (path, expected): `expected` says, by
hand, how many lines the file has, which is the header, how many lines are above it or blank, how many rows
load and how many are excluded (and why), and the money total of the loaded rows.
"""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment


def cr_only_ragged_csv(folder: Path) -> tuple[Path, dict]:
    """An old-Mac export: CR line endings, a short row, a long row, a blank line, doubled quotes, a totals line."""
    lines = [
        "Check Number,Check Date,Vendor Name,Amount,Department",           # 1 header
        '10001,07/01/2024,ACME PAVING INC,"1,250.00",Public Works',        # 2
        '10002,07/02/2024,"Smith, John",300.50',                            # 3 short: no department
        "10003,07/03/2024,Office Depot,45.99,Finance,see memo",            # 4 long: a sixth cell
        "",                                                                 # 5 blank
        '10004,07/05/2024,"Bolt ""Fast"" Electric",980.00,Parks',          # 6
        "'10005,07/08/2024,City Lumber,12.00,Public Works",               # 7 a quote mark opening an id
        ",,Total,2588.49,",                                                 # 8 totals line
    ]
    path = folder / "checks_mac.csv"
    path.write_bytes("\r".join(lines).encode("utf-8") + b"\r")
    return path, dict(lines=8, header_row=1, above=0, blank=1, loaded=5, excluded=1, table="payments",
                      reasons={"totals row": 1}, total=1250.00 + 300.50 + 45.99 + 980.00 + 12.00)


VENDORS = ["ACME PAVING", "CITY LUMBER", "OFFICE DEPOT", "BOLT ELECTRIC", "GREEN LAWN CO", "METRO WATER",
           "SUNRISE FUEL"]


def _checkbook_line(i: int) -> str:
    day = dt.date(2024, 7, 1) + dt.timedelta(days=i)
    return f"{day:%m/%d/%Y},{VENDORS[i % 7]},{100 + i * 13.37:.2f},PW-{i % 4}"


# The user's names for a headerless checkbook's columns (the mapping step).
CHECKBOOK_MAPPING = {"Column 1": "payment_date", "Column 2": "vendor_name", "Column 3": "amount",
                     "Column 4": "department"}


def headerless_checkbook(folder: Path) -> tuple[Path, dict]:
    """A checkbook with no header row: 50 lines of date, payee, amount, fund; every line is a payment."""
    path = folder / "checkbook_2024.csv"
    path.write_text("\n".join(_checkbook_line(i) for i in range(50)) + "\n", encoding="utf-8")
    # 100 + 13.37 i over i = 0..49: 50 x 100 + 13.37 x 1,225
    return path, dict(lines=50, header_row=0, above=0, blank=0, loaded=50, excluded=0, table="payments",
                      reasons={}, total=21_378.25, mapping=CHECKBOOK_MAPPING)


def headerless_row_40_headerish(folder: Path) -> tuple[Path, dict]:
    """A headerless checkbook whose line 40 is all words (a pending payment): it is data, not the header."""
    lines = [_checkbook_line(i) for i in range(60)]
    lines[39] = "PENDING,ACME CONSULTING GROUP,TBD,Public Works"
    path = folder / "checkbook_pending.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    total = 100 * 59 + 13.37 * (sum(range(60)) - 39)
    return path, dict(lines=60, header_row=0, above=0, blank=0, loaded=59, excluded=1, table="payments",
                      reasons={"missing payment_date": 1}, total=round(total, 2), mapping=CHECKBOOK_MAPPING)


def header_then_headerish_row_40(folder: Path) -> tuple[Path, dict]:
    """A header on line 1, and on line 40 a second report's header pasted below: line 1 stays the header."""
    lines = ["Check Date,Payee,Amount,Fund"] + [_checkbook_line(i) for i in range(58)]
    lines.insert(39, "Date Paid,Vendor Name,Amount Paid,Fund Code")
    path = folder / "checkbook_pasted.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, dict(lines=60, header_row=1, above=0, blank=0, loaded=58, excluded=1, table="payments",
                      total=round(100 * 58 + 13.37 * sum(range(58)), 2))


def utf16_tsv(folder: Path) -> tuple[Path, dict]:
    """Excel's 'Unicode Text': UTF-16 with a BOM, tabs, CRLF, a title line and a blank line over the header."""
    lines = ["Vendor payments FY2024", "", "Payment ID\tPayment Date\tSupplier\tNet Amount",
             "P-1\t2024-07-01\tCafé Verde\t1200.00", "P-2\t2024-07-02\tJosé Ortiz\t-75.00",
             "P-3\t2024-07-03\tÜber Sign Co\t310.10"]
    path = folder / "payments_unicode.txt"
    path.write_bytes("\r\n".join(lines).encode("utf-16") + "\r\n".encode("utf-16-le"))
    return path, dict(lines=6, header_row=3, above=1, blank=1, loaded=3, excluded=0, table="payments",
                      reasons={}, total=1435.10)


def cp1252_semicolon(folder: Path) -> tuple[Path, dict]:
    """A European export: Windows-1252, semicolons, decimal commas, a 'sep=;' line."""
    text = ("sep=;\nContract No;Supplier;Start Date;End Date;Contract Amount\n"
            "K-1;Société Générale;01/07/2024;30/06/2025;1.234,50\n"
            "K-2;Müller GmbH;15/08/2024;14/08/2025;980,00\n")
    path = folder / "contracts_eu.csv"
    path.write_bytes(text.encode("cp1252"))
    return path, dict(lines=4, header_row=2, above=0, blank=1, loaded=2, excluded=0, table="contracts",
                      reasons={}, total=2214.50)


def mixed_encodings(folder: Path) -> tuple[Path, dict]:
    """Two exports appended: UTF-8 lines, then a line written in Windows-1252 (a curly apostrophe)."""
    path = folder / "checks_appended.csv"
    path.write_bytes("Check No,Check Date,Payee,Amount\n1,2024-07-01,Café Verde,10.00\n2,2024-07-02,José Ortiz,5.00\n"
                     "3,2024-07-03,Zoë Lane,1.00\n".encode() + "4,2024-07-04,O’Brien Supply,2.00\n".encode("cp1252"))
    return path, dict(lines=5, header_row=1, above=0, blank=0, loaded=4, excluded=0, table="payments", reasons={},
                      total=18.00, names=["Café Verde", "José Ortiz", "Zoë Lane", "O’Brien Supply"])


def pipe_delimited(folder: Path) -> tuple[Path, dict]:
    """A mainframe extract: pipes, a trailing pipe on every line, a record-count footer."""
    text = ("VOUCHER_NO|PAY_DT|VENDOR_NM|AMOUNT|\n"
            "V001|20240701|ACME|100.00|\nV002|20240702|BOLT|200.00|\nV003|20240703|CORE|300.00|\n"
            "3 records|\n")
    path = folder / "vouchers.dat"
    path.write_text(text, encoding="ascii")
    return path, dict(lines=5, header_row=1, above=0, blank=0, loaded=3, excluded=1, table="payments",
                      reasons={"footnote": 1}, total=600.00)


def pay_item_bid_tab(folder: Path) -> tuple[Path, dict]:
    """A DOT letting: one row per pay item and bidder with an extension, a TOTAL BID row per bidder, one
    bidder written with a line break on one row, an engineer's estimate and a footnote."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Tabulation"
    ws.append(["State DOT Letting of 03/14/2024 - Bid Tabulation"])                 # 1 title
    ws.append([])                                                                   # 2 blank
    ws.append(["Contract ID", "Bidder", "Item No", "Description", "Quantity", "Unit", "Unit Price",
               "Extension"])                                                        # 3 header
    rows = [
        ["C-101", "Acme Paving Inc.", "0010", "Mobilization", 1, "LS", 5000, 5000],  # 4
        ["C-101", "Acme Paving Inc.", "0020", "Asphalt", 100, "TON", 80, 8000],      # 5
        ["C-101", "Acme Paving\nInc.", "0030", "Striping", 500, "LF", 5, 2500],      # 6 same bidder
        ["C-101", "Acme Paving Inc.", "", "TOTAL BID", None, None, None, 15500],     # 7 agrees
        ["C-101", "Bolt Construction Co", "0010", "Mobilization", 1, "LS", 6000, 6000],
        ["C-101", "Bolt Construction Co", "0020", "Asphalt", 100, "TON", 75, 7500],
        ["C-101", "Bolt Construction  Co", "0030", "Striping", 500, "LF", 4.5, 2250],  # extra space
        ["C-101", "Bolt Construction Co", "", "TOTAL BID", None, None, None, 15700],  # 11 differs by 50
        ["C-101", "Engineer's Estimate", "0010", "Mobilization", 1, "LS", 5500, 5500],
        ["C-101", "Engineer's Estimate", "0020", "Asphalt", 100, "TON", 85, 8500],
        ["C-101", "Engineer's Estimate", "0030", "Striping", 500, "LF", 5.2, 2600],
        ["C-102", "ACME PAVING INC.", "0010", "Mobilization", 1, "LS", 3000, 3000],   # 15 case differs
        ["C-102", "Acme Paving Inc.", "0020", "Excavation", 40, "CY", 120, 4800],
        ["* Apparent low bidder shown first"],                                       # 17 footnote
    ]
    for r in rows:
        ws.append(r)
    ws["B6"].alignment = Alignment(wrap_text=True)
    path = folder / "letting_2024-03-14.xlsx"
    wb.save(path)
    return path, dict(lines=17, header_row=3, above=1, blank=1, data=14, loaded=3, excluded=1, table="bids",
                      reasons={"engineer's estimate, not a bid": 1},
                      bids={("C-101", "Acme Paving Inc."): 15500.0, ("C-101", "Bolt Construction Co"): 15750.0,
                            ("C-102", "ACME PAVING INC."): 7800.0},
                      total=15500.0 + 15750.0 + 7800.0, mismatch_row=11)


def wide_bid_tab(folder: Path) -> tuple[Path, dict]:
    """Bidders across (as the Port of Portland publishes): each name merged over a Unit Price / Total Price pair,
    one name written over two lines; a totals row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Base Bid Tab"
    ws.append(["CITY AIRPORT", None, None, None, "Fortis Construction, Inc.", None, "Northeast\nElectric,  LLC"])
    ws.merge_cells("E1:F1")
    ws.merge_cells("G1:H1")
    ws.append(["Solicitation No. 2024-10481"])
    ws.append(["Item No.", "Item Description", "Estimated Quantity", "Units", "Unit Price", "Total Price",
               "Unit Price", "Total Price"])
    ws.append(["0001", "Mobilization\n(Item C-105)", 1, "LS", 330989.89, 330989.89, 750000, 750000])
    ws.append(["0002", "Surface Prep", 5407, "SF", 0.89, 4812.23, 1, 5407])
    ws.append(["0003", "Markings", 1515, "SF", 6.3, 9544.5, 16, 24240])
    ws.append([None, "Total Amount Bid (Basis of Award)", None, None, None, 345346.62, None, 779647])
    path = folder / "airport_bid_tab.xlsx"
    wb.save(path)
    return path, dict(lines=7, header_row=3, above=2, blank=0, data=4, loaded=2, excluded=0, table="bids",
                      reasons={}, bids={"Fortis Construction, Inc.": 345346.62, "Northeast Electric, LLC": 779647.0},
                      total=345346.62 + 779647.0)


def repeated_contract_ids(folder: Path) -> tuple[Path, dict]:
    """A contract register listing each amendment as a row under the same contract id (as Philadelphia's does)."""
    text = ("Contract ID,Amendment Item,Vendor,Start Date,End Date,Amount\n"
            "C-1,C-1-00,Acme,07/01/2023,06/30/2026,100000.00\n"
            "C-1,C-1-01,Acme,01/01/2024,06/30/2026,125000.00\n"
            "C-2,C-2-00,Bolt,08/01/2024,07/31/2025,5000.00\n"
            "C-1,C-1-02,Acme,07/01/2024,06/30/2026,140000.00\n")
    path = folder / "contracts_amendments.csv"
    path.write_text(text, encoding="utf-8")
    return path, dict(lines=5, header_row=1, above=0, blank=0, loaded=4, excluded=0, table="contracts", reasons={},
                      total=370000.00, latest_loaded=2, latest_total=145000.00)


def placeholder_dates(folder: Path) -> tuple[Path, dict]:
    """Placeholder and out-of-range dates and a negative amount: all loaded, each flagged with its row."""
    text = ("Contract Number,Vendor,Start Date,End Date,Current Amount\n"
            "PW-1,Acme,07/01/2024,12/31/2050,250000.00\n"     # 2: open-ended public works (placeholder end)
            "PW-2,Bolt,01/01/1900,06/30/2025,1000.00\n"       # 3: placeholder start
            "PW-3,Core,03/15/1985,06/30/2025,2000.00\n"       # 4: before 1990
            "PW-4,Delta,07/01/2024,06/30/2047,3000.00\n"      # 5: more than 5 years ahead
            "PW-5,Echo,07/01/2024,06/30/2025,-500.00\n")      # 6: negative amount
    path = folder / "contracts_placeholders.csv"
    path.write_text(text, encoding="utf-8")
    return path, dict(lines=6, header_row=1, above=0, blank=0, loaded=5, excluded=0, table="contracts", reasons={},
                      total=255500.00,
                      flagged={(2, "End Date", "12/31/2050", "placeholder date"),
                               (3, "Start Date", "01/01/1900", "placeholder date"),
                               (4, "Start Date", "03/15/1985", "date out of range (before 1990 or more than 5 years "
                                                               "ahead)"),
                               (5, "End Date", "06/30/2047", "date out of range (before 1990 or more than 5 years "
                                                             "ahead)"),
                               (6, "Current Amount", "-500.00", "negative amount (a credit, refund or void?)")})


TABLE_FIXTURES = [cr_only_ragged_csv, headerless_checkbook, headerless_row_40_headerish, header_then_headerish_row_40,
                  utf16_tsv, cp1252_semicolon, mixed_encodings, pipe_delimited, pay_item_bid_tab, wide_bid_tab, repeated_contract_ids,
                  placeholder_dates]


def junk_files(folder: Path) -> list[Path]:
    """Bytes that are no table, under table names: random bytes, a PDF, an image, a zip that is not a workbook."""
    rng = random.Random(13)
    noise = bytes(rng.randrange(256) for _ in range(4096))
    out = []
    for name, data in [("payments.xlsx", noise), ("payments.csv", noise),
                       ("contracts.csv", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"),
                       ("vendors.xlsx", b"\x89PNG\r\n\x1a\n" + noise), ("bids.csv", b"\xff\xd8\xff\xe0" + noise),
                       ("solicitations.xls", b"GIF89a" + noise)]:
        path = folder / name
        path.write_bytes(data)
        out.append(path)
    archive = folder / "register.xlsx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("register.csv", "Contract ID,Amount\nC-1,5\n")
    out.append(archive)
    return out


def pdf_pages_workbook(folder: Path) -> tuple[Path, dict]:
    """A PDF converted to Excel: 'Page 1' has the header, 'Page 2' continues without one and without the
    empty 'Notes' column the converter dropped."""
    wb = Workbook()
    p1 = wb.active
    p1.title = "Page 1"
    p1.append(["Payments over 250"])
    p1.append(["Check Date", "Check Number", "Payee", "Notes", "Amount"])
    p1.append([dt.datetime(2024, 7, 1), "1001", "Acme Paving", None, 500.0])
    p1.append([dt.datetime(2024, 7, 2), "1002", "Bolt Electric", "split", 750.0])
    p1.append([dt.datetime(2024, 7, 3), "1003", "City Lumber", None, 260.0])
    p2 = wb.create_sheet("Page 2")
    p2.append(["Payments over 250"])
    p2.append([dt.datetime(2024, 7, 9), "1004", "Delta Fuel", 300.0])
    p2.append([dt.datetime(2024, 7, 10), "1005", "Echo Signs", 410.0])
    path = folder / "payments_pdf.xlsx"
    wb.save(path)
    return path, dict(page2_columns=["Check Date", "Check Number", "Payee", "Amount"], page2_total=710.0)
