"""The shared sidebar filters: kept in the URL (a copied link reproduces the view) and across pages."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import kpi
from kpi import now
from ui import data

GRAINS = {"month": "Month", "quarter": "Quarter", "year": "Fiscal year"}
# A fiscal year by default: the Overview then shows what `python -m kpi report` prints.
DEFAULT_GRAIN = "year"
# Widget keys double as the URL's query parameter names.
KEYS = {"fiscal_years": "fy", "grain": "grain", "departments": "dept", "categories": "cat", "methods": "method",
        "window": "window"}
DEFAULT_WINDOW = "ytd"


def fy_label(year) -> str:
    return f"FY{year}"


# A bound widget writes its options' labels into the URL, so links must use the same labels.
LABELS = {"fy": fy_label, "grain": lambda g: GRAINS.get(g, str(g)),
          "window": lambda w: now.WINDOW_LABELS.get(w, str(w))}


@dataclass(frozen=True)
class View:
    """What the user is looking at: the engine's filters plus the period grain."""

    filters: kpi.Filters
    grain: str
    # The period the scorecards show and what it is compared with (kpi.now.Period); None outside the app.
    period: now.Period | None = None

    @property
    def grain_label(self) -> str:
        return GRAINS.get(self.grain, self.grain)

    @property
    def scorecard_period(self) -> now.Period | None:
        """The period of the scorecards: at the fiscal-year grain only (a quarter or month grain shows the
        latest complete quarter or month against the one before and the same one a year earlier)."""
        return self.period if self.grain == "year" else None


def sidebar() -> View:
    """Draw the filters in the sidebar and return the view; call once per run, from app.py."""
    found = data.filter_options()
    options = {name: _kept(found[column], KEYS[name]) for name, column in (
        ("fiscal_years", "fiscal_year"), ("departments", "department"), ("categories", "category"),
        ("methods", "method"))}
    sb = st.sidebar
    sb.header("Filters")
    years = sb.multiselect("Fiscal year", options["fiscal_years"], key=KEYS["fiscal_years"],
                           bind="query-params", format_func=fy_label,
                           placeholder="All years", help="Leave empty for every year in the data.")
    grain = sb.segmented_control("Period", list(GRAINS), key=KEYS["grain"], bind="query-params",
                                 default=DEFAULT_GRAIN, format_func=GRAINS.get, required=True)
    depts = sb.multiselect("Department", options["departments"], key=KEYS["departments"],
                           bind="query-params", placeholder="All departments")
    cats = sb.multiselect("Category", options["categories"], key=KEYS["categories"],
                          bind="query-params", placeholder="All categories")
    methods = sb.multiselect("Method", options["methods"], key=KEYS["methods"],
                             bind="query-params", placeholder="All methods")
    window = sb.segmented_control("Show", list(now.WINDOWS), key=KEYS["window"], bind="query-params",
                                  default=DEFAULT_WINDOW, format_func=now.WINDOW_LABELS.get, required=True,
                                  help="Year to date: the fiscal year (the latest one chosen above, else the one "
                                       "the data reaches) against the same months a year earlier. Last 12 "
                                       "months: the twelve months to the data-through date against the twelve "
                                       "before them.")
    filters = kpi.Filters(fiscal_years=tuple(sorted(years)), departments=tuple(depts),
                          categories=tuple(cats), methods=tuple(methods))
    period = now.resolve_period(data.as_of(), filters.fiscal_years, window or DEFAULT_WINDOW, data.fy_start_month())
    view = View(filters=filters, grain=grain or DEFAULT_GRAIN, period=period)
    st.session_state["_view"] = view
    return view


def _kept(values: list, key: str) -> list:
    """The data's values for a filter, plus those the session chose that they lack while a KPI database is
    configured: the database and the workspace hold different values, and the switch between them (the
    database failing, then back) must not drop the sidebar's choices (a choice the data lacks shows no rows)."""
    if data.kpi_source_state() is None:
        return values
    chosen = [v for v in st.session_state.get(key) or () if v not in values]
    return sorted([*values, *chosen]) if chosen else values


def current() -> View:
    """The view drawn by app.py on this run (a default view when a page runs on its own)."""
    view = st.session_state.get("_view")
    if isinstance(view, View):
        return view
    return View(kpi.Filters(), DEFAULT_GRAIN, now.default_period(data.as_of(), data.fy_start_month()))


def link_params(**extra) -> dict:
    """Query parameters for a link to another page. The filters need none: their widgets are bound to
    the URL and put their own parameters back on every page."""
    return {k: v for k, v in extra.items() if v is not None}


def describe(view: View) -> str:
    """'FY2026 year to date · Parks, Police · by quarter' for captions and export subtitles."""
    f = view.filters
    if view.scorecard_period is not None:
        parts = [view.scorecard_period.label]
    else:
        parts = [", ".join(f"FY{y}" for y in f.fiscal_years) or "All fiscal years"]
    for values in (f.departments, f.categories, f.methods):
        if values:
            parts.append(", ".join(values) if len(values) <= 3 else f"{len(values)} selected")
    parts.append(f"by {view.grain_label.lower()}")
    return " · ".join(parts)


def period_line(view: View) -> str:
    """'FY2026 year to date (Jul 2025 – May 2026), compared with the same months of FY2025'; at a quarter or
    month grain, what the scorecard compares instead."""
    if view.scorecard_period is not None:
        return view.scorecard_period.describe
    return (f"The latest complete {view.grain_label.lower()}, compared with the one before and the same "
            f"{view.grain_label.lower()} a year earlier")
