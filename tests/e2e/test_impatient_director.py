"""A director who does not wait: the first visit loads the sample city and computes the Overview, and she clicks
another page at once, then two more in quick succession. Streamlit starts each new run before the old one has
stopped, so two runs read the same workspace and the same DuckDB connection at the same time. The pages must
neither fail ("connection is busy") nor show a half-loaded city."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, main, sidebar, wait_idle

pytestmark = pytest.mark.xdist_group("e2e")


def test_pages_clicked_while_the_first_visit_still_loads(page, server):
    page.goto(server.url)
    nav = sidebar(page).get_by_role("link", name="Contract performance")
    nav.wait_for()  # the navigation is drawn before the first run's work is done
    nav.click()
    wait_idle(page, timeout=120_000)
    assert_no_exception(page, server)
    expect(main(page).get_by_text("Sample data.", exact=False)).to_be_visible()
    card = main(page).get_by_test_id("stMetric").first
    expect(card).to_contain_text("Key contracts off track")
    expect(card).to_contain_text("10 of 81")  # the sample city whole, not part of it

    for name in ("Overview", "Payments", "Equity"):  # each click before the last page has finished
        sidebar(page).get_by_role("link", name=name).click()
        page.wait_for_timeout(150)
    wait_idle(page, timeout=120_000)
    assert_no_exception(page, server)
    expect(main(page).get_by_role("heading", name="Equity").first).to_be_visible()
