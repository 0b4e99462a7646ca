"""What the workspace holds: tables and row counts, what is missing, and the data-quality KPIs and issues."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from loaders.schema import TABLES
from ui import data, filters
from ui.charts import csv_button
from ui.notices import EXPORT_FOR_TABLE
from ui.tables import show_records, show_table


def table_inventory(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per canonical table: rows held, required columns filled, and the export that fills it."""
    rows = []
    for name, spec in TABLES.items():
        frame = frames.get(name)
        held = 0 if frame is None else len(frame)
        present = [] if frame is None else [c for c in spec.names if c in frame.columns and frame[c].notna().any()]
        rows.append({
            "table": name,
            "rows": held,
            "columns with data": f"{len(present)} of {len(spec.names)}",
            "status": "loaded" if held else "missing",
            "where it comes from": EXPORT_FOR_TABLE.get(name, ""),
        })
    return pd.DataFrame(rows)


def tables_section() -> None:
    st.subheader("Tables in the workspace")
    inventory = table_inventory(data.tables())
    show_table(inventory, key="inventory")
    missing = inventory.loc[inventory["rows"] == 0, "table"].tolist()
    if missing:
        st.caption("Missing tables leave their KPIs without data; each page says which export fills them.")


def quality_section() -> None:
    from ui.kpi_view import kpi_section

    st.subheader("Data quality")
    issues = data.workspace().issues()
    if isinstance(issues, pd.DataFrame) and len(issues):
        summary = issues_summary(issues)
        st.caption(f"{len(issues):,} values or rows were excluded or flagged at import, by source and problem.")
        show_records(summary, key="issue-summary", drop=())
        csv_button(issues, "import_issues", key="issues-csv", label="Download every issue (CSV)")
    else:
        st.caption("No problems were recorded at import.")
    import kpi

    for kpi_id in [k.id for k in kpi.KPIS.values() if str(k.theme).lower() == "data quality"]:
        kpi_section(kpi_id, filters.current())


def issues_summary(issues: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("source", "sheet", "problem") if c in issues.columns]
    if not keys:
        return pd.DataFrame({"issues": [len(issues)]})
    return (issues.groupby(keys, dropna=False).size().reset_index(name="rows")
            .sort_values("rows", ascending=False, kind="stable"))
