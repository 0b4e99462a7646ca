"""The benchmark script runs end to end on tiny data and writes every key the issue names."""

import json
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT

KEYS = {
    "xlsx_100k_read_normalise_s", "xlsx_100k_bare_calamine_s", "xlsx_ratio_vs_calamine",
    "xlsx_100k_bare_openpyxl_s", "import_1m_payments_s", "reopen_1m_payments_s", "kpis_all_cold_s",
    "kpis_filter_change_s", "page_render_s", "page_filter_change_s", "page_goal_change_s", "briefing_s", "peak_rss_mb",
    "xlsx_shared_strings_ratio_vs_calamine",
}


@pytest.mark.xdist_group("heavy")
def test_benchmark_smoke_writes_every_key(tmp_path):
    """`python -m benchmarks --small --runs 1 --json F` exits 0 and F holds positive figures."""
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--small", "--runs", "1", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert set(figures) >= KEYS
    assert all(figures[k] > 0 for k in KEYS)
    assert "xlsx_ratio_vs_calamine" in done.stdout


def test_the_shared_strings_copy_holds_the_same_cells(tmp_path):
    """The Excel-style copy of the benchmark export reads cell for cell as the original."""
    import shutil

    import pandas as pd

    from benchmarks.__main__ import shared_strings_copy, xlsx_export

    original = shutil.copy(xlsx_export(2000), tmp_path / "register.xlsx")
    shared = shared_strings_copy(original)
    pd.testing.assert_frame_equal(pd.read_excel(shared, engine="calamine", header=None),
                                  pd.read_excel(original, engine="calamine", header=None))
    assert b"inlineStr" not in zipfile.ZipFile(shared).read("xl/worksheets/sheet1.xml")


ENGINE_KEYS = ("kpis_all_cold", "kpis_filter_change", "drilldown_page")


@pytest.mark.xdist_group("heavy")
def test_the_scale_benchmark_runs_the_report_in_postgres_beside_duckdb(tmp_path):
    """`python -m benchmarks --scale small --engines duckdb,postgres --postgres URL`: each engine's figures side
    by side (the product's own keys are the embedded engine's), the workspace published to kpi_bench_small
    first, in a step of its own."""
    import os

    import sqlalchemy as sa

    from benchmarks.scale import published, workspace_for
    from storage import Workspace
    from tests.conftest import require

    url = os.environ.get("TEST_POSTGRES_URL")
    require(bool(url), "TEST_POSTGRES_URL is not set (scripts/pg-throwaway start prints one)")
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # published again, as on a new database
        conn.execute(sa.text('DROP SCHEMA IF EXISTS "kpi_bench_small" CASCADE'))
    engine.dispose()
    out = tmp_path / "scale.json"
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--scale", "small", "--engines", "duckdb,postgres",
                           "--runs", "1", "--postgres", url, "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert not [k for k in figures if "_error_" in k], figures
    for engine_name in ("duckdb", "postgres"):
        for key in ENGINE_KEYS:
            assert figures[f"{engine_name}_{key}_small_s"] > 0, key
        assert figures[f"{engine_name}_peak_rss_mb_small"] > 0
    for key in ENGINE_KEYS:
        assert figures[f"{key}_small_s"] == figures[f"duckdb_{key}_small_s"]
    assert figures["postgres_publish_small_s"] > 0
    assert published(url, "kpi_bench_small", Workspace(workspace_for("small")))
