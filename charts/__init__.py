"""Altair chart builders for computed KPI frames: one theme, colour-blind-safe (no streamlit).

Every builder takes aggregated frames (a kpi.KPIResult or a small frame), never raw rows, and returns
an Altair chart that the app shows with st.altair_chart and exports renders with vl-convert.
"""

from .formats import format_value
from .kpi_charts import (
    breakdown,
    distribution,
    goal_bounds,
    goal_text,
    histogram_bins,
    message_chart,
    sparkline,
    top_groups,
    trend,
)
from .pipeline import pipeline_timeline
from .theme import OKABE_ITO, STATUS_COLORS, THEME_NAME, theme, use_theme

__all__ = [
    "OKABE_ITO",
    "STATUS_COLORS",
    "THEME_NAME",
    "breakdown",
    "distribution",
    "format_value",
    "goal_bounds",
    "goal_text",
    "histogram_bins",
    "message_chart",
    "pipeline_timeline",
    "sparkline",
    "theme",
    "top_groups",
    "trend",
    "use_theme",
]
