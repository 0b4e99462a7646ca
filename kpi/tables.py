"""A canonical table's rows, from canonical frames or fetched from a kpi.sql Source (a workspace's Parquet
files or a database), typed as the canonical tables are. For the small tables and the few columns a page
lists (key contracts' metrics and results, check-ins, evaluations, vendors), never for the KPIs, which are
computed where the tables are."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def is_source(tables) -> bool:
    return hasattr(tables, "con") and hasattr(tables, "memo")


def table_rows(tables, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame | None:
    """The rows of one canonical table (None when it is absent or empty); from a Source, `columns` only (all
    the canonical ones by default), fetched once per source."""
    if is_source(tables):
        key = ("table_rows", name, tuple(columns) if columns else None)
        hit = tables.memo.get(key)
        if hit is None:
            hit = tables.memo[key] = (_fetch(tables, name, columns),)
        f = hit[0]
    else:
        f = (tables or {}).get(name)
        f = f if isinstance(f, pd.DataFrame) else None
    return None if f is None or f.empty else f


def _fetch(src, name: str, columns: Sequence[str] | None) -> pd.DataFrame | None:
    from storage.frames import conform_column, dtypes

    from .sql.engine import fetch

    t = src.table(name)
    if t is None:
        return None
    kinds = dtypes(name)
    cols = [c for c in (columns or tuple(kinds)) if c in t.columns and c in kinds]
    f = fetch(t.select(cols))
    return pd.DataFrame({c: conform_column(f[c].rename(c), kinds[c]) for c in cols}, index=f.index)


def inventory(tables) -> pd.DataFrame:
    """One row per canonical table: table, rows, filled (how many of its canonical columns hold a value) and
    columns (how many it has). From canonical frames, or asked of a kpi.sql Source where the tables are (a count
    per table and a check per column that stops at its first value; no rows come back)."""
    from loaders.schema import TABLES

    rows = []
    for name, spec in TABLES.items():
        if is_source(tables):
            held = tables.rows(name) if tables.table(name) is not None else 0
            filled = sum(1 for c in spec.names if held and tables.has(name, c))
        else:
            frame = (tables or {}).get(name)
            held = 0 if frame is None else len(frame)
            filled = 0 if frame is None else sum(1 for c in spec.names if c in frame.columns and frame[c].notna().any())
        rows.append({"table": name, "rows": int(held), "filled": filled, "columns": len(spec.names)})
    return pd.DataFrame(rows)
