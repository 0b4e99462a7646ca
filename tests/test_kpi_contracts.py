"""Contract management lists (pipeline, cost growth, overspent) and the market-research comparison."""

from __future__ import annotations

import pandas as pd
import pytest
from test_kpi_examples import EXAMPLES, frame

import kpi
from kpi import contracts as kc
from kpi.market import ALL, engagement_comparison

AS_OF = "2026-03-31"


def pipeline_city() -> dict[str, pd.DataFrame]:
    return {
        "contracts": frame("contracts", [
            dict(contract_id="CTR-EXPIRES-IN-60", title="Janitorial", vendor_name="Clean Co", department="Parks",
                 start_date="2024-01-01", end_date="2026-05-30", renewal_options_remaining=0, current_amount=1e5),
            dict(contract_id="CTR-REPLACED-IN-90", start_date="2024-01-01", end_date="2026-06-29",
                 renewal_options_remaining=0),
            dict(contract_id="CTR-RENEWABLE", start_date="2024-01-01", end_date="2026-06-01",
                 renewal_options_remaining=2),
            dict(contract_id="CTR-RENEWABLE-LOW-RATING", start_date="2024-01-01", end_date="2026-07-01",
                 renewal_options_remaining=1),
            dict(contract_id="CTR-EXPIRES-IN-300", start_date="2024-01-01", end_date="2027-01-25"),
            dict(contract_id="CTR-EXPIRES-IN-500", start_date="2024-01-01", end_date="2027-08-13",
                 renewal_options_remaining=0),
            dict(contract_id="CTR-EXPIRES-IN-600", start_date="2024-01-01", end_date="2027-11-21"),
            dict(contract_id="CTR-ALREADY-ENDED", start_date="2024-01-01", end_date="2026-03-01"),
        ]),
        "solicitations": frame("solicitations", [
            dict(solicitation_id="SOL-REPLACEMENT", method="invitation for bid", issue_date="2026-02-01",
                 status="Open", replaces_contract_id="CTR-REPLACED-IN-90"),
            dict(solicitation_id="SOL-CANCELLED-REPLACEMENT", method="invitation for bid", status="Cancelled",
                 replaces_contract_id="CTR-EXPIRES-IN-60"),
        ]),
        "evaluations": frame("evaluations", [
            dict(contract_id="CTR-RENEWABLE-LOW-RATING", completed_date="2025-06-01", rating="Satisfactory"),
            dict(contract_id="CTR-RENEWABLE-LOW-RATING", completed_date="2026-01-15", rating="Unsatisfactory"),
            dict(contract_id="CTR-RENEWABLE", completed_date="2026-01-15", rating="Excellent"),
        ]),
    }


def test_expiring_pipeline_actions_and_windows():
    pipe = kc.expiring_pipeline(pipeline_city(), as_of=AS_OF).set_index("contract_id")
    assert list(pipe.index) == ["CTR-EXPIRES-IN-60", "CTR-RENEWABLE", "CTR-REPLACED-IN-90",
                                "CTR-RENEWABLE-LOW-RATING", "CTR-EXPIRES-IN-300", "CTR-EXPIRES-IN-500"]
    assert pipe.loc["CTR-EXPIRES-IN-60", "days_left"] == 60 and pipe.loc["CTR-EXPIRES-IN-60", "window"] == 90
    assert pipe.loc["CTR-REPLACED-IN-90", "window"] == 90
    assert pipe.loc["CTR-EXPIRES-IN-300", "window"] == 365 and pipe.loc["CTR-EXPIRES-IN-500", "window"] == 540
    actions = pipe["action"].to_dict()
    assert actions["CTR-EXPIRES-IN-60"] == "start re-procurement now"  # its replacement was cancelled
    assert actions["CTR-REPLACED-IN-90"] == "replacement under way"
    assert actions["CTR-RENEWABLE"] == "renew (options left)"
    assert actions["CTR-RENEWABLE-LOW-RATING"].startswith("decide: renew or re-procure")
    assert actions["CTR-EXPIRES-IN-300"] == "plan re-procurement"
    assert actions["CTR-EXPIRES-IN-500"] == "let expire / decide"
    assert pipe.loc["CTR-REPLACED-IN-90", "replacement_solicitation_id"] == "SOL-REPLACEMENT"
    assert pipe.loc["CTR-RENEWABLE", "evaluation_on_file"] and not pipe.loc["CTR-EXPIRES-IN-60", "evaluation_on_file"]
    assert pipe.loc["CTR-EXPIRES-IN-60", "title"] == "Janitorial"


def test_expiring_pipeline_without_contracts_is_empty():
    assert kc.expiring_pipeline({}, as_of=AS_OF).empty


def test_pipeline_agrees_with_the_kpi():
    """The KPI's 180-day count is the pipeline's contracts within 180 days with no option and no replacement."""
    city = pipeline_city()
    pipe = kc.expiring_pipeline(city, as_of=AS_OF)
    opts = pipe["renewal_options_remaining"].fillna(0)
    want = ((pipe["days_left"] <= 180) & (opts == 0) & (pipe["action"] != "replacement under way")).sum()
    res = kpi.compute("expiring_without_replacement", city, as_of=AS_OF)
    assert res.at("FY2026 Q3")["value"] == want == 1


def test_cost_growth_list():
    growth = kc.cost_growth(EXAMPLES["cost_growth"].tables, as_of="2026-06-30")
    assert list(growth["contract_id"]) == ["CTR-GREW-20K", "CTR-UNCHANGED"]
    assert list(growth["growth"]) == [pytest.approx(0.2), 0.0]
    assert kc.cost_growth({}).empty


def test_overspent_list():
    over = kc.overspent_contracts(EXAMPLES["overspent_contracts"].tables, as_of="2026-06-30")
    assert list(over["contract_id"]) == ["CTR-OVERSPENT"]
    row = over.iloc[0]
    assert (row["paid_amount"], row["overspent_by"], row["payments"]) == (110_000, 10_000, 2)
    assert row["crossed_date"] == pd.Timestamp("2025-11-15")
    before = kc.overspent_contracts(EXAMPLES["overspent_contracts"].tables, as_of="2025-10-01")
    assert before.empty  # only $60,000 paid by then


def test_engagement_comparison_within_category():
    table = engagement_comparison(EXAMPLES["engagement_bid_lift"].tables, as_of="2026-06-30").set_index("category")
    assert table.loc["Construction", "engaged_n"] == 1 and table.loc["Construction", "not_engaged_n"] == 2
    assert table.loc["Construction", "bid_lift"] == 2.0
    assert table.loc["IT", "bid_lift"] == 1.0
    assert table.loc["Goods", "engaged_n"] == 0 and pd.isna(table.loc["Goods", "bid_lift"])
    assert table.loc[ALL, "bid_lift"] == pytest.approx(1.6)
    assert table.loc[ALL, "engaged_n"] == 2 and table.loc[ALL, "not_engaged_n"] == 3
    assert table.loc["Construction", "not_engaged_single_bid_share"] == 0.0


def test_lists_compute_where_the_tables_are(tmp_path, monkeypatch):
    """The lists take the app's frames, a kpi.sql Source or a workspace alike, and only the rows listed (for the
    market comparison, one row per category and side) come back from the database."""
    from kpi.sql import query as Q
    from kpi.sql.source import Source
    from tests.generated_workspaces import workspace_of

    city = pipeline_city()
    ws = workspace_of(tmp_path / "ws", city)
    want = kc.expiring_pipeline(city, as_of=AS_OF)
    fetched = []

    def counting(fetch):
        def wrapped(expr):
            out = fetch(expr)
            fetched.append(len(out))
            return out
        return wrapped

    monkeypatch.setattr(Q, "fetch_expr", counting(Q.fetch_expr))  # every row the engine returns passes here
    for tables in (Source.from_frames(city), ws):
        fetched.clear()
        got = kc.expiring_pipeline(tables, as_of=AS_OF)
        pd.testing.assert_frame_equal(got, want)
        assert fetched == [len(want)]
    ex = EXAMPLES["engagement_bid_lift"].tables
    expected = engagement_comparison(ex, as_of="2026-06-30")
    fetched.clear()
    pd.testing.assert_frame_equal(engagement_comparison(Source.from_frames(ex), as_of="2026-06-30"), expected)
    assert fetched == [5]  # Construction and IT on both sides, Goods not engaged
    growth = kc.cost_growth(Source.from_frames(EXAMPLES["cost_growth"].tables), as_of="2026-06-30")
    assert list(growth["contract_id"]) == ["CTR-GREW-20K", "CTR-UNCHANGED"]


def test_lists_apply_the_kpis_filters():
    """Department, vendor and value-band filters select the pipeline's contracts as they select the
    expiring_without_replacement KPI's records."""
    city = pipeline_city()
    assert list(kc.expiring_pipeline(city, as_of=AS_OF, filters=kpi.Filters(departments=("Parks",)))
                ["contract_id"]) == ["CTR-EXPIRES-IN-60"]
    assert list(kc.expiring_pipeline(city, as_of=AS_OF, filters=kpi.Filters(vendors=("CLEAN CO.",)))
                ["contract_id"]) == ["CTR-EXPIRES-IN-60"]
    assert list(kc.expiring_pipeline(city, as_of=AS_OF, filters=kpi.Filters(value_band=(50_000, None)))
                ["contract_id"]) == ["CTR-EXPIRES-IN-60"]
    growth = EXAMPLES["cost_growth"].tables
    assert kc.cost_growth(growth, as_of="2026-06-30", filters=kpi.Filters(fiscal_years=(2020,))).empty


def test_pipeline_dollars_are_the_listed_contracts_summed_in_the_engine(tmp_path, monkeypatch):
    """The Overview's pipeline figures add up the list's amounts (and those whose action is to start now) in
    one aggregate row: the list's rows do not come back to be summed. A workspace's source works alike."""
    from kpi import dollars
    from tests.generated_workspaces import workspace_of

    city = pipeline_city()
    ws = workspace_of(tmp_path / "ws", city)
    listed = kc.expiring_pipeline(city, as_of=AS_OF)
    now = listed[listed["action"] == dollars.ACT_NOW]
    assert 0 < len(now) < len(listed)
    fetched = []
    real = dollars.fetch
    monkeypatch.setattr(dollars, "fetch", lambda expr: fetched.append(real(expr)) or fetched[-1])
    for tables in (city, ws):
        fetched.clear()
        ending, act_now = dollars.pipeline_dollars(tables, AS_OF)
        assert [len(f) for f in fetched] == [1]
        assert ending.amount == pytest.approx(listed["current_amount"].fillna(0).sum())
        assert act_now.amount == pytest.approx(now["current_amount"].fillna(0).sum())
        assert ending.note.startswith(f"{len(listed)} contracts") and act_now.note.startswith(f"{len(now)} contract")


def test_pipeline_months_are_the_list_summed_in_the_engine(tmp_path):
    """The timeline's monthly bars of a large pipeline are summed by the engine: the same contracts and dollars
    per month and action as the list, and the list as a query shows its first rows without fetching all."""
    from sample_data.generate import generate_city
    from tests.generated_workspaces import workspace_of

    ws = workspace_of(tmp_path / "ws", generate_city(seed=5, sizes={"payments": 2_000, "solicitations": 300,
                                                                     "contracts": 6_000}))
    listed = kc.expiring_pipeline(ws, as_of=AS_OF)
    assert len(listed) > 100
    listed["month"] = listed["end_date"].dt.to_period("M").dt.to_timestamp()
    expected = listed.groupby(["month", "action"], as_index=False).agg(
        contracts=("action", "size"), current_amount=("current_amount", "sum"), end_date=("end_date", "min"))
    got = kc.pipeline_months(ws, as_of=AS_OF)
    pd.testing.assert_frame_equal(got, expected[got.columns], check_dtype=False)
    records = kc.pipeline_records(ws, as_of=AS_OF)
    assert records.count == len(listed)
    pd.testing.assert_frame_equal(records.head(25), listed.drop(columns="month").head(25))
