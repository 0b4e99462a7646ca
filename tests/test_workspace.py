"""The workspace keeps imports, mappings, goals and settings, one transaction at a time."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from loaders.schema import TABLES
from storage import Workspace, WorkspaceError, dtypes
from tests.conftest import require

ROOT = Path(__file__).resolve().parent.parent


def payments(*ids: str, amount: float = 100.0) -> pd.DataFrame:
    return pd.DataFrame({
        "payment_id": list(ids),
        "payment_date": pd.to_datetime(["2025-07-15"] * len(ids)),
        "amount": [amount] * len(ids),
        "vendor_id": ["00123"] * len(ids),
        "contract_id": [None] * len(ids),
    })


def load(ws: Workspace, frame: pd.DataFrame, source: str = "checks.csv", sheet=None, table="payments") -> int:
    return ws.import_table(table, frame, source=source, sheet=sheet, rows_read=len(frame) + 1,
                           rows_excluded=1, checksum=f"sha256:{source}")


def snapshot(folder: Path) -> dict:
    ws = Workspace(folder)
    return {
        "tables": {name: ws.table(name) for name in TABLES},
        "imports": ws.imports(),
        "version": ws.version,
        "settings": ws.settings(),
        "files": sorted(p.name for p in (folder / "tables").iterdir()),
    }


def assert_same(a: dict, b: dict) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(a["tables"][name], b["tables"][name])
    pd.testing.assert_frame_equal(a["imports"], b["imports"])
    assert (a["version"], a["settings"], a["files"]) == (b["version"], b["settings"], b["files"])


def run_python(code: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, **kwargs)


def test_empty_workspace_gives_every_table_typed_and_empty(workspace_dir):
    """A new workspace (folder from the environment) is empty and each table has its canonical columns."""
    ws = Workspace()
    assert ws.path == workspace_dir.absolute()
    assert ws.is_empty
    frames = ws.tables()
    assert list(frames) == list(TABLES)
    for name, frame in frames.items():
        assert len(frame) == 0
        assert list(frame.columns) == [*TABLES[name].names, "import_id"]
        assert {c: str(t) for c, t in frame.dtypes.items() if c != "import_id"} == dtypes(name)


def test_round_trip_keeps_canonical_dtypes(tmp_path):
    """Dates come back as datetime64, money as float, flags as nullable boolean, ids as text with zeros."""
    ws = Workspace(tmp_path / "ws")
    vendors = pd.DataFrame({
        "vendor_id": ["00042", "00043", "00044"],
        "vendor_name": ["ACME PAVING LLC", "Blue Heron Consulting", "Civic Data Co"],
        "certifications": ["MBE; WBE", None, "SBE"],
        "is_mbe": [True, False, False],
        "is_small": pd.array([True, None, False], dtype="boolean"),
        "registration_date": pd.to_datetime(["2019-03-01", None, "2024-11-30"]),
    })
    contracts = pd.DataFrame({
        "contract_id": ["C-0001", "C-0002"],
        "start_date": pd.to_datetime(["2024-07-01", "2025-01-01"]),
        "end_date": pd.to_datetime(["2026-06-30", "2027-12-31"]),
        "current_amount": [125000.5, 9.99],
        "amendment_count": pd.array([2, None], dtype="Int64"),
    })
    load(ws, vendors, "vendors.xlsx", "Vendor Master", table="vendors")
    load(ws, contracts, "contracts.xlsx", table="contracts")
    again = Workspace(tmp_path / "ws")
    got = again.table("vendors")
    assert got["vendor_id"].tolist() == ["00042", "00043", "00044"]
    assert str(got["vendor_id"].dtype) == "str"
    assert str(got["is_small"].dtype) == "boolean" and got["is_small"].isna().tolist() == [False, True, False]
    assert pd.api.types.is_datetime64_dtype(got["registration_date"])
    assert got["registration_date"].iloc[2] == pd.Timestamp("2024-11-30")
    assert got["is_wbe"].isna().all()  # never exported: missing, not False
    c = again.table("contracts")
    assert c["current_amount"].dtype == "float64" and c["current_amount"].tolist() == [125000.5, 9.99]
    assert str(c["amendment_count"].dtype) == "Int64" and c["amendment_count"].isna().tolist() == [False, True]
    assert c["end_date"].tolist() == [pd.Timestamp("2026-06-30"), pd.Timestamp("2027-12-31")]
    assert (c["import_id"] == again.imports().set_index("table").loc["contracts", "import_id"]).all()
    assert not again.is_empty


def test_reimporting_the_same_source_replaces_its_rows(tmp_path):
    """Same (source, sheet, table) replaces; another source or sheet adds."""
    ws = Workspace(tmp_path / "ws")
    first = load(ws, payments("CHK-1", "CHK-2"))
    load(ws, payments("CHK-9"), source="other.csv")
    second = load(ws, payments("CHK-1", "CHK-2", "CHK-3"))
    load(ws, payments("CHK-S2"), source="book.xlsx", sheet="Sheet2")
    load(ws, payments("CHK-S3"), source="book.xlsx", sheet="Sheet3")
    table = ws.table("payments")
    assert sorted(table["payment_id"]) == ["CHK-1", "CHK-2", "CHK-3", "CHK-9", "CHK-S2", "CHK-S3"]
    history = ws.imports().set_index("import_id")
    assert history.loc[first, "status"] == "replaced" and history.loc[first, "replaced_by"] == second
    assert history.loc[second, "status"] == "current"
    assert history.loc[second, ["rows_read", "rows_loaded", "rows_excluded"]].tolist() == [4, 3, 1]
    assert list(ws.imports().columns[:10]) == ["import_id", "source", "sheet", "table", "imported_at",
                                               "rows_read", "rows_loaded", "rows_excluded", "checksum",
                                               "status"]


def test_undo_removes_an_import(tmp_path):
    """Undo takes the import's rows out, marks it undone, and refuses to undo it twice."""
    ws = Workspace(tmp_path / "ws")
    keep = load(ws, payments("CHK-KEEP"), source="keep.csv")
    gone = load(ws, payments("CHK-UNDO-1", "CHK-UNDO-2"), source="mistake.csv")
    ws.undo(gone)
    assert ws.table("payments")["payment_id"].tolist() == ["CHK-KEEP"]
    assert ws.imports().set_index("import_id")["status"].to_dict() == {keep: "current", gone: "undone"}
    with pytest.raises(WorkspaceError, match="already undone"):
        ws.undo(gone)
    with pytest.raises(WorkspaceError, match="no import"):
        ws.undo(999)
    ws.undo(keep)
    assert ws.is_empty and len(ws.table("payments")) == 0
    assert list((tmp_path / "ws" / "tables").iterdir()) == []


def test_version_changes_with_data_goals_and_settings(tmp_path):
    """Every change to data, goals or settings gives a new version; reading does not."""
    ws = Workspace(tmp_path / "ws")
    seen = [ws.version]
    load(ws, payments("CHK-1"))
    seen.append(ws.version)
    ws.table("payments")
    ws.imports()
    assert ws.version == seen[-1]
    ws.save_goals(pd.DataFrame({"kpi_id": ["single_bid_share"], "target": [0.1], "at_risk": [0.2]}))
    seen.append(ws.version)
    ws.set_settings(office_name="Office of Procurement")
    seen.append(ws.version)
    ws.undo(int(ws.imports()["import_id"].iloc[0]))
    seen.append(ws.version)
    assert len(set(seen)) == len(seen) and seen == sorted(seen)
    assert Workspace(tmp_path / "ws").version == seen[-1]


def test_mapping_is_saved_and_reused(tmp_path):
    """A confirmed mapping comes back for the same header fingerprint, also after reopening."""
    ws = Workspace(tmp_path / "ws")
    assert ws.mapping_for("fp-munis-checks") is None
    ws.save_mapping("fp-munis-checks", "payments", {"Check Date": "payment_date", "Check Amount": "amount"})
    ws.save_mapping("fp-munis-checks", "payments", {"Check Date": "payment_date", "Net": "amount"})
    again = Workspace(tmp_path / "ws")
    assert again.mapping_for("fp-munis-checks") == ("payments", {"Check Date": "payment_date", "Net": "amount"})
    with pytest.raises(WorkspaceError, match="Unknown table"):
        ws.save_mapping("fp", "cheques", {})


def test_goals_and_settings_survive_reopening(tmp_path):
    """Goals (with nullable fiscal year and scope) and settings are the same after a restart."""
    ws = Workspace(tmp_path / "ws")
    assert ws.settings() == {"fiscal_year_start_month": 7, "office_name": None, "sample_data": False}
    goals = pd.DataFrame({
        "kpi_id": ["single_bid_share", "procurement_lead_time_days"],
        "fiscal_year": pd.array([None, 2026], dtype="Int64"),
        "scope_type": [None, "department"],
        "scope_value": [None, "Public Works"],
        "target": [0.10, 60.0],
        "at_risk": [0.20, 90.0],
        "source": ["EU Single Market Scoreboard", "Council resolution 2025-14"],
        "note": [None, "Public Works only"],
    })
    ws.save_goals(goals)
    ws.set_settings(fiscal_year_start_month=10, office_name="Riverton Procurement", sample_data=True)
    again = Workspace(tmp_path / "ws")
    got = again.goals()
    pd.testing.assert_frame_equal(got, goals.astype({"kpi_id": "str", "scope_type": "str", "scope_value": "str",
                                                     "source": "str", "note": "str"}))
    assert again.settings() == {"fiscal_year_start_month": 10, "office_name": "Riverton Procurement",
                                "sample_data": True}
    again.save_goals(goals.iloc[:0])
    assert len(Workspace(tmp_path / "ws").goals()) == 0
    with pytest.raises(WorkspaceError, match="month"):
        again.set_settings(fiscal_year_start_month=13)


def test_a_failed_import_changes_nothing(tmp_path):
    """A frame that cannot be stored raises WorkspaceError and leaves the workspace as it was."""
    folder = tmp_path / "ws"
    load(Workspace(folder), payments("CHK-1"))
    before = snapshot(folder)
    bad = payments("CHK-2").assign(amount=["not money"])
    with pytest.raises(WorkspaceError, match="amount"):
        load(Workspace(folder), bad)
    assert_same(before, snapshot(folder))


def test_a_batch_lands_whole_or_not_at_all(tmp_path):
    """Writes inside batch() are one transaction: reads inside it see them; an error undoes all of them,
    table files included; without an error they land together."""
    folder = tmp_path / "ws"
    ws = Workspace(folder)
    first = load(ws, payments("CHK-1"))
    before = snapshot(folder)
    with pytest.raises(RuntimeError, match="stop"), ws.batch():
        ws.undo(first)
        load(ws, payments("JAN-1"), source="january.xlsx", sheet="January")
        load(ws, payments("FEB-1"), source="january.xlsx", sheet="February")
        assert sorted(ws.table("payments")["payment_id"]) == ["FEB-1", "JAN-1"]
        raise RuntimeError("stop")
    assert_same(before, snapshot(folder))
    assert len(list((folder / "tables").iterdir())) == 1  # the files the batch wrote are gone
    with ws.batch():
        load(ws, payments("JAN-1"), source="january.xlsx", sheet="January")
        load(ws, payments("FEB-1"), source="january.xlsx", sheet="February")
    reopened = Workspace(folder)
    assert sorted(reopened.table("payments")["payment_id"]) == ["CHK-1", "FEB-1", "JAN-1"]
    assert len(list((folder / "tables").iterdir())) == 1  # the version the first sheet made is gone too


KILLED_IMPORT = """
    import os, signal, sys
    import pandas as pd
    import storage.workspace as w

    def hook(stage):
        if stage == sys.argv[2]:
            os.kill(os.getpid(), signal.SIGKILL)

    ws = w.Workspace(sys.argv[1])
    w._test_hook = hook
    frame = pd.DataFrame({"payment_id": ["CHK-KILLED"], "payment_date": pd.to_datetime(["2025-01-01"]),
                          "amount": [1.0]})
    ws.import_table("payments", frame, source="checks.csv", rows_read=1, rows_excluded=0, checksum="k")
    print("survived")
"""


@pytest.mark.parametrize("stage", ["parquet_written", "before_commit"])
def test_an_import_killed_midway_leaves_the_workspace_unchanged(tmp_path, stage):
    """SIGKILL after the Parquet file is written but before the catalogue commits: nothing changes."""
    folder = tmp_path / "ws"
    ws = Workspace(folder)
    load(ws, payments("CHK-1", "CHK-2"))
    ws.set_settings(office_name="Before")
    before = snapshot(folder)
    done = run_python(KILLED_IMPORT, str(folder), stage)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert "survived" not in done.stdout
    after = snapshot(folder)  # reopening also clears the orphaned file
    assert_same(before, after)
    assert after["tables"]["payments"]["payment_id"].tolist() == ["CHK-1", "CHK-2"]
    # The workspace still works afterwards.
    load(Workspace(folder), payments("CHK-3"))
    assert Workspace(folder).table("payments")["payment_id"].tolist() == ["CHK-3"]


CONCURRENT_IMPORTS = """
    import os, sys, time
    import pandas as pd
    from storage import Workspace

    folder, who, go = sys.argv[1], sys.argv[2], sys.argv[3]
    ws = Workspace(folder)
    while not os.path.exists(go):
        time.sleep(0.005)
    for i in range(4):
        ids = [f"{who}-{i}-{j}" for j in range(2000)]
        frame = pd.DataFrame({"payment_id": ids, "payment_date": pd.Timestamp("2025-01-01"), "amount": 1.0})
        ws.import_table("payments", frame, source=f"{who}-{i}.csv", rows_read=2000, rows_excluded=0,
                        checksum=who)
        ws.set_settings(**{f"last_{who}": i})
"""


def test_two_processes_importing_at_once_both_land(tmp_path):
    """Concurrent imports from two processes are serialised: every import and every row arrives."""
    folder = tmp_path / "ws"
    Workspace(folder)
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(CONCURRENT_IMPORTS), str(folder), who,
                               str(go)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for who in ("A", "B")]
    time.sleep(0.5)
    go.touch()
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    ws = Workspace(folder)
    history = ws.imports()
    assert len(history) == 8 and (history["status"] == "current").all()
    table = ws.table("payments")
    assert len(table) == 16000 and table["payment_id"].is_unique
    assert ws.settings()["last_A"] == 3 and ws.settings()["last_B"] == 3
    assert len(list((folder / "tables").iterdir())) == 1


def test_two_threads_importing_at_once_both_land(tmp_path):
    """The app's sessions are threads of one process: their imports are serialised too."""
    ws = Workspace(tmp_path / "ws")
    errors = []

    def work(who):
        try:
            for i in range(5):
                load(ws, payments(*(f"{who}-{i}-{j}" for j in range(50))), source=f"{who}-{i}.csv")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in ("T1", "T2", "T3")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(ws.table("payments")) == 750 and len(ws.imports()) == 15


READ_ONLY = """
    import sys
    from storage import Workspace, WorkspaceError
    for folder in sys.argv[1:]:
        try:
            Workspace(folder)
        except WorkspaceError as exc:
            print("WorkspaceError:", exc)
        else:
            print("opened")
"""


def test_a_read_only_folder_gives_a_clear_error(tmp_path):
    """A workspace folder that cannot be written raises WorkspaceError naming the folder."""
    folder = tmp_path / "ws"
    Workspace(folder)
    load(Workspace(folder), payments("CHK-1"))
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            for path in (folder, folder / "new"):
                with pytest.raises(WorkspaceError, match="read-only") as info:
                    Workspace(path)
                assert str(folder) in str(info.value)
        finally:
            folder.chmod(0o755)
        return
    # root may write through permissions: make the folder a read-only mount, in a private mount namespace.
    unshare, mount = shutil.which("unshare"), shutil.which("mount")
    require(bool(unshare and mount), "unshare and mount are needed to make a read-only folder as root")
    script = ('mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && shift && exec "$@"')
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([unshare, "-m", "sh", "-c", script, "sh", str(folder), sys.executable, "-c",
                           textwrap.dedent(READ_ONLY), str(folder), str(folder / "new")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    require(done.returncode == 0 or "WorkspaceError" in done.stdout,
            f"cannot make a read-only mount here: {done.stderr.strip()[-200:]}")
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and all(line.startswith("WorkspaceError:") for line in lines), done.stdout
    assert all("read-only" in line and str(folder) in line for line in lines)
    assert Workspace(folder).table("payments")["payment_id"].tolist() == ["CHK-1"]


def test_unknown_table_is_a_workspace_error(tmp_path):
    """Asking for or importing into a table the schema does not have says which tables exist."""
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(WorkspaceError, match="solicitations"):
        ws.table("cheques")
    with pytest.raises(WorkspaceError, match="Unknown table"):
        load(ws, payments("CHK-1"), table="cheques")


def test_issues_are_kept_per_import(tmp_path):
    """Issues are stored with their import; all issues means those of current imports."""
    ws = Workspace(tmp_path / "ws")
    issues = pd.DataFrame({"row": [7, 12], "column": ["Check Amount", None], "value": ["$1,2x", "Total"],
                           "problem": ["not a money amount", "totals row"]})
    first = ws.import_table("payments", payments("CHK-1"), source="checks.csv", sheet=None, rows_read=3,
                            rows_excluded=1, checksum="a", issues=issues)
    got = ws.issues(first)
    assert got[["source", "row", "column", "value", "problem"]].astype(object).where(got.notna(), None) \
        .values.tolist() == [["checks.csv", 7, "Check Amount", "$1,2x", "not a money amount"],
                             ["checks.csv", 12, None, "Total", "totals row"]]
    second = load(ws, payments("CHK-1"))
    assert len(ws.issues()) == 0 and len(ws.issues(first)) == 2 and len(ws.issues(second)) == 0


def test_an_error_before_commit_rolls_back_and_removes_the_new_file(tmp_path, monkeypatch):
    """An exception inside the transaction leaves the catalogue and the tables folder as they were."""
    import storage.workspace as w

    folder = tmp_path / "ws"
    ws = Workspace(folder)
    load(ws, payments("CHK-1"))
    before = snapshot(folder)

    def fail(stage):
        if stage == "before_commit":
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(w, "_test_hook", fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        load(ws, payments("CHK-2"), source="second.csv")
    monkeypatch.setattr(w, "_test_hook", None)
    assert sorted(p.name for p in (folder / "tables").iterdir()) == before["files"]
    assert_same(before, snapshot(folder))


def test_readers_never_see_a_half_written_table(tmp_path):
    """While another thread keeps replacing a table, every read returns one complete version."""
    ws = Workspace(tmp_path / "ws")
    load(ws, payments(*(f"CHK-{j}" for j in range(100))))
    stop = threading.Event()
    errors = []

    def write():
        try:
            for i in range(15):
                load(ws, payments(*(f"CHK-{j}" for j in range(100)), amount=float(i)))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            stop.set()

    writer = threading.Thread(target=write)
    writer.start()
    reader = Workspace(tmp_path / "ws")
    reads = 0
    while not stop.is_set() or reads == 0:
        table = reader.table("payments")
        assert len(table) == 100 and table["amount"].nunique() == 1
        reads += 1
    writer.join()
    assert errors == [] and reads > 0


def test_a_file_where_the_folder_should_be_is_a_workspace_error(tmp_path):
    """A workspace path that is a file gets a message naming it."""
    path = tmp_path / "not-a-folder"
    path.write_text("x")
    with pytest.raises(WorkspaceError, match="is a file"):
        Workspace(path)


def test_opening_does_not_wait_for_a_running_import(tmp_path, monkeypatch):
    """While another writer holds the lock, an existing workspace still opens and reads: it never asks for the
    lock (a writer waiting for it would give up at once here, with 'busy')."""
    import storage.workspace as storage_ws
    from storage.lock import FileLock

    folder = tmp_path / "ws"
    load(Workspace(folder), payments("CHK-1"))
    monkeypatch.setattr(storage_ws, "LOCK_TIMEOUT", 0.01)
    with FileLock(folder / ".lock"):
        ws = Workspace(folder)
        assert ws.table("payments")["payment_id"].tolist() == ["CHK-1"]
        with pytest.raises(WorkspaceError, match="busy"):
            load(ws, payments("CHK-2"))  # the same lock does stop a writer


def test_editing_a_returned_table_does_not_change_the_workspace(tmp_path):
    """Frames handed out are the caller's: edits never reach the next reader of the same workspace."""
    ws = Workspace(tmp_path / "ws")
    load(ws, payments("CHK-1", "CHK-2", amount=10.0))
    mine = ws.table("payments")
    mine["amount"] = 0.0
    mine.loc[0, "payment_id"] = "EDITED"
    again = ws.table("payments")
    assert again["amount"].tolist() == [10.0, 10.0] and again["payment_id"].tolist() == ["CHK-1", "CHK-2"]
