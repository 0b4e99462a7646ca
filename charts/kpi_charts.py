"""Altair chart builders for KPI results: trend, breakdown, distribution, sparkline (no streamlit)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from kpi.format import format_goal_value, format_kpi_value

from . import theme as th
from .formats import axis_format, axis_label_expr, format_value

PARTIAL_LABEL = "partial period (not over yet)"
COMPLETE_LABEL = "complete period"
TOP_GROUPS = 15
# Above this many rows a frame is not an aggregate: refuse early with a clear message instead of
# letting Altair raise MaxRowsError deep inside to_dict().
MAX_ROWS = 5000


# ---------------------------------------------------------------- small helpers


def no_stray_tooltips(chart):
    """Every mark without a tooltip of its own gets none: Streamlit turns tooltips on for every mark, which
    would show a zone's or a label's raw fields ('a 0.8 / b 0', 'value_text'). Changes the chart in place."""
    for attr in ("layer", "hconcat", "vconcat", "concat"):
        parts = getattr(chart, attr, alt.Undefined)
        if isinstance(parts, list):
            for part in parts:
                no_stray_tooltips(part)
    if isinstance(chart, alt.Chart):
        enc = chart.encoding
        has_tooltip = enc is not alt.Undefined and getattr(enc, "tooltip", alt.Undefined) is not alt.Undefined
        if not has_tooltip:
            mark = chart.mark
            if isinstance(mark, str):
                chart.mark = alt.MarkDef(type=mark, tooltip=None)
            elif mark is not alt.Undefined:
                mark.tooltip = None
    return chart


def quiet_tooltips(builder):
    """A chart builder whose decorative marks (zones, rules, labels) never show a tooltip."""
    import functools

    @functools.wraps(builder)
    def build(*args, **kwargs):
        return no_stray_tooltips(builder(*args, **kwargs))

    return build


def _attr(obj, name, default=None):
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _num(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _nice_ceiling(x: float) -> float:
    """The smallest round number (1, 1.2, 1.4 ... 9, 10 times a power of ten) at or above x."""
    if x <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(x))
    for m in (1, 1.2, 1.4, 1.5, 1.6, 1.8, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 8, 9, 10):
        if m * exp >= x * (1 - 1e-9):
            return m * exp
    return 10 * exp


def value_domain(values, unit: str | None, headroom: float = 0.12) -> tuple[float, float]:
    """[lo, hi] for a value axis: includes zero, the data and goal values, with room for labels above.

    Shares stop at 100% unless a value goes beyond it.
    """
    v = [float(x) for x in values if _num(x) is not None]
    if not v:
        return 0.0, 1.0
    top, bottom = max(v + [0.0]), min(v + [0.0])
    hi = _nice_ceiling(top * (1 + headroom)) if top > 0 else 0.0
    lo = -_nice_ceiling(-bottom * (1 + headroom)) if bottom < 0 else 0.0
    if unit == "share" and top <= 1.0 < hi:
        hi = 1.0
    if hi == lo:
        hi = lo + 1.0
    return lo, hi


def goal_bounds(goal) -> tuple[float | None, float | None]:
    """(target, at_risk) of a Goal-like object or dict; None where unset."""
    return _num(_attr(goal, "target")), _num(_attr(goal, "at_risk"))


def _resolve_goal(result, goal):
    """goal=None means the KPI's own default goal; goal=False means draw no goal."""
    if goal is False:
        return None
    if goal is None:
        return _attr(_attr(result, "kpi"), "goal")
    return goal


def goal_text(goal, unit: str | None, direction: str | None) -> str:
    """'Goal: 60 days or less (at risk up to 90 days)'; '' when the goal has no target (kpi.wording.goal_words)."""
    from kpi.wording import goal_words

    target, at_risk = goal_bounds(goal)
    return goal_words(target, at_risk, unit or "", direction)


@quiet_tooltips
def message_chart(
    text: str, *, title: str | None = None, width: int = 640, height: int = 200
) -> alt.LayerChart:
    """A chart that says why there is nothing to draw (never an empty plot)."""
    df = pd.DataFrame({"text": [text]})
    layer = (
        alt.Chart(df)
        .mark_text(fontSize=th.LABEL_SIZE + 2, color=th.MUTED_COLOR, align="center", baseline="middle")
        .encode(text="text:N", x=alt.value(width / 2), y=alt.value(height / 2))
    )
    return alt.layer(layer).properties(width=width, height=height, **_title(title, None))


def _title(title, subtitle, width: int = 640):
    """{'title': TitleParams} for .properties(**...), or {} when there is no title at all. Subtitle lines are
    wrapped to the chart's width: Vega-Lite never wraps them, so a long definition would widen the image."""
    if title is None and not subtitle:
        return {}
    if isinstance(subtitle, str):
        subtitle = [subtitle]
    if subtitle:
        chars = max(60, int(width / (th.SUBTITLE_SIZE * 0.5)))
        lines = [part for line in subtitle for part in (textwrap.wrap(str(line), chars) or [""])]
        return {"title": alt.TitleParams(text=title or "", subtitle=lines)}
    return {"title": alt.TitleParams(text=title or "")}


def _check_rows(df: pd.DataFrame, what: str) -> None:
    if len(df) > MAX_ROWS:
        raise ValueError(
            f"{what}: {len(df):,} rows is not an aggregate; aggregate in pandas first (at most {MAX_ROWS:,})"
        )


def _no_data_text(result) -> str | None:
    frame = _attr(result, "frame")
    missing = _attr(result, "missing") or ()
    if _attr(result, "no_data") or frame is None or len(frame) == 0 or frame["value"].notna().sum() == 0:
        if missing:
            cols = ", ".join(str(m) for m in missing)
            return f"No data: needs {cols}"
        return "No data for this selection"
    return None


def _y_axis(unit, title=None) -> alt.Axis:
    kw = {"format": axis_format(unit), "title": title if title is not None else _unit_axis_title(unit)}
    expr = axis_label_expr(unit)
    if expr:
        kw["labelExpr"] = expr
    if unit == "count":  # whole things: no 0.5 ticks printed as "1, 1, 2, 2"
        kw["tickMinStep"] = 1
    return alt.Axis(tickCount=6, **kw)


def _unit_axis_title(unit):
    return {"days": "days", "bids": "bids per solicitation"}.get(unit or "", "")


def _zone_layers(
    target,
    at_risk,
    direction,
    *,
    orient: str,
    domain: tuple[float, float],
    width: int = 0,
    height: int = 0,
    label_zones=True,
):
    """Shaded at-risk band (between target and at-risk limit) and missed zone (limit to the axis end).

    orient "y": horizontal bands on a vertical value axis (trend), zone words right of the plot;
    "x": vertical bands (breakdown), zone words above the plot. Colour is never the only cue.
    """
    if target is None or direction not in ("higher", "lower"):
        return []
    lo, hi = domain
    limit = at_risk if at_risk is not None else target
    edge = hi if direction == "lower" else lo
    zones = []
    if at_risk is not None and at_risk != target:
        zones.append(("at risk", target, limit, th.AT_RISK_TINT, 0.2, "#8A5A00"))
    if (edge - limit) * (1 if direction == "lower" else -1) > 0:
        zones.append(("missed", limit, edge, th.MISSED_TINT, 0.11, "#A34700"))
    if not zones:
        return []
    d = pd.DataFrame([{"zone": z, "a": a, "b": b, "mid": (a + b) / 2} for z, a, b, *_ in zones])
    enc_a = alt.Y("a:Q") if orient == "y" else alt.X("a:Q")
    enc_b = alt.Y2("b:Q") if orient == "y" else alt.X2("b:Q")
    layers = []
    for z, _a, _b, tint, opacity, _ in zones:
        layers.append(
            alt.Chart(d[d["zone"] == z])
            .mark_rect(color=tint, opacity=opacity)
            .encode(**({"y": enc_a, "y2": enc_b} if orient == "y" else {"x": enc_a, "x2": enc_b}))
        )
    if label_zones:
        span = (hi - lo) or 1.0
        for z, *_rest, word_color in zones:
            row = d[d["zone"] == z]
            if orient == "y" and height and abs(row["mid"].iloc[0] - target) / span * height < 15:
                continue  # too close to the goal's label to be read: the tint and the goal line say it
            if orient == "y":
                text = alt.Chart(row).mark_text(
                    align="left", baseline="middle", fontSize=13, color=word_color, dx=8, fontStyle="italic"
                )
                layers.append(text.encode(y="mid:Q", x=alt.value(width), text="zone:N"))
            else:
                text = alt.Chart(row).mark_text(
                    align="center",
                    baseline="bottom",
                    fontSize=13,
                    color=word_color,
                    dy=-4,
                    fontStyle="italic",
                )
                layers.append(text.encode(x="mid:Q", y=alt.value(0), text="zone:N"))
    return layers


# ---------------------------------------------------------------- trend


@quiet_tooltips
def trend(
    result,
    goal=None,
    *,
    title: str | None = None,
    subtitle: str | Sequence[str] | None = None,
    width: int = 640,
    height: int = 320,
    label_values: bool | None = None,
) -> alt.LayerChart | alt.Chart:
    """Value by period: line and points, goal rule, at-risk band and missed zone, partial periods hollow.

    `result` is a kpi.KPIResult (frame: period_label, period_start, value, n, partial, optional p90,
    optional group). goal=None uses the KPI's default goal, goal=False draws none. Durations add the
    90th percentile as a lighter line. A result with no data gives a chart saying so.
    """
    kpi = _attr(result, "kpi")
    unit, direction = _attr(kpi, "unit"), _attr(kpi, "direction")
    if title is None:
        title = _attr(kpi, "title")
    no_data = _no_data_text(result)
    if no_data:
        return message_chart(no_data, title=title, width=width, height=height)
    frame = result.frame
    _check_rows(frame, "trend")
    target, at_risk = goal_bounds(_resolve_goal(result, goal))

    df = frame.copy()
    if "period_start" in df:
        df = df.sort_values("period_start", kind="stable")
    if "group" not in df.columns:
        # Periods without a value before the first and after the last one say nothing: leave them out.
        has = df["value"].notna().to_numpy()
        first, last = int(np.argmax(has)), len(has) - int(np.argmax(has[::-1]))
        df = df.iloc[first:last]
    grouped = "group" in df.columns and df["group"].notna().any() and df["group"].nunique() > 1
    cols = [c for c in ("period_label", "group", "value", "p90", "n", "excluded", "partial") if c in df]
    df = df[cols].copy()
    df["period_label"] = df["period_label"].astype(str)
    df["partial"] = df["partial"].fillna(False).astype(bool) if "partial" in df else False
    df["value_text"] = [format_kpi_value(v, unit, target, at_risk) for v in df["value"]]
    df["n"] = pd.to_numeric(df.get("n", 0), errors="coerce").fillna(0).astype(int)
    df["excluded"] = pd.to_numeric(df.get("excluded", 0), errors="coerce").fillna(0).astype(int)
    df["period_kind"] = np.where(df["partial"], PARTIAL_LABEL, COMPLETE_LABEL)
    order = list(dict.fromkeys(df["period_label"]))
    has_partial = bool(df["partial"].any())

    x = alt.X(
        "period_label:O",
        sort=order,
        title=None,
        # 'FY2026 Q2' on two lines, so eight quarters fit side by side.
        axis=alt.Axis(
            labelAngle=0 if len(order) <= 12 else -40,
            labelOverlap=True,
            labelExpr="split(datum.label, ' ')"
            if any(" " in o for o in order) and len(order) <= 12
            else alt.Undefined,
        ),
    )
    extent = list(df["value"]) + list(df.get("p90", [])) + [target, at_risk]
    domain = value_domain(extent, unit)
    y_scale = alt.Scale(domain=list(domain), nice=False, zero=True)
    y = alt.Y("value:Q", axis=_y_axis(unit), scale=y_scale)
    tooltip = [
        alt.Tooltip("period_label:N", title="Period"),
        alt.Tooltip("value_text:N", title="Value"),
        alt.Tooltip("n:Q", title="Records (n)", format=","),
        alt.Tooltip("excluded:Q", title="Excluded", format=","),
        alt.Tooltip("period_kind:N", title="Complete or partial"),
    ]

    layers = _zone_layers(target, at_risk, direction, orient="y", domain=domain, width=width, height=height)

    if grouped:
        df["group"] = df["group"].astype(str)
        top = df.groupby("group")["n"].sum().sort_values(ascending=False).index[:8]
        df = df[df["group"].isin(top)]
        tooltip.insert(1, alt.Tooltip("group:N", title="Series"))
        base = alt.Chart(df).encode(x=x, y=y)
        color = alt.Color("group:N", title=None, sort=list(top))
        layers.append(base.mark_line().encode(color=color))
        layers.append(
            base.mark_point(filled=True, size=80, strokeWidth=2).encode(
                color=color,
                fill=alt.condition("datum.partial", alt.value("white"), color),
                tooltip=tooltip,
            )
        )
    else:
        if "p90" in df.columns and df["p90"].notna().any():
            df["p90_text"] = [format_value(v, unit) for v in df["p90"]]
            tooltip.insert(2, alt.Tooltip("p90_text:N", title="90th percentile"))
            p90 = alt.Chart(df).encode(x=x, y=alt.Y("p90:Q"))
            layers.append(p90.mark_line(color=th.SECONDARY_COLOR, strokeWidth=2, strokeDash=[2, 2]))
            layers.append(p90.mark_point(color=th.SECONDARY_COLOR, filled=True, size=30))
            # Labelled over its first point: the right edge already holds the goal and zone words.
            first = df[df["p90"].notna()].head(1)
            layers.append(
                alt.Chart(first)
                .mark_text(align="left", baseline="bottom", dx=-6, dy=-8, color="#3E7FA8", fontSize=13)
                .encode(x=x, y=alt.Y("p90:Q"), text=alt.value("90th percentile"))
            )
        # Solid line through complete periods; dashed from the last complete period into partial ones.
        complete = df[~df["partial"]]
        layers.append(alt.Chart(complete).mark_line(color=th.SERIES_COLOR).encode(x=x, y=y))
        if has_partial:
            first_partial = int(np.argmax(df["partial"].to_numpy()))
            dashed = df.iloc[max(first_partial - 1, 0) :]
            layers.append(
                alt.Chart(dashed)
                .mark_line(color=th.SERIES_COLOR, strokeDash=[6, 5], opacity=0.8)
                .encode(x=x, y=y)
            )
        fill = alt.Fill(
            "period_kind:N",
            scale=alt.Scale(domain=[COMPLETE_LABEL, PARTIAL_LABEL], range=[th.SERIES_COLOR, "white"]),
            legend=alt.Legend(
                title=None,
                orient="top",
                direction="horizontal",
                symbolStrokeWidth=2,
                symbolStrokeColor=th.SERIES_COLOR,
                labelFontSize=13,
            )
            if has_partial
            else None,
        )
        layers.append(
            alt.Chart(df)
            .mark_point(size=110, strokeWidth=2.5, opacity=1, color=th.SERIES_COLOR)
            .encode(x=x, y=y, fill=fill, tooltip=tooltip)
        )
        if label_values is None:
            label_values = len(df) <= 8
        labelled = df if label_values else df.tail(1)
        # Labels above their points, below them near the top of the axis or where the goal line would
        # strike through the label above.
        below_mask = label_below(labelled["value"], domain, height, target)
        for below, part in ((False, labelled[~below_mask]), (True, labelled[below_mask])):
            if len(part):
                layers.append(
                    alt.Chart(part)
                    .mark_text(dy=LABEL_BELOW_DY if below else LABEL_ABOVE_DY, fontSize=14, fontWeight="bold",
                               color="#1A1A1A")
                    .encode(x=x, y=y, text="value_text:N")
                )

    if target is not None:
        g = pd.DataFrame({"target": [target], "label": [f"Goal {format_goal_value(target, unit)}"]})
        layers.append(
            alt.Chart(g).mark_rule(color=th.GOAL_COLOR, strokeDash=[8, 4], size=2).encode(y="target:Q")
        )
        layers.append(
            alt.Chart(g)
            .mark_text(
                align="left", baseline="middle", dx=8, fontSize=13, fontWeight="bold", color=th.GOAL_COLOR
            )
            .encode(y="target:Q", x=alt.value(width), text="label:N")
        )

    return alt.layer(*layers).properties(width=width, height=height, **_title(title, subtitle, width))


# Where a value label sits relative to its point, in pixels: its centre, and half its height.
LABEL_ABOVE_DY, LABEL_BELOW_DY, LABEL_HALF_HEIGHT = -16, 20, 9


def label_below(values: pd.Series, domain: tuple[float, float], height: int, target: float | None) -> pd.Series:
    """For each labelled point, whether its label goes below it: near the top of the axis, or where a label
    above would touch the goal line while one below would not."""
    lo, hi = domain
    span = (hi - lo) or 1.0
    v = pd.to_numeric(values, errors="coerce").reset_index(drop=True)
    y = height * (1 - (v - lo) / span)  # pixels from the top
    # A point in a dip (its neighbours higher) is labelled below, where the line is not.
    before, after = v.shift(1), v.shift(-1)
    dip = ((before.isna() | (before > v)) & (after.isna() | (after > v))) & (before.notna() | after.notna())
    below = (v > lo + 0.88 * span) | (dip & (v > lo + 0.12 * span))
    if target is None:
        return pd.Series(below.fillna(False).to_numpy(), index=values.index)
    goal_y = height * (1 - (target - lo) / span)

    def hits(dy):
        centre = y + dy
        return (centre - LABEL_HALF_HEIGHT - 2 <= goal_y) & (goal_y <= centre + LABEL_HALF_HEIGHT + 2)

    above_hits, below_hits = hits(LABEL_ABOVE_DY), hits(LABEL_BELOW_DY)
    below = (below & ~below_hits) | (above_hits & ~below_hits)
    return pd.Series(below.fillna(False).to_numpy(), index=values.index)


# ---------------------------------------------------------------- breakdown


def _latest_period(df: pd.DataFrame, period: str | None) -> pd.DataFrame:
    if "period_label" not in df or df["period_label"].nunique() <= 1:
        return df
    if period is not None:
        return df[df["period_label"].astype(str) == str(period)]
    key = "period_start" if "period_start" in df else "period_label"
    return df[df[key] == df[key].max()]


def top_groups(df: pd.DataFrame, unit: str | None, top: int = TOP_GROUPS) -> pd.DataFrame:
    """The `top` groups with most records; the rest folded into one 'Other (k groups)' row.

    Counts and dollars add up; other units are n-weighted means of the group values (for medians an
    approximation, said so in the label).
    """
    df = df[df["value"].notna()].copy()
    df["n"] = pd.to_numeric(df["n"], errors="coerce").fillna(0) if "n" in df else 0
    df = df.sort_values(["n", "value"], ascending=[False, False], kind="stable")
    head, rest = df.iloc[:top].copy(), df.iloc[top:]
    head["is_other"] = False
    if len(rest):
        if unit in ("count", "dollars"):
            value = rest["value"].sum()
        else:
            w = rest["n"].where(rest["n"] > 0, 0)
            value = (rest["value"] * w).sum() / w.sum() if w.sum() > 0 else rest["value"].mean()
        other = {
            "group": f"Other ({len(rest)} groups)",
            "value": value,
            "n": rest["n"].sum(),
            "excluded": rest["excluded"].sum() if "excluded" in rest else 0,
            "is_other": True,
        }
        head = pd.concat([head, pd.DataFrame([other])], ignore_index=True)
    return head


@quiet_tooltips
def breakdown(
    result_by_group,
    goal=None,
    *,
    title: str | None = None,
    subtitle: str | Sequence[str] | None = None,
    width: int = 640,
    bar_height: int = 26,
    top: int = TOP_GROUPS,
    period: str | None = None,
    group_title: str | None = None,
    select: str | None = None,
) -> alt.LayerChart | alt.Chart:
    """Horizontal bars by group, sorted by value, coloured by status against the goal; top 15 + 'Other'.

    `result_by_group` is a KPIResult whose frame has a `group` column (one period, or the latest
    period is taken unless `period` names one). goal=None uses the KPI's default, False none. Value labels
    sit in their own column right of the plot and the goal's label above it, so neither the goal line nor
    a zone ever crosses a label. `select` names a click selection on the bars (field `group`).
    """
    kpi = _attr(result_by_group, "kpi")
    unit, direction = _attr(kpi, "unit"), _attr(kpi, "direction")
    if title is None:
        title = _attr(kpi, "title")
    no_data = _no_data_text(result_by_group)
    if no_data:
        return message_chart(no_data, title=title, width=width)
    frame = result_by_group.frame
    if "group" not in frame.columns:
        return message_chart("No breakdown: the result has no group column", title=title, width=width)
    df = _latest_period(frame, period)
    _check_rows(df, "breakdown")
    df = top_groups(df, unit, top)
    if df.empty:
        return message_chart("No data for this selection", title=title, width=width)
    target, at_risk = goal_bounds(_resolve_goal(result_by_group, goal))
    df["group"] = df["group"].astype(str)
    df["value_text"] = [format_kpi_value(v, unit, target, at_risk) for v in df["value"]]
    df["n"] = df["n"].astype(int)
    df["label"] = [f"{t}  (n={n:,})" for t, n in zip(df["value_text"], df["n"], strict=True)]
    df["status"] = [bar_status(v, target, at_risk, direction, other)
                    for v, other in zip(df["value"], df["is_other"], strict=True)]
    # Only what the chart draws: the engine's Period objects cannot go into a Vega-Lite spec.
    df = df[["group", "value", "n", "value_text", "label", "is_other", "status"]]
    body = df[~df["is_other"]].sort_values("value", ascending=False, kind="stable")
    order = list(body["group"]) + list(df.loc[df["is_other"], "group"])
    height = max(bar_height * len(order), 60)
    label_w = LABEL_COLUMN_WIDTH
    plot_w = max(width - label_w, 160)

    y = alt.Y(
        "group:N",
        sort=order,
        title=group_title,
        axis=alt.Axis(labelLimit=280, labelFontSize=th.LABEL_SIZE, ticks=False, domain=False),
    )
    domain = value_domain(list(df["value"]) + [target, at_risk], unit, headroom=0.05)
    x = alt.X(
        "value:Q", axis=_y_axis(unit, title=""), scale=alt.Scale(domain=list(domain), nice=False, zero=True)
    )
    tooltip = [
        alt.Tooltip("group:N", title=(group_title or "Group")),
        alt.Tooltip("value_text:N", title="Value"),
        alt.Tooltip("n:Q", title="Records", format=","),
        alt.Tooltip("status:N", title="Against the goal"),
    ]
    layers = _zone_layers(target, at_risk, direction, orient="x", domain=domain, label_zones=False)
    statuses = [s for s in BAR_STATUS_ORDER if s in set(df["status"])]
    bars = (
        alt.Chart(df)
        .mark_bar(height=max(bar_height - 8, 6), cornerRadiusEnd=2, cursor="pointer" if select else "default")
        .encode(
            y=y,
            x=x,
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=statuses, range=[BAR_STATUS_COLORS[s] for s in statuses]),
                legend=alt.Legend(title=None, orient="top", direction="horizontal", labelFontSize=13)
                if target is not None
                else None,
            ),
            tooltip=tooltip,
        )
    )
    if select:
        pick = alt.selection_point(name=select, fields=["group"], on="click", clear="dblclick")
        bars = bars.add_params(pick).encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)))
    layers.append(bars)
    if target is not None:
        g = pd.DataFrame({"target": [target], "goal_text": [f"Goal {format_goal_value(target, unit)}"]})
        layers.append(
            alt.Chart(g).mark_rule(color=th.GOAL_COLOR, strokeDash=[8, 4], size=2).encode(x="target:Q")
        )
        layers.append(
            alt.Chart(g)
            .mark_text(
                align="right" if direction == "lower" else "left",
                baseline="bottom",
                dx=-4 if direction == "lower" else 4,
                dy=-6,
                fontSize=13,
                fontWeight="bold",
                color=th.GOAL_COLOR,
            )
            .encode(x="target:Q", y=alt.value(0), text="goal_text:N")
        )
    plot = alt.layer(*layers).properties(width=plot_w, height=height)
    labels = (
        alt.Chart(df)
        .mark_text(align="left", dx=4, fontSize=13, color="#333333")
        .encode(y=alt.Y("group:N", sort=order, axis=None), text="label:N")
        .properties(width=label_w, height=height)
    )
    return alt.hconcat(plot, labels, spacing=4).resolve_scale(y="shared").properties(**_title(title, subtitle, width))


# Bars take the status colours; the 'Other' bar and bars without a goal stay neutral.
BAR_STATUS_COLORS = {
    "met": th.STATUS_COLORS["met"],
    "at risk": th.STATUS_COLORS["at risk"],
    "missed": th.STATUS_COLORS["missed"],
    "no goal": th.SERIES_COLOR,
    "other groups": "#A6A6A6",
}
BAR_STATUS_ORDER = tuple(BAR_STATUS_COLORS)
LABEL_COLUMN_WIDTH = 150


def bar_status(value, target, at_risk, direction, other: bool = False) -> str:
    """The word for one bar: 'met', 'at risk', 'missed', 'no goal' or 'other groups' (the folded rest)."""
    if other:
        return "other groups"
    from kpi.goals import assess  # the one place direction is applied

    status = assess(value, target, at_risk, direction)
    return {"met": "met", "at_risk": "at risk", "missed": "missed"}.get(status, "no goal")


# ---------------------------------------------------------------- distribution

_NICE_WIDTHS = (1, 2, 5, 7, 10, 14, 15, 30, 60, 90, 120, 180, 365)


def histogram_bins(values: pd.Series, *, target_bins: int = 24, clip_quantile: float = 0.98) -> pd.DataFrame:
    """Histogram counts with a readable bin width; the long tail goes into a last '≥ X' bin.

    Returns bin_start, bin_end, count, label, overflow. Empty input gives an empty frame.
    """
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    if v.empty:
        return pd.DataFrame(columns=["bin_start", "bin_end", "count", "label", "overflow"])
    lo = min(0.0, float(v.min()))
    hi = float(v.quantile(clip_quantile)) if len(v) > 50 else float(v.max())
    span = max(hi - lo, 1.0)
    width = next((w for w in _NICE_WIDTHS if span / w <= target_bins), None)
    if width is None:
        width = 10 ** math.ceil(math.log10(span / target_bins))
    start = math.floor(lo / width) * width
    nbins = max(int(math.ceil((hi - start) / width)), 1)
    edges = start + width * np.arange(nbins + 1)
    top = edges[-1]
    overflow = int((v >= top).sum())
    counts, _ = np.histogram(v[v < top], bins=edges)
    out = pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:], "count": counts, "overflow": False})
    if overflow:
        out = pd.concat(
            [
                out,
                pd.DataFrame(
                    {"bin_start": [top], "bin_end": [top + width], "count": [overflow], "overflow": [True]}
                ),
            ],
            ignore_index=True,
        )
    out["label"] = [
        f"≥ {s:,.0f}" if o else f"{s:,.0f}–{e:,.0f}"
        for s, e, o in zip(out["bin_start"], out["bin_end"], out["overflow"], strict=True)
    ]
    return out


@quiet_tooltips
def distribution(
    values: pd.Series,
    unit: str = "days",
    goal=None,
    *,
    title: str | None = None,
    subtitle: str | Sequence[str] | None = None,
    width: int = 640,
    height: int = 260,
) -> alt.LayerChart | alt.Chart:
    """Histogram of durations (binned in pandas), with the median and the goal target as rules.

    `values` may be the raw per-record durations (any length: only the bins reach Altair).
    `goal` is a Goal-like object or None (no goal drawn).
    """
    bins = histogram_bins(values)
    if bins.empty:
        return message_chart("No data for this selection", title=title, width=width, height=height)
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    median = float(v.median())
    unit_word = "days" if unit == "days" else ""
    bins["zero"] = 0
    x = alt.X(
        "bin_start:Q",
        title=unit_word or None,
        axis=alt.Axis(format=axis_format(unit), tickCount=10),
        scale=alt.Scale(zero=True, nice=False),
    )
    layers = [
        alt.Chart(bins)
        .mark_bar(color=th.SERIES_COLOR, opacity=0.9, stroke="white", strokeWidth=1)
        .encode(
            x=x,
            x2="bin_end:Q",
            y=alt.Y(
                "count:Q",
                title="records",
                axis=alt.Axis(format=",.0f", tickCount=5),
                scale=alt.Scale(domain=[0, _nice_ceiling(bins["count"].max() * 1.18)], nice=False),
            ),
            y2="zero:Q",
            color=alt.condition("datum.overflow", alt.value("#7F9FBF"), alt.value(th.SERIES_COLOR)),
            tooltip=[
                alt.Tooltip("label:N", title=unit_word or "value"),
                alt.Tooltip("count:Q", title="records", format=","),
            ],
        )
    ]
    if bins["overflow"].any():
        layers.append(
            alt.Chart(bins[bins["overflow"]])
            .mark_text(baseline="bottom", dy=-4, fontSize=12, color=th.MUTED_COLOR)
            .encode(x=alt.X("mid:Q"), y="count:Q", text="label:N")
            .transform_calculate(mid="(datum.bin_start + datum.bin_end) / 2")
        )
    target, _ = goal_bounds(goal)
    rules = [("Median " + format_value(median, unit), median, th.OKABE_ITO[5], [1, 0])]
    if target is not None:
        rules.append((f"Goal {format_goal_value(target, unit)}", target, th.GOAL_COLOR, [8, 4]))
    # The lower of the two values is labelled to the left of its rule, the higher to the right.
    low = min(r[1] for r in rules)
    for label, val, color, dash in rules:
        left = len(rules) > 1 and val == low
        r = pd.DataFrame({"x": [val], "label": [label]})
        layers.append(alt.Chart(r).mark_rule(color=color, size=2, strokeDash=dash).encode(x="x:Q"))
        layers.append(
            alt.Chart(r)
            .mark_text(
                align="right" if left else "left",
                baseline="top",
                dx=-5 if left else 5,
                dy=4,
                fontSize=13,
                fontWeight="bold",
                color=color,
            )
            .encode(x="x:Q", y=alt.value(0), text="label:N")
        )
    return alt.layer(*layers).properties(width=width, height=height, **_title(title, subtitle, width))


# ---------------------------------------------------------------- sparkline


@quiet_tooltips
def sparkline(values, *, width: int = 140, height: int = 36, color: str = th.SERIES_COLOR) -> alt.LayerChart:
    """A tiny line of values in order (list, Series, or a frame with a `value` column), last point marked."""
    if isinstance(values, pd.DataFrame):
        v = values["value"]
    else:
        v = pd.Series(list(values) if not isinstance(values, pd.Series) else values)
    v = pd.to_numeric(v, errors="coerce").reset_index(drop=True)
    df = pd.DataFrame({"i": range(len(v)), "value": v}).dropna()
    _check_rows(df, "sparkline")
    x = alt.X("i:Q", axis=None, scale=alt.Scale(nice=False, padding=4))
    y = alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False, padding=4))
    base = alt.Chart(df).encode(x=x, y=y)
    line = base.mark_line(color=color, strokeWidth=2)
    last = alt.Chart(df.tail(1)).mark_point(filled=True, size=30, color=color).encode(x=x, y=y)
    return alt.layer(line, last).properties(width=width, height=height)
