"""The Data page: upload, detection, mapping editor, import with history and undo, bad files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from loaders.schema import TABLES
from ui.mapping import NOT_USED, column_choices, mapping_from_choices, mapping_problems

pytestmark = [pytest.mark.xdist_group("app"), pytest.mark.usefixtures("fresh_streamlit_caches")]

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 120

PAYMENTS_CSV = (
    b"City of Testville\n"
    b"Accounts Payable Check Register\n"
    b"\n"
    b"Check No.,Check Date,Vendor Name,Department,Check Amount,Date Received\n"
    b"1001,07/15/2025,Acme Paving,Public Works,\"$1,200.00\",07/01/2025\n"
    b"1002,08/20/2025,=HYPERLINK(\"http://x\"),Parks,$560.50,07/05/2025\n"
    b"1003,not a date,**Bold Co**,Parks,$99.00,07/06/2025\n"
    b"Total,,,,\"$1,859.50\",\n"
)


@pytest.fixture
def own_ws(workspace_dir):
    """A workspace marked as the office's own (initialised, no sample): the Data page of a real user."""
    from storage.workspace import Workspace

    Workspace(workspace_dir).set_settings(office_name="Testville Purchasing")
    return workspace_dir


def data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/data.py").run()
    return at


def test_upload_detects_table_and_imports(own_ws, monkeypatch):
    """A messy payments CSV is detected as payments, previewed, imported, listed in the history and undone."""
    from storage.workspace import Workspace

    monkeypatch.setattr("sample_data.ensure_sample", lambda ws: False)  # keep the workspace our own
    at = data_page()
    assert not at.exception
    at.file_uploader(key="upload").upload("checks.csv", PAYMENTS_CSV, "text/csv").run()
    assert not at.exception, at.exception
    table_boxes = [s for s in at.selectbox if s.label == "Table"]
    assert table_boxes and table_boxes[0].value == "payments"
    buttons = [b for b in at.button if b.label.startswith("Import ")]
    assert buttons, [b.label for b in at.button]
    buttons[0].click().run()
    assert not at.exception, at.exception
    assert any("Imported 2 rows of payments" in s.value for s in at.success)
    history = Workspace(own_ws).imports()
    assert list(history["table"]) == ["payments"]
    assert int(history["rows_loaded"].iloc[0]) == 2  # the bad date row and the totals row are excluded

    at.selectbox(key="undo-choice").set_value(int(history["import_id"].iloc[0])).run()
    at.button(key="undo").click().run()
    assert not at.exception, at.exception
    assert list(Workspace(own_ws).imports()["status"]) == ["undone"]


def test_a_failed_first_import_keeps_the_sample_city(workspace_dir, monkeypatch):
    """The first import replaces the sample city in the same transaction: when it fails, the sample is still
    there, whole, and the page says nothing changed."""
    from storage.workspace import Workspace, WorkspaceError

    at = data_page()  # a new workspace: the app loads the sample city
    before = Workspace(workspace_dir).imports()
    assert Workspace(workspace_dir).settings().get("sample_data") and len(before)
    at.file_uploader(key="upload").upload("checks.csv", PAYMENTS_CSV, "text/csv").run()

    def disk_full(self, *args, **kwargs):
        raise WorkspaceError("Cannot write the payments table: No space left on device.")

    monkeypatch.setattr(Workspace, "import_table", disk_full)
    next(b for b in at.button if b.label.startswith("Import ")).click().run()
    next(b for b in at.button if b.label == "Import and remove the whole sample").click().run()
    assert not at.exception, at.exception
    labels = [s.label for s in at.status]
    assert any(label.startswith("Import failed; nothing changed.") and "No space" in label for label in labels), labels
    after = Workspace(workspace_dir)
    pd.testing.assert_frame_equal(after.imports(), before)
    assert after.settings().get("sample_data") is True


def test_importing_over_the_sample_asks_first_and_can_keep_the_other_tables(workspace_dir):
    """Import over the sample city: nothing changes until the user confirms; 'keep' replaces only the sample's
    payments, the other sample tables stay (named on the page) and the banner says the data is partly sample."""
    import sample_data
    from storage.workspace import Workspace

    at = data_page()
    at.file_uploader(key="upload").upload("checks.csv", PAYMENTS_CSV, "text/csv").run()
    before = Workspace(workspace_dir).imports()
    next(b for b in at.button if b.label.startswith("Import ")).click().run()
    assert not at.exception, at.exception
    pd.testing.assert_frame_equal(Workspace(workspace_dir).imports(), before)  # asked, not done
    assert any("The workspace shows the sample city" in m.value for m in at.markdown)
    next(b for b in at.button if b.label == "Import, keep the other sample tables for now").click().run()
    assert not at.exception, at.exception
    ws = Workspace(workspace_dir)
    left = sample_data.sample_tables(ws)
    assert "payments" not in left and set(left) == {t for _, t in sample_data.SAMPLE_TABLES} - {"payments"}
    payments = ws.table("payments")
    assert sorted(payments["payment_id"]) == ["1001", "1002"]  # the office's rows only
    assert ws.settings().get("sample_data") is True and not ws.settings().get("as_of")
    assert any("Partly sample data" in i.value for i in at.info)
    assert any("Some tables still hold the sample city" in m.value for m in at.markdown)


def test_cancel_leaves_the_sample_city_whole(workspace_dir):
    """Cancel at the confirmation: the sample city stays whole and no import is made."""
    from storage.workspace import Workspace

    at = data_page()
    at.file_uploader(key="upload").upload("checks.csv", PAYMENTS_CSV, "text/csv").run()
    before = Workspace(workspace_dir).imports()
    next(b for b in at.button if b.label.startswith("Import ")).click().run()
    next(b for b in at.button if b.label == "Cancel").click().run()
    assert not at.exception, at.exception
    pd.testing.assert_frame_equal(Workspace(workspace_dir).imports(), before)
    assert not [b for b in at.button if b.label == "Cancel"]


def test_totals_row_that_differs_from_the_import_is_a_warning(own_ws, monkeypatch):
    """The file's totals row ($1,859.50) against the two rows imported ($1,760.50): a warning naming the file
    and row, before the import and after it."""
    monkeypatch.setattr("sample_data.ensure_sample", lambda ws: False)
    at = data_page()
    at.file_uploader(key="upload").upload("checks.csv", PAYMENTS_CSV, "text/csv").run()
    warnings = [w.value.replace("\\", "") for w in at.warning if "Totals differ" in w.value]
    assert len(warnings) == 1
    assert "checks.csv, row 8" in warnings[0] and "1,859.50" in warnings[0] and "1,760.50" in warnings[0]
    assert "1 row was excluded" in warnings[0]
    next(b for b in at.button if b.label.startswith("Import ")).click().run()
    assert any("Totals differ" in w.value for w in at.warning)


def test_titles_and_counts_follow_the_users_mapping(own_ws, monkeypatch):
    """Unmapping the amount column re-reads the sheet: the counts beside the button are those of the new
    reading (no stale 'loadable' count beside the button's row count)."""
    monkeypatch.setattr("sample_data.ensure_sample", lambda ws: False)
    at = data_page()
    at.file_uploader(key="upload").upload("checks.csv", PAYMENTS_CSV, "text/csv").run()
    box = next(s for s in at.selectbox if s.label == "Check Date")
    box.set_value(NOT_USED).run()
    assert not at.exception, at.exception
    counts = next(c.value for c in at.caption if "loadable" in c.value)
    loadable = int(counts.split(" loadable")[0].rsplit("· ", 1)[1].replace(",", ""))
    button = next(b for b in at.button if b.label.startswith("Import "))
    assert button.label.startswith(f"Import {loadable:,} rows")


def test_bad_file_gets_a_clear_message(own_ws, monkeypatch):
    """A corrupt workbook names the file in an error and the page keeps working."""
    monkeypatch.setattr("sample_data.ensure_sample", lambda ws: False)
    at = data_page()
    damaged = b"PK\x03\x04" + bytes(range(256)) * 4  # a zip header and nothing a workbook needs
    at.file_uploader(key="upload").upload("broken.xlsx", damaged, "application/octet-stream")
    at.run()
    assert not at.exception, at.exception
    assert any("broken" in e.value and "Excel" in e.value for e in at.error)
    assert at.file_uploader(key="upload")  # the page is still there, ready for the next file


class _Part:
    """The fields of loaders.Part the mapping editor reads."""

    def __init__(self, columns, mapping, suggestions):
        self.columns = columns
        self.mapping = mapping
        self.unmapped_columns = [c for c in columns if c not in mapping]
        self.suggestions = suggestions


def test_mapping_choices_put_suggestions_first_and_mark_required():
    """Each source column offers suggested canonical columns first, with scores; required ones carry a star."""
    part = _Part(["Check Date", "Amt Paid", "Memo"], {"Check Date": "payment_date"},
                 {"Amt Paid": [("amount", 0.86), ("payment_id", 0.41)]})
    choices = {c.source: c for c in column_choices(part, "payments")}
    assert choices["Check Date"].current == "payment_date"
    assert choices["Amt Paid"].current == NOT_USED
    assert choices["Amt Paid"].options[1:3] == ("amount", "payment_id")
    assert choices["Amt Paid"].labels["amount"] == "amount *  (86% match)"
    assert set(choices["Memo"].options) == {NOT_USED, *TABLES["payments"].names}


def test_mapping_problems_name_missing_required_and_duplicates():
    """An import is blocked while a required column is unmapped or a canonical column is chosen twice."""
    # Changed rule (issue 13): payment_id is no longer required (made from the row); the date still is.
    mapping = mapping_from_choices({"Check No": "payment_id", "Paid": "amount", "Net": "amount",
                                    "Memo": NOT_USED})
    problems = mapping_problems(mapping, "payments")
    assert any("payment_date" in p for p in problems)
    assert any("amount" in p and "Paid" in p and "Net" in p for p in problems)
    ok = mapping_problems({"No": "payment_id", "Date": "payment_date", "Amt": "amount"}, "payments")
    assert ok == []


def test_settings_change_the_fiscal_year_start(own_ws, monkeypatch):
    """Saving an October fiscal year start is stored in the workspace and used by the sidebar's years."""
    from storage.workspace import Workspace

    monkeypatch.setattr("sample_data.ensure_sample", lambda ws: False)
    at = data_page()
    box = next(s for s in at.selectbox if s.label == "Fiscal year starts in")
    box.set_value(10)
    next(t for t in at.text_input if t.label == "Office name").set_value("Hand County Purchasing")
    next(b for b in at.button if b.label == "Save settings").click().run()
    assert not at.exception, at.exception
    settings = Workspace(own_ws).settings()
    assert settings["fiscal_year_start_month"] == 10
    assert settings["office_name"] == "Hand County Purchasing"


def test_mapping_editor_draws_mapped_and_likely_columns_of_a_wide_export():
    """Over the limit, the editor draws mapped, suggested and requested columns; the rest are listed once."""
    from ui.mapping import ColumnChoice, editor_columns

    def choice(source, current=NOT_USED, suggested=False):
        labels = {NOT_USED: "— not used —", "amount": "amount *" + ("  (80% match)" if suggested else "")}
        return ColumnChoice(source, (NOT_USED, "amount"), labels, current)

    choices = [choice("Check Amount", "amount"), choice("Amt", suggested=True)]
    choices += [choice(f"Filler {i}") for i in range(100)]
    drawn, rest = editor_columns(choices, extra=("Filler 7",), limit=60)
    assert [c.source for c in drawn] == ["Check Amount", "Amt", "Filler 7"]
    assert len(rest) == 99
    assert editor_columns(choices[:10])[1] == []


AMENDMENTS_CSV = (
    b"Contract register FY2025\n"
    b"Contract ID,Amendment Item,Vendor,Start Date,End Date,Amount\n"
    b"C-1,C-1-00,Acme,07/01/2023,06/30/2026,100000.00\n"
    b"C-1,C-1-01,Acme,01/01/2024,06/30/2026,125000.00\n"
    b"C-2,C-2-00,Bolt,08/01/2024,07/31/2025,5000.00\n"
    b"C-1,C-1-02,Acme,07/01/2024,06/30/2026,140000.00\n"
)


def test_rows_above_header_shown_and_repeated_ids_choice_imports_latest(own_ws, monkeypatch):
    """The title line above the header is named on the page; repeated contract ids offer 'latest' or 'all', and
    importing with 'latest' loads one row per id and remembers the choice for the layout."""
    from storage.workspace import Workspace

    monkeypatch.setattr("sample_data.ensure_sample", lambda ws: False)
    at = data_page()
    at.file_uploader(key="upload").upload("amendments.csv", AMENDMENTS_CSV, "text/csv").run()
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "1 row above the header, not read as data (row 1: Contract register FY2025)" in captions
    assert any("1 id repeats on 3 rows (e.g. C\\-1)" in w.value for w in at.warning)  # Markdown-escaped
    [choice] = [r for r in at.radio if r.label == "Rows with a repeated id"]
    assert choice.value == "all"
    assert [b.label for b in at.button if b.label.startswith("Import ")] == ["Import 4 rows as contracts"]
    choice.set_value("latest").run()
    assert not at.exception, at.exception
    [button] = [b for b in at.button if b.label.startswith("Import ")]
    assert button.label == "Import 2 rows as contracts"
    button.click().run()
    assert not at.exception, at.exception
    ws = Workspace(own_ws)
    assert int(ws.imports()["rows_loaded"].iloc[0]) == 2
    assert sorted(ws.table("contracts")["contract_id"]) == ["C-1", "C-2"]
