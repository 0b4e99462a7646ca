"""A theme page: every KPI of the theme at a glance, then the chosen one in detail."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import kpi
from ui import data, filters
from ui.format import STATUS_TINTS, format_goal, format_kpi_value, status_text
from ui.kpi_view import kpi_section
from ui.pages import spec


def theme_kpis_ids(themes) -> list[str]:
    wanted = {str(t).lower() for t in themes}
    return [k.id for k in kpi.KPIS.values() if str(k.theme).lower() in wanted]


def summary(card: pd.DataFrame) -> pd.DataFrame:
    """One row per KPI of a scorecard frame: period, value, status (icon and word), goal, n."""
    out = pd.DataFrame({
        "KPI": card["title"],
        "Period": card["period_name"].fillna(card["period_label"]).fillna("—") if "period_name" in card
        else card["period_label"].fillna("—"),
        "Value": [format_kpi_value(v, u, t, a) for v, u, t, a in
                  zip(card["value"], card["unit"], card["target"], card["at_risk"], strict=True)],
        "Status": [status_text(s) for s in card["status"]],
        "Goal": [format_goal(t, a, u, d) for t, a, u, d in
                 zip(card["target"], card["at_risk"], card["unit"], card["direction"], strict=True)],
        "Records": card["n"],
    })
    return out


def styled_summary(frame: pd.DataFrame):
    """The summary with its Status cells tinted by status (the word and symbol carry it too)."""
    tints = {status_text(s): f"background-color: {c}" for s, c in STATUS_TINTS.items()}
    return frame.style.map(lambda v: tints.get(v, ""), subset=["Status"])


def summary_table(card: pd.DataFrame, *, key: str) -> None:
    st.dataframe(styled_summary(summary(card)), hide_index=True, key=key, height=35 * (len(card) + 1) + 3,
                 column_config={"Records": st.column_config.NumberColumn("Records", format="localized")})


def theme_header(path: str, intro: str | None = None):
    """Title, the filters in words, and an optional introduction; returns the current view."""
    page = spec(path)
    view = filters.current()
    st.title(page.title)
    st.caption(filters.describe(view))
    if intro:
        st.markdown(intro)
    return view


def theme_kpis(path: str, view, heading: str | None = None) -> str | None:
    """A KPI picker (kept in the URL), the chosen KPI in detail and a summary table of the theme's KPIs.

    Opened from a scorecard card (the URL names a KPI), the KPI's own view comes first and the summary
    last; opened from the menu, the summary comes first.
    """
    if heading:
        st.subheader(heading)
    ids = theme_kpis_ids(spec(path).themes)
    if not ids:
        st.info("No KPI is registered for this theme yet.")
        return None
    card = data.theme_scorecard(tuple(ids), view.filters, view.grain)
    titles = {i: kpi.KPIS[i].title for i in ids}
    linked = url_kpi(ids, titles)
    if linked is None:
        summary_table(card, key="theme-summary")
    key = f"kpi-{spec(path).url_path}"
    if linked is not None:
        st.session_state[key] = linked  # the URL names the KPI: it wins over the last pick
    default = ids[0] if key not in st.session_state else None  # (a default beside set state warns)
    chosen = st.pills("KPI", ids, default=default, format_func=titles.get, key=key, required=True,
                      on_change=kpi_to_url, args=(key, titles)) or ids[0]
    kpi_section(chosen, view, card.set_index("kpi_id").loc[chosen].rename(chosen))
    if linked is not None:
        st.subheader("Every KPI on this page")
        summary_table(card, key="theme-summary")
    return chosen


def url_kpi(ids: list[str], titles: dict[str, str]) -> str | None:
    """The KPI the URL names (?kpi=<title or id>) when it is on this page, else None."""
    wanted = st.query_params.get("kpi")
    if wanted in ids:
        return wanted
    return next((i for i, t in titles.items() if t == wanted), None)


def kpi_to_url(key: str, titles: dict[str, str]) -> None:
    """A KPI picked on the page gets its own URL (?kpi=<title>): shareable, and it opens on that KPI."""
    chosen = st.session_state.get(key)
    if chosen in titles:
        st.query_params["kpi"] = titles[chosen]


def theme_page(path: str, *, intro: str | None = None) -> str | None:
    return theme_kpis(path, theme_header(path, intro))
