"""The sample city from its files, from SQLite and from PostgreSQL: the same canonical tables."""

from __future__ import annotations

import os
import time
import uuid

import pandas as pd
import pytest
import sqlalchemy as sa

from loaders.api import import_file, import_sql
from loaders.schema import TABLES
from sample_data import SAMPLE_FILES, SAMPLE_TABLES
from sample_data.database import DATABASE_TABLES, SAMPLE_DATABASE, read_database, sample_url, write_database
from sample_data.generate import EXPORTS, generate_city
from storage.frames import IMPORT_ID
from storage.workspace import Workspace
from tests.conftest import require

pytestmark = pytest.mark.xdist_group("sql_sample")  # one worker: the files are imported once
ORDER = [table for _file, table in SAMPLE_TABLES]  # vendors first, as the files are imported


@pytest.fixture(scope="module")
def from_files(tmp_path_factory) -> dict[str, pd.DataFrame]:
    ws = Workspace(tmp_path_factory.mktemp("files") / "ws")
    for path, table in zip(SAMPLE_FILES, ORDER, strict=True):
        assert any(r.imported for r in import_file(path, ws, table=table))
    return ws.tables()


def import_database(url: str, names: dict[str, str], folder) -> tuple[Workspace, dict[str, pd.DataFrame]]:
    ws = Workspace(folder)
    for table in ORDER:
        [result] = import_sql(url, ws, sql_table=names[table], table=table)
        assert result.imported, result.skipped
    return ws, ws.tables()


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in a stable order, without the import id (which differs between workspaces)."""
    out = frame.drop(columns=[IMPORT_ID])
    return out.sort_values(list(out.columns), kind="stable", na_position="last").reset_index(drop=True)


def assert_same_city(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for table in TABLES:
        left, right = canonical(a[table]), canonical(b[table])
        assert len(left) == len(right) > 0, table
        money = [c.name for c in TABLES[table].columns if c.kind == "money" and c.name in left]
        for col in money:
            assert round(left[col].sum(), 2) == round(right[col].sum(), 2), (table, col)
        for col in TABLES[table].required:
            assert left[col].tolist() == right[col].tolist(), (table, col)
        pd.testing.assert_frame_equal(left, right, obj=table)  # and every other column too


def test_sample_city_from_sqlite_equals_the_files(from_files, tmp_path):
    """Each reporting table of sample_city.sqlite imports to exactly what its export file gives."""
    ws, tables = import_database(sample_url(), DATABASE_TABLES, tmp_path / "ws")
    assert_same_city(from_files, tables)
    assert set(ws.imports()["sheet"]) == set(DATABASE_TABLES.values())
    assert set(ws.imports()["source"]) == {sample_url()}


def test_sample_database_is_the_generated_city_and_small(tmp_path):
    """The committed database holds the generator's city (rebuilt twice: same bytes) and stays under 5 MB."""
    city = generate_city()
    first = write_database(city, tmp_path / "a.sqlite")
    second = write_database(city, tmp_path / "b.sqlite")
    assert first.read_bytes() == second.read_bytes()
    committed, rebuilt = read_database(), read_database(first)
    for table in DATABASE_TABLES:
        pd.testing.assert_frame_equal(committed[table], rebuilt[table], obj=f"{table}: run make sample")
    assert SAMPLE_DATABASE.stat().st_size < 5 * 1024 * 1024
    headers = {e.table: [h for h, _c, _f in e.columns] for e in EXPORTS}
    assert {t: list(f.columns) for t, f in committed.items()} == headers  # the export files' own headers


# ---------------------------------------------------------------------------------------------
# PostgreSQL


@pytest.fixture(scope="module")
def postgres_city():
    """The sample database's tables copied into PostgreSQL, typed, under names unique to this run."""
    url = os.environ.get("TEST_POSTGRES_URL")
    require(bool(url), "TEST_POSTGRES_URL is not set (scripts/pg-throwaway start prints one)")
    suffix = uuid.uuid4().hex[:6]
    names = {t: f"{name} {suffix}" for t, name in DATABASE_TABLES.items()}
    source = sa.create_engine(sample_url())
    target = sa.create_engine(url)
    meta = sa.MetaData()
    try:
        with source.connect() as src, target.begin() as dst:
            for t, name in DATABASE_TABLES.items():
                table = sa.Table(name, sa.MetaData(), autoload_with=src)
                copy = sa.Table(names[t], meta, *[sa.Column(c.name, c.type) for c in table.columns])
                copy.create(dst)
                rows = [dict(r._mapping) for r in src.execute(sa.select(table))]
                dst.execute(sa.insert(copy), rows)
        yield url, names
    finally:
        with target.begin() as dst:
            meta.drop_all(dst, checkfirst=True)
        source.dispose()
        target.dispose()


def test_sample_city_from_postgres_equals_the_files(postgres_city, from_files, tmp_path):
    """Read from a real PostgreSQL (typed DATE, NUMERIC, BOOLEAN columns), the city is the files' city."""
    url, names = postgres_city
    started = time.perf_counter()
    ws, tables = import_database(url, names, tmp_path / "ws")
    elapsed = time.perf_counter() - started
    assert_same_city(from_files, tables)
    [source] = set(ws.imports()["source"])
    assert sa.engine.make_url(source).password is None and source.startswith("postgresql")
    password = sa.engine.make_url(url).password
    for f in ws.path.rglob("*"):
        if f.is_file():
            assert password.encode() not in f.read_bytes(), f"{f.name} holds the password"
    print(f"\nsample city from PostgreSQL: {sum(len(t) for t in tables.values()):,} rows in {elapsed:.2f} s")
