"""Number formats per KPI unit, for axes, tooltips and text (d3-format strings and Python twins)."""

from __future__ import annotations

from kpi.format import d3_format
from kpi.format import format_value as _format_value

# d3-format strings (Vega-Lite) per unit.
AXIS_FORMAT = {
    "share": ".0%",
    "dollars": "$,.3~s",
    "days": ",.0f",
    "count": ",.0f",
    "bids": ",.1~f",
    "ratio": ",.2~f",
}
# Tooltips show the decimals of the cards (kpi.format.DECIMALS).
TOOLTIP_FORMAT = {unit: d3_format(unit) for unit in ("share", "dollars", "days", "count", "bids", "ratio")}
AXIS_TITLE = {
    "share": "",
    "dollars": "",
    "days": "days",
    "count": "",
    "bids": "bids",
    "ratio": "",
}


def axis_format(unit: str | None) -> str:
    return AXIS_FORMAT.get(unit or "", ",.2~f")


def tooltip_format(unit: str | None) -> str:
    return TOOLTIP_FORMAT.get(unit or "", ",.2f")


def axis_label_expr(unit: str | None) -> str | None:
    """d3's SI prefix writes billions as G: spell them B for dollars."""
    if unit == "dollars":
        return f"replace(format(datum.value, '{AXIS_FORMAT['dollars']}'), 'G', 'B')"
    return None


def format_value(value, unit: str | None, *, precise: bool = False, against=None) -> str:
    """A value as a person reads it: kpi.format.format_value, the one rounding of the app, the exports and the
    deck (0.123 share -> '12.3%', 84 days -> '84 days', 1.2e6 -> '$1.2M'; an em dash for none). `precise` is
    kept for callers: every share already shows one decimal."""
    return _format_value(value, unit, against=against)
