"""The Data page asks instead of guessing (issue 13): a weak guess is not preselected for a one-click import,
and methods the vocabulary does not recognise are listed with their counts and recodable, the recodes saved
with the layout and reapplied."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import loaders
from ui.importer import NOT_RECOGNISED, SKIP

pytestmark = [pytest.mark.xdist_group("app"), pytest.mark.usefixtures("fresh_streamlit_caches")]

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 120

# Only 'Vendor' says anything: it looks a little like a vendor list, not enough to preselect.
WEAK_CSV = b"Description,Status,Vendor\nDesks,Open,Acme\nChairs,Closed,Bolt\nLamps,Open,Core\n"
SOLICITATIONS_CSV = (
    b"Solicitation No,Title,Method,Award Date,Award Amount\n"
    b"S-1,Paving,ITB,2025-08-01,100\n"
    b"S-2,Lights,Prior to 2-1-2006,2025-08-02,200\n"
    b"S-3,Desks,Prior to 2-1-2006,2025-08-03,300\n"
    b"S-4,Audit,Request for Tender,2025-08-04,400\n"
)


@pytest.fixture
def own_ws(workspace_dir, monkeypatch):
    from storage.workspace import Workspace

    Workspace(workspace_dir).set_settings(office_name="Testville Purchasing")
    monkeypatch.setattr("sample_data.ensure_sample", lambda ws: False)
    return workspace_dir


def data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/data.py").run()
    return at


def test_a_weak_guess_is_not_preselected(own_ws, tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_bytes(WEAK_CSV)
    [part] = loaders.inspect_file(path)
    assert part.table is not None and part.confidence < 0.6  # a guess, and the loaders say how unsure
    at = data_page()
    at.file_uploader(key="upload").upload("tracker.csv", WEAK_CSV, "text/csv").run()
    assert not at.exception, at.exception
    [table_box] = [s for s in at.selectbox if s.label == "Table"]
    assert table_box.value == SKIP
    assert any("looks most like" in w.value for w in at.warning)
    assert not [b for b in at.button if b.label.startswith("Import ")]  # nothing to click into a guess
    table_box.set_value(part.table).run()  # the user decides
    assert not at.exception, at.exception
    assert [b for b in at.button if b.label.startswith("Import ")]


def test_unrecognised_methods_are_listed_recoded_and_remembered(own_ws, tmp_path):
    from storage.workspace import Workspace

    at = data_page()
    at.file_uploader(key="upload").upload("log.csv", SOLICITATIONS_CSV, "text/csv").run()
    assert not at.exception, at.exception
    [box] = [s for s in at.selectbox if s.label == "Prior to 2-1-2006 (2 rows)"]
    assert box.value == NOT_RECOGNISED
    box.set_value("exempt").run()
    assert not at.exception, at.exception
    next(b for b in at.button if b.label.startswith("Import ")).click().run()
    assert not at.exception, at.exception
    ws = Workspace(own_ws)
    sols = ws.table("solicitations").sort_values("solicitation_id")
    assert sols["method"].tolist() == ["invitation for bid", "exempt", "exempt", "invitation for bid"]
    # The next import of the same layout gets the recode back, with a note.
    path = tmp_path / "log_next_month.csv"
    path.write_bytes(SOLICITATIONS_CSV.replace(b"S-1,", b"S-9,"))
    [part] = loaders.inspect_file(path, workspace=ws)
    assert part.recodes == {"Prior to 2-1-2006": "exempt"}
    assert part.unrecognised_methods() == {}
    assert "method recodes saved for this layout reapplied" in part.notes
