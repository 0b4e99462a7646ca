"""Tables of records: dates as dates, money as dollars, shares as percentages, and a row cap for the browser."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from loaders.labels import friendly_columns

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


def _fmt_flag(v) -> str:
    return "" if _blank(v) else ("Yes" if bool(v) else "No")


def _fmt_date(v) -> str:
    return "" if _blank(v) else f"{pd.Timestamp(v):%Y-%m-%d}"


def _fmt_text(v) -> str:
    return "" if _blank(v) else str(v)


def _fmt_money(v) -> str:
    return "" if _blank(v) else f"${v:,.2f}".replace("$-", "-$")


def _fmt_share(v) -> str:
    return "" if _blank(v) else f"{v:.1%}"


def _fmt_code(v) -> str:
    return "" if _blank(v) else f"{v:.0f}"


def _fmt_number(v) -> str:
    return "" if _blank(v) else f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def display_formats(frame: pd.DataFrame) -> dict:
    """A formatter per column of a canonical frame: dates as dates, money as dollars, shares as percentages,
    yes/no for flags; a blank for a missing value (never 'None')."""
    formats: dict = {}
    for col in frame.columns:
        name, series = str(col), frame[col]
        if pd.api.types.is_bool_dtype(series) or name.startswith(("is_", "has_")) or name == "counted":
            formats[col] = _fmt_flag
        elif pd.api.types.is_datetime64_any_dtype(series):
            formats[col] = _fmt_date
        elif not pd.api.types.is_numeric_dtype(series):
            formats[col] = _fmt_text
        elif name.endswith("_amount") or name in ("amount", "paid", "overspent_by"):
            formats[col] = _fmt_money
        elif name in SHARE_COLUMNS:
            formats[col] = _fmt_share
        elif name.endswith("_id"):
            formats[col] = _fmt_code
        else:
            formats[col] = _fmt_number
    return formats


def _blank(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def records_view(frame: pd.DataFrame, *, drop=("period_label", "import_id")) -> tuple[pd.DataFrame, dict]:
    """Drill-down records for a person: plain column names, plain exclusion reasons, blanks left blank.

    Returns the frame to show and its column_config. Vectorised (a Styler took seconds per 2,000 rows): text,
    dates, flags and numbers with gaps become display text with '' for a gap; complete numbers stay numbers
    (sortable) with a format."""
    shown = frame.drop(columns=[c for c in drop if c in frame.columns])
    shown = _arrow_safe(shown[_measure_first(list(shown.columns))])
    formats = display_formats(shown)
    out: dict = {}
    config: dict = {}
    for col in shown.columns:
        series, fmt = shown[col], formats[col]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if numeric and series.notna().all() and fmt in (_fmt_money, _fmt_share, _fmt_number):
            out[col] = series
            kind = {_fmt_money: "dollar", _fmt_share: "percent"}.get(fmt, "localized")
            config[col] = kind
        elif pd.api.types.is_datetime64_any_dtype(series):
            out[col] = series.dt.strftime("%Y-%m-%d").fillna("")
        elif fmt is _fmt_text:
            out[col] = series.astype("str").where(series.notna(), "")
        else:
            out[col] = series.map(fmt).astype("str")
    view = friendly_columns(pd.DataFrame(out, index=shown.index))
    labels = dict(zip(shown.columns, view.columns, strict=True))
    column_config = {labels[c]: st.column_config.NumberColumn(labels[c], format=f) for c, f in config.items()}
    return view, column_config


# What the KPI measured on each record (days late, bids, amount overspent) reads best right after its id.
MEASURE_FIRST = ("days", "duration_days", "bids", "days_completed_after_due", "overspent_by")


def _measure_first(columns: list) -> list:
    """Columns with the reason (if any) and the record's id first, then its measure, then the rest."""
    lead = [c for c in ("reason", "action") if c in columns]
    ident = [c for c in columns if str(c).endswith("_id") and c not in lead][:1]
    measure = [c for c in MEASURE_FIRST if c in columns]
    first = lead + ident + measure
    return first + [c for c in columns if c not in first]


def show_records(frame: pd.DataFrame | None, *, key: str, max_rows: int = MAX_ROWS, total: int | None = None,
                 drop=("period_label", "import_id")) -> None:
    """A table of KPI records (see records_view), at most `max_rows` of them in the browser; `total` counts
    the records when `frame` holds only the first of them."""
    if frame is None or len(frame) == 0:
        st.caption("No records.")
        return
    total = len(frame) if total is None else total
    view, config = records_view(frame.head(max_rows), drop=drop)
    st.dataframe(view, hide_index=True, key=key, column_config=config)
    if total > max_rows:
        st.caption(f"Showing the first {max_rows:,} of {total:,} records; the CSV has them all.")


def show_listed(records, *, key: str, file_stem: str, csv_key: str | None = None,
                drop=("period_label", "import_id")) -> None:
    """A kpi.Records list: counted by the engine, its first MAX_ROWS rows shown, and a CSV of every row
    fetched only when its button is pressed."""
    from ui.charts import csv_button

    show_records(records.head(MAX_ROWS), total=records.count, key=key, drop=drop)
    if records.count:
        csv_button(lambda: export_frame(records.frame()), file_stem, key=csv_key or f"{key}-csv")


def export_frame(frame: pd.DataFrame, *, drop=("import_id",)) -> pd.DataFrame:
    """Records for a CSV download: plain column names and reasons, values as they are."""
    return friendly_columns(frame.drop(columns=[c for c in drop if c in frame.columns]))


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
