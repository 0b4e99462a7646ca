"""The normaliser: canonical frames, issues, exclusions and the accounting invariant."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders import LoadError, normalise
from loaders.normalise import ISSUE_COLUMNS, to_canonical

RAW_PAYMENTS = pd.DataFrame({
    "Check No": ["PAY-OK", "PAY-BAD-DATE", "PAY-NO-AMOUNT", None, "Total", "PAY-ZERO"],
    "Check Date": ["2024-01-02", "31/31/2024", "2024-01-03", None, None, "1/5/2024"],
    "Payee": ["Acme", "Bolt", "Core", None, None, "Dyna"],
    "Amount": ["$10.00", "20", "", None, "$30.00", "0"],
    "Memo": ["x", "y", "z", None, None, "w"],
})


def test_normalise_returns_canonical_frame_and_issues():
    """Canonical columns plus source_row; every problem listed with source, sheet, row, column, value."""
    frame, issues = normalise(RAW_PAYMENTS, "payments", source="ap.xlsx", sheet="Checks", first_row=5)
    assert list(frame.columns) == ["payment_id", "payment_date", "amount", "vendor_name", "source_row"]
    assert frame["payment_id"].tolist() == ["PAY-OK", "PAY-ZERO"]
    assert frame["source_row"].tolist() == [5, 10]
    assert tuple(issues.columns) == ISSUE_COLUMNS
    problems = dict(zip(issues["row"], issues["problem"], strict=False))
    assert problems[6] in ("not a date", "excluded: missing payment_date")
    assert set(issues.loc[issues["row"] == 6, "problem"]) == {"not a date", "excluded: missing payment_date"}
    assert problems[7] == "excluded: missing amount"
    assert issues.loc[issues["row"] == 9, "problem"].iloc[0] == "excluded: totals row"  # then its total's check
    assert (issues["source"] == "ap.xlsx").all() and (issues["sheet"] == "Checks").all()
    bad_date = issues[issues["problem"] == "not a date"].iloc[0]
    assert (bad_date["column"], bad_date["value"]) == ("Check Date", "31/31/2024")


def test_dtypes_are_canonical():
    """Ids and text are str, money float64, dates datetime64, flags boolean."""
    frame, _ = normalise(RAW_PAYMENTS, "payments")
    assert frame["payment_id"].dtype == "str"
    assert frame["amount"].dtype == "float64"
    assert frame["payment_date"].dtype.kind == "M"


def test_mapping_overrides_and_unmaps():
    """A mapping passed in wins; None leaves a column unmapped; unknown names are an error."""
    frame, _ = normalise(RAW_PAYMENTS, "payments", mapping={"Memo": "category", "Payee": None})
    assert "category" in frame.columns and "vendor_name" not in frame.columns
    with pytest.raises(LoadError, match="not a column of payments"):
        normalise(RAW_PAYMENTS, "payments", mapping={"Memo": "memo_text"})
    with pytest.raises(LoadError, match="no column 'Nope'"):
        normalise(RAW_PAYMENTS, "payments", mapping={"Nope": "category"})
    with pytest.raises(LoadError, match="unknown table"):
        normalise(RAW_PAYMENTS, "checks")


def test_required_column_missing_is_a_part_issue_and_rows_still_load():
    """No amount column: one part-level issue; the normaliser still loads the rows (import refuses the part)."""
    raw = RAW_PAYMENTS.drop(columns=["Amount"]).iloc[[0, 5]]
    frame, issues = normalise(raw, "payments")
    assert len(frame) == 2
    assert frame["amount"].isna().all()
    part_level = issues[issues["row"].isna()]
    assert part_level["problem"].tolist() == ["required column not found: amount"]


def test_payment_id_made_from_the_row_when_the_export_has_none():
    """Changed rule (issue 13): payment_id is no longer required. A checkbook without one gets a stable id
    made from each row's cells and row number; two identical lines on different rows get different ids."""
    raw = pd.DataFrame({"Check Date": ["2024-01-02", "2024-01-02", "2024-01-03"],
                        "Payee": ["Acme", "Acme", "Bolt"], "Amount": ["10", "10", "5"]})
    frame, issues = normalise(raw, "payments")
    again, _ = normalise(raw.copy(), "payments")
    assert len(frame) == 3 and frame["payment_id"].notna().all()
    assert frame["payment_id"].tolist() == again["payment_id"].tolist()
    assert frame["payment_id"].str.startswith(("R2-", "R3-", "R4-")).all()
    assert frame["payment_id"].nunique() == 3
    assert not issues["problem"].str.startswith("required column").any()
    # A blank id on one row is filled the same way; given ids are kept.
    raw2 = raw.assign(Check=["C1", None, "C3"])
    frame2, _ = normalise(raw2, "payments")
    assert frame2["payment_id"].tolist()[0::2] == ["C1", "C3"]
    assert frame2["payment_id"].tolist()[1].startswith("R3-")


def test_nothing_identifying_left_excludes_every_row():
    """With none of the required columns, nothing loads and every row is excluded with the reason."""
    raw = pd.DataFrame({"Memo": ["a", "b"], "Fund": ["100", "200"]})
    frame, issues = normalise(raw, "payments")
    assert len(frame) == 0
    excluded = issues[issues["problem"].str.startswith("excluded")]
    assert len(excluded) == 2
    assert excluded["problem"].iloc[0].startswith("excluded: no required column found")


def test_one_of_group_vendor_id_or_name():
    """Bids need a vendor id or name: a row with neither is excluded."""
    raw = pd.DataFrame({"Bid Number": ["B1", "B1"], "Bidder": ["Acme", ""], "Bid Amount": ["1", "2"]})
    frame, issues = normalise(raw, "bids")
    assert frame["vendor_name"].tolist() == ["Acme"]
    assert "excluded: missing vendor_name" in issues["problem"].tolist()


def test_certifications_set_flags_and_explicit_flags_win():
    """'MBE; WBE' sets is_mbe and is_wbe; an explicit MBE column wins where filled."""
    raw = pd.DataFrame({"Vendor Name": ["A", "B", "C"], "Certification": ["MBE; WBE", "DBE", ""],
                        "MBE": ["", "Y", "N"]})
    frame, _ = normalise(raw, "vendors")
    assert frame["certifications"].tolist()[:2] == ["MBE; WBE", "DBE"]
    assert frame["is_mbe"].tolist() == [True, True, False]
    assert frame["is_wbe"].tolist() == [True, False, False]
    assert frame["is_dbe"].tolist() == [False, True, False]


def test_frames_from_elsewhere_with_typed_values():
    """A frame with real types (as from SQL) normalises too: numbers, Timestamps, None."""
    raw = pd.DataFrame({"payment_id": [1, 2], "payment_date": pd.to_datetime(["2024-01-01", None]),
                        "amount": [10.5, None]})
    frame, issues = normalise(raw, "payments", first_row=1)
    assert frame["payment_id"].tolist() == ["1"]
    assert set(issues["problem"]) == {"excluded: missing payment_date or amount"} or set(
        issues["problem"]) <= {"excluded: missing payment_date", "excluded: missing amount"}


def test_blank_rows_are_not_counted():
    """Blank rows are neither read nor excluded."""
    raw = pd.DataFrame({"Check No": ["1", "", None, "2"], "Check Date": ["2024-01-01", "", None, "2024-01-02"],
                        "Amount": ["1", " ", None, "2"]})
    rows = np.arange(2, 6)
    result = to_canonical(raw, "payments", rows=rows)
    assert (result.rows_read, result.rows_loaded, result.rows_excluded) == (2, 2, 0)
    assert result.frame["source_row"].tolist() == [2, 5]


cell = st.one_of(
    st.none(), st.just(""), st.just("NA"), st.just("Total"), st.just("Grand Total"), st.just("*note"),
    st.text(max_size=6), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6),
    st.sampled_from(["$1,234.56", "(5.00)", "2024-02-30", "1/2/2024", "20240101", "Y", "MBE/WBE", "ITB"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cell, min_size=4, max_size=4), min_size=0, max_size=25),
       st.sampled_from(["payments", "contracts", "solicitations", "bids", "vendors", "evaluations"]))
def test_accounting_invariant_holds_for_any_input(rows, table):
    """rows_read == rows_loaded + rows_excluded, and every excluded row has a reason."""
    raw = pd.DataFrame(rows, columns=["ID", "Date", "Vendor Name", "Amount"], dtype=object) if rows else \
        pd.DataFrame(columns=["ID", "Date", "Vendor Name", "Amount"], dtype=object)
    result = to_canonical(raw, table, rows=np.arange(2, 2 + len(raw)))
    assert result.rows_read == result.rows_loaded + result.rows_excluded
    assert len(result.frame) == result.rows_loaded
    excluded = result.issues[result.issues["problem"].str.startswith("excluded")]
    assert excluded["row"].nunique() == result.rows_excluded


def test_totals_row_is_compared_with_the_imported_total(tmp_path):
    """A 'Total' row of $410 over rows that add up to $400 is reported with its row; an equal total is not."""
    import loaders
    from loaders.normalise import TOTALS_MISMATCH

    body = "Check No,Check Date,Vendor,Amount\n1001,2025-08-01,Acme,100.00\n1002,2025-08-02,Beta,300.00\n"
    wrong, right = tmp_path / "wrong.csv", tmp_path / "right.csv"
    wrong.write_text(body + "Total,,,410.00\n")
    right.write_text(body + "Total,,,400.00\n")
    issues = loaders.inspect_file(wrong, table="payments")[0].issues
    hit = issues[issues["problem"] == TOTALS_MISMATCH]
    assert list(hit["row"]) == [4] and list(hit["column"]) == ["Amount"]
    assert hit["value"].iloc[0] == "the file says 410.00, the 2 rows imported add up to 400.00 (difference -10.00)"
    issues = loaders.inspect_file(right, table="payments")[0].issues
    assert not (issues["problem"] == TOTALS_MISMATCH).any()
