"""The sample city is deterministic, mid-sized, shaped as designed, and loads through the loaders."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sample_data
from loaders.schema import TABLES, normalise_header
from sample_data import AS_OF, SAMPLE_DIR, SAMPLE_FILES, SAMPLE_TABLES
from sample_data.generate import EXPORTS, generate_city, write_exports
from storage import Workspace, dtypes

COMPETITIVE = ("invitation for bid", "request for proposals", "request for quotes")


@pytest.fixture(scope="module")
def city() -> dict[str, pd.DataFrame]:
    return generate_city()


def fiscal_year(dates: pd.Series) -> pd.Series:
    return dates.dt.year + (dates.dt.month >= 7)


def test_generation_is_deterministic(city):
    """The same seed gives the same tables; another seed gives other tables."""
    again = generate_city(seed=2026)
    for name in TABLES:
        pd.testing.assert_frame_equal(city[name], again[name])
    other = generate_city(seed=7)
    assert not city["payments"]["amount"].equals(other["payments"]["amount"])


def zip_entries(path: Path) -> list[tuple]:
    with zipfile.ZipFile(path) as z:
        return [(i.filename, i.date_time, z.read(i.filename)) for i in z.infolist()]


def test_exports_regenerate_byte_identically(city, tmp_path):
    """Writing the exports twice gives the same bytes, and the committed files are up to date."""
    first = write_exports(city, tmp_path / "a")
    second = write_exports(generate_city(), tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in SAMPLE_FILES]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), f"{a.name} differs between two runs"
        committed = SAMPLE_DIR / a.name
        if a.suffix == ".xlsx":
            # Compared entry by entry: another zlib build may compress the same content differently.
            assert zip_entries(a) == zip_entries(committed), f"{a.name} is out of date: run make sample"
        else:
            assert a.read_bytes() == committed.read_bytes(), f"{a.name} is out of date: run make sample"


def test_sample_files_stay_under_5_mb():
    """All bundled exports together stay under 5 MB."""
    assert sum(p.stat().st_size for p in SAMPLE_FILES) < 5 * 1024 * 1024


def test_tables_are_canonical(city):
    """Every table has exactly the schema's columns, typed as the workspace stores them."""
    assert list(city) == list(TABLES)
    for name, frame in city.items():
        assert list(frame.columns) == list(TABLES[name].names)
        assert {c: str(t) for c, t in frame.dtypes.items()} == dtypes(name)
    vendors = city["vendors"]
    assert vendors["vendor_id"].is_unique and vendors["vendor_name"].is_unique
    assert city["solicitations"]["solicitation_id"].is_unique
    assert city["contracts"]["contract_id"].is_unique and city["payments"]["payment_id"].is_unique


def test_sizes_of_a_mid_sized_city(city):
    """About 1,500 solicitations, 3,000 bids, 1,200 contracts, 25,000 payments, 900 vendors..."""
    n = {name: len(frame) for name, frame in city.items()}
    assert 1_350 <= n["solicitations"] <= 1_650
    assert 2_400 <= n["bids"] <= 3_400
    assert 1_050 <= n["contracts"] <= 1_350
    assert n["payments"] == 25_000 and n["vendors"] == 900
    assert 500 <= n["evaluations"] <= 700
    assert 200 <= n["engagements"] <= 350
    small = generate_city(scale=0.2, sizes={"payments": 1234})
    assert len(small["payments"]) == 1234 and len(small["vendors"]) == 180
    with pytest.raises(ValueError, match="unknown table sizes"):
        generate_city(sizes={"cheques": 10})


def test_four_fiscal_years_through_as_of(city):
    """Activity runs from FY2023 to AS_OF: FY2026 (July start) is partial."""
    pay = city["payments"]["payment_date"]
    assert pay.min() == pd.Timestamp("2022-07-01") and pay.max() <= pd.Timestamp(AS_OF)
    assert sorted(fiscal_year(pay).unique()) == [2023, 2024, 2025, 2026]
    for name, frame in city.items():
        for col in [c for c in frame.columns if c.endswith("_date") and c not in
                    ("start_date", "end_date", "due_date", "invoice_due_date", "certification_expiration_date")]:
            assert frame[col].max() <= pd.Timestamp(AS_OF), f"{name}.{col} after AS_OF"


def test_lead_times_by_method_and_after_the_reform(city):
    """Median issue-to-award days: RFP > IFB > RFQ > sole source; lower after the FY2025 reform."""
    s = city["solicitations"].dropna(subset=["award_date"])
    lead = (s["award_date"] - s["issue_date"]).dt.days
    median = lead.groupby(s["method"]).median()
    assert median["request for proposals"] > median["invitation for bid"] > median["request for quotes"] \
        > median["sole source"]
    fy = fiscal_year(s["award_date"])
    for method in ("request for proposals", "invitation for bid"):
        mine = s["method"] == method
        assert lead[mine & (fy == 2026)].median() < 0.85 * lead[mine & (fy <= 2024)].median()


def test_competition_improves_after_the_reform(city):
    """Bids per competitive solicitation rise; the single-bid share (15-25% overall) falls."""
    s = city["solicitations"]
    comp = s[s["method"].isin(COMPETITIVE) & s["bids_received"].notna()]
    late = fiscal_year(comp["issue_date"]) >= 2025
    bids = comp["bids_received"].astype(float)
    assert bids[late].mean() > bids[~late].mean() + 0.2
    single = bids == 1
    assert 0.15 <= single.mean() <= 0.25
    assert single[late].mean() < single[~late].mean() - 0.05
    assert (bids == 0).any()
    assert (s["status"] == "Cancelled").sum() >= 30
    assert (s["method"] == "emergency").sum() >= 20


def test_engagement_raises_bid_counts(city):
    """Solicitations with RFIs or industry days draw more bids; engagements link to solicitations."""
    s, e = city["solicitations"], city["engagements"]
    assert e["solicitation_id"].dropna().isin(s["solicitation_id"]).all()
    assert {"RFI", "Industry Day", "Pre-Bid Conference"} <= set(e["type"])
    comp = s[s["method"].isin(COMPETITIVE) & s["bids_received"].notna()]
    engaged = comp["solicitation_id"].isin(e["solicitation_id"])
    bids = comp["bids_received"].astype(float)
    assert bids[engaged].mean() > bids[~engaged].mean() + 0.5


def test_end_of_fiscal_year_spike(city):
    """May and June carry more awards and more payment dollars than an average month."""
    awards = city["solicitations"]["award_date"].dropna().dt.month.value_counts()
    pay = city["payments"]
    dollars = pay.groupby(pay["payment_date"].dt.month)["amount"].sum()
    for by_month in (awards, dollars):
        others = by_month.drop([5, 6]).mean()
        assert by_month[5] > 1.15 * others and by_month[6] > 1.1 * others


def test_mwbe_spend_share_between_15_and_25_percent(city):
    """Payments to certified MBE or WBE firms are 15-25% of spend; certifications read 'MBE; WBE'."""
    v = city["vendors"].set_index("vendor_id")
    mwbe = (v["is_mbe"] | v["is_wbe"]).astype(bool)
    pay = city["payments"]
    share = pay["amount"][pay["vendor_id"].map(mwbe).fillna(False).astype(bool)].sum() / pay["amount"].sum()
    assert 0.15 <= share <= 0.25
    assert "MBE; WBE" in set(v["certifications"].dropna())
    assert (v["certifications"].notna() == v[[f"is_{c}" for c in ("mbe", "wbe", "dbe", "sbe", "dvbe", "lbe")]]
            .any(axis=1)).all()


def test_contracts_expire_across_the_next_18_months(city):
    """Contracts end within 540 days of AS_OF, some soon with no renewal and no replacement under way."""
    c, s = city["contracts"], city["solicitations"]
    days = (c["end_date"] - pd.Timestamp(AS_OF)).dt.days
    assert (days.between(1, 90)).sum() >= 20 and (days.between(366, 540)).sum() >= 20
    replaced = c["contract_id"].isin(s["replaces_contract_id"])
    stranded = days.between(1, 180) & (c["renewal_options_remaining"] == 0) & ~replaced
    assert 5 <= stranded.sum() <= 60
    assert (days.between(1, 180) & replaced).sum() >= 10
    assert s["replaces_contract_id"].dropna().isin(c["contract_id"]).all()


def test_contract_money_shapes(city):
    """Amendments grow contracts; a few are paid beyond their current amount."""
    c, pay = city["contracts"], city["payments"]
    growth = (c["current_amount"].sum() - c["original_amount"].sum()) / c["original_amount"].sum()
    assert 0.02 <= growth <= 0.15
    assert (c["current_amount"] >= c["original_amount"]).all()
    paid = pay.groupby("contract_id")["amount"].sum()
    over = paid > c.set_index("contract_id")["current_amount"].reindex(paid.index)
    assert 3 <= over.sum() <= 40
    assert pay["contract_id"].dropna().isin(c["contract_id"]).all()


def test_evaluations_are_missing_or_late(city):
    """Some evaluations due by AS_OF were never done, some were done late, most on time."""
    e = city["evaluations"]
    due = e[e["due_date"] <= pd.Timestamp(AS_OF)]
    missing = due["completed_date"].isna().mean()
    late = (due["completed_date"] > due["due_date"]).mean()
    assert 0.05 <= missing <= 0.3 and 0.05 <= late <= 0.3
    assert e["contract_id"].isin(city["contracts"]["contract_id"]).all()
    assert e["score"].dropna().between(0, 1).all()


def test_most_invoices_paid_within_30_days(city):
    """Days from invoice receipt to payment: most within 30, the share improving after the reform."""
    pay = city["payments"]
    days = (pay["payment_date"] - pay["invoice_received_date"]).dt.days.dropna()
    on_time = days <= 30
    assert 0.75 <= on_time.mean() <= 0.95
    fy = fiscal_year(pay["payment_date"][days.index])
    assert on_time[fy == 2026].mean() > on_time[fy == 2023].mean()


def test_every_party_is_a_vendor(city):
    """Bidders, awardees, contractors and payees are all in the vendor master, registered before use."""
    v = city["vendors"]
    for frame, col in ((city["bids"], "vendor_id"), (city["solicitations"], "awarded_vendor_id"),
                       (city["contracts"], "vendor_id"), (city["payments"], "vendor_id")):
        assert frame[col].dropna().isin(v["vendor_id"]).all()
    first_paid = city["payments"].groupby("vendor_id")["payment_date"].min()
    assert (v.set_index("vendor_id")["registration_date"].reindex(first_paid.index) <= first_paid).all()


def test_export_headers_are_schema_aliases():
    """Every ERP header in the exports is an alias of the canonical column it holds."""
    for export in EXPORTS:
        table = TABLES[export.table]
        for header, column, _fmt in export.columns:
            known = {column, *table.column(column).aliases}
            assert normalise_header(header) in known, f"{export.file}: {header!r} is not an alias of {column}"


def test_exports_look_like_an_erp(city):
    """Title block above the header, a totals row, '$1,234.56' amounts and M/D/YYYY dates in the register."""
    lines = (SAMPLE_DIR / "riverton_check_register.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "City of Riverton" and lines[4].startswith("Check No.,Check Date,")
    assert lines[-1].startswith("Total,") and '"$' in lines[-1]
    first = lines[5].split(",")
    assert first[1].count("/") == 2 and '"$' in lines[5]
    iso = (SAMPLE_DIR / "riverton_vendor_evaluations.csv").read_text().splitlines()[5]
    assert iso.split(",")[2][4] == "-"


def test_ensure_sample_fills_an_empty_workspace_through_the_loaders(city, tmp_path):
    """An empty workspace gets every sample file, and the loaded tables equal the generated ones."""
    ws = Workspace(tmp_path / "ws")
    assert sample_data.ensure_sample(ws) is True
    assert ws.settings()["sample_data"] is True and "Riverton" in ws.settings()["office_name"]
    assert ws.settings()["as_of"] == sample_data.AS_OF.isoformat()  # the sample's "now" is a setting
    history = ws.imports()
    assert sorted(history["source"]) == sorted(name for name, _t in SAMPLE_TABLES)
    assert (history["status"] == "current").all()
    assert (history["rows_read"] == history["rows_loaded"] + history["rows_excluded"]).all()
    for name, generated in city.items():
        loaded = ws.table(name).drop(columns="import_id")
        pd.testing.assert_frame_equal(loaded, generated, check_exact=False, rtol=1e-12,
                                      obj=f"{name} loaded from its export")
    assert sample_data.ensure_sample(ws) is False  # not empty any more: left alone
    assert len(ws.imports()) == len(history)
    assert sample_data.remove_sample(ws) == len(history)
    assert ws.is_empty and ws.settings()["sample_data"] is False and ws.settings()["office_name"] is None


def test_payment_amounts_are_cents(city):
    """Money is whole cents, as an ERP stores it (so export totals match to the cent)."""
    for name, col in (("payments", "amount"), ("contracts", "current_amount"), ("bids", "bid_amount")):
        cents = city[name][col].dropna().to_numpy() * 100
        assert np.allclose(cents, np.round(cents), atol=1e-6)


def test_a_failed_sample_load_leaves_the_workspace_empty(tmp_path, monkeypatch):
    """If one sample file cannot be imported, nothing of the sample is left: the load is one transaction."""
    import loaders

    real = loaders.import_file
    calls = []

    def flaky(path, workspace, **kwargs):
        calls.append(path.name)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(path, workspace, **kwargs)

    monkeypatch.setattr(loaders, "import_file", flaky)
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(RuntimeError, match="disk full"):
        sample_data.ensure_sample(ws)
    assert ws.is_empty and ws.settings()["sample_data"] is False
    assert ws.imports().empty and ws.table_files() == {}
    assert not list((ws.path / "tables").glob("*.parquet"))  # the two files written before are gone too


def test_two_processes_loading_the_sample_at_once_load_it_once(tmp_path):
    """Two app servers (or a server and the command line) starting on one empty workspace: one loads the
    whole city, the other finds it loaded; the city is never imported twice or seen half-loaded."""
    import subprocess
    import sys

    folder = tmp_path / "ws"
    Workspace(folder)  # created first: the two processes race for the load, not for the catalogue
    root = Path(sample_data.__file__).resolve().parent.parent
    runs = [subprocess.Popen([sys.executable, "-m", "sample_data", "load", "--workspace", str(folder)], cwd=root,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = sorted((p.wait(timeout=300), p.stderr.read()) for p in runs)
    assert [code for code, _err in outcomes] == [0, 2], outcomes
    assert "already holds data" in outcomes[1][1]
    ws = Workspace(folder)
    assert sorted(ws.imports()["source"]) == sorted(name for name, _t in SAMPLE_TABLES)
    assert ws.settings()["sample_data"] is True


def test_load_command_fills_a_workspace_as_the_app_does(tmp_path, capsys):
    """`python -m sample_data load --workspace DIR` imports every sample file through the loaders (the app's
    own ensure_sample), records the sample's data-through date, and refuses a workspace that holds data."""
    from sample_data.__main__ import main

    folder = tmp_path / "ws"
    assert main(["load", "--workspace", str(folder)]) == 0
    assert "data through 31 May 2026" in capsys.readouterr().out
    ws = Workspace(folder)
    assert sorted(ws.imports()["source"]) == sorted(name for name, _t in SAMPLE_TABLES)
    assert ws.settings()["as_of"] == "2026-05-31" and ws.settings()["sample_data"] is True
    assert main(["load", "--workspace", str(folder)]) == 2
    assert "already holds data" in capsys.readouterr().err
    assert sample_data.remove_sample(ws) == len(SAMPLE_TABLES)
    assert "as_of" not in {k for k, v in ws.settings().items() if v}  # the office's data has its own now
