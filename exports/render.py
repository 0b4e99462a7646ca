"""Chart rendering through vl-convert: PNG at slide resolution, SVG and PDF, with title and source note."""

from __future__ import annotations

import re
import struct
import textwrap
from collections.abc import Sequence

import altair as alt
import pandas as pd
import vl_convert as vlc

import charts
from charts.theme import THEME_NAME

MIN_PNG_WIDTH = 1600  # pixels: sharp on a full-width 16:9 slide
DEFAULT_SCALE = 2
SLIDE_CHART_WIDTH = 980  # CSS pixels of the plot area for a full-width slide chart
SLIDE_CHART_HEIGHT = 360
NOTE_OFFSET = 48  # px below the plot: clears the x-axis labels


def _spec(chart) -> dict:
    """The Vega-Lite dict of an Altair chart (or a dict as is), always with the project theme."""
    if isinstance(chart, dict):
        return chart
    with alt.theme.enable(THEME_NAME):
        return chart.to_dict()


def _png_width(png: bytes) -> int:
    return struct.unpack(">I", png[16:20])[0]


def chart_png(chart, *, scale: float = DEFAULT_SCALE, min_width: int = MIN_PNG_WIDTH) -> bytes:
    """PNG bytes at `scale` (2x by default), scaled up further when needed to be at least `min_width` px wide."""
    spec = _spec(chart)
    width = spec.get("width") if isinstance(spec.get("width"), (int, float)) else None
    if width:
        scale = max(scale, min_width / (width + 120))
    png = vlc.vegalite_to_png(spec, scale=scale)
    actual = _png_width(png)
    if actual < min_width:
        png = vlc.vegalite_to_png(spec, scale=scale * min_width / actual * 1.01)
    return png


def chart_svg(chart) -> str:
    """SVG text (live text: its look depends on the viewer's fonts; prefer PNG for slides)."""
    return vlc.vegalite_to_svg(_spec(chart))


def chart_pdf(chart) -> bytes:
    """PDF bytes (vector, fonts embedded)."""
    return vlc.vegalite_to_pdf(_spec(chart))


def chart_bytes(chart, fmt: str) -> bytes:
    """The chart as 'png', 'svg' or 'pdf' bytes."""
    fmt = fmt.lower().lstrip(".")
    if fmt == "png":
        return chart_png(chart)
    if fmt == "svg":
        return chart_svg(chart).encode("utf-8")
    if fmt == "pdf":
        return chart_pdf(chart)
    raise ValueError(f"unknown chart format {fmt!r}: use png, svg or pdf")


def with_source_note(chart, note: str | Sequence[str] | None):
    """The chart with a small grey source note under the plot, left-aligned with it.

    Layered charts (what every charts builder returns) get the note as one more text layer below the
    x axis, so legends and titles stay where they were; other charts get it as a bottom title.
    """
    if not note:
        return chart
    lines = [note] if isinstance(note, str) else [str(x) for x in note]
    size = charts.theme()["config"]["title"]["subtitleFontSize"] - 2
    height = getattr(chart, "height", alt.Undefined)
    width = getattr(chart, "width", alt.Undefined)
    if isinstance(width, (int, float)):  # a text mark never wraps: keep the note within the plot's width
        chars = max(60, int(width / (size * 0.5)))
        lines = [part for line in lines for part in (textwrap.wrap(line, chars) or [""])]
    if isinstance(chart, alt.LayerChart) and isinstance(height, (int, float)):
        # Below the x-axis labels (and their rotation, if any).
        text = (
            alt.Chart(pd.DataFrame({"note": ["\n".join(lines)]}))
            .mark_text(align="left", baseline="top", fontSize=size, color="#666666", lineBreak="\n", dy=0)
            .encode(x=alt.value(0), y=alt.value(height + NOTE_OFFSET), text="note:N")
        )
        out = chart.copy(deep=True)
        out.layer = [*out.layer, text]
        return out
    return alt.vconcat(chart).properties(
        title=alt.TitleParams(
            text=lines,
            orient="bottom",
            anchor="start",
            fontSize=size,
            fontWeight="normal",
            color="#666666",
            offset=14,
        )
    )


def file_stem(kpi_id: str, period: str | None = None) -> str:
    """'<kpi_id>_<period>' with the period made file-safe: ('bids_per_solicitation', 'FY2026 Q2') ->
    'bids_per_solicitation_FY2026-Q2'."""
    stem = re.sub(r"[^A-Za-z0-9_]+", "_", kpi_id).strip("_") or "chart"
    if period:
        stem += "_" + (re.sub(r"[^A-Za-z0-9]+", "-", str(period)).strip("-") or "period")
    return stem


def chart_file_name(kpi_id: str, period: str | None = None, ext: str = "png") -> str:
    return f"{file_stem(kpi_id, period)}.{ext.lstrip('.')}"
