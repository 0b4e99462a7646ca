"""The shared sidebar filters: kept in the URL (a copied link reproduces the view) and across pages."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import kpi
from ui import data

GRAINS = {"month": "Month", "quarter": "Quarter", "year": "Fiscal year"}
# A fiscal year by default: the Overview then shows what `python -m kpi report` prints.
DEFAULT_GRAIN = "year"
# Widget keys double as the URL's query parameter names.
KEYS = {"fiscal_years": "fy", "grain": "grain", "departments": "dept", "categories": "cat", "methods": "method"}


def fy_label(year) -> str:
    return f"FY{year}"


# A bound widget writes its options' labels into the URL, so links must use the same labels.
LABELS = {"fy": fy_label, "grain": lambda g: GRAINS.get(g, str(g))}


@dataclass(frozen=True)
class View:
    """What the user is looking at: the engine's filters plus the period grain."""

    filters: kpi.Filters
    grain: str

    @property
    def grain_label(self) -> str:
        return GRAINS.get(self.grain, self.grain)


def sidebar() -> View:
    """Draw the filters in the sidebar and return the view; call once per run, from app.py."""
    options = data.filter_options()
    sb = st.sidebar
    sb.header("Filters")
    years = sb.multiselect("Fiscal year", options["fiscal_year"], key=KEYS["fiscal_years"],
                           bind="query-params", format_func=fy_label,
                           placeholder="All years", help="Leave empty for every year in the data.")
    grain = sb.segmented_control("Period", list(GRAINS), key=KEYS["grain"], bind="query-params",
                                 default=DEFAULT_GRAIN, format_func=GRAINS.get, required=True)
    depts = sb.multiselect("Department", options["department"], key=KEYS["departments"],
                           bind="query-params", placeholder="All departments")
    cats = sb.multiselect("Category", options["category"], key=KEYS["categories"],
                          bind="query-params", placeholder="All categories")
    methods = sb.multiselect("Method", options["method"], key=KEYS["methods"],
                             bind="query-params", placeholder="All methods")
    filters = kpi.Filters(fiscal_years=tuple(sorted(years)), departments=tuple(depts),
                          categories=tuple(cats), methods=tuple(methods))
    view = View(filters=filters, grain=grain or DEFAULT_GRAIN)
    st.session_state["_view"] = view
    return view


def current() -> View:
    """The view drawn by app.py on this run (a default view when a page runs on its own)."""
    view = st.session_state.get("_view")
    return view if isinstance(view, View) else View(kpi.Filters(), DEFAULT_GRAIN)


def link_params(**extra) -> dict:
    """Query parameters for a link to another page. The filters need none: their widgets are bound to
    the URL and put their own parameters back on every page."""
    return {k: v for k, v in extra.items() if v is not None}


def describe(view: View) -> str:
    """'FY2025–FY2026 · Parks, Police · by quarter' for captions and export subtitles."""
    f = view.filters
    parts = [", ".join(f"FY{y}" for y in f.fiscal_years) or "All fiscal years"]
    for values in (f.departments, f.categories, f.methods):
        if values:
            parts.append(", ".join(values) if len(values) <= 3 else f"{len(values)} selected")
    parts.append(f"by {view.grain_label.lower()}")
    return " · ".join(parts)
