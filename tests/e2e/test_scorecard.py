"""The scorecard in a real browser, on one server holding the sample city (nothing here imports data).

Order matters only for the first test, which must see the server's very first visit.
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import zipfile

import pytest
from playwright.sync_api import expect

from kpi.format import format_kpi_value
from tests.conftest import ROOT
from tests.e2e.conftest import (
    assert_no_exception,
    choose,
    main,
    open_page,
    query_params,
    screenshot,
    sidebar,
    upload,
    wait_idle,
)
from ui.format import STATUS_STYLE, format_goal
from ui.pages import PAGES

pytestmark = pytest.mark.xdist_group("e2e")

YEAR = {"grain": "Fiscal year"}  # the Period control's URL value: pins the Overview to fiscal years


def kpi_report(workspace) -> dict:
    """`python -m kpi report --workspace DIR --json`, as a user would run it next to the app."""
    out = subprocess.run([sys.executable, "-m", "kpi", "report", "--workspace", str(workspace), "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def card(page, kpi_id: str):
    """One KPI card of the Overview (its container is keyed by the KPI id)."""
    return main(page).locator(f".st-key-card-{kpi_id}")


def card_metrics(page):
    """The KPI cards' metrics (the dollar figures above them are metrics too)."""
    return main(page).locator("[class*='st-key-card-']").get_by_test_id("stMetric")


def card_values(page) -> dict[str, str]:
    """{card title: displayed value} for every KPI card on the page."""
    metrics = card_metrics(page)
    labels = metrics.get_by_test_id("stMetricLabel").all_inner_texts()
    values = metrics.get_by_test_id("stMetricValue").all_inner_texts()
    assert len(labels) == len(values) > 0
    return {label.strip(): value.strip() for label, value in zip(labels, values, strict=True)}


def headline(page) -> str:
    """The Overview's caption under the title: 'FY2024 · Police · by fiscal year · 3 met · ...'."""
    return main(page).get_by_test_id("stCaptionContainer").filter(has_text=" · by ").first.inner_text()


# --- a fresh start -------------------------------------------------------------------------------------------

def test_fresh_start_shows_the_sample_city_labelled_as_sample(server, page):
    from kpi import SCORECARD

    page.goto(server.page_url())  # the first visit imports the sample city's ten exports: slow on a busy machine
    wait_idle(page, timeout=120_000)
    expect(main(page).get_by_role("heading", name="Procurement scorecard")).to_be_visible()
    # One card per scorecard KPI, each with a value (the sample city has data for all of them).
    expect(card_metrics(page)).to_have_count(len(SCORECARD))
    values = card_values(page)
    assert all(v and v != "—" for v in values.values()), values
    # Labelled as sample data, where the director reads the numbers and where the office name stands.
    banner = main(page).get_by_test_id("stAlertContentInfo").filter(has_text="Sample data")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("fictional city")
    expect(sidebar(page)).to_contain_text("Riverton")
    expect(sidebar(page)).to_contain_text("sample data")
    assert_no_exception(page)
    screenshot(page, "fresh-start-overview")


# --- the Overview against python -m kpi report -----------------------------------------------------------------

def test_overview_equals_kpi_report_on_the_same_workspace(server, page):
    open_page(page, server, **YEAR)
    expect(main(page).get_by_test_id("stMetric").first).to_be_visible()
    report = kpi_report(server.workspace)
    expected = [k for k in report["kpis"] if k["scorecard"]]
    assert expected, "the report lists no scorecard KPI"
    expect(card_metrics(page)).to_have_count(len(expected))

    mismatches = []
    for k in expected:
        c = card(page, k["id"])
        expect(c).to_have_count(1)
        shown = {
            "title": c.get_by_test_id("stMetricLabel").inner_text().strip(),
            "value": c.get_by_test_id("stMetricValue").inner_text().strip(),
            "status": c.inner_text().strip().split("\n")[0],  # the badge: icon name and word
            "captions": c.get_by_test_id("stCaptionContainer").all_inner_texts(),
        }
        want = {
            "title": k["title"],
            "value": format_kpi_value(k["value"], k["unit"], k["target"], k["at_risk"]),
            "status": STATUS_STYLE[k["status"]][2],
            "period": f"{report['period']['label']} · n = {k['n']:,}",
            "goal": format_goal(k["target"], k["at_risk"], k["unit"], k["direction"]),
        }
        captions = [t.replace("\\", "") for t in shown["captions"]]
        if shown["title"] != want["title"]:
            mismatches.append(f"{k['id']}: title {shown['title']!r} != {want['title']!r}")
        if shown["value"] != want["value"]:
            mismatches.append(f"{k['id']}: value {shown['value']!r} != {want['value']!r} (report {k['value']})")
        if not shown["status"].endswith(want["status"]):
            mismatches.append(f"{k['id']}: status {shown['status']!r} != {want['status']!r}")
        if want["period"] not in captions:
            mismatches.append(f"{k['id']}: period/n {want['period']!r} not in {captions}")
        if want["goal"] not in captions:
            mismatches.append(f"{k['id']}: goal {want['goal']!r} not in {captions}")
    assert not mismatches, "Overview differs from `python -m kpi report`:\n" + "\n".join(mismatches)


# --- filters in the URL --------------------------------------------------------------------------------------

def test_fiscal_year_and_department_filters_change_values_and_live_in_the_url(server, page):
    open_page(page, server, **YEAR)
    expect(main(page).get_by_test_id("stMetric").first).to_be_visible()
    everything = card_values(page)

    choose(page, "Fiscal year", "FY2024")
    expect(main(page).get_by_test_id("stCaptionContainer").filter(has_text=" · by ").first).to_contain_text("FY2024")
    one_year = card_values(page)
    assert one_year != everything, "choosing FY2024 changed no value"
    assert query_params(page).get("fy") == ["FY2024"], page.url

    choose(page, "Department", "Police")
    expect(main(page).get_by_test_id("stCaptionContainer").filter(has_text=" · by ").first).to_contain_text("Police")
    police = card_values(page)
    assert police != one_year, "choosing the Police department changed no value"
    params = query_params(page)
    assert params.get("fy") == ["FY2024"] and params.get("dept") == ["Police"], page.url
    caption = headline(page)

    # Reloading the URL (a new Streamlit session) reproduces the view: filters, caption and values.
    page.reload()
    wait_idle(page)
    assert query_params(page).get("fy") == ["FY2024"] and query_params(page).get("dept") == ["Police"], page.url
    expect(card_metrics(page)).to_have_count(len(police))
    expect(sidebar(page).get_by_test_id("stMultiSelect").filter(has_text="Fiscal year")).to_contain_text("FY2024")
    expect(sidebar(page).get_by_test_id("stMultiSelect").filter(has_text="Department")).to_contain_text("Police")
    assert headline(page) == caption
    assert card_values(page) == police
    assert_no_exception(page)


# --- every page ----------------------------------------------------------------------------------------------

def page_name(spec) -> str:
    return spec.path.rsplit("/", 1)[-1].removesuffix(".py")


@pytest.mark.parametrize("spec", PAGES, ids=[page_name(p) for p in PAGES])
def test_every_page_opens_without_an_exception(server, page, spec):
    """Each page at its own URL (ui/pages.py's url_path): it renders, without an exception."""
    open_page(page, server, spec.url_path)
    # The page asked for is the page shown (not a 'Page not found' dialog over the default page).
    dialog = page.get_by_role("dialog")
    assert dialog.count() == 0, f"/{spec.url_path}: {dialog.first.inner_text()[:300]}"
    assert_no_exception(page, server)
    expect(main(page).get_by_role("heading", level=1).first).to_be_visible()
    current = sidebar(page).get_by_test_id("stSidebarNavLink").filter(has_text=spec.title)
    expect(current.first).to_have_attribute("aria-current", "page")
    screenshot(page, f"page-{page_name(spec)}")


# --- downloads -----------------------------------------------------------------------------------------------

def test_chart_png_and_briefing_deck_download_and_open(server, page, tmp_path):
    from PIL import Image
    from pptx import Presentation

    open_page(page, server, "briefing")
    buttons = main(page).get_by_test_id("stDownloadButton")
    expect(buttons.filter(has_text="PNG").first).to_be_visible()

    with page.expect_download() as d:
        buttons.filter(has_text="PNG").first.click()
    png = tmp_path / d.value.suggested_filename
    d.value.save_as(png)
    assert png.suffix == ".png", png.name
    with Image.open(png) as im:
        assert im.format == "PNG"
        width, height = im.size
    assert width >= 1200 and height >= 400, (width, height)  # slide resolution, not a thumbnail

    with page.expect_download(timeout=120_000) as d:
        buttons.filter(has_text="PowerPoint").first.click()
    deck = tmp_path / d.value.suggested_filename
    d.value.save_as(deck)
    assert deck.suffix == ".pptx", deck.name
    assert zipfile.is_zipfile(deck)
    prs = Presentation(io.BytesIO(deck.read_bytes()))
    assert len(prs.slides) >= 8, len(prs.slides)
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01  # the 16:9 deck the page promises
    assert_no_exception(page)


# --- a corrupt upload ----------------------------------------------------------------------------------------

def test_corrupt_upload_shows_a_clear_error_and_the_app_stays_usable(server, page, tmp_path):
    bad = tmp_path / "damaged_contract_register.xlsx"
    bad.write_bytes(random.Random(7).randbytes(4096))  # random bytes (reproducible) named .xlsx

    open_page(page, server, "data")
    upload(page, bad)
    error = main(page).get_by_test_id("stAlertContentError").filter(has_text=bad.name)
    expect(error).to_be_visible()
    assert_no_exception(page)

    # Still usable: another page renders in the same session.
    sidebar(page).get_by_role("link", name="Overview").click()
    wait_idle(page)
    expect(main(page).get_by_role("heading", name="Procurement scorecard")).to_be_visible()
    expect(main(page).get_by_test_id("stMetric").first).to_be_visible()
    assert_no_exception(page)
