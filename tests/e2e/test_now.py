"""One "now" in a real browser: the Overview opens on the fiscal year to date with its data-through date, and a
fiscal year chosen in the sidebar keeps its comparison with the year before (in the URL, across a reload)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kpi import SCORECARD
from tests.e2e.conftest import (
    assert_no_exception,
    choose,
    main,
    open_page,
    query_params,
    screenshot,
    sidebar,
    wait_idle,
)

pytestmark = pytest.mark.xdist_group("e2e")


def header(page):
    """The line at the top of every page: data-through date, period and comparison."""
    return main(page).get_by_test_id("stCaptionContainer").filter(has_text="Data through").first


def cards(page):
    return main(page).locator("[class*='st-key-card-']")


def deltas(page) -> list[str]:
    """The 'vs ...' change of every KPI card ('' where a card has none)."""
    out = []
    for i in range(cards(page).count()):
        delta = cards(page).nth(i).get_by_test_id("stMetricDelta")
        out.append(delta.inner_text().strip() if delta.count() else "")
    return out


def test_overview_opens_on_the_fiscal_year_to_date(server, page):
    open_page(page, server)
    expect(header(page)).to_contain_text("Data through 31 May 2026")
    expect(header(page)).to_contain_text("FY2026 year to date (Jul 2025 – May 2026), compared with the same months "
                                         "of FY2025")
    expect(cards(page)).to_have_count(len(SCORECARD))
    changes = deltas(page)
    assert sum(bool(d) for d in changes) >= len(SCORECARD) - 1, changes
    # The comparison is named beside the change, and dollars stand beside the shares.
    expect(cards(page).first).to_contain_text("vs the same months of FY2025")
    expect(main(page).locator(".st-key-dollars-spend")).to_contain_text("$")
    expect(main(page).locator(".st-key-card-mwbe_spend_share")).to_contain_text("paid")
    assert "fy" not in query_params(page)
    assert_no_exception(page, server)
    screenshot(page, "overview-year-to-date")


def test_a_chosen_fiscal_year_keeps_its_comparison(server, page):
    open_page(page, server)
    expect(cards(page)).to_have_count(len(SCORECARD))
    choose(page, "Fiscal year", "FY2025")
    expect(header(page)).to_contain_text("FY2025 (Jul 2024 – Jun 2025), compared with FY2024")
    changes = deltas(page)
    assert sum(bool(d) for d in changes) >= len(SCORECARD) - 1, changes
    expect(cards(page).first).to_contain_text("vs FY2024")
    assert query_params(page).get("fy") == ["FY2025"], page.url

    page.reload()  # a new session from the URL: the same year and the same comparison
    wait_idle(page)
    expect(header(page)).to_contain_text("compared with FY2024")
    assert sum(bool(d) for d in deltas(page)) >= len(SCORECARD) - 1

    # The running year chosen alone is still compared, like for like.
    sidebar(page).get_by_test_id("stMultiSelect").filter(has_text="Fiscal year").get_by_role(
        "button", name="Clear all").click()
    wait_idle(page)
    choose(page, "Fiscal year", "FY2026")
    expect(header(page)).to_contain_text("FY2026 year to date")
    assert sum(bool(d) for d in deltas(page)) >= len(SCORECARD) - 1
    assert_no_exception(page, server)


def test_last_twelve_months_is_one_click_away(server, page):
    open_page(page, server)
    sidebar(page).get_by_text("Last 12 months", exact=True).click()
    wait_idle(page)
    expect(header(page)).to_contain_text("12 months to May 2026 (Jun 2025 – May 2026), compared with the 12 months "
                                         "to May 2025")
    assert query_params(page).get("window") == ["Last 12 months"], page.url
    assert_no_exception(page, server)
