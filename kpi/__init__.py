"""Procurement KPIs: the registry, their computation by fiscal period, goals, what changed and drill-down.

compute(kpi_id, tables, ...) returns a KPIResult whose frame has one row per period (and group):
period, period_label, period_start, period_end, fiscal_year, [group], value, [p90], n, excluded, partial,
plus kind-specific columns (numerator and denominator for shares; sd for means; value_90/value_365 and
reference_date for the expiring pipeline count; sustained_share for protests; engaged_n... for the lift).
"""

from . import contracts, market
from .changes import Change, summary, what_changed
from .goals import (
    GOAL_COLUMNS,
    STATUSES,
    assess,
    default_goals,
    dump_goals_file,
    load_goals_file,
    resolve_goal,
)
from .registry import KPI, KPIS, SCORECARD, THEMES, Goal
from .results import Drilldown, Filters, KPIResult, Records
from .scorecard import scorecard
from .sql.engine import compute, compute_all, drilldown

__all__ = [
    "KPIS", "SCORECARD", "THEMES", "KPI", "Goal", "Filters", "KPIResult", "Drilldown", "Records", "Change", "compute",
    "compute_all", "scorecard", "assess", "drilldown", "what_changed", "summary", "load_goals_file",
    "dump_goals_file", "resolve_goal", "default_goals", "GOAL_COLUMNS", "STATUSES", "contracts", "market",
]
