"""Every page of the app opens without an exception, on the sample city and on a workspace missing tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ui.pages import PAGES

pytestmark = pytest.mark.xdist_group("app")

TIMEOUT = 120
APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(autouse=True)
def _fresh_caches():
    """st.cache_data and st.cache_resource outlive an AppTest within one pytest process."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


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


def test_missing_data_names_the_export_and_links_to_data_page(payments_only_ws):
    """A theme page without its table says which export fills it and links to the Data page."""
    at = open_page("app_pages/speed.py")
    body = texts(at)
    assert "has no data yet" in body
    assert "solicitation" in body.lower()
    links = [link.proto.page for link in at.get("page_link")]
    assert any("data" in str(p) for p in links)
