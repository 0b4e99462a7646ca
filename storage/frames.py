"""Canonical dtypes: one place that says what pandas type each schema kind is stored and returned as."""

from __future__ import annotations

import numpy as np
import pandas as pd

from loaders.schema import (
    BOOLEAN,
    CERTIFICATIONS,
    DATE,
    DIRECTION,
    ID,
    INTEGER,
    METHOD,
    MONEY,
    NUMBER,
    SCORE,
    TABLES,
    TEXT,
)

IMPORT_ID = "import_id"

# Text-like kinds are pandas' "str" dtype (missing = NaN); dates are naive datetime64[us].
KIND_DTYPES: dict[str, str] = {
    ID: "str",
    TEXT: "str",
    METHOD: "str",
    CERTIFICATIONS: "str",
    MONEY: "float64",
    NUMBER: "float64",
    SCORE: "float64",
    INTEGER: "Int64",
    DATE: "datetime64[us]",
    BOOLEAN: "boolean",
    DIRECTION: "str",
}


class ConformError(ValueError):
    """A column whose values cannot be stored as its canonical kind."""


def dtypes(table: str) -> dict[str, str]:
    """Canonical dtype of every column of a table, in schema order."""
    return {c.name: KIND_DTYPES[c.kind] for c in TABLES[table].columns}


def empty_column(dtype: str, length: int) -> pd.Series:
    """An all-missing column of the given canonical dtype."""
    if dtype == "str":
        return pd.Series(pd.array(np.full(length, np.nan, dtype=object), dtype="str"))
    if dtype == "float64":
        return pd.Series(np.full(length, np.nan))
    if dtype.startswith("datetime64"):
        return pd.Series(np.full(length, np.datetime64("NaT"), dtype=dtype))
    return pd.Series(pd.array([pd.NA] * length, dtype=dtype))


def empty_table(table: str, *, with_import_id: bool = True) -> pd.DataFrame:
    """A zero-row frame with every canonical column of the table, typed."""
    cols = {name: empty_column(dtype, 0) for name, dtype in dtypes(table).items()}
    if with_import_id:
        cols[IMPORT_ID] = pd.Series(np.zeros(0, dtype="int64"))
    return pd.DataFrame(cols)


def _to_str(s: pd.Series) -> pd.Series:
    if s.dtype == "str":
        return s
    if pd.api.types.is_float_dtype(s.dtype):
        values = s.to_numpy(dtype="float64", na_value=np.nan)
        finite = values[~np.isnan(values)]
        if len(finite) == 0 or np.all(finite == np.round(finite)):
            # Ids read as floats (12345.0) keep their integer spelling.
            return s.astype("Int64").astype("str")
    if pd.api.types.is_bool_dtype(s.dtype) or str(s.dtype) == "boolean":
        return s.astype("object").where(s.notna(), None).astype("str")
    return s.astype("str")


def _to_datetime(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    elif not pd.api.types.is_datetime64_dtype(s.dtype):
        s = pd.to_datetime(s, format="mixed")
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    return s.astype("datetime64[us]")


def conform_column(s: pd.Series, dtype: str) -> pd.Series:
    """Cast one column to its canonical dtype; raises ConformError when a value does not fit."""
    if str(s.dtype) == dtype:
        return s
    try:
        if dtype == "str":
            return _to_str(s)
        if dtype == "float64":
            if pd.api.types.is_numeric_dtype(s.dtype):
                return pd.Series(s.to_numpy(dtype="float64", na_value=np.nan), index=s.index, name=s.name)
            return pd.to_numeric(s, errors="raise").astype("float64")
        if dtype == "Int64":
            if not pd.api.types.is_numeric_dtype(s.dtype):
                s = pd.to_numeric(s, errors="raise")
            return s.astype("Int64")
        if dtype.startswith("datetime64"):
            return _to_datetime(s)
        if dtype == "boolean":
            return s.astype("boolean")
    except (TypeError, ValueError, OverflowError) as exc:
        raise ConformError(f"column {s.name!r} cannot be stored as {dtype}: {exc}") from exc
    raise ConformError(f"unknown dtype {dtype!r}")


def conform(table: str, frame: pd.DataFrame, *, import_id: int | None = None) -> pd.DataFrame:
    """The frame with exactly the table's canonical columns (missing ones empty) in schema order.

    Columns the schema does not know are dropped; `import_id` is kept (or set when given).
    Raises ConformError naming the column whose values do not fit its kind.
    """
    n = len(frame)
    out: dict[str, pd.Series] = {}
    for name, dtype in dtypes(table).items():
        if name in frame.columns:
            col = frame[name]
            if isinstance(col, pd.DataFrame):
                raise ConformError(f"column {name!r} appears more than once")
            out[name] = conform_column(col.reset_index(drop=True), dtype)
        else:
            out[name] = empty_column(dtype, n)
    if import_id is not None:
        out[IMPORT_ID] = pd.Series(np.full(n, import_id, dtype="int64"))
    elif IMPORT_ID in frame.columns:
        out[IMPORT_ID] = frame[IMPORT_ID].reset_index(drop=True).astype("int64")
    return pd.DataFrame(out)


# Text is stored trimmed of what SQL's TRIM removes as the KPI engine asks for it (kpi.sql.measures.text: space,
# tab, newline, carriage return, vertical tab, form feed), with blank text stored as missing. Each table file
# says so in its Parquet metadata, and the engine then skips trimming every value of a column on every query
# (35% of the KPIs' first computation at 10M payments). Other whitespace (a no-break space) is kept, as the
# engine keeps it.
BLANKS = " \t\n\r\x0b\x0c"
TRIMMED_KEY, TRIMMED = b"procurement_kpi.text", b"trimmed"


def trimmed_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with each text column trimmed of BLANKS and blank text missing (other columns as they are)."""
    out = {}
    for name in frame.columns:
        s = frame[name]
        if s.dtype == "str":
            s = s.str.strip(BLANKS)
            s = s.mask(s == "")
        out[name] = s
    return pd.DataFrame(out, index=frame.index)
