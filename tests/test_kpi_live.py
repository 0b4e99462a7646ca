"""kpi.sql.live: the app's KPI database kept across runs (checked, reconnected, set aside while it fails, retried),
with stand-in sources and a hand-turned clock; the real PostgreSQL cases are in tests/test_app_kpi_source.py."""

from __future__ import annotations

import pytest

from kpi.sql import live
from kpi.sql.source import SourceError, SourceTimeout, describe_failure, is_database_failure

URL = "postgresql+psycopg://reader:Pw-9@db.example.gov/erp"


class FakeSource:
    """A stand-in Source: its tables, and what its check raises (None: it answers)."""

    def __init__(self, tables=("payments", "contracts"), broken: BaseException | None = None):
        self.tables = dict.fromkeys(tables)
        self.broken = broken

    def check(self):
        if self.broken is not None:
            raise self.broken

    def limit_queries(self, seconds):
        self.limit = seconds


class Server:
    """What the next connection gives: a FakeSource, or the error connecting raises; counts connections."""

    def __init__(self):
        self.next = FakeSource()
        self.opened = 0
        self.now = 1000.0

    def open(self, url, *, schema=None):
        self.opened += 1
        if isinstance(self.next, BaseException):
            raise self.next
        return self.next

    def clock(self):
        return self.now


@pytest.fixture
def server():
    return Server()


def _kept(server) -> live.LiveSource:
    return live.LiveSource(URL, "kpi", open_source=server.open, clock=server.clock, wall=lambda: 0.0)


def test_a_database_that_answers_is_connected_once(server):
    kept = _kept(server)
    first = kept.check()
    assert first is server.next and kept.failure is None and kept.generation == 1
    assert kept.check() is first and kept.current() is first and server.opened == 1


def test_a_lost_connection_is_replaced_on_the_next_check(server):
    kept = _kept(server)
    old = kept.check()
    old.broken = SourceError("the connection was lost")
    server.next = FakeSource()
    assert kept.check() is server.next and kept.failure is None
    assert kept.generation == 2 and server.opened == 2


def test_a_table_that_disappears_is_a_failure_naming_it_until_it_is_back(server):
    kept = _kept(server)
    kept.check()
    server.next.broken = SourceError('relation "kpi.payments" does not exist')
    server.next = FakeSource(tables=("contracts",))
    assert kept.check() is None
    assert kept.failure.message == ("the table payments is no longer in "
                                    "postgresql+psycopg://reader:***@db.example.gov/erp schema kpi")
    assert kept.failure.wait == 0  # cheap to look again: the next run does
    server.next = FakeSource()
    assert kept.check() is server.next and kept.failure is None


def test_a_failure_mid_computation_is_held_for_a_minute(server):
    kept = _kept(server)
    src = kept.check()
    assert kept.fail(RuntimeError("psycopg.errors.DivisionByZero"), src)
    assert kept.check() is None and kept.current() is None and "DivisionByZero" in kept.failure.message
    server.now += live.RETRY_SECONDS - 1
    assert kept.check() is None and server.opened == 1
    server.now += 1
    assert kept.check() is server.next and server.opened == 2


def test_a_connection_lost_mid_computation_is_tried_again_seconds_later(server):
    """Not on the run that starts again at once (it would fail the same way while the server restarts), but on
    the next click a few seconds later."""
    import psycopg

    kept = _kept(server)
    src = kept.check()
    assert kept.fail(psycopg.errors.AdminShutdown("terminating connection due to administrator command"), src)
    assert kept.failure.wait == live.LOST_RETRY_SECONDS
    assert kept.failure.message.startswith("the connection was lost")
    assert kept.check() is None
    server.now += live.LOST_RETRY_SECONDS
    assert kept.check() is server.next and server.opened == 2


def test_a_failure_on_a_source_already_replaced_sets_nothing_aside(server):
    kept = _kept(server)
    old = kept.check()
    old.broken = SourceError("gone")
    server.next = FakeSource()
    kept.check()
    assert not kept.fail(SourceError("gone"), old)
    assert kept.failure is None and kept.current() is server.next


def test_a_slow_connection_failure_waits_a_minute_a_quick_one_does_not(server):
    kept = _kept(server)
    server.next = SourceError("cannot connect to postgresql+psycopg://reader:Pw-9@db.example.gov/erp: refused")
    assert kept.check() is None and kept.failure.wait == 0
    assert "Pw-9" not in kept.failure.message and "reader:***@" in kept.failure.message
    assert kept.check() is None and server.opened == 2  # tried again on the next run

    def slow(url, *, schema=None):
        server.now += live.SLOW_SECONDS
        raise SourceError("cannot connect: timeout expired")

    kept._open = slow
    assert kept.check() is None and kept.failure.wait == live.RETRY_SECONDS
    kept._open = server.open
    assert kept.check() is None and server.opened == 2  # held
    server.now += live.RETRY_SECONDS
    server.next = FakeSource()
    assert kept.check() is server.next


def test_a_database_that_does_not_answer_the_check_in_time_is_held_a_minute_without_reconnecting(server):
    """A table locked by a long-running change: connecting again would wait as long, so the workspace is used for
    a minute and the page says why."""
    kept = _kept(server)
    src = kept.check()
    src.broken = SourceTimeout("the database did not answer within 10 s (a table may be locked by a change in "
                               "progress, or the server too busy)")
    assert kept.check() is None and server.opened == 1
    assert kept.failure.wait == live.RETRY_SECONDS
    assert kept.failure.message.startswith("the database did not answer within 10 s")
    server.now += live.RETRY_SECONDS
    server.next = FakeSource()  # the change finished
    assert kept.check() is server.next and server.opened == 2


def test_a_database_without_canonical_tables_is_not_used(server):
    server.next = FakeSource(tables=())
    kept = _kept(server)
    assert kept.check() is None
    assert kept.failure.message.startswith("no canonical tables (solicitations, bids")


def test_a_new_connection_every_refresh_period(server):
    wall = [0.0]
    kept = live.LiveSource(URL, "kpi", open_source=server.open, clock=server.clock, wall=lambda: wall[0])
    first = kept.current()
    server.next = FakeSource()
    wall[0] = live.REFRESH_SECONDS
    assert kept.current() is server.next is not first and kept.generation == 2


def test_which_errors_are_the_database_s():
    import duckdb
    import psycopg

    assert is_database_failure(psycopg.errors.UndefinedTable("relation does not exist"))
    assert is_database_failure(duckdb.CatalogException("Table with name payments does not exist"))
    assert is_database_failure(SourceError("x")) and is_database_failure(ConnectionResetError())
    assert not is_database_failure(KeyError("amount")) and not is_database_failure(ValueError("x"))


def test_what_failed_in_one_line_without_the_password():
    import psycopg

    lost = psycopg.errors.AdminShutdown("terminating connection due to administrator command\nmore")
    assert describe_failure(lost, URL) == ("the connection was lost: terminating connection due to administrator "
                                           "command")
    query = psycopg.errors.InsufficientPrivilege("permission denied for table payments (user reader:Pw-9)")
    assert describe_failure(query, URL) == "a query failed: permission denied for table payments (user reader:***)"


def test_one_live_source_per_database():
    live.forget()
    assert live.live(URL, "kpi") is live.live(URL, "kpi")
    assert live.live(URL, "other") is not live.live(URL, "kpi")
    live.forget()


def test_the_check_names_every_column_and_reads_no_row():
    """Source.check on DuckDB: one statement asking each table for no rows by its columns; it passes while they
    are there and fails, with DuckDB's own error, once a column it found has gone."""
    import pandas as pd
    import pyarrow as pa

    from kpi.sql.source import Source

    src = Source.from_frames({"payments": pd.DataFrame({"payment_id": ["P-1"], "amount": [1.0]}),
                              "vendors": pd.DataFrame({"vendor_id": ["V-1"]})})
    src.check()
    text = src._check_sql()
    assert text.count("WHERE FALSE") == 2 and '"amount"' in text and "UNION ALL" in text
    src.con.con.register("payments", pa.table({"payment_id": ["P-1"]}))
    with pytest.raises(Exception) as failed:
        src.check()
    assert is_database_failure(failed.value) and "amount" in describe_failure(failed.value)


def test_a_deferred_download_made_while_the_database_fails_comes_from_the_workspace(monkeypatch, tmp_path):
    """A download's file is made when the button is clicked, outside the run that would fall back: the database
    failing then is set aside (the next run says why) and the file is made from the workspace's data."""
    import psycopg

    from ui import data

    db, workspace, failed = object(), object(), []

    class Kept:
        def fail(self, exc, source):
            failed.append((type(exc).__name__, source))
            return True

    monkeypatch.setenv("PROCUREMENT_KPI_WORKSPACE", str(tmp_path))
    monkeypatch.setattr(data, "kpi_source_state", lambda: data.KpiSourceState(db, "the database"))
    monkeypatch.setattr(data, "_live", lambda: (Kept(), None))
    monkeypatch.setattr(data, "_workspace_source", lambda path, ver: workspace)

    def make(source):
        if source is db:
            raise psycopg.errors.AdminShutdown("terminating connection due to administrator command")
        return b"pack from " + (b"the workspace" if source is workspace else b"?")

    assert data.on_kpi_source(make)() == b"pack from the workspace"
    assert failed == [("AdminShutdown", db)]
    assert data.on_kpi_source(lambda source: b"from the database" if source is db else b"?")() == \
        b"from the database"

    def broken(source):  # this program's own fault is not hidden behind the workspace's data
        raise KeyError("amount")

    with pytest.raises(KeyError):
        data.on_kpi_source(broken)()
