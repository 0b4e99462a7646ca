"""The database engine (kpi.sql, embedded DuckDB) on every KPI's hand-worked example, and on the edge cases the
recorded cities do not hold (a contract id listed twice, results and check-ins of unknown contracts).

tests/test_kpi_examples.py checks the hand-worked values with the app's engine; tests/test_engine_parity.py
compares the two engines on the sample city and Hand County. Here the same worked examples run in the database.
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


@pytest.mark.parametrize("kpi_id", list(EXAMPLES))
def test_worked_example_in_the_database(kpi_id):
    """Value, n, the excluded record's reason and the drill-down's counts of the hand-worked period."""
    ex = EXAMPLES[kpi_id]
    src = Source.from_frames(ex.tables)
    res = sql_engine.compute(kpi_id, src, grain=ex.grain, as_of=ex.as_of)
    assert not res.missing, res.missing
    row = res.at(ex.period)
    assert row is not None, res.frame
    assert row["value"] == pytest.approx(ex.value)
    assert row["n"] == ex.n
    if ex.p90 is not None:
        assert row["p90"] == pytest.approx(ex.p90)
    for col, expected in ex.extra.items():
        assert row[col] == pytest.approx(expected), col
    assert ex.excluded_reason in set(res.excluded_reasons["reason"])
    drill = sql_engine.drilldown(kpi_id, src, period_label=ex.period, grain=ex.grain, as_of=ex.as_of)
    assert (len(drill.denominator), len(drill.excluded)) == (row["n"], row["excluded"])


@pytest.mark.parametrize("kpi_id", list(EXAMPLES))
def test_empty_tables_are_no_data_in_the_database(kpi_id):
    empty = {t: df.iloc[0:0] for t, df in EXAMPLES[kpi_id].tables.items()}
    res = _sql(kpi_id, empty, as_of="2026-06-30")
    assert res.no_data and res.frame.empty and res.missing


def _same_as_the_app(kpi_id: str, tables, **kw) -> kpi.KPIResult:
    """Every grain, the app's engine and the database engine: the same rows, values and reasons (the yearly
    result is returned)."""
    out = {}
    for grain in ("year", "quarter", "month"):
        old = kpi.compute(kpi_id, tables, grain=grain, **kw)
        new = out[grain] = _sql(kpi_id, tables, grain=grain, **kw)
        cols = ["period_label", "value", "n", "excluded", "numerator", "denominator"]
        pd.testing.assert_frame_equal(new.frame[cols], old.frame[cols], check_dtype=False)
        pd.testing.assert_frame_equal(new.excluded_reasons, old.excluded_reasons, check_dtype=False)
        assert new.notes == old.notes
    return out["year"]


def _twice(tables: dict, contract_id: str, **changes) -> dict:
    """The tables with the contract's row listed a second time (changed as given), after the first."""
    c = tables["contracts"]
    again = c[c["contract_id"] == contract_id].assign(**changes)
    return {**tables, "contracts": pd.concat([c, again], ignore_index=True)}


def test_performance_records_land_on_the_first_row_of_a_contract_listed_twice():
    """Results, check-ins and metric rows name a contract id; where contracts lists the id twice they belong to
    the first row (as in the app's engine): the second row is a key contract of its own with no check-in."""
    checkin = _twice(EXAMPLES["quarterly_checkin_rate"].tables, "CTR-ENDS-DEC", department="Parks")
    res = _same_as_the_app("quarterly_checkin_rate", checkin, as_of="2026-01-15")
    assert res.at("FY2026")["n"] == 6 and res.at("FY2026")["value"] == pytest.approx(2 / 6)
    offtrack = _twice(EXAMPLES["offtrack_key_contract_share"].tables, "CTR-RESPONSE", department="Parks")
    res = _same_as_the_app("offtrack_key_contract_share", offtrack, as_of="2026-03-31")
    assert res.at("FY2026")["n"] == 2
    metrics = _twice(EXAMPLES["contracts_with_metrics_share"].tables, "CTR-KEY-METRICS-ROW")
    _same_as_the_app("contracts_with_metrics_share", metrics, as_of="2026-06-30")
    repeat = _twice(EXAMPLES["repeat_awards_with_evaluation_share"].tables, "CTR-ACME-2019", vendor_id="V-OTHER")
    _same_as_the_app("repeat_awards_with_evaluation_share", repeat, as_of="2026-06-30")


def test_results_and_checkins_of_unknown_contracts_are_named_in_a_note():
    ex = EXAMPLES["offtrack_key_contract_share"]
    tables = {**ex.tables, "metric_results": pd.concat([ex.tables["metric_results"], frame("metric_results", [
        dict(contract_id="CTR-NOT-IN-CONTRACTS", metric_id="ON-TIME", period_end="2025-12-31", value=0.1)])],
        ignore_index=True)}
    res = _same_as_the_app("offtrack_key_contract_share", tables, as_of="2026-03-31")
    assert res.notes == ("1 latest result(s) name contracts that are not in the contracts table",)
    ex = EXAMPLES["quarterly_checkin_rate"]
    tables = {**ex.tables, "checkins": pd.concat([ex.tables["checkins"], frame("checkins", [
        dict(contract_id="CTR-NOT-IN-CONTRACTS", meeting_date="2025-08-01")])], ignore_index=True)}
    res = _same_as_the_app("quarterly_checkin_rate", tables, as_of="2026-01-15")
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
