"""The Briefing page: choose KPIs, period and comparison; preview the slides; download deck, workbook, charts."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

import exports
import kpi
from exports.scorecard_pdf import scorecard_pdf
from ui import data, filters
from ui.charts import show_chart
from ui.format import STATUS_STYLE, md_escape
from ui.notices import missing_data
from ui.theme import summary_table

COMPARISONS = {"last_year": "Same period last year", "previous": "Previous period"}
QUARTERS = {0: "Whole fiscal year", 1: "Q1", 2: "Q2", 3: "Q3", 4: "Q4"}
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Choice:
    kpi_ids: tuple[str, ...]
    fiscal_year: int | None
    quarter: int | None
    comparison: str
    scope: kpi.Filters  # the sidebar's department, category and method (the period is chosen here)
    scope_text: str


def chooser() -> Choice:
    """KPIs (one slide each), fiscal year and quarter, comparison; the scope follows the sidebar."""
    view = filters.current()
    default = [i for i in kpi.SCORECARD if i in kpi.KPIS]
    ids = st.multiselect("KPIs, one slide each", list(kpi.KPIS), default=default, key="brief-kpis",
                         format_func=lambda i: kpi.KPIS[i].title)
    years = data.filter_options()["fiscal_year"][::-1]
    shown = overview_year(view)
    left, middle, right = st.columns(3)
    fy = left.selectbox("Fiscal year", years or [None], format_func=lambda y: f"FY{y}" if y else "—",
                        index=years.index(shown) if shown in years else 0, key="brief-fy",
                        help="Starts at the year the Overview shows, so the deck carries the same numbers.")
    quarter = middle.selectbox("Period", list(QUARTERS), format_func=QUARTERS.get, key="brief-q")
    comparison = right.segmented_control("Compare with", list(COMPARISONS), default="last_year",
                                         format_func=COMPARISONS.get, key="brief-compare", required=True)
    f = view.filters
    scope = kpi.Filters(departments=f.departments, categories=f.categories, methods=f.methods)
    scope_text = " · ".join(", ".join(v) for v in (f.departments, f.categories, f.methods) if v)
    st.caption(f"Scope: {md_escape(scope_text) or 'the whole office'} (set in the sidebar).")
    return Choice(tuple(ids), fy, quarter or None, comparison or "last_year", scope, scope_text)


def overview_year(view) -> int | None:
    """The fiscal year the Overview shows for this view: the one the sidebar picks, else the one holding the
    data-through date (kpi.now's period), else the scorecard's."""
    if len(view.filters.fiscal_years) == 1:
        return int(view.filters.fiscal_years[0])
    if getattr(view, "period", None) is not None:
        return int(view.period.fiscal_year)
    card = data.scorecard(view.filters, "year")
    labels = card["period_label"].dropna().astype(str) if len(card) else pd.Series([], dtype="str")
    years = labels.str.extract(r"FY(\d{4})")[0].dropna()
    return int(years.mode().iloc[0]) if len(years) else None


@st.cache_resource(max_entries=8, show_spinner=False)
def _briefing(path, ver, choice: Choice):
    ws = data._workspace(path)
    return exports.prepare_briefing(
        data._source(path, ver), ws.goals(), ws.settings(), imports=ws.imports(), kpis=list(choice.kpi_ids),
        fy=choice.fiscal_year, quarter=choice.quarter, filters=choice.scope, comparison=choice.comparison,
        as_of=data.as_of(), filters_text=choice.scope_text,
    )


def prepare(choice: Choice):
    """The briefing for the choice (computed once per workspace version), or None with the reason shown."""
    if not choice.kpi_ids:
        st.info("Choose at least one KPI.")
        return None
    if choice.fiscal_year is None:
        missing_data(["solicitations", "contracts", "payments"], what="The briefing")
        return None
    try:
        with st.spinner("Preparing the briefing…"):
            return _briefing(data.workspace_path(), data.version(), choice)
    except exports.BriefingError as exc:
        st.warning(md_escape(exc), icon=":material/event_busy:")
        return None


def downloads(b) -> None:
    st.subheader("Download")
    stem = exports.file_stem("briefing", b.period_label)
    row = st.container(horizontal=True)
    with row:
        st.download_button("PowerPoint deck", data=lambda: exports.briefing_pptx(b), file_name=f"{stem}.pptx",
                           mime=PPTX, key="dl-pptx", on_click="ignore", icon=":material/slideshow:", type="primary")
        st.download_button("One-page scorecard (PDF)", data=lambda: scorecard_pdf(b), file_name=f"{stem}_scorecard.pdf",
                           mime="application/pdf", key="dl-pdf", on_click="ignore", icon=":material/picture_as_pdf:")
        st.download_button("Excel workbook", data=lambda: exports.briefing_xlsx(b), file_name=f"{stem}.xlsx",
                           mime=XLSX, key="dl-xlsx", on_click="ignore", icon=":material/table:")
        st.download_button("Chart images (zip)", data=lambda: exports.charts_zip(b), file_name=f"{stem}_charts.zip",
                           mime="application/zip", key="dl-zip", on_click="ignore", icon=":material/folder_zip:")
    st.caption("Each file is built when you click: a 16:9 deck (title, scorecard, one slide per KPI, contract "
               "pipeline, contract performance, appendix), the scorecard alone on one PDF page to hand out beside "
               "it, the tables behind it, and every chart as a slide-resolution PNG.")


def preview(b) -> None:
    """The deck's content on screen: title, scorecard, then each KPI slide's message and chart."""
    note = f" ({md_escape(b.period_note)})" if b.period_note else ""
    st.subheader(f"{md_escape(b.office_name)} · {md_escape(b.period_label)}{note}")
    st.caption(md_escape(b.source_note))  # the note already names the data-through date
    if isinstance(b.scorecard, pd.DataFrame) and len(b.scorecard) and "title" in b.scorecard:
        summary_table(b.scorecard, key="brief-summary")
    for i, slide in enumerate(b.slides):
        with st.container(border=True, key=f"slide-{i}"):
            color, icon, word = STATUS_STYLE.get(str(slide.status).replace(" ", "_"), STATUS_STYLE["no_data"])
            st.markdown(f"**{md_escape(slide.title)}**")
            st.badge(word, icon=icon, color=color)
            st.markdown(md_escape(slide.sentence))
            if slide.chart is not None:
                show_chart(slide.chart, slide.file_name or exports.file_stem(slide.kpi_id, slide.period_label),
                           key=f"brief-{slide.kpi_id}", export=lambda s=slide: s.export_chart or s.chart,
                           note=False)
    if b.pipeline_chart is not None:
        with st.container(border=True, key="slide-pipeline"):
            st.markdown("**Contracts ending soon**")
            if b.pipeline_message:
                st.markdown(md_escape(b.pipeline_message))
            show_chart(b.pipeline_chart, "contract_pipeline", key="brief-pipeline", note=False)
    if getattr(b, "performance_message", ""):
        with st.container(border=True, key="slide-performance"):
            st.markdown("**Contract performance**")
            st.markdown(md_escape(b.performance_message))
            if b.performance is not None and len(b.performance):
                st.dataframe(b.performance.rename(columns={
                    "contract": "Contract", "vendor": "Vendor", "metric": "Metric off track", "latest": "Latest",
                    "target": "Target", "last_checkin": "Last check-in"}), hide_index=True, key="brief-performance")
