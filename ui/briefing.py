"""The Briefing page: choose KPIs, period and comparison; preview the slides' charts; download the outputs."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import kpi
from ui import data, filters

COMPARISONS = {"previous": "Previous period", "last_year": "Same period last year"}


@dataclass(frozen=True)
class Choice:
    kpi_ids: tuple[str, ...]
    view: filters.View
    comparison: str


def chooser() -> Choice:
    view = filters.current()
    ids = list(kpi.KPIS)
    default = [i for i in getattr(kpi, "SCORECARD", ()) if i in kpi.KPIS]
    chosen = st.multiselect("KPIs, one slide each", ids, default=default, key="brief-kpis",
                            format_func=lambda i: kpi.KPIS[i].title)
    comparison = st.segmented_control("Compare with", list(COMPARISONS), default="last_year",
                                      format_func=COMPARISONS.get, key="brief-compare", required=True)
    st.caption(f"Period and scope follow the sidebar: {filters.describe(view)}.")
    return Choice(tuple(chosen), view, comparison or "last_year")


def preview(choice: Choice) -> None:
    card = data.theme_scorecard(choice.kpi_ids, choice.view.filters, choice.view.grain) if choice.kpi_ids else None
    if card is None or card.empty:
        st.info("Choose at least one KPI.")
        return
    st.subheader("Scorecard slide")
    from ui.theme import styled_summary, summary

    st.dataframe(styled_summary(summary(card)), hide_index=True, key="brief-summary")


def downloads(choice: Choice) -> None:
    st.subheader("Download")
    st.caption("The files are built when you click.")
