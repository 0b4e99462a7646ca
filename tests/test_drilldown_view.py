"""Drill-down for a person: plain column names from the schema, plain exclusion reasons, blanks as blanks,
and the records that miss the goal picked out first."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import kpi
from kpi.exceptions import EXCEPTION_LABELS, exceptions
from loaders.labels import canonical_columns, column_label, friendly_columns, plain_words


def test_every_canonical_column_has_a_plain_label():
    """No label of a schema column is the column name itself or holds an underscore."""
    for name in canonical_columns():
        label = column_label(name)
        assert "_" not in label and label != name, name


def test_engine_columns_read_as_words():
    """The drill-down's own columns: period_label, import_id and counted never reach a reader."""
    assert column_label("period_label") == "Period"
    assert column_label("import_id") == "Import"
    assert column_label("counted") == "Counted in the value"
    assert column_label("invoice_received_date") == "Invoice received"
    assert column_label("Check No.") == "Check No."  # a file's own header is left as written


def test_exclusion_reasons_in_plain_words():
    """'invoice_received_date missing' reads 'invoice received date missing'; other words are untouched."""
    assert plain_words("invoice_received_date missing") == "invoice received date missing"
    assert plain_words("not awarded (award_date missing)") == "not awarded (award date missing)"
    assert plain_words("not competitive") == "not competitive"
    assert plain_words(None) == ""


def test_friendly_columns_renames_and_rewords_reasons():
    frame = pd.DataFrame({"reason": ["invoice_received_date missing"], "payment_id": ["P-1"], "amount": [5.0]})
    out = friendly_columns(frame)
    assert list(out.columns) == ["Why it is excluded", "Payment number", "Amount paid"]
    assert out.iloc[0, 0] == "invoice received date missing"


def test_records_view_shows_blanks_as_blank():
    """Missing text, dates and numbers show as empty cells, never 'None' or 'nan'."""
    from ui.tables import records_view

    frame = pd.DataFrame({
        "period_label": ["FY2026", "FY2026"],
        "payment_id": ["PAY-WITH-ALL", "PAY-WITH-NONE"],
        "vendor_name": ["Acme", None],
        "invoice_date": pd.to_datetime(["2026-01-05", None]),
        "amount": [1200.5, np.nan],
        "counted": [True, False],
    })
    view, config = records_view(frame)
    cells = view.astype(str).to_numpy().ravel().tolist()
    assert not {"None", "nan", "NaT", "<NA>"} & set(cells)
    assert list(view.columns) == ["Payment number", "Vendor", "Invoice date", "Amount paid", "Counted in the value"]
    assert view["Amount paid"].tolist() == ["$1,200.50", ""]  # a gap: text, blank where missing
    assert view["Invoice date"].tolist() == ["2026-01-05", ""]
    assert view["Counted in the value"].tolist() == ["Yes", "No"]
    assert view["Vendor"].tolist() == ["Acme", ""]
    complete, config = records_view(frame.assign(amount=[1200.5, 99.0]))
    assert complete["Amount paid"].tolist() == [1200.5, 99.0] and "Amount paid" in config  # numbers stay numbers


def _drill(numerator, denominator):
    return kpi.Drilldown(kpi.Records.of(numerator), kpi.Records.of(denominator), kpi.Records(columns=("reason",)))


def test_exceptions_of_a_share_where_higher_is_better_are_the_records_not_counted():
    """On-time payments: the exceptions are the late ones (not counted), longest first."""
    den = pd.DataFrame({"payment_id": ["PAY-ON-TIME", "PAY-LATE-40", "PAY-LATE-90"], "days": [10, 40, 90],
                        "counted": [True, False, False]})
    exc = exceptions(kpi.KPIS["on_time_payment_share"], _drill(den[den["counted"]], den))
    assert exc.label == "Late payments"
    assert list(exc.records.frame()["payment_id"]) == ["PAY-LATE-90", "PAY-LATE-40"]


def test_exceptions_of_a_share_where_lower_is_better_are_the_counted_records():
    """Single-bid share: the exceptions are the single-bid solicitations themselves."""
    den = pd.DataFrame({"solicitation_id": ["SOL-SINGLE-BID", "SOL-THREE-BIDS"], "bids": [1, 3],
                        "counted": [True, False]})
    exc = exceptions(kpi.KPIS["single_bid_share"], _drill(den[den["counted"]], den))
    assert exc.label == "Single-bid solicitations" and list(exc.records.frame()["solicitation_id"]) == ["SOL-SINGLE-BID"]


def test_exceptions_of_a_duration_are_the_records_beyond_the_goal():
    """Days to pay with a 30-day goal: 31 and 45 days are exceptions, 30 (inclusive goal) is not."""
    den = pd.DataFrame({"payment_id": ["PAY-30", "PAY-31", "PAY-45", "PAY-5"], "days": [30, 31, 45, 5]})
    exc = exceptions(kpi.KPIS["days_to_pay"], _drill(den, den), {"target": 30})
    assert list(exc.records.frame()["payment_id"]) == ["PAY-45", "PAY-31"]
    assert exceptions(kpi.KPIS["days_to_pay"], _drill(den, den), {"target": None}) is None


def test_every_scorecard_kpi_names_its_exceptions():
    """Each scorecard KPI says what its exceptions are (the first tab of its drill-down)."""
    missing = [k for k in kpi.SCORECARD if k not in EXCEPTION_LABELS]
    assert missing == []


@pytest.fixture(scope="module")
def sample_tables(tmp_path_factory):
    import sample_data
    from storage.workspace import Workspace

    ws = Workspace(tmp_path_factory.mktemp("drill") / "ws")
    sample_data.ensure_sample(ws)
    return ws.tables()


@pytest.mark.parametrize("kpi_id", ["on_time_payment_share", "single_bid_share", "evaluation_completion_rate",
                                    "expiring_without_replacement"])
def test_exceptions_on_the_sample_city_are_a_subset_of_the_records_used(kpi_id, sample_tables):
    """On real-shaped data the exceptions are some, not all and not none, of the records used."""
    import sample_data

    k = kpi.KPIS[kpi_id]
    drill = kpi.drilldown(kpi_id, sample_tables, as_of=sample_data.AS_OF, grain="year")
    exc = exceptions(k, drill, k.goal)
    assert 0 < exc.records.count < drill.used.count == len(drill.denominator)
    key = next(c for c in ("payment_id", "solicitation_id", "contract_id") if c in drill.denominator)
    assert set(exc.records.frame()[key]) <= set(drill.denominator[key])
    assert exc.records.head(1).equals(exc.records.frame().head(1))
    assert not re.search(r"_", exc.label)


def test_excluded_records_without_a_date_have_blank_days():
    """Hand County's FY2026 solicitations excluded from the lead time (no award date, or none yet) carry no
    duration: blank, never the smallest 64-bit integer a missing date once turned into."""
    from kpi_golden import hand_county_tables

    dd = kpi.drilldown("procurement_lead_time_days", hand_county_tables(), period_label="FY2026", grain="year",
                       fy_start_month=10, as_of="2026-06-30")
    assert len(dd.excluded) == 8
    assert dd.excluded["days"].isna().all()
    assert (dd.numerator["days"].dropna() >= 0).all() and dd.numerator["days"].notna().all()
