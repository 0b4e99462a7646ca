"""Every page of the app opens without an exception, on the sample city and on a workspace missing tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ui.pages import PAGES

pytestmark = [pytest.mark.xdist_group("app"), pytest.mark.usefixtures("fresh_streamlit_caches")]

TIMEOUT = 120
APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    """A workspace holding the sample city, filled once per module by the app itself."""
    path = tmp_path_factory.mktemp("sample") / "workspace"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PROCUREMENT_KPI_WORKSPACE", str(path))
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.run()
        assert not at.exception
    return path


@pytest.fixture
def sample_ws(sample_dir, monkeypatch):
    monkeypatch.setenv("PROCUREMENT_KPI_WORKSPACE", str(sample_dir))
    return sample_dir


@pytest.fixture
def payments_only_ws(workspace_dir):
    """An initialised workspace holding a few payments and nothing else (no sample: it is not empty)."""
    from storage.workspace import Workspace

    ws = Workspace(workspace_dir)
    frame = pd.DataFrame({
        "payment_id": ["PAY-ON-TIME", "PAY-LATE", "PAY-NO-INVOICE-DATE"],
        "payment_date": pd.to_datetime(["2025-08-15", "2025-09-30", "2025-10-01"]),
        "amount": [1200.0, 560.5, 99.0],
        "vendor_name": ["Acme Paving", "=HYPERLINK(\"http://x\")", "**Bold Co**"],
        "department": ["Public Works", "Parks", "Parks"],
        "invoice_received_date": pd.to_datetime(["2025-08-01", "2025-08-01", None]),
    })
    ws.import_table("payments", frame, source="payments.csv", rows_read=3, rows_excluded=0, checksum="test")
    return workspace_dir


@pytest.fixture
def emptied_ws(workspace_dir):
    """A workspace whose only import was undone: initialised, holding no rows, and not given the sample."""
    from storage.workspace import Workspace

    ws = Workspace(workspace_dir)
    frame = pd.DataFrame({"payment_id": ["PAY-1"], "payment_date": pd.to_datetime(["2025-08-15"]), "amount": [1.0]})
    import_id = ws.import_table("payments", frame, source="p.csv", rows_read=1, rows_excluded=0, checksum="t")
    ws.undo(import_id)
    return workspace_dir


def open_page(path: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if path != "app_pages/overview.py":
        at.switch_page(path).run()
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [e.value for e in at.error] + [w.value for w in at.warning] + [s.value for s in at.success]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("path", [p.path for p in PAGES])
def test_page_opens_on_sample_city(sample_ws, path):
    """Each page renders on the sample city without an exception or an error box."""
    at = open_page(path)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_sample_banner_is_shown(sample_ws):
    """A fresh start on the sample city says so."""
    at = open_page("app_pages/overview.py")
    assert any("Sample data" in i.value for i in at.info)


@pytest.mark.parametrize("path", [p.path for p in PAGES])
def test_page_opens_with_missing_tables(payments_only_ws, path):
    """With only payments loaded, every page still opens, and no sample banner appears."""
    at = open_page(path)
    assert not at.exception, at.exception
    assert not any("Sample data" in i.value for i in at.info)


@pytest.mark.parametrize("path", [p.path for p in PAGES])
def test_page_opens_on_an_emptied_workspace(emptied_ws, path):
    """With no data at all (every import undone), every page opens and says what is missing."""
    at = open_page(path)
    assert not at.exception, at.exception
    assert not any("Sample data" in i.value for i in at.info)


def test_missing_data_names_the_export_and_links_to_data_page(payments_only_ws):
    """A theme page without its table says which export fills it and links to the Data page."""
    at = open_page("app_pages/speed.py")
    body = texts(at)
    assert "has no data yet" in body
    assert "solicitation" in body.lower()
    links = [link.proto.page for link in at.get("page_link")]
    assert any("data" in str(p) for p in links)


def metrics_by_label(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_has_one_card_per_scorecard_kpi(sample_ws):
    """The Overview shows one card (metric) per scorecard KPI, after the period's dollar figures."""
    import kpi
    from ui.format import md_escape

    at = open_page("app_pages/overview.py")
    titles = {md_escape(kpi.KPIS[k].title) for k in kpi.SCORECARD}
    assert sum(m.label in titles for m in at.metric) == len(kpi.SCORECARD)
    assert {"Spend", "Award dollars", "Paid to M/WBE firms"} <= {m.label for m in at.metric}


def test_overview_values_equal_kpi_report(sample_ws):
    """With the default filters the cards show the values `python -m kpi report --json` prints."""
    import kpi
    from kpi.cli import default_as_of, report_data
    from storage.workspace import Workspace
    from ui.format import format_value, md_escape

    ws = Workspace(sample_ws)
    settings = ws.settings()
    report = report_data(ws.tables(), ws.goals(), fy_start_month=settings["fiscal_year_start_month"],
                         as_of=default_as_of(settings))
    expected = {md_escape(r["title"]): format_value(r["value"], r["unit"])
                for r in report["kpis"] if r["id"] in kpi.SCORECARD}
    at = open_page("app_pages/overview.py")
    got = metrics_by_label(at)
    assert {k: (got.get(k), v) for k, v in expected.items() if got.get(k) != v} == {}


def test_fiscal_year_filter_changes_values(sample_ws):
    """Choosing an earlier fiscal year in the sidebar changes the cards' values and period."""
    at = open_page("app_pages/overview.py")
    before = metrics_by_label(at)
    years = at.multiselect(key="fy")
    earlier = sorted(years.options)[-3]  # labels "FY2024"; the widget's values are the years
    years.set_value([int(earlier[2:])]).run()
    assert not at.exception
    after = metrics_by_label(at)
    assert after.keys() == before.keys()
    assert after != before
    assert any(earlier in c.value for c in at.caption)


def test_overview_for_one_fiscal_year_equals_kpi_report_fy(sample_ws):
    """Choosing FY2024 in the sidebar gives the values of `python -m kpi report --fy 2024`."""
    import kpi
    from kpi.cli import default_as_of, report_data
    from storage.workspace import Workspace
    from ui.format import format_value, md_escape

    ws = Workspace(sample_ws)
    settings = ws.settings()
    report = report_data(ws.tables(), ws.goals(), fiscal_year=2024,
                         fy_start_month=settings["fiscal_year_start_month"], as_of=default_as_of(settings))
    expected = {md_escape(r["title"]): format_value(r["value"], r["unit"])
                for r in report["kpis"] if r["id"] in kpi.SCORECARD}
    at = open_page("app_pages/overview.py")
    at.multiselect(key="fy").set_value([2024]).run()
    got = metrics_by_label(at)
    assert {k: (got.get(k), v) for k, v in expected.items() if got.get(k) != v} == {}


def test_briefing_starts_at_the_year_the_overview_shows(sample_ws):
    """The sample city's data run to 2026-05-31, so the Overview opens on FY2026 year to date: the Briefing
    page starts there too (the deck carries the Overview's numbers). A year picked in the sidebar first is
    where it starts instead."""
    at = open_page("app_pages/overview.py")
    assert any("FY2026 year to date" in c.value for c in at.caption)
    at.switch_page("app_pages/briefing.py").run()
    assert not at.exception
    assert at.selectbox(key="brief-fy").value == 2026

    at = open_page("app_pages/overview.py")
    at.multiselect(key="fy").set_value([2024]).run()
    at.switch_page("app_pages/briefing.py").run()
    assert not at.exception
    assert at.selectbox(key="brief-fy").value == 2024


def test_contract_lists_show_their_records_largest_first(sample_ws):
    """Contract management's lists (queries counted by the engine) show their rows under plain names, the
    largest growth and the largest excess first, each with a CSV of every row."""
    import sample_data
    from kpi import contracts as kc
    from storage.workspace import Workspace

    at = open_page("app_pages/contracts.py")
    assert not at.exception, at.exception
    growth = next(d.value for d in at.dataframe if "Growth" in " ".join(d.value.columns))
    expected = kc.cost_growth(Workspace(sample_ws).tables(), as_of=sample_data.AS_OF)
    assert 0 < len(growth) == min(len(expected), 2_000)
    assert "contract_id" not in growth.columns and "Contract number" in growth.columns
    assert list(growth["Contract number"].head(5)) == list(expected["contract_id"].head(5))
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Download CSV") >= 2


def test_a_large_pipeline_is_drawn_from_the_engines_monthly_sums(tmp_path, monkeypatch):
    """Over 400 expiring contracts the timeline draws monthly bars summed by the engine, which add up to the
    contracts the list counts; the list shows its rows with a CSV of them all."""
    import pyarrow as pa

    from sample_data.generate import generate_city
    from tests.generated_workspaces import workspace_of

    folder = tmp_path / "ws"
    workspace_of(folder, generate_city(seed=5, sizes={"payments": 3_000, "solicitations": 300, "contracts": 20_000}))
    monkeypatch.setenv("PROCUREMENT_KPI_WORKSPACE", str(folder))
    at = open_page("app_pages/contracts.py")
    assert not at.exception, at.exception
    chart = (at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"))[0].proto
    assert '"bar"' in chart.spec
    frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.datasets]
    bars = next(f for f in frames if "contracts" in f.columns)
    listed = next(d.value for d in at.dataframe if "Action needed" in d.value.columns)
    total = int(bars["contracts"].sum())
    assert total > 400 and total == len(listed)  # every expiring contract in one bar, each listed
    assert len(bars) < 19 * 6  # months by actions, not a row per contract
    assert "Download CSV" in [b.label for b in at.get("download_button")]
