"""Invariants on random cities: shares within 0-1, breakdowns add up to the total, narrowing never raises n."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpi
from loaders.schema import METHODS

DEPARTMENTS = ("Parks", "Police", "Fire", None)
CATEGORIES = ("Construction", "IT", "Goods", None)
AS_OF = "2026-05-31"


def _dates(rng, n, start="2022-01-01", days=1600, missing=0.1):
    d = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    return pd.Series(d).mask(rng.random(n) < missing)


def random_city(seed: int, sizes: tuple[int, int, int]) -> dict[str, pd.DataFrame]:
    """A messy little city: missing values everywhere, all methods, vendors by id or name only."""
    rng = np.random.default_rng(seed)
    ns, nc, npay = sizes
    vendors = pd.DataFrame({
        "vendor_id": [f"V{i}" if i % 3 else None for i in range(12)],
        "vendor_name": [f"Vendor {i} Inc" for i in range(12)],
        "is_mbe": rng.random(12) < 0.3, "is_wbe": rng.random(12) < 0.2, "is_small": rng.random(12) < 0.5,
        "is_local": rng.random(12) < 0.5,
    })
    issue = _dates(rng, ns)
    sol = pd.DataFrame({
        "solicitation_id": [f"SOL-{i}" for i in range(ns)],
        "method": rng.choice(list(METHODS) + [None], ns),
        "department": rng.choice(DEPARTMENTS, ns), "category": rng.choice(CATEGORIES, ns),
        "requisition_date": issue - pd.to_timedelta(rng.integers(-5, 60, ns), unit="D"),
        "issue_date": issue,
        "due_date": issue + pd.to_timedelta(rng.integers(10, 40, ns), unit="D"),
        "award_date": (issue + pd.to_timedelta(rng.integers(-10, 200, ns), unit="D")).mask(rng.random(ns) < 0.3),
        "bids_received": pd.array(np.where(rng.random(ns) < 0.15, -1, rng.integers(0, 6, ns)), dtype="Int64"),
        "estimated_amount": rng.choice([np.nan, 5e4, 1e5, 2.5e5, 2e6], ns),
        "awarded_amount": rng.choice([np.nan, 0.0, 4e4, 9e4, 2.4e5, 1.9e6], ns),
        "awarded_vendor_id": rng.choice([None, "V1", "V2", "V4"], ns),
        "awarded_vendor_name": rng.choice([None, "Vendor 3 Inc", "VENDOR 6, INC."], ns),
        "status": rng.choice(["Awarded", "Cancelled", "Open", None], ns),
        "protest_filed": rng.random(ns) < 0.1,
    })
    sol["bids_received"] = sol["bids_received"].mask(sol["bids_received"] < 0)
    start = _dates(rng, nc, missing=0.05)
    con = pd.DataFrame({
        "contract_id": [f"CTR-{i}" for i in range(nc)],
        "department": rng.choice(DEPARTMENTS, nc), "category": rng.choice(CATEGORIES, nc),
        "method": rng.choice(list(METHODS), nc), "vendor_id": rng.choice(["V1", "V2", None], nc),
        "start_date": start, "end_date": start + pd.to_timedelta(rng.integers(30, 1500, nc), unit="D"),
        "executed_date": start + pd.to_timedelta(rng.integers(-30, 30, nc), unit="D"),
        "original_amount": rng.choice([np.nan, 1e5, 5e5], nc), "current_amount": rng.choice([np.nan, 1e5, 6e5], nc),
        "renewal_options_remaining": rng.choice([0, 1, 2], nc),
        "is_key_contract": rng.random(nc) < 0.5, "has_performance_metrics": rng.random(nc) < 0.5,
    })
    paid = _dates(rng, npay, missing=0.02)
    pay = pd.DataFrame({
        "payment_id": [f"P-{i}" for i in range(npay)], "payment_date": paid,
        "amount": rng.choice([np.nan, 100.0, 2500.0, 40000.0], npay),
        "vendor_id": rng.choice([None, "V1", "V2", "V4", "V5"], npay),
        "vendor_name": rng.choice([None, "Vendor 3 inc.", "Vendor 6"], npay),
        "department": rng.choice(DEPARTMENTS, npay), "category": rng.choice(CATEGORIES, npay),
        "contract_id": rng.choice([None] + [f"CTR-{i}" for i in range(max(nc, 1))], npay),
        "invoice_received_date": paid - pd.to_timedelta(rng.integers(-3, 60, npay), unit="D"),
    })
    ev_n = max(nc // 2, 1)
    ev = pd.DataFrame({
        "contract_id": rng.choice([f"CTR-{i}" for i in range(max(nc, 1))], ev_n),
        "due_date": _dates(rng, ev_n), "completed_date": _dates(rng, ev_n, missing=0.4),
        "rating": rng.choice(["Satisfactory", "Marginal", "Excellent", None], ev_n),
    })
    eng = pd.DataFrame({"type": rng.choice(["RFI", "industry day", "internet research"], max(ns // 3, 1)),
                        "solicitation_id": rng.choice([f"SOL-{i}" for i in range(max(ns, 1))], max(ns // 3, 1)),
                        "engagement_date": _dates(rng, max(ns // 3, 1))})
    bids = pd.DataFrame({"solicitation_id": rng.choice([f"SOL-{i}" for i in range(max(ns, 1))], ns * 2),
                         "vendor_id": rng.choice([None, "V1", "V2", "V7"], ns * 2),
                         "vendor_name": rng.choice([None, "Vendor 3 Inc", "Vendor 8"], ns * 2)})
    return {"solicitations": sol, "contracts": con, "payments": pay, "vendors": vendors, "evaluations": ev,
            "engagements": eng, "bids": bids}


cities = st.builds(random_city, st.integers(0, 2**32 - 1),
                   st.tuples(st.integers(0, 60), st.integers(0, 30), st.integers(0, 80)))
SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ADDITIVE = [k for k, v in kpi.KPIS.items() if v.kind in ("ratio", "count", "snapshot_ratio", "snapshot_count")]


@SETTINGS
@given(city=cities, grain=st.sampled_from(["month", "quarter", "year"]))
def test_shares_within_zero_and_one(city, grain):
    for kpi_id, res in kpi.compute_all(city, grain=grain, as_of=AS_OF).items():
        k = kpi.KPIS[kpi_id]
        f = res.frame
        if res.no_data or k.unit != "share" or kpi_id in ("cost_growth", "savings_rate"):
            continue
        v = f["value"].dropna()
        assert ((v >= -1e-12) & (v <= 1 + 1e-12)).all(), (kpi_id, v)
        assert (f["n"] >= 0).all() and (f["excluded"] >= 0).all()


@SETTINGS
@given(city=cities, grain=st.sampled_from(["quarter", "year"]), data=st.data())
def test_breakdown_adds_up_to_total(city, grain, data):
    """For every additive KPI and breakdown: per period, the groups' n and numerators sum to the total's."""
    kpi_id = data.draw(st.sampled_from(ADDITIVE))
    k = kpi.KPIS[kpi_id]
    by = data.draw(st.sampled_from(k.breakdowns))
    total = kpi.compute(kpi_id, city, grain=grain, as_of=AS_OF)
    groups = kpi.compute(kpi_id, city, grain=grain, as_of=AS_OF, by=by)
    if total.no_data:
        assert groups.no_data
        return
    t = total.frame.set_index("period_label")
    g = groups.frame.groupby("period_label")
    n = g["n"].sum()
    assert (n.reindex(t.index, fill_value=0) == t["n"]).all()
    assert (g["excluded"].sum().reindex(t.index, fill_value=0) == t["excluded"]).all()
    col = "numerator" if "numerator" in t else "value"
    s = g[col].sum().reindex(t.index, fill_value=0)
    assert np.allclose(s.to_numpy(), t[col].fillna(0).to_numpy())


@SETTINGS
@given(city=cities, data=st.data())
def test_narrowing_a_filter_never_raises_n(city, data):
    dept = data.draw(st.sampled_from(["Parks", "Police", "Fire"]))
    year = data.draw(st.sampled_from([2023, 2024, 2025, 2026]))
    wide = kpi.compute_all(city, grain="quarter", as_of=AS_OF, filters=kpi.Filters(departments=("Parks", "Police",
                                                                                               "Fire")))
    narrow = kpi.compute_all(city, grain="quarter", as_of=AS_OF,
                             filters=kpi.Filters(departments=(dept,), fiscal_years=(year,)))
    for kpi_id in kpi.KPIS:
        w = wide[kpi_id].frame.set_index("period_label")["n"] if not wide[kpi_id].missing else pd.Series(dtype=int)
        nn = narrow[kpi_id].frame.set_index("period_label")["n"] if not narrow[kpi_id].missing else pd.Series(dtype=int)
        assert (nn <= w.reindex(nn.index, fill_value=0)).all(), kpi_id
        assert nn.sum() <= w.sum()


@SETTINGS
@given(city=cities)
def test_drilldown_matches_n_for_the_latest_period(city):
    for kpi_id, res in kpi.compute_all(city, grain="year", as_of=AS_OF).items():
        last = res.latest()
        if last is None:
            continue
        drill = kpi.drilldown(kpi_id, city, period_label=last["period_label"], grain="year", as_of=AS_OF)
        assert len(drill.denominator) == last["n"], kpi_id
        assert len(drill.excluded) == last["excluded"], kpi_id


def test_filter_change_reuses_the_records():
    """A second call with other filters reuses the frames' source and the record tables written for them
    (only the aggregate queries run again)."""
    from kpi.sql.engine import source_of

    city = random_city(3, (40, 20, 60))
    kpi.compute_all(city, as_of=AS_OF)
    src = source_of(city)
    written = dict(src.memo[("record_tables",)])
    records = {k: v for k, v in src.memo.items() if k[0] == "records"}
    assert written and records
    kpi.compute_all(city, as_of=AS_OF, filters=kpi.Filters(departments=("Parks",)))
    assert source_of(city) is src
    assert src.memo[("record_tables",)] == written
    assert {k: v for k, v in src.memo.items() if k[0] == "records"} == records


@pytest.mark.parametrize("kpi_id", list(kpi.KPIS))
def test_compute_never_raises_on_messy_data(kpi_id):
    for seed in range(3):
        city = random_city(seed, (30, 15, 40))
        for by in (None, *kpi.KPIS[kpi_id].breakdowns):
            kpi.compute(kpi_id, city, by=by, as_of=AS_OF, grain="month")


def test_drilldown_days_are_missing_not_huge_where_a_date_is_missing():
    """An excluded solicitation without an award date shows no days, not -9223372036854775808."""
    import pandas as pd

    sols = pd.DataFrame({
        "solicitation_id": ["SOL-AWARDED", "SOL-NO-AWARD-DATE"],
        "method": ["invitation for bid", "invitation for bid"],
        "issue_date": pd.to_datetime(["2025-08-01", "2025-08-01"]),
        "award_date": pd.to_datetime(["2025-09-10", None]),
        "awarded_amount": [1000.0, 2000.0],
    })
    d = kpi.drilldown("procurement_lead_time_days", {"solicitations": sols}, filters=kpi.Filters(),
                      grain="year", as_of="2026-05-31")
    day_columns = [c for c in d.excluded.columns if "day" in c]
    for c in day_columns:
        values = pd.to_numeric(d.excluded[c], errors="coerce")
        assert not (values.abs() > 1e6).any(), (c, values.tolist())
    assert list(d.numerator["solicitation_id"]) == ["SOL-AWARDED"]
