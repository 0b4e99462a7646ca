"""CSV and text files: encodings, delimiters, quoted newlines, decimal commas, ragged title lines."""

import pandas as pd
import pytest

from loaders import inspect_file
from loaders.readers import decode, sniff_delimiter

ROWS = [
    ["Check Number", "Check Date", "Vendor Name", "Amount", "Department"],
    ["0001", "01/15/2024", "Café Olé LLC", "$1,234.56", "Parks"],
    ["0002", "01/16/2024", "O’Brien & Sons", "(20.00)", "Water"],
]


def write(path, text: str, encoding: str) -> str:
    path.write_bytes(text.encode(encoding))
    return str(path)


def as_csv(rows, delim=",", newline="\n") -> str:
    def cell(v):
        v = str(v)
        return f'"{v}"' if any(c in v for c in (delim, '"', "\n", "\r")) else v
    return newline.join(delim.join(cell(v) for v in r) for r in rows) + newline


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_encodings(tmp_path, encoding):
    """UTF-8, UTF-8 with BOM, Windows-1252 and UTF-16 read the same text."""
    [part] = inspect_file(write(tmp_path / "p.csv", as_csv(ROWS), encoding))
    assert part.columns[0] == "Check Number"  # no BOM left on the first header
    assert part.frame["vendor_name"].tolist() == ["Café Olé LLC", "O’Brien & Sons"]
    assert part.frame["payment_id"].tolist() == ["0001", "0002"]


@pytest.mark.parametrize(("delim", "suffix"), [(",", ".csv"), (";", ".csv"), ("\t", ".txt"), ("|", ".txt")])
def test_delimiters(tmp_path, delim, suffix):
    """Comma, semicolon, tab and pipe are sniffed."""
    [part] = inspect_file(write(tmp_path / f"p{suffix}", as_csv(ROWS, delim), "utf-8"))
    assert part.table == "payments"
    assert part.frame["amount"].tolist() == [1234.56, -20.0]


def test_quoted_newlines_and_crlf(tmp_path):
    """A quoted cell with a line break stays one cell; rows are counted as records."""
    rows = ROWS + [["0003", "01/17/2024", "Multi\nLine Vendor, Inc.", "5", "Fire"]]
    [part] = inspect_file(write(tmp_path / "p.csv", as_csv(rows, newline="\r\n"), "utf-8"))
    assert part.rows_loaded == 3
    assert part.frame["vendor_name"].iloc[2] == "Multi\nLine Vendor, Inc."
    assert part.frame["source_row"].tolist() == [2, 3, 4]


def test_decimal_commas_with_semicolons(tmp_path):
    """A European export: semicolons, '1.234,56' amounts and day-first dates."""
    text = "Rechnung;Zahlungsdatum;Lieferant;Betrag\n" \
           "Check Number;Check Date;Vendor;Amount\n" \
           "1;15.01.2024;Müller GmbH;1.234,56\n" \
           "2;31.01.2024;Schmidt AG;99,90\n"
    [part] = inspect_file(write(tmp_path / "eu.csv", text, "cp1252"))
    assert part.header_row == 2
    assert part.frame["amount"].tolist() == [1234.56, 99.9]
    assert part.frame["payment_date"].tolist() == [pd.Timestamp("2024-01-15"), pd.Timestamp("2024-01-31")]


def test_title_lines_shorter_than_the_table(tmp_path):
    """Ragged title lines above a wider table do not break reading."""
    text = "City of Example\nVendor payments, FY2024\n\n" + as_csv(ROWS)
    [part] = inspect_file(write(tmp_path / "p.csv", text, "utf-8"))
    assert part.header_row == 4
    assert part.frame["source_row"].tolist() == [5, 6]


def test_blank_first_header_and_na_strings(tmp_path):
    """An R-style row-index column with a blank header is kept unmapped; 'NA' is missing."""
    text = '"","Check","Check.Date","Vendor","Amount"\n"1",1,2013-01-03,"Acme",NA\n"2",2,2013-01-04,NA,1e+05\n'
    [part] = inspect_file(write(tmp_path / "r.csv", text, "utf-8"))
    assert part.columns[0] == "column A"
    assert "column A" in part.unmapped_columns
    assert part.rows_read == 2 and part.rows_loaded == 1 and part.rows_excluded == 1
    assert part.frame["amount"].tolist() == [100000.0]
    assert part.frame["vendor_name"].isna().all()


def test_decode_and_sniff_helpers():
    """decode() falls back to cp1252; sniff_delimiter() prefers the consistent delimiter."""
    assert decode("Olé café".encode("cp1252"), "x")[0] == "Olé café"
    assert decode("\ufeffa,b".encode("utf-8"), "x") == ("a,b", "utf-8-sig")
    assert sniff_delimiter("a;b;c\n1;2,5;3\n4;5,5;6\n") == ";"
    assert sniff_delimiter("a,b,c\n1,2,3\n") == ","
