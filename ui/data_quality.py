"""What the workspace holds: tables and row counts, what is missing, and the data-quality KPIs and issues."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpi.tables import inventory
from ui import data, filters
from ui.charts import csv_button
from ui.format import md_escape
from ui.notices import EXPORT_FOR_TABLE
from ui.tables import show_records, show_table


def table_inventory(tables) -> pd.DataFrame:
    """One row per canonical table (kpi.tables.inventory, from frames or a kpi.sql Source): rows held, columns
    with data, and the export that fills it."""
    inv = inventory(tables)
    return pd.DataFrame({
        "table": inv["table"],
        "rows": inv["rows"],
        "columns with data": [f"{f} of {c}" for f, c in zip(inv["filled"], inv["columns"], strict=True)],
        "status": ["loaded" if n else "missing" for n in inv["rows"]],
        "where it comes from": [EXPORT_FOR_TABLE.get(t, "") for t in inv["table"]],
    })


def tables_section() -> None:
    """The canonical tables where the KPIs are computed: the workspace's, or the office's database (then the
    workspace's too, in an expander: they are what imports change, used while the database cannot be reached)."""
    state = data.kpi_source_state()
    in_database = state is not None and state.source is not None
    st.subheader("Tables in the database" if in_database else "Tables in the workspace")
    if in_database:
        st.caption(f"The KPIs are computed in {md_escape(state.display)}: these are its tables. Files imported on "
                   "this page go to the workspace (below), which the KPIs use only while the database cannot be "
                   "reached.")
    inventory_frame = table_inventory(data.source())
    show_table(inventory_frame, key="inventory")
    missing = inventory_frame.loc[inventory_frame["rows"] == 0, "table"].tolist()
    if missing:
        st.caption("Missing tables leave their KPIs without data; each page says which export fills them.")
    if in_database:
        with st.expander("Tables in the workspace"):
            show_table(table_inventory(data.workspace_source()), key="inventory-workspace")


def quality_section() -> None:
    from ui.kpi_view import kpi_section

    st.subheader("Data quality")
    issues = data.workspace().issues()
    state = data.kpi_source_state()
    where = " into the workspace" if state is not None and state.source is not None else ""
    if isinstance(issues, pd.DataFrame) and len(issues):
        summary = issues_summary(issues)
        st.caption(f"{len(issues):,} values or rows were excluded or flagged at import{where}, by source and "
                   "problem.")
        show_records(summary, key="issue-summary", drop=())
        csv_button(issues, "import_issues", key="issues-csv", label="Download every issue (CSV)")
    else:
        st.caption(f"No problems were recorded at import{where}.")
    import kpi

    for kpi_id in [k.id for k in kpi.KPIS.values() if str(k.theme).lower() == "data quality"]:
        kpi_section(kpi_id, filters.current())


def issues_summary(issues: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("source", "sheet", "problem") if c in issues.columns]
    if not keys:
        return pd.DataFrame({"issues": [len(issues)]})
    return (issues.groupby(keys, dropna=False).size().reset_index(name="rows")
            .sort_values("rows", ascending=False, kind="stable"))
