"""Databases that fail in the ways an office's do, for the tests of the engine's and the app's database sources.
(Not in conftest.py: tests/e2e has a conftest of its own, which `from conftest import` may find first.)"""

from __future__ import annotations


def failing_view(schema: str, table: str, columns: list[str], broken: str) -> list[str]:
    """PostgreSQL statements that put a view in place of `schema.table` (the table renamed `<table>_base`) whose
    column `broken` fails when its rows are read, as a bad cast in an ERP's view would: division by zero. The
    view answers a query that reads no rows."""
    picked = ", ".join(f"{c} / ({c} - {c}) AS {c}" if c == broken else c for c in columns)
    return [f'ALTER TABLE "{schema}".{table} RENAME TO {table}_base',
            f'CREATE VIEW "{schema}".{table} AS SELECT {picked} FROM "{schema}".{table}_base']
