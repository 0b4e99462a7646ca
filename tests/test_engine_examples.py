"""The engine on edge cases the worked examples and the recorded cities do not hold: a contract id listed twice,
results and check-ins of unknown contracts, off-track compared per period of the grain.

tests/test_kpi_examples.py checks every KPI's hand-worked example; tests/test_engine_parity.py the recorded
results of the sample city and Hand County.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_kpi_examples import EXAMPLES, frame

import kpi
from kpi.sql import engine as sql_engine
from kpi.sql.source import Source

pytestmark = pytest.mark.xdist_group("engines")


def _sql(kpi_id: str, tables, **kw) -> kpi.KPIResult:
    return sql_engine.compute(kpi_id, Source.from_frames(tables), **kw)


def _yearly(kpi_id: str, tables, **kw) -> kpi.KPIResult:
    """The KPI by fiscal year, in embedded DuckDB over the frames."""
    return _sql(kpi_id, tables, grain="year", **kw)


def _twice(tables: dict, contract_id: str, **changes) -> dict:
    """The tables with the contract's row listed a second time (changed as given), after the first."""
    c = tables["contracts"]
    again = c[c["contract_id"] == contract_id].assign(**changes)
    return {**tables, "contracts": pd.concat([c, again], ignore_index=True)}


def test_performance_records_land_on_the_first_row_of_a_contract_listed_twice():
    """Results, check-ins and metric rows name a contract id; where contracts lists the id twice they belong to
    the first row (as in the app's engine): the second row is a key contract of its own with no check-in."""
    checkin = _twice(EXAMPLES["quarterly_checkin_rate"].tables, "CTR-ENDS-DEC", department="Parks")
    res = _yearly("quarterly_checkin_rate", checkin, as_of="2026-01-15")
    assert res.at("FY2026")["n"] == 6 and res.at("FY2026")["value"] == pytest.approx(2 / 6)
    offtrack = _twice(EXAMPLES["offtrack_key_contract_share"].tables, "CTR-RESPONSE", department="Parks")
    res = _yearly("offtrack_key_contract_share", offtrack, as_of="2026-03-31")
    assert res.at("FY2026")["n"] == 2
    # The example's 4 of 5 key contracts with metrics; the second row is a sixth key contract, without them.
    metrics = _twice(EXAMPLES["contracts_with_metrics_share"].tables, "CTR-KEY-METRICS-ROW")
    res = _yearly("contracts_with_metrics_share", metrics, as_of="2026-06-30")
    assert (res.at("FY2026")["n"], res.at("FY2026")["value"]) == (6, pytest.approx(4 / 6))
    # A 2019 contract listed again under another vendor adds no repeat award: still 1 of 2 informed.
    repeat = _twice(EXAMPLES["repeat_awards_with_evaluation_share"].tables, "CTR-ACME-2019", vendor_id="V-OTHER")
    res = _yearly("repeat_awards_with_evaluation_share", repeat, as_of="2026-06-30")
    assert (res.at("FY2026")["n"], res.at("FY2026")["value"]) == (2, pytest.approx(0.5))


def test_results_and_checkins_of_unknown_contracts_are_named_in_a_note():
    ex = EXAMPLES["offtrack_key_contract_share"]
    tables = {**ex.tables, "metric_results": pd.concat([ex.tables["metric_results"], frame("metric_results", [
        dict(contract_id="CTR-NOT-IN-CONTRACTS", metric_id="ON-TIME", period_end="2025-12-31", value=0.1)])],
        ignore_index=True)}
    res = _yearly("offtrack_key_contract_share", tables, as_of="2026-03-31")
    assert res.notes == ("1 latest result(s) name contracts that are not in the contracts table",)
    ex = EXAMPLES["quarterly_checkin_rate"]
    tables = {**ex.tables, "checkins": pd.concat([ex.tables["checkins"], frame("checkins", [
        dict(contract_id="CTR-NOT-IN-CONTRACTS", meeting_date="2025-08-01")])], ignore_index=True)}
    res = _yearly("quarterly_checkin_rate", tables, as_of="2026-01-15")
    assert res.notes == ("1 check-in(s) name contracts that are not in the contracts table",)


def test_offtrack_compares_the_latest_result_of_each_period_of_the_grain():
    """A fiscal year compares its latest results (CTR-ON-TIME met its target in December), a quarter its own
    (CTR-ON-TIME missed it in FY2026 Q1): one record per contract and period of the report's grain."""
    ex = EXAMPLES["offtrack_key_contract_share"]
    year = _sql("offtrack_key_contract_share", ex.tables, grain="year", as_of=ex.as_of)
    quarter = _sql("offtrack_key_contract_share", ex.tables, grain="quarter", as_of=ex.as_of)
    assert year.at("FY2026")["value"] == 0.5 and year.at("FY2026")["n"] == 2
    assert quarter.at("FY2026 Q1")["value"] == 1.0 and quarter.at("FY2026 Q1")["n"] == 1
    drill = sql_engine.drilldown("offtrack_key_contract_share", Source.from_frames(ex.tables), grain="year",
                                 period_label="FY2026", as_of=ex.as_of)
    off = drill.numerator.set_index("contract_id")
    assert list(off.index) == ["CTR-RESPONSE"]
    assert (off.loc["CTR-RESPONSE", "off_track_metric"], off.loc["CTR-RESPONSE", "latest_value"],
            off.loc["CTR-RESPONSE", "target"]) == ("RESPONSE-HOURS", 4.5, 4.0)


def test_quantiles_from_days_counted_match_the_records_quantiles():
    """A duration's cube keeps each value once with its count: days 1 (twice), 4 and 10 are the records
    1, 1, 4, 10 (median between the 2nd and 3rd: 2.5; 90th percentile at position 2.7: 4 + 0.7 * 6 = 8.2).
    A slot with one value has it as both; an empty slot and a missing value give nothing."""
    import numpy as np

    slot = np.array([0, 1, 0, 0, 0])
    days = np.array([4.0, 7.0, 1.0, 10.0, np.nan])
    counts = np.array([1, 1, 2, 1, 3])
    median, p90 = sql_engine._quantiles(slot, days, counts, 3, (0.5, 0.9))
    assert median[:2].tolist() == [2.5, 7.0] and np.isnan(median[2])
    assert p90[0] == pytest.approx(8.2) and p90[1] == 7.0 and np.isnan(p90[2])


def test_a_duration_cube_answers_only_whole_months():
    """Durations are counted by month in their cube: a range of whole months is answered there, a range that
    cuts a month asks the records (shares are counted by day and answer any range)."""
    import datetime as dt

    from kpi.registry import KPIS

    whole = kpi.Filters(date_from=dt.date(2025, 7, 1), date_to=dt.date(2026, 2, 28))
    cut = kpi.Filters(date_from=dt.date(2025, 7, 1), date_to=dt.date(2026, 2, 27))
    days, share = KPIS["days_to_pay"], KPIS["on_time_payment_share"]
    assert sql_engine._summable(days, None, whole) and not sql_engine._summable(days, None, cut)
    assert sql_engine._summable(share, None, cut)
    assert not sql_engine._summable(share, "vendor", kpi.Filters())
    assert not sql_engine._summable(share, None, kpi.Filters(value_band=(1000.0, None)))


def test_spans_count_each_record_at_the_reference_dates_it_covers():
    """Three quarter ends; A covers the first two, B only the second (its last day is the reference date),
    C (excluded) the last two, D has no start. Under a Parks filter B leaves."""
    import datetime as dt

    import numpy as np
    import pyarrow as pa

    from kpi.sql.cube import Spans

    day = dt.date
    spans = Spans.of(pa.table({
        "_lo": pa.array([day(2025, 1, 15), day(2025, 4, 1), day(2025, 5, 1), None], pa.date32()),
        "_hi": pa.array([day(2025, 7, 1), day(2025, 6, 30), day(2025, 12, 31), day(2025, 5, 1)], pa.date32()),
        "_d_department": ["Parks", "Police", "Parks", "Parks"],
        "_reason": [None, None, "not a key contract", "start_date missing"],
        "_num": [1.0, 0.0, 1.0, 1.0], "_den": [1.0, 1.0, 1.0, 1.0]}))
    refs = np.array(["2025-03-31", "2025-06-30", "2025-09-30"], dtype="datetime64[D]")
    everything = spans.select(kpi.Filters())
    rows = spans.counted(everything, np.array([10, 11, 12]), refs, None)
    got = {(r["_code"], r["_reason"] if isinstance(r["_reason"], str) else None):
           (r["cnt"], r["numerator"], r["denominator"]) for r in rows.to_dict("records")}
    assert got == {(10, None): (1, 1.0, 1.0), (11, None): (2, 1.0, 2.0),
                   (11, "not a key contract"): (1, 1.0, 1.0), (12, "not a key contract"): (1, 1.0, 1.0)}
    parks = spans.counted(spans.select(kpi.Filters(departments=("Parks",))), np.array([10, 11, 12]), refs, None)
    assert parks.loc[parks["_reason"].isna(), "cnt"].tolist() == [1, 1]
    assert spans.first(everything) == pd.Timestamp("2025-01-15")
    assert spans.undated(everything, None).to_dict("records") == [
        {"_g": "", "_reason": "start_date missing", "count": 1}]


def test_spend_by_splits_a_period_into_whole_months_and_part_months():
    """Spend sums are kept by month: a period is read as its whole months and, at either end, its days."""
    import datetime as dt

    from kpi.dollars import _month_ranges

    day = dt.date
    assert _month_ranges(day(2025, 7, 1), day(2026, 5, 31)) == [(day(2025, 7, 1), day(2026, 5, 1), True)]
    assert _month_ranges(day(2025, 7, 1), day(2026, 12, 6)) == [
        (day(2025, 7, 1), day(2026, 11, 1), True), (day(2026, 12, 1), day(2026, 12, 6), False)]
    assert _month_ranges(day(2025, 12, 6), day(2026, 1, 31)) == [
        (day(2025, 12, 6), day(2025, 12, 31), False), (day(2026, 1, 1), day(2026, 1, 1), True)]
    assert _month_ranges(day(2025, 12, 6), day(2025, 12, 20)) == [(day(2025, 12, 6), day(2025, 12, 20), False)]
    assert _month_ranges(day(2026, 1, 2), day(2026, 1, 1)) == []


def test_a_cube_from_a_driver_s_untyped_rows_reads_as_empty_or_missing():
    """PostgreSQL's driver gives rows, not types: an empty cube arrives with untyped columns, and a row's
    missing values as None. Neither may fail (a filter left nothing in the database's comparison)."""
    import numpy as np
    import pyarrow as pa

    from kpi.sql.cube import Cube

    names = ["_date", "_placed", "_undated", "_d_department", "_reason", "_cnt", "_num"]
    empty = Cube.of(pa.Table.from_pandas(pd.DataFrame.from_records([], columns=names), preserve_index=False))
    assert len(empty.day) == 0 and not empty.select(kpi.Filters(departments=("Parks",))).any()
    one = Cube.of(pa.Table.from_pandas(pd.DataFrame.from_records([(None, None, True, None, None, 1, None)],
                                                                 columns=names), preserve_index=False))
    assert np.isnat(one.day[0]) and not one.placed[0] and one.undated[0]
    assert one.columns["_reason"][0].tolist() == [-1] and np.isnan(one.sums["_num"][0])
