"""kpi/performance.py: key contracts' status per metric, check-ins due, and the checks on recorded rows."""

from __future__ import annotations

import pandas as pd

from kpi import performance as kp


def T(text):
    return pd.Timestamp(text)


CONTRACTS = pd.DataFrame({
    "contract_id": ["CTR-OFF", "CTR-ON", "CTR-NO-METRICS", "CTR-NOT-KEY"],
    "title": ["Janitorial", "Help desk", "Fleet", "Paper"],
    "vendor_name": ["Clean Co", "Desk Inc", "Fleet LLC", "Paper Co"],
    "start_date": [T("2025-01-01"), T("2025-01-01"), T("2026-02-01"), T("2025-01-01")],
    "end_date": [T("2027-01-01"), pd.NaT, T("2027-01-01"), T("2027-01-01")],
    "is_key_contract": [True, True, True, False],
})
METRICS = pd.DataFrame({
    "contract_id": ["CTR-OFF", "CTR-OFF", "CTR-ON"],
    "metric_id": ["ON-TIME", "COMPLAINTS", "UPTIME"],
    "metric_name": ["Cleaned on schedule", "Complaints", "Availability"],
    "unit": ["percent", "count", None],
    "direction": ["higher", "lower", "higher"],
    "target": [0.95, 3.0, 0.99],
})
RESULTS = pd.DataFrame({
    "contract_id": ["CTR-OFF", "CTR-OFF", "CTR-OFF", "CTR-ON", "CTR-ON"],
    "metric_id": ["ON-TIME", "ON-TIME", "COMPLAINTS", "UPTIME", "UPTIME"],
    "period_end": [T("2025-12-31"), T("2026-03-31"), T("2026-03-31"), T("2026-03-31"), T("2026-06-30")],
    "value": [0.97, 0.93, 3.0, 0.99, 0.5],
})
CHECKINS = pd.DataFrame({
    "contract_id": ["CTR-OFF", "CTR-ON"],
    "meeting_date": [T("2026-04-10"), T("2026-02-15")],
    "open_actions": pd.array([2, 0], dtype="Int64"),
})
TABLES = {"contracts": CONTRACTS, "contract_metrics": METRICS, "metric_results": RESULTS, "checkins": CHECKINS}
AS_OF = "2026-05-31"  # FY2026 Q4 (Apr-Jun 2026); the 30 Jun result is after it


def test_metric_status_compares_the_latest_result_with_its_target():
    """ON-TIME 93% < 95%: off track; COMPLAINTS 3 = at most 3: on track; UPTIME 99% = 99% (the June 50% is after
    the as-of date): on track. Off track first."""
    s = kp.metric_status(TABLES, as_of=AS_OF)
    got = {(r.contract_id, r.metric_id): (r.status, r.latest_value, r.trend) for r in s.itertuples()}
    assert got == {("CTR-OFF", "ON-TIME"): (kp.OFF_TRACK, 0.93, [0.97, 0.93]),
                   ("CTR-OFF", "COMPLAINTS"): (kp.ON_TRACK, 3.0, [3.0]),
                   ("CTR-ON", "UPTIME"): (kp.ON_TRACK, 0.99, [0.99])}
    assert s.iloc[0]["metric_id"] == "ON-TIME"


def test_key_contracts_and_checkins_due():
    """As of 31 May 2026 (FY2026 Q4): CTR-OFF checked in on 10 Apr; CTR-ON last met on 15 Feb (Q3), so due, not
    overdue; CTR-NO-METRICS started 1 Feb (Q3) and never met: overdue. CTR-NOT-KEY is not listed."""
    due = kp.checkins_due(TABLES, as_of=AS_OF).set_index("contract_id")["status"].to_dict()
    assert due == {"CTR-OFF": kp.CHECKED_IN, "CTR-ON": kp.DUE, "CTR-NO-METRICS": kp.OVERDUE}
    keyed = kp.key_contracts(TABLES, as_of=AS_OF)
    assert list(keyed["contract_id"]) == ["CTR-OFF", "CTR-ON", "CTR-NO-METRICS"]
    assert list(keyed["status"]) == [kp.OFF_TRACK, kp.ON_TRACK, kp.NO_METRICS]
    assert keyed.iloc[0]["off_track"] == 1 and keyed.iloc[0]["open_actions"] == 2


def test_by_metric():
    s = kp.metric_status(TABLES, as_of=AS_OF)
    out = kp.by_metric(s).set_index("metric_name")
    assert out.loc["Cleaned on schedule", "off_track_share"] == 1.0
    assert out.loc["Availability", "off_track"] == 0


def test_results_are_checked_with_messages_saying_where():
    entered = pd.DataFrame({
        "contract_id": ["CTR-OFF", "CTR-NOPE", "CTR-OFF", "CTR-ON", "CTR-OFF", "CTR-OFF", "CTR-OFF"],
        "metric_id": ["ON-TIME", "ON-TIME", "ON-TIME", "UPTIME", "ON-TIME", "COMPLAINTS", "COMPLAINTS"],
        "period_end": ["2026-06-30", "2026-06-30", "2026-03-31", "2026-09-30", "31/13/2026", "2026-06-30",
                       "2026-06-30"],
        "value": ["96%", "1", "0.9", "99", "0.9", "2", "1"],
    })
    clean, problems = kp.check_results(entered, TABLES)
    assert problems == [
        "Row 2, contract: CTR-NOPE is not a contract in the contracts table.",
        "Row 3 (CTR-OFF ON-TIME): a result for the period ending 2026-03-31 is already recorded (0.93); a period "
        "has one result.",
        "Row 4 (CTR-ON UPTIME), value: '99' is more than 1 but the target is 99%: if it is a percent, write 99% or "
        "0.99.",
        "Row 5 (CTR-OFF ON-TIME), period end: '31/13/2026' is not a date (write it as 2026-03-31).",
        "CTR-OFF COMPLAINTS: the period ending 2026-06-30 is entered twice; a period has one result.",
    ]
    assert clean.iloc[0].to_dict() == {"contract_id": "CTR-OFF", "metric_id": "ON-TIME",
                                       "period_end": T("2026-06-30"), "value": 0.96}


def test_a_percent_metric_takes_zero_to_one_hundred_percent():
    entered = pd.DataFrame({"contract_id": ["CTR-OFF"] * 2, "metric_id": ["ON-TIME"] * 2,
                            "period_end": ["2026-06-30", "2026-09-30"], "value": ["92", "120%"]})
    _, problems = kp.check_results(entered, TABLES)
    assert problems == [
        "Row 1 (CTR-OFF ON-TIME), value: '92' cannot be a percent; percents are 0% to 100% (write 92% or 0.92).",
        "Row 2 (CTR-OFF ON-TIME), value: '120%' cannot be a percent; percents are 0% to 100%.",
    ]


def test_metrics_and_checkins_are_checked():
    _, problems = kp.check_metrics(pd.DataFrame({
        "contract_id": ["CTR-ON", "CTR-NOPE"], "metric_id": ["TICKETS", ""], "direction": ["up", "sideways"],
        "target": ["90%", "x"], "unit": ["percent", ""]}), TABLES)
    assert problems == ["Row 2, contract: CTR-NOPE is not a contract in the contracts table.",
                        "Row 2, metric code: a code is needed (for example ON-TIME).",
                        "Row 2, better when: choose higher or lower, not 'sideways'.",
                        "Row 2, target: 'x' is not a number."]
    clean, problems = kp.check_checkins(pd.DataFrame({
        "contract_id": ["CTR-ON", "CTR-ON"], "meeting_date": ["2026-05-02", "2026-05-03"],
        "open_actions": ["1", "-2"]}), TABLES)
    assert problems == ["Row 2 (CTR-ON), open actions: '-2' is not a whole number of 0 or more."]
    assert list(clean["open_actions"]) == [1]


def test_formats():
    assert kp.format_metric(0.925, "percent") == "92.5%"
    assert kp.format_metric(0.9, None, 0.95) == "90%"
    assert kp.format_metric(4.5, "hours") == "4.5 hours"
    assert kp.format_target(4, "hours", "lower is better") == "at most 4 hours"
