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
from hostile_databases import failing_view
from streamlit.testing.v1 import AppTest

from loaders import sql
from storage.frames import dtypes

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


def _hand_county_workspace(folder: Path, drop_payments: tuple[str, ...] = ()):
    from kpi_golden import hand_county_tables

    from storage.workspace import Workspace

    ws = Workspace(folder)
    with ws.batch():
        for name, frame in hand_county_tables().items():
            if name == "payments":
                frame = frame[~frame["payment_id"].astype(str).isin(drop_payments)]
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


# ----------------------------------------------------------------------------- a database that fails after connecting
# Each test gets a database of its own on the test server (so that refusing connections to it disturbs no other
# test), holding Hand County without payment 40004 ($100,000): its cards differ from the workspace's.

PAGES_TO_VISIT = [p.path for p in __import__("ui.pages", fromlist=["PAGES"]).PAGES]


@pytest.fixture
def live_db(app_env, monkeypatch, tmp_path):
    """(admin connection to the server's maintenance database, URL of a fresh database, schema, the
    database's workspace) with the app configured to compute there (password in its own variable)."""
    url = os.environ.get("TEST_POSTGRES_URL")
    require(bool(url), "TEST_POSTGRES_URL is not set (scripts/pg-throwaway start prints one)")
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    from storage.publish import publish

    u = make_url(url)
    admin = psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                            dbname="postgres", autocommit=True)
    name = f"kpi_live_{uuid.uuid4().hex[:8]}"
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.errors.InsufficientPrivilege:
        admin.close()
        require(False, "the TEST_POSTGRES_URL role cannot create a database (CREATEDB, for a database of the "
                       "test's own that it can refuse connections to)")
    db_url = u.set(database=name).render_as_string(hide_password=False)
    county = _hand_county_workspace(tmp_path / "county", drop_payments=("40004",))
    publish(county, db_url, schema="kpi")
    _hand_county_workspace(app_env)
    monkeypatch.setenv(sql.KPI_SOURCE_ENV, u.set(database=name, password=None).render_as_string(hide_password=False))
    monkeypatch.setenv(sql.KPI_PASSWORD_ENV, u.password)
    monkeypatch.setenv(sql.KPI_SCHEMA_ENV, "kpi")
    try:
        yield admin, db_url, county
    finally:
        from kpi.sql import live

        live.forget()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _db_admin(db_url: str):
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(db_url)
    return psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                           dbname=u.database, autocommit=True)


def _warning(at: AppTest) -> str:
    return "\n".join(str(w.value) for w in at.warning).replace("\\", "")  # markdown escapes


def _in_database(at: AppTest) -> bool:
    return any("KPIs computed in the database" in str(c.value) for c in at.caption)


def _workspace_cards(app_env) -> list[tuple[str, str]]:
    """The Overview's cards on the workspace alone (no database configured)."""
    saved = {k: os.environ.pop(k, None) for k in ENV}
    try:
        return _cards(_overview())
    finally:
        os.environ.update({k: v for k, v in saved.items() if v is not None})


def _every_page_says(at: AppTest, *words: str) -> None:
    for page in PAGES_TO_VISIT:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        text = _warning(at)
        for w in words:
            assert w in text, (page, w, text)
        assert not _in_database(at), page
        assert os.environ[sql.KPI_PASSWORD_ENV] not in _text(at), page


def test_a_table_dropped_while_the_app_runs_is_said_on_every_page(live_db):
    """A canonical table dropped from the database between two runs: every page names the database (never its
    password) and the missing table, shows the workspace's numbers, and the database is used again once the
    table is back."""
    admin, db_url, county = live_db
    embedded = _workspace_cards(None)
    at = _overview()
    assert _in_database(at), _text(at)
    in_db = _cards(at)
    assert in_db != embedded  # the database lacks payment 40004

    with _db_admin(db_url) as db:
        db.execute("DROP TABLE kpi.payments")
    at.run()
    assert not at.exception, at.exception
    display = sql.safe_url(os.environ[sql.KPI_SOURCE_ENV]) + " (schema kpi)"
    assert f"The KPIs could not be computed in {display}: the table payments is no longer in" in _warning(at)
    assert _cards(at) == embedded  # the workspace's numbers meanwhile
    _every_page_says(at, f"could not be computed in {display}", "payments is no longer in",
                     "come from the workspace's data instead", "tried again the next time a page is opened")

    from storage.publish import publish

    publish(county, db_url, schema="kpi", tables=("payments",))
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception, at.exception
    assert _in_database(at) and not _warning(at)
    assert _cards(at) == in_db


def test_a_lost_connection_is_replaced_at_once(live_db):
    """The server ending the app's connection (a restart, an administrator) between two runs: the next run
    reconnects and shows the database's numbers, without a warning."""
    admin, db_url, _county = live_db
    at = _overview()
    in_db = _cards(at)
    assert _in_database(at)
    ended = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                          [db_url.rsplit("/", 1)[1]]).fetchall()
    assert ended and all(ok for (ok,) in ended)
    at.switch_page("app_pages/payments.py").run()
    assert not at.exception, at.exception
    assert _in_database(at) and not _warning(at)
    at.switch_page("app_pages/overview.py").run()
    assert _cards(at) == in_db


def test_a_database_that_stops_answering_keeps_filters_and_comes_back(live_db, app_env):
    """The database refusing connections (its connections ended too) between two runs, with a workspace that
    holds nothing (so neither the department nor the fiscal year chosen is among its values): the page says so,
    and the sidebar's choices stay; once the database answers again, the next run uses it, choices intact."""
    import shutil

    from storage.workspace import Workspace

    admin, db_url, _county = live_db
    shutil.rmtree(app_env)
    Workspace(app_env).set_settings(fiscal_year_start_month=10, as_of="2026-06-30")
    name = db_url.rsplit("/", 1)[1]
    at = _overview()
    at.multiselect(key="dept").select("Public Works").run()
    at.multiselect(key="fy").select(2026).run()
    assert not at.exception and _in_database(at)
    in_db = _cards(at)
    admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
    at.run()
    assert not at.exception, at.exception
    assert "could not be computed in" in _warning(at) and "cannot connect" in _warning(at), _warning(at)
    assert "tried again the next time a page is opened or changed" in _warning(at)
    assert at.multiselect(key="dept").value == ["Public Works"] and at.multiselect(key="fy").value == [2026]
    at.switch_page("app_pages/speed.py").run()
    assert not at.exception and "could not be computed in" in _warning(at)
    assert at.multiselect(key="dept").value == ["Public Works"] and at.multiselect(key="fy").value == [2026]
    admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception, at.exception
    assert _in_database(at) and not _warning(at)
    assert at.multiselect(key="dept").value == ["Public Works"] and at.multiselect(key="fy").value == [2026]
    assert _cards(at) == in_db


def test_a_query_failing_in_the_middle_of_a_page_is_said_and_held_a_minute(live_db):
    """A view that answers the per-run check (no rows asked) but fails when its rows are read (division by
    zero, as a bad cast in an ERP view would): the page starts again on the workspace's numbers and says what
    failed; the database is tried again a minute later."""
    import dataclasses

    from kpi.sql import live

    admin, db_url, _county = live_db
    embedded = _workspace_cards(None)
    with _db_admin(db_url) as db:
        for statement in failing_view("kpi", "payments", list(dtypes("payments")), "amount"):
            db.execute(statement)
    at = _overview()
    warning = _warning(at)
    assert "The KPIs could not be computed in" in warning and "a query failed: division by zero" in warning, warning
    assert "tried again in a minute" in warning
    assert _cards(at) == embedded
    at.switch_page("app_pages/payments.py").run()  # held: not tried again on this run
    assert not at.exception and "division by zero" in _warning(at)

    with _db_admin(db_url) as db:
        db.execute("DROP VIEW kpi.payments")
        db.execute("ALTER TABLE kpi.payments_base RENAME TO payments")
    setting = sql.kpi_source()
    kept = live.live(setting.url, setting.schema)
    assert kept.failure.wait == live.RETRY_SECONDS
    kept.failure = dataclasses.replace(kept.failure, retry_at=kept.failure.at)  # the minute has passed
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception, at.exception
    assert _in_database(at) and not _warning(at)
    assert _cards(at) != embedded


def test_a_table_locked_by_a_long_change_does_not_hang_the_page(live_db, monkeypatch):
    """An administrator's change holding payments locked (ACCESS EXCLUSIVE: every read waits): the per-run check
    gives up after CHECK_TIMEOUT_SECONDS, the page shows the workspace's numbers and says why, and the database
    is used again once the change is over and the minute has passed."""
    import dataclasses
    import time

    from kpi.sql import live, source

    monkeypatch.setattr(source, "CHECK_TIMEOUT_SECONDS", 1)
    admin, db_url, _county = live_db
    embedded = _workspace_cards(None)
    at = _overview()
    in_db = _cards(at)
    assert _in_database(at) and in_db != embedded
    locker = _db_admin(db_url)
    try:
        locker.execute("BEGIN")
        locker.execute("LOCK TABLE kpi.payments IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        at.run()
        took = time.monotonic() - started
        assert not at.exception, at.exception
        warning = _warning(at)
        assert "the database did not answer within 1 s (a table may be locked" in warning, warning
        assert "tried again in a minute" in warning
        assert _cards(at) == embedded and not _in_database(at)
        assert took < 30, took  # not a hung page (the check waited 1 s; the rest is the workspace's KPIs)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    setting = sql.kpi_source()
    kept = live.live(setting.url, setting.schema)
    kept.failure = dataclasses.replace(kept.failure, retry_at=kept.failure.at)  # the minute has passed
    at.run()
    assert not at.exception, at.exception
    assert _in_database(at) and not _warning(at)
    assert _cards(at) == in_db


def test_a_table_locked_after_the_check_stops_the_query_at_the_limit_and_is_said(live_db, monkeypatch):
    """A lock taken after the per-run check passed: the KPI query waiting on it is stopped at the app's query
    limit (not a page that waits for ever), the database is set aside for a minute with a plain reason, and
    the connection keeps the limit after the check's own shorter one. A server limit lower than the app's is
    kept (an administrator's limit is never loosened)."""
    import time

    import kpi
    from kpi.sql import live, source

    monkeypatch.setattr(source, "QUERY_TIMEOUT_SECONDS", 2)
    monkeypatch.setattr(live, "QUERY_TIMEOUT_SECONDS", 2)
    admin, db_url, _county = live_db
    setting = sql.kpi_source()
    kept = live.live(setting.url, setting.schema)
    src = kept.check()
    assert src is not None and src.query_timeout_ms == 2000
    src.check()  # its own 10 s limit for the check, then the query limit again
    with src.con.con.cursor() as cur:
        assert cur.execute("SHOW statement_timeout").fetchone()[0] == "2s"
    locker = _db_admin(db_url)
    try:
        locker.execute("BEGIN")
        locker.execute("LOCK TABLE kpi.payments IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        with pytest.raises(Exception) as failed:
            kpi.compute("on_time_payment_share", src, as_of="2026-06-30")
        assert time.monotonic() - started < 30
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert source.is_database_failure(failed.value)
    assert kept.fail(failed.value, src) and kept.current() is None
    assert kept.failure.message.startswith("a query ran past the time limit (2 s"), kept.failure.message
    assert kept.failure.wait == live.RETRY_SECONDS

    from sqlalchemy.engine import make_url

    name = make_url(db_url).database
    admin.execute(f'ALTER DATABASE "{name}" SET statement_timeout = 1500')
    lower = source.Source.from_url(db_url, schema="kpi")
    lower.limit_queries(300)
    assert lower.query_timeout_ms == 1500
    lower.con.disconnect()


# ----------------------------------------------------------------------------- the pages that list records


def test_contract_performance_and_data_pages_read_the_database(app_env, monkeypatch, tmp_path):
    """The contract-performance city in PostgreSQL and an empty workspace: the Contract performance page lists the
    database's key contracts, says that what is recorded stays in the workspace, and accepts a check-in for a
    contract only the database holds (saved in the workspace, offered as CSV); the Data page lists the
    database's tables beside the workspace's."""
    url = os.environ.get("TEST_POSTGRES_URL")
    require(bool(url), "TEST_POSTGRES_URL is not set (scripts/pg-throwaway start prints one)")
    import uuid

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    from test_contract_performance_cli import import_city

    from storage.publish import publish
    from storage.workspace import Workspace

    city = import_city(tmp_path, tmp_path / "city")
    schema = f"perf_{uuid.uuid4().hex[:8]}"
    publish(Workspace(city), url, schema=schema)
    Workspace(app_env).set_settings(as_of="2026-03-31")
    u = make_url(url)
    monkeypatch.setenv(sql.KPI_SOURCE_ENV, u._replace(password=None).render_as_string(hide_password=False))
    monkeypatch.setenv(sql.KPI_PASSWORD_ENV, u.password)
    monkeypatch.setenv(sql.KPI_SCHEMA_ENV, schema)
    try:
        at = _overview()
        at.switch_page("app_pages/performance.py").run()
        assert not at.exception, at.exception
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["Key contracts off track (FY2026 Q3)"] == "1 of 1"
        assert list(at.dataframe[0].value["Contract"]) == ["CTR-RESPONSE", "CTR-OPEN-ENDED"]
        info = "\n".join(str(i.value) for i in at.info).replace("\\", "")
        assert f"read from the database {sql.safe_url(url)} (schema {schema})" in info
        assert "saved in the workspace only" in info

        at.selectbox(key="checkin-contract").set_value("CTR-OPEN-ENDED")  # a contract only the database holds
        at.date_input(key="checkin-date").set_value("2026-03-15")
        at.button[[b.label for b in at.button].index("Save the check-in")].click().run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        saved = Workspace(app_env).recorded("checkins")
        assert list(saved["contract_id"]) == ["CTR-OPEN-ENDED"]
        # The database's list does not hold it: said above, and the row is offered for the database.
        row = at.dataframe[0].value.set_index("Contract").loc["CTR-OPEN-ENDED"]
        assert row["This quarter's check-in"] == "✗ Overdue"
        assert "Check-ins recorded here (CSV)" in [b.proto.label for b in at.get("download_button")]

        at.switch_page("app_pages/data.py").run()
        assert not at.exception, at.exception
        assert "Tables in the database" in [s.value for s in at.subheader]
        inventories = [d.value.set_index("table") for d in at.dataframe if "where it comes from" in d.value.columns]
        assert len(inventories) == 2, "the database's tables, then the workspace's"
        listed, workspace_listed = inventories
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            for table in ("contracts", "checkins", "metric_results"):
                held = conn.execute(sa.text(f'SELECT COUNT(*) FROM "{schema}"."{table}"')).scalar()
                assert listed.loc[table, "rows"] == held and held > 0
        assert listed.loc["payments", "rows"] == 0
        assert workspace_listed.loc["checkins", "rows"] == 1 and workspace_listed.loc["contracts", "rows"] == 0
        assert any("Files imported here are kept in the workspace" in str(i.value) for i in at.info)
    finally:
        with sa.create_engine(url).begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def test_an_upload_in_progress_survives_the_database_failing(live_db, monkeypatch):
    """A file uploaded on the Data page while the KPIs are computed in the database, then the connection ended
    by the server between the run's check and its queries (the check is skipped here to make that moment): the
    page starts again on the workspace's data with the upload as it was, recognised and ready to import."""
    from test_app_data import PAYMENTS_CSV

    from kpi.sql.source import Source

    admin, db_url, _county = live_db
    at = _overview()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception and _in_database(at)
    at.file_uploader(key="upload").upload("checks.csv", PAYMENTS_CSV, "text/csv").run()
    assert not at.exception, at.exception
    assert [s.value for s in at.selectbox if s.label == "Table"] == ["payments"]
    monkeypatch.setattr(Source, "check", lambda self: None)
    admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                  [db_url.rsplit("/", 1)[1]])
    at.multiselect(key="dept").select("Fleet").run()  # a new question for the database: its data-quality KPI
    assert not at.exception, at.exception
    assert "the connection was lost" in _warning(at) and not _in_database(at), _warning(at)
    assert "tried again in a few seconds" in _warning(at)
    assert [s.value for s in at.selectbox if s.label == "Table"] == ["payments"]
    assert at.multiselect(key="dept").value == ["Fleet"]
    import_button = [b for b in at.button if b.label.startswith("Import ")]
    assert import_button, [b.label for b in at.button]
    import_button[0].click().run()
    assert not at.exception, at.exception
    assert any("Imported 2 rows of payments" in str(s.value) for s in at.success)
