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

    # A new fiscal start: records of its own, written a group at a time on a Source of their own.
    ws.set_settings(fiscal_year_start_month=10)
    at.run()
    assert not at.exception, at.exception
    october = kpi_source(ws)
    assert october is not src and october.memo[("report_day",)][0] == 10
    ws.set_settings(fiscal_year_start_month=7)  # back to the default: the first Source again
    at.run()
    assert kpi_source(ws) is src

    payments = ws.table("payments").drop(columns=["import_id"], errors="ignore")
    ws.import_table("payments", payments.iloc[: len(payments) // 2], source="half.csv",
                    rows_read=len(payments) // 2, rows_excluded=0, checksum="half")
    at.run()
    assert not at.exception, at.exception
    fresh = kpi_source(ws)
    assert fresh is not src and fresh is not october  # new data: computed on its own Source
    assert int(fresh.rows("payments")) == len(ws.table("payments")) == len(payments) + len(payments) // 2


PAYMENTS_CSV = (
    b"Check No.,Check Date,Vendor Name,Department,Check Amount,Date Received\n"
    b"1001,07/15/2025,Acme Paving,Public Works,\"$1,200.00\",07/01/2025\n"
    b"1002,08/20/2025,Blue Sky Parks,Parks,$560.50,07/05/2025\n"
    b"1003,09/02/2025,Acme Paving,Public Works,$99.00,08/06/2025\n"
)


def test_an_import_prepares_the_overview_while_its_report_is_read(workspace_dir, monkeypatch):
    """After an import the Overview's KPIs are computed in the background; opening the Overview then computes
    none of its scorecard's KPIs again (they come from the prepared Source) and shows the imported data."""
    import kpi
    from kpi.sql import engine
    from storage.workspace import Workspace
    from ui import data

    monkeypatch.setattr("sample_data.ensure_sample", lambda ws: False)  # the office's own workspace
    Workspace(workspace_dir).set_settings(office_name="Testville Purchasing")
    started = []
    real_prepare = data.prepare_overview
    monkeypatch.setattr(data, "prepare_overview", lambda: started.append(real_prepare()))
    at = overview()
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="upload").upload("checks.csv", PAYMENTS_CSV, "text/csv").run()
    assert not at.exception, at.exception
    [b for b in at.button if b.label.startswith("Import ")][0].click().run()
    assert not at.exception, at.exception
    assert started and started[0] is not None, "no background preparation after the import"
    started[0].join(timeout=120)
    assert len(Workspace(workspace_dir).table("payments")) == 3

    computed = []
    real = engine._compute
    monkeypatch.setattr(engine, "_compute", lambda k, *a, **kw: computed.append(k.id) or real(k, *a, **kw))
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception, at.exception
    assert not set(computed) & set(kpi.SCORECARD), computed
    assert "66.7%" in [m.value for m in at.metric]  # invoices paid on time: 2 of the 3 imported (14, 46, 27 days)
