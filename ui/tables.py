"""Tables of records: dates as dates, money as dollars, shares as percentages, and a row cap for the browser."""

from __future__ import annotations

import pandas as pd
import streamlit as st

MAX_ROWS = 2_000  # shown in the browser; the CSV download has every row

SHARE_COLUMNS = {"value_share", "share", "confidence", "score"}


def column_config(frame: pd.DataFrame) -> dict:
    """Column formats chosen from the canonical naming rules (_date, _amount, amount)."""
    config: dict = {}
    for col in frame.columns:
        name = str(col)
        series = frame[col]
        if name.endswith("_at") and pd.api.types.is_datetime64_any_dtype(series):
            config[col] = st.column_config.DatetimeColumn(name, format="YYYY-MM-DD HH:mm")
        elif pd.api.types.is_datetime64_any_dtype(series):
            config[col] = st.column_config.DateColumn(name, format="YYYY-MM-DD")
        elif (name.endswith("_amount") or name == "amount") and pd.api.types.is_numeric_dtype(series):
            config[col] = st.column_config.NumberColumn(name, format="dollar")
        elif name in SHARE_COLUMNS and pd.api.types.is_numeric_dtype(series):
            config[col] = st.column_config.NumberColumn(name, format="percent")
    return config


def show_table(frame: pd.DataFrame | None, *, key: str, max_rows: int = MAX_ROWS, height="auto") -> None:
    """st.dataframe with formats; text from files is shown as plain cells, never as markdown or HTML."""
    if frame is None or len(frame) == 0:
        st.caption("No records.")
        return
    shown = _arrow_safe(frame.head(max_rows))
    st.dataframe(shown, hide_index=True, column_config=column_config(shown), key=key, height=height)
    if len(frame) > max_rows:
        st.caption(f"Showing the first {max_rows:,} of {len(frame):,} records; the CSV has them all.")


_ARROW_READY = ("string", "empty", "boolean", "integer", "floating", "mixed-integer-float", "decimal", "datetime",
                "datetime64", "date", "time")


def _arrow_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of mixed cells (a raw preview: '#REF!' next to 20.0) as text, so the browser table never
    needs Streamlit's fallback conversion (which logs a traceback for every such column)."""
    mixed = [c for c in frame.columns if frame[c].dtype == object
             and pd.api.types.infer_dtype(frame[c], skipna=True) not in _ARROW_READY]
    if not mixed:
        return frame
    out = frame.copy()
    for c in mixed:
        out[c] = out[c].map(lambda v: v if v is None or (isinstance(v, float) and v != v) else str(v)).astype("str")
    return out
