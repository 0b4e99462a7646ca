"""One chart theme: slide-readable type, the Okabe-Ito colour-blind-safe palette, status colours."""

from __future__ import annotations

import altair as alt

THEME_NAME = "procurement"

# Okabe-Ito (Okabe & Ito 2008): distinguishable under the common colour-vision deficiencies.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
SERIES_COLOR = OKABE_ITO[0]
SECONDARY_COLOR = "#7FB8DA"  # lighter blue for the 90th percentile line
GOAL_COLOR = "#222222"
MUTED_COLOR = "#6B6B6B"

# Status colours are always shown next to their word (legend, label or table cell), never alone.
STATUS_COLORS = {
    "met": "#009E73",
    "at risk": "#E69F00",
    "missed": "#D55E00",
    "no goal": "#6B6B6B",
    "no data": "#8C8C8C",
}
# Darker twins for text and badges on white or on a tint (contrast >= 4.5:1), and the tints.
STATUS_DARK = {
    "met": "#00704F",
    "at risk": "#8F5600",
    "missed": "#A33F00",
    "no goal": "#4D4D4D",
    "no data": "#6B6B6B",
}
STATUS_TINTS = {
    "met": "#D5F0E6",
    "at risk": "#FBEBC8",
    "missed": "#F8D7C4",
    "no goal": "#EDEDED",
    "no data": "#EDEDED",
}
STATUS_SYMBOLS = {"met": "✓", "at risk": "!", "missed": "✗", "no goal": "○", "no data": "–"}
# Tints for the chart zones: at-risk band and missed zone behind the data.
AT_RISK_TINT = "#E69F00"
MISSED_TINT = "#D55E00"

FONT = "Liberation Sans, Arial, Helvetica, DejaVu Sans, sans-serif"
TITLE_SIZE = 22
SUBTITLE_SIZE = 15
LABEL_SIZE = 14
AXIS_TITLE_SIZE = 15
NOTE_SIZE = 13


def theme() -> alt.theme.ThemeConfig:
    """The Vega-Lite config shared by every chart (sizes chosen to read at slide size)."""
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "view": {"stroke": None, "continuousWidth": 640, "continuousHeight": 320},
            "padding": {"left": 8, "right": 16, "top": 8, "bottom": 8},
            "title": {
                "fontSize": TITLE_SIZE,
                "fontWeight": "bold",
                "subtitleFontSize": SUBTITLE_SIZE,
                "subtitleColor": "#444444",
                "anchor": "start",
                "offset": 14,
                "color": "#1A1A1A",
                "subtitlePadding": 6,
            },
            "axis": {
                "labelFontSize": LABEL_SIZE,
                "titleFontSize": AXIS_TITLE_SIZE,
                "titleFontWeight": "normal",
                "titleColor": "#333333",
                "labelColor": "#333333",
                "gridColor": "#E6E6E6",
                "domainColor": "#999999",
                "tickColor": "#999999",
                "labelLimit": 260,
            },
            "axisX": {"grid": False},
            "legend": {
                "labelFontSize": LABEL_SIZE,
                "titleFontSize": LABEL_SIZE,
                "symbolSize": 120,
                "orient": "top",
                "direction": "horizontal",
                "titleOrient": "left",
            },
            "range": {"category": list(OKABE_ITO)},
            "line": {"strokeWidth": 3},
            "point": {"size": 90},
            "text": {"fontSize": LABEL_SIZE},
            "bar": {"color": SERIES_COLOR},
        }
    }


alt.theme.register(THEME_NAME, enable=True)(theme)


def use_theme() -> None:
    """Make the project theme the active Altair theme (done on import; call again if something switched it)."""
    alt.theme.enable(THEME_NAME)
