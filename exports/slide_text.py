"""Text for a reader of the slides: no field names, no criterion codes, and where a goal comes from.

Slides carry plain words only; speaker notes may name the What Works Cities criteria, spelled out.
"""

from __future__ import annotations

import math
import re

from loaders.labels import plain_words

OFFICE_SET = "set by your office"
# The registry marks goals it proposes without a published benchmark with this phrase.
REGISTRY_OFFICE_PHRASE = "set by your office"
DESIGN_DEFAULT = "Design default"

_CODE = r"RDC\s?\d+"
_CODES_IN_PARENS = re.compile(rf"\s*\(\s*{_CODE}(?:\s*,\s*{_CODE})*\s*\)")
_CODE_LEADING = re.compile(rf"\b{_CODE}\b[\s:,]*")
_WWC_AFTER_CODE = re.compile(rf"\b({_CODE})\s*\(What Works Cities\)")
_CODE_WORD = re.compile(r"\bRDC\s?(\d+)\b")
CRITERION_CODE = re.compile(rf"\b{_CODE}\b")


def _tidy(text: str) -> str:
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"\(\s+", "(", text)
    text = re.sub(r"\s+\)", ")", text)
    text = re.sub(r"\s+([.,;:])", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def on_slide(text: object) -> str:
    """Text for a slide: canonical field names in words, criterion codes (RDC5) left out."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    out = plain_words(str(text))
    out = _WWC_AFTER_CODE.sub("What Works Cities", out)
    out = _CODES_IN_PARENS.sub("", out)
    out = _CODE_LEADING.sub("", out)
    return _tidy(out) if out != str(text) else out


def in_notes(text: object) -> str:
    """Text for speaker notes: field names in words, each criterion code spelled out
    ('RDC5' -> 'What Works Cities criterion RDC 5')."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    out = plain_words(str(text))
    out = _WWC_AFTER_CODE.sub(r"\1", out)
    out = _CODE_WORD.sub(r"What Works Cities criterion RDC \1", out)
    return re.sub(r"(criterion RDC \d+) (?=[a-z])", r"\1: ", out)


def _num(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def is_default_goal(kpi, target, at_risk, source) -> bool:
    """Whether a goal is the KPI's registry default (same target, at-risk limit and source)."""
    default = getattr(kpi, "goal", None)
    if default is None:
        return False
    same = _num(default.target) == _num(target) and _num(default.at_risk) == _num(at_risk)
    return same and str(default.source or "") == str(source or "")


def goal_source(kpi, target, at_risk, source) -> str:
    """Where a goal comes from, in words (codes kept: pass it through on_slide or in_notes).

    A goal the office set: 'set by your office' (and its note of source, if any). The registry's default:
    'default from <source>', or 'dashboard default, not yet set by your office' where the default has no
    published source.
    """
    src = str(source or "").strip()
    if not is_default_goal(kpi, target, at_risk, src):
        return OFFICE_SET if not src or src.lower() == OFFICE_SET else f"{OFFICE_SET} ({src})"
    if src.lower().startswith(REGISTRY_OFFICE_PHRASE):
        rest = src[len(REGISTRY_OFFICE_PHRASE):].strip()
        return "dashboard default, not yet set by your office" + (f" {rest}" if rest else "")
    if src.startswith(DESIGN_DEFAULT):
        rest = src[len(DESIGN_DEFAULT):].strip()
        return "dashboard default, not yet set by your office" + (f" {rest}" if rest else "")
    return f"default from {src}" if src else "dashboard default, not yet set by your office"
