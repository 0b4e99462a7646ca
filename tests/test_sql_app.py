"""The Data page's database section (AppTest, on the bundled sample SQLite): connect, preview, import, save, refresh."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sample_data.database import sample_url
from ui.database import SAMPLE_CHOICE, URL_CHOICE

pytestmark = [pytest.mark.xdist_group("app"), pytest.mark.usefixtures("fresh_streamlit_caches")]

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 120
SECRET = "Sup3r-Secret-pw"


@pytest.fixture
def own_ws(workspace_dir, monkeypatch, tmp_path):
    """The office's own workspace (no sample), no configured connections but one in the environment."""
    from storage.workspace import Workspace

    monkeypatch.setattr("sample_data.ensure_sample", lambda ws: False)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    for key in [k for k in __import__("os").environ if k.startswith("PROCUREMENT_KPI_DB_")]:
        monkeypatch.delenv(key)
    Workspace(workspace_dir).set_settings(office_name="Testville Purchasing")
    return Workspace(workspace_dir)


def data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, at.exception
    return at


def page_text(at: AppTest) -> str:
    """Everything the page says (messages, markdown, captions, labels) except what the user typed."""
    parts = []
    for kind in ("error", "warning", "success", "info", "markdown", "caption", "text", "subheader"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [str(getattr(e, "label", "")) for e in at.button]
    parts += [str(e.proto) for e in at.get("status")] if hasattr(at, "get") else []
    return "\n".join(parts)


def test_sample_database_table_imports_saves_and_refreshes(own_ws):
    """Choose the sample SQLite, connect, pick "AP Check Register": payments detected, imported, saved, refreshed."""
    at = data_page()
    at.selectbox(key="db-choice").set_value(SAMPLE_CHOICE).run()
    at.button(key="db-connect").click().run()
    assert not at.exception, at.exception
    tables = at.selectbox(key="db-table").options
    assert "AP Check Register" in tables and "Vendor Master" in tables
    at.selectbox(key="db-table").set_value("AP Check Register").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="db-target").value == "payments"
    assert at.button(key="db-import").label == "Import 25,000 rows as payments"

    at.button(key="db-import").click().run()
    assert not at.exception, at.exception
    assert any("Imported 25,000 rows of payments" in s.value for s in at.success), [s.value for s in at.success]
    history = own_ws.imports()
    assert list(history["source"]) == [sample_url()] and list(history["sheet"]) == ["AP Check Register"]
    assert len(own_ws.table("payments")) == 25_000

    at.text_input(key="db-save-name").input("Riverton checks").run()
    at.button(key="db-save").click().run()
    assert not at.exception, at.exception
    assert list(own_ws.sources()) == ["Riverton checks"]
    assert own_ws.sources()["Riverton checks"]["sql_table"] == "AP Check Register"

    at.button(key="src-refresh-0").click().run()
    assert not at.exception, at.exception
    assert list(own_ws.imports()["status"]) == ["replaced", "current"]
    assert len(own_ws.table("payments")) == 25_000  # replaced, not added

    at.button(key="src-forget-0").click().run()
    assert own_ws.sources() == {}


def test_query_and_a_changed_mapping(own_ws):
    """A SELECT is previewed and imported; the table can be chosen by hand."""
    at = data_page()
    at.selectbox(key="db-choice").set_value(SAMPLE_CHOICE).run()
    at.button(key="db-connect").click().run()
    at.radio(key="db-how").set_value("A SELECT query").run()
    at.text_area(key="db-query").input('SELECT * FROM "Vendor Master" WHERE "Small Business"').run()
    assert not at.exception, at.exception
    assert at.selectbox(key="db-target").value == "vendors"
    at.button(key="db-import").click().run()
    assert not at.exception, at.exception
    vendors = own_ws.table("vendors")
    assert len(vendors) > 0 and vendors["is_small"].all()


def test_bad_url_and_wrong_password_say_what_failed_without_the_password(own_ws, tmp_path):
    """A missing file, an unreachable server and a refused statement each get one clear error, no password."""
    at = data_page()
    at.selectbox(key="db-choice").set_value(URL_CHOICE).run()
    at.text_input(key="db-url").input(f"sqlite:///{tmp_path / 'nowhere.sqlite'}").run()
    at.button(key="db-connect").click().run()
    assert not at.exception, at.exception
    assert any("no SQLite database" in e.value for e in at.error)

    at.text_input(key="db-url").input("postgresql+psycopg://reader@127.0.0.1:1/erp").run()
    at.text_input(key="db-password").input(SECRET).run()
    at.button(key="db-connect").click().run()
    assert not at.exception, at.exception
    assert any("cannot reach the database server" in e.value for e in at.error)
    assert SECRET not in page_text(at)

    at.text_input(key="db-url").input(sample_url()).run()
    at.button(key="db-connect").click().run()
    at.radio(key="db-how").set_value("A SELECT query").run()
    at.text_area(key="db-query").input('DELETE FROM "Vendor Master"').run()
    assert not at.exception, at.exception
    assert any("not a SELECT" in e.value for e in at.error)
    assert SECRET not in page_text(at)


def test_configured_connection_is_listed_and_its_table_previewed(own_ws, monkeypatch):
    """A PROCUREMENT_KPI_DB_* connection appears by name (URL shown without a password); a date range narrows."""
    monkeypatch.setenv("PROCUREMENT_KPI_DB_RIVERTON", sample_url())
    at = data_page()
    assert f"riverton · {sample_url()}" in at.selectbox(key="db-choice").options  # labels: name · URL
    at.selectbox(key="db-choice").set_value("riverton").run()
    at.button(key="db-connect").click().run()
    at.selectbox(key="db-table").set_value("Market Research Log").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="db-target").value == "engagements"
    full = at.button(key="db-import").label
    at.selectbox(key="db-date-column").set_value("Activity Date").run()
    at.date_input(key="db-date-from").set_value(__import__("datetime").date(2025, 7, 1)).run()
    assert not at.exception, at.exception
    narrowed = at.button(key="db-import").label
    assert full.startswith("Import 294 rows") and narrowed != full


def test_secrets_connection_is_masked_and_its_failure_is_clear(own_ws, tmp_path):
    """[connections.NAME] in .streamlit/secrets.toml is offered with its password masked; a failure says why."""
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        f'[connections.erp]\ndialect = "postgresql"\ndriver = "psycopg"\nhost = "127.0.0.1"\nport = 1\n'
        f'database = "munis"\nusername = "reader"\npassword = "{SECRET}"\n')
    at = data_page()
    assert "erp · postgresql+psycopg://reader:***@127.0.0.1:1/munis" in at.selectbox(key="db-choice").options
    at.selectbox(key="db-choice").set_value("erp").run()
    at.button(key="db-connect").click().run()
    assert not at.exception, at.exception
    assert any("cannot reach the database server" in e.value for e in at.error)
    assert SECRET not in page_text(at) and SECRET not in str(at.selectbox(key="db-choice").options)
