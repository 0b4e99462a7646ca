"""The KPI catalogue as a page: one expander per KPI, grouped by theme, filtered by a search."""

from __future__ import annotations

import streamlit as st

import kpi
from ui.format import format_goal, md_escape
from ui.pages import kpi_link, page_for_theme

DIRECTION = {"higher": "Higher is better", "lower": "Lower is better"}


def matches(k, query: str) -> bool:
    text = " ".join(str(x) for x in (k.id, k.title, k.theme, k.definition, k.formula)).lower()
    return all(word in text for word in query.lower().split())


def catalogue(query: str = "") -> None:
    scorecard = set(getattr(kpi, "SCORECARD", ()) or ())
    shown = [k for k in kpi.KPIS.values() if matches(k, query or "")]
    if not shown:
        st.info("No KPI matches that search.")
        return
    for theme in dict.fromkeys(k.theme for k in shown):
        st.subheader(md_escape(theme))
        for k in (k for k in shown if k.theme == theme):
            star = " ★" if k.id in scorecard else ""
            with st.expander(f"{md_escape(k.title)}{star}"):
                entry(k)
    st.caption("★ on the leadership scorecard.")


def entry(k) -> None:
    st.markdown(f"**Definition.** {md_escape(k.definition)}")
    if getattr(k, "why", ""):
        st.markdown(f"**Why it matters.** {md_escape(k.why)}")
    st.markdown(f"**Formula.** {md_escape(k.formula)}")
    if getattr(k, "example", ""):
        st.markdown(f"**Worked example.** {md_escape(k.example)}")
    goal = getattr(k, "goal", None)
    target, at_risk = getattr(goal, "target", None), getattr(goal, "at_risk", None)
    st.markdown(f"**Default goal.** {md_escape(format_goal(target, at_risk, k.unit, k.direction))}"
                f" — {md_escape(getattr(goal, 'source', '') or 'set by your office')}")
    st.markdown(f"**Unit.** {md_escape(k.unit)} · **{DIRECTION.get(k.direction, md_escape(k.direction))}**")
    st.markdown("**Data it needs.** " + ", ".join(f"`{n}`" for n in (k.needs or ())))
    st.caption(f"id: `{k.id}`")
    page = page_for_theme(k.theme)
    if page:
        st.page_link(page, label="See it on its page", icon=":material/arrow_forward:", query_params=kpi_link(k.id, k.title))
