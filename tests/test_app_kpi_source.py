"""The app computing its KPIs in a database (PROCUREMENT_KPI_SOURCE or [kpi_source] in .streamlit/secrets.toml):
the configuration read, the page naming the database (never its password), and a database that cannot be
reached said plainly while the workspace's numbers are shown.

The PostgreSQL test uses TEST_POSTGRES_URL (scripts/pg-throwaway start prints one; `.ci/run` starts one).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import require
from streamlit.testing.v1 import AppTest

from loaders import sql

pytestmark = [pytest.mark.xdist_group("app"), pytest.mark.usefixtures("fresh_streamlit_caches")]

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 300
ENV = (sql.KPI_SOURCE_ENV, sql.KPI_SCHEMA_ENV, sql.KPI_PASSWORD_ENV)


# ----------------------------------------------------------------------------- the configuration


def test_no_kpi_source_configured(tmp_path):
    assert sql.kpi_source(tmp_path / "secrets.toml", environ={}) is None
    (tmp_path / "secrets.toml").write_text('[connections.erp]\nurl = "sqlite:///erp.db"\n', encoding="utf-8")
    assert sql.kpi_source(tmp_path / "secrets.toml", environ={}) is None  # import sources are not KPI sources


def test_kpi_source_from_the_environment_with_schema_and_password(tmp_path):
    got = sql.kpi_source(tmp_path / "none.toml", environ={
        sql.KPI_SOURCE_ENV: "postgresql+psycopg://reader@db.example.gov:5432/erp", sql.KPI_SCHEMA_ENV: "kpi",
        sql.KPI_PASSWORD_ENV: "s3cret"})
    assert got.url == "postgresql+psycopg://reader:s3cret@db.example.gov:5432/erp"
    assert got.schema == "kpi"
    assert got.display == "postgresql+psycopg://reader:***@db.example.gov:5432/erp (schema kpi)"
    assert "s3cret" not in got.display and "PROCUREMENT_KPI_SOURCE" in got.origin


def test_kpi_source_from_secrets_like_a_connection(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[kpi_source]\ndialect = "postgresql"\ndriver = "psycopg"\nhost = "db.example.gov"\n'
                       'database = "erp"\nusername = "reader"\npassword = "pw-in-secrets"\nschema = "kpi"\n',
                       encoding="utf-8")
    got = sql.kpi_source(secrets, environ={})
    assert got.url == "postgresql+psycopg://reader:pw-in-secrets@db.example.gov/erp" and got.schema == "kpi"
    assert "pw-in-secrets" not in got.display and "[kpi_source]" in got.origin
    # The environment wins over the file, as for import connections.
    env = sql.kpi_source(secrets, environ={sql.KPI_SOURCE_ENV: "duckdb:///x.duckdb"})
    assert env.url == "duckdb:///x.duckdb" and env.schema is None


def test_a_bad_kpi_source_is_a_clear_error(tmp_path):
    with pytest.raises(sql.SourceError, match="PROCUREMENT_KPI_SOURCE is not a database URL"):
        sql.kpi_source(tmp_path / "none.toml", environ={sql.KPI_SOURCE_ENV: "not a url"})
    bad = tmp_path / "secrets.toml"
    bad.write_text("[kpi_source]\nschema = 'kpi'\n", encoding="utf-8")
    with pytest.raises(sql.SourceError, match=r"\[kpi_source\] is not usable: the connection needs either url"):
        sql.kpi_source(bad, environ={})


# ----------------------------------------------------------------------------- the app


@pytest.fixture
def app_env(workspace_dir, monkeypatch, tmp_path):
    """A clean environment: no KPI source, no secrets file, no sample, no remembered failure."""
    from kpi.sql import live

    for key in ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sample_data.ensure_sample", lambda ws: False)
    live.forget()
    yield workspace_dir
    live.forget()


def _hand_county_workspace(folder: Path):
    from kpi_golden import hand_county_tables

    from storage.workspace import Workspace

    ws = Workspace(folder)
    with ws.batch():
        for name, frame in hand_county_tables().items():
            if len(frame):
                ws.import_table(name, frame.drop(columns=["import_id"], errors="ignore"), source=f"{name}.csv",
                                rows_read=len(frame), rows_excluded=0, checksum=name)
    ws.set_settings(fiscal_year_start_month=10, as_of="2026-06-30", office_name="Hand County")
    return ws


def _overview() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def _text(at: AppTest) -> str:
    parts = []
    for kind in ("error", "warning", "success", "info", "markdown", "caption"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def _cards(at: AppTest) -> list[tuple[str, str]]:
    return [(m.label, m.value) for m in at.metric]


def test_an_unreachable_kpi_database_is_said_and_the_workspace_is_used(app_env, monkeypatch):
    _hand_county_workspace(app_env)
    embedded = _cards(_overview())
    assert sum(v not in ("", "—", "-") for _label, v in embedded) >= 4
    # Port 1 on this machine refuses at once; the password must never reach the page.
    monkeypatch.setenv(sql.KPI_SOURCE_ENV, "postgresql+psycopg://reader:Never-Shown-9@127.0.0.1:1/erp")
    monkeypatch.setenv(sql.KPI_SCHEMA_ENV, "kpi")
    at = _overview()
    warning = "\n".join(str(w.value) for w in at.warning).replace("\\", "")  # markdown escapes
    assert "The KPIs could not be computed in postgresql+psycopg://reader:***@127.0.0.1:1/erp (schema kpi)" \
        in warning, warning
    assert "cannot connect" in warning and "come from the workspace's data instead" in warning
    assert "Never-Shown-9" not in _text(at)
    assert _cards(at) == embedded  # the workspace's numbers, unchanged
    at.switch_page("app_pages/speed.py").run()  # said on every page
    assert not at.exception, at.exception
    assert any("could not be computed" in str(w.value) for w in at.warning)


def test_the_app_computes_in_postgresql_and_names_it(app_env, monkeypatch, tmp_path):
    url = os.environ.get("TEST_POSTGRES_URL")
    require(bool(url), "TEST_POSTGRES_URL is not set (scripts/pg-throwaway start prints one)")
    from sqlalchemy.engine import make_url

    from storage.publish import publish

    county = _hand_county_workspace(tmp_path / "county")
    publish(county, url, schema="app_kpi_source")
    # The app's own workspace holds the same data: the embedded cards are the reference.
    _hand_county_workspace(app_env)
    embedded = _cards(_overview())
    assert sum(v not in ("", "—", "-") for _label, v in embedded) >= 4

    # Now an empty workspace (goals and settings only) and the database holding the tables.
    import shutil

    from storage.workspace import Workspace

    shutil.rmtree(app_env)
    Workspace(app_env).set_settings(fiscal_year_start_month=10, as_of="2026-06-30", office_name="Hand County")
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    u = make_url(url)
    monkeypatch.setenv(sql.KPI_SOURCE_ENV, u._replace(password=None).render_as_string(hide_password=False))
    monkeypatch.setenv(sql.KPI_PASSWORD_ENV, u.password)
    monkeypatch.setenv(sql.KPI_SCHEMA_ENV, "app_kpi_source")
    at = _overview()
    captions = "\n".join(str(c.value) for c in at.caption).replace("\\", "")  # markdown escapes
    assert f"KPIs computed in the database {sql.safe_url(url)} (schema app_kpi_source)" in captions, captions
    assert u.password not in _text(at)
    assert not at.warning or not any("could not be computed" in str(w.value) for w in at.warning)
    assert _cards(at) == embedded  # the same numbers, computed in PostgreSQL
    at.switch_page("app_pages/payments.py").run()
    assert not at.exception, at.exception
    assert any("KPIs computed in the database" in str(c.value) for c in at.caption)
    # The contract lists read the database too (the workspace has no contracts).
    at.switch_page("app_pages/contracts.py").run()
    assert not at.exception, at.exception
    assert "The contract pipeline has no data yet" not in _text(at).replace("\\", "")
    assert at.dataframe, "the pipeline and the lists are shown"
