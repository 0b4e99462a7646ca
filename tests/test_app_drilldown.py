"""A theme page opened on one KPI: that KPI first, its exceptions in the first tab, a clicked bar narrows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = [pytest.mark.xdist_group("app"), pytest.mark.usefixtures("fresh_streamlit_caches")]

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 120


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    import sample_data
    from storage.workspace import Workspace

    path = tmp_path_factory.mktemp("drill-app") / "workspace"
    sample_data.ensure_sample(Workspace(path))
    return path


def open_kpi(sample_dir, monkeypatch, page: str, title: str) -> AppTest:
    monkeypatch.setenv("PROCUREMENT_KPI_WORKSPACE", str(sample_dir))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(page)
    at.query_params["kpi"] = title
    at.run()
    assert not at.exception, at.exception
    return at


def test_linked_kpi_comes_first_with_its_exceptions(sample_dir, monkeypatch):
    """?kpi=... on the Payments page: the KPI's header before the page summary, 'Late payments' the first tab,
    with plain column names and no 'None'."""
    at = open_kpi(sample_dir, monkeypatch, "app_pages/payments.py", "Invoices paid on time")
    assert at.header[0].value == "Invoices paid on time"
    subheaders = [s.value for s in at.subheader]
    assert subheaders.index("Every KPI on this page") > subheaders.index(next(s for s in subheaders
                                                                               if s.startswith("Records behind")))
    labels = [t.label for t in at.tabs]
    assert labels[0].startswith("Late payments (") and any(lb.startswith("All payments used") for lb in labels)
    late = at.dataframe[0].value
    assert {"Payment number", "Days", "Invoice received"} <= set(late.columns)
    assert not {"period_label", "import_id", "counted", "payment_id"} & set(late.columns)
    assert (late["Days"] > 30).all()


def test_a_clicked_bar_narrows_the_records_to_its_group(sample_dir, monkeypatch):
    """The breakdown's click selection (Police) narrows the records and says so; the counts are Police's."""
    at = open_kpi(sample_dir, monkeypatch, "app_pages/payments.py", "Invoices paid on time")
    everyone = next(t.label for t in at.tabs if t.label.startswith("All payments used"))
    at.session_state["chart-bd-on_time_payment_share"] = {"selection": {"pick": [{"group": "Police"}]}}
    at.run()
    assert not at.exception, at.exception
    assert any(s.value.endswith("in Police") for s in at.subheader)
    police = next(t.label for t in at.tabs if t.label.startswith("All payments used"))
    assert police != everyone
    records = next(d.value for d in at.dataframe if "Payment number" in d.value.columns)
    assert set(records["Department"]) == {"Police"}


def test_single_bid_kpi_lists_the_single_bid_solicitations_first(sample_dir, monkeypatch):
    at = open_kpi(sample_dir, monkeypatch, "app_pages/competition.py", "Single-bid solicitations")
    assert at.tabs[0].label.replace("\\", "").startswith("Single-bid solicitations (")
    records = next(d.value for d in at.dataframe if "Solicitation number" in d.value.columns)
    assert set(records["Bids"]) == {1}
    # The single-bid solicitations are the ones counted in the value: one tab, not the same records twice.
    assert not any(t.label.startswith("Counted in the value") for t in at.tabs)


def test_a_share_where_higher_is_better_keeps_its_counted_records_a_tab_away(sample_dir, monkeypatch):
    """On-time payments: the late ones first, and the on-time ones (counted in the value) in their own tab."""
    at = open_kpi(sample_dir, monkeypatch, "app_pages/payments.py", "Invoices paid on time")
    labels = [t.label for t in at.tabs]
    assert labels[0].startswith("Late payments (") and any(lb.startswith("Counted in the value (") for lb in labels)
