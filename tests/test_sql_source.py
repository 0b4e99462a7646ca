"""Database sources on the files' path: typed values, recorded source, named sources, the command line."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from loaders import LoadError
from loaders import sql as sqlmod
from loaders.__main__ import main
from loaders.api import import_sql, inspect_sql
from loaders.sql_source import (
    SavedSource,
    delete_source,
    get_source,
    refresh_source,
    save_source,
    saved_sources,
)
from storage.workspace import Workspace, WorkspaceError
from tests.conftest import require


def columns() -> list[sa.Column]:
    """A typed check register: the types a reporting database would use, and ids that must stay text."""
    return [
        sa.Column("Check No", sa.Text), sa.Column("Check Date", sa.Date), sa.Column("Vendor No", sa.Integer),
        sa.Column("Vendor Name", sa.Text), sa.Column("Check Amount", sa.Numeric(14, 2)),
        sa.Column("Date Received", sa.DateTime), sa.Column("Voided", sa.Boolean),
    ]


ROWS = [
    {"Check No": "0001", "Check Date": dt.date(2025, 7, 1), "Vendor No": 10001, "Vendor Name": "Acme Paving",
     "Check Amount": Decimal("1200.10"), "Date Received": dt.datetime(2025, 6, 20, 9, 30), "Voided": False},
    {"Check No": "0002", "Check Date": dt.date(2025, 8, 15), "Vendor No": 10002, "Vendor Name": "Blue Heron LLC",
     "Check Amount": Decimal("-35.05"), "Date Received": None, "Voided": True},
    {"Check No": "0003", "Check Date": None, "Vendor No": None, "Vendor Name": "No Date Co",
     "Check Amount": Decimal("99.99"), "Date Received": dt.datetime(2025, 9, 1), "Voided": None},
]


def make_register(url: str, name: str) -> str:
    engine = sa.create_engine(url)
    table = sa.Table(name, sa.MetaData(), *columns())
    with engine.begin() as conn:
        table.drop(conn, checkfirst=True)
        table.create(conn)
        conn.execute(sa.insert(table), ROWS)
    engine.dispose()
    return name


@pytest.fixture
def sqlite_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'erp.sqlite'}"
    make_register(url, "AP Check Register")
    return url


@pytest.fixture(scope="module")
def postgres_url():
    url = os.environ.get("TEST_POSTGRES_URL")
    require(bool(url), "TEST_POSTGRES_URL is not set (scripts/pg-throwaway start prints one)")
    return url


@pytest.fixture
def pg_db(postgres_url):
    """The typed register in PostgreSQL under a name of its own (parallel workers never collide)."""
    name = make_register(postgres_url, f"AP Check Register {uuid.uuid4().hex[:8]}")
    yield postgres_url, name
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        sa.Table(name, sa.MetaData()).drop(conn, checkfirst=True)
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def typed_db(request, tmp_path):
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_db"), "AP Check Register"
    return request.getfixturevalue("pg_db")


def test_typed_values_coerce_like_a_file(typed_db):
    """DATE, TIMESTAMP, NUMERIC, INTEGER and BOOLEAN columns land typed; '0001' stays '0001'."""
    url, name = typed_db
    [part] = inspect_sql(url, sql_table=name.lower())  # a different case still finds the table
    assert part.table == "payments" and part.sheet == name
    frame = part.frame
    assert frame["payment_id"].tolist() == ["0001", "0002"]  # the row with no date is excluded
    assert frame["payment_date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-07-01", "2025-08-15"]
    assert frame["vendor_id"].tolist() == ["10001", "10002"]
    assert frame["amount"].tolist() == [1200.10, -35.05]
    assert frame["invoice_received_date"].dt.strftime("%Y-%m-%d").fillna("").tolist() == ["2025-06-20", ""]
    assert part.rows_read == 3 and part.rows_loaded == 2 and part.rows_excluded == 1
    assert part.excluded_rows()["reason"].str.contains("payment_date").all()
    assert "kpi-test-pw" not in part.path and ":***@" not in part.path  # the password-free URL


def test_import_records_password_free_url_and_table_and_replaces(tmp_path, sqlite_db):
    """The source is the URL (no password) and the sheet the table's own name; a re-import replaces."""
    ws = Workspace(tmp_path / "ws")
    first = import_sql(sqlite_db, ws, sql_table="ap check register", table="payments")
    second = import_sql(sqlite_db, ws, sql_table="AP Check Register", table="payments")
    history = ws.imports()
    assert list(history["status"]) == ["replaced", "current"]
    assert history["source"].iloc[-1] == sqlite_db and history["sheet"].iloc[-1] == "AP Check Register"
    assert first[0].import_id != second[0].import_id
    assert len(ws.table("payments")) == 2
    assert len(history["checksum"].iloc[-1]) == 64


def test_query_with_date_bounds_and_quoted_identifiers(sqlite_db):
    """A SELECT naming quoted columns such as "Date Received" runs; date bounds are bound parameters."""
    query = 'SELECT "Check No", "Check Date", "Check Amount", "Date Received" FROM "AP Check Register"'
    [part] = inspect_sql(sqlite_db, sql_query=query, table="payments", date_column="Check Date",
                         date_from=dt.date(2025, 8, 1))
    assert part.frame["payment_id"].tolist() == ["0002"]
    assert part.sheet == query
    # Words in quoted names are names: "Update Date" or "Set Aside" are not statements.
    assert sqlmod.check_select('SELECT "Update Date", "Set Aside" FROM t') .startswith("SELECT")
    with pytest.raises(LoadError, match="UPDATE is not allowed"):
        sqlmod.check_select('SELECT 1 FROM t WHERE 1 = (UPDATE t SET x = 1)')


def test_progress_reports_rows_read(sqlite_db):
    seen = []
    inspect_sql(sqlite_db, sql_table="AP Check Register", progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (3, 3)


@pytest.mark.parametrize("kwargs, message", [
    ({}, "either a table"),
    ({"sql_table": "a", "sql_query": "SELECT 1"}, "not both"),
    ({"sql_table": "Missing Table"}, "no table or view named 'Missing Table'"),
    ({"sql_table": 'AP Check Register"; DROP TABLE "AP Check Register"; --'}, "no table or view named"),
    ({"sql_query": "DROP TABLE \"AP Check Register\""}, "not a SELECT"),
    ({"sql_table": "AP Check Register", "table": "nonsense"}, "unknown table"),
])
def test_bad_requests_are_one_line_load_errors(sqlite_db, kwargs, message):
    with pytest.raises(LoadError, match=message) as caught:
        inspect_sql(sqlite_db, **kwargs)
    assert "\n" not in str(caught.value)
    assert sqlmod.list_tables(sqlmod.connect(sqlmod.resolve(sqlite_db))) == ["AP Check Register"]


def test_configured_connection_by_name(sqlite_db, monkeypatch, tmp_path):
    """A PROCUREMENT_KPI_DB_* variable names a connection; the recorded source is still its URL."""
    monkeypatch.setenv("PROCUREMENT_KPI_DB_ERP", sqlite_db)
    [part] = inspect_sql("erp", sql_table="AP Check Register")
    assert part.path == sqlite_db and part.rows_loaded == 2


# ---------------------------------------------------------------------------------------------
# Named sources


def test_named_source_saved_without_password_and_refreshed(tmp_path, sqlite_db):
    """A saved source keeps no password; refreshing it replaces its rows with the database's current ones."""
    ws = Workspace(tmp_path / "ws")
    saved = save_source(ws, SavedSource("Checks", sqlite_db, "payments", sql_table="AP Check Register",
                                        mapping={"Check No": "payment_id"}))
    assert [s.name for s in saved_sources(ws)] == ["Checks"] and saved.mapping == {"Check No": "payment_id"}
    refresh_source(ws, "Checks")
    assert len(ws.table("payments")) == 2
    engine = sa.create_engine(sqlite_db)
    with engine.begin() as conn:
        conn.exec_driver_sql("""INSERT INTO "AP Check Register" ("Check No", "Check Date", "Check Amount")
                                VALUES ('0004', '2025-10-01', 5.00)""")
    engine.dispose()
    refresh_source(ws, "Checks")
    history = ws.imports()
    assert list(history["status"]) == ["replaced", "current"]
    assert sorted(ws.table("payments")["payment_id"]) == ["0001", "0002", "0004"]
    delete_source(ws, "Checks")
    assert saved_sources(ws) == [] and len(ws.table("payments")) == 3  # forgetting keeps the rows
    with pytest.raises(LoadError, match="no saved source named"):
        get_source(ws, "Checks")


def test_saved_source_drops_a_typed_password(tmp_path, monkeypatch):
    """A URL typed with its password is saved without it, or as the configured connection it matches."""
    ws = Workspace(tmp_path / "ws")
    url = "postgresql+psycopg://reader:hunter2@db.example:5432/munis"
    saved = save_source(ws, SavedSource("Munis AP", url, "payments", sql_table="ap_checks"))
    assert saved.connection == "postgresql+psycopg://reader@db.example:5432/munis" and saved.needs_password()
    monkeypatch.setenv("PROCUREMENT_KPI_DB_MUNIS", url)
    assert save_source(ws, SavedSource("Munis AP", url, "payments", sql_table="ap_checks")).connection == "munis"
    assert "hunter2" not in json.dumps(ws.sources())
    assert "hunter2" not in (ws.path / "catalogue.sqlite").read_bytes().decode("latin-1")
    with pytest.raises(WorkspaceError, match="never holds a password"):
        ws.save_source("raw", {"connection": url, "table": "payments"})
    with pytest.raises(WorkspaceError, match="never holds a password"):
        ws.save_source("raw", {"connection": "munis", "password": "hunter2"})


@pytest.mark.parametrize("source, message", [
    (SavedSource("", "sqlite:///x.db", "payments", sql_table="t"), "cannot name a source"),
    (SavedSource("A", "sqlite:///x.db", "payments"), "either a table"),
    (SavedSource("A", "sqlite:///x.db", "nonsense", sql_table="t"), "unknown table"),
    (SavedSource("A", "sqlite:///x.db", "payments", sql_query="DELETE FROM t"), "not a SELECT"),
    (SavedSource("A", "nosuchconnection", "payments", sql_table="t"), "no database connection named"),
])
def test_saving_a_bad_source_says_why(tmp_path, source, message):
    with pytest.raises(LoadError, match=message):
        save_source(Workspace(tmp_path / "ws"), source)


# ---------------------------------------------------------------------------------------------
# Command line (in process: the same main() as `python -m loaders`)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_inspect_json_and_import(sqlite_db, tmp_path, capsys):
    """inspect --json prints the files' JSON with the URL as path; import reports rows and exits 0."""
    code, out, err = run(capsys, "inspect", sqlite_db, "--sql-table", "AP Check Register", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["path"] == sqlite_db
    assert report["parts"][0]["table"] == "payments" and report["parts"][0]["rows_loaded"] == 2
    assert set(report["parts"][0]) >= {"sheet", "confidence", "mapping", "issue_counts", "amount_totals"}
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"Check No": "payment_id", "Check Date": "payment_date", "Check Amount": "amount"}))
    code, out, err = run(capsys, "import", sqlite_db, "--sql-table", "ap check register", "--table", "payments",
                         "--mapping", str(mapping), "--workspace", str(tmp_path / "ws"))
    assert code == 0, err
    assert "imported table 'AP Check Register' as payments: 2 rows loaded, 1 excluded of 3 read" in out
    code, out, err = run(capsys, "inspect", sqlite_db, "--sql-query", 'SELECT * FROM "AP Check Register"')
    assert code == 0 and "query 'SELECT" in out


def test_cli_refresh_a_saved_source(sqlite_db, tmp_path, capsys):
    ws = Workspace(tmp_path / "ws")
    save_source(ws, SavedSource("Checks", sqlite_db, "payments", sql_table="AP Check Register"))
    code, out, err = run(capsys, "refresh", "Checks", "--workspace", str(ws.path))
    assert code == 0, err
    assert "2 rows loaded" in out
    code, out, err = run(capsys, "refresh", "Nope", "--workspace", str(ws.path))
    assert code == 2 and "no saved source named 'Nope'" in err


@pytest.mark.parametrize("argv, message", [
    (["inspect", "{url}"], "needs --sql-table NAME or --sql-query"),
    (["inspect", "{url}", "--sql-table", "No Such Table"], "no table or view named 'No Such Table'"),
    (["inspect", "{url}", "--sql-table", "x' OR '1'='1"], "no table or view named"),
    (["inspect", "{url}", "--sql-query", "UPDATE t SET a = 1"], "not a SELECT"),
    (["inspect", "{url}", "--sql-table", "a", "--sql-query", "SELECT 1"], "not allowed with"),
    (["inspect", "{url}", "--sql-table", "AP Check Register", "--sheet", "x"], "--sheet is for workbooks"),
    (["inspect", "{url}", "--sql-table", "AP Check Register", "--date-from", "2025-01-01"], "need --date-column"),
    (["inspect", "{url}", "--sql-table", "AP Check Register", "--date-column", "Check Date",
      "--date-from", "July"], "is not a date"),
    (["inspect", "not a url://", "--sql-table", "t"], "not a valid database URL"),
    (["inspect", "sqlite:///{tmp}/missing.sqlite", "--sql-table", "t"], "no SQLite database"),
    (["inspect", "mysql+nosuchdriver://u:hunter2@localhost/db", "--sql-table", "t"], "no driver installed"),
    (["inspect", "nosuchconnection", "--sql-table", "t"], "no database connection named"),
    (["import", "{url}", "--sql-query", "SELECT 1 AS x", "--table", "payments", "--workspace", "{tmp}/ws"],
     "nothing could be imported as payments"),
])
def test_cli_bad_input_exits_2_with_one_line(sqlite_db, tmp_path, capsys, argv, message):
    argv = [a.replace("{url}", sqlite_db).replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    assert message in err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
    assert "hunter2" not in err


def test_cli_postgres_errors_never_show_the_password(postgres_url, capsys):
    """Wrong password, unreachable host, missing table: exit 2, what failed, no password."""
    url = sa.engine.make_url(postgres_url)
    wrong = url.set(password="Wr0ng-Secret").render_as_string(hide_password=False)
    unreachable = url.set(port=1).render_as_string(hide_password=False)
    cases = [
        ([wrong, "--sql-table", "t"], "authentication failed for user"),
        ([unreachable, "--sql-table", "t"], "cannot reach the database server"),
        ([postgres_url, "--sql-table", "No Such Table"], "no table or view named 'No Such Table'"),
        ([postgres_url, "--sql-table", 'x"; DROP TABLE pg_class; --'], "no table or view named"),
        ([sqlmod.password_free(url), "--sql-table", "t"], "a password is needed"),
    ]
    for argv, message in cases:
        code, out, err = run(capsys, "inspect", *argv)
        assert code == 2 and message in err, err
        assert "Wr0ng-Secret" not in err and str(url.password) not in err
        assert err.count("\n") == 1


def test_sources_in_a_catalogue_from_before_named_sources(tmp_path):
    """A workspace whose catalogue has no sources table lists none and saves the first one."""
    ws = Workspace(tmp_path / "ws")
    engine = sa.create_engine(f"sqlite:///{ws.path / 'catalogue.sqlite'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE sources")
    engine.dispose()
    assert ws.sources() == {}
    ws.save_source("Checks", {"connection": "erp", "table": "payments", "sql_table": "AP"})
    assert ws.sources() == {"Checks": {"connection": "erp", "table": "payments", "sql_table": "AP"}}
    ws.delete_source("Checks")
    assert Workspace(ws.path).sources() == {}


def test_postgres_saved_source_refreshes_with_a_typed_password(pg_db, tmp_path):
    """A PostgreSQL source is saved without its password; refreshing asks for it and replaces the rows."""
    url, name = pg_db
    ws = Workspace(tmp_path / "ws")
    saved = save_source(ws, SavedSource("PG checks", url, "payments", sql_table=name))
    assert saved.needs_password() and sa.engine.make_url(saved.connection).password is None
    with pytest.raises(LoadError, match="a password is needed"):
        refresh_source(ws, "PG checks")
    password = sa.engine.make_url(url).password
    refresh_source(ws, "PG checks", password=password)
    refresh_source(ws, "PG checks", password=password)
    history = ws.imports()
    assert list(history["status"]) == ["replaced", "current"] and history["sheet"].iloc[-1] == name
    assert len(ws.table("payments")) == 2
    for f in ws.path.rglob("*"):
        if f.is_file():
            assert password.encode() not in f.read_bytes()


def test_date_bounds_on_a_typed_date_column(typed_db):
    """ISO text or dates bound to a DATE column, for a table and for a query, on SQLite and PostgreSQL."""
    url, name = typed_db
    quoted = '"' + name + '"'
    for request in ({"sql_table": name}, {"sql_query": f"SELECT * FROM {quoted}"}):
        [part] = inspect_sql(url, **request, date_column="Check Date", date_from="2025-08-01", date_to=dt.date(2025, 12, 31))
        assert part.frame["payment_id"].tolist() == ["0002"], request
    with pytest.raises(LoadError, match="is not a date"):
        inspect_sql(url, sql_table=name, date_column="Check Date", date_from="August")


def test_postgres_table_in_another_schema(postgres_url):
    """"Schema.Table" reads a table of another schema (both names checked against the database's lists)."""
    schema = f"Munis {uuid.uuid4().hex[:6]}"
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(sa.schema.CreateSchema(schema))
        table = sa.Table("AP Checks", sa.MetaData(), *columns(), schema=schema)
        table.create(conn)
        conn.execute(sa.insert(table), ROWS)
    try:
        [part] = inspect_sql(postgres_url, sql_table=f"{schema.lower()}.ap checks", date_column="check date",
                             date_from="2025-08-01")
        assert part.sheet == f"{schema}.AP Checks" and part.frame["payment_id"].tolist() == ["0002"]
        with pytest.raises(LoadError, match="no table or view named"):
            inspect_sql(postgres_url, sql_table=f"{schema}.nope")
        with pytest.raises(LoadError, match="no table or view named"):
            inspect_sql(postgres_url, sql_table="pg_catalog.pg_authid; --")
    finally:
        with engine.begin() as conn:
            conn.execute(sa.schema.DropSchema(schema, cascade=True))
        engine.dispose()


def test_plain_postgresql_url_uses_the_installed_driver():
    """"postgresql://" (psycopg2 to SQLAlchemy) is read with psycopg when only psycopg is installed."""
    import importlib.util

    url = sqlmod.resolve("postgresql://reader@db.example/munis").url
    if importlib.util.find_spec("psycopg2") is None:
        assert url.drivername == "postgresql+psycopg"
    assert sqlmod.resolve("postgresql+psycopg://reader@db.example/munis").url.drivername == "postgresql+psycopg"
