"""Safety: no export carries a live formula from the data, no text from a file is rendered as HTML, and a
password never reaches a log, an error or the screen."""

from __future__ import annotations

import ast
import csv
import io
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import exports
from exports.safety import FORMULA_STARTS

ROOT = Path(__file__).resolve().parent.parent
APP_CODE = [p for p in [ROOT / "app.py", *(ROOT / "ui").rglob("*.py"), *(ROOT / "app_pages").rglob("*.py")]]
HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3 ", "\t=1+1",
           "\r=1+1", "=1+1"]
KEPT_AS_IS = {"method", "status", "type", "award_basis", "certifications", "rating"}  # the KPIs' own vocabulary


# ------------------------------------------------------------------ a city whose every text cell is hostile


@pytest.fixture(scope="module")
def hostile_city() -> dict[str, pd.DataFrame]:
    """The generated sample city with every id, name, title, department and category turned into formula text
    (consistently, so joins and breakdowns still work and the hostile text reaches every export)."""
    from sample_data.generate import generate_city

    tables = generate_city(seed=11, scale=0.05)
    for frame in tables.values():
        for col in frame.columns:
            s = frame[col]
            if col in KEPT_AS_IS or not (s.dtype == object or pd.api.types.is_string_dtype(s)):
                continue
            codes, uniques = pd.factorize(s)
            prefixed = [f"{HOSTILE[i % len(HOSTILE)]}{u}" for i, u in enumerate(uniques)]
            frame[col] = pd.Series([prefixed[c] if c >= 0 else None for c in codes], index=frame.index, dtype="str")
    return tables


@pytest.fixture(scope="module")
def briefing(hostile_city):
    imports = pd.DataFrame({
        "import_id": [1], "source": ["=cmd|' /C calc'!A0.csv"], "sheet": ["@Sheet1"], "table": ["payments"],
        "imported_at": [pd.Timestamp("2026-05-31 09:00")], "rows_read": [10], "rows_loaded": [9],
        "rows_excluded": [1], "checksum": ["x"], "status": ["current"], "replaced_by": [pd.NA]})
    settings = {"office_name": '=HYPERLINK("http://evil.example","Purchasing")', "fiscal_year_start_month": 7,
                "as_of": "2026-05-31"}
    return exports.prepare_briefing(hostile_city, None, settings, imports=imports)


def live_formulas_in_xlsx(data: bytes) -> list[str]:
    """Every cell of every sheet that a spreadsheet would run: stored formulas, or text starting like one."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and re.search(rb"<f[ >]", z.read(name)):
                found.append(f"{name}: stored formula")
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS)):
                    found.append(f"{ws.title}!{cell.coordinate}: {cell.value!r}")
    return found


def live_formulas_in_csv(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    found = []
    # newline="": a carriage return outside quotes ends a row, as it does when Excel opens the file
    for row in csv.reader(io.StringIO(text, newline="")):
        for field in row:
            if field.startswith(FORMULA_STARTS) and not re.fullmatch(r"-\d+(\.\d+)?(e[+-]?\d+)?", field):
                found.append(field)
    return found


def test_hostile_text_reaches_the_exports_neutralised(briefing):
    """The check below is not vacuous: the hostile names are in the briefing workbook, apostrophe first."""
    data = exports.briefing_xlsx(briefing)
    texts = [c.value for ws in load_workbook(io.BytesIO(data)).worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]
    assert any(t.startswith("'=HYPERLINK") for t in texts)


def test_briefing_workbook_has_no_live_formula(briefing):
    """The briefing's Excel workbook (scorecard, values, pipeline, definitions, data quality, about)."""
    assert live_formulas_in_xlsx(exports.briefing_xlsx(briefing)) == []


def test_scorecard_and_record_tables_have_no_live_formula(hostile_city):
    """scorecard_xlsx, table_xlsx and excel_workbook of drill-down records and whole tables."""
    import kpi

    card = kpi.scorecard(hostile_city, None, as_of="2026-05-31")
    assert live_formulas_in_xlsx(exports.scorecard_xlsx(card, about={"Office": "=1+1"})) == []
    for kpi_id in ("mwbe_spend_share", "procurement_lead_time_days", "expiring_without_replacement"):
        drill = kpi.drilldown(kpi_id, hostile_city, as_of="2026-05-31", grain="year")
        for records in (drill.denominator, drill.excluded):
            assert live_formulas_in_xlsx(exports.table_xlsx(records, sheet="=Records")) == [], kpi_id
            assert live_formulas_in_csv(exports.safe_csv(records)) == [], kpi_id
        assert len(drill.denominator), kpi_id
    assert live_formulas_in_xlsx(exports.excel_workbook(dict(hostile_city))) == []


def test_csv_downloads_neutralise_every_text_cell_index_and_header(hostile_city):
    """safe_csv of whole tables, with an index and hostile column names too."""
    payments = hostile_city["payments"]
    assert live_formulas_in_csv(exports.safe_csv(payments)) == []
    indexed = payments.set_index("vendor_name").rename(columns={"department": "=department"})
    assert live_formulas_in_csv(exports.safe_csv(indexed, index=True)) == []
    hidden = pd.DataFrame({"when": pd.to_datetime(["2025-07-15"] * 3),
                           "vendor_name": pd.Series(['Parks\r=HYPERLINK("http://evil.example","x")', "a\nb", "\r@x"],
                                                    dtype="str")})
    assert live_formulas_in_csv(exports.safe_csv(hidden)) == []  # a formula after a line break stays in its cell
    numbers = pd.DataFrame({"amount": [-5.0, 3.25], "days": [-2, 4]})
    assert exports.safe_csv(numbers).decode("utf-8-sig").splitlines()[1:] == ["-5.0,-2", "3.25,4"]


def _calls(path: Path) -> list[ast.Call]:
    return [n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Call)]


def _name(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def test_every_csv_download_in_the_app_goes_through_safe_csv():
    """The app writes no CSV of its own: no DataFrame.to_csv, and every .csv download's data is safe_csv."""
    offenders = []
    for path in APP_CODE:
        for call in _calls(path):
            if _name(call) == "to_csv":
                offenders.append(f"{path.relative_to(ROOT)}:{call.lineno} to_csv")
            if _name(call) == "download_button":
                text = ast.unparse(call)
                if ".csv" in text and "safe_csv" not in text:
                    offenders.append(f"{path.relative_to(ROOT)}:{call.lineno} {text[:80]}")
    assert offenders == []


def _literal_constants(path: Path) -> set[str]:
    """Module-level names bound to a string literal (fixed text written in the code, never from a file)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {t.id for node in tree.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
            for t in node.targets if isinstance(t, ast.Name)}


def _fixed_html(call: ast.Call, constants: set[str]) -> bool:
    """st.html of one module-level string literal (the chart-menu CSS): no data can reach it."""
    return (len(call.args) == 1 and not call.keywords and isinstance(call.args[0], ast.Name)
            and call.args[0].id in constants)


def test_no_raw_html_anywhere_in_the_app():
    """No unsafe_allow_html (with any value), components.html, or st.html of anything but a fixed string
    written in the code: text from files is never HTML."""
    offenders = []
    for path in APP_CODE:
        constants = _literal_constants(path)
        for call in _calls(path):
            keywords = {k.arg for k in call.keywords}
            if "unsafe_allow_html" in keywords or (_name(call) == "html" and not _fixed_html(call, constants)):
                offenders.append(f"{path.relative_to(ROOT)}:{call.lineno}")
        if "components.v1" in path.read_text(encoding="utf-8"):
            offenders.append(f"{path.relative_to(ROOT)}: streamlit.components")
    assert offenders == []


# ------------------------------------------------------------------ passwords


SECRET = "S3cret-Pa55word"
LOUD_CLI = """
    import logging, sys
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    for name in ("sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", "psycopg"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    from loaders.__main__ import main
    sys.exit(main(sys.argv[1:]))
"""


def run_loud(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The loaders CLI with every logger at DEBUG on stderr: what an administrator's log would hold."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(LOUD_CLI), *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


@pytest.mark.parametrize("how", ["url", "environment"])
def test_failed_connection_never_logs_the_password(tmp_path, how):
    """A database that cannot be reached, with a password in the URL or in PROCUREMENT_KPI_DB_*: the error and
    every DEBUG log line name the server, never the password."""
    url = f"postgresql+psycopg://reader:{SECRET}@127.0.0.1:1/munis"
    env = {"PROCUREMENT_KPI_DB_ERP": url} if how == "environment" else {}
    source = "erp" if how == "environment" else url
    done = run_loud("import", source, "--sql-table", "AP Checks", "--table", "payments", "--workspace",
                    str(tmp_path / "ws"), env=env)
    assert done.returncode == 2, done.stderr
    assert "cannot reach the database server" in done.stderr or "no driver installed" in done.stderr
    assert SECRET not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    catalogue = tmp_path / "ws" / "catalogue.sqlite"
    assert not catalogue.exists() or SECRET.encode() not in catalogue.read_bytes()


def test_app_log_never_holds_a_typed_password(workspace_dir, tmp_path, monkeypatch, caplog):
    """The Data page's database section with a typed password that fails: nothing logged carries it."""
    import logging

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from storage import Workspace
    from ui.database import URL_CHOICE

    monkeypatch.setattr("sample_data.ensure_sample", lambda ws: False)
    monkeypatch.chdir(tmp_path)
    Workspace(workspace_dir).set_settings(office_name="Testville Purchasing")
    st.cache_data.clear()
    st.cache_resource.clear()
    caplog.set_level(logging.DEBUG)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("app_pages/data.py").run()
    at.selectbox(key="db-choice").set_value(URL_CHOICE).run()
    at.text_input(key="db-url").input("postgresql+psycopg://reader@127.0.0.1:1/erp").run()
    at.text_input(key="db-password").input(SECRET).run()
    at.button(key="db-connect").click().run()
    assert not at.exception, at.exception
    assert at.error, "the failed connection is reported"
    logged = "\n".join(r.getMessage() + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "")
                       for r in caplog.records)
    assert SECRET not in logged
    assert SECRET.encode() not in (workspace_dir / "catalogue.sqlite").read_bytes()


def test_injection_in_a_table_name_from_the_command_line_changes_nothing(tmp_path, capsys):
    """A table name carrying SQL is looked up among the database's own names, never run: exit 2, table intact."""
    import sqlalchemy as sa

    from loaders.__main__ import main

    url = f"sqlite:///{tmp_path / 'erp.sqlite'}"
    pd.DataFrame({"Check No": ["1"], "Amount": [5.0]}).to_sql("AP Checks", sa.create_engine(url), index=False)
    for name in ['AP Checks"; DROP TABLE "AP Checks"; --', "x' OR '1'='1", "AP Checks; DELETE FROM \"AP Checks\""]:
        assert main(["inspect", url, "--sql-table", name]) == 2
        err = capsys.readouterr().err
        assert "no table or view named" in err and err.count("\n") == 1
    assert len(pd.read_sql_table("AP Checks", sa.create_engine(url))) == 1
