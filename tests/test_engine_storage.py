"""Where the engine writes its record tables over a large workspace: in memory up to a budget of rows, then on
the scratch disk. The KPIs are the same either way."""

from __future__ import annotations

import pandas as pd
import pytest
from generated_workspaces import workspace_of

import kpi
from kpi.sql import engine, source
from kpi.sql.source import Source

pytestmark = pytest.mark.xdist_group("engine")
ARGS = dict(grain="quarter", fy_start_month=7, as_of="2026-05-31")


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from sample_data.generate import generate_city

    return workspace_of(tmp_path_factory.mktemp("storage") / "ws", generate_city(seed=11, sizes={"payments": 3000, "solicitations": 300, "contracts": 150}))


def _frames(src, **filters) -> dict[str, pd.DataFrame]:
    return {k: r.frame.reset_index(drop=True)
            for k, r in kpi.compute_all(src, filters=kpi.Filters(**filters), **ARGS).items()}


def _report(ws, budget: int, monkeypatch) -> tuple[dict, dict[str, bool], int]:
    """Every KPI, which record tables were temporary (in memory), and the rows counted in memory."""
    monkeypatch.setattr(source, "SMALL_TABLE_ROWS", 100)  # the city counts as large: the disk is an option
    monkeypatch.setattr(engine, "RECORDS_IN_MEMORY_ROWS", budget)
    src = Source.from_workspace(ws)
    results = _frames(src)
    rows = src.con.raw_sql("SELECT table_name, temporary FROM duckdb_tables() "
                           "WHERE table_name LIKE 'kpi_records_%'").fetchall()
    return results, dict(rows), src.memo.get(("records_in_memory",), 0)


def test_record_tables_go_to_memory_up_to_the_budget_then_to_disk_and_the_kpis_agree(city, monkeypatch):
    payments = len(city.table("payments"))
    all_disk, where_disk, held_disk = _report(city, 0, monkeypatch)
    assert where_disk and not any(where_disk.values()) and held_disk == 0

    budget = payments + 500  # room for some record tables, not all
    mixed, where_mixed, held = _report(city, budget, monkeypatch)
    assert any(where_mixed.values()) and not all(where_mixed.values()), where_mixed
    assert 0 < held <= budget

    for kpi_id, frame in all_disk.items():
        pd.testing.assert_frame_equal(mixed[kpi_id], frame, obj=kpi_id)



def _record_readers(src: Source) -> dict[str, list[str]]:
    """Each record table or view -> the KPIs that read it."""
    out: dict[str, list[str]] = {}
    for key, value in src.memo.items():
        if isinstance(key, tuple) and key[:1] == ("records",) and value[1] is not None:
            out.setdefault(value[1].rsplit('"', 2)[-2], []).append(key[1])
    return out


def test_a_kpi_alone_on_its_records_reads_them_as_a_view_and_the_kpis_agree(city, monkeypatch):
    """Over a large workspace, records that only one KPI reads are computed where read (a view), not written;
    the report, a filtered report (answered from cubes) and a drill-down equal those of written tables."""
    department = sorted(set(city.table("payments")["department"].dropna()))[0]

    def report():
        src = Source.from_workspace(city)
        plain = _frames(src)
        kept = _frames(src, departments=(department,))
        drill = kpi.drilldown("field_completeness", src, **ARGS)
        rows = pd.concat([drill.denominator, drill.excluded]).reset_index(drop=True)
        views = {r[0] for r in src.con.raw_sql("SELECT view_name FROM duckdb_views() "
                                               "WHERE view_name LIKE 'kpi_records_%'").fetchall()}
        return plain, kept, rows, views, _record_readers(src)

    small, small_filtered, small_rows, small_views, _ = report()  # small: every record table written
    monkeypatch.setattr(source, "SMALL_TABLE_ROWS", 100)
    large, large_filtered, large_rows, large_views, readers = report()

    assert not small_views
    alone = {name for name, ids in readers.items() if len(ids) == 1 and not kpi.KPIS[ids[0]].per_period}
    assert large_views == alone, readers  # per-period records (one per period) are written per grain
    assert "field_completeness" in {ids[0] for name, ids in readers.items() if name in large_views}
    for kpi_id in small:
        pd.testing.assert_frame_equal(large[kpi_id], small[kpi_id], obj=kpi_id)
        pd.testing.assert_frame_equal(large_filtered[kpi_id], small_filtered[kpi_id], obj=f"{kpi_id} filtered")
    assert len(small_rows) > 0
    pd.testing.assert_frame_equal(large_rows, small_rows)


def _record_tables(src) -> tuple[set[str], set[str]]:
    """(the record tables written, the record views)."""
    tables = {r[0] for r in src.con.raw_sql("SELECT table_name FROM duckdb_tables() "
                                            "WHERE table_name LIKE 'kpi_records_%'").fetchall()}
    views = {r[0] for r in src.con.raw_sql("SELECT view_name FROM duckdb_views() "
                                           "WHERE view_name LIKE 'kpi_records_%'").fetchall()}
    return tables, views


def test_records_bound_for_the_disk_are_cubed_together_and_written_when_a_question_needs_them(city, monkeypatch):
    """Over a large workspace, a group of shares, counts, means and durations whose records would go to the
    scratch disk is not written for the report: one query makes every member's cube, which answers the report
    and a department filter. A vendor filter, which a cube cannot answer, writes the records then. Every figure
    equals the one computed from written records (a small workspace: every record table written)."""
    payments = city.table("payments")
    department = sorted(set(payments["department"].dropna()))[0]
    vendor = payments["vendor_name"].dropna().iloc[0]

    written = Source.from_workspace(city)
    expected = [_frames(written), _frames(written, departments=(department,)), _frames(written, vendors=(vendor,))]
    assert not _record_tables(written)[1]

    monkeypatch.setattr(source, "SMALL_TABLE_ROWS", 100)
    monkeypatch.setattr(engine, "RECORDS_IN_MEMORY_ROWS", 0)  # every record table bound for the disk
    cubed = Source.from_workspace(city)
    plain = _frames(cubed)
    readers = _record_readers(cubed)
    pay = next(name for name, ids in readers.items() if "days_to_pay" in ids)
    assert {"on_time_payment_share", "mwbe_spend_share", "days_to_pay"} <= set(readers[pay])
    together = [k for k in cubed.memo if isinstance(k, tuple) and k[0] == "cube" and f'FROM "{pay}")' in k[1]]
    assert len(together) == len(readers[pay])  # every payment KPI's cube, made with the report
    by_department = _frames(cubed, departments=(department,))
    tables, views = _record_tables(cubed)
    assert pay in views and pay not in tables  # neither question wrote the payments' records
    bidders = next(name for name, ids in readers.items() if "active_bidder_count" in ids)
    assert bidders in tables  # a distinct count reads its records: written as before

    by_vendor = _frames(cubed, vendors=(vendor,))
    tables, views = _record_tables(cubed)
    assert pay in tables and pay not in views  # written for the vendor filter
    for got, want in zip((plain, by_department, by_vendor), expected, strict=True):
        assert set(got) == set(want)
        for kpi_id, frame in want.items():
            pd.testing.assert_frame_equal(got[kpi_id], frame, obj=kpi_id)
