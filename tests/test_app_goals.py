"""The Goals page: edits are validated and saved to the workspace at once; the goals file goes out and back."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import kpi
from ui.goals import DEFAULT_PREFIX, EDITOR_KEY, goals_file_bytes, validate, with_defaults

pytestmark = [pytest.mark.xdist_group("app"), pytest.mark.usefixtures("fresh_streamlit_caches")]

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 120
LEAD_TIME = "procurement_lead_time_days"  # lower is better, days
MWBE = "mwbe_spend_share"  # higher is better, share


@pytest.fixture
def ws(workspace_dir, monkeypatch):
    """An initialised workspace of our own (the sample is not loaded: goals need no data)."""
    from storage.workspace import Workspace

    monkeypatch.setattr("sample_data.ensure_sample", lambda w: False)
    return Workspace(workspace_dir)


def goals_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/goals.py").run()
    return at


def row_of(frame: pd.DataFrame, kpi_id: str) -> int:
    return int(frame.index[frame["kpi_id"] == kpi_id][0])


def test_edit_is_saved_at_once_and_survives_a_restart(ws):
    """Changing a target in the table stores it in the workspace; a new session shows it."""
    at = goals_page()
    assert not at.exception
    i = row_of(with_defaults(ws.goals()), LEAD_TIME)
    at.session_state[EDITOR_KEY] = {"edited_rows": {i: {"target": 45.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    saved = ws.goals()
    assert saved.loc[saved["kpi_id"] == LEAD_TIME, "target"].tolist() == [45.0]
    assert saved["kpi_id"].tolist() == [LEAD_TIME]  # untouched defaults are not stored

    st.cache_resource.clear()
    again = goals_page()
    shown = again.data_editor[0].value
    assert shown.loc[shown["kpi_id"] == LEAD_TIME, "target"].tolist() == [45.0]


def test_wrong_edit_is_explained_and_not_saved(ws):
    """An at-risk limit on the wrong side of the target is an error naming the KPI; nothing is stored."""
    at = goals_page()
    i = row_of(with_defaults(ws.goals()), LEAD_TIME)
    at.session_state[EDITOR_KEY] = {"edited_rows": {i: {"at_risk": 30.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert any("lower is better" in e.value for e in at.error)
    assert ws.goals().empty


def test_validate_reads_percentages_and_checks_direction():
    """25 for a share means 25%; a scoped goal needs its department; unknown ids are named."""
    frame = pd.DataFrame([
        {"kpi_id": MWBE, "target": 25, "at_risk": 15, "source": "Council resolution 2025-14"},
        {"kpi_id": LEAD_TIME, "fiscal_year": 2026, "scope_type": "department", "scope_value": None,
         "target": 50, "at_risk": 70},
        {"kpi_id": "no_such_kpi", "target": 1},
    ])
    clean, problems, notes = validate(frame)
    assert clean[["kpi_id", "target", "at_risk"]].to_dict("records") == [
        {"kpi_id": MWBE, "target": 0.25, "at_risk": 0.15}]
    assert any("percentages" in n for n in notes)
    assert any("department or category" in p for p in problems)
    assert any("no\\_such\\_kpi" in p for p in problems)


def test_untouched_defaults_are_not_stored():
    """The table shows every KPI's default goal, but only the office's own goals are saved."""
    shown = with_defaults(pd.DataFrame(columns=["kpi_id"]))
    assert set(shown["kpi_id"]) >= {k.id for k in kpi.KPIS.values() if k.goal is not None}
    assert shown["source"].str.startswith(DEFAULT_PREFIX).all()
    clean, problems, _ = validate(shown)
    assert problems == [] and clean.empty


def test_goals_file_round_trip():
    """The exported goals file reads back as the same goals."""
    goals = pd.DataFrame([{"kpi_id": LEAD_TIME, "fiscal_year": 2026, "scope_type": None, "scope_value": None,
                           "target": 45.0, "at_risk": 75.0, "source": "Mayor's priorities", "note": None}])
    text = goals_file_bytes(goals).decode()
    back = kpi.load_goals_file(text)
    assert back[["kpi_id", "target", "at_risk", "source"]].to_dict("records") == [
        {"kpi_id": LEAD_TIME, "target": 45.0, "at_risk": 75.0, "source": "Mayor's priorities"}]
    assert int(back["fiscal_year"].iloc[0]) == 2026
