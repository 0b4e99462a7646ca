"""From a scorecard card to the records that miss the goal, in a real browser, on the sample city."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    assert_no_exception,
    grid_rows,
    main,
    open_page,
    query_params,
    screenshot,
    wait_idle,
)

pytestmark = pytest.mark.xdist_group("e2e")


def test_one_click_from_a_card_opens_the_kpi_with_its_exceptions_first(server, page):
    """'Details: late payments' on the on-time payment card: one click, the payments page at the KPI's own
    URL, the KPI's view at the top, and the late payments in the first, open tab, under plain column names."""
    open_page(page, server)
    card = main(page).locator(".st-key-card-on_time_payment_share")
    expect(card).to_be_visible()
    card.get_by_role("link", name=re.compile("^Details: late payments")).click()
    page.wait_for_timeout(300)
    wait_idle(page)

    assert "/payments" in page.url and query_params(page).get("kpi") == ["Invoices paid on time"], page.url
    headers = main(page).get_by_role("heading", level=2)
    expect(headers.first).to_have_text(re.compile("Invoices paid on time"))  # the KPI first, not the summary

    tabs = main(page).get_by_role("tab")
    first = tabs.first
    expect(first).to_have_text(re.compile(r"^Late payments \([\d,]+\)$"))
    expect(first).to_have_attribute("aria-selected", "true")
    late = int(re.search(r"\(([\d,]+)\)", first.inner_text()).group(1).replace(",", ""))
    assert late > 0
    expect(main(page).get_by_role("tab", name=re.compile(r"^All payments used"))).to_have_count(1)

    table = main(page).get_by_role("tabpanel").first.get_by_test_id("stDataFrame")
    rows = grid_rows(table)
    assert rows, "no late payment shown"
    header = list(rows[0])
    for raw in ("period_label", "import_id", "counted", "payment_id", "invoice_received_date"):
        assert raw not in header, header
    assert "Payment number" in header and "Days" in header
    days = [int(r["Days"].replace(",", "")) for r in rows if r.get("Days")]
    assert days == sorted(days, reverse=True) and days[0] > 30  # the latest first, all late
    assert not any("None" in v for r in rows for v in r.values())

    # One export menu per chart: our PNG and SVG buttons; Streamlit's own chart toolbar is hidden.
    chart = main(page).get_by_test_id("stVegaLiteChart").first
    chart.scroll_into_view_if_needed()
    chart.hover()
    toolbars = main(page).locator('[data-testid="stElementContainer"]:has([data-testid="stVegaLiteChart"]) '
                                  '[data-testid="stElementToolbar"]')
    assert all(d == "none" for d in toolbars.evaluate_all("els => els.map(e => getComputedStyle(e).display)"))
    expect(main(page).get_by_test_id("stDownloadButton").filter(has_text="PNG").first).to_be_visible()
    assert_no_exception(page, server)


def test_a_kpi_url_opened_directly_shows_that_kpi_first(server, page):
    """The KPI's own URL (bookmarked, or sent by email) opens on it, exceptions first."""
    open_page(page, server, "competition", kpi="Single-bid solicitations")
    expect(main(page).get_by_role("heading", level=2).first).to_have_text(re.compile("Single-bid solicitations"))
    expect(main(page).get_by_role("tab").first).to_have_text(re.compile(r"^Single-bid solicitations \(\d+\)$"))
    assert_no_exception(page, server)


def test_the_csv_of_a_tab_has_every_record_the_tab_counts(server, page, tmp_path):
    """The page shows at most 2,000 records of a tab; its 'Download CSV' fetches every one when pressed, under
    the same plain column names, late payments longest first."""
    import csv

    open_page(page, server, "payments", kpi="Invoices paid on time", grain="year")  # a year: thousands of payments
    tabs = main(page).get_by_role("tab")
    expect(tabs.first).to_have_text(re.compile(r"^Late payments \([\d,]+\)$"))

    def tab_csv(tab) -> tuple[int, list[dict[str, str]]]:
        tab.click()
        wait_idle(page)
        count = int(re.search(r"\(([\d,]+)\)", tab.inner_text()).group(1).replace(",", ""))
        panel = main(page).locator('[role="tabpanel"]:visible')
        with page.expect_download(timeout=120_000) as d:
            panel.get_by_test_id("stDownloadButton").filter(has_text="Download CSV").click()
        path = tmp_path / d.value.suggested_filename
        d.value.save_as(path)
        with path.open(newline="", encoding="utf-8-sig") as f:
            return count, list(csv.DictReader(f))

    count, late = tab_csv(tabs.first)
    assert count == len(late) > 0
    days = [float(r["Days"]) for r in late]
    assert days == sorted(days, reverse=True) and min(days) > 30
    count, used = tab_csv(main(page).get_by_role("tab", name=re.compile(r"^All payments used")))
    assert count == len(used) > max(len(late), 2_000)
    assert "Payment number" in used[0] and "payment_id" not in used[0]
    expect(main(page).get_by_text(f"Showing the first 2,000 of {count:,} records")).to_be_visible()
    screenshot(page, "drilldown_every_payment_used")
    assert_no_exception(page, server)
