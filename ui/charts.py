"""Chart placement: an Altair chart with our own slide-resolution PNG and SVG downloads under it."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

import exports


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", str(text)).strip("-") or "chart"


def show_chart(chart, file_stem: str, *, key: str | None = None, export=None) -> None:
    """Render a chart with PNG and SVG download buttons under it.

    `export` builds the slide version (full size, title, subtitle, source note); it and the image are
    made only when a button is clicked (a deferred callable), so a rerun stays fast. Without it the
    chart on screen is exported as it is.
    """
    if chart is None:
        return
    key = key or slug(file_stem)
    st.altair_chart(chart, theme=None, width="content")
    stem = slug(file_stem)
    build = export or (lambda: chart)
    left, right, _ = st.columns([1, 1, 4])
    with left:
        st.download_button("PNG", data=lambda: exports.chart_png(build()), file_name=f"{stem}.png",
                           mime="image/png", key=f"png-{key}", on_click="ignore",
                           icon=":material/image:", help="Slide resolution (2x), with title and source note")
    with right:
        st.download_button("SVG", data=lambda: exports.chart_svg(build()), file_name=f"{stem}.svg",
                           mime="image/svg+xml", key=f"svg-{key}", on_click="ignore",
                           icon=":material/draw:", help="Vector image for editing or print")


def csv_button(frame: pd.DataFrame, file_stem: str, *, key: str, label: str = "Download CSV") -> None:
    """A CSV of the frame with spreadsheet formulas neutralised (built when clicked)."""
    st.download_button(label, data=lambda: exports.safe_csv(frame), file_name=f"{slug(file_stem)}.csv",
                       mime="text/csv", key=key, on_click="ignore", icon=":material/download:")
