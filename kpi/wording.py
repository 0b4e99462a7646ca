"""The words around the numbers: goal phrases, status words and the sentences of cards, "What changed",
reports and the deck (plain Python, no streamlit). Numbers come from kpi.format only.

A sentence states the movement from what to what, then qualifies it; it never calls a change of 10% or
more "about the same", and the number it shows is the number the card shows.
"""

from __future__ import annotations

from .format import (
    _number,
    format_goal_value,
    format_kpi_value,
    format_money,
    is_missing,
    nearest_threshold,
    plural,
)
from .goals import assess

STATUS_WORDS = {"met": "Met", "at_risk": "At risk", "missed": "Missed", "no_data": "No data", "no_goal": "No goal"}
NOISE_YEAR = "within normal year-to-year variation"
NOISE_PERIOD = "within normal variation"
# Relative change from which "doubled" / "halved" are said (a ratio this close to 2 or 1/2 reads as exact).
EXACT_RATIO = 0.02


def status_word(status: object) -> str:
    """'Met', 'At risk', 'Missed', 'No data', 'No goal'."""
    return STATUS_WORDS.get(str(status), STATUS_WORDS["no_data"])


def _get(goal, key):
    if goal is None:
        return None
    return goal.get(key) if isinstance(goal, dict) else getattr(goal, key, None)


def goal_text(target: object, at_risk: object, unit: str, direction: str | None) -> str:
    """'Goal ≥ 90% · at risk ≥ 80%', 'Goal ≤ 60 days', 'No goal set'."""
    if is_missing(target):
        return "No goal set"
    better = "≥" if str(direction).lower().startswith("higher") else "≤"
    text = f"Goal {better} {format_goal_value(target, unit)}"
    if not is_missing(at_risk):
        text += f" · at risk {better} {format_goal_value(at_risk, unit)}"
    return text


def goal_words(target: object, at_risk: object, unit: str, direction: str | None) -> str:
    """'Goal: 60 days or less (at risk up to 90 days)' for a chart or a slide; '' without a target."""
    if is_missing(target):
        return ""
    t = format_goal_value(target, unit)
    at = None if is_missing(at_risk) or _number(at_risk) == _number(target) else format_goal_value(at_risk, unit)
    if direction == "lower":
        return f"Goal: {t} or less" + (f" (at risk up to {at})" if at else "")
    if direction == "higher":
        return f"Goal: {t} or more" + (f" (at risk down to {at})" if at else "")
    return f"Goal: {t}"


def named_threshold(value: object, unit: str, what: str) -> str:
    """'the 90% goal', 'the 60-day goal', 'the 3-bid at-risk limit', 'the goal of 12', 'the goal of $1.5M'."""
    text = format_goal_value(value, unit)
    if unit == "share":
        return f"the {text} {what}"
    if unit in ("days", "bids"):
        number = text.rsplit(" ", 1)[0]
        return f"the {number}-{unit[:-1]} {what}"
    return f"the {what} of {text}"


def goal_phrase(unit: str, direction: str | None, value: object, goal) -> str:
    """', meeting the 90-day goal' / ', above the 60-day goal but within the 90-day at-risk limit' /
    ', below the 80% at-risk limit' / '' (no goal or no value)."""
    target, at_risk = _number(_get(goal, "target")), _number(_get(goal, "at_risk"))
    status = assess(value, target, at_risk, direction)
    if status in ("no_goal", "no_data"):
        return ""
    if status == "met":
        return f", meeting {named_threshold(target, unit, 'goal')}"
    side = "above" if direction == "lower" else "below"
    if status == "at_risk":
        return (f", {side} {named_threshold(target, unit, 'goal')} but within "
                f"{named_threshold(at_risk, unit, 'at-risk limit')}")
    if at_risk is not None:
        return f", {side} {named_threshold(at_risk, unit, 'at-risk limit')}"
    return f", {side} {named_threshold(target, unit, 'goal')}"


def amounts_phrase(numerator: object, denominator: object, template: str = "{num} of {den}") -> str:
    """'$12.3M of $65.4M paid' for a dollar-weighted share (the KPI's `dollars` template); '' without both
    amounts or a template."""
    if is_missing(numerator) or is_missing(denominator) or not template:
        return ""
    return template.format(num=format_money(numerator), den=format_money(denominator))


def _detail(n: object, noun: str, numerator: object = None, denominator: object = None, dollars: str = "") -> str:
    """' ($12.3M of $65.4M paid, 1,204 payments)' / ' (41 solicitations)'."""
    parts = [p for p in (amounts_phrase(numerator, denominator, dollars), plural(n, noun) if not is_missing(n)
                         else "") if p]
    return f" ({', '.join(parts)})" if parts else ""


def movement_verb(unit: str, before: float, after: float) -> str:
    """'rose', 'fell', 'doubled', 'more than doubled', 'halved', 'fell by more than half' (the last four for
    counts, days, bids and dollars: a share's change is read in points)."""
    verb = "rose" if after > before else "fell"
    if unit != "share" and before > 0 and after >= 0:
        ratio = after / before
        if abs(ratio - 2) <= 2 * EXACT_RATIO:
            return "doubled"
        if ratio > 2:
            return "more than doubled"
        if abs(ratio - 0.5) <= 0.5 * EXACT_RATIO:
            return "halved"
        if ratio < 0.5:
            return "fell by more than half"
    return verb


def change_sentence(*, title: str, unit: str, direction: str | None, noun: str, value: float, n: int,
                    when: str, previous: float, previous_when: str, notable: bool, goal=None, judged: bool = True,
                    yearly: bool = True, numerator: object = None, denominator: object = None,
                    dollars: str = "") -> str:
    """'Single-bid solicitations rose from 15.0% in FY2025 to 24.1% in FY2026 (41 solicitations), above the 20%
    at-risk limit.' A change the noise test does not single out is said so: '..., within normal year-to-year
    variation.' (only when the noise could be `judged`: with too few periods nothing is said about it)."""
    target, at_risk = _get(goal, "target"), _get(goal, "at_risk")
    after = format_kpi_value(value, unit, target, at_risk)
    before = format_kpi_value(previous, unit, target, at_risk)
    counted = _detail(n, noun, numerator, denominator, dollars)
    status = goal_phrase(unit, direction, value, goal)
    if before == after:
        return f"{title} was unchanged at {after} in {when}{counted}, as in {previous_when}{status}."
    verb = movement_verb(unit, float(previous), float(value))
    qualifier = "" if notable or not judged else f", {NOISE_YEAR if yearly else NOISE_PERIOD}"
    return f"{title} {verb} from {before} in {previous_when} to {after} in {when}{counted}{status}{qualifier}."


def value_sentence(*, title: str, unit: str, direction: str | None, noun: str, value: float, n: int, when: str,
                   goal=None, numerator: object = None, denominator: object = None, dollars: str = "") -> str:
    """'Procurement lead time stood at 84 days in FY2026 (212 awards), above the 60-day goal ...'."""
    target, at_risk = _get(goal, "target"), _get(goal, "at_risk")
    shown = format_kpi_value(value, unit, target, at_risk)
    return (f"{title} stood at {shown} in {when}{_detail(n, noun, numerator, denominator, dollars)}"
            f"{goal_phrase(unit, direction, value, goal)}.")


def movement_score(unit: str, direction: str | None, value: object, previous: object) -> float:
    """How far a KPI moved, signed so that worse is negative: points for shares, percent for the rest
    (for ordering "What changed": the worst and largest first). 0 without both values or a direction."""
    v, p = _number(value), _number(previous)
    if v is None or p is None or direction not in ("higher", "lower"):
        return 0.0
    change = (v - p) * 100 if unit == "share" else ((v - p) / abs(p) * 100 if p else (100.0 if v else 0.0))
    return change if direction == "higher" else -change


__all__ = ["status_word", "goal_text", "goal_words", "goal_phrase", "named_threshold", "change_sentence", "value_sentence",
           "amounts_phrase", "movement_score", "movement_verb", "nearest_threshold", "STATUS_WORDS"]
