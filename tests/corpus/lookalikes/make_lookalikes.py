"""Write the lookalike corpus: one small synthetic export per real export of tests/corpus, with its answer.

Each lookalike copies what the loaders see of a real export - its header rows and header words, its layout
(title and report lines above the header, totals rows, blank lines, continuation pages without a header, glued
cells, wrapped and padded headers, pivot sheets that are not tables), its line endings and encoding and its
value formats (month-year dates, '£-' nils, amounts as text with separators, ids mixing text and numbers) -
with fabricated values: made-up names, amounts and dates, a few dozen rows. Nothing of the real files' content
is copied. The answers' counts and totals are worked out here from the values written (Decimal arithmetic),
never by the loaders.

    python tests/corpus/lookalikes/make_lookalikes.py          # rewrite every lookalike and its answer
    python tests/corpus/lookalikes/make_lookalikes.py --check  # exit 1 when a committed file differs

Files are deterministic (a random generator seeded by the lookalike's name; workbooks written with fixed
metadata), so the committed copies can be checked against this script.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
CENT = Decimal("0.01")
FIXED = datetime(2026, 1, 1)

# ---------------------------------------------------------------------------------------------
# Fabricated vocabulary (no real supplier, person or place of the real exports)

_W1 = ["Alder", "Birchfield", "Cedarline", "Dunmore", "Elmstead", "Fenwick", "Granite Ridge", "Harbor Point",
       "Ironwood", "Juniper", "Kestrel", "Larchmont", "Maplecrest", "Northgate", "Oakhollow", "Pinecrest",
       "Quarrystone", "Riverbend", "Summitview", "Tamarack", "Upland", "Valemont", "Willowby", "Yarrow"]
_W2 = ["Paving", "Supply", "Consulting", "Electric", "Landscaping", "Printing", "Software", "Catering",
       "Security", "Cleaning", "Engineering", "Plumbing", "Data Systems", "Traffic Services", "Events"]
_SUFFIX = {"US": ["Inc", "LLC", "Co", "Corp", "Inc."], "GB": ["Ltd", "Limited", "LLP", "CIC"],
           "AU": ["Pty Ltd", "Pty Limited"], "CA": ["Inc.", "Ltd.", "Corp."]}
_PEOPLE = ["Avery Lund", "Blake Morrow", "Casey Vance", "Devon Hale", "Emery Stroud", "Finley Oakes",
           "Gray Whitlock", "Harper Quill", "Jordan Pike", "Kendall Rowe", "Logan Ashby", "Morgan Teague"]
_DEPTS_US = ["PUBLIC WORKS", "PARKS AND RECREATION", "POLICE", "FIRE", "FINANCE", "INFORMATION TECHNOLOGY",
             "TRANSPORTATION", "WATER MANAGEMENT", "HEALTH", "LIBRARY"]
_DEPTS_GB = ["Adults' and Community Services", "Children and Young People's Service",
             "Housing, Regeneration and Environment", "Corporate Resources", "Finance and Performance"]
_TITLES = ["Road resurfacing", "Janitorial services", "Network switches", "Street lighting maintenance",
           "Fleet tyres", "Printing of ballots", "Software licences", "Tree trimming", "Consulting services",
           "Water meter replacement", "Office furniture", "Security guard services", "Catering for events",
           "Storm drain cleaning", "Traffic signal parts", "Library books", "Audit services"]
_CATS_GB = ["Office Costs", "Professional Services", "Salaries", "Community Grant", "Civic Events",
            "PR and Marketing", "Something for everyone events", "IT Equipment and Line Rental"]


def vendor(rng: random.Random, country: str = "US", upper: bool = False) -> str:
    name = f"{rng.choice(_W1)} {rng.choice(_W2)} {rng.choice(_SUFFIX[country])}"
    return name.upper() if upper else name


def money(rng: random.Random, lo: int, hi: int, cents: bool = True) -> Decimal:
    value = Decimal(rng.randint(lo * 100, hi * 100)) / 100 if cents else Decimal(rng.randint(lo, hi))
    return value.quantize(CENT)


def day(rng: random.Random, start: date, span: int) -> date:
    return start + timedelta(days=rng.randrange(span))


def sep(value: Decimal, pence: bool = True) -> str:
    """1234.5 -> '1,234.50' (or '1,234' without pence when the value is whole)."""
    return f"{value:,.2f}" if pence else f"{value:,.0f}"


def total(values) -> float:
    return float(sum(values, Decimal(0)).quantize(CENT))


# ---------------------------------------------------------------------------------------------
# A lookalike and its answer


@dataclass
class Look:
    name: str  # the real export's answer name; the lookalike is '<name>.lookalike'
    ext: str  # "csv", "txt" or "xlsx"
    government: str
    country: str
    kind: str
    quirks: str
    parts: list[dict]
    data: bytes | dict = b""  # CSV bytes, or {sheet: [rows]} for a workbook
    extra: dict = field(default_factory=dict)

    @property
    def file(self) -> str:
        return f"{self.name}.lookalike.{self.ext}"


def csv_bytes(rows, newline="\n", quoting=csv.QUOTE_MINIMAL, encoding="utf-8", trailing=True) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline, quoting=quoting)
    for r in rows:
        writer.writerow(r)
    text = buf.getvalue()
    if not trailing:
        text = text[: -len(newline)]
    return text.encode(encoding)


def xlsx_bytes(sheets: dict) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is None or value == "":
                    continue
                cell = ws.cell(r, c, value)
                if isinstance(value, datetime):
                    cell.number_format = "mm/dd/yyyy hh:mm:ss"
                elif isinstance(value, date):
                    cell.number_format = "mm/dd/yyyy"
                elif isinstance(value, time):
                    cell.number_format = "h:mm AM/PM"
    wb.properties.creator = "lookalike"
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    buf = io.BytesIO()
    wb.save(buf)
    return _stable_zip(buf.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same workbook bytes on every run: fixed member timestamps and order."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time
                payload = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", payload)
            zi = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, payload)
    return out.getvalue()


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return f"{v:.2f}"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_value(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def answer_text(look: Look) -> str:
    lines = [f"file = {_toml_value(look.file)}",
             f"government = {_toml_value(look.government + ' (lookalike)')}",
             f"country = {_toml_value(look.country)}",
             f"kind = {_toml_value('synthetic lookalike of ' + look.kind)}",
             f"quirks = {_toml_value(' '.join(look.quirks.split()))}",
             "",
             "[provenance]",
             'repository = "none: synthetic, written by tests/corpus/lookalikes/make_lookalikes.py"',
             f"path = {_toml_value('lookalike of tests/corpus/' + look.name + '.answer.toml')}",
             'commit = "none"',
             'licence = "the project\'s own"']
    for p in look.parts:
        lines += ["", "[[parts]]"]
        for key in ("sheet", "table", "header_row", "header_lines", "above_header", "data_rows", "records",
                    "columns", "not_mapped", "totals", "notes"):
            if key in p:
                lines.append(f"{key} = {_toml_value(p[key])}")
    return "\n".join(lines) + "\n"


def write(look: Look, folder: Path = HERE) -> dict[Path, bytes]:
    data = xlsx_bytes(look.data) if look.ext == "xlsx" else look.data
    return {folder / look.file: data, folder / f"{look.name}.lookalike.answer.toml": answer_text(look).encode()}


# ---------------------------------------------------------------------------------------------
# The lookalikes, one function per real export (families share a builder)


def act_contracts_2025() -> Look:
    rng = random.Random("act")
    head = ["contract_number", "procurement_unique_id", "title", "directorate", "contract_type", "slj_initiative",
            "status", "execution_date", "expiry_date", "amount", "suppliers", "details_url", "has_attachments"]
    rows, amounts = [head], []
    styles = ["{n}", "PO{n}", "PO_{n}", "PO {n}", "PICX{n:07d}"]
    for i in range(30):
        n = 41000 + i * 7
        cid = rng.choice(styles).format(n=n) if i not in (12, 13) else "PO41077"  # a repeated number
        amount = Decimal(0).quantize(CENT) if i % 6 == 0 else money(rng, 2000, 900000)
        amounts.append(amount)
        ctype = "Panel Contract\n(GS" + str(7000000 + i) + ")" if i % 5 == 0 else "Contract"
        start = day(rng, date(2025, 1, 1), 360)
        rows.append([cid, f"PIXX00{10000 + i}", rng.choice(_TITLES), rng.choice(["Health Directorate",
                    "Education Directorate", "Transport Directorate", "Territory Services"]), ctype,
                    rng.choice(["No", "Yes"]), "Current", start.isoformat(),
                    (start + timedelta(days=rng.randint(90, 1500))).isoformat(), f"{amount:.1f}"
                    if amount == amount.quantize(Decimal("0.1")) else str(amount), vendor(rng, "AU"),
                    f"https://tenders.example.invalid/contract/view?id={500000 + i}", rng.choice(["False", "True"])])
    return Look("act_contracts_2025", "csv", "Australian Capital Territory Government", "AU",
                "an ACT contract register", """snake_case headers; CRLF line endings; contract_type with an
                embedded line break inside quotes; contract numbers in several styles (41007, PO41014, PO_41021,
                'PO 41028'); one number repeated; $0 contracts every sixth row; execution and expiry dates only.""",
                [dict(table="contracts", header_row=1, data_rows=30, records=30,
                      columns={"contract_number": "contract_id", "title": "title", "directorate": "department",
                               "suppliers": "vendor_name", "execution_date": ["executed_date", "start_date"],
                               "expiry_date": "end_date", "amount": ["current_amount", "original_amount"]},
                      not_mapped=["details_url", "has_attachments", "slj_initiative"],
                      totals={"current_amount|original_amount": total(amounts)})],
                csv_bytes(rows, newline="\r\n"))


def canada_defence_contracts_by_vendor_and_year() -> Look:
    rng = random.Random("canada")
    rows = [["d_vendor_name", "d_fiscal_year", "total", "total_constant_2019_dollars"]]
    names = sorted({vendor(rng, "CA", upper=True).replace(".", "") for _ in range(14)})
    n = 0
    for name in names:
        for y in sorted(rng.sample(range(2017, 2022), rng.randint(1, 3))):
            t = money(rng, 10000, 3000000)
            rows.append([name, f"{y}-{y + 1}", str(t), str((t * Decimal("0.95")).quantize(CENT))])
            n += 1
    return Look("canada_defence_contracts_by_vendor_and_year", "csv", "Government of Canada", "CA",
                "a summary of federal contract value per vendor and fiscal year",
                """An aggregate: vendor, fiscal year ('2019-2020'), total and total in constant dollars; no ids,
                no dates; it is not a table of records.""",
                [dict(table="none", header_row=1, data_rows=n, records=0)], csv_bytes(rows))


def chicago_contracts_sample() -> Look:
    rng = random.Random("chicago")
    head = ["Purchase Order Description", "Purchase Order (Contract) Number", "Revision Number",
            "Specification Number", "Contract Type", "Start Date", "End Date", "Approval Date", "Department",
            "Vendor Name", "Vendor ID", "Address 1", "Address 2", "City", "State", "Zip", "Award Amount",
            "Procurement Type", "Contract PDF"]
    rows, amounts = [head], []
    for i in range(32):
        po = str(300100 + i // 2)  # revisions repeat the contract number
        rev = str(i % 2 * rng.randint(1, 9))
        blank_dates = i % 3 == 0
        start = day(rng, date(2022, 1, 1), 900)
        amount = money(rng, 500, 400000)
        amounts.append(amount)
        desc = rng.choice(_TITLES).upper() + ("\nSECOND LINE OF THE DESCRIPTION" if i % 7 == 0 else "")
        rows.append([desc, po, rev, str(1040000 + i), rng.choice(["DELEGATE AGENCY", "CONSTRUCTION", "",
                     "COMMODITIES"]), "" if blank_dates else start.strftime("%m/%d/%Y"),
                     "" if blank_dates else (start + timedelta(days=700)).strftime("%m/%d/%Y"),
                     day(rng, date(2022, 1, 1), 900).strftime("%m/%d/%Y"), rng.choice(_DEPTS_US),
                     vendor(rng, upper=True), f"{rng.randint(10000000, 99999999)}{rng.choice('ABCVXT')}",
                     f"{rng.randint(100, 9999)} W EXAMPLE ST", "", "SPRINGFIELD", "IL", f"606{rng.randint(10, 99)}",
                     f"{amount:.2f}", rng.choice(["BID", "RFP", "RFQ", "SOLE SOURCE", "EMERGENCY", "", ""]), ""])
    return Look("chicago_contracts_sample", "csv", "City of Chicago", "US", "a city contract register",
                """One row per contract revision (the contract number repeats with revision 0 and a later one);
                a third of the rows have no start or end date; descriptions with a line break inside quotes;
                method in 'Procurement Type' (BID, RFP, RFQ, SOLE SOURCE, EMERGENCY, often blank); the
                specification number is the solicitation.""",
                [dict(table="contracts", header_row=1, data_rows=32, records=32,
                      columns={"Purchase Order (Contract) Number": "contract_id",
                               "Purchase Order Description": "title", "Department": "department",
                               "Vendor Name": "vendor_name", "Vendor ID": "vendor_id", "Start Date": "start_date",
                               "End Date": "end_date", "Award Amount": ["original_amount", "current_amount"],
                               "Procurement Type": "method", "Specification Number": "solicitation_id"},
                      not_mapped=["Address 1", "Address 2", "Zip", "Contract PDF"],
                      totals={"original_amount|current_amount": total(amounts)})],
                csv_bytes(rows))


def _gla(name: str, later: bool) -> Look:
    rng = random.Random(name)
    rows, amounts = [["ID", "VendorID", "Vendor", "AccountCode", "AccountDescription", "DocNo", "Amount", "Date",
                      "Source"]], []
    for i in range(30):
        amount = money(rng, 250, 60000)
        if later and i % 8 == 3:
            amount = -amount
        amounts.append(amount)
        d = day(rng, date(2013, 4, 1) if later else date(2008, 4, 1), 28)
        rows.append([str((5000 if later else 0) + i), str(rng.randint(10000000, 19999999)) if later else "",
                     vendor(rng, "GB", upper=True), str(rng.randint(500000, 549999)) if later else "",
                     rng.choice(["Catering Charges", "Agency Staff", "Grants to External Organisations", "Postage"]),
                     str(rng.randint(1900000000, 5199999999)) if later else "", f"{amount:.2f}", d.isoformat(),
                     f"{i}-Spend%20Report%20-%20P1%20-%20Combined" if later else f"{i}-april_2008"])
    if later:
        quirks = """VendorID, AccountCode and DocNo filled; credits (negative amounts); a URL-encoded 'Source'; no
        newline after the last record."""
        cols = {"Vendor": "vendor_name", "VendorID": "vendor_id", "Amount": "amount", "Date": "payment_date",
                "AccountDescription": "category", "DocNo": "payment_id"}
        not_mapped = ["Source"]
    else:
        quirks = """A collector's row number 'ID' and a 'Source' naming the monthly file; VendorID, AccountCode and
        DocNo blank in every row (a blank column must not take a slot); ISO dates; no payment number."""
        cols = {"Vendor": "vendor_name", "Amount": "amount", "Date": "payment_date",
                "AccountDescription": "category"}
        not_mapped = ["VendorID", "AccountCode", "DocNo", "Source"]
    return Look(name, "csv", "Greater London Authority", "GB", "spend over £250 combined by a collector", quirks,
                [dict(table="payments", header_row=1, data_rows=30, records=30, columns=cols, not_mapped=not_mapped,
                      totals={"amount": total(amounts)})], csv_bytes(rows, trailing=not later))


def lambeth_payments_over_500_2012_06() -> Look:
    rng = random.Random("lambeth")
    dag = "\u2020"
    top = ["Lambeth Invoices Over Specified Nett Amount,,,,,", ",,,,,",
           f"Report Date:{dag} 03/08/2012{dag} 10:11:12,,,,,", ",,,,,", "Parameters: ,,,,,",
           f"Invoice Approval Date From:{dag} 01-JUL-2012,,,,,", f"Invoice Approval Date To:{dag * 5} 31-JUL-2012,,,,,",
           f"Invoice Threshold Nett Amt:{dag * 2} 500,,,,,", ",,,,,",
           "Body,Department,Supplier Name,Invoice Creation Date,Invoice Nett Amount,Subj Description"]
    lines, amounts = list(top), []
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    for i in range(34):
        dept = rng.choice(_DEPTS_GB)
        sup = vendor(rng, "GB")
        d = day(rng, date(2012, 7, 1), 30).strftime("%d/%m/%Y")
        subj = rng.choice(["GRANTS", "RENT - B&B - SHARED", "FLOATING SUPPORT SERVICES", "AGENCY STAFF"])
        if i in (5, 11, 19):  # the ERP dropped a comma: date and a whole-pound amount glued together
            amount = Decimal(rng.randint(501, 4000)).quantize(CENT)
            w.writerow(["Lambeth", dept, sup, f"{d}{amount:.0f}", subj])
        elif i == 26:  # supplier glued to the date
            amount = money(rng, 501, 9000)
            w.writerow(["Lambeth", dept, f"Crossway22{d}", f"{amount:.2f}", subj])
        else:
            amount = money(rng, 501, 90000)
            w.writerow(["Lambeth", dept, sup, d, f"{amount:.2f}", subj])
        amounts.append(amount)
    lines += out.getvalue().splitlines()
    lines += [f"Total,{dag * 6} ,,,{total(amounts):.2f},", ",,,,,", ",,,,,", f",{dag * 6} ,,,,"]
    return Look("lambeth_payments_over_500_2012-06", "csv", "London Borough of Lambeth", "GB",
                "a council's invoices over £500, one month", """Nine report lines above the header (6 non-blank)
                with U+2020 daggers for spaces; a 'Total' row equal to the records' sum and a line of daggers
                below; blank ',,,,,' lines; 3 rows glue the date to a whole-pound amount ('14/07/2012900') and one
                glues the supplier to the date ('Crossway2214/07/2012').""",
                [dict(table="payments", header_row=10, above_header=6, data_rows=36, records=34,
                      columns={"Supplier Name": "vendor_name",
                               "Invoice Creation Date": ["payment_date", "invoice_date"],
                               "Invoice Nett Amount": "amount", "Department": "department",
                               "Subj Description": "category"},
                      not_mapped=["Body"], totals={"amount": total(amounts)},
                      notes="Total over the 34 records, the glued amounts read by hand; equals the file's Total row.")],
                ("\n".join(lines) + "\n").encode("utf-8"))


def _lambeth_pivot(name: str, style: str) -> Look:
    rng = random.Random(name)
    pairs = sorted(((money(rng, 501, 900000), vendor(rng, "GB")) for _ in range(24)), reverse=True)
    grand = total(v for v, _ in pairs)
    if style == "plain":
        lines = ["Supplier Name,Sum of Invoice Nett Amount"] + [f"{s},{v:.2f}" for v, s in pairs]
        part = dict(table="none", header_row=1, data_rows=24, records=0)
        quirks = """Header 'Supplier Name,Sum of Invoice Nett Amount' on line 1, no title, no total: looks like a
        clean two-column table, but it is an aggregate with no dates."""
    elif style == "padded":
        lines = [" Sum of Invoice Nett Amount ,", " Supplier Name , Total"]
        lines += [f" {s} ,{v:.2f}" for v, s in pairs] + [f" Grand Total ,{grand:.2f}", ",", ",", ","]
        part = dict(table="none", header_row=2, above_header=1, data_rows=25, records=0)
        quirks = """Every cell padded with spaces; a title line above the header; a ' Grand Total ' row; blank ','
        lines at the end. Not transactions."""
    else:
        lines = ["Sum of Invoice Nett Amount,", "Supplier Name,Total"] + [f"{s},{v:.2f}" for v, s in pairs]
        lines += [",", f"Grand Total,{grand:.2f}"]
        part = dict(table="none", header_row=2, above_header=1, data_rows=25, records=0)
        quirks = """A pivot export: title 'Sum of Invoice Nett Amount', header 'Supplier Name,Total', one row per
        supplier, a blank line and a 'Grand Total' row; no dates."""
    return Look(name, "csv", "London Borough of Lambeth", "GB", "a pivot of invoice totals per supplier", quirks,
                [part], ("\n".join(lines) + "\n").encode("utf-8"))


def _nebraska(name: str, scraped: bool) -> Look:
    rng = random.Random(name)
    if scraped:
        head = ["", "Doc Number", "Type", "Entity", "Entity Name", "Vendor", "Amount", "Begin Date", "End Date",
                "0", "url"]
    else:
        head = ["Row", "Doc.Number", "Type", "Entity", "Entity.Name", "Vendor", "Amount", "Begin.Date",
                "End.Date", "url"]
    rows, amounts = [head], []
    for i in range(30):
        amount = Decimal(0).quantize(CENT) if i % 4 == 0 else money(rng, 100, 2500000)
        amounts.append(amount)
        begin = day(rng, date(2010, 1, 1), 4000)
        end = rng.choice([date(2099, 12, 31), date(9999, 12, 31), begin + timedelta(days=1095)])
        doc = rng.choice([f"58-1-{rng.randint(1000, 9999)}", str(rng.randint(10000, 49999))])
        url = f"https://contracts.example.invalid/Search/SearchDocuments?A=x{i}%3D%3D&D=y%2F{i}"
        vend = vendor(rng, upper=True)
        if scraped:
            amt = f"${amount:,.2f}"
            rows.append([str(i), doc, "CN", "051", "University of Nebraska Lincoln", vend, amt,
                         begin.strftime("%m/%d/%Y"), end.strftime("%m/%d/%Y"), "", url])
        else:
            amt = f"{amount.normalize():f}" if amount else "0"
            rows.append([str(rng.randint(1, 40)), doc, "CN", "051", "University of Nebraska Lincoln", vend, amt,
                         begin.isoformat(), end.isoformat(), url])
    if scraped:
        cols = {"Doc Number": "contract_id", "Vendor": "vendor_name", "Amount": ["current_amount", "original_amount"],
                "Begin Date": "start_date", "End Date": "end_date", "Entity Name": "department"}
        not_mapped = ["Type", "url", "0"]
        quirks = """An unnamed first column (a row index) and a column named '0' always blank; amounts '$4,867.50';
        end dates 12/31/2099 and 12/31/9999 as placeholders; 'Type' is the document type (CN), not a method."""
    else:
        cols = {"Doc.Number": "contract_id", "Vendor": "vendor_name", "Amount": ["current_amount", "original_amount"],
                "Begin.Date": "start_date", "End.Date": "end_date", "Entity.Name": "department"}
        not_mapped = ["Type", "url", "Row"]
        quirks = """R-style headers with dots; a 'Row' number column; plain-number amounts, many 0; end dates
        2099-12-31 / 9999-12-31 as placeholders; 'Type' is the document type (CN)."""
    return Look(name, "csv", "State of Nebraska (University of Nebraska-Lincoln contracts)", "US",
                "a state contract register", quirks,
                [dict(table="contracts", header_row=1, data_rows=30, records=30, columns=cols, not_mapped=not_mapped,
                      totals={"current_amount|original_amount": total(amounts)})], csv_bytes(rows))


def nyc_sbs_certified_businesses_sample() -> Look:
    rng = random.Random("nyc")
    head = ["Account_Number", "Vendor_Formal_Name", "Vendor_DBA", "First_Name", "Last_Name", "telephone",
            "Business_Description", "Certification", "Certification_Renewal_Date", "Ethnicity", "Address_Line_1",
            "City", "State", "Postcode", "Website", "Date_Of_Establishment", "ID6_digit_NAICS_code", "NAICS_Sector",
            "NIGP_codes", "Name_of_Client_Job_Exp_1", "Largest_Value_of_Contract", "Percent_Self_Performed_Job_Exp_1",
            "Date_of_Work_Job_Exp_1", "Value_of_Contract_Job_Exp_2", "Value_of_Contract_Job_Exp_3",
            "Enrolled_in_PASSPort", "Borough"]
    out = io.StringIO()
    out.write(",".join(f'"{h}"' for h in head) + "\n")
    certs = ["MBE", "WBE", "MBE,WBE", "EBE", "LBE"]
    for i in range(20):
        cert = rng.choice(certs)
        renew = ";".join(f"{rng.randint(1, 12):02d}/30/{rng.randint(2026, 2030)}" for _ in cert.split(","))
        if cert == "WBE" and i % 2:
            renew = ""
        person = rng.choice(_PEOPLE).split()
        desc = f"{rng.choice(_W1)} provides {rng.choice(_W2).lower()} services."
        if i % 4 == 0:
            desc += "\n\nWe also offer:\n*Emergency service\n*Site visits "
        cells = [str(300000 + i * 13), f"{rng.choice(_W1)} {rng.choice(_W2)} {rng.choice(['LLC', 'Inc.', 'Corp.'])}",
                 "" if i % 3 else f"{rng.choice(_W1)} Group", person[0], person[1], f"555{rng.randint(1000000, 9999999)}",
                 desc, cert, renew, rng.choice(["BLACK", "ASIAN", "HISPANIC", "NON-MINORITY"]),
                 f"{rng.randint(1, 999)} Example Avenue", "New York", "NY", f"100{rng.randint(10, 99)}",
                 "" if i % 2 else f"http://www.example{i}.invalid", f"{rng.randint(1, 12):02d}/15/{rng.randint(1990, 2022)}",
                 str(rng.randint(236110, 722511)), rng.choice(["Construction", "Retail Trade"]),
                 " | ".join(str(rng.randint(10000, 99999)) for _ in range(rng.randint(1, 3))),
                 f"{rng.choice(_W1)} Realty", f"${money(rng, 50, 90000):,}", str(rng.choice([100, 65, 30])),
                 f"{rng.randint(1, 12):02d}/01/2023", f"${rng.randint(10, 5000):,}", "", rng.choice(["Yes", "No"]),
                 rng.choice(["BROOKLYN", "QUEENS", "", "BRONX"])]
        out.write(",".join("" if c == "" else '"' + c.replace('"', '""') + '"' for c in cells) + "\n")
    return Look("nyc_sbs_certified_businesses_sample", "csv", "City of New York (Small Business Services)", "US",
                "a certified-vendor list (M/WBE, LBE, EBE)", """Every value quoted, blanks unquoted; descriptions with
                blank lines and line breaks inside quoted cells; 'Certification' a comma list ('MBE,WBE') and
                'Certification_Renewal_Date' one date per certification separated by ';', blank for some WBE firms;
                money only in job-experience columns ('$2,056.25'), which are not spend; no vendor id but the
                account number.""",
                [dict(table="vendors", header_row=1, data_rows=20, records=20,
                      columns={"Vendor_Formal_Name": "vendor_name", "Account_Number": "vendor_id",
                               "Certification": "certifications",
                               "Certification_Renewal_Date": "certification_expiration_date"},
                      not_mapped=["Largest_Value_of_Contract", "Value_of_Contract_Job_Exp_2",
                                  "Value_of_Contract_Job_Exp_3", "Date_of_Work_Job_Exp_1", "telephone"])],
                out.getvalue().encode("utf-8"))


def ohio_dot_resurfacing_bidders_2018() -> Look:
    rng = random.Random("ohio-bids")
    rows, amounts = [["project_number", "bidder_name", "address", "city", "state", "zip", "county",
                      "bidder_number", "bid_amount", "filename", "awarded"]], []
    for p in range(9):
        project = 180100 + p * 3
        bids = sorted(money(rng, 200000, 4000000) for _ in range(rng.randint(1, 5)))
        for rank, amount in enumerate(bids, 1):
            amounts.append(amount)
            rows.append([float(project), vendor(rng, upper=True), f"{rng.randint(10, 9999)} EXAMPLE RD",
                         rng.choice(["AKRON", "DAYTON", "LIMA", "MARION"]), "OH",
                         float(rng.randint(43001, 45999)) if rank % 3 else f"{rng.randint(43001, 45999)}-{rng.randint(1000, 9999)}",
                         rng.choice(["Franklin", "Stark", ""]), float(rank), float(amount), f"{project}bidtab.pdf",
                         rank == 1])
    n = len(rows) - 1
    return Look("ohio_dot_resurfacing_bidders_2018", "xlsx", "Ohio Department of Transportation", "US",
                "a bid tabulation, one row per bidder", """One row per bidder per project; 'awarded' True/False;
                zip codes as numbers or 'ZIP-4' text; the project number (a number) is the solicitation id;
                bidder_number is the rank.""",
                [dict(sheet="final_output_2", table="bids", header_row=1, data_rows=n, records=n,
                      columns={"project_number": "solicitation_id", "bidder_name": "vendor_name",
                               "bid_amount": "bid_amount", "awarded": "is_winner"},
                      not_mapped=["zip", "filename", "bidder_number"], totals={"bid_amount": total(amounts)})],
                {"final_output_2": rows})


def ohio_dot_resurfacing_projects_2018() -> Look:
    rng = random.Random("ohio-projects")
    rows = [["project_id", "route", "mileage", "lanes", "project_duration_days", "eng_estimate_mils",
             "win_bid_mils", "cost_mils", "num_bidders", "bidders_list"]]
    est, win = [], []
    for i in range(26):
        e = Decimal(rng.randint(150, 9000)) / 1000  # millions, three decimals
        b = Decimal(rng.randint(1500000, 90000000)) / 10000000
        est.append(e * 1000000)
        win.append((b * 1000000).quantize(CENT))
        route = float(rng.randint(1, 800)) if i % 5 else f"{rng.randint(1, 99)} / {rng.randint(100, 400)}"
        rows.append([float(70000 + i * 911), route, "" if i % 9 == 4 else rng.randint(10, 3000) / 100,
                     float(rng.choice([2, 4])), float(rng.randint(60, 600)), float(e), float(b),
                     float(b * Decimal("1.05")), float(rng.randint(1, 6)),
                     ", ".join(rng.choice(_W1) + " Paving" for _ in range(2))])
    return Look("ohio_dot_resurfacing_projects_2018", "xlsx", "Ohio Department of Transportation", "US",
                "a solicitation / award summary, one row per project", """Money in millions ('eng_estimate_mils'
                0.943 = $943,000; 'win_bid_mils'; 'cost_mils'); the route mixes numbers and text ('12 / 250');
                bidders as a comma-separated list; no method column.""",
                [dict(sheet="final_output_specific", table="solicitations", header_row=1, data_rows=26, records=26,
                      columns={"project_id": "solicitation_id", "eng_estimate_mils": "estimated_amount",
                               "win_bid_mils": "awarded_amount", "num_bidders": "bids_received"},
                      not_mapped=["mileage", "lanes", "project_duration_days"],
                      totals={"awarded_amount": total(win), "estimated_amount": total(est)})],
                {"final_output_specific": rows})


def sutton_coldfield_contracts_2017_18() -> Look:
    rng = random.Random("sutton-contracts")
    pad = " " * 11
    head = ["\n" + pad + "Title/Description", "\n" + pad + "Supplier", "\n" + pad + "Supplier InformationRef",
            "\n" + pad + "    Number", "\n" + pad + "Start Date", "\n" + pad + "End Date",
            "\n             Estimated\n            Annual Value\n            2017/18",
            "            Invitation to\n            Quote (Q) or published\n            invitation to tender (T)?"]
    recs, values = [], []
    for i in range(20):
        nil = i % 7 == 3
        v = Decimal(0) if nil else Decimal(rng.randint(5, 400) * 10)
        values.append(v)
        start = date(2016, 1, 1) + timedelta(days=30 * rng.randint(0, 24))
        end = "Ongoing" if i % 6 == 5 else (start + timedelta(days=30 * rng.randint(3, 30))).strftime("%b-%y")
        recs.append([pad + rng.choice(_TITLES), pad + vendor(rng, "GB"), pad + rng.choice(["Local Authority",
                     "Small Enterprise", f"PLC - 0{rng.randint(1000000, 9999999)}"]),
                     pad + (f"{rng.choice(['LGA', 'MHX', 'RPK'])}{i % 3 + 1:03d}" if i % 8 else f"{rng.randint(100000, 999999)}/8"),
                     " " * rng.randint(16, 17) + start.strftime("%b-%y"), " " * 16 + end,
                     " " * 17 + ("£-" if nil else f"£{v:,.0f}"), " " * 17 + rng.choice(["Q", "T", "N/A"])])
    page1 = [[]] + [[""] + head] + [[""] + r for r in recs[:12]] + [[""] + head] + [[""] + r for r in recs[12:]]
    sheet1 = [head] + recs
    cols = {"Number": "contract_id", "Title/Description": "title", "Supplier": "vendor_name",
            "Start Date": "start_date", "End Date": "end_date",
            "Estimated Annual Value 2017/18": ["current_amount", "original_amount"],
            "Invitation to Quote (Q) or published invitation to tender (T)?": "method"}
    tot = {"current_amount|original_amount": total(values)}
    return Look("sutton_coldfield_contracts_2017-18", "xlsx", "Royal Sutton Coldfield Town Council", "GB",
                "a town council's contract register (PDF converted to Excel)", """Header cells padded with spaces and
                line breaks; values padded with leading spaces; month-year text dates ('Mar-16'); end date 'Ongoing';
                values '£32,400' and '£-' for nil; method column with Q, T or N/A; on 'Page 1' the table starts at
                B2 and the header is repeated once mid-sheet (a page break); 'Sheet1' is the same without it.""",
                [dict(sheet="Page 1", table="contracts", header_row=2, data_rows=21, records=20, columns=cols,
                      totals=tot),
                 dict(sheet="Sheet1", table="contracts", header_row=1, data_rows=20, records=20, columns=cols,
                      totals=tot)],
                {"Page 1": page1, "Sheet1": sheet1})


def _gb_payment(rng, d: date, ref=None):
    amount = Decimal(rng.randint(251, 30000))
    if rng.random() < 0.3:
        amount += Decimal(rng.randint(1, 99)) / 100
    return {"date": d, "ref": ref if ref is not None else rng.choice([rng.randint(100, 400), f"DP {rng.randint(1, 60)}",
                                                                      f"CG {rng.randint(1, 30)}"]),
            "payee": vendor(rng, "GB"), "details": rng.choice(["Office Rent", "Professional Services",
                                                               "Community Grant", "Event Hire", "Salary Costs"]),
            "amount": amount.quantize(CENT), "category": rng.choice(_CATS_GB)}


def _amount_cell(rng, amount: Decimal, pence=True):
    """As the council's PDF conversions write them: a number, or text with separators."""
    if amount >= 1000 and rng.random() < 0.6:
        return sep(amount, pence=pence or amount != amount.to_integral())
    return float(amount)


def sutton_coldfield_expenditure_2016_17() -> Look:
    rng = random.Random("sutton-exp")
    rows, amounts = [["Inv Date", "Ref", "Payee", "Details", "£ (net)", "Category"]], []
    for i in range(28):
        p = _gb_payment(rng, day(rng, date(2016, 4, 1), 364), ref="" if i > 24 else rng.choice(
            [str(i // 2 + 1), f"BCC {i}", f"CG {i}"]))
        amount = p["amount"].to_integral()
        amounts.append(amount)
        rows.append([p["date"].strftime("%d/%m/%Y"), p["ref"], p["payee"], ("ACCRUAL " if i > 24 else "") + p["details"],
                     f"{amount:,.0f}", p["category"]])
    return Look("sutton_coldfield_expenditure_2016-17", "csv", "Royal Sutton Coldfield Town Council", "GB",
                "a town council's payments over £250 (PDF converted, cleaned)", """CRLF endings, no newline after the
                last record; amounts with separators in quotes ('1,800') next to plain ones; the only date is the
                invoice date; references repeat, some blank (accruals) or text ('BCC 3'); the header says '£ (net)'
                (UTF-8).""",
                [dict(table="payments", header_row=1, data_rows=28, records=28,
                      columns={"Inv Date": ["payment_date", "invoice_date"], "Payee": "vendor_name",
                               "£ (net)": "amount", "Category": "category"},
                      totals={"amount": total(amounts)})],
                csv_bytes(rows, newline="\r\n", trailing=False))


def sutton_coldfield_payments_2016_18_analysis_workbook() -> Look:
    rng = random.Random("sutton-analysis")
    head = ["Doc Date", "Year", "Month", "Financial year", "Broad category LOOKUP", "Paid Date", "Ref", "Payee",
            "Payee ORIGINAL", "Details", "Details (CLEANED)", "Details simple", "¬£ (net)", "¬£ AS NUMBER",
            "Category", "Category CLEAN"]
    data, amounts, by_payee = [head], [], {}
    for i in range(30):
        p = _gb_payment(rng, day(rng, date(2016, 9, 1), 540))
        amounts.append(p["amount"])
        by_payee.setdefault(p["payee"], {}).setdefault(p["date"].year, Decimal(0))
        by_payee[p["payee"]][p["date"].year] += p["amount"]
        d = p["date"]
        fy = f"{d.year}-{(d.year + 1) % 100:02d}" if d.month >= 4 else f"{d.year - 1}-{d.year % 100:02d}"
        data.append([d if i % 4 else d.strftime("%Y-%m-%dT00:00:00Z"), float(d.year), float(d.month), fy,
                     p["category"], d + timedelta(days=9) if i % 6 == 0 else "", p["ref"], p["payee"], p["payee"],
                     p["details"], p["details"], p["details"], float(p["amount"]), float(p["amount"]),
                     p["category"], p["category"]])
    pivot = [[], [], ["Sum of ¬£ AS NUMBER", "Column Labels"], ["Row Labels", 2016.0, 2017.0, "Grand Total"]]
    for payee in sorted(by_payee):
        y = by_payee[payee]
        pivot.append([payee, float(y[2016]) if 2016 in y else "", float(y.get(2017, 0) + y.get(2018, 0)) or "",
                      float(sum(y.values()))])
    pivot.append(["Grand Total", "", "", total(amounts)])
    m16, m17 = [8.0, 9.0, 10.0, 12.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0, 11.0]
    lgrc = [["Payee", "LGRC Associates Ltd"], [], ["Sum of ¬£ AS NUMBER", "Column Labels"],
            ["", 2016.0, "", "", "", "2016 Total", 2017.0] + [""] * 9 + ["2017 Total", "Grand Total"],
            ["Row Labels"] + m16 + [""] + m17 + ["", ""]]
    sums = [Decimal(0)] * 17
    for label in ["Professional Services", "Website Development", "Governance Review", "Election Support",
                  "Budget Setting", "Recruitment", "Policy Drafting", "Mayoral Support", "Grant Scheme Design",
                  "Audit Preparation", "Asset Transfer", "Staff Handbook", "Insurance Review", "Office Move",
                  "Events Planning", "Community Survey", "Legal Advice", "Training", "Minutes and Agendas",
                  "Data Protection", "Risk Register", "Year End"]:
        v16 = [Decimal(rng.randint(100, 3000)) if rng.random() < 0.35 else None for _ in m16]
        v17 = [Decimal(rng.randint(100, 3000)) if rng.random() < 0.35 else None for _ in m17]
        t16, t17 = sum((v for v in v16 if v), Decimal(0)), sum((v for v in v17 if v), Decimal(0))
        cells = v16 + [t16 or None] + v17 + [t17 or None, t16 + t17 or None]
        sums = [a + (b or 0) for a, b in zip(sums, cells, strict=True)]
        lgrc.append([label] + [float(v) if v else "" for v in cells])
    lgrc.append(["Grand Total"] + [float(v) if v else "" for v in sums])
    n_lgrc = sum(1 for r in lgrc if any(c not in ("", None) for c in r))
    return Look("sutton_coldfield_payments_2016-18_analysis_workbook", "xlsx", "Royal Sutton Coldfield Town Council",
                "GB", "a journalist's analysis workbook: cleaned payments plus pivot sheets", """The data sheet
                'FullData CLEANED' with a mis-decoded pound sign ('¬£ (net)', '¬£ AS NUMBER'), original and cleaned
                copies of columns side by side, document dates as Excel dates and as text '2017-03-23T00:00:00Z',
                'Paid Date' mostly blank; pivot sheets with 'Row Labels' and 'Grand Total' (one with its header on
                row 4, one with no header at all).""",
                [dict(sheet="FullData CLEANED", table="payments", header_row=1, data_rows=30, records=30,
                      columns={"Doc Date": ["payment_date", "invoice_date"], "Ref": "payment_id", "Payee": "vendor_name"},
                      not_mapped=["Year", "Month", "Financial year"], totals={"amount": total(amounts)}),
                 dict(sheet="pivot by recipient", table="none", header_row=4, above_header=1,
                      data_rows=len(by_payee) + 1, records=0),
                 dict(sheet="LGRC Assoc", table="none", header_row=0, data_rows=n_lgrc, records=0)],
                {"FullData CLEANED": data, "pivot by recipient": pivot, "LGRC Assoc": lgrc})


def sutton_coldfield_payments_2017_18_q1_q3_workbook() -> Look:
    rng = random.Random("sutton-q1q3")
    head = ["Doc Date", "Year", "Month", "Paid Date", "Ref", "Payee", "Details", "£ (net)", "Unrecoverable",
            "Category"]
    rows, amounts = [head], []
    for i in range(32):
        p = _gb_payment(rng, day(rng, date(2017, 4, 1), 270))
        amounts.append(p["amount"])
        paid = (p["date"] + timedelta(days=12)).strftime("%d/%m/%Y") if p["date"].month >= 10 else ""
        rows.append([p["date"].strftime("%d/%m/%Y"), float(p["date"].year), float(p["date"].month), paid, p["ref"],
                     p["payee"], p["details"], _amount_cell(rng, p["amount"], pence=False), "", p["category"],
                     "" if i % 9 else "checked"])
        if i == 20:  # an identical line repeated, as published
            rows.append(list(rows[-1]))
            amounts.append(p["amount"])
    pivot = [[], [], ["Row Labels"], [1.0], [10.0], [11.0], [12.0], ["Grand Total"]]
    return Look("sutton_coldfield_payments_2017-18_q1-q3_workbook", "xlsx", "Royal Sutton Coldfield Town Council",
                "GB", "a journalist's working workbook: payments and a pivot stub", """'data': text dates dd/mm/yyyy;
                derived Year and Month; 'Paid Date' blank before October; a header 'Unrecoverable' cut from
                'Unrecoverable VAT'; a trailing column with no header; a duplicated line as published. 'pivot': a
                pivot-table stub (Row Labels 1, 10, 11, 12, Grand Total).""",
                [dict(sheet="data", table="payments", header_row=1, data_rows=33, records=33,
                      columns={"Doc Date": ["payment_date", "invoice_date"], "Ref": "payment_id",
                               "Payee": "vendor_name", "£ (net)": "amount", "Category": "category"},
                      not_mapped=["Year", "Month"], totals={"amount": total(amounts)}),
                 dict(sheet="pivot", table="none", header_row=3, data_rows=5, records=0)],
                {"pivot": pivot, "data": rows})


_TITLE_LINES = ["Royal Sutton Coldfield Town Council", "Payments Made 2017/18 exceeding £250"]


def sutton_coldfield_payments_over_250_2017_18_q1() -> Look:
    rng = random.Random("sutton-q1")
    title = [["", "", "", _TITLE_LINES[0]], ["", "", "", _TITLE_LINES[1]]]
    page1 = title + [["Inv Date", "Ref", "Payee", "Details", "", "£ (net)", "Unrecoverabl", "Category"],
                     ["", "", "", "", "", "", "e VAT", ""]]
    a1, wrapped = [], 0
    for i in range(22):
        p = _gb_payment(rng, day(rng, date(2017, 4, 1), 60))
        if i in (0, 1):  # a zeroed payment whose note wraps over two lines above the record
            page1 += [["", "", "", "Prepayment - concert deposit", "£900 removed" if i else "", "", "", ""],
                      ["", "", "", "from list 09/11/17. Duplicate entry, already", "", "", "", ""]]
            wrapped += 2
            p["amount"] = Decimal(0).quantize(CENT)
            page1.append([p["date"].strftime("%d/%m/%Y"), p["ref"], p["payee"], "appears on 2016/17 listing.", "",
                          0.0, "", p["category"]])
        else:
            page1.append([p["date"].strftime("%d/%m/%Y"), p["ref"], p["payee"], p["details"], "",
                          _amount_cell(rng, p["amount"].to_integral(), pence=False), "", p["category"]])
            p["amount"] = p["amount"].to_integral()
        a1.append(p["amount"])
    page2, a2 = [["", "", "", _TITLE_LINES[0]], ["", "", "", _TITLE_LINES[1]]], []
    for _ in range(14):
        p = _gb_payment(rng, day(rng, date(2017, 5, 25), 40))
        amount = p["amount"].to_integral()
        a2.append(amount)
        page2.append([p["date"].strftime("%d/%m/%Y"), p["ref"], p["payee"], p["details"],
                      _amount_cell(rng, amount, pence=False), p["category"]])
    return Look("sutton_coldfield_payments_over_250_2017-18_q1", "xlsx", "Royal Sutton Coldfield Town Council", "GB",
                "payments over £250, one quarter (PDF converted to Excel, one sheet per page)", """Two title lines; a
                two-line header cut mid-word ('Unrecoverabl' over 'e VAT'); an empty column E between Details and
                the amount (once holding '£900 removed'); two zeroed payments whose note wraps over two lines above
                the record (the record is the line with the date); page 2 has two title lines, no header and one
                column fewer.""",
                [dict(sheet="Page 1", table="payments", header_row=4, header_lines=2, above_header=2,
                      data_rows=22 + wrapped, records=22,
                      columns={"Inv Date": ["payment_date", "invoice_date"], "Ref": "payment_id",
                               "Payee": "vendor_name", "£ (net)": "amount", "Category": "category"},
                      totals={"amount": total(a1)}),
                 dict(sheet="Page 2", table="payments", header_row=0, above_header=2, data_rows=14, records=14,
                      totals={"amount": total(a2)})],
                {"Page 1": page1, "Page 2": page2})


def sutton_coldfield_payments_over_250_2017_18_q2() -> Look:
    rng = random.Random("sutton-q2")
    page1 = [["", "", "", _TITLE_LINES[0]], ["", "", "", _TITLE_LINES[1]],
             ["Inv Date", "Ref", "Payee", "Details", "£ (net)", "Unrecoverable VAT", "Category"]]
    a1 = []
    for _ in range(20):
        p = _gb_payment(rng, day(rng, date(2017, 7, 1), 60))
        a1.append(p["amount"])
        page1.append([p["date"].strftime("%d/%m/%Y"), p["ref"], p["payee"], p["details"],
                      _amount_cell(rng, p["amount"]), "", p["category"]])
    page2, a2 = [["", "", "", _TITLE_LINES[0]], ["", "", "", _TITLE_LINES[1]]], []
    for _ in range(10):
        p = _gb_payment(rng, day(rng, date(2017, 8, 25), 30))
        a2.append(p["amount"])
        page2.append([p["date"].strftime("%d/%m/%Y"), p["ref"], p["payee"], p["details"],
                      _amount_cell(rng, p["amount"]), p["category"]])
    page2.append(["", "", "updated 7/11/17", "", "", ""])
    cols = {"Inv Date": ["payment_date", "invoice_date"], "Ref": "payment_id", "Payee": "vendor_name",
            "£ (net)": "amount", "Category": "category"}
    return Look("sutton_coldfield_payments_over_250_2017-18_q2", "xlsx", "Royal Sutton Coldfield Town Council", "GB",
                "payments over £250, one quarter (PDF converted to Excel, one sheet per page)", """Two title lines;
                amounts as text with pence ('1,899.50') or numbers; references mixing text ('CG 18') and numbers;
                page 2 has two title lines, no header, one column fewer and a trailing note 'updated 7/11/17'.""",
                [dict(sheet="Page 1", table="payments", header_row=3, above_header=2, data_rows=20, records=20,
                      columns=cols, totals={"amount": total(a1)}),
                 dict(sheet="Page 2", table="payments", header_row=0, above_header=2, data_rows=11, records=10,
                      totals={"amount": total(a2)})],
                {"Page 1": page1, "Page 2": page2})


def sutton_coldfield_payments_over_250_2017_18_q3() -> Look:
    rng = random.Random("sutton-q3")
    page1 = [["Doc Date", "Paid Date", "Ref", "Payee", "Details", "£ (net)", "Unrecoverable", "Category"],
             ["", "", "", "", "", "", "VAT", ""]]
    a1 = []
    for i in range(20):
        p = _gb_payment(rng, day(rng, date(2017, 10, 1), 60), ref=rng.choice([f"MC{i} 17/8", 300000.0 + i, f"DP {40 + i}"]))
        amount = p["amount"].to_integral()
        a1.append(amount)
        page1.append([p["date"].strftime("%d/%m/%Y"), (p["date"] + timedelta(days=20)).strftime("%d/%m/%Y"),
                      p["ref"], p["payee"], p["details"], _amount_cell(rng, amount, pence=False), "", p["category"]])
    page2, a2 = [["", "", "", "", _TITLE_LINES[0]], ["", "", "", _TITLE_LINES[1]]], []
    for i in range(12):
        p = _gb_payment(rng, day(rng, date(2017, 11, 1), 50), ref=300100.0 + i)
        amount = p["amount"].to_integral()
        a2.append(amount)
        page2.append([p["date"].strftime("%d/%m/%Y"), (p["date"] + timedelta(days=20)).strftime("%d/%m/%Y"),
                      p["ref"], p["payee"], p["details"], _amount_cell(rng, amount, pence=False), p["category"]])
    return Look("sutton_coldfield_payments_over_250_2017-18_q3", "xlsx", "Royal Sutton Coldfield Town Council", "GB",
                "payments over £250, one quarter (PDF converted to Excel, one sheet per page)", """A two-line header
                ('Unrecoverable' over 'VAT') on row 1; a document date and a paid date; page 2 is a sheet with two
                title lines and no header, one column fewer (its columns sit one place left of page 1's); amounts as
                text with separators or numbers; references mixing text ('MC3 17/8') and numbers (300003).""",
                [dict(sheet="Page 1", table="payments", header_row=2, header_lines=2, data_rows=20, records=20,
                      columns={"Paid Date": "payment_date", "Doc Date": "invoice_date", "Ref": "payment_id",
                               "Payee": "vendor_name", "£ (net)": "amount", "Category": "category"},
                      totals={"amount": total(a1)}),
                 dict(sheet="Page 2", table="payments", header_row=0, above_header=2, data_rows=12, records=12,
                      totals={"amount": total(a2)})],
                {"Page 1": page1, "Page 2": page2})


def _texas_po(name: str, sheet: str, n: int) -> Look:
    rng = random.Random(name)
    rows = [["Title", "PO Number", "PO Amount", "Agency/Texas SmartBuy Member Number", "Vendor Name",
             "Vendor Contact Number", "Vendor ID", "Vendor Email", "Award Date", "NIGP Codes"]]
    amounts = []
    for i in range(n):
        amount = money(rng, 5000, 900000)
        amounts.append(amount)
        po = rng.choice([f"2{rng.randint(3, 5)}P00{rng.randint(10000, 99999)}", float(rng.randint(300000, 399999)),
                         f"CTR00{rng.randint(1000, 9999)}", f"HHSTX-{rng.randint(3, 5)}-0000{rng.randint(100000, 399999)}"])
        if i == n - 2:
            po = rows[3][1]  # a PO listed again
        vid = float(rng.randint(1000000000, 19999999999)) if i % 11 else f"{rng.randint(1000000000, 1999999999)} {rng.randint(1, 9)}"
        rows.append([rng.choice(_TITLES), po, float(amount), float(rng.choice([302, 405, 529, 537])) if i % 7 else "E0920",
                     vendor(rng), rng.choice([f"({rng.randint(200, 999)}) 555-{rng.randint(1000, 9999)}",
                                              f"{rng.randint(200, 999)}-555-{rng.randint(1000, 9999)}"]),
                     vid, f"sales{i}@example.invalid", day(rng, date(2023, 1, 1), 850),
                     f"{rng.randint(20000, 96999)}-*{rng.choice(_W2)};" + ("\n92045-*Software Maintenance;" if i % 4 == 0 else "")])
    return Look(name, "xlsx", "State of Texas (ESBD awards without solicitation, DIR contracts)", "US",
                "purchase orders awarded without a solicitation, as the ESBD exports them", f"""Sheet '{sheet}'; PO
                numbers mixing text and numbers; one PO listed twice (report, do not drop); vendor ids as long numbers
                (one as text with a space); phone and email columns; member numbers mixing numbers and 'E0920'; an
                award date, no start or end date; multi-line NIGP codes.""",
                [dict(sheet=sheet, table="contracts", header_row=1, data_rows=n, records=n,
                      columns={"PO Number": "contract_id", "Title": "title", "Vendor Name": "vendor_name",
                               "Vendor ID": "vendor_id", "PO Amount": ["original_amount", "current_amount"],
                               "Award Date": ["executed_date", "start_date"]},
                      not_mapped=["Vendor Contact Number", "Vendor Email"],
                      totals={"original_amount|current_amount": total(amounts)})],
                {sheet: rows})


def _texas_solicitations(name: str, sheet: str, tracker: bool = False) -> Look:
    rng = random.Random(name)
    head = ["Name", "Solicitation ID", "Due Date", "Due Time", "Agency/Texas SmartBuy Member Number", "Status",
            "Posting Date", "Created", "Last Modified", "NIGP Codes"]
    if tracker:
        head = ["name", "solicitation_id", "due_date", "due_time", "agency/texas_smartbuy_member_number", "status",
                "posting_date", "created", "last_modified", "nigp_codes", "source_file", "source_sheet"]
    rows = [head]
    for i in range(28):
        sid = rng.choice([f"{rng.randint(300, 799)}-2{rng.randint(3, 5)}-ITB-{rng.randint(100, 999)}",
                          f"HHS00{rng.randint(10000, 19999)}", f"RFO{rng.randint(300, 799)}-25-{rng.randint(1000, 9999)}",
                          float(601440000000000 + rng.randint(10000, 99999))])
        post = day(rng, date(2023, 1, 1), 800)
        due = post + timedelta(days=rng.randint(10, 40))
        created = datetime.combine(post - timedelta(days=rng.randint(0, 5)), time(rng.randint(8, 17), rng.randint(0, 59)))
        nigp = f"{rng.randint(20000, 96999)}-{rng.choice(_W2)};" + ("\n91829-*Consulting;" if i % 3 == 0 else "")
        row = [rng.choice(_TITLES), sid, due, time(rng.choice([10, 14, 15]), rng.choice([0, 30])),
               float(rng.choice([302, 405, 529, 601])) if i % 6 else "E0920", "Awarded", post, created,
               created + timedelta(days=400)]
        if tracker:
            row[3] = row[3].strftime("%H:%M:%S")
            row.append(nigp.replace(" ", "").replace("-", "").replace("*", "").replace("\n", ","))
            src = rng.choice(["204", "208", "920"])
            row += [f"{src}_solicitation_20230101.xlsx", src]
        else:
            row.append(nigp)
        rows.append(row)
    cols = ({"solicitation_id": "solicitation_id", "name": "title", "due_date": "due_date",
             "posting_date": "issue_date", "status": "status"} if tracker else
            {"Solicitation ID": "solicitation_id", "Name": "title", "Due Date": "due_date",
             "Posting Date": "issue_date", "Status": "status"})
    not_mapped = (["created", "last_modified", "due_time", "source_file", "source_sheet"] if tracker
                  else ["Created", "Last Modified", "Due Time"])
    quirks = ("""snake_case headers ('agency/texas_smartbuy_member_number'); NIGP codes with spaces squeezed out;
              due time as text '14:00:00'; 'source_file' and 'source_sheet' naming the extract of each row."""
              if tracker else f"""Sheet '{sheet}'; solicitation ids mixing text and long numbers (601440000012345);
              no method column (the method only shows inside ids: ITB, RFO); due time in its own column; multi-line
              NIGP codes; 'Created' and 'Last Modified' are record timestamps, not procurement dates.""")
    return Look(name, "xlsx", "State of Texas (Electronic State Business Daily)", "US",
                "a solicitation log of awarded ESBD solicitations", quirks,
                [dict(sheet=sheet, table="solicitations", header_row=1, data_rows=28, records=28, columns=cols,
                      not_mapped=not_mapped)], {sheet: rows})


def _wvu(name: str, year: int) -> Look:
    rng = random.Random(name)
    head = ["Purchasing Org", "Approved Date", "Supplier Contact", "Number", "Line", "Category", "Description",
            "Quantity", "UOM", "Price", "Amount", "Buyer", "Cancelled", "Closure Status", "[ ]", "Type", "Supplier",
            "Site", "Currency", "Item Rev", "Contract Num", "Ver", "Supplier Item", "Item"]
    rows, amounts, po = [head], [], 50200000 + year
    while len(rows) < 31:
        po += rng.randint(1, 9)
        approved = datetime.combine(day(rng, date(year, 1, 2), 330), time(rng.randint(7, 16), rng.randint(0, 59),
                                                                           rng.randint(0, 59)))
        sup = vendor(rng, upper=True)
        for line in range(1, rng.randint(2, 4)):
            by_dollar = rng.random() < 0.5
            if by_dollar:
                qty, uom, price = money(rng, 50, 40000), "US Dollar", Decimal(1)
            else:
                qty, uom, price = Decimal(rng.randint(1, 20)), "Each", money(rng, 10, 3000)
            amount = (qty * price).quantize(CENT) if line < 3 else Decimal(0).quantize(CENT)
            amounts.append(amount)
            rows.append(["Morgantown Procurement", approved, "", float(po), float(line),
                         rng.choice(["PROFESSIONAL & CONTRACTUAL SERVICE", "SUBCONTRACTS", "COMPUTER EQUIP., SOFTWARE"]),
                         rng.choice(_TITLES).upper() if line < 3 else "Change Order - extend period", float(qty), uom,
                         float(price), float(amount), rng.choice(["Lund, Avery", "Hale, Devon J"]),
                         "*" if rng.random() < 0.2 else "", rng.choice(["Closed", "Open"]), "", "Services", sup,
                         f"AD0000{rng.randint(10, 99)}", "USD", "", "", "", "", ""])
    n = len(rows) - 1
    return Look(name, "xlsx", "State of West Virginia (West Virginia University procurement)", "US",
                "a purchase-order line register as the ERP exports it", """PO number repeated once per line; 'UOM'
                'US Dollar' with the dollar amount in 'Quantity' and 'Price' 1.0 on service lines; 'Cancelled' '*'
                on some lines; '[ ]' an all-blank column; 'Approved Date' with a time of day; no end date;
                0.00 change-order lines.""",
                [dict(sheet="Sheet1", table="contracts", header_row=1, data_rows=n, records=n,
                      columns={"Number": "contract_id", "Supplier": "vendor_name",
                               "Amount": ["original_amount", "current_amount"],
                               "Approved Date": ["start_date", "executed_date"], "Description": "title",
                               "Category": "category"},
                      not_mapped=["[ ]", "Price", "Quantity", "Supplier Contact", "Site"],
                      totals={"original_amount|current_amount": total(amounts)})],
                {"Sheet1": rows})


def canadabuys_bc_contract_awards() -> Look:
    rng = random.Random("canadabuys")
    rows, values = [["winner_company", "contract_value", "date", "tender_title", "url"]], []
    for i in range(18):
        blank = i == 7
        value = money(rng, 90000, 9000000)
        if not blank:
            values.append(value)
        title = rng.choice(_TITLES) + rng.choice(["", " – Site A", ", British Columbia", ", Example National Park"])
        rows.append([vendor(rng, "CA"), "" if blank else f"CAD {value:,.2f}",
                     day(rng, date(2025, 6, 1), 360).strftime("%Y/%m/%d"), title,
                     f"https://canadabuys.example.invalid/en/tender-opportunities/award-notice/cb-{rng.randint(100, 999)}-{rng.randint(100000, 99999999)}"])
    return Look("canadabuys_bc_contract_awards", "csv", "Government of Canada (CanadaBuys award notices)", "CA",
                "an award log of federal contract awards", """Collector's headers (winner_company, contract_value, date,
                tender_title, url); values 'CAD 273,936.60' quoted; one award without a value; dates yyyy/mm/dd; the
                only identifier is the award-notice URL; en dashes in titles.""",
                [dict(table="solicitations", header_row=1, data_rows=18, records=18,
                      columns={"url": "solicitation_id", "winner_company": "awarded_vendor_name",
                               "contract_value": "awarded_amount", "date": "award_date", "tender_title": "title"},
                      totals={"awarded_amount": total(values)})],
                csv_bytes(rows))


def buyandsell_tender_notices_2019() -> Look:
    rng = random.Random("buyandsell")
    lines = [" title|url"]
    for _ in range(16):
        number = f"{rng.choice(['W', 'F', 'T', 'E'])}{rng.randint(1000, 9999)}-{rng.randint(180000, 199999)}/{rng.choice('AB')}"
        lines.append(f" {rng.choice(_TITLES)} ({number})|https://buyandsell.example.invalid/procurement-data/tender-notice/"
                     f"PW-{rng.choice(['PET', 'TOR', 'VIC', 'WPG'])}-{rng.randint(1, 999):03d}-{rng.randint(1000, 99999)}")
    return Look("buyandsell_tender_notices_2019", "csv", "Government of Canada (buyandsell.gc.ca tender notices)", "CA",
                "a solicitation log of open tender notices", """Pipe-delimited, CRLF, every line (the header too) starting
                with a space; the solicitation number only inside the title in parentheses and the notice number inside
                the URL; no dates or values.""",
                [dict(table="solicitations", header_row=1, data_rows=16, records=16,
                      columns={"title": "title", "url": "solicitation_id"})],
                ("\r\n".join(lines) + "\r\n").encode("utf-8"))


def assam_tenders_ocds_2021_22_sample() -> Look:
    rng = random.Random("assam")
    head = ["ocid", "initiationType", "tag", "id", "date", "tender/id", "tender/externalReference", "tender/title",
            "tender/mainProcurementCategory", "tender/procurementMethod", "tender/contractType",
            "tenderclassification/description", "tender/submissionMethodDetails", "tender/value/amount",
            "tender/datePublished", "tender/milestones/type", "tender/tenderPeriod/durationInDays", "tender/status",
            "tender/stage", "tender/numberOfTenderers", "tender/milestones/type.1", "tender/bidOpening/date",
            "buyer/name", "fiscal_year"]
    rows, values = [head], []
    for _ in range(30):
        tid = f"2021_{rng.choice(['PWD', 'WRD', 'FOR'])}_{rng.randint(10000, 29999)}_{rng.randint(1, 9)}"
        value = Decimal(rng.randint(200000, 90000000))
        values.append(value)
        pub = datetime.combine(day(rng, date(2021, 4, 1), 360), time(rng.randint(9, 17), rng.choice([0, 30])))
        rows.append([f"ocds-xxxxxx-{tid}", "tender", "tender", "1", "29-09-2022", tid,
                     f"EE/{rng.choice(['RD', 'BLD'])}/{rng.randint(1, 99)}/2021-22", rng.choice(_TITLES),
                     rng.choice(["Works", "Goods", "Services"]), rng.choice(["Open Tender"] * 6 + ["Limited"]),
                     rng.choice(["Item Rate", "Supply"]), rng.choice(["Civil Works – Roads", "Supply of Materials"]),
                     "NA", str(value), pub.strftime("%d-%m-%Y %H:%M"), "assessment", str(rng.choice([7, 14, 21, 180])),
                     "NA", rng.choice(["To be Opened", "Technical Evaluation", "Retender", "Financial Bid Opening"]),
                     rng.choice(["0", "2", "3", "5", "NA"]), "assessment",
                     (pub + timedelta(days=20)).strftime("%d-%m-%Y %H:%M"),
                     rng.choice(["Public Works Roads Department", "Department of Water Resources"]), "2021-2022"])
    return Look("assam_tenders_ocds_2021-22_sample", "csv", "Government of Assam (OCDS-mapped tenders)", "IN",
                "a solicitation log flattened from OCDS", """OCDS paths as headers ('tender/id', 'tender/value/amount',
                'buyer/name') with a pandas '.1' suffix; CRLF; 'NA' for missing values; dd-mm-yyyy dates, some with a
                time; 'date' is the release date (the same on every row); methods 'Open Tender' and 'Limited'; whole
                rupee values.""",
                [dict(table="solicitations", header_row=1, data_rows=30, records=30,
                      columns={"tender/id": "solicitation_id", "tender/title": "title",
                               "tender/procurementMethod": "method", "tender/value/amount": "estimated_amount",
                               "tender/datePublished": "issue_date", "buyer/name": "department",
                               "tender/numberOfTenderers": "bids_received"},
                      not_mapped=["date", "ocid", "id", "fiscal_year", "tender/tenderPeriod/durationInDays"],
                      totals={"estimated_amount": total(values)})],
                csv_bytes(rows, newline="\r\n"))


def portugal_public_works_contracts_2015_2022() -> Look:
    rng = random.Random("portugal")
    head = ["", "ID", "Descrição Breve", "Cpvs", "Designação Cpvs", "Critério Ambiental (F/V)", "Ano de publicação",
            "Ano de fecho", "País", "Município", "Distrito", "Prazo de submissão (dias)", "Data de celebração",
            "Data de fecho", "Prazo de execução (dias)", "Preço Base (€)", "Preço Inicial (€)", "Preço Efetivo (€)",
            "Diferença de Preço", "Critério de adjudicação", "Caução", "Publicado no Jornal EU",
            "Número de concorrentes", "Justificação para mudança de preço"]
    rows, initial, final = [head], [], []
    for i in range(26):
        start = day(rng, date(2015, 1, 1), 2500)
        ini = money(rng, 10000, 3000000)
        eff = (ini * Decimal(rng.choice(["1", "1", "1.05", "0.97", "1.12"]))).quantize(CENT)
        initial.append(ini)
        final.append(eff)
        rows.append([float(i), float(rng.randint(100000, 9999999)), "Empreitada de " + rng.choice(["reabilitação",
                     "construção", "reparação"]) + f" do edifício {i}", f"45{rng.randint(100000, 999999)}-{rng.randint(1, 9)}",
                     "Obras de construção", False, str(start.year), str(start.year + 1), "Portugal",
                     " " + rng.choice(["Vila Exemplo", "Monte Alto", "Ribeira Nova"]), rng.choice(["Faro", "Viseu", "Braga"]),
                     "N/A" if i % 5 == 0 else float(rng.randint(10, 40)), start.strftime("%d-%m-%Y"),
                     (start + timedelta(days=rng.randint(60, 700))).strftime("%d-%m-%Y"), float(rng.randint(30, 400)),
                     "N/A" if i % 9 == 0 else float((ini * Decimal("1.02")).quantize(CENT)), float(ini), float(eff),
                     float(ini - eff), rng.choice(["Preço\n", "Melhor relação qualidade-preço"]),
                     rng.choice(["N/A", " 5\n \n"]), rng.choice(["Não", "Sim"]), float(rng.randint(1, 8)),
                     rng.choice(["N/A", "Revisão de preços"])])
    return Look("portugal_public_works_contracts_2015-2022", "xlsx", "Portugal (public works contracts, Portal BASE)",
                "PT", "a contract register with Portuguese headers", """Portuguese headers with units ('Preço Inicial
                (€)'); an unnamed index column; dd-mm-yyyy text dates; 'N/A' text for missing values; a padded
                municipality; cells with line breaks; no supplier column; initial and effective price besides the base
                (estimate) price; 'Critério de adjudicação' is the award criterion, not the procedure.""",
                [dict(sheet="Sheet1", table="contracts", header_row=1, data_rows=26, records=26,
                      columns={"ID": "contract_id", "Descrição Breve": "title",
                               "Data de celebração": ["executed_date", "start_date"],
                               "Preço Inicial (€)": "original_amount", "Preço Efetivo (€)": "current_amount"},
                      not_mapped=["Preço Base (€)", "Diferença de Preço", "Critério de adjudicação",
                                  "Número de concorrentes", "Prazo de submissão (dias)"],
                      totals={"original_amount": total(initial), "current_amount": total(final)})],
                {"Sheet1": rows})


def _mndot(name: str, old: bool) -> Look:
    rng = random.Random(name)
    contract = "230417"
    bidders = [(f"00003{rng.randint(10000, 99999)}", vendor(rng).replace(" Inc", ", Inc.")) for _ in range(4)]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    w.writerow(["Letting Date", "Job Description", "Contract Id", "SP Number", "District", "County"])
    w.writerow(["03/10/2023", "LOCATED ON T.H. 12 FROM EXAMPLE RD TO 4TH ST.", contract, "1234-56", "Example", "EXAMPLE"])
    out.write("\r\n")
    labels = [b[0] if old else b[1] for b in bidders]
    head = ["ContractId", "SectionDescription", "LineNumber", "ItemNumber", "ItemDescription", "UnitPrice", "Quantity",
            "UnitName", "Engineers (Unit Price)", "Engineers (Extended Amount)"]
    for label in labels:
        head += [f"{label} (Unit Price) ", f"{label} (Extension)  "]
    w.writerow(head)
    totals = [Decimal(0)] * len(bidders)
    for k in range(24):
        qty = Decimal(rng.choice([1, 1, rng.randint(2, 900), rng.randint(1000, 90000)]))
        if qty == 1:  # lump sums: thousands; counted items: tens to hundreds; lengths and tons: cents to dollars
            eng = Decimal(rng.randint(100000, 15000000)) / 100
        elif qty < 1000:
            eng = Decimal(rng.randint(1000, 90000)) / 100
        else:
            eng = Decimal(rng.randint(30, 500)) / 100
        row = [contract, "0001 -  SP 1234-56", f"{(k + 1) * 5:04d}", f"{rng.randint(2011, 2582)}{rng.randint(501, 604)}/{rng.randint(0, 99999):05d}",
               rng.choice(_TITLES).upper() + (" 6\\'' LINE" if k % 9 == 4 else ""), f"{eng}", f"{qty}",
               rng.choice(["LS", "EACH", "L F", "TON"]), f"{eng}", f"{(eng * qty).normalize():f}"]
        for b in range(len(bidders)):
            unit = (eng * Decimal(rng.choice(["0.8", "0.95", "1", "1.1", "1.3"]))).quantize(CENT)
            ext = (unit * qty).quantize(CENT)
            totals[b] += ext
            row += [f"${unit:,.2f}".replace("$0.", "$.").rjust(16), f"${ext:,.2f}".replace("$0.", "$.").rjust(16)]
        w.writerow(row)
    out.write("\r\n")
    w.writerow(["Bidder Number", "Bidder Name", "Bidder Amount"])
    shown = bidders[:2] if old else bidders
    for (num, nm), t in zip(shown, totals, strict=False):
        w.writerow([num, nm, f"${t:,.2f}".rjust(16)])
    if old:
        out.write("\r\n")
    summary = len(shown) + 1
    return Look(name, "csv", "Minnesota Department of Transportation", "US",
                "a WIDE bid tabulation (a unit price / extension pair per bidder) with a bidder summary",
                ("""Older format: bidder NUMBERS head the bidder columns, names only in the summary, which lists two of
                 the four bidders; a trailing blank line. """ if old else "") + """Three stacked tables (project block,
                blank line, pay-item table, blank line, bidder summary), every value quoted, CRLF; the engineer's
                estimate columns first; header cells with trailing spaces; bid money as padded text ('       $5,200.00',
                '            $.77'); 'UnitPrice' is the engineer's unit price.""",
                [dict(table="bids", header_row=4, above_header=2, data_rows=24 + summary, records=4,
                      columns={"ContractId": "solicitation_id"},
                      not_mapped=["Engineers (Unit Price)", "Engineers (Extended Amount)", "UnitPrice", "Quantity",
                                  "LineNumber", "ItemNumber"],
                      totals={"bid_amount": total(totals)},
                      notes="Four bids: each bidder's extensions summed over the 24 items.")],
                out.getvalue().encode("utf-8"))


def florida_vendor_payments_fy2014_justice_admin() -> Look:
    rng = random.Random("florida")
    lines, amounts = [], []
    for _ in range(12):
        name = (vendor(rng, upper=True) + " OF THE EXAMPLE REGION")[:30]
        amount = money(rng, 100, 20000)
        amounts.append(amount)
        fields = ["2014", "F", f"XXXXX{rng.randint(1000, 9999)}", name.ljust(30), f"PO BOX {rng.randint(100, 9999)}".ljust(31),
                  " " * 31, " " * 31, f"{rng.choice(['SARASOTA', 'OCALA', 'MIAMI']):<17}FL {rng.randint(32000, 34999)}      ",
                  "210000", "JUSTICE ADMINISTRATION".ljust(41), f"D40{rng.randint(10000000, 99999999)}",
                  f"0{rng.randint(100000, 999999)}", day(rng, date(2013, 7, 1), 360).isoformat(),
                  f"VPT{rng.randint(1, 99)}".ljust(7), "305", "5470557", str(rng.randint(100, 999999)).ljust(9), "131300",
                  "CONSULTING SERVICES".ljust(48), f"+{amount:013.2f}"]
        lines.append("|".join(fields))
    return Look("florida_vendor_payments_fy2014_justice_admin", "txt", "State of Florida (state vendor payments)", "US",
                "a state checkbook extract with no header row", """No header row; pipe-delimited and fixed-width (fields
                padded to their width); vendor names cut at 30 characters; masked vendor ids ('XXXXX4339'); signed,
                zero-padded amounts ('+0000002500.00'); a '.txt' file without a final newline.""",
                [dict(table="payments", header_row=0, data_rows=12, records=12, totals={"amount": total(amounts)})],
                "\n".join(lines).encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# Exports from governments the first corpus had not seen (issue 13, branch unseen)


def craven_spend_over_500_2017_03() -> Look:
    rng = random.Random("craven")
    head = ["Body Name", "Transaction No", "Supplier ID", "Supplier Name", "Payment Date", "Account Code",
            "Account Code", "Cost Centre Code", "Cost Centre Code", "Amount"]
    rows, amounts = [head], []
    accounts = [("1040", "Disposal Fees"), ("1150", "External services"), ("2080", "Grants & Donations"),
                ("1090", "Printing & Stationery"), ("1835", "Software & Licensing")]
    centres = [("R203", "Recycling"), ("R132", "Car Park-High St, Example"), ("R355", "Communications, Partnerships")]
    tx = 57011300
    for i in range(30):
        if i % 7 != 3:  # a split invoice keeps its transaction number
            tx += rng.randint(1, 40)
        amount = Decimal(rng.randint(501, 40000)) if i % 4 == 0 else money(rng, 501, 40000)
        if i == 9:
            amount = Decimal("514.5").quantize(CENT)
        amounts.append(amount)
        name = vendor(rng, "GB") if i != 12 else "Neville\u00b4s Kitchen"
        text = "514.5" if i == 9 else f"{amount:,.0f}" if i % 4 == 0 else f"{amount:,.2f}"
        code, desc = rng.choice(accounts)
        cc, ccname = rng.choice(centres)
        rows.append(["Craven Example Council", str(tx), str(10000 + 37 * i), name,
                     day(rng, date(2017, 3, 1), 31).strftime("%d/%m/%Y"), code, desc, cc, ccname, text])
    rows.append(["", "", "", "", "", "", "", "", "", f"{sum(amounts):,.2f}"])
    return Look("craven_spend_over_500_2017-03", "csv", "Craven District Council", "GB",
                "a district council's payments over £500, one month", """Windows-1252 (a supplier with U+00B4 in
                its name); CRLF; 'Account Code' and 'Cost Centre Code' each twice (code, then description); amounts
                quoted with separators ('1,234.56') or bare and whole ('642', '514.5'); a last line of empty cells
                with the month's total under Amount; transaction numbers repeat for split invoices.""",
                [dict(table="payments", header_row=1, data_rows=31, records=30,
                      columns={"Supplier Name": "vendor_name", "Supplier ID": "vendor_id",
                               "Payment Date": "payment_date", "Amount": "amount", "Transaction No": "payment_id"},
                      not_mapped=["Body Name"], totals={"amount": total(amounts)},
                      notes="30 payments; the last line is the total row, equal to their sum.")],
                csv_bytes(rows, newline="\r\n", encoding="cp1252"))


def richland_county_sc_check_register_2013_04() -> Look:
    rng = random.Random("richland")
    lines, amounts = [], []
    for i in range(40):
        treasurer = i >= 26
        if treasurer:
            payee = rng.choice(["Treasurer Tax Refund", f"{rng.choice(['MORROW', 'VANCE', 'HALE'])}, "
                                f"{rng.choice(['AVERY J', 'CASEY', 'DEVON R'])}"])
        elif i % 5 == 2:
            payee = f"{rng.choice(['LUND', 'PIKE', 'ROWE'])}, {rng.choice(['BLAKE T', 'JORDAN', 'LOGAN M.'])}"
        elif i == 17:
            payee = "ASHBY, JR, KENDALL MORGAN"
        else:
            payee = vendor(rng, upper=True).replace(".", "")
        amount = Decimal(rng.randint(5, 90000)) if i % 6 == 0 else money(rng, 5, 400000)
        amounts.append(amount)
        text = f"{amount.normalize():f}"  # '276', '862.5', '2951.87'
        status = "" if i == 30 else ("CX" if treasurer and i % 2 else "IS")
        lines.append(",".join([day(rng, date(2013, 4, 1), 30).strftime("%m/%d/%Y"), "TR" if treasurer else "AP",
                               str(290700 + i) if treasurer else str(51170 + i),
                               rng.choice(["JE", "IP"]) if treasurer else "OH", payee, status, text]))
    return Look("richland_county_sc_check_register_2013-04", "txt", "Richland County, South Carolina", "US",
                "a county check register with no header row", """No header row; nothing quoted, so payees written
                'SURNAME, GIVEN' spill into an extra field (7, 8 or 9 fields a line; the amount is always last);
                LF endings in a '.txt' file; plain amounts ('2951.87', '276', '862.5'); accounts payable (AP) checks
                then treasurer (TR) refunds; a status IS or CX, once blank.""",
                [dict(table="payments", header_row=0, data_rows=40, records=40, totals={"amount": total(amounts)})],
                ("\n".join(lines) + "\n").encode("ascii"))


def _hyndburn_2019() -> Look:
    rng = random.Random("hyndburn-2019")
    head = "Service Cost Centre,Account Detail,Description,HBC ref no,Name,Payment date,Net Amount(\u00a3)"
    lines, amounts = [head], []
    for i in range(30):
        amount = money(rng, 251, 60000)
        amounts.append(amount)
        ref = f"B0000{20200 + i // 6}/{rng.randint(1000, 60000)}" if i < 27 else str(31890 + i)
        lines.append(",".join([rng.choice(_DEPTS_GB).upper().replace(",", ""),
                               rng.choice(["AGENCY STAFF", "BANK CHARGES", "WATER CHARGES", "MATERIALS-DIRECT"]),
                               rng.choice(_TITLES).upper(), ref, vendor(rng, "GB", upper=True),
                               day(rng, date(2019, 6, 1), 30).strftime("%d/%m/%Y"), f"{amount:.2f}"]))
    text = "\r".join(lines) + "\r\n"  # bare CRs, the last line CRLF
    return Look("hyndburn_spend_over_250_2019-06", "csv", "Hyndburn Borough Council", "GB",
                "a borough council's payments over £250, one month", """Lines end with a bare CR (classic Mac), the
                last with CRLF; Windows-1252 ('Net Amount(£)' with byte 0xA3); nothing quoted; batch references
                ('B000020205/19414', bare '31892') repeat across a payment run.""",
                [dict(table="payments", header_row=1, data_rows=30, records=30,
                      columns={"Name": "vendor_name", "Payment date": "payment_date", "Net Amount(\u00a3)": "amount",
                               "Service Cost Centre": "department", "Account Detail": "category",
                               "HBC ref no": "payment_id"},
                      not_mapped=["Description"], totals={"amount": total(amounts)})],
                text.encode("cp1252"))


def _hyndburn_2025() -> Look:
    rng = random.Random("hyndburn-2025")
    head = ["Department Area", "", "Service Area", "", "Description", "", "", "Line", "", "HBC Ref No.", "",
            "Name:  ", "", "", "Payment Date", "", "Amount Paid"]
    depts = [("ENVS - Environmental Services", ["CAD - Town Centre & Markets", "CAC - Parks & Cemeteries"]),
             ("RESO - Resources", ["AAF - Finance"]), ("PLAN - Planning & Transportation", ["EAD - Planning"])]
    rows, amounts = [head], []
    ref, line = 10300, 0
    for i in range(34):
        if i % 4 == 0 or line >= 5:
            ref, line = ref + rng.randint(1, 30), 0
        line += 1
        amount = money(rng, 251, 130000)
        credit = i in (7, 19, 26)
        if credit:
            amount = -amount
        amounts.append(amount)
        dept, areas = rng.choice(depts)
        desc = rng.choice(_TITLES) + (" \n1 x second line of the order\nthird line" if i % 9 == 4 else "")
        if i == 13:
            desc = "Site 11 02/12/2024 -\r\n  01/01/2025 Example Offices"
        text = f"{abs(amount):,.2f}" + ("-" if credit else "")
        rows.append([dept, "", rng.choice(areas), "", desc, "", "", str(line), "",
                     rng.choice(["CRINV", "CRPOI"]) + f"00{ref}", "", vendor(rng, "GB"), "", "",
                     day(rng, date(2025, 6, 1), 30).strftime("%d/%m/%Y"), "", text])
    return Look("hyndburn_spend_over_250_2025-06", "csv", "Hyndburn Borough Council", "GB",
                "a borough council's payments over £250 saved to CSV from a report with merged cells", """Empty
                spacer columns with no header between the real ones (17 columns, 9 always empty); 'Name:  ' with a
                colon and trailing spaces; line breaks inside quoted descriptions; credits with a trailing minus
                ('38,937.00-'); quoted amounts with separators; invoice lines numbered in 'Line' under a repeated
                reference; 'CODE - Name' departments.""",
                [dict(table="payments", header_row=1, data_rows=34, records=34,
                      columns={"Name:  ": "vendor_name", "Payment Date": "payment_date", "Amount Paid": "amount",
                               "Department Area": "department", "HBC Ref No.": "payment_id"},
                      not_mapped=["Line", "Description"], totals={"amount": total(amounts)})],
                csv_bytes(rows, newline="\r\n"))


def lancashire_fire_spend_2024_25() -> Look:
    rng = random.Random("lancashire-fire")
    rows, amounts = [["Transaction Number", "Date", "Expenditure Category", "Supplier Name", "Supplier Classification",
                      "Amount"]], []
    tx = 6006300
    for i in range(36):
        amount = money(rng, 500, 90000)
        amounts.append(amount)
        d = day(rng, date(2024, 4, 1), 360)
        if i % 9 == 0:  # card and adjustment lines: text references, plain dates
            ref, when = f"CCq{101 + i // 9}", d
        else:
            if i % 3:
                tx += rng.randint(1, 60)
            ref = float(tx) if i < 20 else str(tx)  # stored as a number, later as text
            when = datetime.combine(d, time(19 if i % 11 == 5 else 1, 0))
        rows.append([ref, when, rng.choice(["lfrs.expenditure.supplies_&_services.equipment_general",
                                            "works - construction, repair & maint.buildings.repair & maintenance.service",
                                            "LFRS.EXPENDITURE.SUPPLIES & SERVICES.SUBSISTENCE"]),
                     vendor(rng, "GB").lower(), rng.choice(["equipment general", "repairs & maintenance general",
                                                           "SUBSISTENCE"]), float(amount)])
    return Look("lancashire_fire_spend_2024-25", "xlsx", "Lancashire Fire and Rescue Service", "GB",
                "a fire authority's payments over £500 for a year, one sheet", """Sheet 'Sheet1 (2)'; transaction
                numbers stored as numbers in some rows and as text in others, with card references ('CCq101');
                date-times at 01:00 (and 19:00) mixed with plain dates; dotted ledger paths as categories in mixed
                case; lower-case supplier names; transaction numbers repeat per invoice line.""",
                [dict(sheet="Sheet1 (2)", table="payments", header_row=1, data_rows=36, records=36,
                      columns={"Transaction Number": "payment_id", "Date": "payment_date",
                               "Supplier Name": "vendor_name", "Amount": "amount"},
                      totals={"amount": total(amounts)})],
                {"Sheet1 (2)": rows})


def maryland_mbe_directory_2017() -> Look:
    rng = random.Random("maryland-mbe")
    head = ["zip", "products_services", "naics_code", "address", "city", "county", "certification_number",
            "geocoded_location_latitude", "geocoded_location_human_address", "geocoded_location_needs_recoding",
            "geocoded_location_longitude", "minority_group", "phone_phone_number", "contact", "name", "state",
            "fax_phone_number", "certification_date", "contact_email_address", "website_url"]
    rows = [head]
    programs = ["MBE/DBE/SBE", "MBE/DBE/SBE", "DBE/SBE-ONLY", "MBE-ONLY", "SBE-ONLY", "MBE/DBE/SBE/ACDBE"]
    groups = ["AFRICAN AMERICAN", "FEMALE", "AFRICAN AMERICAN / FEMALE", "HISPANIC AMERICAN", "NR (SBE ONLY)",
              "ASIAN AMERICAN SUB-CONTINENT / FEMALE"]
    for i in range(30):
        name = vendor(rng, upper=True)
        state = "MD" if i % 5 else rng.choice(["VA", "NJ", "DC"])
        zipcode = str(rng.randint(20600, 21900)) if state == "MD" else str(rng.choice([8873, 20170, 20001]))
        street = f"{rng.randint(10, 9999)} EXAMPLE ROAD" + (", SUITE 200" if i % 4 == 0 else "")
        city = rng.choice(["BALTIMORE", "LAUREL", "SILVER SPRING", "ANNAPOLIS"])
        prog = rng.choice(programs)
        codes = ", ".join(f"{rng.choice([541611, 561320, 238910, 484220])}-{prog}" for _ in range(rng.randint(1, 3)))
        if i == 11:
            codes = "."
        human = json.dumps({"address": street, "city": city, "state": state, "zip": zipcode}, separators=(",", ":"))
        lat, lon = ("", "") if i % 6 == 2 else (f"{rng.uniform(38.5, 39.6):.6f}", f"{-rng.uniform(76.2, 77.4):.6f}")
        rows.append([zipcode, rng.choice(_TITLES).upper() + " SERVICES", codes, street, city,
                     "OTHER STATE" if state != "MD" else rng.choice(["PRINCE GEORGE'S", "BALTIMORE CITY", "HOWARD"]),
                     f"{rng.randint(5, 17):02d}-{rng.randint(1, 700):03d}", lat, human, "false", lon,
                     rng.choice(groups), str(rng.randint(2012000000, 4439999999)), rng.choice(_PEOPLE).upper(), name,
                     state, "" if i % 3 else str(rng.randint(2012000000, 4439999999)),
                     datetime.combine(day(rng, date(2005, 1, 1), 4500), time(0, 0)).strftime("%Y-%m-%dT%H:%M:%S"),
                     "" if i % 7 == 0 else f"INFO@EXAMPLE{i}.INVALID", "" if i % 2 else f"http://WWW.EXAMPLE{i}.INVALID"])
    return Look("maryland_mbe_directory_2017", "csv", "State of Maryland (MDOT Office of Minority Business Enterprise)",
                "US", "a state certified-vendor (MBE/DBE/SBE) directory flattened from JSON", """Snake_case headers
                flattened from nested JSON ('geocoded_location_human_address' holding a JSON string with doubled
                quotes, 'phone_phone_number'); the certification programs inside the NAICS codes
                ('541611-MBE/DBE/SBE, 561320-MBE/DBE/SBE', once '.'); owners' group and sex in 'minority_group';
                certification numbers 'YY-NNN'; ISO date-times; ZIP codes without leading zeros; out-of-state firms
                with county 'OTHER STATE'.""",
                [dict(table="vendors", header_row=1, data_rows=30, records=30,
                      columns={"name": "vendor_name", "certification_number": "vendor_id",
                               "certification_date": "registration_date"},
                      not_mapped=["zip", "geocoded_location_latitude", "geocoded_location_longitude",
                                  "geocoded_location_needs_recoding", "phone_phone_number", "fax_phone_number",
                                  "website_url"])],
                csv_bytes(rows))


def michigan_dot_bid_tabs_letting_2021_02_12() -> Look:
    rng = random.Random("michigan-dot")
    head = ["Call ", "Proposal ID", "Ln Num", "Section", "Item Description/Supplemental Description", "Unit",
            "Quantity", "Vendor Name", "Bid Price", "Ext Amount", "Vend Rank"]
    bidders = [vendor(rng) for _ in range(4)]
    items = [("Mobilization, Max$85,000.00", "LSUM", Decimal(1)), ("Erosion Control, Silt Fence", "Ft", Decimal(1250)),
             ("Hand Patching", "Ton", Decimal(40)), ("Conc Pavt, Misc, Nonreinf, 8 inch", "Syd", Decimal(310)),
             ("Pavt Mrkg, Waterborne, 4 inch, White", "Ft", Decimal(6400)), ("Traffic Control", "LSUM", Decimal(1)),
             ("Curb and Gutter, Conc, Det F4", "Ft", Decimal(220))]
    rows, totals = [head], {b: Decimal(0) for b in bidders}
    for n, (desc, unit, qty) in enumerate(items, 1):
        for rank, who in enumerate(["Eng Est"] + bidders):
            price = money(rng, 1, 90000) if unit == "LSUM" else money(rng, 1, 400)
            ext = (price * qty).quantize(CENT)
            if who != "Eng Est":
                totals[who] += ext
            rows.append(["902", "38000-210001", f"{n * 10:04d}", "1", desc, unit, f"{qty:.3f}", who, f"${price:,.2f}",
                         f"${ext:,.2f}", str(rank)])
    return Look("michigan_dot_bid_tabs_letting_2021-02-12", "xlsx", "Michigan Department of Transportation", "US",
                "a state DOT bid tabulation, long: one row per pay item and bidder", """Every cell text ('$109,000.00',
                '1.000', '0010', rank '0'); 'Call ' with a trailing space; each pay item written once for 'Eng Est'
                (the engineer's estimate, rank 0) and once per bidder; 'Bid Price' is the unit price, 'Ext Amount'
                the extension; no total row.""",
                [dict(sheet="Sheet1", table="bids", header_row=1, data_rows=len(rows) - 1, records=len(bidders),
                      columns={"Proposal ID": "solicitation_id", "Vendor Name": "vendor_name",
                               "Ext Amount": "bid_amount"},
                      not_mapped=["Bid Price", "Quantity", "Ln Num", "Call "], totals={"bid_amount": total(totals.values())},
                      notes="Four bids, each the sum of the bidder's extensions; the 'Eng Est' rows are not a bid.")],
                {"Sheet1": rows})


def ncdot_bid_tabs_letting_l220419() -> Look:
    rng = random.Random("ncdot")
    rows, bid_totals = [], []
    let = date(2022, 4, 19)
    for call, (cid, nbid) in enumerate([("C204901", 2), ("C204902", 5)], 1):
        bidders = [(vendor(rng, upper=True).replace(".", ""), f"{rng.choice(['RALEIGH', 'WILSON'])},  NC")
                   for _ in range(nbid)]
        sums = [Decimal(0)] * nbid
        project = ["L220419 ", float(call), let, time(14, 0), float(call), f"{cid}        ", f"{35000 + call}.3.1",
                   f"R-{2500 + call}", "STATE FUNDED", "Example", 3.5, "E", "GRADING, DRAINAGE AND PAVING.",
                   "US-17 FROM EXAMPLE BYPASS TO EXAMPLE ROAD."]
        for line in range(1, 9):
            qty = Decimal(rng.choice([1, 3, 120, 5400]))
            for start in range(0, nbid, 3):  # three bidders a line; more bidders repeat the item
                cells = []
                for k in range(3):
                    if start + k < nbid:
                        name, city = bidders[start + k]
                        price = money(rng, 1, 50000)
                        ext = (price * qty).quantize(CENT)
                        sums[start + k] += ext
                        cells += [name, city, float(price), float(ext) if ext != ext.to_integral() else int(ext), " "]
                    else:
                        cells += [" ", " ", 0.0, 0.0, " "]
                rows.append(project + [f"00{line:02d}000000-N ", float(800 + line) if line % 3 else "SP  ",
                                       float(line), 1.0, "ROADWAY ITEMS", rng.choice(_TITLES).upper(), " ", float(qty),
                                       "LS  ", "    "] + cells + [datetime(2022, 5, 3, 11, 6)])
        for rank, ((name, _), amount) in enumerate(sorted(zip(bidders, sums, strict=True), key=lambda t: t[1]), 1):
            bid_totals.append(amount)
            rows.append(project + [" ", "  ", " ", 9999.0, "BIDDERS IN ORDER" + " " * 140 + "CONTRACT TOTAL", name,
                                   " ", float(rank), " ", " ", " ", " ", 0.0, float(amount), " ", " ", " ", 0.0, 0.0,
                                   " ", " ", " ", 0.0, 0.0, " ", datetime(2022, 5, 3, 11, 6)])
    return Look("ncdot_bid_tabs_letting_L220419", "xlsx", "North Carolina Department of Transportation", "US",
                "a state DOT bid tabulation with no header row", """No header row; 40 columns by position (padded
                letting and contract ids 'C204901        ', item numbers '0000100000-N ', sections '800' or 'SP  ');
                three bidders a line in blocks of name, city, unit price, extension, blank; a contract with more
                bidders repeats each item on further lines; then one 'BIDDERS IN ORDER ... CONTRACT TOTAL' line per
                bidder (record kind 9999) with its rank and contract total. The real file is a legacy '.xls'; the
                lookalike is '.xlsx' (no .xls writer here).""",
                [dict(sheet="BIDTABS_AWD", table="bids", header_row=0, data_rows=len(rows), records=len(bid_totals),
                      totals={"bid_amount": total(bid_totals)},
                      notes="Seven bids on two contracts, one per 'BIDDERS IN ORDER' line.")],
                {"BIDTABS_AWD": rows})


def columbia_sc_vendor_payments_2013_04() -> Look:
    rng = random.Random("columbia")
    lines, amounts = [], []
    depts = ["Municipal Court Administration", "Sewer Maintenance Projects", "Parks & Recreation Admin",
             "Utilities Water Dist & Maint", "Fire Administration - County"]
    for i in range(60):
        if 0 < i < 14 or i % 5 == 1:  # jurors' fees after the first payment, as in the real file
            payee = f"{rng.choice(['LUND', 'PIKE', 'ROWE', 'HALE'])}, {rng.choice(['BLAKE T.', 'JORDAN', 'LOGAN M.'])}"
            amount, dept, purpose, cat = Decimal(rng.choice([5, 10])).quantize(CENT), depts[0], "Jury Duty", "Jury Duty"
        else:
            payee = vendor(rng, upper=True).replace(".", "")
            amount = money(rng, 10, 70000)
            if i % 9 == 4:
                amount = -amount
            dept = rng.choice(depts[1:])
            purpose = (rng.choice(_TITLES) + " - purchase order for the year")[:30]
            cat = rng.choice(["Professional Services", "Special Departmental Supplies", "Equipmt Repair/Service Supply"])
        amounts.append(amount)
        d = day(rng, date(2013, 4, 1), 30)
        lines.append(",".join([payee, f"{d.month}/{d.day}/{d.year}", f"{amount:.2f}", dept, purpose, cat]))
    lines = lines[:16] + lines[:16] + lines[16:]  # a block exported twice
    amounts = amounts[:16] + amounts[:16] + amounts[16:]
    return Look("columbia_sc_vendor_payments_2013-04", "txt", "City of Columbia, South Carolina", "US",
                "a city checkbook with no header row", """No header row; nothing quoted, so 'SURNAME, GIVEN' payees
                spill into a second field (6 or 7 fields a line; the date is followed by the amount, department,
                a purpose cut at 30 characters and a category); unpadded dates '4/1/2013'; credits '-54.94'; the
                first lines repeated exactly as a block; LF endings in a '.txt' file.""",
                [dict(table="payments", header_row=0, data_rows=len(lines), records=len(lines),
                      totals={"amount": total(amounts)})],
                ("\n".join(lines) + "\n").encode("ascii"))


def lancashire_pcc_spend_2024_25() -> Look:
    rng = random.Random("lancashire-pcc")
    head = ["* Expenditure Category", "* Date", "TOTAL", "* SUPPLIER FINAL"]
    sheets, parts = {}, []
    months = [("APR 24", 4, 2024), ("MAY 24", 5, 2024), ("JUN 24", 6, 2024), ("JUL 24", 7, 2024), ("AUG 24", 8, 2024),
              ("SEP 24", 9, 2024), ("OCT 24", 10, 2024), ("Nov 24", 11, 2024), ("Dec 24", 12, 2024), ("Jan 25", 1, 2025)]
    for name, month, year in months:
        rows, amounts = [head], []
        entries = []
        for i in range(rng.randint(6, 12)):
            amount = money(rng, 500, 120000)
            if i == 3 and month in (8, 9, 10):
                amount = -money(rng, 500, 12000)
            payee = "THIRD PARTY SUPPLIER" if i == 0 else vendor(rng, "GB", upper=True)
            entries.append((payee, amount))
        entries.sort(key=lambda e: e[0], reverse=True)  # reverse order of supplier, not of date
        for payee, amount in entries:
            amounts.append(amount)
            stored = float(amount) + (1e-12 if rng.random() < 0.3 else 0.0)  # formula results with binary noise
            rows.append([rng.choice(["Police - Other Third Party Payments", "Computer Licences", "Rents - General",
                                     "Training Expenses (External)", "Equipment General"]),
                         day(rng, date(year, month, 1), 28), stored, payee])
        sheets[name] = rows
        parts.append(dict(sheet=name, table="payments", header_row=1, data_rows=len(rows) - 1, records=len(rows) - 1,
                          columns={"* SUPPLIER FINAL": "vendor_name", "* Date": "payment_date", "TOTAL": "amount",
                                   "* Expenditure Category": "category"},
                          totals={"amount": total(amounts)}))
    return Look("lancashire_pcc_spend_2024-25", "xlsx", "Police and Crime Commissioner for Lancashire", "GB",
                "a police and crime commissioner's payments over £500, one sheet per month", """Ten monthly sheets
                whose names change case ('OCT 24', then 'Nov 24'); headers with a leading '* ' and the amount headed
                'TOTAL'; amounts stored with binary noise (1041.4099999999999); credits negative; rows in reverse
                order of supplier; redacted payees 'THIRD PARTY SUPPLIER'.""",
                parts, sheets)


def montreal_executive_committee_contracts_2015_09_03() -> Look:
    rng = random.Random("montreal")
    head = ["instance", "date_rencontre", "no_decision", "titre", "no_dossier", "instance_reference", "no_appel_offres",
            "nbr_soumissions", "pour", "texte_contrat", "fournisseur", "montant", "type_contrat", "huis_clos", "source",
            "date_traitement"]
    tail = ["Ordre du jour présenté", "http://ville.example.invalid/portal/page?_pageid=5798", "2015-08-28 20:20:11"]
    lines, amounts, records = [";".join(head)], [], 0
    for i in range(1, 15):
        no = f"20.{i:03d}"
        if i in (1, 2, 8):  # closed-session items: no file, no supplier, no amount
            row = ["Comité exécutif", "2015-09-03", no, "L'étude de ce dossier se fera à huis clos", "", "", "", "", "",
                   "Ce dossier sera traité à huis clos", "", "", "", "oui"]
        else:
            records += 1
            with_money = i % 5 != 4
            amount = money(rng, 1000, 900000) if with_money else None
            if amount is not None:
                amounts.append(amount)
            bids = str(rng.randint(1, 6)) if i % 3 == 0 else ""
            tender = f"15-{rng.randint(14000, 14999)}" if bids else ""
            row = ["Comité exécutif", "2015-09-03", no, rng.choice(["Contrat de services professionnels",
                   "Contrat d'exécution de travaux", "Entente"]), str(1150000000 + rng.randint(1000, 999999)),
                   "Conseil municipal", tender, bids, "Conseil municipal",
                   f"Accorder un contrat pour {rng.choice(_TITLES).lower()} - Dépense maximale de "
                   f"{amount or 0:,.2f} $ taxes incluses".replace(",", " ").replace(".", ","),
                   vendor(rng, "CA") if amount is not None else "",
                   f"{amount:.2f}".replace(".", ",") if amount is not None else "",
                   rng.choice(["Gré à gré", "", "Appel d'offres public"]) if i != 11 else "('',)", "non"]
        lines.append(";".join(row + tail))
    return Look("montreal_executive_committee_contracts_2015-09-03", "csv", "Ville de Montréal", "CA",
                "a French contract-decisions register from a city executive committee agenda", """French snake_case
                headers (no_dossier, fournisseur, montant, type_contrat); semicolons; decimal comma ('42500,51');
                16 header names over 17 fields a line (status, URL and timestamp after huis_clos); closed-session
                items with no file number, supplier or amount; decisions with a file number but no amount; 'Gré à
                gré' as the method; a tuple '('',)' as a contract type.""",
                [dict(table="contracts", header_row=1, data_rows=len(lines) - 1, records=records,
                      columns={"no_dossier": "contract_id", "fournisseur": "vendor_name",
                               "montant": ["original_amount", "current_amount"], "type_contrat": "method",
                               "no_appel_offres": "solicitation_id"},
                      not_mapped=["huis_clos", "source", "date_traitement"],
                      totals={"original_amount|current_amount": total(amounts)})],
                ("\n".join(lines) + "\n").encode("utf-8"))


def _hyndburn_2025_header_last() -> Look:
    rng = random.Random("hyndburn-2025-03")
    head = ["Department Area", "", "Service Area", "", "Description", "", "", "Line", "", "HBC Ref No.", "",
            "Name:  ", "", "", "Payment Date", "", "Amount Paid"]
    depts = [("REGN - Regeneration & Housing", "FAF - Strategic Housing"), ("ENVH - Environmental Health",
             "BAA - Housing Standards"), ("RESO - Resources", "AAD - ICT")]
    rows, amounts = [], []
    for i in range(36):
        amount = money(rng, 251, 90000)
        credit = i in (9, 22)
        if credit:
            amount = -amount
        amounts.append(amount)
        dept, area = rng.choice(depts)
        if i == 30:
            dept = "Waste Removal"  # a description in the department column
        desc = rng.choice(_TITLES) + ("\nsecond line of the order" if i % 8 == 3 else "")
        rows.append([dept, "", area, "", desc, "", "", "1", "", f"CRINV00{8100 + i}", "", vendor(rng, "GB"), "", "",
                     day(rng, date(2025, 3, 1), 31).strftime("%d/%m/%Y"), "",
                     f"{abs(amount):,.2f}" + ("-" if credit else "")])
    rows.append(head)  # the header written last
    return Look("hyndburn_spend_over_250_2025-03", "csv", "Hyndburn Borough Council", "GB",
                "a borough council's payments over £250 with its header line written last", """The header is the
                last line: the first line is a payment; spacer columns from merged cells; line breaks inside quoted
                descriptions; trailing-minus credits; quoted amounts with separators; one department that is a
                description; Windows-1252, CRLF.""",
                [dict(table="payments", header_row=0, data_rows=len(rows), records=len(rows) - 1,
                      totals={"amount": total(amounts)},
                      notes="36 invoice lines by position, then the header line (not a record).")],
                csv_bytes(rows, newline="\r\n", encoding="cp1252"))


def desnz_spend_over_25k_2024_08() -> Look:
    rng = random.Random("desnz")
    head = ["Date of Payment", "Expense Type", "Expense Area", "Supplier", "Transaction Number", "Amount", "Description",
            "Supplier Post Code", "Supplier Type", "Invoice Number", "Purchase Order Number", "Cost Centre Name",
            "NAC Code", "NAC Name", "Programme Code", "Programme Name", "Cost Centre Code", "Directorate"]
    rows, amounts = [head], []
    tx = 611800
    for i in range(32):
        if i % 6 != 2:
            tx += rng.randint(1, 400)
        amount = money(rng, 25001, 9000000) if i != 5 else Decimal("331000000.00")
        amounts.append(amount)
        kind = rng.choice(["Vendor", "Vendor", "Grant", "Wga Only"])
        expense = rng.choice(["Technical Advice / Services & Support", "Capital Grants To Local Government",
                              "Grant-in-aid To Arms Length Bodies", "Other Professional Services"])
        rows.append([day(rng, date(2024, 8, 1), 30).strftime("%d/%m/%Y"), expense,
                     "Desnz - Net Zero Buildings And Industry (Nzbi) - Desnz - Example Programme", vendor(rng, "GB"),
                     str(tx), f"\u00a3{amount:,.2f}", f"Desnz - Example Fund-{expense}",
                     f"{rng.choice(['Ls', 'Nw', 'Ox', 'E'])}{rng.randint(1, 20)} {rng.randint(1, 9)}{rng.choice(['gh', 'pu', 'qr'])}",
                     kind, f"Grantclaim{day(rng, date(2024, 8, 1), 30):%d/%m/%Y}" if kind == "Grant" else f"Priv{rng.randint(1, 99999):08d}",
                     str(427000000000 + rng.randint(1, 9999)), "Desnz - Example Cost Centre", str(rng.randint(52000000, 55000000)),
                     expense, str(rng.randint(700000, 700999)), "Desnz - Example Fund", str(rng.randint(700000, 701999)),
                     rng.choice(["Net Zero Buildings and Industry (NZBI)", "Energy Infrastructure", "Corporate Services"])])
    return Look("desnz_spend_over_25k_2024-08", "csv", "UK Department for Energy Security and Net Zero", "GB",
                "a central government department's spend over £25,000, extended layout", """Windows-1252 with a pound
                sign before every amount ('£278,419.94'); LF endings; the nine standard HM Treasury columns then nine
                more (invoice and purchase order numbers, cost centre, NAC and programme codes, directorate); Supplier
                Type Vendor, Grant or 'Wga Only'; transaction numbers repeated within a payment; title-case post
                codes.""",
                [dict(table="payments", header_row=1, data_rows=len(rows) - 1, records=len(rows) - 1,
                      columns={"Supplier": "vendor_name", "Date of Payment": "payment_date", "Amount": "amount",
                               "Transaction Number": "payment_id", "Expense Type": "category",
                               "Purchase Order Number": "po_number"},
                      not_mapped=["Supplier Post Code", "NAC Code", "Programme Code", "Cost Centre Code"],
                      totals={"amount": total(amounts)})],
                csv_bytes(rows, encoding="cp1252"))


def world_bank_financed_bids_sample() -> Look:
    rng = random.Random("world-bank-bids")
    head = ["project", "contract", "bidder.name", "status", "bidder.country", "opening.price.currency",
            "opening.price.amount", "opening.price.raw", "evaluated.price.currency", "evaluated.price.amount",
            "evaluated.price.raw", "contract.price.currency", "contract.price.amount", "contract.price.raw"]
    rows = [head]
    for c in range(8):
        project = f"P1{rng.randint(10000, 29999)}"
        contract = f"http://search.example.invalid/wcontractawards/procdetails/OP000{29700 + c * 13}"
        local = rng.choice(["NPR", "AMD", "VND", "IDR"])
        for b in range(rng.randint(2, 5)):
            status = "Awarded" if b == 0 else rng.choice(["Evaluated", "Evaluated", "Rejected"])
            name = vendor(rng, rng.choice(["US", "GB", "AU"]))
            country = rng.choice(["Nepal", "Armenia", "India", "", "China"])
            if status == "Rejected" and b % 2:
                rows.append([project, contract, name, status, country] + [""] * 9)
                continue
            cur = rng.choice(["USD", "EUR", local])
            opening = money(rng, 5000, 900000)
            raw_open = f"{cur} {opening:,.2f}" + (f"{local} {money(rng, 100, 9000):,.2f}" if b == 2 else "")
            evaluated = money(rng, 100000, 900000000)
            ev = [local, f"{evaluated.to_integral_value(rounding='ROUND_DOWN')}.0", f"{local}{evaluated:,.2f}"]
            award = ev if status == "Awarded" else ["", "", ""]
            rows.append([project, contract, name, status, country, cur,
                         f"{opening.to_integral_value(rounding='ROUND_DOWN')}.0", raw_open] + ev + award)
    return Look("world_bank_financed_bids_sample", "csv", "Borrower governments of World Bank-financed projects",
                "INT", "bids, one row per bidder per contract, prices in each bid's own currency", """Dotted headers
                ('bidder.name', 'evaluated.price.raw'); every price as a currency code, a number with its cents cut
                off ('267254619.0') and the raw text; raw prices glued when a bid was in two currencies ('NPR
                4,646,304.00USD 3,758,040.00'); several currencies, so nothing can be summed; contract ids are URLs;
                status Awarded, Evaluated or Rejected, rejected bids without prices; bidders without a country.""",
                [dict(table="bids", header_row=1, data_rows=len(rows) - 1, records=len(rows) - 1,
                      columns={"contract": "solicitation_id", "bidder.name": "vendor_name", "status": "status"},
                      not_mapped=["project", "bidder.country", "opening.price.currency", "evaluated.price.currency",
                                  "contract.price.currency", "opening.price.raw", "evaluated.price.raw",
                                  "contract.price.raw"],
                      notes="No money total: the prices are in several currencies.")],
                csv_bytes(rows))


def lookalikes() -> list[Look]:
    out = [act_contracts_2025(), canada_defence_contracts_by_vendor_and_year(), chicago_contracts_sample(),
           _gla("gla_spending_2013_sample", later=True), _gla("gla_spending_sample", later=False),
           lambeth_payments_over_500_2012_06(), _lambeth_pivot("lambeth_supplier_totals_2011-01", "plain"),
           _lambeth_pivot("lambeth_supplier_totals_2011-03", "padded"),
           _lambeth_pivot("lambeth_supplier_totals_2012-05", "grand"),
           _nebraska("nebraska_unl_contracts_cleaned", scraped=False),
           _nebraska("nebraska_unl_contracts_scraped", scraped=True), nyc_sbs_certified_businesses_sample(),
           ohio_dot_resurfacing_bidders_2018(), ohio_dot_resurfacing_projects_2018(),
           sutton_coldfield_contracts_2017_18(), sutton_coldfield_expenditure_2016_17(),
           sutton_coldfield_payments_2016_18_analysis_workbook(), sutton_coldfield_payments_2017_18_q1_q3_workbook(),
           sutton_coldfield_payments_over_250_2017_18_q1(), sutton_coldfield_payments_over_250_2017_18_q2(),
           sutton_coldfield_payments_over_250_2017_18_q3(),
           _texas_po("texas_esbd_dir_purchase_orders_204", "ESBD Awards No Solicitations Ex", 30),
           _texas_po("texas_esbd_dir_purchase_orders_208", "ESBD Awards No Solicitations Ex", 24),
           _texas_po("texas_esbd_dir_purchase_orders_918", "918_dir", 11),
           _texas_po("texas_esbd_dir_purchase_orders_920", "ESBD Awards No Solicitations Ex", 28),
           _texas_po("texas_esbd_dir_purchase_orders_962", "962_dir", 36),
           _texas_solicitations("texas_esbd_solicitations_agency204", "204"),
           _texas_solicitations("texas_esbd_solicitations_nigp208", "208"),
           _texas_solicitations("texas_esbd_solicitations_nigp915", "915"),
           _texas_solicitations("texas_esbd_solicitations_nigp920", "920"),
           _texas_solicitations("texas_it_solicitations_tracker", "Sheet1", tracker=True),
           _wvu("wvu_purchase_order_lines_2018", 2018), _wvu("wvu_purchase_order_lines_2021", 2021),
           canadabuys_bc_contract_awards(), buyandsell_tender_notices_2019(), assam_tenders_ocds_2021_22_sample(),
           portugal_public_works_contracts_2015_2022(), _mndot("mndot_bid_abstract_220005", old=False),
           _mndot("mndot_bid_abstract_220005_oldformat", old=True), florida_vendor_payments_fy2014_justice_admin()]
    out += [craven_spend_over_500_2017_03(), richland_county_sc_check_register_2013_04(), _hyndburn_2019(),
            _hyndburn_2025(), lancashire_fire_spend_2024_25(), maryland_mbe_directory_2017(),
            michigan_dot_bid_tabs_letting_2021_02_12(), ncdot_bid_tabs_letting_l220419(),
            columbia_sc_vendor_payments_2013_04(), lancashire_pcc_spend_2024_25(),
            montreal_executive_committee_contracts_2015_09_03(), _hyndburn_2025_header_last(),
            desnz_spend_over_25k_2024_08(), world_bank_financed_bids_sample()]
    return out


def files(folder: Path = HERE) -> dict[Path, bytes]:
    out: dict[Path, bytes] = {}
    for look in lookalikes():
        out.update(write(look, folder))
    return out


def same(path: Path, data: bytes) -> bool:
    """The committed file says what the generator writes: the same bytes, or for a workbook the same sheets and cells
    (workbook bytes vary with the openpyxl release; the content is what the corpus is about)."""
    if not path.is_file():
        return False
    if path.suffix != ".xlsx":
        return path.read_bytes() == data
    from python_calamine import CalamineWorkbook

    def cells(blob: bytes):
        wb = CalamineWorkbook.from_filelike(io.BytesIO(blob))
        return [(name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in wb.sheet_names]

    return cells(path.read_bytes()) == cells(data)


def stale(folder: Path = HERE) -> list[str]:
    """Names of committed lookalike files that differ from what this script writes (or are missing)."""
    return [p.name for p, data in files(folder).items() if not same(p, data)]


def main(argv: list[str]) -> int:
    wanted = files()
    if "--check" in argv:
        stale = [p.name for p, data in wanted.items() if not same(p, data)]
        for name in stale:
            print(f"differs from the generator: {name}")
        return 1 if stale else 0
    for path, data in wanted.items():
        path.write_bytes(data)
    print(f"wrote {len(wanted)} files to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
