"""A drill-down is queries: its parts are counted in the engine, and only the rows a page shows come back (every
row only when a CSV is asked for). The exceptions are narrowed and ordered in the engine as the rule says."""

from __future__ import annotations

import gc

import pandas as pd
import pytest

import kpi
from kpi.exceptions import exceptions
from kpi.sql import query as Q
from kpi.sql.source import Source
from sample_data.generate import generate_city
from tests.generated_workspaces import workspace_of

ARGS = {"grain": "year", "fy_start_month": 7, "as_of": "2026-05-31"}


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    tables = generate_city(seed=13, sizes={"payments": 12_000, "solicitations": 600, "contracts": 300})
    return Source.from_workspace(workspace_of(tmp_path_factory.mktemp("drill-records") / "ws", tables))


@pytest.fixture
def fetched(monkeypatch):
    """The number of rows of every fetch made through the engine."""
    sizes: list[int] = []
    real = Q.fetch_expr

    def spy(expr):
        frame = real(expr)
        sizes.append(len(frame))
        return frame

    monkeypatch.setattr(Q, "fetch_expr", spy)
    return sizes


def test_a_page_of_records_fetches_only_its_rows(source, fetched):
    """Counting the records used and showing the first 50 of thousands brings back one count and 50 rows."""
    drill = kpi.drilldown("days_to_pay", source, **ARGS)
    fetched.clear()
    total = drill.used.count
    first = drill.used.head(50)
    assert total > 2_000 and len(first) == 50
    assert fetched == [1, 50]
    assert drill.used.head(50) is first and fetched == [1, 50]  # asked again on a rerun: not fetched again
    every = drill.used.frame()
    assert len(every) == total and fetched[-1] == total
    pd.testing.assert_frame_equal(first, every.head(50))
    assert drill.denominator is every  # the frame is fetched once


def test_the_histogram_fetches_one_column(source, fetched):
    drill = kpi.drilldown("days_to_pay", source, **ARGS)
    fetched.clear()
    days = drill.counted.values("days")
    assert fetched == [len(days)]
    assert drill.counted.values("days") is days and len(fetched) == 1  # a rerun's histogram: not fetched again
    expected = drill.numerator["days"].dropna()
    assert sorted(days) == sorted(expected) and len(days) > 2_000  # a histogram's values: the order is not kept


@pytest.mark.parametrize("kpi_id, goal", [("days_to_pay", {"target": 30}), ("on_time_payment_share", None),
                                          ("single_bid_share", None)])
def test_exceptions_are_picked_and_ordered_in_the_engine_as_the_rule_says(source, kpi_id, goal):
    """The engine's exceptions equal the rule applied to every used record in pandas: beyond the goal, or
    not counted where higher is better, or counted where lower is better; the largest measure first."""
    k = kpi.KPIS[kpi_id]
    drill = kpi.drilldown(kpi_id, source, **ARGS)
    exc = exceptions(k, drill, goal)
    used = drill.denominator
    if k.kind == "duration":
        rows, key = used[used["days"] > goal["target"]], "days"
    elif k.direction == "higher":
        rows, key = used[~used["counted"]], "days"
    else:
        rows, key = used[used["counted"]], "bids"
    expected = rows.sort_values(key, ascending=False, kind="stable", na_position="last").reset_index(drop=True)
    assert 0 < exc.records.count == len(expected)
    pd.testing.assert_frame_equal(exc.records.frame(), expected)
    pd.testing.assert_frame_equal(exc.records.head(7), expected.head(7))


def _drill_tables(source) -> set[str]:
    rows = Q.run(source.con, "duckdb", "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'kpi_drill_%'")
    return set(rows["table_name"])


def test_a_drill_down_table_is_dropped_once_nothing_reads_it(source):
    """The period's records are held in one temporary table while a part of the drill-down is alive; the next
    drill-down drops it once they are all gone (the app keeps a few drill-downs, not every one it made)."""
    drill = kpi.drilldown("days_to_pay", source, **ARGS)
    exc = exceptions(kpi.KPIS["days_to_pay"], drill, {"target": 30})
    held = _drill_tables(source)
    assert held
    del drill
    gc.collect()
    later = kpi.drilldown("on_time_payment_share", source, **ARGS)
    assert held <= _drill_tables(source)  # the exceptions still read it
    assert exc.records.count > 0
    del exc
    gc.collect()
    kpi.drilldown("single_bid_share", source, **ARGS)
    assert not held & _drill_tables(source)
    assert later.used.count > 0


def test_records_of_a_frame_keep_its_order():
    frame = pd.DataFrame({"payment_id": ["B", "A", "C"], "days": [5.0, None, 40.0]})
    records = kpi.Records.of(frame)
    assert records.count == 3 and records.columns == ["payment_id", "days"]
    pd.testing.assert_frame_equal(records.frame(), frame)
    assert records.largest_first("days").frame()["payment_id"].tolist() == ["C", "B", "A"]
    assert records.where(lambda t: t.days > 10).frame()["payment_id"].tolist() == ["C"]
    assert kpi.Records(columns=("reason",)).frame().columns.tolist() == ["reason"]


def test_a_drill_down_of_a_workspace_outlives_the_call(tmp_path):
    """Given a workspace (not a source), the drill-down keeps the source it made: its parts are still counted
    and fetched after the call, when the caller holds nothing else."""
    tables = generate_city(seed=17, sizes={"payments": 3_000, "solicitations": 200, "contracts": 100})
    drill = kpi.drilldown("days_to_pay", workspace_of(tmp_path / "ws", tables), **ARGS)
    gc.collect()
    assert drill.used.count == len(drill.denominator) > 0


def test_a_rerun_asks_nothing_again(source, fetched):
    """A page asks for the exceptions, their count and their rows on every rerun: once is enough."""
    drill = kpi.drilldown("days_to_pay", source, **ARGS)
    first = exceptions(kpi.KPIS["days_to_pay"], drill, {"target": 30})
    first.records.count, first.records.head(20)
    fetched.clear()
    again = exceptions(kpi.KPIS["days_to_pay"], drill, {"target": 30})
    assert again is first and (again.records.count, len(again.records.head(20))) == (first.records.count, 20)
    assert fetched == []
    assert exceptions(kpi.KPIS["days_to_pay"], drill, {"target": 45}) is not first  # another goal: other records
