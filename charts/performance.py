"""A contract metric's results over time against its target (the contract page and the check-in pack)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .theme import GOAL_COLOR, MISSED_TINT, SERIES_COLOR

PERCENT_UNITS = ("percent", "%", "pct", "percentage", "share", "rate", "percent of total")


def _is_percent(unit, target) -> bool:
    if isinstance(unit, str) and unit.strip().lower() in PERCENT_UNITS:
        return True
    # No unit: a target written as a fraction (95%) reads as a percent.
    return not (isinstance(unit, str) and unit.strip()) and target is not None and pd.notna(target) and 0 < target <= 1


def metric_trend(results: pd.DataFrame, *, title: str, target=None, unit=None, direction: str = "",
                 width: int = 420, height: int = 220) -> alt.Chart:
    """Line of a metric's values by period end (points off target in the warning colour) with the target drawn
    as a dashed rule. `results`: period_end, value (one metric). `direction`: 'higher is better' / 'lower is
    better' (decides which points miss)."""
    pct = _is_percent(unit, target)
    fmt = ".1~%" if pct else ",.4~g"
    axis_fmt = ".2~%" if pct else ",.4~g"  # ticks 0.05 points apart stay distinct
    f = results[["period_end", "value"]].copy()
    lower = str(direction).startswith("lower")
    if target is not None and pd.notna(target):
        f["status"] = ["off target" if (v > target if lower else v < target) else "on target" for v in f["value"]]
    else:
        f["status"] = "no target"
    base = alt.Chart(f).encode(
        x=alt.X("period_end:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6)),
        y=alt.Y("value:Q", title=None, axis=alt.Axis(format=axis_fmt), scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("period_end:T", title="Period ending", format="%d %b %Y"),
                 alt.Tooltip("value:Q", title="Value", format=fmt), alt.Tooltip("status:N", title="Status")],
    )
    line = base.mark_line(color=SERIES_COLOR, strokeWidth=2.5)
    colours = {"on target": SERIES_COLOR, "off target": MISSED_TINT, "no target": "#6B6B6B"}
    present = [k for k in colours if k in set(f["status"])]
    points = base.mark_point(filled=True, size=80).encode(
        color=alt.Color("status:N", scale=alt.Scale(domain=present, range=[colours[k] for k in present]),
                        legend=alt.Legend(title=None, orient="bottom")))
    layers = [line, points]
    if target is not None and pd.notna(target):
        word = "at most" if lower else "at least"
        label = f"Target: {word} " + (f"{target:.1%}".replace(".0%", "%") if pct else f"{target:,.4g}")
        rule = alt.Chart(pd.DataFrame({"target": [target], "label": [label]})).encode(y="target:Q")
        layers += [rule.mark_rule(color=GOAL_COLOR, strokeDash=[6, 4], strokeWidth=1.5),
                   rule.mark_text(align="left", dx=4, dy=-8, color=GOAL_COLOR, fontSize=13).encode(
                       x=alt.value(0), text="label:N")]
    return alt.layer(*layers).properties(title=title, width=width, height=height)
