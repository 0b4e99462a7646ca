"""One KPI in detail: headline, trend with goal, breakdown, distribution, drill-down, definition."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import charts
import kpi
from exports import file_stem
from kpi import exceptions as kpi_exceptions
from loaders.labels import plain_words
from ui import data
from ui import filters as ui_filters
from ui.charts import SLIDE_HEIGHT, SLIDE_WIDTH, show_chart
from ui.format import (
    STATUS_STYLE,
    delta_color,
    format_change,
    format_goal,
    format_kpi_value,
    format_period_label,
    is_missing,
    md_escape,
)
from ui.notices import missing_data, no_rows
from ui.tables import show_listed, show_table

TREND_WIDTH = 760  # on screen; the downloads are built at slide size
BREAKDOWN_WIDTH = 560
BREAKDOWN_LABELS = {"department": "Department", "category": "Category", "method": "Method", "vendor": "Vendor"}


def subtitle(k, goal, view) -> list[str]:
    """The export subtitle: definition, goal, filters and data-through date."""
    lines = [k.definition]
    g = charts.goal_text(goal, k.unit, k.direction)
    as_of = data.as_of()
    lines.append(" · ".join(x for x in (g, ui_filters.describe(view),
                                       f"data through {as_of:%d %b %Y}" if as_of else "") if x))
    return lines


def kpi_section(kpi_id: str, view, card=None) -> None:
    """Everything about one KPI under the current filters; a missing-data notice when it has none.

    The records that miss the goal come first, under the headline; then the trend, the breakdown (a click
    on a bar narrows the records to it), the distribution and the definition. `card` is the KPI's
    scorecard row (value, status and comparisons for the scorecard's period).
    """
    k = kpi.KPIS[kpi_id]
    st.header(k.title, anchor=kpi_id, divider="gray")
    st.caption(md_escape(k.definition))
    res = data.result(kpi_id, view.filters, view.grain)
    if res.no_data:
        if res.missing:
            missing_data(res.missing, what=k.title)
        else:
            no_rows()
        definition_expander(k, res, None)
        return
    frame = res.frame[res.frame["value"].notna() & (res.frame["n"] > 0)]
    goal = data.goal_for(kpi_id, view.filters)
    if card is None:
        card = data.theme_scorecard((kpi_id,), view.filters, view.grain).iloc[0]
    headline(k, card)
    periods = list(dict.fromkeys(frame["period_label"].astype(str)))
    choices = periods[::-1]
    default = choices.index(card.period_label) if card.period_label in choices else 0
    left, right = st.columns(2)
    period = left.selectbox("Period for the records and the breakdown", choices, index=default,
                            key=f"period-{kpi_id}-{view.grain}")
    with right:
        by = breakdown_choice(k)
    picked = picked_group(k, by)
    drilldown_part(k, view, period, goal, by=by, group=picked)
    trend = charts.trend(res, goal, title=f"{k.title}, by {view.grain_label.lower()}", width=TREND_WIDTH)
    show_chart(trend, file_stem(kpi_id, periods[-1]), key=f"trend-{kpi_id}",
               export=lambda: charts.trend(res, goal, title=k.title, subtitle=subtitle(k, goal, view),
                                           width=SLIDE_WIDTH, height=SLIDE_HEIGHT))
    if by:
        breakdown_part(k, view, goal, period, by)
    if k.is_duration:
        distribution_part(k, view, goal, period)
    definition_expander(k, res, goal)


PICK = "pick"  # the breakdown chart's click selection


def picked_group(k, by: str | None) -> str | None:
    """The bar clicked on the breakdown chart (its selection state from the last run), if any."""
    if not by:
        return None
    state = st.session_state.get(f"chart-bd-{k.id}")
    selection = (getattr(state, "selection", None) or (state or {}).get("selection") or {}) if state else {}
    points = selection.get(PICK) or []
    group = points[0].get("group") if points and isinstance(points[0], dict) else None
    return None if group is None or str(group).startswith("Other (") else str(group)


def headline(k, card) -> None:
    """The scorecard's view of the KPI: status, value, change, goal, and the generated sentence."""
    color, icon, word = STATUS_STYLE.get(str(card.status), STATUS_STYLE["no_data"])
    name = getattr(card, "period_name", None)
    name = name if isinstance(name, str) and name else format_period_label(card.period_label)
    partial = " (partial)" if bool(card.partial) and "to date" not in name else ""
    compared = getattr(card, "comparison_name", None) if card.prev_label == card.yoy_label else None
    left, middle, right = st.columns([1.2, 1, 1.6])
    change = format_change(card.value, card.prev_value, k.unit)
    left.metric(f"{md_escape(name)}{partial}", format_kpi_value(card.value, k.unit, card.target, card.at_risk),
                delta=change, delta_color=delta_color(k.direction),
                delta_description=f"vs {compared or format_period_label(card.prev_label)}" if change else None)
    with middle:
        st.badge(word, icon=icon, color=color)
        st.caption(f"n = {int(card.n):,} {md_escape(k.noun)}" if not is_missing(card.n) else "")
    with right:
        st.caption(md_escape(format_goal(card.target, card.at_risk, k.unit, k.direction)))
        yoy = format_change(card.value, card.yoy_value, k.unit)
        if yoy and card.yoy_label != card.prev_label:
            st.caption(f"{md_escape(yoy)} vs {md_escape(card.yoy_label)} (same period last year)")
    if isinstance(card.sentence, str) and card.sentence:
        st.markdown(md_escape(card.sentence))


def _goal_pair(goal):
    return charts.goal_bounds(goal)


def breakdown_choice(k) -> str | None:
    options = [b for b in (getattr(k, "breakdowns", None) or ()) if b]
    if not options:
        st.caption("This KPI has no breakdown.")
        return None
    return st.segmented_control("Break down by", options, default=options[0], key=f"by-{k.id}",
                                format_func=lambda b: BREAKDOWN_LABELS.get(b, str(b).replace("_", " ").title()),
                                required=True)


def breakdown_part(k, view, goal, period: str, by: str) -> None:
    res = data.result(k.id, view.filters, view.grain, by=by)
    label = BREAKDOWN_LABELS.get(by, by.replace("_", " ").capitalize())
    st.caption("Click a bar to list its records above; double-click to show them all again.")
    chart = charts.breakdown(res, goal, title=f"By {label.lower()}, {period}", period=period,
                             width=BREAKDOWN_WIDTH + 150, group_title=None, select=PICK)
    show_chart(chart, f"{file_stem(k.id, period)}_by_{by}", key=f"bd-{k.id}", selectable=True,
               export=lambda: charts.breakdown(res, goal, period=period, title=f"{k.title} by {by}, {period}",
                                               subtitle=subtitle(k, goal, view), width=SLIDE_WIDTH - 200))


def distribution_part(k, view, goal, period: str) -> None:
    drill = data.drilldown(k.id, view.filters, period, view.grain)
    values = duration_values(drill)
    if values is None or values.empty:
        return
    chart = charts.distribution(values, k.unit, goal, title=f"Distribution, {period}", width=TREND_WIDTH)
    show_chart(chart, f"{file_stem(k.id, period)}_distribution", key=f"dist-{k.id}",
               export=lambda: charts.distribution(values, k.unit, goal, title=f"{k.title}: distribution, {period}",
                                                  subtitle=subtitle(k, goal, view), width=SLIDE_WIDTH,
                                                  height=SLIDE_HEIGHT))


def duration_values(drill) -> pd.Series | None:
    """The per-record durations behind a median (the drill-down's days column, fetched alone)."""
    counted = getattr(drill, "counted", None)
    if counted is None:
        return None
    col = next((c for c in ("days", "duration_days", "value") if c in counted.columns), None)
    return counted.values(col) if col is not None else None


def drilldown_part(k, view, period: str, goal=None, *, by: str | None = None, group: str | None = None) -> None:
    """The records behind the period's value: those that miss the goal first, the rest a tab away."""
    drill = data.drilldown(k.id, view.filters, period, view.grain, group=group, by=by)
    where = f" in {group}" if group else ""
    st.subheader(f"Records behind {md_escape(period)}{md_escape(where)}", anchor=f"records-{k.id}")
    if group:
        st.caption(f"Narrowed to {md_escape(BREAKDOWN_LABELS.get(by, by))} {md_escape(group)} by a click on the "
                   "chart below; double-click the chart to show every record.")
    counted, used = drill.counted, drill.used
    exc = kpi_exceptions.exceptions(k, drill, goal)
    parts = []
    if exc is not None:
        parts.append((exc.label, exc.records, "exceptions"))
    if k.kind in ("ratio", "snapshot_ratio", "count", "snapshot_count") and counted.count != used.count \
            and (exc is None or not exc.counted):
        parts.append(("Counted in the value", counted, "counted"))
    parts += [(f"All {k.noun} used", used, "used"), ("Excluded", drill.set_aside, "excluded")]
    tabs = st.tabs([f"{md_escape(name)} ({records.count:,})" for name, records, _ in parts])
    for tab, (_name, records, slug) in zip(tabs, parts, strict=True):
        with tab:
            if slug == "excluded" and records.count:
                st.caption("Records the KPI sets aside, each with the reason.")
            show_listed(records, key=f"drill-{k.id}-{slug}", file_stem=f"{file_stem(k.id, period)}_{slug}",
                        csv_key=f"csv-{k.id}-{slug}")


def definition_expander(k, res, goal) -> None:
    with st.expander("Definition, formula, exclusions and goal source"):
        st.markdown(f"**Definition.** {md_escape(k.definition)}")
        st.markdown(f"**Formula.** {md_escape(k.formula)}")
        needs = ", ".join(f"{plain_words(str(n).split('.')[-1])} ({str(n).split('.')[0]})" for n in (k.needs or ()))
        st.markdown(f"**Data used.** {md_escape(needs)}")
        reasons = getattr(res, "excluded_reasons", None)
        if isinstance(reasons, dict) and reasons:
            st.markdown("**Excluded records.**")
            show_table(pd.DataFrame({"Reason": [plain_words(r) for r in reasons],
                                     "Records": list(reasons.values())}), key=f"excl-{k.id}")
        elif isinstance(reasons, pd.DataFrame) and len(reasons):
            st.markdown("**Excluded records.**")
            show_table(reasons, key=f"excl-{k.id}")
        source = getattr(goal, "source", None) if goal is not None else None
        if isinstance(goal, dict):
            source = goal.get("source")
        source = source or getattr(getattr(k, "goal", None), "source", None)
        st.markdown(f"**Goal source.** {md_escape(source or 'No goal set: add one on the Goals page.')}")
