"""kpi.now, the period scorecard and kpi.dollars: one "now", like-for-like comparisons, dollars beside shares."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

import kpi
from kpi import now
from kpi.cli import main as kpi_main
from kpi.cli import report_data
from kpi.dollars import kpi_dollars, pipeline_dollars, spend_by

D = dt.date


def city() -> dict[str, pd.DataFrame]:
    """Four payments, one certified M/WBE vendor, and solicitations that stop three months before the payments.

    FY2026 to 31 Mar 2026: $3,000 to the M/WBE firm of $4,000 (75%). The same months of FY2025: $1,000 of $1,000
    (100%). All of FY2025: $1,000 of $10,000 (10%), because of a $9,000 payment in June 2025."""
    payments = pd.DataFrame({
        "payment_id": ["PAY-FY25-AUG-MWBE", "PAY-FY25-JUN-BIG", "PAY-FY26-SEP-MWBE", "PAY-FY26-MAR-BIG"],
        "payment_date": pd.to_datetime(["2024-08-15", "2025-06-15", "2025-09-10", "2026-03-31"]),
        "amount": [1000.0, 9000.0, 3000.0, 1000.0],
        "vendor_name": ["Acme Minority Paving", "Big Co", "Acme Minority Paving", "Big Co"],
        "department": ["Parks", "Police", "Parks", "Police"],
    })
    vendors = pd.DataFrame({"vendor_name": ["Acme Minority Paving", "Big Co"], "is_mbe": [True, False]})
    solicitations = pd.DataFrame({
        "solicitation_id": ["SOL-ENDS-DEC"], "method": ["invitation for bid"], "issue_date": pd.to_datetime(
            ["2025-11-01"]), "award_date": pd.to_datetime(["2025-12-31"]), "awarded_amount": [5000.0]})
    return {"payments": payments, "vendors": vendors, "solicitations": solicitations}


def test_data_through_is_the_latest_activity_date_or_the_setting():
    tables = city()
    assert now.data_through(tables) == D(2026, 3, 31)
    assert now.data_through(tables, {"as_of": "2026-02-28"}) == D(2026, 2, 28)
    assert now.table_ends(tables) == {"solicitations": D(2025, 12, 31), "payments": D(2026, 3, 31)}
    assert now.lag_notes(tables, D(2026, 3, 31)) == ["Solicitations end 31 Dec 2025"]
    # A date after today is a typo, not data.
    assert now.data_through(tables, today=D(2026, 1, 1)) == D(2025, 12, 31)


def test_fiscal_year_to_date_is_compared_with_the_same_months():
    p = now.default_period(D(2026, 5, 31))
    assert (p.kind, p.fiscal_year, p.start, p.end) == ("ytd", 2026, D(2025, 7, 1), D(2026, 5, 31))
    assert (p.comparison_start, p.comparison_end) == (D(2024, 7, 1), D(2025, 5, 31))
    assert p.describe == "FY2026 year to date (Jul 2025 – May 2026), compared with the same months of FY2025"
    full = now.resolve_period(D(2026, 5, 31), (2024, 2025))
    assert (full.kind, full.label, full.comparison_label) == ("fiscal_year", "FY2025", "FY2024")
    assert (full.start, full.end, full.comparison_end) == (D(2024, 7, 1), D(2025, 6, 30), D(2024, 6, 30))
    leap = now.default_period(D(2024, 2, 29))
    assert leap.comparison_end == D(2023, 2, 28)
    rolling = now.resolve_period(D(2026, 5, 31), (2025,), "12m")
    assert (rolling.start, rolling.end, rolling.label) == (D(2025, 6, 1), D(2026, 5, 31), "12 months to May 2026")
    assert rolling.comparison_label == "the 12 months to May 2025"
    assert (rolling.comparison_start, rolling.comparison_end) == (D(2024, 6, 1), D(2025, 5, 31))
    october = now.default_period(D(2026, 5, 31), fy_start_month=10)
    assert (october.start, october.label) == (D(2025, 10, 1), "FY2026 year to date")


def test_year_to_date_scorecard_compares_like_for_like():
    """75% of $4,000 in FY2026 to March against 100% of $1,000 in the same months of FY2025, not the 10% of
    all of FY2025."""
    tables = city()
    period = now.default_period(now.data_through(tables))
    card = kpi.scorecard(tables, period=period, kpis=("mwbe_spend_share",)).iloc[0]
    assert card["value"] == pytest.approx(0.75) and card["yoy_value"] == pytest.approx(1.0)
    assert (card["numerator"], card["denominator"], card["n"]) == (3000.0, 4000.0, 2)
    assert (card["period_name"], card["comparison_name"]) == ("FY2026 year to date", "the same months of FY2025")
    assert card["sentence"] == (
        "M/WBE spend fell from 100.0% in the same months of FY2025 to 75.0% in FY2026 year to date ($3.0K of $4.0K "
        "paid, 2 payments), meeting the 25% goal, within normal year-to-year variation.")
    assert card["movement"] == pytest.approx(-25.0)


def test_the_period_and_its_comparison_are_read_from_one_pass_over_the_records(monkeypatch):
    """The comparison (a date range: the KPI's cube) is asked first, and the cube answers the period too: no
    aggregate query over the records, and the same 75% against 100%."""
    from kpi.sql import query

    asked = []
    real_query, real_arrow = query.query, query.arrow
    monkeypatch.setattr(query, "query", lambda src, sql, *a, **k: asked.append(("records", sql)) or
                        real_query(src, sql, *a, **k))
    monkeypatch.setattr(query, "arrow", lambda src, sql, **k: asked.append(("cube", sql)) or real_arrow(src, sql, **k))
    tables = city()
    card = kpi.scorecard(tables, period=now.default_period(now.data_through(tables)), kpis=("mwbe_spend_share",))
    assert (card.iloc[0]["value"], card.iloc[0]["yoy_value"]) == (pytest.approx(0.75), pytest.approx(1.0))
    assert [kind for kind, sql in asked if "kpi_records_" in sql] == ["cube"], asked


def test_a_chosen_fiscal_year_keeps_its_comparison():
    """Choosing FY2026 alone still compares with FY2025 (the filter picks the period, not the comparison)."""
    tables = city()
    card = kpi.scorecard(tables, filters=kpi.Filters(fiscal_years=(2026,)), as_of="2026-03-31",
                         kpis=("mwbe_spend_share",)).iloc[0]
    assert (card["period_label"], card["yoy_label"]) == ("FY2026", "FY2025")
    assert card["value"] == pytest.approx(0.75) and card["yoy_value"] == pytest.approx(0.10)
    full = kpi.scorecard(tables, period=now.fiscal_year_period(2025, D(2026, 3, 31)), kpis=("mwbe_spend_share",))
    assert full.iloc[0]["value"] == pytest.approx(0.10) and full.iloc[0]["comparison_name"] == "FY2024"


def test_last_twelve_months():
    """April 2025 - March 2026: $3,000 of $13,000; the twelve months before: $1,000 of $1,000."""
    tables = city()
    period = now.rolling_period(D(2026, 3, 31))
    card = kpi.scorecard(tables, period=period, kpis=("mwbe_spend_share",)).iloc[0]
    assert card["value"] == pytest.approx(3000 / 13000) and card["yoy_value"] == pytest.approx(1.0)
    assert "in the 12 months to March 2026" in card["sentence"]


def test_dollars_of_the_period():
    tables = city()
    period = now.default_period(D(2026, 3, 31))
    figures = {f.key: f for f in kpi_dollars(tables, period)}
    assert (figures["spend"].amount, figures["spend"].comparison) == (4000.0, 1000.0)
    assert (figures["mwbe_spend"].amount, figures["mwbe_spend"].note) == (3000.0, "75.0% of spend")
    assert figures["awards"].amount == 5000.0 and figures["awards"].comparison is None
    by_dept = spend_by(tables, period, "department")
    assert by_dept[["name", "amount", "payments"]].to_dict("records") == [
        {"name": "Parks", "amount": 3000.0, "payments": 1}, {"name": "Police", "amount": 1000.0, "payments": 1}]
    assert list(by_dept["share"]) == [0.75, 0.25]
    assert spend_by(tables, period, "department", kpi.Filters(departments=("Police",)))["amount"].tolist() == [1000.0]
    assert spend_by(tables, period, "vendor").iloc[0]["name"] == "Acme Minority Paving"


def test_pipeline_dollars():
    """Two contracts end within 18 months of 31 Mar 2026; the one ending in 120 days with no options and no
    replacement must be re-procured now."""
    contracts = pd.DataFrame({
        "contract_id": ["CTR-ENDS-IN-120-NO-OPTIONS", "CTR-ENDS-IN-400"],
        "start_date": pd.to_datetime(["2023-01-01", "2023-01-01"]),
        "end_date": pd.to_datetime(["2026-07-29", "2027-05-06"]),
        "current_amount": [250_000.0, 1_000_000.0], "renewal_options_remaining": [0, 0]})
    figures = {f.key: f for f in pipeline_dollars({"contracts": contracts}, D(2026, 3, 31))}
    assert figures["expiring"].amount == 1_250_000.0 and figures["expiring"].note.startswith("2 contracts")
    assert figures["act_now"].amount == 250_000.0 and figures["act_now"].note.startswith("1 contract ")


def test_report_names_its_period_and_keeps_its_keys(tmp_path, capsys):
    """`python -m kpi report --json` adds the period and its comparison; the keys it had stay."""
    data = report_data(city(), as_of=D(2026, 3, 31))
    assert data["fiscal_year"] == 2026 and data["as_of"] == "2026-03-31"
    assert data["period"] == {"kind": "ytd", "label": "FY2026 year to date", "from": "2025-07-01",
                              "to": "2026-03-31", "comparison": {"label": "the same months of FY2025",
                                                                 "from": "2024-07-01", "to": "2025-03-31"}}
    assert data["data_notes"] == ["Solicitations end 31 Dec 2025"]
    mwbe = next(k for k in data["kpis"] if k["id"] == "mwbe_spend_share")
    assert mwbe["period"] == "FY2026" and mwbe["value"] == pytest.approx(0.75)
    assert mwbe["comparison"] == {"period": "the same months of FY2025", "value": 1.0}
    assert mwbe["dollars"] == {"numerator": 3000.0, "denominator": 4000.0}
    from storage.workspace import Workspace

    ws = Workspace(tmp_path / "ws")
    for name, frame in city().items():
        ws.import_table(name, frame, source=f"{name}.csv", rows_read=len(frame), rows_excluded=0, checksum=name)
    assert kpi_main(["report", "--workspace", str(tmp_path / "ws"), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["period"]["label"] == "FY2026 year to date" and printed["as_of"] == "2026-03-31"
    assert kpi_main(["report", "--workspace", str(tmp_path / "ws"), "--window", "12m"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("12 months to March 2026 (1 Apr 2025 to 31 Mar 2026), compared with the 12 months to "
                           "March 2025\nData through 31 Mar 2026")
    assert "Solicitations end 31 Dec 2025" in text


def test_a_period_that_does_not_start_a_fiscal_year_is_filtered_by_date():
    """October 2025 to March 2026 leaves out September's M/WBE payment: $0 of $1,000."""
    p = now.default_period(D(2026, 3, 31))
    custom = now.Period("ytd", 2026, D(2025, 10, 1), p.end, D(2024, 10, 1), p.comparison_end, 7,
                        "October to March FY2026", "October to March FY2025")
    card = kpi.scorecard(city(), period=custom, kpis=("mwbe_spend_share",)).iloc[0]
    assert (card["value"], card["denominator"], card["n"]) == (0.0, 1000.0, 1)
    assert pd.isna(card["yoy_value"])  # nothing was paid from October 2024 to March 2025
