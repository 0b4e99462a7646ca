"""Faults at the command line: an import killed midway, two imports at once, a locked, damaged or read-only
workspace. (tests/test_workspace.py covers the same faults one level down, on Workspace itself.)"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import storage.workspace as storage_ws
from loaders.__main__ import main as loaders_main
from storage import Workspace
from storage.lock import FileLock
from tests.conftest import require
from tests.test_robustness import HEADER, csv, fingerprint

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}


def checks(path: Path, prefix: str, n: int) -> Path:
    return csv(path, [HEADER] + [[f"{prefix}-{i:06d}", "07/15/2025", f"Vendor {i % 97}", f"${i % 500 + 1}.25"]
                                 for i in range(n)])


@pytest.fixture
def seeded(tmp_path) -> Path:
    """A workspace with one import and a setting: what must survive every fault below."""
    folder = tmp_path / "ws"
    assert loaders_main(["import", str(checks(tmp_path / "june.csv", "JUNE", 50)), "--table", "payments",
                         "--workspace", str(folder)]) == 0
    Workspace(folder).set_settings(office_name="Testville Purchasing")
    return folder


def cli(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "loaders", *args], cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def import_ids(folder: Path) -> list[int]:
    return Workspace(folder).imports()["import_id"].tolist()


def assert_whole(folder: Path, before: dict, new_rows: int) -> None:
    """The workspace is as it was, or as it was plus exactly one complete import of `new_rows` rows."""
    after = fingerprint(folder)
    if after == before:
        return
    ws = Workspace(folder)
    history = ws.imports()
    assert history.iloc[: len(before["imports"])].to_dict("records") == before["imports"]
    assert len(history) == len(before["imports"]) + 1
    latest = int(history["import_id"].iloc[-1])
    table = ws.table("payments")
    assert (table["import_id"] == latest).sum() == new_rows
    assert len(table) == before["tables"]["payments"][0] + new_rows
    assert after["settings"] == before["settings"] and after["goals"] == before["goals"]


# ------------------------------------------------------------------ killed imports


def test_import_killed_at_random_points_never_leaves_half_an_import(seeded, tmp_path):
    """SIGKILL `python -m loaders import` at random moments: each time the workspace is as it was, or holds the
    whole import; it always opens, has no orphaned table files, and takes the next import."""
    big = checks(tmp_path / "july.csv", "JULY", 5000)
    rng = random.Random(20260)
    start = time.monotonic()
    probe = cli("import", str(big), "--table", "payments", "--workspace", str(tmp_path / "probe"))
    probe.communicate(timeout=120)
    full = time.monotonic() - start  # how long one whole import takes on this machine now
    outcomes = set()
    for k, delay in enumerate(sorted(rng.uniform(0.2, 1.1) * full for _ in range(3))):
        before = fingerprint(seeded)
        path = shutil.copy(big, tmp_path / f"july-{k}.csv")  # a new source each time: nothing to replace
        proc = cli("import", str(path), "--table", "payments", "--workspace", str(seeded))
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        assert_whole(seeded, before, 5000)
        outcomes.add("unchanged" if fingerprint(seeded) == before else "landed")
        files = sorted(p.name for p in (seeded / "tables").iterdir())
        assert files == fingerprint(seeded)["files"] and len(files) == 1  # reopening removed any orphan
    assert loaders_main(["import", str(checks(tmp_path / "aug.csv", "AUG", 10)), "--table", "payments",
                         "--workspace", str(seeded)]) == 0
    assert "AUG-000009" in set(Workspace(seeded).table("payments")["payment_id"])
    assert outcomes  # which ones happened depends on timing; both are whole


KILL_AT = """
    import os, signal, sys
    import storage.workspace as w
    from loaders.__main__ import main

    stage, nth, seen = sys.argv[1], int(sys.argv[2]), []

    def hook(name):
        if name == stage:
            seen.append(name)
            if len(seen) == nth:
                os.kill(os.getpid(), signal.SIGKILL)

    w._test_hook = hook
    sys.exit(main(sys.argv[3:]))
"""


@pytest.mark.parametrize(("stage", "nth", "lands"), [
    ("parquet_written", 1, False),  # the new table file is on disk, the catalogue does not point to it yet
    ("before_commit", 2, False),  # 1: opening the workspace; 2: the import's transaction (mapping included)
])
def test_import_killed_inside_a_transaction(seeded, tmp_path, stage, nth, lands):
    """Killed at each step of the CLI's write path: before the commit nothing changed."""
    path = checks(tmp_path / "july.csv", "JULY", 300)
    before = fingerprint(seeded)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(KILL_AT), stage, str(nth), "import", str(path),
                           "--table", "payments", "--workspace", str(seeded)], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    after = fingerprint(seeded)
    if lands:
        assert_whole(seeded, before, 300)
        assert after != before
    else:
        assert after == before
    assert loaders_main(["import", str(path), "--table", "payments", "--workspace", str(seeded)]) == 0
    table = Workspace(seeded).table("payments")
    assert (table["payment_id"].str.startswith("JULY")).sum() == 300  # re-running replaces, never doubles


def test_a_workbook_killed_between_its_sheets_changes_nothing(seeded, tmp_path):
    """A workbook's sheets are one transaction: killed once the second sheet's table file is written (the first
    sheet's is already in), nothing has landed; run again, both sheets arrive."""
    from openpyxl import Workbook

    wb = Workbook()
    for k, month in enumerate(("JULY", "AUG")):
        ws = wb.active if k == 0 else wb.create_sheet()
        ws.title = month.title()
        ws.append(HEADER)
        for i in range(200):
            ws.append([f"{month}-{i:06d}", "07/15/2025", f"Vendor {i % 97}", f"${i + 1}.25"])
    path = tmp_path / "two_months.xlsx"
    wb.save(path)
    before = fingerprint(seeded)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(KILL_AT), "parquet_written", "2", "import",
                           str(path), "--table", "payments", "--workspace", str(seeded)], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert fingerprint(seeded) == before
    assert loaders_main(["import", str(path), "--table", "payments", "--workspace", str(seeded)]) == 0
    ids = Workspace(seeded).table("payments")["payment_id"]
    assert ids.str.startswith("JULY").sum() == ids.str.startswith("AUG").sum() == 200


# ------------------------------------------------------------------ two imports at once


def test_two_cli_imports_at_once_both_land(seeded, tmp_path):
    """Two processes importing different files into one workspace at the same moment: both arrive whole."""
    a, b = checks(tmp_path / "a.csv", "A", 1500), checks(tmp_path / "b.csv", "B", 1500)
    procs = [cli("import", str(p), "--table", "payments", "--workspace", str(seeded)) for p in (a, b)]
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
    ws = Workspace(seeded)
    history = ws.imports()
    assert len(history) == 3 and (history["status"] == "current").all()
    table = ws.table("payments")
    assert len(table) == 50 + 3000 and table["payment_id"].is_unique


def test_the_same_file_imported_twice_at_once_is_serialised(seeded, tmp_path):
    """The same export imported by two people at once: one import replaces the other, rows are never doubled."""
    path = checks(tmp_path / "same.csv", "SAME", 1000)
    procs = [cli("import", str(path), "--table", "payments", "--workspace", str(seeded)) for _ in range(2)]
    for p in procs:
        _out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
    history = Workspace(seeded).imports()
    same = history[history["source"] == "same.csv"]
    assert sorted(same["status"]) == ["current", "replaced"]
    table = Workspace(seeded).table("payments")
    assert (table["payment_id"].str.startswith("SAME")).sum() == 1000 and table["payment_id"].is_unique


# ------------------------------------------------------------------ a workspace that cannot be written


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err, err
    return err


def test_locked_workspace_is_one_clear_line(seeded, tmp_path, capsys, monkeypatch):
    """While another writer holds the workspace past the wait, the import says so and changes nothing."""
    monkeypatch.setattr(storage_ws, "LOCK_TIMEOUT", 0.3)
    path = checks(tmp_path / "july.csv", "JULY", 10)
    before = fingerprint(seeded)
    with FileLock(seeded / ".lock"):
        code = loaders_main(["import", str(path), "--table", "payments", "--workspace", str(seeded)])
    err = one_line(capsys.readouterr().err)
    assert code == 2 and "july.csv: not imported" in err and "busy" in err and str(seeded) in err
    assert "check that it is an Excel" not in err  # the file is not to blame
    assert fingerprint(seeded) == before


def test_damaged_catalogue_is_one_clear_line_from_every_cli(seeded, tmp_path, capsys):
    """A catalogue that is not a database: each command line names it, exits 2, and touches nothing."""
    from exports.__main__ import main as exports_main
    from kpi.cli import main as kpi_main

    catalogue = seeded / storage_ws.CATALOGUE
    catalogue.write_bytes(os.urandom(4096))
    damaged = catalogue.read_bytes()
    path = checks(tmp_path / "july.csv", "JULY", 10)
    runs = [
        lambda: loaders_main(["import", str(path), "--table", "payments", "--workspace", str(seeded)]),
        lambda: kpi_main(["report", "--workspace", str(seeded)]),
        lambda: exports_main(["table", "--workspace", str(seeded), "--out", str(tmp_path / "kpis.xlsx")]),
    ]
    for run in runs:
        assert run() == 2
        err = one_line(capsys.readouterr().err)
        assert "damaged" in err and str(catalogue) in err
    assert catalogue.read_bytes() == damaged


def test_report_on_a_folder_that_is_not_a_workspace_creates_nothing(tmp_path, capsys):
    """`python -m kpi report` on a stray folder says so instead of creating a workspace in it."""
    from kpi.cli import main as kpi_main

    stray = tmp_path / "Documents"
    stray.mkdir()
    assert kpi_main(["report", "--workspace", str(stray)]) == 2
    assert "not a workspace folder" in one_line(capsys.readouterr().err)
    assert list(stray.iterdir()) == []


READ_ONLY_CLI = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && shift && exec "$@"'


def test_read_only_workspace_is_one_clear_line(seeded, tmp_path):
    """A workspace on a read-only folder (a read-only mount, so that root is refused too): exit 2, one line."""
    path = checks(tmp_path / "july.csv", "JULY", 10)
    before = fingerprint(seeded)
    argv = [sys.executable, "-m", "loaders", "import", str(path), "--table", "payments", "--workspace", str(seeded)]
    if os.geteuid() != 0:
        seeded.chmod(0o555)
        try:
            done = subprocess.run(argv, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
        finally:
            seeded.chmod(0o755)
    else:
        unshare, mount = shutil.which("unshare"), shutil.which("mount")
        require(bool(unshare and mount), "unshare and mount are needed to make a read-only folder as root")
        done = subprocess.run([unshare, "-m", "sh", "-c", READ_ONLY_CLI, "sh", str(seeded), *argv], cwd=ROOT,
                              env=ENV, capture_output=True, text=True, timeout=120)
        require("read-only" in done.stderr or done.returncode == 0,
                f"cannot make a read-only mount here: {done.stderr.strip()[-200:]}")
    assert done.returncode == 2, done.stderr
    err = one_line(done.stderr)
    assert "read-only" in err and str(seeded) in err
    assert fingerprint(seeded) == before


def test_export_to_a_path_that_cannot_be_written_is_one_clear_line(seeded, tmp_path, capsys):
    """`python -m exports table --out` a folder, or into a folder that is not there: one line, exit 2."""
    from exports.__main__ import main as exports_main

    folder = tmp_path / "kpis.xlsx"
    folder.mkdir()
    assert exports_main(["table", "--workspace", str(seeded), "--out", str(folder)]) == 2
    assert f"cannot write {folder}" in one_line(capsys.readouterr().err)
    assert exports_main(["table", "--workspace", str(seeded), "--out", str(tmp_path / "nope" / "k.xlsx")]) == 2
    assert "output folder does not exist" in one_line(capsys.readouterr().err)
