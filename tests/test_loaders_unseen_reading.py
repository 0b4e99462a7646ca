"""Reading the exports of issue 13 that came back wrong: code pages, headerless checkbooks with names split on a
comma, a header written below the data, bid tabulations one row per pay item and bidder."""

import pandas as pd
import pytest
from test_loaders_unseen import glued_payments

from loaders import inspect_file
from loaders.readers import decode

# A council 'spend over £250' file saved from Excel in Windows-1252: '£' (byte 0xA3) in a header and before
# every amount, a credit written with a trailing minus. Hand-worked total: 1,250.00 + 310.50 - 60.25 = 1,500.25.
GBP_SPEND = ("Date,Supplier,Net Amount(£),Description\n"
             '01/06/2019,Acme Ltd,"£1,250.00",Repairs\n'
             "02/06/2019,Bolt plc,£310.50,Hire\n"
             "03/06/2019,Crane & Co,£60.25-,Refund\n")


def test_windows_1252_pound_is_not_read_as_central_european(tmp_path):
    """Byte 0xA3 is '£' in Windows-1252 and 'Ł' in Windows-1250; a detector often guesses the latter. A 'Ł' after
    '(' or before a digit is no evidence of Central European text, so the file is Windows-1252 and its
    '£'-prefixed amounts and trailing-minus credit are money."""
    data = GBP_SPEND.encode("cp1252")
    text, encoding = decode(data, "spend.csv")
    assert encoding == "cp1252" and "Net Amount(£)" in text
    path = tmp_path / "spend.csv"
    path.write_bytes(data)
    [part] = inspect_file(path)
    assert part.table == "payments"
    assert part.columns[:3] == ["Date", "Supplier", "Net Amount(£)"]
    assert part.mapping["Net Amount(£)"] == "amount"
    assert part.frame["amount"].tolist() == [1250.0, 310.5, -60.25]
    assert part.amount_totals() == {"amount": pytest.approx(1500.25)}


def test_central_european_text_keeps_its_code_page():
    """Evidence the other way: Polish words in Windows-1250 read as 'Zak³ad' in Windows-1252 (a non-letter inside
    a word), so Windows-1250 is kept, whichever page a detector ranks first."""
    polish = ("Miasto,Dostawca,Kwota\nŁódź,Zakład Usług Komunalnych,1200\nKraków,Przedsiębiorstwo Wodociągów,300\n"
              "Gdańsk,Spółka Żeglugi,500\n")
    assert decode(polish.encode("cp1250"), "p.csv") == (polish, "cp1250")


def test_windows_1252_punctuation_inside_words_is_not_evidence():
    """A curly apostrophe inside a word ('Children’s') belongs there: Windows-1252 stays."""
    text = "Name,Note\nChildren’s Services,Café “open”\nSt Mary’s School,Crèche\n"
    assert decode(text.encode("cp1252"), "c.csv") == (text, "cp1252")


def test_other_scripts_keep_the_detected_code_page():
    """A Cyrillic Windows-1251 file is not forced into Windows-1252 (its words are all non-ASCII letters)."""
    text = "Город,Поставщик,Сумма\nМосква,Завод,100\nКазань,Компания,200\n"
    assert decode(text.encode("cp1251"), "r.csv") == (text, "cp1251")


def test_header_written_below_the_data(tmp_path):
    """An export sorted with its header among the records: the first lines are payments, the column names are the
    last line. The names come from that line, every line above it is a record (none is junk above a header), and
    the line itself is read and left out, said in the report. Total: 2,730.00 + 1,294.80 - 106.00 = 3,918.80."""
    path = tmp_path / "march.csv"
    path.write_bytes(
        ("REGN - Regeneration,,Affordable Warmth Grant,,CRINV0008145,Rhea Projects,04/03/2025,\"2,730.00\"\r\n"
         "ENVH - Environmental Health,,Agency Costs,,CRINV0008147,Oyster Partnership,05/03/2025,\"1,294.80\"\r\n"
         "RESO - Resources,,Power adaptor refund,,CRPOI0009501,Insight Direct Ltd,27/03/2025,106.00-\r\n"
         "Department Area,,Description,,HBC Ref No.,Name:  ,Payment Date,Amount Paid\r\n").encode("cp1252"))
    [part] = inspect_file(path)
    assert part.header_row == 0 and part.table == "payments"
    assert part.columns == ["Department Area", "Description", "HBC Ref No.", "Name:", "Payment Date", "Amount Paid"]
    assert part.mapping["Amount Paid"] == "amount" and part.mapping["Payment Date"] == "payment_date"
    assert part.rows_read == 4 and part.rows_loaded == 3
    assert part.frame["amount"].tolist() == [2730.0, 1294.8, -106.0]
    assert part.frame["vendor_name"].tolist() == ["Rhea Projects", "Oyster Partnership", "Insight Direct Ltd"]
    assert part.excluded_rows()[["row", "reason"]].values.tolist() == [[4, "repeated header row"]]
    assert "no header row at the top" in part.issue_counts()


def test_headerless_file_without_a_header_below_keeps_positional_names(tmp_path):
    """A last line of text that is a record (not column names) does not become the header."""
    path = tmp_path / "checks.csv"
    path.write_text("04/03/2013,AP,51173,ACME SUPPLY,2951.87\n04/03/2013,AP,51176,AIRGAS,1147.42\n"
                    "04/04/2013,AP,51177,BOLT INC,417.36\nVOID,VOID,VOID,VOID,VOID\n", encoding="utf-8")
    [part] = inspect_file(path)
    assert part.header_row == 0
    assert part.columns[:5] == [f"Column {i}" for i in range(1, 6)]
    assert part.rows_read == 4


def test_pay_item_tabulation_with_abbreviated_headers_and_an_estimate_pseudo_bidder(tmp_path):
    """A state DOT's long tabulation: one row per (pay item, bidder), every cell text, 'Ln Num' for the line, 'Ext
    Amount' the extension, 'Bid Price' the unit price, a letting 'Call' beside the 'Proposal ID', and the engineer's
    estimate written as a bidder 'Eng Est'. One bid per bidder and proposal, the sum of its extensions (hand-worked:
    Anlaan 109,000.00 + 2,400.00 = 111,400.00; Bailey 100,000.00 + 3,000.00 = 103,000.00); the estimate is read and
    left out with its reason; every line item is accounted for."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Call ", "Proposal ID", "Ln Num", "Item Description/Supplemental Description", "Unit", "Quantity",
               "Vendor Name", "Bid Price", "Ext Amount", "Vend Rank"])
    for ln, desc, unit, qty, prices in (
            ("0010", "Mobilization, Max$109,000.00", "LSUM", "1.000",
             (("Eng Est", "$109,000.00", "$109,000.00"), ("Anlaan Corporation", "$109,000.00", "$109,000.00"),
              ("Bailey Excavating, Inc.", "$100,000.00", "$100,000.00"))),
            ("0020", "_Clearing, Special", "Sta", "30.000",
             (("Eng Est", "$2,000.00", "$60,000.00"), ("Anlaan Corporation", "$80.00", "$2,400.00"),
              ("Bailey Excavating, Inc.", "$100.00", "$3,000.00")))):
        for rank, (vendor, price, ext) in enumerate(prices):
            ws.append(["901", "38000-209775", ln, desc, unit, qty, vendor, price, ext, str(rank)])
    path = tmp_path / "2021-02-12.xlsx"
    wb.save(path)
    [part] = inspect_file(path)
    assert part.table == "bids"
    assert part.mapping == {"Proposal ID": "solicitation_id", "Vendor Name": "vendor_name",
                            "Ext Amount": "bid_amount"}
    got = dict(zip(part.frame["vendor_name"], part.frame["bid_amount"], strict=True))
    assert got == {"Anlaan Corporation": 111400.0, "Bailey Excavating, Inc.": 103000.0}
    assert set(part.frame["solicitation_id"]) == {"38000-209775"}
    assert part.excluded_rows()["reason"].tolist() == ["engineer's estimate, not a bid"]
    assert part.account.combined == 6 and part.account.balanced()


@pytest.mark.parametrize(("name", "estimate"), [
    ("Eng Est", True), ("Engineer's Estimate", True), ("ENGINEERS EST.", True), ("Engr. Estimate", True),
    ("Heng Est Corp", False), ("County Estates Ltd", False), ("Engineering Estimating Co", False)])
def test_engineers_estimate_spellings(name, estimate):
    """The estimate's spellings are not bidders; a vendor whose name merely contains those letters is."""
    from loaders.headers import ESTIMATE

    assert bool(ESTIMATE.search(name)) is estimate


# A county check register with no header and nothing quoted: date, source, check number, document type, payee,
# status, amount. Payees written 'SURNAME, GIVEN' spill into one more field (rows 3, 5 and 9), one with two commas
# (row 11), one of them with no status (row 9). Hand-worked total: 2951.87 + 1147.42 + 417.36 + 350454.53
# + 499.90 + 276 + 260 + 289.19 + 80 + 862.50 + 20 + 119.02 = 357,377.79.
CHECK_REGISTER = """04/03/2013,AP,51173,OH,3F CHIMICA AMERICAS,IS,2951.87
04/03/2013,AP,51176,OH,AIRGAS NATIONAL WELDERS,IS,1147.42
04/03/2013,AP,51177,OH,AITKEN, JAMES JEFFREY,IS,417.36
04/03/2013,AP,51178,OH,ALLWASTE SERVICES INC,IS,350454.53
04/03/2013,AP,51184,OH,BARCH, AMY S,IS,499.9
04/03/2013,AP,51179,OH,AMERICAN ENGINEERING CONSULTANTS,IS,276
04/03/2013,AP,51180,OH,AMERICAN TELEMESSAGING OF SC,IS,260
04/04/2013,AP,51181,OH,AMERIGAS - LEXINGTON,CX,289.19
04/04/2013,AP,51189,OH,BOWMAN, MELISSA STEVENSON,,80
04/04/2013,TR,51183,JE,AT&T,IS,862.5
04/05/2013,TR,51194,JE,PITTS, JR, DAVID MICHAEL,IS,20
04/05/2013,TR,51188,JE,BOB BARKER COMPANY INC,IS,119.02
"""


def test_headerless_register_names_split_on_unquoted_commas_are_joined(tmp_path):
    """No header, columns by position; each row with one (or two) fields too many because a payee holds an
    unquoted comma is joined back - the only place the join gives a row like the others (the date, amount,
    check number and status code list in their columns) - and reported row by row; no row is dropped."""
    path = tmp_path / "checks.txt"
    path.write_text(CHECK_REGISTER, encoding="utf-8")
    [part] = inspect_file(path)
    assert part.header_row == 0 and part.rows_read == 12
    assert part.columns == [f"Column {i}" for i in range(1, 8)]
    repaired = part.issues[part.issues["problem"].str.startswith("one field too many")]
    assert repaired[["row", "column", "value"]].values.tolist() == [
        [3, "Column 5", "AITKEN, JAMES JEFFREY"], [5, "Column 5", "BARCH, AMY S"],
        [9, "Column 5", "BOWMAN, MELISSA STEVENSON"], [11, "Column 5", "PITTS, JR, DAVID MICHAEL"]]
    [loaded] = inspect_file(path, table="payments", mapping={
        "Column 1": "payment_date", "Column 3": "payment_id", "Column 5": "vendor_name", "Column 7": "amount"})
    assert loaded.rows_loaded == 12
    assert loaded.frame["vendor_name"].iloc[[2, 10]].tolist() == ["AITKEN, JAMES JEFFREY", "PITTS, JR, DAVID MICHAEL"]
    assert loaded.amount_totals() == {"amount": pytest.approx(357377.79)}


def test_checkbook_with_the_split_name_first(tmp_path):
    """A city checkbook whose payee is the first field: 'BROWN,MARY W.' (no space) is one name too; the joined
    name goes to the payee column, not to the department (which would push the date out of place)."""
    rows = ["APCO INTERNATIONAL,4/1/2013,47.50,Emergency Communications/311,Membership Dues,Training",
            "BENDECK, KATHRYN N.,4/1/2013,5.00,Municipal Court Administration,Jury Duty,Jury Duty",
            "BROWN,MARY W.,4/1/2013,10.00,Municipal Court Administration,Jury Duty,Jury Duty",
            "FAST FORWARD,4/2/2013,25000.00,Employee Training,Computer Training,Training",
            "HARRILL, MELINDA,4/2/2013,10.00,Municipal Court Administration,Jury Duty,Jury Duty"]
    departments = ["Parks and Recreation", "Fire Department", "Police Department", "Water Distribution",
                   "Information Technology", "Street Maintenance", "Solid Waste", "Human Resources", "Fleet Services"]
    rows += [f"VENDOR {i} LLC,4/{i}/2013,{i}00.00,{departments[i - 3]},Supplies {i},Operating Supplies"
             for i in range(3, 12)]
    path = tmp_path / "Columbia.txt"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    [part] = inspect_file(path, table="payments", mapping={
        "Column 1": "vendor_name", "Column 2": "payment_date", "Column 3": "amount", "Column 4": "department"})
    assert part.columns == [f"Column {i}" for i in range(1, 7)] and part.rows_loaded == 14
    assert part.frame["vendor_name"].iloc[:3].tolist() == ["APCO INTERNATIONAL", "BENDECK, KATHRYN N.",
                                                             "BROWN,MARY W."]
    assert part.frame["amount"].sum() == pytest.approx(47.5 + 5 + 10 + 25000 + 10 + sum(i * 100 for i in range(3, 12)))


def test_a_wide_row_with_no_single_place_to_join_is_left_as_read(tmp_path):
    """A row with an extra field that no join makes like the others (the extra field is a number) is not
    guessed at: it is read as written and nothing is reported as joined."""
    rows = [f"04/0{1 + i % 9}/2013,VENDOR {i} INC,{i}0.00" for i in range(12)]
    rows.insert(4, "04/03/2013,ACME INC,12.00,99")
    path = tmp_path / "odd.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    [part] = inspect_file(path)
    assert part.rows_read == 13 and len(part.columns) == 4
    assert not part.issues["problem"].str.startswith("one field too many").any()


def test_rows_filling_an_optional_last_column_are_not_joined(tmp_path):
    """A header naming a last column most rows leave out (no trailing comma): the rows that fill it are its
    layout, not names split on a comma, so nothing is joined and the note stays a note."""
    rows = ["Date,Amount,Vendor,Note"]
    rows += [f"04/{1 + i:02d}/2013,{i}5.00,VENDOR {i} INC" for i in range(10)]
    rows += ["04/20/2013,99.00,ACME INC,paid twice", "04/21/2013,12.00,BOLT LLC,refund due"]
    path = tmp_path / "payments.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    [part] = inspect_file(path)
    assert part.columns == ["Date", "Amount", "Vendor", "Note"] and part.rows_read == 12
    assert part.frame["vendor_name"].tolist()[-2:] == ["ACME INC", "BOLT LLC"]
    assert not part.issues["problem"].str.startswith("one field too many").any()


def test_currency_signs_before_or_after_and_trailing_minus_credits_are_money():
    """'£', '€' and '$' before or after the number, and a credit written with a trailing minus, parse as money;
    the column's own convention decides the decimal separator."""
    import pandas as pd

    from loaders.values import parse_money

    got = parse_money(pd.Series(["£278,419.94", "$5", "60.25-", "£1,200.00-", "-£12.50", "310.50 £"])).values
    assert got.tolist() == [278419.94, 5.0, -60.25, -1200.0, -12.5, 310.5]
    euro = parse_money(pd.Series(["1.234,50 €", "€12,00", "5,25-"])).values
    assert euro.tolist() == [1234.5, 12.0, -5.25]


def test_headerless_tabulation_with_bidders_side_by_side_in_blocks(tmp_path):
    """A state DOT's tabulation with no header: each line a pay item and up to three bidders in blocks of (name,
    city, unit price, extension, spacer); a contract with four bidders repeats its items on a second line; then a
    contract total line and one 'BIDDERS IN ORDER' line per bidder, priced by no bidder block. One bid per
    (contract, bidder): the sum of its extensions, hand-worked:
    C1: Acme 1,000 + 2,000 = 3,000; Bolt 1,100 + 2,100 = 3,200; Crane 900 + 2,500 = 3,400; Delta 1,200 + 1,900 = 3,100.
    C2: Acme 500 + 700 = 1,200; Bolt 450 + 800 = 1,250 (the third block empty).
    The summary lines are read and listed as belonging to no bid; every line is accounted for."""
    from openpyxl import Workbook

    def item(contract, no, desc, qty, bids):
        row = ["L220419 ", contract, no, desc, qty, "LS  "]
        for name, city, unit in bids + [(" ", " ", None)] * (3 - len(bids)):
            row += [name, city, unit, None if unit is None else unit * qty, " "]
        return row

    c1a = [("ACME PAVING INC", "RALEIGH,  NC", 1000), ("BOLT CONSTRUCTION CO", "DURHAM,  NC", 1100),
           ("CRANE GRADING LLC", "WILSON,  NC", 900)]
    c1b = [("ACME PAVING INC", "RALEIGH,  NC", 400), ("BOLT CONSTRUCTION CO", "DURHAM,  NC", 420),
           ("CRANE GRADING LLC", "WILSON,  NC", 500)]
    c2a = [("ACME PAVING INC", "RALEIGH,  NC", 500), ("BOLT CONSTRUCTION CO", "DURHAM,  NC", 450)]
    c2b = [("ACME PAVING INC", "RALEIGH,  NC", 350), ("BOLT CONSTRUCTION CO", "DURHAM,  NC", 400)]
    lines = [item("C1", "0001", "MOBILIZATION", 1, c1a), item("C1", "0001", "MOBILIZATION", 1, [
                 ("DELTA BUILDERS INC", "CARY,  NC", 1200)]),
             item("C1", "0002", "EXCAVATION", 5, c1b), item("C1", "0002", "EXCAVATION", 5, [
                 ("DELTA BUILDERS INC", "CARY,  NC", 380)]),
             ["L220419 ", "C1", "", "CONTRACT TOTAL", None, None, " ", " ", 3000, 3000, " "],
             ["L220419 ", "C1", "", "BIDDERS IN ORDER        CONTRACT TOTAL", None, None, " ", " ", None, 3000, " "],
             item("C2", "0001", "MOBILIZATION", 1, c2a), item("C2", "0003", "PAVING", 2, c2b)]
    wb = Workbook()
    ws = wb.active
    ws.title = "BIDTABS"
    for line in lines:
        ws.append(line)
    path = tmp_path / "BIDTABS L220419.xlsx"
    wb.save(path)
    [part] = inspect_file(path)
    assert part.table == "bids" and part.header_row == 0
    got = {(s, v): b for s, v, b in zip(part.frame["solicitation_id"], part.frame["vendor_name"],
                                        part.frame["bid_amount"], strict=True)}
    assert got == {("C1", "ACME PAVING INC"): 3000.0, ("C1", "BOLT CONSTRUCTION CO"): 3200.0,
                   ("C1", "CRANE GRADING LLC"): 3400.0, ("C1", "DELTA BUILDERS INC"): 3100.0,
                   ("C2", "ACME PAVING INC"): 1200.0, ("C2", "BOLT CONSTRUCTION CO"): 1250.0}
    unused = part.issues[part.issues["problem"].str.startswith("row belongs to no bid")]
    assert unused["row"].tolist() == [5, 6]
    assert part.account.combined == 8 and part.account.balanced()


def test_headerless_checkbook_is_not_taken_for_bidder_blocks(tmp_path):
    """A headerless register whose text and amount columns alternate is no bid tabulation: its 'blocks' are not
    alike column by column, and its text columns hold many distinct names."""
    from loaders.bidtab import bidder_blocks

    path = tmp_path / "register.txt"
    path.write_text(CHECK_REGISTER, encoding="utf-8")
    [part] = inspect_file(path)
    assert part.table != "bids"
    raw = pd.read_csv(path, header=None, names=range(9), dtype=str, keep_default_na=False)
    assert bidder_blocks(raw) is None
    # Blocks alike column by column but naming the same firm on every line: one record's columns repeated.
    same = pd.DataFrame([[f"VENDOR {i % 3} INC", str(i), f"{i}0.00"] * 3 for i in range(30)], dtype=object)
    assert bidder_blocks(same) is None


def test_glued_cells_split_are_reported_row_by_row(tmp_path):
    """Each row whose glued cell was split (the ERP dropped a comma) is an issue with its file row, the column the
    glued cell was read in and that cell as read; the joins and the splits are told apart."""
    [part] = inspect_file(glued_payments(tmp_path / "payments.csv"))
    split = part.issues[part.issues["problem"].str.startswith("a field too few")]
    assert split[["row", "column", "value"]].values.tolist() == [
        [14, "Invoice Creation Date", "25/06/2012900"], [15, "Supplier Name", "Catch2212/06/2012"]]
    assert not part.issues["problem"].str.startswith("one field too many").any()
    assert part.amount_totals() == {"amount": 6000 + 66 + 900 + 750.0}


def test_a_header_naming_more_columns_than_the_records_fill_is_not_joined(tmp_path):
    """A header with a last column the records leave empty is one field wider than them: it is the header, read
    as written, not a row with a name to join."""
    path = tmp_path / "checks.csv"
    lines = ["Check Date,Payee,Amount,Memo"]
    lines += [f"07/{1 + i:02d}/2024,Firm {i},{20 + i}" for i in range(15)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [part] = inspect_file(path)
    assert part.columns == ["Check Date", "Payee", "Amount", "Memo"] and part.rows_read == 15
    assert not part.issues["problem"].str.contains("field too").any()
    assert part.frame["amount"].sum() == sum(20 + i for i in range(15))
