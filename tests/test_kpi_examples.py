"""Per KPI: a worked example computed by hand, a record it excludes, and empty input giving no data."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

import kpi
from loaders.schema import TABLES


def D(text):
    return pd.Timestamp(text) if text else pd.NaT


def frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """A canonical frame from rows naming only the columns they use (dates as datetimes)."""
    df = pd.DataFrame(rows)
    for c in df.columns:
        if c.endswith("_date") or c == "period_end":
            df[c] = pd.to_datetime(df[c])
    assert set(df.columns) <= set(TABLES[table].names), set(df.columns) - set(TABLES[table].names)
    return df


@dataclass
class Example:
    tables: dict[str, pd.DataFrame]
    period: str  # the period whose value was worked out by hand
    value: float
    n: int
    excluded_reason: str  # a reason some record of the input is excluded for
    as_of: str = "2026-06-30"
    grain: str = "quarter"
    p90: float | None = None
    extra: dict = field(default_factory=dict)  # other frame columns checked at the period


def sol(**kw):
    return kw


IFB, RFP, RFQ = "invitation for bid", "request for proposals", "request for quotes"

# Award dollars by method, shared by the three method dollar shares (FY2026 Q1 = Jul-Sep 2025).
AWARDS_BY_METHOD = [
    sol(solicitation_id="SOL-IFB-800K", method=IFB, award_date="2025-08-01", awarded_amount=800_000),
    sol(solicitation_id="SOL-SOLE-SOURCE-150K", method="sole source", award_date="2025-08-02", awarded_amount=150_000),
    sol(solicitation_id="SOL-EMERGENCY-50K", method="emergency", award_date="2025-08-03", awarded_amount=50_000),
    sol(solicitation_id="SOL-ZERO-AWARD", method=IFB, award_date="2025-08-04", awarded_amount=0),
]

PAY_DAYS = [  # received 1 Aug 2025, paid after 10, 30 and 31 days
    dict(payment_id="P-10-DAYS", payment_date="2025-08-11", amount=100.0, invoice_received_date="2025-08-01"),
    dict(payment_id="P-30-DAYS", payment_date="2025-08-31", amount=100.0, invoice_received_date="2025-08-01"),
    dict(payment_id="P-31-DAYS", payment_date="2025-09-01", amount=100.0, invoice_received_date="2025-08-01"),
    dict(payment_id="P-NO-RECEIPT-DATE", payment_date="2025-09-01", amount=100.0),
]

VENDOR_LIST = frame("vendors", [
    dict(vendor_id="V1", vendor_name="Alpha Builders", is_mbe=True, is_small=False, is_local=True),
    dict(vendor_name="BETA CO", is_wbe=True, is_small=True, is_local=False),
    dict(vendor_id="V3", vendor_name="Gamma Supply", is_mbe=False, is_wbe=False, is_small=False, is_local=False),
])


def _examples() -> dict[str, Example]:
    E = {}
    E["procurement_lead_time_days"] = Example(
        {"solicitations": frame("solicitations", [
            sol(solicitation_id="SOL-30-DAYS", method=IFB, issue_date="2025-10-31", award_date="2025-11-30"),
            sol(solicitation_id="SOL-60-DAYS", method=IFB, issue_date="2025-10-01", award_date="2025-11-30"),
            sol(solicitation_id="SOL-89-DAYS", method=RFP, issue_date="2025-09-02", award_date="2025-11-30"),
            sol(solicitation_id="SOL-NOT-AWARDED", method=IFB, issue_date="2025-10-15", award_date=None),
        ])},
        "FY2026 Q2", 60.0, 3, "not awarded (award_date missing)", p90=60 + 0.8 * 29)
    E["requisition_to_award_days"] = Example(
        {"solicitations": frame("solicitations", [
            sol(solicitation_id="SOL-REQ-90-DAYS", method=IFB, requisition_date="2025-07-01", award_date="2025-09-29"),
            sol(solicitation_id="SOL-REQ-29-DAYS", method=IFB, requisition_date="2025-08-31", award_date="2025-09-29"),
            sol(solicitation_id="SOL-NO-REQUISITION", method=IFB, requisition_date=None, award_date="2025-09-15"),
        ])},
        "FY2026 Q1", 59.5, 2, "requisition_date missing", p90=29 + 0.9 * 61)
    E["within_cycle_goal_share"] = Example(
        {"solicitations": frame("solicitations", [
            # Invitation for bid under $100,000: goal 60 days from requisition to award.
            sol(solicitation_id="SOL-55-DAYS", method=IFB, requisition_date="2025-07-01", award_date="2025-08-25",
                awarded_amount=50_000),
            sol(solicitation_id="SOL-70-DAYS", method=IFB, requisition_date="2025-07-01", award_date="2025-09-09",
                awarded_amount=50_000),
            sol(solicitation_id="SOL-NOT-AWARDED", method=IFB, requisition_date="2025-07-01", awarded_amount=50_000),
        ])},
        "FY2026 Q1", 0.5, 2, "not awarded (award_date missing)")
    E["decision_days"] = Example(
        {"solicitations": frame("solicitations", [
            sol(solicitation_id="SOL-DUE-OCT-1", method=IFB, due_date="2025-10-01", award_date="2025-12-01"),
            sol(solicitation_id="SOL-DUE-NOV-1", method=IFB, due_date="2025-11-01", award_date="2025-12-01"),
            sol(solicitation_id="SOL-AWARD-BEFORE-DUE", method=IFB, due_date="2025-12-10", award_date="2025-12-01"),
        ])},
        "FY2026 Q2", 45.5, 2, "award before due date (negative duration)")
    E["late_contract_share"] = Example(
        {"contracts": frame("contracts", [
            dict(contract_id="CTR-EXECUTED-10-DAYS-LATE", start_date="2025-08-01", end_date="2026-07-31",
                 executed_date="2025-08-11"),
            dict(contract_id="CTR-EXECUTED-BEFORE", start_date="2025-07-01", end_date="2026-06-30",
                 executed_date="2025-06-20"),
            dict(contract_id="CTR-EXECUTED-SAME-DAY", start_date="2025-09-01", end_date="2026-08-31",
                 executed_date="2025-09-01"),
            dict(contract_id="CTR-EXECUTED-EARLY", start_date="2025-09-15", end_date="2026-09-14",
                 executed_date="2025-09-01"),
            dict(contract_id="CTR-NOT-EXECUTED", start_date="2025-08-01", end_date="2026-07-31"),
        ])},
        "FY2026 Q1", 0.25, 4, "executed_date missing")
    competitive = lambda i, bids, due="2025-08-15", method=IFB: sol(  # noqa: E731
        solicitation_id=i, method=method, due_date=due, bids_received=bids)
    E["bids_per_solicitation"] = Example(
        {"solicitations": frame("solicitations", [
            competitive("SOL-1-BID", 1), competitive("SOL-2-BIDS", 2), competitive("SOL-6-BIDS", 6),
            competitive("SOL-SOLE-SOURCE", 1, method="sole source"),
        ])},
        "FY2026 Q1", 3.0, 3, "not competitive")
    E["single_bid_share"] = Example(
        {"solicitations": frame("solicitations", [
            competitive("SOL-SINGLE-BID", 1), competitive("SOL-2-BIDS", 2, method=RFP),
            competitive("SOL-3-BIDS", 3, method=RFQ), competitive("SOL-NO-BID", 0),
            competitive("SOL-BIDS-UNKNOWN", None),
        ])},
        "FY2026 Q1", 0.25, 4, "bids_received missing")
    E["no_bid_share"] = Example(
        {"solicitations": frame("solicitations", [
            competitive("SOL-NO-BID", 0), competitive("SOL-1-BID", 1), competitive("SOL-2-BIDS", 2),
            competitive("SOL-3-BIDS", 3), competitive("SOL-4-BIDS", 4),
            competitive("SOL-DUE-AFTER-AS-OF", 0, due="2026-05-01"),
        ])},
        "FY2026 Q1", 0.2, 5, "bids not yet due (due_date after the as-of date)", as_of="2026-03-31")
    E["noncompetitive_share"] = Example(
        {"solicitations": frame("solicitations", AWARDS_BY_METHOD)},
        "FY2026 Q1", 0.2, 3, "awarded_amount zero or negative")
    E["emergency_share"] = Example(
        {"solicitations": frame("solicitations", AWARDS_BY_METHOD)},
        "FY2026 Q1", 0.05, 3, "awarded_amount zero or negative")
    E["cancelled_solicitation_share"] = Example(
        {"solicitations": frame("solicitations", [
            sol(solicitation_id="SOL-CANCELLED", method=IFB, issue_date="2025-07-10", status="Cancelled"),
            sol(solicitation_id="SOL-AWARDED", method=IFB, issue_date="2025-07-11", status="Awarded"),
            sol(solicitation_id="SOL-OPEN", method=RFP, issue_date="2025-08-11", status="Open"),
            sol(solicitation_id="SOL-CLOSED", method=RFQ, issue_date="2025-09-11", status="Closed"),
            sol(solicitation_id="SOL-NO-STATUS", method=IFB, issue_date="2025-09-12"),
        ])},
        "FY2026 Q1", 0.25, 4, "status missing")
    E["first_time_vendor_share"] = Example(
        {"solicitations": frame("solicitations", [
            sol(solicitation_id="SOL-V1-FY2026", method=IFB, award_date="2025-08-01", awarded_vendor_id="V1"),
            sol(solicitation_id="SOL-V2-FY2026", method=IFB, award_date="2025-09-01", awarded_vendor_id="V2"),
            sol(solicitation_id="SOL-V3-FY2026", method=IFB, award_date="2026-02-01", awarded_vendor_id="V3"),
            sol(solicitation_id="SOL-V1-FY2024", method=IFB, award_date="2023-10-15", awarded_vendor_id="V1"),
            # FY2022 is four fiscal years before FY2026: outside the look-back, so V2 is first-time.
            sol(solicitation_id="SOL-V2-FY2022", method=IFB, award_date="2021-09-01", awarded_vendor_id="V2"),
            sol(solicitation_id="SOL-NO-VENDOR", method=IFB, award_date="2025-10-01"),
        ])},
        "FY2026", 2 / 3, 3, "awarded vendor missing", grain="year")
    E["active_bidder_count"] = Example(
        {"solicitations": frame("solicitations", [
            sol(solicitation_id="SOL-A", method=IFB, due_date="2025-08-01"),
            sol(solicitation_id="SOL-B", method=IFB, due_date="2025-09-01"),
        ]), "bids": frame("bids", [
            dict(solicitation_id="SOL-A", vendor_name="Acme"),
            dict(solicitation_id="SOL-A", vendor_name="ACME Inc."),
            dict(solicitation_id="SOL-A", vendor_name="Beta"),
            dict(solicitation_id="SOL-B", vendor_name="Gamma"),
            dict(solicitation_id="SOL-B", vendor_name="Gamma"),
            dict(solicitation_id="SOL-UNKNOWN", vendor_name="Delta"),
        ])},
        "FY2026 Q1", 3.0, 5, "solicitation not found")
    E["protest_rate"] = Example(
        {"solicitations": frame("solicitations", [
            sol(solicitation_id=f"SOL-AWARD-{i}", method=IFB, award_date="2025-08-01",
                protest_filed=(i == 1), protest_sustained=False) for i in range(1, 11)
        ] + [sol(solicitation_id="SOL-NOT-AWARDED", method=IFB, issue_date="2025-08-01", protest_filed=False)])},
        "FY2026 Q1", 0.1, 10, "not awarded (award_date missing)", extra={"sustained_share": 0.0})
    E["mwbe_spend_share"] = Example(
        {"vendors": VENDOR_LIST, "payments": frame("payments", [
            dict(payment_id="P-MBE", payment_date="2025-08-01", amount=30_000.0, vendor_id="V1"),
            dict(payment_id="P-WBE-BY-NAME", payment_date="2025-08-02", amount=10_000.0, vendor_name="Beta Co."),
            dict(payment_id="P-OTHER", payment_date="2025-08-03", amount=60_000.0, vendor_id="V3"),
            dict(payment_id="P-NO-AMOUNT", payment_date="2025-08-04", amount=None, vendor_id="V1"),
        ])},
        "FY2026 Q1", 0.4, 3, "amount missing")
    E["mwbe_award_share"] = Example(
        {"vendors": VENDOR_LIST, "solicitations": frame("solicitations", [
            sol(solicitation_id="SOL-WBE-FLAG", method=IFB, award_date="2025-08-01", awarded_amount=100_000,
                is_wbe=True),
            sol(solicitation_id="SOL-MBE-LISTED", method=IFB, award_date="2025-08-01", awarded_amount=300_000,
                awarded_vendor_id="V1"),
            sol(solicitation_id="SOL-OTHER", method=IFB, award_date="2025-08-01", awarded_amount=600_000,
                awarded_vendor_id="V3"),
            sol(solicitation_id="SOL-NOT-AWARDED", method=IFB, issue_date="2025-08-01", awarded_amount=50_000),
        ])},
        "FY2026 Q1", 0.4, 3, "not awarded (award_date missing)")
    E["small_business_share"] = Example(
        {"vendors": VENDOR_LIST, "payments": frame("payments", [
            dict(payment_id="P-SMALL", payment_date="2025-08-01", amount=25_000.0, vendor_name="Beta Co"),
            dict(payment_id="P-OTHER", payment_date="2025-08-01", amount=75_000.0, vendor_id="V3"),
            dict(payment_id="P-NO-AMOUNT", payment_date="2025-08-01", amount=None, vendor_id="V3"),
        ])},
        "FY2026 Q1", 0.25, 2, "amount missing")
    E["local_spend_share"] = Example(
        {"vendors": VENDOR_LIST, "payments": frame("payments", [
            dict(payment_id="P-LOCAL", payment_date="2025-08-01", amount=60_000.0, vendor_id="V1"),
            dict(payment_id="P-OTHER", payment_date="2025-08-01", amount=40_000.0, vendor_id="V3"),
            dict(payment_id="P-NO-AMOUNT", payment_date="2025-08-01", amount=None, vendor_id="V3"),
        ])},
        "FY2026 Q1", 0.6, 2, "amount missing")
    E["diverse_bid_share"] = Example(
        {"vendors": VENDOR_LIST,
         "solicitations": frame("solicitations", [sol(solicitation_id="SOL-A", method=IFB, due_date="2025-08-01")]),
         "bids": frame("bids", [
             dict(solicitation_id="SOL-A", vendor_id="V1"),  # MBE
             dict(solicitation_id="SOL-A", vendor_id="V3"),
             dict(solicitation_id="SOL-A", vendor_name="Other One"),
             dict(solicitation_id="SOL-A", vendor_name="Other Two"),
             dict(solicitation_id="SOL-A"),  # no bidder named
         ])},
        "FY2026 Q1", 0.25, 4, "bidder missing")
    E["spend_under_contract_share"] = Example(
        {"payments": frame("payments", [
            dict(payment_id="P-UNDER-CONTRACT", payment_date="2025-08-01", amount=90_000.0, contract_id="CTR-1"),
            dict(payment_id="P-NO-CONTRACT", payment_date="2025-08-01", amount=10_000.0),
            dict(payment_id="P-NO-AMOUNT", payment_date="2025-08-01", amount=None, contract_id="CTR-1"),
        ])},
        "FY2026 Q1", 0.9, 2, "amount missing")
    E["savings_rate"] = Example(
        {"solicitations": frame("solicitations", [
            sol(solicitation_id="SOL-SAVED-10K", method=IFB, award_date="2025-08-01", estimated_amount=100_000,
                awarded_amount=90_000),
            sol(solicitation_id="SOL-SAVED-10K-OF-300K", method=RFP, award_date="2025-08-01",
                estimated_amount=300_000, awarded_amount=290_000),
            sol(solicitation_id="SOL-SOLE-SOURCE", method="sole source", award_date="2025-08-01",
                estimated_amount=100_000, awarded_amount=50_000),
        ])},
        "FY2026 Q1", 0.05, 2, "not competitive")
    E["cooperative_share"] = Example(
        {"solicitations": frame("solicitations", [
            sol(solicitation_id="SOL-COOPERATIVE", method="cooperative", award_date="2025-08-01",
                awarded_amount=120_000),
            sol(solicitation_id="SOL-IFB", method=IFB, award_date="2025-08-01", awarded_amount=880_000),
            sol(solicitation_id="SOL-NO-AMOUNT", method=IFB, award_date="2025-08-01"),
        ])},
        "FY2026 Q1", 0.12, 2, "awarded_amount missing")
    E["expiring_without_replacement"] = Example(
        {"contracts": frame("contracts", [
            dict(contract_id="CTR-EXPIRES-IN-60", start_date="2024-01-01", end_date="2026-05-30",
                 renewal_options_remaining=0),
            dict(contract_id="CTR-EXPIRES-IN-90-REPLACED", start_date="2024-01-01", end_date="2026-06-29",
                 renewal_options_remaining=0),
            dict(contract_id="CTR-RENEWABLE", start_date="2024-01-01", end_date="2026-06-01",
                 renewal_options_remaining=1),
            dict(contract_id="CTR-EXPIRES-IN-300", start_date="2024-01-01", end_date="2027-01-25",
                 renewal_options_remaining=0),
            dict(contract_id="CTR-NO-END-DATE", start_date="2024-01-01"),
        ]), "solicitations": frame("solicitations", [
            sol(solicitation_id="SOL-REPLACEMENT", method=IFB, issue_date="2026-02-01",
                replaces_contract_id="CTR-EXPIRES-IN-90-REPLACED"),
        ])},
        # As of 31 Mar 2026 (the last day of FY2026 Q3): only CTR-EXPIRES-IN-60 needs action.
        "FY2026 Q3", 1.0, 3, "no end date (open-ended, ends on completion)", as_of="2026-03-31",
        extra={"value_90": 1.0, "value_365": 2.0})
    E["contracts_with_metrics_share"] = Example(
        {"contracts": frame("contracts", [
            *[dict(contract_id=f"CTR-KEY-WITH-METRICS-{i}", start_date="2025-01-01", end_date="2027-01-01",
                   is_key_contract=True, has_performance_metrics=True) for i in (1, 2, 3)],
            dict(contract_id="CTR-KEY-METRICS-ROW", start_date="2025-01-01", end_date="2027-01-01",
                 is_key_contract=True, has_performance_metrics=False),
            dict(contract_id="CTR-KEY-NO-METRICS", start_date="2025-01-01", end_date="2027-01-01",
                 is_key_contract=True, has_performance_metrics=False),
            dict(contract_id="CTR-KEY-ENDED-MAY", start_date="2025-01-01", end_date="2026-05-31",
                 is_key_contract=True, has_performance_metrics=False),
            dict(contract_id="CTR-NOT-KEY", start_date="2025-01-01", end_date="2027-01-01",
                 is_key_contract=False, has_performance_metrics=False),
        ]),
         "contract_metrics": frame("contract_metrics", [
             dict(contract_id="CTR-KEY-METRICS-ROW", metric_id="ON-TIME", direction="higher", target=0.95)])},
        "FY2026", 0.8, 5, "not a key contract", grain="year")
    E["quarterly_checkin_rate"] = Example(
        {"contracts": frame("contracts", [
            dict(contract_id="CTR-ENDS-DEC", start_date="2025-07-01", end_date="2025-12-31", is_key_contract=True),
            dict(contract_id="CTR-OPEN-ENDED", start_date="2025-12-31", is_key_contract=True),
            dict(contract_id="CTR-NO-START", is_key_contract=True),
            dict(contract_id="CTR-NOT-KEY", start_date="2025-07-01", is_key_contract=False),
        ]),
         "checkins": frame("checkins", [
             dict(contract_id="CTR-ENDS-DEC", meeting_date="2025-09-30"),  # last day of Q1
             dict(contract_id="CTR-ENDS-DEC", meeting_date="2025-10-01"),  # first day of Q2
             dict(contract_id="CTR-OPEN-ENDED", meeting_date="2025-06-30"),  # before it started
             dict(contract_id="CTR-OPEN-ENDED", meeting_date="2026-01-20"),  # after the as-of date
             dict(contract_id="CTR-NOT-KEY", meeting_date="2025-08-01"),
         ])},
        "FY2026", 0.5, 4, "start_date missing", as_of="2026-01-15", grain="year")
    E["offtrack_key_contract_share"] = Example(
        {"contracts": frame("contracts", [
            dict(contract_id=c, start_date="2024-07-01", is_key_contract=True)
            for c in ("CTR-ON-TIME", "CTR-RESPONSE", "CTR-LAST-YEAR", "CTR-NO-TARGET")]),
         "contract_metrics": frame("contract_metrics", [
             dict(contract_id="CTR-ON-TIME", metric_id="ON-TIME", direction="higher", target=0.95),
             dict(contract_id="CTR-RESPONSE", metric_id="RESPONSE-HOURS", direction="Lower is better", target=4.0),
             dict(contract_id="CTR-LAST-YEAR", metric_id="ON-TIME", direction="higher", target=0.9),
             dict(contract_id="CTR-NO-TARGET", metric_id="ON-TIME", direction="higher"),
         ]),
         "metric_results": frame("metric_results", [
             dict(contract_id="CTR-ON-TIME", metric_id="ON-TIME", period_end="2025-09-30", value=0.90),
             dict(contract_id="CTR-ON-TIME", metric_id="ON-TIME", period_end="2025-12-31", value=0.95),
             dict(contract_id="CTR-ON-TIME", metric_id="ON-TIME", period_end="2026-04-30", value=0.50),
             dict(contract_id="CTR-RESPONSE", metric_id="RESPONSE-HOURS", period_end="2025-12-31", value=3.5),
             dict(contract_id="CTR-RESPONSE", metric_id="RESPONSE-HOURS", period_end="2026-03-31", value=4.5),
             dict(contract_id="CTR-LAST-YEAR", metric_id="ON-TIME", period_end="2025-06-30", value=0.5),
             dict(contract_id="CTR-NO-TARGET", metric_id="ON-TIME", period_end="2025-12-31", value=0.5),
         ])},
        "FY2026", 0.5, 2, "no result of a metric with a target and a direction", as_of="2026-03-31", grain="year")
    E["repeat_awards_with_evaluation_share"] = Example(
        {"contracts": frame("contracts", [
            dict(contract_id="CTR-ACME-2019", vendor_id="V-ACME", vendor_name="Acme Paving, Inc.",
                 start_date="2019-07-01"),
            dict(contract_id="CTR-ACME-NEW", vendor_name="ACME PAVING", start_date="2025-09-01"),
            dict(contract_id="CTR-BETA-2020", vendor_id="V-BETA", start_date="2020-01-01"),
            dict(contract_id="CTR-BETA-NEW", vendor_id="V-BETA", start_date="2025-10-01"),
            dict(contract_id="CTR-GAMMA-FIRST", vendor_id="V-GAMMA", start_date="2025-08-01"),
        ]),
         "evaluations": frame("evaluations", [
             dict(contract_id="CTR-ACME-2019", completed_date="2024-09-01"),  # 365 days before: counts
             dict(contract_id="CTR-BETA-2020", vendor_id="V-BETA", completed_date="2024-09-30"),  # 366 days
         ])},
        "FY2026", 0.5, 2, "not a repeat award (no earlier contract with the vendor)", grain="year")
    E["evaluation_completion_rate"] = Example(
        {"evaluations": frame("evaluations", [
            dict(contract_id="CTR-1", due_date="2025-08-01", completed_date="2025-07-25"),  # on time
            dict(contract_id="CTR-2", due_date="2025-09-01", completed_date="2025-09-01"),  # on the day
            dict(contract_id="CTR-3", due_date="2025-08-15", completed_date="2025-09-10"),  # late
            dict(contract_id="CTR-4", due_date="2025-09-15"),  # never
            dict(contract_id="CTR-NOT-YET-DUE", due_date="2026-02-01"),
        ])},
        "FY2026 Q1", 0.5, 4, "not yet due (due_date after the as-of date)", as_of="2025-12-31")
    E["low_performance_share"] = Example(
        {"evaluations": frame("evaluations", [
            dict(contract_id="CTR-MARGINAL", completed_date="2025-08-01", rating="Marginal"),
            dict(contract_id="CTR-SATISFACTORY", completed_date="2025-08-01", rating="Satisfactory"),
            dict(contract_id="CTR-EXCELLENT", completed_date="2025-08-01", rating="Excellent"),
            dict(contract_id="CTR-SCORE-0.3", completed_date="2025-08-01", score=0.3),
            dict(contract_id="CTR-NOT-COMPLETED", due_date="2025-08-01"),
        ])},
        "FY2026 Q1", 0.5, 4, "not completed (completed_date missing)")
    E["cost_growth"] = Example(
        {"contracts": frame("contracts", [
            dict(contract_id="CTR-GREW-20K", start_date="2025-08-01", end_date="2026-07-31",
                 original_amount=100_000, current_amount=120_000),
            dict(contract_id="CTR-UNCHANGED", start_date="2025-08-01", end_date="2026-07-31",
                 original_amount=300_000, current_amount=300_000),
            dict(contract_id="CTR-NO-ORIGINAL", start_date="2025-08-01", end_date="2026-07-31",
                 current_amount=50_000),
        ])},
        "FY2026 Q1", 0.05, 2, "original_amount missing or zero")
    E["overspent_contracts"] = Example(
        {"contracts": frame("contracts", [
            dict(contract_id="CTR-OVERSPENT", start_date="2025-07-01", end_date="2026-06-30", current_amount=100_000),
            dict(contract_id="CTR-WITHIN", start_date="2025-07-01", end_date="2026-06-30", current_amount=100_000),
            dict(contract_id="CTR-NO-PAYMENTS", start_date="2025-10-01", end_date="2026-06-30",
                 current_amount=100_000),
        ]), "payments": frame("payments", [
            dict(payment_id="P1", payment_date="2025-08-15", amount=60_000.0, contract_id="CTR-OVERSPENT"),
            dict(payment_id="P2", payment_date="2025-11-15", amount=50_000.0, contract_id="CTR-OVERSPENT"),
            dict(payment_id="P3", payment_date="2025-11-20", amount=80_000.0, contract_id="CTR-WITHIN"),
        ])},
        "FY2026 Q2", 1.0, 2, "no payments linked to the contract")
    E["on_time_payment_share"] = Example(
        {"payments": frame("payments", PAY_DAYS)}, "FY2026 Q1", 2 / 3, 3, "invoice_received_date missing")
    E["days_to_pay"] = Example(
        {"payments": frame("payments", PAY_DAYS)}, "FY2026 Q1", 30.0, 3, "invoice_received_date missing",
        p90=30.8)
    E["engagement_share"] = Example(
        {"solicitations": frame("solicitations", [
            sol(solicitation_id="SOL-RFI-BEFORE-ISSUE", method=RFP, issue_date="2025-09-01",
                estimated_amount=200_000),
            sol(solicitation_id="SOL-INTERNET-RESEARCH-ONLY", method=IFB, issue_date="2025-09-01",
                estimated_amount=150_000),
            sol(solicitation_id="SOL-INDUSTRY-DAY-AFTER-ISSUE", method=RFP, issue_date="2025-08-01",
                estimated_amount=500_000),
            sol(solicitation_id="SOL-NO-ENGAGEMENT-100K", method=IFB, issue_date="2025-08-01",
                estimated_amount=100_000),
            sol(solicitation_id="SOL-SMALL-20K", method=RFQ, issue_date="2025-08-01", estimated_amount=20_000),
        ]), "engagements": frame("engagements", [
            dict(engagement_id="E1", type="RFI", solicitation_id="SOL-RFI-BEFORE-ISSUE",
                 engagement_date="2025-08-01"),
            dict(engagement_id="E2", type="internet research", solicitation_id="SOL-INTERNET-RESEARCH-ONLY",
                 engagement_date="2025-08-01"),
            dict(engagement_id="E3", type="industry day", solicitation_id="SOL-INDUSTRY-DAY-AFTER-ISSUE",
                 engagement_date="2025-08-20"),
            dict(engagement_id="E4", type="one-on-one", solicitation_id="SOL-SMALL-20K",
                 engagement_date="2025-07-01"),
        ])},
        "FY2026 Q1", 0.25, 4, "below the $100,000 value threshold")
    lift = lambda i, cat, bids: sol(solicitation_id=i, method=IFB, category=cat, due_date="2025-08-15",  # noqa: E731
                                    issue_date="2025-07-15", bids_received=bids)
    E["engagement_bid_lift"] = Example(
        {"solicitations": frame("solicitations", [
            lift("SOL-CONSTRUCTION-ENGAGED", "Construction", 5), lift("SOL-CONSTRUCTION-A", "Construction", 2),
            lift("SOL-CONSTRUCTION-B", "Construction", 4),
            lift("SOL-IT-ENGAGED", "IT", 3), lift("SOL-IT-A", "IT", 2),
            lift("SOL-GOODS-NOT-COMPARED", "Goods", 3),
        ]), "engagements": frame("engagements", [
            dict(engagement_id="E1", type="industry day", solicitation_id="SOL-CONSTRUCTION-ENGAGED"),
            dict(engagement_id="E2", type="RFI", solicitation_id="SOL-IT-ENGAGED", engagement_date="2025-07-01"),
        ])},
        # Construction: 5 - (2 + 4) / 2 = +2 over 3 solicitations; IT: 3 - 2 = +1 over 2: (6 + 2) / 5.
        "FY2026 Q1", 1.6, 5, "category without both engaged and non-engaged solicitations")
    E["field_completeness"] = Example(
        {"payments": frame("payments", [
            dict(payment_id="P-COMPLETE", payment_date="2025-08-01", amount=10.0, vendor_name="Acme"),
            dict(payment_id="P-VENDOR-BLANK", payment_date="2025-08-01", amount=10.0, vendor_name=None),
            dict(payment_id="P-UNDATED", amount=10.0, vendor_name="Acme"),
        ]), "contracts": frame("contracts", [
            # No end date: open-ended, not a missing field. No department column at all: not counted.
            dict(contract_id="CTR-COMPLETE", start_date="2025-08-01", end_date=None),
        ])},
        # Payments record date, amount and vendor (3 fields): 3 + 2; the contract its id and start date: 2.
        "FY2026 Q1", 7 / 8, 3, "no date to place the record in a period")
    return E


EXAMPLES = _examples()


def run(example: Example, kpi_id: str, **kw) -> kpi.KPIResult:
    return kpi.compute(kpi_id, example.tables, grain=example.grain, as_of=example.as_of, **kw)


def test_every_kpi_has_a_worked_example():
    """The worked examples cover exactly the registry's KPIs."""
    assert set(EXAMPLES) == set(kpi.KPIS)


@pytest.mark.parametrize("kpi_id", list(EXAMPLES))
def test_worked_example(kpi_id):
    """The value, n (and 90th percentile) of the hand-worked period match."""
    ex = EXAMPLES[kpi_id]
    res = run(ex, kpi_id)
    assert not res.missing, res.missing
    row = res.at(ex.period)
    assert row is not None, res.frame
    assert row["value"] == pytest.approx(ex.value)
    assert row["n"] == ex.n
    if ex.p90 is not None:
        assert row["p90"] == pytest.approx(ex.p90)
    for col, expected in ex.extra.items():
        assert row[col] == pytest.approx(expected), col


@pytest.mark.parametrize("kpi_id", list(EXAMPLES))
def test_excluded_record_is_counted_with_its_reason(kpi_id):
    """The example's excluded record shows in excluded_reasons with its reason."""
    ex = EXAMPLES[kpi_id]
    res = run(ex, kpi_id)
    reasons = res.excluded_reasons
    assert ex.excluded_reason in set(reasons["reason"]), reasons
    assert (reasons["count"] > 0).all()


@pytest.mark.parametrize("kpi_id", list(EXAMPLES))
def test_empty_input_is_no_data(kpi_id):
    """No tables, or the example's tables with no rows: no data naming what is missing, never zero."""
    res = kpi.compute(kpi_id, {}, as_of="2026-06-30")
    assert res.no_data and res.missing and res.frame.empty
    empty = {t: df.iloc[0:0] for t, df in EXAMPLES[kpi_id].tables.items()}
    res = kpi.compute(kpi_id, empty, as_of="2026-06-30")
    assert res.no_data and res.frame.empty
    assert all(isinstance(m, str) and m for m in res.missing)


@pytest.mark.parametrize("kpi_id", list(EXAMPLES))
def test_drilldown_counts_equal_n(kpi_id):
    """The drill-down's denominator has n records, its numerator the counted ones, excluded their reason."""
    ex = EXAMPLES[kpi_id]
    res = run(ex, kpi_id)
    row = res.at(ex.period)
    drill = kpi.drilldown(kpi_id, ex.tables, period_label=ex.period, grain=ex.grain, as_of=ex.as_of)
    assert len(drill.denominator) == row["n"]
    assert "reason" in drill.excluded.columns
    assert len(drill.excluded) == row["excluded"]
    k = kpi.KPIS[kpi_id]
    count_share = k.kind in ("ratio", "snapshot_ratio") and "denominator_amount" not in drill.denominator
    if count_share and k.unit == "share" and "counted" in drill.denominator:
        assert len(drill.numerator) == pytest.approx(row["value"] * row["n"])
    if k.kind in ("count", "snapshot_count"):
        assert len(drill.numerator) == row["value"]


def test_lead_time_drilldown_has_the_days():
    """The duration drill-down lists each award's days (what the distribution chart draws)."""
    ex = EXAMPLES["procurement_lead_time_days"]
    drill = kpi.drilldown("procurement_lead_time_days", ex.tables, period_label=ex.period, as_of=ex.as_of)
    assert sorted(drill.numerator["days"]) == [30, 60, 89]
    assert list(drill.excluded["solicitation_id"]) == ["SOL-NOT-AWARDED"]


def test_expiring_count_depends_on_the_reference_date():
    """At the end of FY2026 Q2 the replacement had not started yet (1 Feb 2026), so two contracts count."""
    ex = EXAMPLES["expiring_without_replacement"]
    res = run(ex, "expiring_without_replacement")
    assert res.at("FY2026 Q2")["value"] == 2
    assert res.at("FY2026 Q3")["value"] == 1


def test_first_time_vendor_matches_ids_and_names():
    """A vendor known by id in one award and by name in another is one vendor (through the vendor list)."""
    tables = {
        "vendors": frame("vendors", [dict(vendor_id="V9", vendor_name="Delta Paving, Inc.")]),
        "solicitations": frame("solicitations", [
            sol(solicitation_id="SOL-BY-ID-FY2025", method=IFB, award_date="2024-09-01", awarded_vendor_id="V9"),
            sol(solicitation_id="SOL-BY-NAME-FY2026", method=IFB, award_date="2025-09-01",
                awarded_vendor_name="DELTA PAVING INC"),
        ]),
    }
    res = kpi.compute("first_time_vendor_share", tables, grain="year", as_of="2026-06-30")
    assert res.at("FY2026")["value"] == 0.0
    assert res.notes  # history shorter than three fiscal years is said


def test_missing_columns_are_named():
    """A KPI whose column is absent says which one, and gives no value."""
    payments = frame("payments", [dict(payment_id="P1", payment_date="2025-08-01", amount=1.0)])
    res = kpi.compute("on_time_payment_share", {"payments": payments})
    assert res.no_data
    assert res.missing == ("payments.invoice_received_date",)


def test_value_band_and_department_filters():
    """Filters keep only matching records; a department filter with no match gives no data."""
    ex = EXAMPLES["noncompetitive_share"]
    res = run(ex, "noncompetitive_share", filters=kpi.Filters(value_band=(100_000, None)))
    assert res.at("FY2026 Q1")["value"] == pytest.approx(150_000 / 950_000)
    res = run(ex, "noncompetitive_share", filters=kpi.Filters(departments=("Nowhere",)))
    assert res.no_data and not res.missing


def test_breakdown_groups_add_up():
    """By method, the group rows' numerators and n add up to the total's."""
    ex = EXAMPLES["noncompetitive_share"]
    total = run(ex, "noncompetitive_share").at("FY2026 Q1")
    groups = run(ex, "noncompetitive_share", by="method").at("FY2026 Q1")
    assert groups["n"].sum() == total["n"]
    assert groups["numerator"].sum() == pytest.approx(total["numerator"])
    assert set(groups["group"]) == {IFB, "sole source", "emergency"}


def test_unknown_breakdown_is_an_error():
    with pytest.raises(ValueError, match="cannot be broken down by 'vendor'"):
        kpi.compute("single_bid_share", {}, by="vendor")


def test_protest_blank_flag_counts_as_not_protested():
    tables = {"solicitations": frame("solicitations", [
        sol(solicitation_id="SOL-PROTESTED", method=IFB, award_date="2025-08-01", protest_filed=True),
        sol(solicitation_id="SOL-BLANK-FLAG", method=IFB, award_date="2025-08-01"),
    ])}
    res = kpi.compute("protest_rate", tables, as_of="2026-06-30")
    assert res.at("FY2026 Q1")["value"] == 0.5


def test_certification_expired_does_not_count():
    """A payment after the vendor's certification expired is not M/WBE spend."""
    vendors = frame("vendors", [dict(vendor_id="V1", is_mbe=True, certification_expiration_date="2025-08-15")])
    payments = frame("payments", [
        dict(payment_id="P-BEFORE-EXPIRY", payment_date="2025-08-01", amount=50.0, vendor_id="V1"),
        dict(payment_id="P-AFTER-EXPIRY", payment_date="2025-09-01", amount=50.0, vendor_id="V1"),
    ])
    res = kpi.compute("mwbe_spend_share", {"vendors": vendors, "payments": payments}, as_of="2026-06-30")
    assert res.at("FY2026 Q1")["value"] == 0.5


def test_records_after_the_as_of_date_are_left_out():
    ex = EXAMPLES["days_to_pay"]
    res = kpi.compute("days_to_pay", ex.tables, as_of="2025-08-31")
    row = res.at("FY2026 Q1")
    assert row["n"] == 2 and row["partial"]
    assert "dated after the as-of date" in set(res.excluded_reasons["reason"])


def test_duration_quantiles_match_pandas():
    """Medians and 90th percentiles agree with pandas' linear interpolation on many random periods."""
    rng = np.random.default_rng(1)
    n = 3000
    issue = pd.Timestamp("2022-07-01") + pd.to_timedelta(rng.integers(0, 1400, n), unit="D")
    award = issue + pd.to_timedelta(rng.integers(0, 200, n), unit="D")
    s = pd.DataFrame({"solicitation_id": [f"S{i}" for i in range(n)], "method": IFB,
                      "issue_date": issue, "award_date": award,
                      "department": rng.choice(["Parks", "Police", "Fire"], n)})
    res = kpi.compute("procurement_lead_time_days", {"solicitations": s}, grain="month", by="department",
                      as_of="2027-01-01")
    s["days"] = (s["award_date"] - s["issue_date"]).dt.days
    s["label"] = s["award_date"].dt.strftime("%Y-%m")
    want = s.groupby(["label", "department"])["days"].agg(["median", lambda x: x.quantile(0.9), "size"])
    got = res.frame.set_index(["period_label", "group"])
    assert len(got) == len(want)
    assert np.allclose(got["value"].to_numpy(), want["median"].to_numpy())
    assert np.allclose(got["p90"].to_numpy(), want.iloc[:, 1].to_numpy())
    assert (got["n"].to_numpy() == want["size"].to_numpy()).all()


def test_value_is_never_zero_for_no_data():
    for kpi_id in kpi.KPIS:
        res = kpi.compute(kpi_id, {"solicitations": frame("solicitations", [
            sol(solicitation_id="S1", method=IFB)])}, as_of="2026-06-30")
        if res.no_data:
            assert res.frame.empty or not (res.frame["n"] > 0).any()
            assert not any(isinstance(v, float) and v == 0 and not math.isnan(v)
                           for v in res.frame.get("value", []))
