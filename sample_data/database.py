"""The sample city as a SQLite database: the ERP's reporting tables, with the export files' headers.

Built from the same generator and the same column list as the export files (`EXPORTS`), so the database
and the files hold the same records. A database has no title rows, totals rows or "$1,234.56" text:
its columns are typed as a reporting database would type them (DATE, NUMERIC(14, 2), INTEGER,
BOOLEAN, TEXT). Table and column names are the export-style ones, spaces and capitals included
("AP Check Register"."Check No."), so reading them exercises quoting.

`python -m sample_data.generate` rewrites sample_data/sample_city.sqlite with the export files;
`python -m sample_data.database [PATH]` writes only the database.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from sample_data import SAMPLE_DIR

DATABASE_FILE = "sample_city.sqlite"
SAMPLE_DATABASE = SAMPLE_DIR / DATABASE_FILE

# Canonical table -> the reporting table that holds it.
DATABASE_TABLES: dict[str, str] = {
    "vendors": "Vendor Master",
    "solicitations": "Solicitation Log",
    "bids": "Bid Tabulation",
    "contracts": "Contract Register",
    "engagements": "Market Research Log",
    "evaluations": "Vendor Evaluations",
    "payments": "AP Check Register",
    "contract_metrics": "Contract Performance Measures",
    "metric_results": "Contract Quarterly Results",
    "checkins": "Vendor Meetings",
}

# Export format -> database column type.
_TYPES = {
    "id": sa.Text, "text": sa.Text, "method": sa.Text,
    "yn": sa.Boolean, "int": sa.Integer, "score100": sa.Integer,
    "money": lambda: sa.Numeric(14, 2), "money_text": lambda: sa.Numeric(14, 2),
    "date": sa.Date, "better": sa.Text, "measure": sa.Float,
}
# Where a database would use a number for an id: check numbers are integers in most AP modules.
_INTEGER_IDS = {("payments", "Check No.")}


def sample_url(path: str | os.PathLike | None = None) -> str:
    """The SQLAlchemy URL of the sample database (absolute path)."""
    return f"sqlite:///{Path(path or SAMPLE_DATABASE).resolve()}"


def _values(frame: pd.DataFrame, column: str, fmt: str, integer_id: bool) -> list:
    """One column as the Python values a database driver takes (None for missing)."""
    from sample_data.generate import METHOD_LABELS

    s = frame[column]
    if fmt == "date":
        days = s.to_numpy(dtype="datetime64[D]")
        return [None if d is None else d for d in days.astype(object).tolist()]
    if fmt in ("money", "money_text"):
        return [None if v != v else Decimal(f"{v:.2f}") for v in s.to_numpy(dtype=float).tolist()]
    if fmt == "score100":
        return [None if v != v else round(v * 100) for v in s.to_numpy(dtype=float).tolist()]
    if fmt == "int":
        return [None if v is None else int(v) for v in s.astype(object).where(s.notna(), None).tolist()]
    if fmt == "yn":
        return [None if v is None else bool(v) for v in s.astype(object).where(s.notna(), None).tolist()]
    if fmt == "method":
        s = s.map(METHOD_LABELS)
    values = s.astype(object).where(s.notna(), None).tolist()
    return [int(v) for v in values] if integer_id else values


def write_database(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike | None = None) -> Path:
    """Write the city's tables as a SQLite reporting database (replacing the file); returns its path.

    Deterministic: the same tables give the same bytes (one build, then VACUUM into a fresh file).
    """
    from sample_data.generate import EXPORTS

    path = Path(path or SAMPLE_DATABASE)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = sa.MetaData()
    rows: dict[str, list[dict]] = {}
    for export in EXPORTS:
        name = DATABASE_TABLES[export.table]
        columns = []
        for header, _col, fmt in export.columns:
            integer_id = (export.table, header) in _INTEGER_IDS
            columns.append(sa.Column(header, sa.Integer if integer_id else _TYPES[fmt]()))
        table = sa.Table(name, meta, *columns)
        frame = tables[export.table]
        data = [_values(frame, col, fmt, (export.table, header) in _INTEGER_IDS)
                for header, col, fmt in export.columns]
        headers = [h for h, _c, _f in export.columns]
        rows[table.name] = [dict(zip(headers, r, strict=True)) for r in zip(*data, strict=True)]

    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".build-") as tmp:
        build = Path(tmp) / "build.sqlite"
        engine = sa.create_engine(f"sqlite:///{build}")
        with engine.begin() as conn:
            meta.create_all(conn)
            for table in meta.sorted_tables:
                conn.execute(sa.insert(table), rows[table.name])
        engine.dispose()
        final = Path(tmp) / "final.sqlite"
        con = sqlite3.connect(build)
        try:
            con.execute("VACUUM INTO ?", (str(final),))
        finally:
            con.close()
        os.replace(final, path)
    return path


def read_database(path: str | os.PathLike | None = None) -> dict[str, pd.DataFrame]:
    """Each reporting table of the sample database as a frame (for tests and for a look)."""
    engine = sa.create_engine(sample_url(path))
    try:
        with engine.connect() as conn:
            return {t: pd.read_sql_table(name, conn) for t, name in DATABASE_TABLES.items()}
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    from sample_data.generate import generate_city

    argv = sys.argv[1:] if argv is None else argv
    path = write_database(generate_city(), argv[0] if argv else None)
    print(f"{path.name:38} {path.stat().st_size / 1024:8.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["DATABASE_TABLES", "SAMPLE_DATABASE", "read_database", "sample_url", "write_database"]
