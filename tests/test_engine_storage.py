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


def _report(ws, budget: int, monkeypatch) -> tuple[dict, dict[str, bool], int]:
    """Every KPI, which record tables were temporary (in memory), and the rows counted in memory."""
    monkeypatch.setattr(source, "SMALL_TABLE_ROWS", 100)  # the city counts as large: the disk is an option
    monkeypatch.setattr(engine, "RECORDS_IN_MEMORY_ROWS", budget)
    src = Source.from_workspace(ws)
    results = {k: r.frame.reset_index(drop=True) for k, r in kpi.compute_all(src, **ARGS).items()}
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
