"""The settings the KPI definitions use, each defined once (kpi/sql/measures.py computes with them,
kpi/docs.py writes them into docs/kpis.md, kpi/performance.py reads metric directions with them)."""

from __future__ import annotations

import numpy as np

from loaders.schema import KEY_FIELDS, TABLES
from loaders.values import direction_of

ON_TIME_PAYMENT_DAYS = 30
EXPIRING_WINDOWS = (90, 180, 365)
EXPIRING_DAYS = 180
# A contract with no end date is open-ended (public works end on completion): it never expires, and it is
# active from its start on.
OPEN_ENDED = "no end date (open-ended, ends on completion)"
OPEN_END = np.datetime64("9999-12-31", "D")
# A method the vocabulary did not recognise (its text kept in method_text) is not a missing one: method-based
# KPIs leave it out with this reason, and it never counts as non-competitive.
METHOD_NOT_RECOGNISED = "method not recognised"
FIRST_TIME_LOOKBACK_YEARS = 3
ENGAGEMENT_THRESHOLD = 100_000.0
# Market research that is not vendor engagement (desk research), so it does not count.
NOT_ENGAGEMENT = ("internet research",)
LOW_SCORE = 0.5  # a 0-1 score below this is below satisfactory (both 1-5 scales put "satisfactory" at 0.5+)
# Cycle-time goals (days from requisition to award) per method and value band: starting points an office
# changes. Bands: under $100,000; $100,000 to under $1,000,000; $1,000,000 and over.
CYCLE_TIME_BANDS = (100_000.0, 1_000_000.0)
CYCLE_TIME_GOALS = {
    "invitation for bid": (60, 90, 120),
    "request for proposals": (90, 120, 150),
    "request for quotes": (30, 45, 60),
    "small purchase": (15, 30, 30),
    "cooperative": (30, 45, 60),
    "sole source": (30, 60, 90),
    "emergency": (7, 14, 14),
    "exempt": (30, 60, 90),
    "other": (60, 90, 120),
}
BELOW_SATISFACTORY = ("unsatisf", "marginal", "poor", "needs improvement", "below", "unaccept", "fail",
                      "does not meet", "inadequate", "deficient", "not satisf")
SATISFACTORY_OR_BETTER = ("satisf", "good", "excellent", "exceptional", "outstanding", "meets", "exceeds",
                          "acceptable", "fair", "superior")

# Contract performance (active contract management, RDC2/5/6).
CHECKIN_QUARTER = "quarter"  # check-ins are counted per fiscal quarter, whatever the report's grain
EVALUATION_LOOKBACK_DAYS = 365
HIGHER, LOWER = 1, -1


def direction_sign(text: object) -> int:
    """'higher' / 'Higher is better' / 'max' -> 1; 'lower' / 'Lower is better' / 'min' -> -1; else 0."""
    return {"higher": HIGHER, "lower": LOWER}.get(direction_of(text), 0)


# ----------------------------------------------------------------------------- Data quality

# Where each table's rows fall in time, in order of preference.
TABLE_DATES = {
    "solicitations": ("award_date", "issue_date", "due_date", "requisition_date"),
    "contracts": ("start_date", "executed_date", "end_date"),
    "payments": ("payment_date", "invoice_date", "invoice_received_date"),
    "vendors": ("registration_date",),
    "evaluations": ("due_date", "completed_date"),
    "engagements": ("engagement_date",),
    "metric_results": ("period_end",),
    "checkins": ("meeting_date",),
}


def required_fields(table: str) -> tuple[tuple[str, ...], ...]:
    """The table's required fields; a 'one of' group ('vendor_id or vendor_name') is one field."""
    t = TABLES[table]
    grouped = {c for g in t.one_of for c in g}
    return tuple((c,) for c in t.required if c not in grouped) + tuple(t.one_of)


def completeness_fields(table: str, has) -> tuple[tuple[str, ...], ...]:
    """The fields field_completeness counts for a table: its required fields, and its key fields
    (loaders.schema.KEY_FIELDS) that the data records, i.e. with a value in some record (`has(table, column)`).
    A key field no record holds is not counted here: the KPIs that need it say no data, naming it."""
    fields = list(required_fields(table))
    for group in KEY_FIELDS.get(table, ()):
        if not any(set(group) <= set(f) or set(f) <= set(group) for f in fields) and any(has(table, c) for c in group):
            fields.append(group)
    return tuple(fields)
