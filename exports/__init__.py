"""Leadership exports: chart images, Excel tables and the PowerPoint briefing (no streamlit)."""

from .render import (
    chart_bytes,
    chart_file_name,
    chart_pdf,
    chart_png,
    chart_svg,
    file_stem,
    with_source_note,
)
from .safety import is_dangerous, neutralise, neutralise_frame, safe_csv

__all__ = [
    "chart_bytes",
    "chart_file_name",
    "chart_pdf",
    "chart_png",
    "chart_svg",
    "file_stem",
    "is_dangerous",
    "neutralise",
    "neutralise_frame",
    "safe_csv",
    "with_source_note",
]
