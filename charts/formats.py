"""Number formats per KPI unit, for axes, tooltips and text (d3-format strings and Python twins)."""

from __future__ import annotations

import math

# d3-format strings (Vega-Lite) per unit.
AXIS_FORMAT = {
    "share": ".0%",
    "dollars": "$,.3~s",
    "days": ",.0f",
    "count": ",.0f",
    "bids": ",.1~f",
    "ratio": ",.2~f",
}
TOOLTIP_FORMAT = {
    "share": ".1%",
    "dollars": "$,.0f",
    "days": ",.0f",
    "count": ",.0f",
    "bids": ",.1f",
    "ratio": ",.2f",
}
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


def format_value(value, unit: str | None, *, precise: bool = False) -> str:
    """A value as a person reads it: 0.123 share -> '12.3%', 84 days -> '84 days', 1.2e6 -> '$1.2M'.

    None or NaN gives an en dash.
    """
    if value is None:
        return "–"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return "–"
    if unit == "share":
        pct = v * 100
        return f"{pct:.1f}%" if precise or abs(pct) < 10 and pct != round(pct) else f"{pct:.0f}%"
    if unit == "dollars":
        return _dollars(v)
    if unit == "days":
        d = round(v)
        return f"{d:,} day" if d == 1 else f"{d:,} days"
    if unit == "count":
        return f"{v:,.0f}"
    if unit in ("bids", "ratio"):
        return f"{v:,.1f}" if unit == "bids" else f"{v:,.2f}"
    return f"{v:,.2f}"


def _dollars(v: float) -> str:
    sign = "-" if v < 0 else ""
    a = abs(v)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= size:
            s = f"{a / size:.1f}".rstrip("0").rstrip(".")
            return f"{sign}${s}{suffix}"
    return f"{sign}${a:,.0f}"
