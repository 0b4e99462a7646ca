"""Rows recorded in the app: one transaction with their audit entries, an import of their own, kept through
re-imports of files."""

from __future__ import annotations

import pandas as pd
import pytest

from storage import workspace as W
from storage.workspace import APP_SOURCE, Workspace, WorkspaceError

KEYS = ("contract_id", "metric_id", "period_end")


def result(period: str, value: float, contract: str = "CTR-1") -> dict:
    return {"contract_id": contract, "metric_id": "ON-TIME", "period_end": pd.Timestamp(period), "value": value}


def test_recording_adds_then_changes_and_logs_each(tmp_path):
    """A first result is 'added'; the same period again 'changed' (old and new value); another period 'added'."""
    ws = Workspace(tmp_path / "ws")
    ws.record_rows("metric_results", pd.DataFrame([result("2026-03-31", 0.90)]), keys=KEYS, user="ana")
    ws.record_rows("metric_results", pd.DataFrame([result("2026-03-31", 0.95), result("2026-06-30", 0.80)]),
                   keys=KEYS, user="ben")
    table = ws.table("metric_results")
    assert sorted(zip(table["period_end"].dt.strftime("%Y-%m-%d"), table["value"], strict=True)) == [
        ("2026-03-31", 0.95), ("2026-06-30", 0.80)]
    log = ws.audit_log()
    assert list(log["action"]) == ["added", "changed", "added"]  # newest first
    assert list(log["user"]) == ["ben", "ben", "ana"]
    changed = log.iloc[1]
    assert changed["record"] == {"contract_id": "CTR-1", "metric_id": "ON-TIME", "period_end": "2026-03-31"}
    assert (changed["before"], changed["after"]) == ({"value": 0.9}, {"value": 0.95})
    history = ws.imports()
    assert list(history["source"]) == [APP_SOURCE, APP_SOURCE]
    assert list(history["status"]) == ["replaced", "current"]


def test_a_failed_recording_leaves_nothing(tmp_path, monkeypatch):
    """A crash before the commit: neither the rows nor their audit entries are kept."""
    ws = Workspace(tmp_path / "ws")
    ws.record_rows("checkins", pd.DataFrame([{"contract_id": "CTR-1", "meeting_date": pd.Timestamp("2026-02-01")}]),
                   keys=("contract_id", "meeting_date"), user="ana")

    def crash(stage):
        if stage == "before_commit":
            raise RuntimeError("power cut")

    monkeypatch.setattr(W, "_test_hook", crash)
    with pytest.raises(RuntimeError):
        ws.record_rows("checkins", pd.DataFrame([{"contract_id": "CTR-1", "meeting_date": pd.Timestamp("2026-05-01")}]),
                       keys=("contract_id", "meeting_date"), user="ana")
    monkeypatch.setattr(W, "_test_hook", None)
    again = Workspace(tmp_path / "ws")
    assert len(again.table("checkins")) == 1
    assert len(again.audit_log()) == 1


def test_recorded_rows_survive_a_file_reimport(tmp_path):
    """Results recorded in the app stay when the results file is imported again (its rows replaced, not ours)."""
    ws = Workspace(tmp_path / "ws")
    file_rows = pd.DataFrame([result("2025-12-31", 0.91), result("2026-03-31", 0.92)])
    for _ in range(2):
        ws.import_table("metric_results", file_rows, source="results.xlsx", rows_read=2, rows_excluded=0,
                        checksum="x")
        if not len(ws.audit_log()):
            ws.record_rows("metric_results", pd.DataFrame([result("2026-06-30", 0.97)]), keys=KEYS, user="ana")
    table = ws.table("metric_results")
    assert len(table) == 3 and (table["value"] == 0.97).sum() == 1


def test_keys_and_user_are_required(tmp_path):
    ws = Workspace(tmp_path / "ws")
    rows = pd.DataFrame([result("2026-03-31", 0.9)])
    with pytest.raises(WorkspaceError, match="no column nope"):
        ws.record_rows("metric_results", rows, keys=("nope",), user="ana")
    with pytest.raises(WorkspaceError, match="name of the person"):
        ws.record_rows("metric_results", rows, keys=KEYS, user=" ")
    blank = pd.DataFrame([{**result("2026-03-31", 0.9), "metric_id": None}])
    with pytest.raises(WorkspaceError, match="Row 1: contract_id, metric_id, period_end must all be filled"):
        ws.record_rows("metric_results", blank, keys=KEYS, user="ana")
    assert ws.table("metric_results").empty and ws.audit_log().empty
