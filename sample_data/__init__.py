"""The bundled sample city: its export files, its data-through date, and filling an empty workspace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent
CITY_NAME = "City of Riverton"
OFFICE_NAME = "City of Riverton Purchasing Division (sample data)"
AS_OF = dt.date(2026, 5, 31)  # data through this date: FY2026 (July start) is partial

# Each sample export and the canonical table it holds, in the order they are imported
# (vendors first, so that every later table can join to them).
SAMPLE_TABLES: tuple[tuple[str, str], ...] = (
    ("riverton_vendor_master.xlsx", "vendors"),
    ("riverton_solicitation_log.xlsx", "solicitations"),
    ("riverton_bid_tabulation.xlsx", "bids"),
    ("riverton_contract_register.xlsx", "contracts"),
    ("riverton_market_research.csv", "engagements"),
    ("riverton_vendor_evaluations.csv", "evaluations"),
    ("riverton_check_register.csv", "payments"),
    ("riverton_contract_kpis.xlsx", "contract_metrics"),
    ("riverton_contract_results.xlsx", "metric_results"),
    ("riverton_vendor_checkins.csv", "checkins"),
)
SAMPLE_FILES: list[Path] = [SAMPLE_DIR / name for name, _table in SAMPLE_TABLES]


def ensure_sample(workspace) -> bool:
    """Fill an empty workspace with the sample city through the loaders; True if it loaded.

    A workspace that holds any current import is left alone. The settings record that the sample
    is shown (sample_data=True), the office name and the sample's data-through date (as_of).
    """
    if not workspace.is_empty:
        return False
    from loaders import import_file  # the loaders are the only way data enters the workspace

    # One transaction, under the workspace's write lock: another process (a second app server, a command
    # line) sees the whole city or none of it, and a failure leaves the workspace empty (a half-loaded sample
    # would never be completed: the workspace is no longer empty).
    with workspace.batch():
        if not workspace.is_empty:  # another process loaded it while this one waited for the lock
            return False
        for path, (_name, table) in zip(SAMPLE_FILES, SAMPLE_TABLES, strict=True):
            results = import_file(path, workspace, table=table)
            if not any(r.import_id is not None for r in results):
                reasons = "; ".join(str(r.skipped) for r in results) or "nothing read"
                raise RuntimeError(f"sample file {path.name} was not imported ({reasons})")
        # The sample's "now" is a setting like any other: kpi/, exports/ and charts/ never import sample_data.
        workspace.set_settings(sample_data=True, office_name=OFFICE_NAME, as_of=AS_OF.isoformat())
    return True


def is_sample_source(source: object) -> bool:
    """Whether an import's source name is one of the sample files (by file name)."""
    return Path(str(source)).name in {name for name, _table in SAMPLE_TABLES}


def sample_tables(workspace) -> list[str]:
    """The canonical tables whose current rows come from the sample files."""
    history = workspace.imports()
    if history is None or history.empty:
        return []
    current = history[(history["status"] == "current") & history["source"].map(is_sample_source)]
    return sorted(dict.fromkeys(str(t) for t in current["table"]))


def _forget_sample_settings(workspace) -> None:
    """The sample's office name and data-through date go with its last table (the office's data has its own)."""
    settings = workspace.settings()
    reset = {"sample_data": False}
    if settings.get("office_name") == OFFICE_NAME:
        reset["office_name"] = None
    if settings.get("as_of") == AS_OF.isoformat():
        reset["as_of"] = None
    workspace.set_settings(**reset)


def remove_sample(workspace) -> int:
    """Undo every current import of a sample file and clear the sample_data setting; returns how many."""
    history = workspace.imports()
    current = history[(history["status"] == "current") & history["source"].map(is_sample_source)]
    for import_id in current["import_id"]:
        workspace.undo(int(import_id))
    _forget_sample_settings(workspace)
    return len(current)


def remove_sample_table(workspace, table: str) -> int:
    """Undo the sample's import of one table (the office is importing its own); the other sample tables stay,
    labelled as sample, until the office replaces or removes them. Returns how many imports were undone.

    The sample's data-through date goes at once (the office's rows have their own "now"); the sample_data
    setting goes with the last sample table."""
    history = workspace.imports()
    current = history[(history["status"] == "current") & history["source"].map(is_sample_source)
                      & (history["table"].astype(str) == table)]
    for import_id in current["import_id"]:
        workspace.undo(int(import_id))
    if sample_tables(workspace):
        if workspace.settings().get("as_of") == AS_OF.isoformat():
            workspace.set_settings(as_of=None)
    else:
        _forget_sample_settings(workspace)
    return len(current)
