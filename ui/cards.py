"""The Overview: notable changes as sentences, then one card per scorecard KPI."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import kpi
from kpi.format import format_kpi_value, format_period_label, plural
from kpi.wording import amounts_phrase
from ui.format import (
    STATUS_STYLE,
    delta_color,
    format_change,
    format_goal,
    is_missing,
    md_escape,
)
from ui.notices import DATA_PAGE, table_of
from ui.pages import kpi_link, page_for_theme

CARDS_PER_ROW = 3
CHANGES_SHOWN = 6


def status_badge(status: object) -> None:
    color, icon, word = STATUS_STYLE.get(str(status), STATUS_STYLE["no_data"])
    st.badge(word, icon=icon, color=color)


def ordered_changes(card: pd.DataFrame) -> pd.DataFrame:
    """The rows that moved against their comparison: worse ones first, each group largest movement first (a
    movement within the noise says so in its sentence; it is not left out)."""
    if card.empty or "movement" not in card:
        return card.iloc[0:0]
    rows = card[card["movement"].fillna(0) != 0]
    key = pd.DataFrame({"better": rows["movement"] > 0, "size": -rows["movement"].abs()}, index=rows.index)
    return rows.loc[key.sort_values(["better", "size"], kind="stable").index]


def notable_changes(card: pd.DataFrame) -> None:
    """What changed: each KPI's movement in a sentence, the worst and largest first (a movement within the
    usual noise says so)."""
    rows = ordered_changes(card)
    if rows.empty:
        st.caption("Nothing to compare with yet: the comparison period has no records.")
        return
    st.subheader("What changed")
    for row in rows.head(CHANGES_SHOWN).itertuples():
        color, icon, _ = STATUS_STYLE.get(str(row.status), STATUS_STYLE["no_data"])
        st.markdown(f"{icon} {md_escape(row.sentence)}")
    if len(rows) > CHANGES_SHOWN:
        st.caption(f"{plural(len(rows) - CHANGES_SHOWN, 'more KPIs')} moved less; their cards say how.")


def _get(row, name, default=None):
    value = getattr(row, name, default)
    return default if value is None or (not isinstance(value, (str, tuple, list)) and is_missing(value)) else value


def kpi_card(row, *, key: str) -> None:
    """One card: status (colour, icon and word), value, change against the comparison, dollars behind a
    dollar-weighted share, goal, sparkline."""
    unit = row.unit
    with st.container(border=True, key=f"card-{key}"):
        status_badge(row.status)
        change = format_change(row.value, row.prev_value, unit)
        compared = _get(row, "comparison_name") if row.prev_label == row.yoy_label else None
        spark = [v for v in (row.sparkline if isinstance(row.sparkline, (list, tuple)) else []) if not is_missing(v)]
        st.metric(
            md_escape(row.title),
            format_kpi_value(row.value, unit, row.target, row.at_risk),
            delta=change,
            delta_color=delta_color(row.direction),
            delta_description=f"vs {compared or format_period_label(row.prev_label)}" if change else None,
            chart_data=spark if len(spark) > 1 else None,
            help=md_escape(row.sentence) if isinstance(row.sentence, str) else None,
        )
        missing = tuple(getattr(row, "missing", ()) or ())
        if not missing:
            name = _get(row, "period_name") or format_period_label(row.period_label)
            period = f"{name}{' (partial)' if bool(row.partial) and 'to date' not in name else ''}"
            n = "" if is_missing(row.n) else f" · n = {int(row.n):,}"
            st.caption(f"{md_escape(period)}{n}")
        dollars = amounts_phrase(_get(row, "numerator"), _get(row, "denominator"),
                                 getattr(kpi.KPIS.get(row.kpi_id), "dollars", ""))
        if dollars:
            st.caption(md_escape(dollars))
        st.caption(md_escape(format_goal(row.target, row.at_risk, unit, row.direction)))
        yoy = format_change(row.value, row.yoy_value, unit)
        if yoy and row.yoy_label != row.prev_label:
            st.caption(f"{md_escape(yoy)} vs {md_escape(format_period_label(row.yoy_label))} (same period last year)")
        if missing:
            st.caption(f"Needs the {md_escape(exports_phrase(missing))}.")
            st.page_link(DATA_PAGE, label="Import it", icon=":material/upload_file:")
            return
        page = page_for_theme(row.theme)
        if page:
            st.page_link(page, label=details_label(row.kpi_id), icon=":material/arrow_forward:",
                         query_params=kpi_link(row.kpi_id, row.title))


def details_label(kpi_id: str) -> str:
    """'Details: late payments': the link names the exceptions it opens on."""
    from kpi.exceptions import EXCEPTION_LABELS

    label = EXCEPTION_LABELS.get(kpi_id)
    return f"Details: {label[:1].lower()}{label[1:]}" if label else "Details"


def exports_phrase(missing) -> str:
    """('payments.amount', 'vendors.certifications') -> 'payments and vendors exports'."""
    tables = list(dict.fromkeys(table_of(m).replace("_", " ") for m in missing))  # "metric results", not metric_results
    if len(tables) == 1:
        return f"{tables[0]} export"
    return ", ".join(tables[:-1]) + f" and {tables[-1]} exports"


def cards(card: pd.DataFrame) -> None:
    """The grid of KPI cards, in scorecard order (with a pointer to the Data page when nothing has data)."""
    if len(card) and (card["status"].astype(str) == "no_data").all():
        with st.container(border=True):
            st.markdown("**No data yet.** Import your ERP and e-procurement exports to fill the scorecard.")
            st.page_link(DATA_PAGE, label="Go to the Data page", icon=":material/upload_file:")
    rows = list(card.itertuples())
    for start in range(0, len(rows), CARDS_PER_ROW):
        columns = st.columns(CARDS_PER_ROW)
        for col, row in zip(columns, rows[start:start + CARDS_PER_ROW], strict=False):
            with col:
                kpi_card(row, key=row.kpi_id)


def status_counts(card: pd.DataFrame) -> str:
    """'7 met · 3 at risk · 1 missed · 1 no data' for the headline."""
    counts = card["status"].astype(str).value_counts() if len(card) else pd.Series(dtype=int)
    parts = [f"{counts[s]} {STATUS_STYLE[s][2].lower()}" for s in STATUS_STYLE if s in counts]
    return " · ".join(parts)
