"""What changed: a period against the previous one and the same period last year, notable only beyond noise."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .goals import assess
from .registry import KPI

Z = 1.96  # two-sided 95%
SPREAD_PERIODS = 8  # recent periods whose spread is the noise of medians, means and ratios
MIN_SPREAD_PERIODS = 3
# Percentages that are not a count of successes out of n: judged against the spread of recent periods.
RATES_NOT_PROPORTIONS = ("cost_growth", "savings_rate")


@dataclass(frozen=True)
class Change:
    """One comparison: `kind` is 'previous period' or 'same period last year'."""

    kind: str
    from_label: str
    from_value: float
    to_label: str
    to_value: float
    delta: float
    notable: bool
    test: str  # how noise was judged, in words
    sentence: str


def format_value(value, unit: str) -> str:
    """'24%', '84 days', '2.6 bids', '3', '$1.2M'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    v = float(value)
    if unit in ("share", "ratio"):
        pct = v * 100
        return f"{pct:.0f}%" if abs(pct) >= 10 or pct == round(pct) else f"{pct:.1f}%"
    if unit == "days":
        return f"{v:.0f} days" if abs(v - round(v)) < 0.05 else f"{v:.1f} days"
    if unit == "bids":
        return f"{v:.1f} bids"
    if unit == "dollars":
        for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if abs(v) >= div:
                return f"${v / div:.1f}{suffix}"
        return f"${v:,.0f}"
    return f"{v:,.0f}" if v == round(v) else f"{v:,.1f}"


def _is_num(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x)) and not pd.isna(x)


def _share_test(p1: float, n1: int, p0: float, n0: int) -> tuple[bool, str]:
    """Two-proportion z-test with pooled variance."""
    if n1 <= 0 or n0 <= 0:
        return False, "too few records to judge"
    pooled = (p1 * n1 + p0 * n0) / (n1 + n0)
    se = math.sqrt(max(pooled * (1 - pooled), 0.0) * (1 / n1 + 1 / n0))
    if se == 0:
        return p1 != p0, "no variation in either period"
    z = (p1 - p0) / se
    return abs(z) >= Z, f"two-proportion z = {z:.2f} (n = {n1} and {n0})"


def _count_test(a: float, b: float) -> tuple[bool, str]:
    """Counts as Poisson: the difference is notable beyond 1.96 standard errors of a difference of counts."""
    se = math.sqrt(max(a + b, 1.0))
    z = (a - b) / se
    return abs(z) >= Z, f"difference of counts {a - b:+.0f} against a noise of {Z * se:.1f}"


def _spread_test(delta: float, history: np.ndarray) -> tuple[bool, str]:
    """Against the spread of recent periods: 1.4826 x MAD (robust standard deviation) of their values."""
    h = history[~np.isnan(history)][-SPREAD_PERIODS:]
    if len(h) < MIN_SPREAD_PERIODS:
        return False, f"fewer than {MIN_SPREAD_PERIODS} earlier periods to judge the noise"
    spread = 1.4826 * float(np.median(np.abs(h - np.median(h))))
    if spread == 0:
        q1, q3 = np.percentile(h, [25, 75])
        spread = float(q3 - q1) / 1.349
    if spread == 0:
        return delta != 0, "earlier periods did not vary"
    return abs(delta) >= Z * spread, f"change {delta:+.3g} against a spread of {spread:.3g} in recent periods"


def _mean_test(m1, sd1, n1, m0, sd0, n0) -> tuple[bool, str] | None:
    if not all(_is_num(x) for x in (sd1, sd0)) or n1 < 2 or n0 < 2:
        return None
    se = math.sqrt(sd1 ** 2 / n1 + sd0 ** 2 / n0)
    if se == 0:
        return m1 != m0, "no variation in either period"
    z = (m1 - m0) / se
    return abs(z) >= Z, f"Welch z = {z:.2f} (n = {n1} and {n0})"


def notable(kpi: KPI, cur: pd.Series, ref: pd.Series, history: np.ndarray) -> tuple[bool, str]:
    """Whether the move from `ref` to `cur` is beyond the noise for this kind of KPI."""
    v1, v0 = float(cur["value"]), float(ref["value"])
    n1, n0 = int(cur["n"]), int(ref["n"])
    if kpi.unit == "share" and 0 <= v1 <= 1 and 0 <= v0 <= 1 and kpi.id not in RATES_NOT_PROPORTIONS:
        # Dollar-weighted shares use the same binomial standard error on their record counts.
        return _share_test(v1, n1, v0, n0)
    if kpi.kind in ("count", "snapshot_count", "distinct"):
        return _count_test(v1, v0)
    if kpi.kind == "mean":
        t = _mean_test(v1, cur.get("sd"), n1, v0, ref.get("sd"), n0)
        if t is not None:
            return t
    return _spread_test(v1 - v0, history)


def _verb(kpi: KPI, delta: float) -> str:
    return "rose" if delta > 0 else "fell" if delta < 0 else "held"


def _named(value, unit: str, what: str) -> str:
    """'the 20% at-risk limit', 'the 90-day goal', 'the 3.0-bid goal', 'the at-risk limit of 3'."""
    if unit in ("share", "ratio"):
        return f"the {format_value(value, unit)} {what}"
    if unit == "days":
        return f"the {float(value):g}-day {what}"
    if unit == "bids":
        return f"the {float(value):.1f}-bid {what}"
    return f"the {what} of {format_value(value, unit)}"


def goal_phrase(kpi: KPI, value: float, goal) -> str:
    """', meeting the 90-day goal' / ', above the 20% at-risk limit' / '' (no goal)."""
    target = getattr(goal, "target", None) if goal is not None else None
    at_risk = getattr(goal, "at_risk", None) if goal is not None else None
    status = assess(value, target, at_risk, kpi.direction)
    if status in ("no_goal", "no_data"):
        return ""
    if status == "met":
        return f", meeting {_named(target, kpi.unit, 'goal')}"
    side = "above" if kpi.direction == "lower" else "below"
    if status == "at_risk":
        return f", {side} {_named(target, kpi.unit, 'goal')} but within {_named(at_risk, kpi.unit, 'at-risk limit')}"
    if at_risk is not None:
        return f", {side} {_named(at_risk, kpi.unit, 'at-risk limit')}"
    return f", {side} {_named(target, kpi.unit, 'goal')}"


def _comparisons(result) -> tuple[pd.Series | None, pd.DataFrame]:
    f = result.frame
    if result.by or f.empty:
        return None, f
    f = f[f["n"] > 0].reset_index(drop=True)
    return (f.iloc[-1] if len(f) else None), f


def _find(frame: pd.DataFrame, label: str):
    rows = frame[frame["period_label"] == label]
    return rows.iloc[-1] if len(rows) else None


def _last_year_label(result, row) -> str:
    from . import periods as P

    code = P.parse_label(row["period_label"], result.grain, result.fy_start_month)
    per_year = {"month": 12, "quarter": 4, "year": 1}[result.grain]
    return P.labels([code - per_year], result.grain, result.fy_start_month)[0]


def _prev_label(result, row) -> str:
    from . import periods as P

    code = P.parse_label(row["period_label"], result.grain, result.fy_start_month)
    return P.labels([code - 1], result.grain, result.fy_start_month)[0]


def what_changed(result, goal=None, period_label: str | None = None) -> list[Change]:
    """Changes of the period (default: the latest with records) against the previous period and the same
    period last year (the same comparison when the grain is the fiscal year)."""
    cur, frame = _comparisons(result)
    if period_label is not None:
        cur = _find(frame, period_label)
    if cur is None:
        return []
    kpi = result.kpi
    goal = kpi.goal if goal is None else goal
    out = []
    labels = [("previous period", _prev_label(result, cur)), ("same period last year", _last_year_label(result, cur))]
    if labels[0][1] == labels[1][1]:
        labels = labels[1:]
    before = frame[frame["period_start"] < cur["period_start"]]
    for kind, label in labels:
        ref = _find(frame, label)
        if ref is None or not _is_num(ref["value"]) or not _is_num(cur["value"]):
            continue
        # Noise of medians/means/ratios: the spread of the periods before the current one, at the same grain.
        history = before["value"].to_numpy(dtype=float)
        ok, test = notable(kpi, cur, ref, history)
        delta = float(cur["value"]) - float(ref["value"])
        sentence = change_sentence(kpi, cur, ref, goal, kind, ok)
        out.append(Change(kind, label, float(ref["value"]), str(cur["period_label"]), float(cur["value"]), delta,
                          ok, test, sentence))
    return out


def change_sentence(kpi: KPI, cur, ref, goal, kind: str, is_notable: bool) -> str:
    """'Single-bid solicitations rose to 24% in FY2026 Q2 (41 solicitations), above the 20% at-risk limit,
    from 15% a year earlier.'"""
    v, v0 = float(cur["value"]), float(ref["value"])
    when = "a year earlier" if kind == "same period last year" else f"in {ref['period_label']}"
    head = f"{kpi.title} "
    n = f" ({int(cur['n']):,} {kpi.noun})"
    g = goal_phrase(kpi, v, goal)
    if not is_notable or v == v0:
        return (f"{head}stood at {format_value(v, kpi.unit)} in {cur['period_label']}{n}{g}, about the same as "
                f"{when} ({format_value(v0, kpi.unit)}, within normal variation).")
    return (f"{head}{_verb(kpi, v - v0)} to {format_value(v, kpi.unit)} in {cur['period_label']}{n}{g}, "
            f"from {format_value(v0, kpi.unit)} {when}.")


def summary(result, goal=None, period_label: str | None = None) -> str:
    """One sentence for the KPI: the most telling notable change, else its value against the goal."""
    kpi = result.kpi
    if result.no_data:
        return f"{kpi.title}: {result.message.lower().replace('no data: ', 'no data (')})." if result.missing \
            else f"{kpi.title}: no data for this selection."
    goal = kpi.goal if goal is None else goal
    changes = what_changed(result, goal, period_label)
    for c in sorted(changes, key=lambda c: c.kind != "same period last year"):
        if c.notable:
            return c.sentence
    cur, frame = _comparisons(result)
    if period_label is not None:
        cur = _find(frame, period_label)
    if cur is None:
        return f"{kpi.title}: no data for this selection."
    if changes:
        c = next((c for c in changes if c.kind == "same period last year"), changes[0])
        return c.sentence
    return (f"{kpi.title} stood at {format_value(float(cur['value']), kpi.unit)} in {cur['period_label']} "
            f"({int(cur['n']):,} {kpi.noun}){goal_phrase(kpi, float(cur['value']), goal)}.")
