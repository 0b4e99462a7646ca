"""The leadership scorecard: one row per KPI for one period, with goal, status, comparisons and a sentence."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import periods as P
from .changes import summary, what_changed
from .engine import Filters, KPIResult, compute
from .goals import assess, resolve_goal
from .prepare import prepared
from .registry import KPIS, SCORECARD

SPARKLINE_PERIODS = 8
COLUMNS = ("kpi_id", "title", "theme", "unit", "direction", "period_label", "value", "n", "excluded", "partial",
           "target", "at_risk", "goal_source", "status", "prev_label", "prev_value", "yoy_label", "yoy_value",
           "change_notable", "sentence", "sparkline", "missing")


def choose_period(results: dict[str, KPIResult], grain: str, fy_start_month: int, as_of,
                  filters: Filters) -> str:
    """The period a scorecard shows: the latest complete period with records in any of the KPIs (the latest
    one with records when none is complete; the as-of date's period when there are none)."""
    complete, any_ = [], []
    for r in results.values():
        f = r.frame
        if r.missing or f.empty or r.by:
            continue
        f = f[f["n"] > 0]
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


def scorecard_row(result: KPIResult, label: str, goals: pd.DataFrame | None, filters: Filters) -> dict:
    """The scorecard's row for one KPI result and period label."""
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
    changes = what_changed(result, goal, label) if not math.isnan(value) else []
    if math.isnan(value):
        why = result.message.replace("No data: ", "") if result.missing else f"no records in {label}"
        sentence = f"{kpi.title}: no data ({why})."
    else:
        sentence = summary(result, goal, label)
    return {
        "kpi_id": kpi.id, "title": kpi.title, "theme": kpi.theme, "unit": kpi.unit, "direction": kpi.direction,
        "period_label": label, "value": value, "n": n,
        "excluded": int(row["excluded"]) if row is not None else 0, "partial": partial,
        "target": np.nan if target is None else float(target),
        "at_risk": np.nan if at_risk is None else float(at_risk),
        "goal_source": goal.source if goal is not None else "",
        "status": assess(value, target, at_risk, kpi.direction),
        "prev_label": prev_label, "prev_value": value_at(prev_label),
        "yoy_label": yoy_label, "yoy_value": value_at(yoy_label),
        "change_notable": any(c.notable for c in changes),
        "sentence": sentence,
        "sparkline": [value_at(lab) for lab in spark_labels],
        "missing": tuple(result.missing),
    }


def scorecard(tables, goals: pd.DataFrame | None = None, *, filters: Filters | None = None, grain: str = "year",
              fy_start_month: int = 7, as_of=None, period_label: str | None = None,
              kpis: tuple[str, ...] = SCORECARD) -> pd.DataFrame:
    """One row per KPI (the leadership scorecard by default) for one period: `period_label`, else the latest
    complete period with data (see choose_period). The app's Overview and `python -m kpi report` both call
    this, so they show the same numbers."""
    filters = filters or Filters()
    grain = P.normalise_grain(grain)
    p = tables if type(tables).__name__ == "Source" else prepared(tables)  # a database: kpi.sql
    results = {k: compute(k, p, filters=filters, grain=grain, fy_start_month=fy_start_month, as_of=as_of)
               for k in kpis}
    if not results:
        return pd.DataFrame(columns=list(COLUMNS))
    any_result = next(iter(results.values()))
    label = period_label or choose_period(results, grain, fy_start_month, any_result.as_of, filters)
    label = P.labels([P.parse_label(label, grain, fy_start_month)], grain, fy_start_month)[0]
    rows = [scorecard_row(results[k], label, goals, filters) for k in kpis]
    return pd.DataFrame(rows, columns=list(COLUMNS))


__all__ = ["scorecard", "choose_period", "scorecard_row", "KPIS"]
