"""Issue 13 items 2, 4 and 7 as the KPIs see them: open-ended contracts, methods from many places, and
missing attributes reported as no data (never 0% or a count of "missed")."""

import pandas as pd
import pytest

import kpi
from loaders import normalise
from loaders import values as V

METHODS_FROM_MANY_PLACES = [
    # US federal FAR "extent competed" (FPDS / USAspending)
    ("FULL AND OPEN COMPETITION", "request for proposals"),
    ("Full and Open Competition after exclusion of sources", "request for proposals"),
    ("NOT COMPETED", "sole source"),
    ("NOT AVAILABLE FOR COMPETITION", "exempt"),
    ("FOLLOW ON TO COMPETED ACTION", "sole source"),
    ("COMPETED UNDER SAP", "request for quotes"),
    ("NOT COMPETED UNDER SAP", "sole source"),
    # Canada
    ("RFT", "invitation for bid"), ("Request for Tender", "invitation for bid"),
    ("RFSQ", "request for proposals"), ("Request for Supplier Qualification", "request for proposals"),
    ("NRFP", "request for proposals"), ("Negotiated Request for Proposals", "request for proposals"),
    ("RFSO", "request for proposals"), ("ACAN", "sole source"), ("Advance Contract Award Notice", "sole source"),
    ("TN", "sole source"), ("OB", "invitation for bid"),
    # UK / EU
    ("Open procedure", "invitation for bid"), ("Open", "invitation for bid"),
    ("Restricted procedure", "request for proposals"), ("Competitive dialogue", "request for proposals"),
    ("Competitive procedure with negotiation", "request for proposals"),
    ("Negotiated without prior publication", "sole source"), ("Negotiated without notice", "sole source"),
    ("Direct Award", "sole source"), ("Call-off from a framework", "cooperative"),
    ("Framework mini-competition", "cooperative"), ("Innovation partnership", "request for proposals"),
    # common abbreviations
    ("IFB", "invitation for bid"), ("ITB", "invitation for bid"), ("RFB", "invitation for bid"),
    ("SS", "sole source"), ("EMERG", "emergency"), ("COOP", "cooperative"), ("P-Card", "small purchase"),
    ("RFP", "request for proposals"), ("RFQ", "request for quotes"),
]


@pytest.mark.parametrize(("raw", "expected"), METHODS_FROM_MANY_PLACES)
def test_method_vocabulary_covers_many_governments(raw, expected):
    parsed = V.parse_method([raw])
    assert parsed.values[0] == expected, raw
    assert pd.isna(parsed.problems[0])


def _solicitations(methods):
    raw = pd.DataFrame({
        "Solicitation No": [f"S-{i}" for i in range(len(methods))],
        "Method": methods,
        "Award Date": ["2025-08-01"] * len(methods),
        "Award Amount": [100.0 * (i + 1) for i in range(len(methods))],
    })
    frame, issues = normalise(raw, "solicitations")
    return frame, issues


def test_unrecognised_method_is_left_out_of_noncompetitive_share_with_its_reason():
    """$100 IFB, $200 sole source, $300 'Prior to 2-1-2006' (unknown). The unknown award is excluded with the
    reason 'method not recognised', not counted in the denominator: 200 / 300 = 66.7%, n = 2."""
    frame, issues = _solicitations(["IFB", "Sole Source", "Prior to 2-1-2006"])
    assert frame["method"].isna().tolist() == [False, False, True]
    assert frame["method_text"].tolist()[2] == "Prior to 2-1-2006"
    assert (issues["problem"] == "method not recognised").sum() == 1
    res = kpi.compute("noncompetitive_share", {"solicitations": frame}, grain="year", as_of="2025-12-31")
    row = res.at("FY2026")
    assert row["value"] == pytest.approx(200 / 300)
    assert row["n"] == 2
    reasons = res.excluded_reasons
    assert reasons.loc[reasons["reason"] == "method not recognised", "count"].sum() == 1


def test_unrecognised_method_recoded_by_the_user_counts():
    raw = pd.DataFrame({"Solicitation No": ["S-1"], "Method": ["Prior to 2-1-2006"]})
    import numpy as np

    from loaders.normalise import to_canonical

    res = to_canonical(raw, "solicitations", rows=np.array([2]), recodes={"method": {"Prior to 2-1-2006": "exempt"}})
    assert res.frame["method"].tolist() == ["exempt"]
    assert res.frame["method_text"].isna().all() if "method_text" in res.frame else True


def test_small_and_local_spend_say_no_data_when_the_vendor_list_only_knows_mbe():
    """A vendor list whose certifications are only MBE: small business and local spend name what is missing
    (no 0%); M/WBE spend is computed."""
    vendors, _ = normalise(pd.DataFrame({"Vendor Name": ["Acme", "Bolt"], "Certification": ["MBE", ""]}),
                           "vendors")
    payments, _ = normalise(pd.DataFrame({"Check Date": ["2025-08-01", "2025-08-02"], "Payee": ["Acme", "Bolt"],
                                          "Amount": ["100", "300"]}), "payments")
    tables = {"vendors": vendors, "payments": payments}
    for kpi_id, what in (("small_business_share", "vendors.is_small"), ("local_spend_share", "vendors.is_local")):
        res = kpi.compute(kpi_id, tables, grain="year", as_of="2025-12-31")
        assert res.missing, kpi_id
        assert what in res.missing[0]
        assert res.frame.empty
    res = kpi.compute("mwbe_spend_share", tables, grain="year", as_of="2025-12-31")
    assert not res.missing
    assert res.at("FY2026")["value"] == pytest.approx(0.25)


def test_expiring_without_replacement_is_no_data_without_solicitations():
    contracts = pd.DataFrame({"contract_id": ["C-1"], "start_date": pd.to_datetime(["2024-01-01"]),
                              "end_date": pd.to_datetime(["2026-02-01"]), "renewal_options_remaining": [0]})
    res = kpi.compute("expiring_without_replacement", {"contracts": contracts}, as_of="2025-12-31")
    assert res.missing and "solicitations" in res.missing[0]
    assert res.frame.empty


def test_open_ended_key_contract_is_active():
    """A key contract with no end date (public works end on completion) is active from its start."""
    contracts = pd.DataFrame({"contract_id": ["C-OPEN", "C-ENDED"],
                              "start_date": pd.to_datetime(["2024-01-01", "2024-01-01"]),
                              "end_date": pd.to_datetime([None, "2024-06-30"]),
                              "is_key_contract": [True, True], "has_performance_metrics": [True, False]})
    res = kpi.compute("contracts_with_metrics_share", {"contracts": contracts}, grain="year", as_of="2025-12-31")
    row = res.at("FY2026")
    assert row["value"] == pytest.approx(1.0) and row["n"] == 1


@pytest.mark.parametrize(("kpi_id", "value"), [
    # S-0: requisition 1 Jul, award 1 Aug 2025 (31 days), an invitation for bid of $100 (goal 60 days): within.
    ("within_cycle_goal_share", 1.0),
    ("bids_per_solicitation", 3.0),  # S-0 received 3 bids
    ("single_bid_share", 0.0),
    ("savings_rate", 0.5),  # estimated $200, awarded $100
    ("noncompetitive_share", 0.0),  # $100 awarded by invitation for bid
])
def test_an_unrecognised_method_is_its_own_exclusion_in_every_method_based_kpi(kpi_id, value):
    """S-1's method was not recognised (its text kept in method_text): left out with that reason, not 'method
    missing', and never counted as non-competitive. Found when the app moved to the SQL engine, whose
    definitions had lost this reason (the recorded cities have no unrecognised method)."""
    sols = pd.DataFrame({
        "solicitation_id": ["S-0", "S-1"],
        "method": pd.Series(["invitation for bid", None], dtype="str"),
        "method_text": pd.Series([None, "Prior to 2-1-2006"], dtype="str"),
        "requisition_date": pd.to_datetime(["2025-07-01", "2025-07-01"]),
        "issue_date": pd.to_datetime(["2025-07-05", "2025-07-05"]),
        "due_date": pd.to_datetime(["2025-07-20", "2025-07-20"]),
        "award_date": pd.to_datetime(["2025-08-01", "2025-08-01"]),
        "estimated_amount": [200.0, 200.0],
        "awarded_amount": [100.0, 100.0],
        "bids_received": pd.array([3, 1], dtype="Int64"),
    })
    res = kpi.compute(kpi_id, {"solicitations": sols}, grain="year", as_of="2025-12-31")
    row = res.at("FY2026")
    assert row["value"] == pytest.approx(value) and row["n"] == 1 and row["excluded"] == 1
    assert res.excluded_reasons["reason"].tolist() == ["method not recognised"]
    d = kpi.drilldown(kpi_id, {"solicitations": sols}, grain="year", as_of="2025-12-31", period_label="FY2026")
    assert d.excluded["solicitation_id"].tolist() == ["S-1"]
