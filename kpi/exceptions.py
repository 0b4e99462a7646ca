"""The records behind a KPI that a director asks about first: those that miss the goal (late payments,
single-bid solicitations, overdue evaluations, contracts needing action), picked from a drill-down."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .results import Records

# What the exceptions of a KPI are called on screen; any other KPI is named from its noun and direction.
EXCEPTION_LABELS = {
    "procurement_lead_time_days": "Awards slower than the goal",
    "requisition_to_award_days": "Awards slower than the goal",
    "within_cycle_goal_share": "Awards outside the cycle-time goal",
    "decision_days": "Awards slower than the goal",
    "late_contract_share": "Contracts executed late",
    "bids_per_solicitation": "Solicitations with fewer bids than the goal",
    "single_bid_share": "Single-bid solicitations",
    "no_bid_share": "Solicitations with no bids",
    "noncompetitive_share": "Non-competitive awards",
    "emergency_share": "Emergency awards",
    "cancelled_solicitation_share": "Cancelled solicitations",
    "first_time_vendor_share": "Awards to returning vendors",
    "protest_rate": "Protested awards",
    "mwbe_spend_share": "Payments to firms not certified M/WBE",
    "mwbe_award_share": "Awards to firms not certified M/WBE",
    "small_business_share": "Payments to firms that are not small businesses",
    "local_spend_share": "Payments to non-local firms",
    "diverse_bid_share": "Bids from firms without a certification",
    "spend_under_contract_share": "Payments made without a contract",
    "savings_rate": "Awards with no savings against the estimate",
    "cooperative_share": "Awards not through a cooperative",
    "expiring_without_replacement": "Contracts needing action now",
    "contracts_with_metrics_share": "Key contracts without performance metrics",
    "evaluation_completion_rate": "Evaluations overdue or late",
    "quarterly_checkin_rate": "Quarters without a check-in",
    "offtrack_key_contract_share": "Key contracts off track",
    "repeat_awards_with_evaluation_share": "Repeat awards without a recent evaluation",
    "low_performance_share": "Evaluations below satisfactory",
    "cost_growth": "Contracts that grew",
    "overspent_contracts": "Contracts paid beyond their amount",
    "on_time_payment_share": "Late payments",
    "days_to_pay": "Payments slower than the goal",
    "engagement_share": "Solicitations without market research",
    "field_completeness": "Records with key fields missing",
}
# The per-record measure a duration or average is taken over, as the drill-down names it.
MEASURE_COLUMNS = ("days", "duration_days", "bids", "days_completed_after_due", "overspent_by")
RATIO_KINDS = ("ratio", "snapshot_ratio", "count", "snapshot_count")


@dataclass(frozen=True)
class Exceptions:
    """The records that miss the goal (`records`, a kpi.Records query: counted and fetched by the engine), what
    they are called, and why (one sentence)."""

    label: str
    records: Records
    rule: str
    counted: bool = False  # the records counted in the value (a share where lower is better), worst first


def _target(goal) -> float | None:
    raw = goal.get("target") if isinstance(goal, dict) else getattr(goal, "target", None)
    try:
        v = float(raw)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def measure_column(columns) -> str | None:
    """The column holding each record's own measure (days, bids...), if the drill-down has one."""
    return next((c for c in MEASURE_COLUMNS if c in columns), None)


def exceptions(k, drill, goal=None) -> Exceptions | None:
    """The records of `drill` (a kpi.Drilldown for KPI `k`) that miss the goal, worst first.

    Shares and counts where lower is better: the counted records (single bids, late contracts); where higher
    is better: the records not counted (late payments). Durations and averages: the records beyond the goal
    target (none without a goal). None when the KPI has no record that misses anything (distinct counts).
    """
    # Kept on the drill-down: a page asks on every rerun, and the records' count and rows are then known.
    memo = getattr(drill, "memo", {})
    key = ("exceptions", k.id, _target(goal))
    if key not in memo:
        memo[key] = _exceptions(k, drill, goal)
    return memo[key]


def _exceptions(k, drill, goal) -> Exceptions | None:
    label = EXCEPTION_LABELS.get(k.id) or f"{str(k.noun).capitalize()} that miss the goal"
    used = drill.used
    if k.kind in RATIO_KINDS:
        if k.direction == "lower":
            rows, rule = drill.counted, "counted in the value, where lower is better"
        elif "counted" in used.columns:
            rows, rule = used.where(lambda t: ~t.counted.fill_null(False)), "not counted, where higher is better"
        else:
            return None
    elif k.kind in ("duration", "mean"):
        col, target = measure_column(used.columns), _target(goal)
        if col is None or target is None:
            return None
        beyond = (lambda t: t[col] > target) if k.direction == "lower" else (lambda t: t[col] < target)
        rows, rule = used.where(beyond), f"beyond the goal of {target:g}"
    else:
        return None
    return Exceptions(label, _worst_first(rows), rule, counted=rows is drill.counted)


def _worst_first(rows: Records) -> Records:
    """Largest measure first (most days late, most overspent), else largest amount, else as they came."""
    col = measure_column(rows.columns)
    if col is None:
        col = next((c for c in ("overspent_by", "numerator_amount", "current_amount", "awarded_amount", "amount")
                    if c in rows.columns), None)
    return rows if col is None else rows.largest_first(col)
