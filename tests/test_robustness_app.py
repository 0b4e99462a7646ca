"""Bad input in the app: every hostile file uploaded on the Data page gets a clear message naming it, the page
never shows an exception, text from files is never rendered as markup, and nothing changes until Import."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import storage.workspace as storage_ws
from loaders.readers import MB
from storage import Workspace
from storage.lock import FileLock
from tests.test_robustness import (
    CASES,
    HTML,
    LOADED,
    READABLE,
    REJECTED,
    csv,
    fingerprint,
    good_rows,
    good_rows_bytes,
    make,
)

pytestmark = [pytest.mark.xdist_group("app"), pytest.mark.usefixtures("fresh_streamlit_caches")]

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 180
UPLOAD_LIMIT_MB = 1  # the app's uploader cannot be driven past server.maxUploadSize here, so it is made small


@pytest.fixture
def office_ws(workspace_dir, tmp_path, monkeypatch):
    """The office's own workspace (one earlier import, a setting), the upload limit at 1 MB."""
    from loaders import import_file

    monkeypatch.setenv("STREAMLIT_SERVER_MAX_UPLOAD_SIZE", str(UPLOAD_LIMIT_MB))
    monkeypatch.setattr("sample_data.ensure_sample", lambda ws: False)
    ws = Workspace(workspace_dir)
    import_file(csv(tmp_path / "june.csv", good_rows(5, "JUNE")), ws)
    ws.set_settings(office_name="Testville Purchasing")
    return workspace_dir


def data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, at.exception
    return at


def hostile_uploads(folder: Path, cases=None) -> dict[str, tuple[str, bytes]]:
    """The cases as uploads (name, bytes); the over-limit file is just over the app's 1 MB here."""
    out = {}
    for case in cases or CASES:
        if case == "over_upload_limit":
            out[case] = ("huge.csv", good_rows_bytes() + b"x" * (UPLOAD_LIMIT_MB * MB))
            continue
        path = make(case, folder / case)
        out[case] = (path.name, path.read_bytes())
    return out


def unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


MARKUP_ELEMENTS = ("markdown", "caption", "error", "warning", "success", "info", "subheader", "title", "header")


def rendered_text(at: AppTest) -> list[str]:
    """Everything the page renders as markdown (where unescaped markup from a file would be live)."""
    texts = []
    for kind in MARKUP_ELEMENTS:
        texts += [str(e.value) for e in getattr(at, kind)]
    texts += [str(e.label) for e in at.expander]
    return texts


WIDE = "three_thousand_columns"  # on its own below: test_a_very_wide_file_keeps_the_page_responsive


def test_every_hostile_file_gets_a_clear_message_and_nothing_changes(office_ws, tmp_path, caplog):
    """All the suite's hostile files uploaded at once: an error naming each unreadable one, a detected table
    for each readable one, no exception or logged traceback, no markup from the files rendered, the
    workspace untouched."""
    uploads = hostile_uploads(tmp_path, [c for c in CASES if c != WIDE])
    before = fingerprint(office_ws)
    at = data_page()
    caplog.clear()
    at.file_uploader(key="upload").set_value([(name, data, "application/octet-stream")
                                              for name, data in uploads.values()]).run()
    assert not at.exception, at.exception
    assert [r.getMessage() for r in caplog.records if r.exc_info or r.levelname in ("ERROR", "CRITICAL")] == []
    errors = [unescaped(e.value) for e in at.error]
    for case in REJECTED:
        name = uploads[case][0]
        if case in READABLE:
            continue  # readable: shown as a sheet with 0 rows, or with no table recognised
        assert any(name in e for e in errors), (case, errors)
    assert len(errors) == len(REJECTED) - len(READABLE), errors  # one per unreadable file, nothing else failed
    assert any("upload limit" in e and "huge.csv" in e for e in errors)
    captions = [unescaped(c.value) for c in at.caption]
    assert sum("0 rows read" in c for c in captions) == 2
    assert len([s for s in at.selectbox if s.label == "Table"]) >= len(LOADED) - 1
    for text in rendered_text(at):
        for markup in HTML:
            assert markup not in text, text  # shown escaped, never as live markup
    assert fingerprint(office_ws) == before


def test_import_of_a_file_with_bad_values_lands_with_its_issues(office_ws, tmp_path):
    """Importing impossible dates from the page: the good row lands, the others are listed with reasons."""
    name, data = hostile_uploads(tmp_path)["impossible_dates"]
    at = data_page()
    at.file_uploader(key="upload").upload(name, data, "text/csv").run()
    assert not at.exception, at.exception
    [button] = [b for b in at.button if b.label.startswith("Import ")]
    assert button.label == "Import 1 row as payments"
    button.click().run()
    assert not at.exception, at.exception
    assert any("Imported 1 rows of payments" in s.value for s in at.success)
    ws = Workspace(office_ws)
    latest = ws.imports().sort_values("import_id").iloc[-1]
    assert (latest["source"], int(latest["rows_read"]), int(latest["rows_excluded"])) == ("dates.csv", 4, 3)
    assert ws.issues(int(latest["import_id"]))["problem"].value_counts()["not a date"] == 3


def test_import_into_a_busy_workspace_fails_cleanly(office_ws, tmp_path, monkeypatch):
    """When another import holds the workspace, the page says the import failed and nothing changed."""
    monkeypatch.setattr(storage_ws, "LOCK_TIMEOUT", 0.3)
    at = data_page()
    at.file_uploader(key="upload").upload("july.csv", "\n".join(",".join(r) for r in good_rows(3, "JULY")).encode(),
                                          "text/csv").run()
    before = fingerprint(office_ws)
    [button] = [b for b in at.button if b.label.startswith("Import ")]
    with FileLock(office_ws / ".lock"):
        button.click().run()
    assert not at.exception, at.exception
    assert fingerprint(office_ws) == before
    labels = [unescaped(s.label) for s in at.status]
    assert any(label.startswith("Import failed; nothing changed.") and "busy" in label for label in labels), labels


def test_a_very_wide_file_keeps_the_page_responsive(office_ws, tmp_path):
    """A 3,000-column export is detected and its mapping editor stays small (mapped and likely columns first)."""
    name, data = hostile_uploads(tmp_path, [WIDE])[WIDE]
    at = data_page()
    at.file_uploader(key="upload").upload(name, data, "text/csv").run()
    assert not at.exception, at.exception
    assert [s.value for s in at.selectbox if s.label == "Table"] == ["payments"]
    assert len(at.selectbox) < 200


@pytest.mark.parametrize("damage", ["a file", "a damaged catalogue"])
def test_an_unusable_workspace_is_a_message_not_a_traceback(tmp_path, monkeypatch, damage):
    """A workspace path that is a file, or a catalogue that is not a database: every page says which and why."""
    folder = tmp_path / "workspace"
    if damage == "a file":
        folder.write_text("not a folder")
    else:
        folder.mkdir()
        (folder / "catalogue.sqlite").write_bytes(b"\x00garbage" * 512)
    monkeypatch.setenv("PROCUREMENT_KPI_WORKSPACE", str(folder))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    assert any(str(folder) in unescaped(e.value) for e in at.error), [e.value for e in at.error]
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, at.exception
