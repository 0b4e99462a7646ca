"""Property-based fuzzing of the value parsers, the normaliser and the whole file path: whatever the cells,
no exception, one result per cell, and rows read = rows loaded + rows excluded, always."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from loaders import LoadError, inspect_file, normalise
from loaders import values as V
from loaders.mapping import alias_index
from loaders.normalise import EXCLUDED, to_canonical
from loaders.schema import TABLES

FAST = settings(max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", 40)), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.function_scoped_fixture])

TOKENS = ["", " ", "NA", "n/a", "#REF!", "#DIV/0!", "#N/A", "#NAME?", "-", "—", "Total", "Grand Total",
          "$1,234.56", "(5.00)", "1.234,56", "1e308", "-0", "$", "USD 12", "12 USD", "1 234,5", "½", "٣٤٥",
          "2024-02-30", "31/02/2026", "1900-01-00", "02/29/2023", "20240101", "45000", "0", "9999-12-31",
          "Y", "no", "✓", "x", "MBE/WBE", "DBE; SBE", "ITB", "Sole Source", "RFP #2024-1", "4 of 5", "110%",
          "=1+1", "+cmd", "@SUM(A1)", "<script>alert(1)</script>", "\x00", "\u202e", "👷🏽‍♀️", "\r\n", "a\tb"]

cell = st.one_of(
    st.none(),
    st.sampled_from(TOKENS),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),  # beyond int64 too
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(),
    st.just(pd.NaT), st.just(pd.NA), st.just(np.nan), st.just(np.int64(7)), st.just(np.float32(2.5)),
    st.just(pd.Timestamp("2025-07-15")), st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.just(decimal.Decimal("NaN")), st.just(["a", "list"]), st.just({"a": 1}), st.just(b"bytes"),
    st.just(dt.time(12, 30)),
)
cells = st.lists(cell, max_size=30)

PARSERS = {
    "money": V.parse_money, "number": V.parse_number, "integer": V.parse_integer, "date": V.parse_date,
    "date_dayfirst": lambda v: V.parse_date(v, dayfirst=True), "boolean": V.parse_boolean,
    "method": V.parse_method, "score": V.parse_score, "id": V.parse_id, "text": V.parse_text,
    "money_decimal_comma": lambda v: V.parse_money(v, decimal_comma=True),
}


@pytest.mark.parametrize("kind", list(PARSERS))
@FAST
@given(values=cells)
def test_value_parsers_never_raise_and_keep_one_result_per_cell(kind, values):
    """Every parser returns one value and one problem slot per cell; a missing cell is missing, not a problem."""
    parsed = PARSERS[kind](values)
    n = len(values)
    assert len(parsed.values) == n and len(parsed.problems) == n
    assert list(parsed.values.index) == list(range(n)) == list(parsed.problems.index)
    for i, v in enumerate(values):
        if v is None or v is pd.NA or v is pd.NaT:
            assert pd.isna(parsed.problems.iloc[i]), (v, parsed.problems.iloc[i])


@FAST
@given(values=cells)
def test_blank_and_certification_helpers_never_raise(values):
    """is_blank, the spreadsheet-error test and certification parsing take any cell."""
    assert len(V.is_blank(values)) == len(values) == len(V.is_spreadsheet_error(values))
    text, flags, problems = V.parse_certifications(values)
    assert len(text) == len(problems) == len(flags) == len(values)


@pytest.mark.parametrize("kind", list(PARSERS))
@FAST
@given(data=st.data(), values=cells)
def test_a_coded_column_parses_as_its_cells_do(kind, data, values):
    """The normaliser codes a column once and parses row selections of it: the same answer as the cells."""
    # Coding merges True with 1 and False with 0 (they hash alike), whole column or rows alike: leave that out.
    bools = [v for v in values if isinstance(v, (bool, np.bool_))]
    assume(not bools or not any(_is_zero_or_one(v) for v in values if not isinstance(v, (bool, np.bool_))))
    rows = np.array(data.draw(st.lists(st.integers(0, max(len(values) - 1, 0)), max_size=len(values))
                              if values else st.just([])), dtype=np.int64)
    coded = V.code(values).take(rows)
    expected = PARSERS[kind]([values[i] for i in rows])
    got = PARSERS[kind](coded)
    pd.testing.assert_series_equal(got.values, expected.values)
    pd.testing.assert_series_equal(got.problems, expected.problems)
    blank, error = V._blank_and_error(coded)
    assert blank.tolist() == V.is_blank([values[i] for i in rows]).tolist()
    assert error.tolist() == V.is_spreadsheet_error([values[i] for i in rows]).tolist()


def _is_zero_or_one(v) -> bool:
    try:
        return v in (0, 1)
    except Exception:  # arrays, NA and the like compare oddly
        return False


def test_taking_rows_keeps_only_the_values_they_hold():
    column = V.code(["A", None, " B\u00a0", "A", "c"])
    assert column.lowered.tolist() == ["a", "b", "c"]
    taken = column.take(np.array([4, 1, 0]))
    assert taken.codes.tolist() == [1, -1, 0]
    assert taken.uniques.tolist() == ["A", "c"]
    assert taken.lowered.tolist() == ["a", "c"]  # carried over, not recomputed


@FAST
@given(values=st.lists(cell, min_size=1, max_size=40), width=st.integers(1, 80))
def test_blank_grid_matches_the_cell_by_cell_answer(values, width):
    """The one-pass blank mask of a wide grid is exactly the column-by-column one."""
    rows = [values[(i * width) % len(values):][:width] for i in range(3)]
    rows = [r + [None] * (width - len(r)) for r in rows]
    frame = pd.DataFrame(rows, dtype=object)
    expected = np.column_stack([V.is_blank(frame.iloc[:, j]).to_numpy() for j in range(width)])
    assert (V.blank_grid(frame) == expected).all()


def _headers(table: str):
    known = sorted(alias_index(table))
    return st.lists(st.one_of(st.sampled_from(known), st.text(max_size=10), st.just("Total"), st.just("")),
                    min_size=1, max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), table=st.sampled_from(list(TABLES)))
def test_normaliser_accounts_for_every_row(data, table):
    """Random headers (known aliases, noise, blanks, duplicates) over random cells, for every table: each row
    read is loaded or excluded with a reason, and the frame has exactly the loaded rows."""
    headers = data.draw(_headers(table))
    rows = data.draw(st.lists(st.lists(cell, min_size=len(headers), max_size=len(headers)), max_size=20))
    raw = pd.DataFrame(rows, columns=range(len(headers)), dtype=object)
    raw.columns = headers
    result = to_canonical(raw, table, rows=np.arange(2, 2 + len(raw)), source="fuzz.csv")
    assert result.rows_read == result.rows_loaded + result.rows_excluded
    assert len(result.frame) == result.rows_loaded
    excluded = result.issues[result.issues["problem"].str.startswith(EXCLUDED)]
    assert excluded["row"].nunique() == result.rows_excluded == len(excluded)
    assert set(result.frame["source_row"]).isdisjoint(set(excluded["row"].dropna().astype(int)))
    frame, issues = normalise(raw, table)  # the public API takes the same frame
    assert len(frame) == result.rows_loaded


separator = st.sampled_from([",", ";", "\t", "|"])
text_cell = st.one_of(st.sampled_from(TOKENS), st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                                                      max_size=10))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(sep=separator, header=st.lists(text_cell, min_size=1, max_size=6),
       body=st.lists(st.lists(text_cell, max_size=7), max_size=15), quote=st.booleans(),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
def test_any_delimited_text_is_read_or_refused_cleanly(tmp_path, sep, header, body, quote, encoding):
    """Random delimited text through the whole path (decode, sniff, header, classify, normalise): a LoadError,
    or parts whose rows add up; never another exception."""
    lines = [sep.join(('"' + c.replace('"', '""') + '"') if quote else c for c in row) for row in [header, *body]]
    path = tmp_path / "fuzz.csv"
    try:
        path.write_bytes("\n".join(lines).encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes("\n".join(lines).encode("utf-8"))
    try:
        parts = inspect_file(path)
    except LoadError as exc:
        assert "fuzz.csv" in str(exc) and "\n" not in str(exc)
        return
    for part in parts:
        assert part.rows_read == part.rows_loaded + part.rows_excluded
        assert len(part.frame) == part.rows_loaded
