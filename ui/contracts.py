"""Contract management: the expiring pipeline and the lists a contract manager works through."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import charts
import kpi
from charts.pipeline import DOT_LIMIT
from kpi import contracts as kc
from kpi.tables import table_rows
from ui import data
from ui.charts import SLIDE_WIDTH, csv_button, show_chart
from ui.notices import missing_data
from ui.tables import export_frame, show_listed, show_records


# The lists are as of the data-through date; the sidebar's department, category and method apply. They are
# queries (kpi.Records), kept as shared objects: counted once, their shown rows fetched once.
def _dims(filters) -> kpi.Filters:
    return kpi.Filters(departments=filters.departments, categories=filters.categories, methods=filters.methods)


@st.cache_resource(max_entries=16, show_spinner=False)
def _pipeline(path, ver, filters, as_of_, fy_start):
    records = kc.pipeline_records(data._source(path, ver), as_of=as_of_, filters=_dims(filters),
                                  fy_start_month=fy_start)
    return records.first_columns(("action", "contract_id", "title", "end_date", "days_left"))


@st.cache_data(max_entries=16, show_spinner=False)
def _pipeline_months(path, ver, filters, as_of_, fy_start):
    return kc.pipeline_months(data._source(path, ver), as_of=as_of_, filters=_dims(filters), fy_start_month=fy_start)


@st.cache_resource(max_entries=16, show_spinner=False)
def _cost_growth(path, ver, filters, as_of_, fy_start):
    return kc.cost_growth_records(data._source(path, ver), filters=filters, as_of=as_of_, fy_start_month=fy_start)


@st.cache_resource(max_entries=16, show_spinner=False)
def _overspent(path, ver, filters, as_of_, fy_start):
    return kc.overspent_records(data._source(path, ver), filters=filters, as_of=as_of_, fy_start_month=fy_start)


def _args(view):
    return data.workspace_path(), data.version(), view.filters, data.as_of(), data.fy_start_month()


def pipeline_section(view) -> None:
    st.subheader("Expiring contracts and what each needs")
    src = data.source()
    if not src.has("contracts") or src.rows("contracts") == 0:
        missing_data(["contracts.contract_id", "contracts.end_date"], what="The contract pipeline")
        return
    pipeline = _pipeline(*_args(view))
    if not pipeline.count:
        st.success("No contract ends in the next 18 months.", icon=":material/check_circle:")
        return
    as_of = data.as_of()
    # A dot per contract, or for thousands of them monthly bars summed by the engine.
    timeline = pipeline.frame() if pipeline.count <= DOT_LIMIT else _pipeline_months(*_args(view))
    chart = charts.pipeline_timeline(timeline, as_of=as_of, width=760)
    show_chart(chart, "contract_pipeline", key="pipeline",
               export=lambda: charts.pipeline_timeline(timeline, as_of=as_of, width=SLIDE_WIDTH))
    st.markdown("**The action each contract needs**, soonest first")
    show_listed(pipeline, key="pipeline-table", file_stem="contract_pipeline", drop=())


def lists_section(view) -> None:
    growth, overspent, overdue, scores = st.tabs(
        ["Cost growth", "Paid beyond their amount", "Overdue evaluations", "Vendor scores"])
    path, ver = data.workspace_path(), data.version()
    with growth:
        st.caption("Contracts whose current amount has grown furthest beyond the amount at award.")
        show_listed(_cost_growth(*_args(view)), key="growth", file_stem="cost_growth", drop=())
    with overspent:
        st.caption("Contracts whose payments exceed their current (not-to-exceed) amount.")
        show_listed(_overspent(*_args(view)), key="overspent", file_stem="overspent_contracts", drop=())
    with overdue:
        st.caption("Performance evaluations past their due date and not completed.")
        frame = overdue_evaluations(path, ver, data.as_of())
        show_records(frame, key="overdue", drop=())
        if frame is not None and len(frame):
            csv_button(export_frame(frame), "overdue_evaluations", key="overdue-csv")
    with scores:
        st.caption("Average evaluation score per vendor (0 to 1), lowest first.")
        frame = vendor_scores(path, ver)
        show_records(frame, key="scores", drop=())


@st.cache_data(max_entries=8, show_spinner=False)
def overdue_evaluations(path, ver, as_of_) -> pd.DataFrame:
    ev = table_rows(data._source(path, ver), "evaluations")
    if ev is None:
        return pd.DataFrame()
    today = pd.Timestamp(as_of_) if as_of_ else pd.Timestamp.today().normalize()
    late = ev[ev["due_date"].notna() & (ev["due_date"] < today) & ev["completed_date"].isna()]
    late = late.assign(days_overdue=(today - late["due_date"]).dt.days)
    cols = [c for c in ("contract_id", "vendor_id", "due_date", "days_overdue") if c in late.columns]
    return late[cols].sort_values("days_overdue", ascending=False).reset_index(drop=True)


@st.cache_data(max_entries=8, show_spinner=False)
def vendor_scores(path, ver) -> pd.DataFrame:
    src = data._source(path, ver)
    ev = table_rows(src, "evaluations")
    if ev is None or ev["score"].notna().sum() == 0:
        return pd.DataFrame()
    scored = ev[ev["score"].notna()]
    out = scored.groupby("vendor_id", dropna=False).agg(evaluations=("score", "size"), score=("score", "mean"),
                                                        lowest=("score", "min")).reset_index()
    vendors = table_rows(src, "vendors", ("vendor_id", "vendor_name"))
    if vendors is not None and "vendor_name" in vendors:
        names = vendors.dropna(subset=["vendor_id"]).drop_duplicates("vendor_id")[["vendor_id", "vendor_name"]]
        out = out.merge(names, on="vendor_id", how="left")
        out = out[["vendor_id", "vendor_name", "evaluations", "score", "lowest"]]
    return out.sort_values("score", kind="stable").reset_index(drop=True)
