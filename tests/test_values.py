"""Value parsers: each format real exports use, with the expected value next to the input."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from loaders import values as V
from loaders.schema import CERTIFICATION_FLAGS, METHODS

MONEY = [
    ("$1,234.56", 1234.56),
    ("(1,234.00)", -1234.0),
    ("-$160", -160.0),
    ("1e+05", 100000.0),
    ("$330,000 CAD", 330000.0),
    ("$ 7,179,075.64 ", 7179075.64),
    ("$982, 900", 982900.0),
    ("$6,387,362.33*", 6387362.33),
    ("34,000.00", 34000.0),
    ("20000.00", 20000.0),
    ("100.00-", -100.0),
    ("250.00 CR", -250.0),
    ("$ -", 0.0),
    (1234.5, 1234.5),
    (7, 7.0),
]


@pytest.mark.parametrize(("text", "expected"), MONEY)
def test_money_formats(text, expected):
    """Every money spelling of the issue parses to float dollars."""
    parsed = V.parse_money([text])
    assert parsed.values[0] == pytest.approx(expected)


def test_money_footnote_marker_is_noted_not_failed():
    """'$6,387,362.33*' keeps its value and says a footnote marker was there."""
    parsed = V.parse_money(["$6,387,362.33*", "$5.00"])
    assert parsed.values.tolist() == [6387362.33, 5.0]
    assert parsed.problems.tolist()[0] == V.PROBLEM_FOOTNOTE
    assert pd.isna(parsed.problems.iloc[1])


def test_money_decimal_comma_detected_per_column():
    """A column written '1.234,56' is read the European way."""
    parsed = V.parse_money(["1.234,56", "12,50", "3.000,00"])
    assert parsed.values.tolist() == [1234.56, 12.5, 3000.0]


def test_money_us_column_with_ambiguous_value_stays_us():
    """'1,234' in a column of US amounts is one thousand two hundred thirty-four."""
    assert V.parse_money(["1,234", "5,000.00", "12.50"]).values.tolist() == [1234.0, 5000.0, 12.5]


def test_money_blank_and_missing_tokens_are_missing_without_problem():
    """Blanks, 'NA', 'N/A' and None are missing values, not problems."""
    parsed = V.parse_money(["", "NA", "N/A", None, "  "])
    assert parsed.values.isna().all()
    assert parsed.problems.isna().all()


def test_money_text_is_a_problem_never_an_exception():
    """Text in a money column becomes NaN and a 'not a money amount' problem."""
    parsed = V.parse_money(["see attached", "$12", True])
    assert math.isnan(parsed.values[0])
    assert parsed.problems.tolist()[0] == V.PROBLEM_MONEY
    assert parsed.problems.tolist()[2] == V.PROBLEM_MONEY
    assert parsed.values[1] == 12.0


DATES = [
    ("2021-04-08", "2021-04-08"),
    ("2021-04-08T18:00:00.000+0000", "2021-04-08"),
    ("2021-04-08 13:45:00", "2021-04-08"),
    ("4/8/2021", "2021-04-08"),
    ("04-08-2021", "2021-04-08"),
    (20210408, "2021-04-08"),
    ("20210408", "2021-04-08"),
    (44294, "2021-04-08"),  # Excel serial number
    (44294.75, "2021-04-08"),
    ("08-APR-21", "2021-04-08"),  # Oracle
    ("April 8, 2021", "2021-04-08"),
    (dt.datetime(2021, 4, 8, 18, 30), "2021-04-08"),
    (dt.date(2021, 4, 8), "2021-04-08"),
    (pd.Timestamp("2021-04-08 10:00", tz="UTC"), "2021-04-08"),
]


@pytest.mark.parametrize(("raw", "expected"), DATES)
def test_date_formats(raw, expected):
    """Every date spelling of the issue parses to the calendar date written."""
    parsed = V.parse_date([raw])
    assert parsed.values[0] == pd.Timestamp(expected)
    assert pd.isna(parsed.problems[0])


def test_dates_are_day_precision_datetime64():
    """Parsed dates are datetime64 at midnight (times dropped)."""
    parsed = V.parse_date(["2021-04-08T18:00:00.000+0000"])
    assert parsed.values.dtype.kind == "M"
    assert parsed.values[0].hour == 0


def test_day_first_decided_per_column():
    """A column with 13/01/2020 is day-first for all its cells; without it, US month-first."""
    assert V.parse_date(["13/01/2020", "01/02/2020"]).values.tolist() == [
        pd.Timestamp("2020-01-13"), pd.Timestamp("2020-02-01")]
    assert V.parse_date(["01/02/2020", "12/11/2020"]).values.tolist() == [
        pd.Timestamp("2020-01-02"), pd.Timestamp("2020-12-11")]


@pytest.mark.parametrize("raw", ["2050-12-31", "12/31/2050", "9999-12-31", "1900-01-01"])
def test_placeholder_dates_are_kept_and_flagged(raw):
    """Placeholder dates keep their value and are flagged 'placeholder date'."""
    parsed = V.parse_date([raw])
    assert not pd.isna(parsed.values[0])
    assert parsed.problems[0] == V.PROBLEM_PLACEHOLDER


@pytest.mark.parametrize("raw", ["tbd", "2/30/2021", "13/13/2020", "Q3"])
def test_bad_dates_are_problems(raw):
    """Impossible or non-date text is NaT plus 'not a date'."""
    parsed = V.parse_date([raw])
    assert pd.isna(parsed.values[0])
    assert parsed.problems[0] == V.PROBLEM_DATE


BOOLEANS = [("Y", True), ("N", False), ("Yes", True), ("no", False), ("X", True), ("True", True),
            ("False", False), (1, True), (0, False), ("1", True), ("0", False), (True, True)]


@pytest.mark.parametrize(("raw", "expected"), BOOLEANS)
def test_boolean_formats(raw, expected):
    """Y/N, Yes/No, X, True/False and 1/0 are booleans."""
    assert V.parse_boolean([raw]).values[0] == expected


def test_boolean_blank_is_missing_except_in_mark_columns():
    """A blank is missing in a Y/N column but False in a column of X marks."""
    assert V.parse_boolean(["Y", "", "N"]).values.isna().tolist() == [False, True, False]
    assert V.parse_boolean(["X", "", "x"]).values.tolist() == [True, False, True]


def test_boolean_unknown_is_a_problem():
    """'maybe' is missing plus 'not a yes/no value'."""
    parsed = V.parse_boolean(["maybe"])
    assert pd.isna(parsed.values[0])
    assert parsed.problems[0] == V.PROBLEM_BOOLEAN


def test_integers():
    """'1,200' and '3.0' are whole numbers; '2.5' and text are problems."""
    parsed = V.parse_integer(["1,200", "3.0", "2.5", "x", ""])
    assert parsed.values.tolist()[:2] == [1200, 3]
    assert parsed.values.isna().tolist() == [False, False, True, True, True]
    assert parsed.problems.tolist()[2:4] == [V.PROBLEM_INTEGER, V.PROBLEM_INTEGER]
    assert str(parsed.values.dtype) == "Int64"


CERTS = [
    ("MBE; WBE", "MBE; WBE", {"is_mbe", "is_wbe"}),
    ("MBE/WBE", "MBE; WBE", {"is_mbe", "is_wbe"}),
    ("Minority Business Enterprise", "MBE", {"is_mbe"}),
    ("Woman-Owned Small Business", "WBE; SBE", {"is_wbe", "is_sbe"}),
    ("Disadvantaged Business Enterprise", "DBE", {"is_dbe"}),
    ("SDVOSB", "DVBE", {"is_dvbe"}),
    ("LBE, SBE", "SBE; LBE", {"is_sbe", "is_lbe"}),
]


@pytest.mark.parametrize(("raw", "text", "flags"), CERTS)
def test_certifications(raw, text, flags):
    """Certification text becomes codes in schema order plus the is_<cert> flags."""
    out_text, out_flags, problems = V.parse_certifications([raw])
    assert out_text[0] == text
    assert {f for f in CERTIFICATION_FLAGS.values() if out_flags[f][0]} == flags
    assert pd.isna(problems[0])


def test_certification_blank_sets_no_flag_and_unknown_is_noted():
    """A blank certification sets every flag False; 'HUBZone' alone is kept and noted."""
    text, flags, problems = V.parse_certifications(["", "HUBZone"])
    assert not flags.iloc[0].any()
    assert text[1] == "HUBZone"
    assert problems[1] == V.PROBLEM_CERT


METHOD_CASES = [
    ("ITB", "invitation for bid"), ("IFB", "invitation for bid"), ("Invitation to Bid", "invitation for bid"),
    ("Formal Bid", "invitation for bid"), ("RFP", "request for proposals"),
    ("Request for Proposal", "request for proposals"), ("RFQ", "request for quotes"),
    ("Informal quote", "request for quotes"), ("Sole Source", "sole source"), ("Emergency", "emergency"),
    ("Exempt", "exempt"), ("EXEMPT", "exempt"), ("ADVERTISED", "request for proposals"),
    ("Coop", "cooperative"), ("Piggyback", "cooperative"), ("Small purchase", "small purchase"),
    ("Emergency Sole Source", "emergency"), ("Request for Qualifications", "request for proposals"),
]


@pytest.mark.parametrize(("raw", "expected"), METHOD_CASES)
def test_methods(raw, expected):
    """Method names from exports normalise to DESIGN.md's methods."""
    parsed = V.parse_method([raw])
    assert parsed.values[0] == expected
    assert pd.isna(parsed.problems[0])


def test_unknown_method_is_not_recognised_with_a_problem():
    """Changed rule (issue 13): an unknown method is no longer 'other' (which counted in the non-competitive
    share's denominator) but None with the problem 'method not recognised'; blank stays blank, 'Other' is other;
    a user's recode wins."""
    parsed = V.parse_method(["Prior to 2-1-2006", "", "Other"])
    assert pd.isna(parsed.values[0])
    assert parsed.problems[0] == V.PROBLEM_METHOD == "method not recognised"
    assert parsed.values[2] == "other" and pd.isna(parsed.problems[2])
    recoded = V.parse_method(["Prior to 2-1-2006"], {"Prior to 2-1-2006": "exempt"})
    assert recoded.values[0] == "exempt" and pd.isna(recoded.problems[0])
    assert pd.isna(parsed.values[1])
    assert set(V.parse_method([m for m in METHODS]).values) == set(METHODS)


def test_competitive_flag():
    """ADVERTISED counts as competitive; exempt and sole source do not; unknown is NA."""
    methods = V.parse_method(["ADVERTISED", "EXEMPT", "Sole Source", "other"]).values
    assert V.is_competitive(methods).tolist() == [True, False, False, False]
    assert V.is_noncompetitive(methods).tolist() == [False, True, True, False]


@pytest.mark.parametrize(("raw", "expected"), [
    ([0.2, 0.9], [0.2, 0.9]),
    ([1, 3, 5], [0.0, 0.5, 1.0]),
    ([7, 10, 2], [0.7, 1.0, 0.2]),
    ([85, 40], [0.85, 0.4]),
    (["90%", "45%"], [0.9, 0.45]),
])
def test_scores_normalised_from_their_scale(raw, expected):
    """Scores on 0-1, 1-5, 0-10, 0-100 or percent become 0-1."""
    assert V.parse_score(raw).values.tolist() == pytest.approx(expected)


def test_score_out_of_range_is_a_problem():
    """A score above 100 on a 0-100 scale is a problem."""
    parsed = V.parse_score([50, 250], scale=(0, 100))
    assert np.isnan(parsed.values[1])
    assert parsed.problems[1] == V.PROBLEM_SCORE


def test_ids_keep_leading_zeros_and_lose_excel_dot_zero():
    """'0001' stays '0001'; 208.0 from Excel is '208'."""
    assert V.parse_id(["0001", 208.0, " A-7 ", "NA"]).values.tolist()[:3] == ["0001", "208", "A-7"]


def test_parsers_never_raise_on_hostile_values():
    """Odd objects, huge numbers and control characters give problems, not exceptions."""
    hostile = [object(), float("inf"), 10**30, "\x00\x01", "=cmd|' /C calc'!A0", [1, 2], b"bytes", -0.0]
    for parse in (V.parse_money, V.parse_date, V.parse_boolean, V.parse_integer, V.parse_method,
                  V.parse_score, V.parse_id, V.parse_text, V.parse_number):
        result = parse(hostile)
        assert len(result.values) == len(hostile)
    V.parse_certifications(hostile)


def test_parsers_are_vectorised_on_distinct_values(monkeypatch):
    """200,000 cells with three distinct values: the text parsing sees those three values, never 200,000
    (what keeps a 100,000-row export fast; docs/performance.md has the timings)."""
    seen = []
    text_to_dates, numeric_text = V._text_to_dates, V._parse_numeric_text
    monkeypatch.setattr(V, "_text_to_dates", lambda t, *a: seen.append(len(t)) or text_to_dates(t, *a))
    monkeypatch.setattr(V, "_parse_numeric_text", lambda t, *a: seen.append(len(t)) or numeric_text(t, *a))
    cells = pd.Series(["$1,234.56", "(12.00)", "2021-04-08"] * 66_667)
    money, dates = V.parse_money(cells), V.parse_date(cells)
    assert seen and max(seen) <= 3
    assert money.values.iloc[:3].tolist()[:2] == [1234.56, -12.0] and money.problems.iloc[2] == V.PROBLEM_MONEY
    assert dates.values.iloc[2] == pd.Timestamp("2021-04-08") and len(dates.values) == 200_001


def test_percent_text_is_the_fraction_a_typed_cell_holds():
    """"96.7%" parses to exactly 0.967 (the number a database or typed cell holds), not 0.9670000000000001."""
    assert V.parse_number(["96.7%", "99.9%", "92%"]).values.tolist() == [0.967, 0.999, 0.92]
