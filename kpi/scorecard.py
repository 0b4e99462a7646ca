"""The leadership scorecard: one row per KPI for one period, with goal, status, comparisons and a sentence."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from . import periods as P
from .changes import summary, what_changed
from .goals import assess, resolve_goal
from .now import Period
from .registry import KPIS, SCORECARD
from .results import Filters, KPIResult, kpi_by_id
from .sql.engine import compute, source_of
from .wording import movement_score

SPARKLINE_PERIODS = 8
COLUMNS = ("kpi_id", "title", "theme", "unit", "direction", "period_label", "value", "n", "excluded", "partial",
           "target", "at_risk", "goal_source", "status", "prev_label", "prev_value", "yoy_label", "yoy_value",
           "change_notable", "sentence", "sparkline", "missing",
           # Added with the explicit "now": the period in words, what it is compared with, the dollars behind a
           # dollar-weighted share, and how far it moved (signed, worse is negative) to order "What changed".
           "period_name", "comparison_name", "period_from", "period_to", "numerator", "denominator",
           "movement")


def choose_period(results: dict[str, KPIResult], grain: str, fy_start_month: int, as_of,
                  filters: Filters) -> str:
    """The period a scorecard shows: the latest complete period with records in any of the KPIs (the latest
    one with records when none is complete; the as-of date's period when there are none), inside the chosen
    fiscal years when there are some."""
    complete, any_ = [], []
    for r in results.values():
        f = r.frame
        if r.missing or f.empty or r.by:
            continue
        f = f[f["n"] > 0]
        if filters.fiscal_years:
            f = f[f["fiscal_year"].isin(filters.fiscal_years)]
        any_ += list(f["period_start"])
        complete += list(f.loc[~f["partial"], "period_start"])
    pick = max(complete) if complete else max(any_) if any_ else None
    if pick is None:
        if filters.fiscal_years and grain == "year":
            return f"FY{max(filters.fiscal_years)}"
        return P.labels([P.code_of(as_of, grain, fy_start_month)], grain, fy_start_month)[0]
    return P.labels([P.code_of(pick, grain, fy_start_month)], grain, fy_start_month)[0]


def _num(x):
    try:
        v = float(x)
    except (TypeError, ValueError):
        return np.nan
    return v


def scorecard_row(result: KPIResult, label: str, goals: pd.DataFrame | None, filters: Filters,
                  names: dict | None = None) -> dict:
    """The scorecard's row for one KPI result and period label (`names` words the labels in sentences)."""
    kpi = result.kpi
    grain, fy = result.grain, result.fy_start_month
    code = P.parse_label(label, grain, fy)
    fiscal = int(P.code_fiscal_year(np.array([code]), grain, fy)[0])
    goal = resolve_goal(kpi.id, goals, fiscal_year=fiscal, scope=filters.scope)
    row = result.at(label) if not result.no_data else None
    value = _num(row["value"]) if row is not None else np.nan
    n = int(row["n"]) if row is not None else 0
    if n == 0:
        value = np.nan
    end = P.period_end(np.array([code]), grain, fy)[0]
    partial = bool(end > np.datetime64(result.as_of, "D"))
    per_year = {"month": 12, "quarter": 4, "year": 1}[grain]
    prev_label = P.labels([code - 1], grain, fy)[0]
    yoy_label = P.labels([code - per_year], grain, fy)[0]

    def value_at(lab):
        r = result.at(lab) if not result.no_data else None
        return _num(r["value"]) if r is not None and int(r["n"]) > 0 else np.nan

    spark_labels = P.labels(np.arange(code - SPARKLINE_PERIODS + 1, code + 1), grain, fy)
    target = goal.target if goal is not None else None
    at_risk = goal.at_risk if goal is not None else None
    changes = what_changed(result, goal, label, names) if not math.isnan(value) else []
    named = (names or {}).get(label, label)
    if math.isnan(value):
        why = result.message.replace("No data: ", "") if result.missing else f"no records in {named}"
        sentence = f"{kpi.title}: no data ({why})."
    else:
        sentence = summary(result, goal, label, names)
    start, end = P.period_start(np.array([code]), grain, fy)[0], P.period_end(np.array([code]), grain, fy)[0]
    dollars = bool(kpi.dollars) and row is not None and "numerator" in row.index
    yoy_value = value_at(yoy_label)
    return {
        "kpi_id": kpi.id, "title": kpi.title, "theme": kpi.theme, "unit": kpi.unit, "direction": kpi.direction,
        "period_label": label, "value": value, "n": n,
        "excluded": int(row["excluded"]) if row is not None else 0, "partial": partial,
        "target": np.nan if target is None else float(target),
        "at_risk": np.nan if at_risk is None else float(at_risk),
        "goal_source": goal.source if goal is not None else "",
        "status": assess(value, target, at_risk, kpi.direction),
        "prev_label": prev_label, "prev_value": value_at(prev_label),
        "yoy_label": yoy_label, "yoy_value": yoy_value,
        "change_notable": any(c.notable for c in changes),
        "sentence": sentence,
        "sparkline": [value_at(lab) for lab in spark_labels],
        "missing": tuple(result.missing),
        "period_name": named, "comparison_name": (names or {}).get(yoy_label, yoy_label),
        "period_from": pd.Timestamp(start).date(), "period_to": min(pd.Timestamp(end).date(), result.as_of),
        "numerator": _num(row["numerator"]) if dollars else np.nan,
        "denominator": _num(row["denominator"]) if dollars else np.nan,
        "movement": movement_score(kpi.unit, kpi.direction, value, yoy_value),
    }


def _from(filters: Filters, start, end, fy_start_month: int) -> Filters:
    """The filters for a range: none added when it starts a fiscal year of the calendar (see period_result)."""
    year_start = P.period_start(np.array([P.code_of(end, "year", fy_start_month)]), "year", fy_start_month)[0]
    return filters if np.datetime64(start, "D") == year_start else replace(filters, date_from=start)


def period_result(kpi_id: str, tables, period: Period, filters: Filters | None = None) -> KPIResult:
    """One KPI over a period and its comparison, like for like: the frame holds one row for the comparison
    (computed as things stood at its end) and one for the period, labelled in the period's own fiscal calendar
    (Period.comparison_code_label, Period.code_label)."""
    # Each range is the start of a year of the period's fiscal calendar up to an as-of date, and the engine
    # leaves out records dated after the as-of date: that year's row is the range, with no date filter (so the
    # engine's cached unfiltered aggregation serves the period as it serves the plain scorecard).
    # A snapshot KPI (contracts expiring, key contracts with metrics) is counted on the comparison's own last day;
    # an event KPI keeps the data as known now and ends the comparison with a date filter, so both runs share
    # the KPI's records (the expensive part) and only the aggregation differs.
    # The comparison is asked first: its date range makes the engine build the KPI's cube, which then answers
    # the period too (one pass over the records instead of two).
    rest = replace(filters or Filters(), fiscal_years=())
    fy = period.fy_start_month
    before = _from(rest, period.comparison_start, period.comparison_end, fy)
    if kpi_by_id(kpi_id).kind.startswith("snapshot"):
        ref = compute(kpi_id, tables, filters=before, grain="year", fy_start_month=fy, as_of=period.comparison_end)
    else:
        ref = compute(kpi_id, tables, filters=replace(before, date_to=period.comparison_end), grain="year",
                      fy_start_month=fy, as_of=period.end)
    cur = compute(kpi_id, tables, filters=_from(rest, period.start, period.end, fy), grain="year", fy_start_month=fy,
                  as_of=period.end)
    results = [ref, cur]
    labels = (period.comparison_code_label, period.code_label)
    frames = [r.frame[r.frame["period_label"] == lab] for r, lab in zip(results, labels, strict=True)]
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) \
        else cur.frame.iloc[0:0]
    reasons = cur.excluded_reasons
    reasons = reasons[reasons["period_label"].isin([labels[1]])].reset_index(drop=True) if len(reasons) else reasons
    return replace(cur, frame=frame, excluded_reasons=reasons, filters=filters or Filters())


def period_scorecard(tables, goals: pd.DataFrame | None, period: Period, *, filters: Filters | None = None,
                     kpis: tuple[str, ...] = SCORECARD) -> pd.DataFrame:
    """The scorecard of a Period (fiscal year to date, a fiscal year or the last 12 months) against its
    like-for-like comparison; the rows word the period ('FY2026 year to date') and the comparison ('the same
    months of FY2025') in their sentences, period_name and comparison_name."""
    filters = filters or Filters()
    p = source_of(tables)
    names = {period.code_label: period.in_sentence, period.comparison_code_label: period.comparison_label}
    rows = []
    for k in kpis:
        res = period_result(k, p, period, filters)
        rows.append(scorecard_row(res, period.code_label, goals, replace(filters, fiscal_years=(period.fiscal_year,)),
                                  names))
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["period_name"], frame["period_from"], frame["period_to"] = period.label, period.start, period.end
    return frame


def scorecard(tables, goals: pd.DataFrame | None = None, *, filters: Filters | None = None, grain: str = "year",
              fy_start_month: int = 7, as_of=None, period_label: str | None = None,
              kpis: tuple[str, ...] = SCORECARD, period: Period | None = None) -> pd.DataFrame:
    """One row per KPI (the leadership scorecard by default) for one period: `period` (a kpi.now.Period, at the
    year grain) compared like for like; else `period_label`, else the latest complete period with data inside
    the chosen fiscal years (see choose_period), compared with the periods before it even when the filters
    name one year. The app's Overview and `python -m kpi report` both call this, so they show the same numbers."""
    filters = filters or Filters()
    grain = P.normalise_grain(grain)
    if period is not None and grain == "year" and period_label is None:
        return period_scorecard(tables, goals, period, filters=filters, kpis=tuple(kpis))
    p = source_of(tables)
    # A fiscal-year filter picks the period shown, not the periods it is compared with.
    every_year = replace(filters, fiscal_years=())
    results = {k: compute(k, p, filters=every_year, grain=grain, fy_start_month=fy_start_month, as_of=as_of)
               for k in kpis}
    if not results:
        return pd.DataFrame(columns=list(COLUMNS))
    any_result = next(iter(results.values()))
    label = period_label or choose_period(results, grain, fy_start_month, any_result.as_of, filters)
    label = P.labels([P.parse_label(label, grain, fy_start_month)], grain, fy_start_month)[0]
    rows = [scorecard_row(results[k], label, goals, filters) for k in kpis]
    return pd.DataFrame(rows, columns=list(COLUMNS))


__all__ = ["scorecard", "period_scorecard", "period_result", "choose_period", "scorecard_row", "KPIS"]
