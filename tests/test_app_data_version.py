"""The app computes the KPIs once per data version: a goal or setting edit (a new workspace version, the same
tables) keeps the records and results already computed; an import computes them for the new data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

pytestmark = [pytest.mark.xdist_group("app"), pytest.mark.usefixtures("fresh_streamlit_caches")]

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 180
LEAD_TIME = "procurement_lead_time_days"


def overview() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def kpi_source(ws):
    """The Source the app's pages compute in for the workspace as it is now."""
    from ui import data

    return data._workspace_source(data.workspace_path(), str(ws.version))


def test_a_goal_edit_reuses_the_computed_kpis_and_an_import_does_not(workspace_dir):
    from storage.workspace import Workspace

    at = overview()  # loads the sample city and computes the Overview
    ws = Workspace(workspace_dir)
    src = kpi_source(ws)
    written = dict(src.memo[("record_tables",)])
    assert written, "the Overview wrote no record tables"
    version = ws.version

    ws.save_goals(pd.DataFrame([{"kpi_id": LEAD_TIME, "target": 41.0, "at_risk": 90.0}]))
    at.run()
    assert not at.exception, at.exception
    assert ws.version != version
    assert kpi_source(ws) is src  # the same tables: the same Source, its records kept
    assert src.memo[("record_tables",)] == written
    assert "Goal ≤ 41 days · at risk ≤ 90 days" in [c.value for c in at.caption], "the Overview does not show the new goal"

    ws.set_settings(office_name="Riverton Purchasing (renamed)")
    at.run()
    assert not at.exception, at.exception
    assert kpi_source(ws) is src

    payments = ws.table("payments").drop(columns=["import_id"], errors="ignore")
    ws.import_table("payments", payments.iloc[: len(payments) // 2], source="half.csv",
                    rows_read=len(payments) // 2, rows_excluded=0, checksum="half")
    at.run()
    assert not at.exception, at.exception
    fresh = kpi_source(ws)
    assert fresh is not src  # new data: computed on its own Source
    assert int(fresh.rows("payments")) == len(ws.table("payments")) == len(payments) + len(payments) // 2
