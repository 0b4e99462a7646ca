"""Fiscal periods: July and October starts, labels, boundaries, partial periods, pandas' anchored periods."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kpi
from kpi import periods as P


def codes(dates, grain, start):
    return P.period_codes(P.to_days(pd.Series(pd.to_datetime(dates))), grain, start)


@pytest.mark.parametrize(("date", "start", "year", "quarter"), [
    ("2025-06-30", 7, "FY2025", "FY2025 Q4"),
    ("2025-07-01", 7, "FY2026", "FY2026 Q1"),
    ("2025-09-30", 7, "FY2026", "FY2026 Q1"),
    ("2025-10-01", 7, "FY2026", "FY2026 Q2"),
    ("2026-06-30", 7, "FY2026", "FY2026 Q4"),
    ("2025-09-30", 10, "FY2025", "FY2025 Q4"),
    ("2025-10-01", 10, "FY2026", "FY2026 Q1"),
    ("2026-01-01", 10, "FY2026", "FY2026 Q2"),
    ("2025-12-31", 1, "FY2025", "FY2025 Q4"),
    ("2026-01-01", 1, "FY2026", "FY2026 Q1"),
    # A fiscal year is named after the calendar year it ends in (as pandas' Y-MAR, and New York State).
    ("2026-03-31", 4, "FY2026", "FY2026 Q4"),
    ("2026-04-01", 4, "FY2027", "FY2027 Q1"),
])
def test_labels_at_fiscal_boundaries(date, start, year, quarter):
    """FY2026 with a July start is 1 Jul 2025 - 30 Jun 2026; with October, 1 Oct 2025 - 30 Sep 2026."""
    assert P.labels(codes([date], "year", start), "year", start) == [year]
    assert P.labels(codes([date], "quarter", start), "quarter", start) == [quarter]
    assert P.labels(codes([date], "month", start), "month", start) == [date[:7]]


@pytest.mark.parametrize("start", range(1, 13))
def test_codes_are_pandas_anchored_periods(start):
    """Codes, starts and ends agree with pandas' Q-<end>/Y-<end> periods for every start month."""
    rng = np.random.default_rng(start)
    dates = pd.Series(pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 4000, 500), unit="D"))
    for grain in ("month", "quarter", "year"):
        c = codes(dates, grain, start)
        want = dates.dt.to_period(P.pandas_freq(grain, start))
        got = P.to_periods(c, grain, start)
        assert list(got) == list(want)
        assert (pd.to_datetime(P.period_start(c, grain, start)) == want.dt.start_time.dt.normalize()).all()
        assert (pd.to_datetime(P.period_end(c, grain, start)) == want.dt.end_time.dt.normalize()).all()
        assert [P.parse_label(lab, grain, start) for lab in P.labels(c, grain, start)] == list(c)


def test_undated_records_get_no_period():
    c = codes(["2025-07-01", None], "quarter", 7)
    assert c[1] == P.NO_PERIOD


def test_unknown_grain_and_start_month_are_errors():
    with pytest.raises(ValueError, match="unknown grain 'week'"):
        P.normalise_grain("week")
    assert P.normalise_grain("fy") == "year"
    with pytest.raises(ValueError, match="1-12"):
        P.check_start_month(13)
    with pytest.raises(ValueError, match="not a quarter period label"):
        P.parse_label("FY2026 Q5", "quarter", 7)


PAYMENTS = pd.DataFrame({
    "payment_id": ["P-JUN-30", "P-JUL-1", "P-SEP-30", "P-OCT-1", "P-MAR-15"],
    "payment_date": pd.to_datetime(["2025-06-30", "2025-07-01", "2025-09-30", "2025-10-01", "2026-03-15"]),
    "amount": [1.0, 2.0, 4.0, 8.0, 16.0],
    "contract_id": ["C", None, "C", None, "C"],
})


def test_compute_by_fiscal_year_july_and_october():
    """Spend under contract by fiscal year: the same payments fall in different years per start month."""
    july = kpi.compute("spend_under_contract_share", {"payments": PAYMENTS}, grain="year", as_of="2026-06-30")
    assert list(july.frame["period_label"]) == ["FY2025", "FY2026"]
    assert list(july.frame["denominator"]) == [1.0, 30.0]  # FY2026: Jul 1, Sep 30, Oct 1, Mar 15
    october = kpi.compute("spend_under_contract_share", {"payments": PAYMENTS}, grain="year", as_of="2026-06-30",
                          fy_start_month=10)
    assert list(october.frame["period_label"]) == ["FY2025", "FY2026"]
    assert list(october.frame["denominator"]) == [7.0, 24.0]  # FY2025 ends 30 Sep 2025
    assert october.frame["period_start"].iloc[1] == pd.Timestamp("2025-10-01")
    assert october.frame["period"].iloc[1] == pd.Period("2026", freq="Y-SEP")


def test_partial_periods():
    """A period not over at the as-of date is partial; one ending on the as-of date is complete."""
    res = kpi.compute("spend_under_contract_share", {"payments": PAYMENTS}, grain="quarter", as_of="2026-03-31")
    partial = dict(zip(res.frame["period_label"], res.frame["partial"], strict=True))
    assert partial == {"FY2025 Q4": False, "FY2026 Q1": False, "FY2026 Q2": False, "FY2026 Q3": False}
    res = kpi.compute("spend_under_contract_share", {"payments": PAYMENTS}, grain="quarter", as_of="2026-03-30")
    assert res.frame.set_index("period_label").loc["FY2026 Q3", "partial"]
    assert res.latest(complete=True)["period_label"] == "FY2026 Q2"


def test_fiscal_year_filter_selects_periods():
    res = kpi.compute("spend_under_contract_share", {"payments": PAYMENTS}, grain="month", as_of="2026-06-30",
                      filters=kpi.Filters(fiscal_years=(2026,)))
    assert list(res.frame["period_label"]) == ["2025-07", "2025-09", "2025-10", "2026-03"]
    assert set(res.frame["fiscal_year"]) == {2026}


def test_date_range_filter_is_inclusive():
    res = kpi.compute("spend_under_contract_share", {"payments": PAYMENTS}, grain="year", as_of="2026-06-30",
                      filters=kpi.Filters(date_from="2025-07-01", date_to="2025-09-30"))
    assert list(res.frame["n"]) == [2]
