"""Database sources: table names checked and quoted, read-only SELECTs, clear errors, no passwords shown."""

import os

import pandas as pd
import pytest
import sqlalchemy as sa

from loaders import sql
from tests.conftest import require

PAYMENTS = pd.DataFrame(
    {
        "Check No": ["0001", "0002", "0003"],
        "Check Date": ["2025-01-02", "2025-02-03", "2025-03-04"],
        "Amount": [100.0, 250.5, 75.25],
    }
)


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'erp.sqlite'}"
    PAYMENTS.to_sql("AP Check Register", sa.create_engine(url), index=False)
    return url


@pytest.fixture(scope="module")
def postgres_url():
    url = os.environ.get("TEST_POSTGRES_URL")
    require(bool(url), "TEST_POSTGRES_URL is not set (scripts/pg-throwaway start prints one)")
    return url


def engine_for(url):
    return sql.connect(sql.resolve(url))


def test_table_with_spaces_and_mixed_case_is_found_case_insensitively(sqlite_url):
    """'ap check register' finds the table 'AP Check Register' and reads it whole, ids intact."""
    read = sql.read_table(engine_for(sqlite_url), "ap check register")
    assert read.name == "AP Check Register"
    assert read.frame["Check No"].tolist() == ["0001", "0002", "0003"]


def test_date_bounds_are_bound_parameters(sqlite_url):
    """Rows outside the date range are not read; progress reports rows done and the total."""
    seen = []
    read = sql.read_table(
        engine_for(sqlite_url), "AP Check Register", date_column="Check Date",
        date_from="2025-02-01", progress=lambda done, total: seen.append((done, total)),
    )
    assert read.frame["Amount"].tolist() == [250.5, 75.25]
    assert seen[-1] == (2, 2)


@pytest.mark.parametrize("name", ['AP Check Register"; DROP TABLE "AP Check Register"; --', "x' OR '1'='1"])
def test_injection_in_a_table_name_is_refused_and_changes_nothing(sqlite_url, name):
    """A table name that is not in the database's own list is refused; the table survives."""
    engine = engine_for(sqlite_url)
    with pytest.raises(sql.SourceError, match="no table or view named"):
        sql.read_table(engine, name)
    assert sql.list_tables(engine) == ["AP Check Register"]


@pytest.mark.parametrize(
    "query, problem",
    [
        ("DELETE FROM x", "must start with SELECT"),
        ("SELECT 1; DROP TABLE x", "only one statement"),
        ("WITH d AS (DELETE FROM x RETURNING *) SELECT * FROM d", "DELETE is not allowed"),
        ("", "empty"),
    ],
)
def test_only_read_only_selects_are_run(sqlite_url, query, problem):
    """Anything but a single SELECT is refused before it reaches the database."""
    with pytest.raises(sql.SourceError, match=problem):
        sql.read_query(engine_for(sqlite_url), query)


def test_select_with_bound_parameter_and_quoted_words(sqlite_url):
    """A SELECT runs with bound parameters; words inside string literals are data."""
    read = sql.read_query(
        engine_for(sqlite_url),
        "SELECT \"Check No\", 'drop table' AS note FROM \"AP Check Register\" WHERE Amount > :least",
        params={"least": 80},
    )
    assert read.frame["Check No"].tolist() == ["0001", "0002"]
    assert read.frame["note"].iloc[0] == "drop table"


def test_missing_sqlite_file_and_unknown_driver_are_named(tmp_path):
    """A missing file and a missing driver each get their own message."""
    with pytest.raises(sql.SourceError, match="no SQLite database"):
        engine_for(f"sqlite:///{tmp_path / 'missing.sqlite'}")
    with pytest.raises(sql.SourceError, match="no driver installed"):
        engine_for("mysql+nosuchdriver://u:hunter2@localhost/db")


def test_connections_from_secrets_and_environment(tmp_path, monkeypatch):
    """[connections.NAME] in secrets.toml and PROCUREMENT_KPI_DB_NAME both name a connection."""
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[connections.erp]\ndialect = "postgresql"\ndriver = "psycopg"\nhost = "db.example"\n'
        'port = 5432\ndatabase = "munis"\nusername = "reader"\npassword = "hunter2"\n'
    )
    monkeypatch.setenv("PROCUREMENT_KPI_DB_WAREHOUSE", "sqlite:///warehouse.db")
    found = sql.configured_connections(secrets)
    assert found["erp"].display == "postgresql+psycopg://reader:***@db.example:5432/munis"
    assert "hunter2" not in repr(found["erp"].display)
    assert found["warehouse"].url.database == "warehouse.db"
    assert sql.resolve("erp", secrets).url.host == "db.example"


def test_postgres_wrong_password_bad_host_missing_table(postgres_url):
    """A real PostgreSQL: authentication, unreachable host and missing table each say what failed."""
    url = sa.engine.make_url(postgres_url)
    with pytest.raises(sql.SourceError, match="authentication failed") as failed:
        engine_for(url.set(password="not-the-password").render_as_string(hide_password=False))
    assert "not-the-password" not in str(failed.value)
    with pytest.raises(sql.SourceError, match="cannot reach"):
        engine_for(url.set(port=1).render_as_string(hide_password=False))
    engine = engine_for(postgres_url)
    with pytest.raises(sql.SourceError, match="no table or view named"):
        sql.read_table(engine, "No Such Table")


def test_postgres_reads_a_mixed_case_table_read_only(postgres_url):
    """A table named with spaces and capitals reads back; SELECT ... INTO is refused."""
    engine = engine_for(postgres_url)
    PAYMENTS.to_sql("AP Check Register", engine, index=False, if_exists="replace")
    assert sql.read_table(engine, "ap check register").frame["Check No"].tolist() == ["0001", "0002", "0003"]
    with pytest.raises(sql.SourceError, match="INTO is not allowed"):
        sql.read_query(engine, 'SELECT * INTO copy FROM "AP Check Register"')
