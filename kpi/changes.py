"""What changed: a period against the previous one and the same period last year, notable only beyond noise."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import wording
from .format import (
    format_period_label,
    format_value,  # noqa: F401 - kept for callers of kpi.changes.format_value
)
from .registry import KPI

Z = 1.96  # two-sided 95%
SPREAD_PERIODS = 8  # recent periods whose spread is the noise of medians, means and ratios
MIN_SPREAD_PERIODS = 3
# Percentages that are not a count of successes out of n: judged against the spread of recent periods.
RATES_NOT_PROPORTIONS = ("cost_growth", "savings_rate")
# Tests that could not judge the noise: their changes are stated without "within normal variation".
UNJUDGED = ("fewer than", "too few")


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


def goal_phrase(kpi: KPI, value: float, goal) -> str:
    """', meeting the 90-day goal' / ', above the 20% at-risk limit' / '' (no goal): see kpi.wording."""
    return wording.goal_phrase(kpi.unit, kpi.direction, value, goal)


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


def _when(names: dict | None, label: str) -> str:
    """A period label for a sentence: as `names` words it, else 'FY2026 Q2', 'October 2025'."""
    return (names or {}).get(str(label)) or format_period_label(label)


def _amount(row, name):
    return row.get(name) if hasattr(row, "get") else None


def what_changed(result, goal=None, period_label: str | None = None, names: dict | None = None) -> list[Change]:
    """Changes of the period (default: the latest with records) against the previous period and the same
    period last year (the same comparison when the grain is the fiscal year). `names` words period labels
    for the sentences ({'FY2026': 'FY2026 year to date', 'FY2025': 'the same months of FY2025'})."""
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
        sentence = change_sentence(kpi, cur, ref, goal, kind, ok, names, judged=not test.startswith(UNJUDGED))
        out.append(Change(kind, label, float(ref["value"]), str(cur["period_label"]), float(cur["value"]), delta,
                          ok, test, sentence))
    return out


def change_sentence(kpi: KPI, cur, ref, goal, kind: str, is_notable: bool, names: dict | None = None, *,
                    judged: bool = True) -> str:
    """'Single-bid solicitations rose from 15.0% in FY2025 to 24.1% in FY2026 (41 solicitations), above the 20%
    at-risk limit.' (see kpi.wording.change_sentence)."""
    return wording.change_sentence(
        title=kpi.title, unit=kpi.unit, direction=kpi.direction, noun=kpi.noun, value=float(cur["value"]),
        n=int(cur["n"]), when=_when(names, cur["period_label"]), previous=float(ref["value"]),
        previous_when=_when(names, ref["period_label"]), notable=is_notable, judged=judged, goal=goal,
        yearly=kind == "same period last year" or result_grain_is_year(cur, ref),
        numerator=_amount(cur, "numerator") if kpi.dollars else None,
        denominator=_amount(cur, "denominator") if kpi.dollars else None, dollars=kpi.dollars)


def result_grain_is_year(cur, ref) -> bool:
    return str(cur["period_label"]).startswith("FY") and " " not in str(cur["period_label"]) and \
        str(ref["period_label"]).startswith("FY")


def summary(result, goal=None, period_label: str | None = None, names: dict | None = None) -> str:
    """One sentence for the KPI: its movement against the same period last year (else the previous period),
    qualified by the noise test; its value against the goal when there is nothing to compare with."""
    kpi = result.kpi
    if result.no_data:
        return f"{kpi.title}: {result.message.lower().replace('no data: ', 'no data (')})." if result.missing \
            else f"{kpi.title}: no data for this selection."
    goal = kpi.goal if goal is None else goal
    changes = what_changed(result, goal, period_label, names)
    cur, frame = _comparisons(result)
    if period_label is not None:
        cur = _find(frame, period_label)
    if cur is None:
        return f"{kpi.title}: no data for this selection."
    if changes:
        notable_first = sorted(changes, key=lambda c: (not c.notable, c.kind != "same period last year"))
        return notable_first[0].sentence
    return wording.value_sentence(
        title=kpi.title, unit=kpi.unit, direction=kpi.direction, noun=kpi.noun, value=float(cur["value"]),
        n=int(cur["n"]), when=_when(names, cur["period_label"]), goal=goal,
        numerator=_amount(cur, "numerator") if kpi.dollars else None,
        denominator=_amount(cur, "denominator") if kpi.dollars else None, dollars=kpi.dollars)
