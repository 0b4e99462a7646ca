"""Publishing a workspace's canonical tables to a database, so an office can move from files to its warehouse.

`python -m storage publish --workspace DIR --to URL [--schema S]` writes each canonical table the workspace
holds as a table of the same name (canonical columns, canonical types: text, double precision for money and
numbers, bigint, boolean, date) in the schema, replacing what was there, one table per transaction. The KPI
engine then computes there: `python -m kpi report --source URL --schema S`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from loaders.schema import BOOLEAN, DATE, INTEGER, MONEY, NUMBER, SCORE, TABLES

SQL_TYPES = {MONEY: sa.Float(53), NUMBER: sa.Float(53), SCORE: sa.Float(53), INTEGER: sa.BigInteger(),
             DATE: sa.Date(), BOOLEAN: sa.Boolean()}


class PublishError(RuntimeError):
    """A publish that cannot be done: the message names the table or database (never a password)."""


def column_types(table: str) -> dict[str, sa.types.TypeEngine]:
    """The SQL type of each canonical column of a table (what docs/warehouse.md lists)."""
    return {c.name: SQL_TYPES.get(c.kind, sa.Text()) for c in TABLES[table].columns}


def canonical_frame(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The canonical columns only (no import bookkeeping), dates as dates."""
    cols = [c.name for c in TABLES[table].columns if c.name in frame.columns]
    out = frame[cols].copy()
    for c in TABLES[table].columns:
        if c.name in out and c.kind == DATE:
            out[c.name] = pd.to_datetime(out[c.name], errors="coerce").dt.date
    return out


def publish(workspace, url: str, *, schema: str | None = None, tables: tuple[str, ...] | None = None,
            chunk_rows: int = 200_000, progress=None) -> dict[str, int]:
    """Write the workspace's canonical tables to the database at `url` (in `schema`); rows per table."""
    from kpi.sql.source import safe_url

    engine = sa.create_engine(url)
    written: dict[str, int] = {}
    names = [t for t in (tables or TABLES) if t in workspace.table_files()]
    try:
        with engine.connect() as conn:
            if schema:
                conn.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
                conn.commit()
        for name in names:
            frame = canonical_frame(name, workspace.table(name))
            meta = sa.MetaData(schema=schema)
            types = column_types(name)
            table = sa.Table(name, meta, *(sa.Column(c, types[c]) for c in frame.columns))
            with engine.begin() as conn:
                table.drop(conn, checkfirst=True)
                table.create(conn)
                if engine.dialect.name == "postgresql":
                    _copy_postgres(conn, table, frame, chunk_rows)
                else:
                    frame.to_sql(name, conn, schema=schema, if_exists="append", index=False, chunksize=chunk_rows)
            written[name] = len(frame)
            if progress:
                progress(name, len(frame))
    except sa.exc.SQLAlchemyError as exc:
        raise PublishError(f"cannot publish to {safe_url(url)}: {' '.join(str(exc.orig or exc).split())[:300]}") \
            from None
    finally:
        engine.dispose()
    return written


def _copy_postgres(conn, table: sa.Table, frame: pd.DataFrame, chunk_rows: int) -> None:
    """COPY the rows in (bound by the driver: values never become SQL text)."""
    raw = conn.connection.driver_connection
    ident = ".".join(f'"{p}"' for p in ([table.schema] if table.schema else []) + [table.name])
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    with raw.cursor() as cur, cur.copy(f"COPY {ident} ({cols}) FROM STDIN") as copy:
        for start in range(0, len(frame), chunk_rows):
            part = frame.iloc[start:start + chunk_rows].astype(object)
            part = part.where(part.notna(), None)
            for row in part.itertuples(index=False, name=None):
                copy.write_row(row)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage", description="workspace tools")
    sub = parser.add_subparsers(dest="command", required=True)
    pub = sub.add_parser("publish", help="write a workspace's canonical tables to a database")
    pub.add_argument("--workspace", required=True, help="workspace folder")
    pub.add_argument("--to", required=True, dest="url", help="database URL, e.g. postgresql+psycopg://user@host/db")
    pub.add_argument("--schema", help="schema to write into (created if missing)")
    args = parser.parse_args(argv)
    from storage.workspace import CATALOGUE, Workspace

    folder = Path(args.workspace)
    if not (folder / CATALOGUE).is_file():
        print(f"error: not a workspace folder (no {CATALOGUE}): {folder}", file=sys.stderr)
        return 2
    try:
        rows = publish(Workspace(folder), args.url, schema=args.schema,
                       progress=lambda t, n: print(f"{t}: {n:,} rows", flush=True))
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"published {len(rows)} tables, {sum(rows.values()):,} rows")
    return 0
