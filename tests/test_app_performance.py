"""The Contract performance page (AppTest): key contracts off track first, a contract's own page, recording a
result and a check-in with validation, the audit log."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest
from test_contract_performance_cli import (
    CHECKINS,
    CHECKINS_MAP,
    CONTRACTS,
    CONTRACTS_MAP,
    EVALUATIONS,
    EVALUATIONS_MAP,
    METRICS,
    METRICS_MAP,
    RESULTS,
    RESULTS_MAP,
    ROOT,
)

APP = str(ROOT / "app.py")
PAGE = "app_pages/performance.py"
TIMEOUT = 60

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture
def hand_city(workspace_dir, tmp_path):
    """The hand-worked city of the CLI tests, imported by the loaders' command line, data as of 31 Mar 2026."""
    for table, text, mapping in (("contracts", CONTRACTS, CONTRACTS_MAP), ("contract_metrics", METRICS, METRICS_MAP),
                                 ("metric_results", RESULTS, RESULTS_MAP), ("checkins", CHECKINS, CHECKINS_MAP),
                                 ("evaluations", EVALUATIONS, EVALUATIONS_MAP)):
        (tmp_path / f"{table}.csv").write_text(text, encoding="utf-8")
        (tmp_path / f"{table}.json").write_text(json.dumps(mapping), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "loaders", "import", str(tmp_path / f"{table}.csv"), "--table", table,
                        "--mapping", str(tmp_path / f"{table}.json"), "--workspace", str(workspace_dir)],
                       cwd=ROOT, check=True, capture_output=True)
    from storage.workspace import Workspace

    Workspace(workspace_dir).set_settings(as_of="2026-03-31")
    return workspace_dir


def open_page(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(PAGE)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def plain(text: str) -> str:
    """Markdown as read: escapes taken out."""
    return str(text).replace("\\", "")


def table(at: AppTest, index: int):
    return at.dataframe[index].value


def test_key_contracts_off_track_first(hand_city):
    """As of 31 Mar 2026: CTR-RESPONSE (4.5 hours against at most 4) is off track and listed first; CTR-OPEN-ENDED
    (no metrics, no check-in last or this quarter) is listed after it with its check-in overdue."""
    at = open_page()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Key contracts off track (FY2026 Q3)"] == "1 of 1"  # of the key contracts with metrics
    assert metrics["Check-ins overdue (FY2026 Q3)"] == "1"
    contracts = table(at, 0)
    assert list(contracts["Contract"]) == ["CTR-RESPONSE", "CTR-OPEN-ENDED"]
    assert list(contracts["Status"]) == ["✗ Off track", "○ No metrics"]
    assert list(contracts["This quarter's check-in"]) == ["✓ Checked in", "✗ Overdue"]
    per_metric = table(at, 1)
    row = per_metric[per_metric["Contract"] == "CTR-RESPONSE"].iloc[0]
    assert (row["Latest"], row["Target"], row["Status"]) == ("4.5", "at most 4", "✗ Off track")
    assert list(row["Trend"]) == [3.5, 4.5]


def test_contract_page_has_its_own_url(hand_city):
    """?contract=ID opens the contract: its vendor, term, each metric's trend chart and its check-ins."""
    at = open_page(contract="CTR-RESPONSE")
    text = " ".join(plain(m.value) for m in at.markdown)
    assert "**Fix-It Inc**" in text
    assert "**01 Jul 2024 – 30 Jun 2027**" in text
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert len(charts) == 1
    assert "Open actions from the last meeting:** 1" in text
    assert at.button(key="back")


def test_unknown_contract_says_so_and_shows_the_list(hand_city):
    at = open_page(contract="CTR-NOPE")
    assert any("no contract CTR-NOPE" in plain(w.value) for w in at.warning)
    assert table(at, 0)["Contract"].iloc[0] == "CTR-RESPONSE"


def test_record_a_result_turns_the_contract_back_on_track_and_is_logged(hand_city):
    """Entering 3.8 hours for the period ending 30 Jun... (here 31 Mar is taken: a duplicate is refused first),
    then a new period: the contract is on track and the log names who recorded what."""
    from storage.workspace import Workspace

    Workspace(hand_city).set_settings(as_of="2026-06-30")
    at = open_page(contract="CTR-RESPONSE")
    at.date_input(key="period-CTR-RESPONSE").set_value("2026-03-31")
    at.text_input(key="value-CTR-RESPONSE-RESPONSE-HOURS").input("3.8")
    at.button[[b.label for b in at.button].index("Save results")].click().run()
    assert any("already recorded (4.5)" in plain(e.value) for e in at.error), [e.value for e in at.error]
    at.date_input(key="period-CTR-RESPONSE").set_value("2026-06-30")
    at.text_input(key="value-CTR-RESPONSE-RESPONSE-HOURS").input("3.8")
    at.button[[b.label for b in at.button].index("Save results")].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Saved 1 result(s) for CTR-RESPONSE" in plain(s.value) for s in at.success)
    per_metric = table(at, 0)
    assert per_metric.iloc[0]["Status"] == "✓ On track" and per_metric.iloc[0]["Latest"] == "3.8"
    log = Workspace(hand_city).audit_log()
    assert log.iloc[0]["action"] == "added" and log.iloc[0]["after"]["value"] == 3.8
    assert log.iloc[0]["user"]


def test_checkin_for_an_unknown_contract_is_refused(hand_city):
    import pandas as pd

    from kpi import performance as kp
    from storage.workspace import Workspace

    tables = Workspace(hand_city).tables()
    _, problems = kp.check_checkins(pd.DataFrame([{"contract_id": "CTR-NOPE", "meeting_date": "2026-03-02"}]), tables)
    assert problems == ["Row 1, contract: CTR-NOPE is not a contract in the contracts table."]


def test_log_a_checkin_in_the_app(hand_city):
    """A check-in logged on the overview for CTR-OPEN-ENDED clears its overdue check-in."""
    at = open_page()
    at.selectbox(key="checkin-contract").set_value("CTR-OPEN-ENDED")
    at.date_input(key="checkin-date").set_value("2026-03-15")
    at.number_input(key="checkin-actions").set_value(2)
    at.button[[b.label for b in at.button].index("Save the check-in")].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    contracts = table(at, 0)
    row = contracts[contracts["Contract"] == "CTR-OPEN-ENDED"].iloc[0]
    assert row["This quarter's check-in"] == "✓ Checked in" and row["Open actions"] == 2


def test_reimport_of_another_table_keeps_what_was_recorded(hand_city, tmp_path):
    """A result recorded in the app survives re-importing the contracts export (and the results export)."""
    import pandas as pd

    from storage.workspace import Workspace

    ws = Workspace(hand_city)
    ws.record_rows("metric_results", pd.DataFrame([{"contract_id": "CTR-RESPONSE", "metric_id": "RESPONSE-HOURS",
                                                    "period_end": "2026-06-30", "value": 3.0}]),
                   keys=("contract_id", "metric_id", "period_end"), user="tester")
    for table in ("contracts", "metric_results"):
        subprocess.run([sys.executable, "-m", "loaders", "import", str(tmp_path / f"{table}.csv"), "--table", table,
                        "--mapping", str(tmp_path / f"{table}.json"), "--workspace", str(hand_city)],
                       cwd=ROOT, check=True, capture_output=True)
    results = Workspace(hand_city).table("metric_results")
    assert len(results) == 7
    assert (results["period_end"] == pd.Timestamp("2026-06-30")).any()


def test_page_without_the_tables_names_what_to_import(workspace_dir, tmp_path):
    """Contracts only: the KPIs say no data, the lists say there are no metrics; nothing shows a zero rate."""
    (tmp_path / "c.csv").write_text(CONTRACTS, encoding="utf-8")
    (tmp_path / "c.json").write_text(json.dumps(CONTRACTS_MAP), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "loaders", "import", str(tmp_path / "c.csv"), "--table", "contracts",
                    "--mapping", str(tmp_path / "c.json"), "--workspace", str(workspace_dir)], cwd=ROOT, check=True,
                   capture_output=True)
    at = open_page()
    kpis = table(at, len(at.dataframe) - 1)
    row = kpis[kpis["KPI"] == "Key contracts checked in on each quarter"].iloc[0]
    assert row["Value"] == "—" and "No data" in row["Status"]
    assert io  # (kept for symmetry with other app tests)


def test_picking_a_contract_opens_its_page_and_back_returns(hand_city):
    at = open_page()
    at.selectbox(key="open-contract").set_value("CTR-RESPONSE").run()
    assert at.query_params["contract"] == ["CTR-RESPONSE"] or at.query_params["contract"] == "CTR-RESPONSE"
    assert any("Fix-It Inc" in plain(m.value) for m in at.markdown)
    at.button(key="back").click().run()
    assert "contract" not in at.query_params
    assert table(at, 0)["Contract"].iloc[0] == "CTR-RESPONSE"
