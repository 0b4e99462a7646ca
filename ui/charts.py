"""Chart placement: an Altair chart with our own slide-resolution PNG and SVG downloads under it."""

from __future__ import annotations

import re
from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

import exports
from ui import data

SLIDE_WIDTH = 980  # the exports' full-width slide chart (exports/render.py)
SLIDE_HEIGHT = 360


# Streamlit's own toolbar over a chart (data table, download, fullscreen) would be a second export menu
# beside our PNG and SVG buttons: hidden for charts only (tables keep theirs). Static CSS, no data in it.
CHART_MENU_CSS = """<style>
[data-testid="stElementContainer"]:has([data-testid="stVegaLiteChart"]) [data-testid="stElementToolbar"] {
  display: none !important;
}
</style>"""


def hide_streamlit_chart_menu() -> None:
    """One export menu per chart: ours (see CHART_MENU_CSS)."""
    st.html(CHART_MENU_CSS)


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "-", str(text)).strip("-") or "chart"


def source_note() -> str:
    """The note under an exported chart: whose data, and through when."""
    s = data.settings()
    who = "Sample data (a fictional city)" if s.get("sample_data") else (s.get("office_name") or "Procurement office")
    as_of = data.as_of()
    through = f"; data through {as_of:%d %b %Y}" if as_of else ""
    return f"Source: {who}, ERP and e-procurement exports{through}. Procurement KPI Dashboard."


def for_slide(chart, note: str):
    """A chart built for export, with the source note under it."""
    return exports.with_source_note(chart, note)


def slide_builder(chart, export=None, note: str | None = None):
    """A function that builds the chart to download: `export()` (with the source note) or the chart itself."""

    def build():
        if export is None:
            return chart
        return for_slide(export(), note) if note else export()

    return build


def chart_bytes(build, fmt: str) -> bytes:
    """What a download button hands over: the built chart as PNG or SVG bytes."""
    return exports.chart_bytes(build(), fmt)


def show_chart(chart, file_stem: str, *, key: str | None = None, export=None, note: bool = True,
               selectable: bool = False):
    """Render a chart with PNG and SVG download buttons under it.

    `export` builds the slide version (full size, title, subtitle, source note); it and the image are
    made only when a button is clicked (a deferred callable), so a rerun stays fast. Without it the
    chart on screen is exported as it is. `selectable`: the chart carries a selection parameter (a clicked
    bar); the selection state is returned ({} when nothing is selected), else None.
    """
    if chart is None:
        return None
    key = key or slug(file_stem)
    # Streamlit would squeeze title, axes and labels into the width and height ("fit"); "pad" draws the
    # chart as the exporters do, so the screen and the slide look alike. Streamlit's own chart menu is off
    # in this version (vega-embed actions: false): the PNG and SVG buttons below are the only export.
    shown = chart.properties(autosize=alt.AutoSizeParams(type="pad", contains="padding"))
    event = None
    if selectable:
        event = st.altair_chart(shown, theme=None, width="content", on_select="rerun", key=f"chart-{key}")
    else:
        st.altair_chart(shown, theme=None, width="content")
    stem = slug(file_stem)
    # The buttons' callables run outside the script run: everything they need is read here.
    build = slide_builder(chart, export, source_note() if note and export is not None else None)
    row = st.container(horizontal=True, gap="small")
    with row:
        st.download_button("PNG", data=lambda: chart_bytes(build, "png"), file_name=f"{stem}.png",
                           mime="image/png", key=f"png-{key}", on_click="ignore",
                           icon=":material/image:", help="Slide resolution (2x), with title and source note")
        st.download_button("SVG", data=lambda: chart_bytes(build, "svg"), file_name=f"{stem}.svg",
                           mime="image/svg+xml", key=f"svg-{key}", on_click="ignore",
                           icon=":material/draw:", help="Vector image for editing or print")
    return dict(getattr(event, "selection", None) or {}) if selectable else None


def csv_button(frame: pd.DataFrame | Callable[[], pd.DataFrame], file_stem: str, *, key: str,
               label: str = "Download CSV") -> None:
    """A CSV of the frame with spreadsheet formulas neutralised, built when clicked; `frame` may be a function
    that fetches the rows then (a drill-down's every record)."""
    rows = frame if callable(frame) else (lambda: frame)
    st.download_button(label, data=lambda: exports.safe_csv(rows()), file_name=f"{slug(file_stem)}.csv",
                       mime="text/csv", key=key, on_click="ignore", icon=":material/download:")
