"""Numbers, changes, counts and dates as people read them: the one formatter of cards, sentences, charts,
tables, Excel and the deck (plain Python, no streamlit).

Rounding is the same everywhere: shares to one decimal of a percent ("18.8%"), days and counts whole,
bids to one decimal, dollars to one decimal of K/M/B. A value is never written so that it reads as equal
to a goal it misses: `format_value(0.8996, "share", against=0.90)` is "89.96%", not "90.0%".
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

MISSING = "—"
# Decimals of each unit's value (shares in percent points).
DECIMALS = {"share": 1, "days": 0, "bids": 1, "count": 0, "ratio": 2, "dollars": 1}
MAX_EXTRA_DECIMALS = 3
# Nouns whose singular is not the plural minus "s".
IRREGULAR = {"people": "person", "criteria": "criterion", "analyses": "analysis", "businesses": "business",
             "statuses": "status"}


def excel_format(unit: str | None) -> str:
    """The Excel number format of a unit's values, with the decimals shown on screen ('0.0%' for shares)."""
    digits = DECIMALS.get(unit or "", 2)
    if unit == "share":
        return "0." + "0" * digits + "%" if digits else "0%"
    if unit == "dollars":
        return '"$"#,##0'
    return "#,##0" + ("." + "0" * digits if digits else "")


def d3_format(unit: str | None) -> str:
    """The d3-format (Vega-Lite tooltip) of a unit's values, with the decimals shown on screen."""
    digits = DECIMALS.get(unit or "", 2)
    if unit == "share":
        return f".{digits}%"
    if unit == "dollars":
        return "$,.0f"
    return f",.{digits}f"


def is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _number(value: object) -> float | None:
    if is_missing(value):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def singular(noun: str) -> str:
    """'solicitations' -> 'solicitation', 'key contracts' -> 'key contract', 'days' -> 'day'."""
    head, _, last = noun.rpartition(" ")
    if last in IRREGULAR:
        one = IRREGULAR[last]
    elif last.endswith("ies") and len(last) > 3:
        one = last[:-3] + "y"
    elif last.endswith("ses") or last.endswith("xes"):
        one = last[:-2]
    elif last.endswith("s") and not last.endswith("ss"):
        one = last[:-1]
    else:
        one = last
    return f"{head} {one}" if head else one


def plural(count: object, noun: str, *, text: str | None = None) -> str:
    """'1 goal', '2 goals', '1,204 payments'; `noun` is the plural; `text` the count already formatted."""
    n = _number(count)
    shown = text if text is not None else ("no" if n is None else f"{n:,.0f}")
    one = n is not None and shown.lstrip("+-−") in ("1",) and abs(n) == 1
    return f"{shown} {singular(noun) if one else noun}"


def _fixed(v: float, digits: int) -> str:
    text = f"{v:,.{digits}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text.replace(",", "")) == 0 else text


def _digits(v: float, unit: str, against: float | None, scale: float = 1.0) -> int:
    """The unit's decimals, plus as many as it takes (up to 3 more) for v not to read as `against`."""
    digits = DECIMALS.get(unit, 2)
    if against is None or v == against:
        return digits
    for extra in range(MAX_EXTRA_DECIMALS + 1):
        if _fixed(v * scale, digits + extra) != _fixed(against * scale, digits + extra):
            return digits + extra
    return digits + MAX_EXTRA_DECIMALS


def format_money(value: object, *, short: bool = True) -> str:
    """'$1.2M', '$850.0K', '$12,500', '-$3.4M' (short); '$1,234,567' (long)."""
    v = _number(value)
    if v is None:
        return MISSING
    sign = "-" if v < 0 else ""
    a = abs(v)
    if short:
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if round(a / size, 1) >= 1:
                return f"{sign}${a / size:,.1f}{suffix}"
    return f"{sign}${a:,.0f}"


def format_value(value: object, unit: str | None, *, against: object = None) -> str:
    """'18.8%', '84 days', '1 day', '2.6 bids', '12', '$1.2M', '1.25'; an em dash for no value.

    `against` (a goal or limit) adds decimals where the rounded value would read as equal to it."""
    v = _number(value)
    if v is None:
        return MISSING
    unit = unit or ""
    a = _number(against)
    if unit == "share":
        return f"{_fixed(v * 100, _digits(v, unit, a, 100))}%"
    if unit == "dollars":
        return format_money(v)
    if unit == "days":
        text = _fixed(v, _digits(v, unit, a))
        return f"{text} {'day' if text in ('1', '-1') else 'days'}"
    if unit == "bids":
        text = _fixed(v, _digits(v, unit, a))
        return f"{text} {'bid' if text in ('1', '-1') else 'bids'}"
    if unit == "count":
        return _fixed(v, _digits(v, unit, a))
    return _fixed(v, _digits(v, unit, a))


def nearest_threshold(value: object, target: object = None, at_risk: object = None) -> float | None:
    """The goal or limit closest to the value: the one a reader compares it with."""
    v = _number(value)
    marks = [m for m in (_number(target), _number(at_risk)) if m is not None]
    if v is None or not marks:
        return None
    return min(marks, key=lambda m: abs(v - m))


def format_kpi_value(value: object, unit: str | None, target: object = None, at_risk: object = None) -> str:
    """A KPI's value as its card and its sentences show it: never reading as equal to a goal it misses."""
    return format_value(value, unit, against=nearest_threshold(value, target, at_risk))


def format_goal_value(value: object, unit: str | None) -> str:
    """A goal as people set it: '90%', '60 days', '3 bids', '$1.5M' (no trailing zeros)."""
    v = _number(value)
    if v is None:
        return MISSING
    if unit == "share":
        return f"{v * 100:.2f}".rstrip("0").rstrip(".") + "%"
    if unit in ("days", "bids"):
        text = f"{v:,.2f}".rstrip("0").rstrip(".")
        word = unit[:-1] if text == "1" else unit
        return f"{text} {word}"
    if unit == "dollars":
        return format_money(v)
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def format_change(value: object, previous: object, unit: str | None) -> str | None:
    """The change in the KPI's own terms: '+3.1 pts' for shares, '-6 days', '+1 day', '+0.4 bids', '+3',
    '+$1.2M'; None when either side is missing. A change that rounds to zero has no sign ('0.0 pts')."""
    v, p = _number(value), _number(previous)
    if v is None or p is None:
        return None
    d = v - p
    if unit == "share":
        return _signed(_fixed(d * 100, 1)) + " pts"
    if unit == "dollars":
        text = format_money(abs(d))
        return text if text in ("$0",) else ("+" if d > 0 else "-") + text
    if unit in ("days", "bids"):
        text = _signed(_fixed(d, DECIMALS[unit]))
        one = text.lstrip("+-") == "1"
        return f"{text} {unit[:-1] if one else unit}"
    return _signed(_fixed(d, DECIMALS.get(unit or "", 2)))


def format_relative_change(value: object, previous: object, unit: str | None) -> str | None:
    """The change for a comparison column: points for shares ('+3.1 pts'), percent for everything else
    ('+8%', '-12%'); 'new' from zero; None when either side is missing."""
    v, p = _number(value), _number(previous)
    if v is None or p is None:
        return None
    if unit == "share":
        return format_change(v, p, unit)
    if p == 0:
        return "no change" if v == 0 else "new"
    return _signed(_fixed((v - p) / abs(p) * 100, 0)) + "%"


def _signed(text: str) -> str:
    """'+3.1' / '-3.1' / '0.0' (a rounded zero is neither up nor down)."""
    if float(text.replace(",", "")) == 0:
        return text.lstrip("-")
    return text if text.startswith("-") else "+" + text


def _day(value) -> dt.date | None:
    if is_missing(value):
        return None
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    return None if ts is pd.NaT else ts.date()


def format_date(value: object) -> str:
    """'31 May 2026'; '' for no date."""
    d = _day(value)
    return "" if d is None else f"{d.day} {d:%b %Y}"


def format_month(value: object) -> str:
    """'May 2026' from a date or a '2026-05' month label; '' for none."""
    if isinstance(value, str) and len(value.strip()) == 7 and value[4] == "-":
        value = value.strip() + "-01"
    d = _day(value)
    return "" if d is None else f"{d:%B %Y}"


def format_month_range(start: object, end: object) -> str:
    """'Jul 2025 – May 2026' (both months named)."""
    a, b = _day(start), _day(end)
    if a is None or b is None:
        return ""
    if (a.year, a.month) == (b.year, b.month):
        return f"{a:%b %Y}"
    return f"{a:%b %Y} – {b:%b %Y}"


def format_period_label(label: object) -> str:
    """A period label for people: '2026-05' -> 'May 2026'; 'FY2026 Q1' and 'FY2026' unchanged."""
    text = "" if is_missing(label) else str(label)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit():
        return format_month(text)
    return text


__all__ = ["excel_format", "d3_format", "format_value", "format_kpi_value", "nearest_threshold", "format_goal_value", "format_money", "format_change", "format_relative_change",
           "format_date", "format_month", "format_month_range", "format_period_label", "plural", "singular",
           "is_missing", "MISSING"]
