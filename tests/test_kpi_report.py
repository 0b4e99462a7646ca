"""The scorecard and `python -m kpi report` (JSON and table) on a small city worked out by hand."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from test_kpi_examples import EXAMPLES, PAY_DAYS, frame

import kpi
from kpi.cli import main, report_data
from kpi.scorecard import COLUMNS


def small_city() -> dict[str, pd.DataFrame]:
    """Three awards on 30 Nov 2025 (30, 60 and 89 days after issue) and payments in Aug-Sep 2025 made 10, 30
    and 31 days after the invoice arrived (one without a receipt date)."""
    return {"solicitations": EXAMPLES["procurement_lead_time_days"].tables["solicitations"],
            "payments": frame("payments", PAY_DAYS)}


def test_scorecard_columns_and_rows():
    card = kpi.scorecard(small_city(), as_of="2026-06-30")
    assert list(card.columns) == list(COLUMNS)
    assert list(card["kpi_id"]) == list(kpi.SCORECARD)
    assert set(card["period_label"]) == {"FY2026"}
    assert set(card["status"]) <= set(kpi.STATUSES)
    lead = card.set_index("kpi_id").loc["procurement_lead_time_days"]
    assert (lead["value"], lead["n"], lead["status"]) == (60.0, 3, "met")  # 60 days meets a 60-day goal
    assert len(lead["sparkline"]) == 8 and lead["sparkline"][-1] == 60.0 and np.isnan(lead["sparkline"][0])
    ontime = card.set_index("kpi_id").loc["on_time_payment_share"]
    assert ontime["value"] == pytest.approx(2 / 3) and ontime["status"] == "missed"
    missing = card.set_index("kpi_id").loc["mwbe_spend_share"]
    assert missing["status"] == "no_data" and np.isnan(missing["value"]) and missing["missing"]


def test_scorecard_picks_the_latest_complete_period():
    """As of 31 Mar 2026 FY2026 is partial, FY2025 has no records: the partial year is shown, marked so."""
    card = kpi.scorecard(small_city(), as_of="2026-03-31")
    assert set(card["period_label"]) == {"FY2026"} and card["partial"].all()
    card = kpi.scorecard(small_city(), grain="quarter", as_of="2026-03-31")
    assert set(card["period_label"]) == {"FY2026 Q2"} and not card["partial"].any()
    card = kpi.scorecard(small_city(), grain="quarter", as_of="2026-03-31", period_label="FY2026 Q1")
    assert card.set_index("kpi_id").loc["procurement_lead_time_days", "status"] == "no_data"


def test_scorecard_uses_office_goals_for_the_year_and_scope():
    goals = kpi.load_goals_file('[[goal]]\nkpi_id = "procurement_lead_time_days"\nfiscal_year = 2026\n'
                                'target = 45\nat_risk = 55\nsource = "Council 2026"\n')
    card = kpi.scorecard(small_city(), goals, as_of="2026-06-30").set_index("kpi_id")
    row = card.loc["procurement_lead_time_days"]
    assert (row["target"], row["at_risk"], row["goal_source"], row["status"]) == (45, 55, "Council 2026", "missed")


def test_report_json_july_and_october_years():
    """The same city by July and by October fiscal years: values and statuses worked out by hand."""
    july = report_data(small_city(), fiscal_year=2026, as_of="2026-06-30")
    by_id = {k["id"]: k for k in july["kpis"]}
    assert july["fiscal_year"] == 2026 and july["fiscal_year_start_month"] == 7 and july["as_of"] == "2026-06-30"
    assert len(july["kpis"]) == len(kpi.KPIS)
    assert (by_id["procurement_lead_time_days"]["value"], by_id["procurement_lead_time_days"]["status"]) == (60, "met")
    assert by_id["on_time_payment_share"]["value"] == pytest.approx(2 / 3)
    assert by_id["on_time_payment_share"]["status"] == "missed"
    assert (by_id["days_to_pay"]["value"], by_id["days_to_pay"]["status"]) == (30, "met")
    assert by_id["days_to_pay"]["goal"] == {"target": 30.0, "at_risk": 45.0, "source": "US Prompt Payment Act: 30 days"}
    assert by_id["mwbe_spend_share"]["value"] is None and by_id["mwbe_spend_share"]["status"] == "no_data"
    assert by_id["days_to_pay"]["periods"] == [{"period": "FY2026", "value": 30.0, "n": 3, "partial": False}]

    october = report_data(small_city(), fiscal_year=2025, as_of="2026-06-30", fy_start_month=10, grain="quarter")
    by_id = {k["id"]: k for k in october["kpis"]}
    # Payments of Aug-Sep 2025 fall in FY2025 (Oct 2024 - Sep 2025); the November awards in FY2026.
    assert by_id["on_time_payment_share"]["value"] == pytest.approx(2 / 3)
    assert by_id["procurement_lead_time_days"]["value"] is None
    assert [p["period"] for p in by_id["procurement_lead_time_days"]["periods"]] == ["FY2026 Q1"]
    assert [p["period"] for p in by_id["days_to_pay"]["periods"]] == ["FY2025 Q4"]


def test_report_json_is_the_scorecard():
    """The report's values are the scorecard's (the app's Overview calls the same function)."""
    city = small_city()
    card = kpi.scorecard(city, as_of="2026-06-30").set_index("kpi_id")
    data = report_data(city, as_of="2026-06-30")
    for k in data["kpis"]:
        if k["id"] in card.index:
            v = card.loc[k["id"], "value"]
            assert (k["value"] is None and np.isnan(v)) or k["value"] == pytest.approx(v)
            assert k["status"] == card.loc[k["id"], "status"]


@pytest.fixture
def city_workspace(tmp_path):
    from storage.workspace import Workspace

    ws = Workspace(tmp_path / "ws")
    for table, df in small_city().items():
        ws.import_table(table, df, source=f"{table}.csv", rows_read=len(df), rows_excluded=0, checksum=table)
    return ws


def test_cli_report_json_on_a_workspace(city_workspace, capsys):
    assert main(["report", "--workspace", str(city_workspace.path), "--fy", "2026", "--as-of", "2026-06-30",
                 "--grain", "fy", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_id = {k["id"]: k for k in data["kpis"]}
    assert data["fiscal_year"] == 2026
    assert by_id["procurement_lead_time_days"]["value"] == 60 and by_id["procurement_lead_time_days"]["n"] == 3
    for k in data["kpis"]:
        assert set(k) >= {"id", "kpi_id", "title", "theme", "unit", "direction", "period", "value", "n",
                          "excluded", "target", "at_risk", "goal", "status", "summary", "periods"}
        assert k["status"] in ("met", "at_risk", "missed", "no_data", "no_goal")


def test_cli_report_october_setting_and_table(city_workspace, capsys):
    city_workspace.set_settings(fiscal_year_start_month=10)
    assert main(["report", "--workspace", str(city_workspace.path), "--as-of", "2026-06-30"]) == 0
    out = capsys.readouterr().out
    assert "fiscal years start in October" in out
    assert "Procurement lead time" in out and "60 days" in out


def test_cli_report_missing_workspace(tmp_path, capsys):
    assert main(["report", "--workspace", str(tmp_path / "nope")]) == 2
    assert "workspace folder not found" in capsys.readouterr().err


def test_cli_docs_check(capsys):
    assert main(["docs", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_cli_report_on_a_database_failing_when_read_is_one_line(city_workspace, capsys):
    """`--source` on a database whose payments view fails when its rows are read (division by zero, as a bad
    cast in an ERP view would): status 2 and one line naming the database without its password, no traceback."""
    import os
    import uuid

    import sqlalchemy as sa
    from conftest import require
    from hostile_databases import failing_view

    from kpi.sql.source import safe_url
    from storage.publish import publish

    url = os.environ.get("TEST_POSTGRES_URL")
    require(bool(url), "TEST_POSTGRES_URL is not set (scripts/pg-throwaway start prints one)")
    schema = f"report_{uuid.uuid4().hex[:8]}"
    publish(city_workspace, url, schema=schema)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in failing_view(schema, "payments", ["payment_id", "payment_date", "amount",
                                                               "invoice_received_date"], "amount"):
                conn.execute(sa.text(statement))
        assert main(["report", "--source", url, "--schema", schema, "--as-of", "2026-06-30", "--json"]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: the KPIs could not be computed in {safe_url(url)} (schema {schema}): "
                              "a query failed: division by zero"), err
        assert len(err.strip().splitlines()) == 1 and sa.engine.make_url(url).password not in err
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
