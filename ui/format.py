"""Plain formatting for values, statuses and text from files (no streamlit, so tests need no app)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import pandas as pd

# Status: colour for those who see it, an icon and a word for everyone (colour-blind safe).
STATUS_STYLE = {
    "met": ("green", ":material/check_circle:", "Met"),
    "at_risk": ("orange", ":material/warning:", "At risk"),
    "missed": ("red", ":material/cancel:", "Missed"),
    "no_data": ("gray", ":material/help:", "No data"),
    "no_goal": ("gray", ":material/remove:", "No goal"),
}

# Light tints for table cells (Okabe-Ito hues, as in charts/theme.py), always next to the word.
STATUS_TINTS = {"met": "#D5EFE6", "at_risk": "#FBEBC8", "missed": "#F7D9C9", "no_data": "#EEEEEE",
                "no_goal": "#EEEEEE"}
STATUS_SYMBOL = {"met": "✓", "at_risk": "⚠", "missed": "✗", "no_data": "–", "no_goal": "–"}

UNIT_SUFFIX = {"days": " days", "bids": " bids", "count": "", "ratio": "", "share": "", "dollars": ""}

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:&])")


# A widget label renders inline Markdown only (checked in Chromium with Streamlit 1.67): emphasis, strikethrough,
# code, links, LaTeX, emoji and icon shortcodes, colour directives and HTML entities; not headings, lists or
# quotes. Its accessible name is the raw label, so label_escape escapes only what would render: a screen reader
# then hears 'Check No.', not 'Check No backslash dot'.
_LABEL_RULES = (
    (re.compile(r"\\(?=[!-/:-@\[-`{-~])"), None),  # a backslash before punctuation escapes it
    (re.compile(r"\*"), re.compile(r"\*.*\*", re.S)),
    (re.compile(r"~"), re.compile(r"~.*~", re.S)),
    (re.compile(r"`"), re.compile(r"`.*`", re.S)),
    (re.compile(r"_"), re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")),  # intraword underscores stay
    (re.compile(r"[\[\]]"), re.compile(r"\]\(|:[A-Za-z]+\[")),
    (re.compile(r":"), re.compile(r":(?=[^:\s]*[A-Za-z])[A-Za-z0-9_+\-/]+:|:[A-Za-z]+\[|:([+-]1|100|1234):")),
    (re.compile(r"/"), re.compile(r":[A-Za-z]+/[^:\s]*:")),  # ':material/home:' is an icon even with \: escapes
    (re.compile(r"&"), re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")),
    (re.compile(r"\$"), re.compile(r"\$[^\s$]([^$]*[^\s$])?\$")),
)


def label_escape(text: object) -> str:
    """Text from a file for a widget label (selectbox, expander, status): shown literally, with escapes only
    where Markdown would act, so its accessible name stays readable."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    raw = " ".join(str(text).split("\n"))
    out = raw
    for chars, risk in _LABEL_RULES:
        if risk is None or (risk.search(raw) and (chars.pattern != "_" or raw.count("_") >= 2)):
            out = chars.sub(lambda m: "\\" + m.group(0), out)
    return out


def md_escape(text: object) -> str:
    """Escape text from a file or registry so that Streamlit's markdown shows it literally."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_value(value: object, unit: str, *, short: bool = False) -> str:
    """'84 days', '23.4%', '$1.2M', '2.8 bids'; an em dash for no value."""
    if is_missing(value):
        return "—"
    v = float(value)
    if unit == "share":
        return f"{v:.0%}" if short else f"{v:.1%}"
    if unit == "dollars":
        return format_money(v, short=True)
    if unit == "days":
        return f"{v:,.0f} days"
    if unit == "count":
        return f"{v:,.0f}"
    if unit == "bids":
        return f"{v:.1f} bids"
    if unit == "ratio":
        return f"{v:.1%}" if abs(v) < 5 else f"{v:,.2f}"
    return f"{v:,.2f}"


def format_money(value: object, *, short: bool = False) -> str:
    if is_missing(value):
        return "—"
    v = float(value)
    if short:
        for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if abs(v) >= limit:
                return f"${v / limit:,.1f}{suffix}".replace("$-", "-$")
    return f"${v:,.0f}".replace("$-", "-$")


def format_change(value: object, previous: object, unit: str) -> str | None:
    """The change from previous to value in the KPI's own terms: '+3.1 pts', '-12 days', '+8%'."""
    if is_missing(value) or is_missing(previous):
        return None
    delta = float(value) - float(previous)
    if unit in ("share", "ratio"):
        return f"{_no_negative_zero(delta * 100, 1):+.1f} pts"
    if unit == "days":
        return f"{_no_negative_zero(delta, 0):+,.0f} days"
    if unit == "bids":
        return f"{_no_negative_zero(delta, 1):+.1f} bids"
    if unit == "dollars":
        return ("+" if delta >= 0 else "-") + format_money(abs(delta), short=True)
    return f"{delta:+,.0f}"


def _no_negative_zero(x: float, digits: int) -> float:
    """-0.04 shown to one decimal is '-0.0': call it no change."""
    return round(x, digits) + 0.0


def delta_color(direction: str) -> str:
    """st.metric's delta colour: a rise is good when higher is better."""
    return "normal" if str(direction).lower().startswith("higher") else "inverse"


def format_goal(target: object, at_risk: object, unit: str, direction: str) -> str:
    if is_missing(target):
        return "No goal set"
    better = "≥" if str(direction).lower().startswith("higher") else "≤"
    text = f"Goal {better} {format_value(target, unit, short=True)}"
    if not is_missing(at_risk):
        text += f" · at risk {better} {format_value(at_risk, unit, short=True)}"
    return text


def format_date(value: object) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    return str(value)


def status_label(status: object) -> str:
    _, icon, word = STATUS_STYLE.get(str(status), STATUS_STYLE["no_data"])
    return f"{icon} {word}"


def status_word(status: object) -> str:
    return STATUS_STYLE.get(str(status), STATUS_STYLE["no_data"])[2]


def status_text(status: object) -> str:
    """'✓ Met', '⚠ At risk', '✗ Missed' for tables, where icons cannot be drawn."""
    key = str(status) if str(status) in STATUS_STYLE else "no_data"
    return f"{STATUS_SYMBOL[key]} {STATUS_STYLE[key][2]}"
