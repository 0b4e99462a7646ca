"""Plain formatting for values, statuses and text from files (no streamlit, so tests need no app)."""

from __future__ import annotations

import math
import re

from kpi import format as kpi_format
from kpi import wording
from kpi.format import (  # noqa: F401 - the app's formatters are kpi.format's
    format_change,
    format_date,
    format_kpi_value,
    format_money,
    format_month,
    format_period_label,
    format_relative_change,
    is_missing,
    plural,
)

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


def format_value(value: object, unit: str, *, short: bool = False, against: object = None) -> str:
    """'84 days', '23.4%', '$1.2M', '2.8 bids'; an em dash for no value (kpi.format.format_value: the one
    rounding of the app, the exports and the deck; `short` is kept for callers and changes nothing)."""
    return kpi_format.format_value(value, unit, against=against)


def delta_color(direction: str) -> str:
    """st.metric's delta colour: a rise is good when higher is better."""
    return "normal" if str(direction).lower().startswith("higher") else "inverse"


def format_goal(target: object, at_risk: object, unit: str, direction: str) -> str:
    """'Goal ≥ 90% · at risk ≥ 80%' (kpi.wording.goal_text)."""
    return wording.goal_text(target, at_risk, unit, direction)


def status_label(status: object) -> str:
    _, icon, word = STATUS_STYLE.get(str(status), STATUS_STYLE["no_data"])
    return f"{icon} {word}"


def status_word(status: object) -> str:
    return wording.status_word(status)


def status_text(status: object) -> str:
    """'✓ Met', '⚠ At risk', '✗ Missed' for tables, where icons cannot be drawn."""
    key = str(status) if str(status) in STATUS_STYLE else "no_data"
    return f"{STATUS_SYMBOL[key]} {STATUS_STYLE[key][2]}"
