"""The Overview's dollars: spend, awards and the dollar-weighted KPIs' amounts for the period, the value of
expiring contracts, and where the money went (kpi.dollars computes; this module caches and draws)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpi import dollars
from kpi.format import format_change, format_date, format_money
from ui import data
from ui.format import md_escape

PER_ROW = 5


@st.cache_data(max_entries=32, show_spinner=False)
def _figures(path, ver, period, filters, fy_start, as_of_):
    tables = data._source(path, ver)
    return (dollars.kpi_dollars(tables, period, filters)
            + dollars.pipeline_dollars(tables, as_of_, filters, fy_start))


@st.cache_data(max_entries=32, show_spinner=False)
def _spend_by(path, ver, period, filters, by):
    return dollars.spend_by(data._source(path, ver), period, by, filters)


def figures(view) -> list[dollars.DollarFigure]:
    if view.period is None:
        return []
    return _figures(data.workspace_path(), data.version(), view.period, view.filters, data.fy_start_month(),
                    data.as_of())


def dollar_row(view) -> None:
    """The period's dollars as metrics, each beside its comparison."""
    figs = figures(view)
    if not figs:
        return
    st.subheader(f"Dollars · {md_escape(view.period.label)}")
    st.caption(f"Changes against {md_escape(view.period.comparison_label)}; contracts as of {md_escape(format_date(data.as_of()))}.")
    for start in range(0, len(figs), PER_ROW):
        for col, f in zip(st.columns(PER_ROW), figs[start:start + PER_ROW], strict=False):
            change = format_change(f.amount, f.comparison, "dollars")
            with col.container(key=f"dollars-{f.key}"):
                st.metric(f.label, format_money(f.amount), delta=change, delta_color="off")
                if f.note:
                    st.caption(md_escape(f.note))


def _table(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    return pd.DataFrame({
        what: frame["name"],
        "Spend": [format_money(v) for v in frame["amount"]],
        "Share of spend": [f"{v:.1%}" for v in frame["share"]],
        "Payments": frame["payments"].astype(int),
    })


def where_the_money_went(view) -> None:
    """Spend of the period by department and its ten largest vendors."""
    if view.period is None:
        return
    path, ver = data.workspace_path(), data.version()
    by_dept = _spend_by(path, ver, view.period, view.filters, "department")
    if by_dept.empty:
        return
    st.subheader("Where the money went")
    left, right = st.columns(2)
    with left:
        st.markdown("**Spend by department**")
        st.dataframe(_table(by_dept, "Department"), hide_index=True, key="spend-by-department")
    with right:
        st.markdown("**Largest vendors**")
        st.dataframe(_table(_spend_by(path, ver, view.period, view.filters, "vendor"), "Vendor"), hide_index=True,
                     key="spend-by-vendor")
