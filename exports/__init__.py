"""Leadership exports: chart images, Excel tables and the PowerPoint briefing (no streamlit).

The app and the command line (python -m exports) call the same functions:

    b = prepare_briefing(tables, goals, settings, imports=..., kpis=[...], fy=2026, quarter=None)
    briefing_pptx(b) -> bytes; briefing_xlsx(b) -> bytes; charts_zip(b) -> bytes
    chart_png(chart) -> bytes; chart_svg(chart) -> str; chart_pdf(chart) -> bytes
    excel_workbook({"Sheet": frame}) -> bytes; table_xlsx(frame) -> bytes; safe_csv(frame) -> bytes
"""

from .briefing import (
    BriefingError,
    briefing_from_workspace,
    briefing_xlsx,
    charts_zip,
    data_through,
    prepare_briefing,
)
from .deck import briefing_pptx
from .excel import excel_workbook, scorecard_xlsx, table_xlsx
from .model import Briefing, KpiSlide
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
    "Briefing",
    "BriefingError",
    "KpiSlide",
    "briefing_from_workspace",
    "briefing_pptx",
    "briefing_xlsx",
    "chart_bytes",
    "chart_file_name",
    "chart_pdf",
    "chart_png",
    "chart_svg",
    "charts_zip",
    "data_through",
    "excel_workbook",
    "file_stem",
    "is_dangerous",
    "neutralise",
    "neutralise_frame",
    "prepare_briefing",
    "safe_csv",
    "scorecard_xlsx",
    "table_xlsx",
    "with_source_note",
]
