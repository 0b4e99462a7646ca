"""What changed: notable only beyond noise (shares given n; durations against recent spread); the sentences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kpi
from kpi.changes import _share_test, _spread_test


def single_bid_city(per_quarter: dict[str, tuple[int, int]]) -> dict[str, pd.DataFrame]:
    """Competitive solicitations: {quarter start date: (single-bid count, total)}."""
    rows = []
    for start, (single, total) in per_quarter.items():
        for i in range(total):
            rows.append({"solicitation_id": f"SOL-{start}-{i}", "method": "invitation for bid",
                         "due_date": pd.Timestamp(start) + pd.Timedelta(days=10),
                         "bids_received": 1 if i < single else 3})
    return {"solicitations": pd.DataFrame(rows)}


def test_share_test_depends_on_n():
    assert _share_test(0.20, 1000, 0.10, 1000)[0]
    assert not _share_test(0.20, 10, 0.10, 10)[0]


def test_spread_test_against_recent_periods():
    steady = np.array([50, 51, 49, 50, 52, 48, 50, 51], dtype=float)
    assert _spread_test(30.0, steady)[0]
    noisy = np.array([20, 80, 35, 95, 50, 10, 70, 40], dtype=float)
    assert not _spread_test(30.0, noisy)[0]
    assert not _spread_test(30.0, steady[:2])[0]  # too little history to judge


def test_notable_rise_of_a_share_with_its_sentence():
    """Single-bid share 15% of 400 a year earlier, 24% of 410 now: notable, in the issue's sentence form."""
    city = single_bid_city({"2024-10-01": (60, 400), "2025-07-01": (60, 400), "2025-10-01": (100, 410)})
    res = kpi.compute("single_bid_share", city, as_of="2026-06-30")
    changes = {c.kind: c for c in kpi.what_changed(res)}
    yoy = changes["same period last year"]
    assert yoy.from_label == "FY2025 Q2" and yoy.to_label == "FY2026 Q2"
    assert yoy.notable and changes["previous period"].notable
    assert yoy.sentence == ("Single-bid solicitations rose from 15.0% in FY2025 Q2 to 24.4% in FY2026 Q2 "
                            "(410 solicitations), above the 20% at-risk limit.")
    assert changes["previous period"].sentence.startswith("Single-bid solicitations rose from 15.0% in FY2026 Q1 to "
                                                          "24.4% in FY2026 Q2")
    assert kpi.summary(res) == yoy.sentence


def test_same_move_on_few_records_is_not_notable():
    """15% -> 24% on about 40 solicitations each is within the binomial noise."""
    city = single_bid_city({"2024-10-01": (6, 40), "2025-10-01": (10, 41)})
    res = kpi.compute("single_bid_share", city, as_of="2026-06-30")
    (yoy,) = kpi.what_changed(res)
    assert not yoy.notable
    assert yoy.sentence == ("Single-bid solicitations rose from 15.0% in FY2025 Q2 to 24.4% in FY2026 Q2 "
                            "(41 solicitations), above the 20% at-risk limit, within normal year-to-year variation.")


def test_not_notable_sentence_says_so():
    """A small move states both values, then says it is within the noise (never 'about the same')."""
    city = single_bid_city({"2024-10-01": (6, 40), "2025-10-01": (7, 41)})
    res = kpi.compute("single_bid_share", city, as_of="2026-06-30")
    sentence = kpi.summary(res)
    assert sentence == ("Single-bid solicitations rose from 15.0% in FY2025 Q2 to 17.1% in FY2026 Q2 "
                        "(41 solicitations), above the 10% goal but within the 20% at-risk limit, within normal "
                        "year-to-year variation.")
    assert "about the same" not in sentence


def test_duration_change_judged_against_spread():
    """Days to pay steady at ~20 for eight months, then 40: notable; the same jump after a noisy year: not."""
    def city(month_medians):
        rows = []
        for m, days in enumerate(month_medians):
            paid = pd.Timestamp("2025-01-15") + pd.DateOffset(months=m)
            for i in range(5):
                rows.append({"payment_id": f"P{m}-{i}", "payment_date": paid, "amount": 1.0,
                             "invoice_received_date": paid - pd.Timedelta(days=days)})
        return {"payments": pd.DataFrame(rows)}

    steady = kpi.compute("days_to_pay", city([20, 21, 19, 20, 22, 18, 20, 21, 40]), grain="month",
                         as_of="2026-06-30")
    prev = next(c for c in kpi.what_changed(steady) if c.kind == "previous period")
    assert prev.notable and prev.delta == 19
    noisy = kpi.compute("days_to_pay", city([10, 45, 15, 50, 20, 60, 12, 21, 40]), grain="month",
                        as_of="2026-06-30")
    prev = next(c for c in kpi.what_changed(noisy) if c.kind == "previous period")
    assert not prev.notable


def test_counts_use_poisson_noise():
    from kpi.changes import _count_test

    assert not _count_test(4, 2)[0]
    assert _count_test(40, 10)[0]


def test_goal_phrases():
    from kpi.changes import goal_phrase

    lead = kpi.KPIS["procurement_lead_time_days"]
    assert goal_phrase(lead, 55, lead.goal) == ", meeting the 60-day goal"
    assert goal_phrase(lead, 75, lead.goal) == ", above the 60-day goal but within the 90-day at-risk limit"
    assert goal_phrase(lead, 95, lead.goal) == ", above the 90-day at-risk limit"
    ontime = kpi.KPIS["on_time_payment_share"]
    assert goal_phrase(ontime, 0.7, ontime.goal) == ", below the 80% at-risk limit"
    assert goal_phrase(kpi.KPIS["active_bidder_count"], 10, None) == ""


@pytest.mark.parametrize("grain", ["year", "quarter", "month"])
def test_no_changes_without_history(grain):
    res = kpi.compute("single_bid_share", single_bid_city({"2025-10-01": (1, 4)}), grain=grain, as_of="2026-06-30")
    assert kpi.what_changed(res) == []
    assert "stood at 25.0%" in kpi.summary(res)
    assert "2025-10" not in kpi.summary(res)  # months read 'October 2025'
