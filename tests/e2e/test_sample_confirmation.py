"""The sample city is never replaced without asking: a real browser, its own server (the import changes data)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, main, open_page, upload, wait_idle

pytestmark = pytest.mark.xdist_group("e2e")

CHECKS = (
    "Check No.,Check Date,Vendor Name,Department,Check Amount,Date Received\n"
    "9001,07/15/2025,Acme Paving,Public Works,\"$1,200.00\",07/01/2025\n"
    "9002,08/20/2025,Bolt Supply,Parks,$560.50,07/05/2025\n"
)


def test_import_over_the_sample_asks_first_then_keeps_the_other_tables(server, page, tmp_path):
    """Import asks before anything changes; Cancel changes nothing; 'keep' replaces only the sample's
    payments and the app says which tables still hold the sample."""
    export = tmp_path / "office_checks.csv"
    export.write_text(CHECKS)
    open_page(page, server, "data")
    expect(main(page).locator(".st-key-sample-status")).to_contain_text("holds the sample city")
    upload(page, export)
    import_button = main(page).get_by_role("button", name=re.compile(r"^Import [\d,]+ rows as payments"))
    import_button.click()
    wait_idle(page)
    confirm = main(page).locator(".st-key-confirm-sample")
    expect(confirm).to_contain_text("The workspace shows the sample city")
    expect(main(page).locator(".st-key-sample-status")).to_contain_text("holds the sample city")  # unchanged

    confirm.get_by_role("button", name="Cancel").click()
    wait_idle(page)
    expect(main(page).locator(".st-key-confirm-sample")).to_have_count(0)
    expect(main(page).locator(".st-key-sample-status")).to_contain_text("holds the sample city")

    import_button.click()
    wait_idle(page)
    main(page).locator(".st-key-confirm-sample").get_by_role(
        "button", name="Import, keep the other sample tables for now").click()
    page.wait_for_timeout(300)
    wait_idle(page, timeout=90_000)
    expect(main(page).get_by_test_id("stAlertContentSuccess").filter(has_text="Imported")).to_contain_text(
        "2 rows of payments")
    status = main(page).locator(".st-key-sample-status")
    expect(status).to_contain_text("Some tables still hold the sample city")
    expect(status).not_to_contain_text("payments")
    banner = main(page).get_by_test_id("stAlertContentInfo").filter(has_text="Partly sample data")
    expect(banner).to_contain_text("vendors")
    assert_no_exception(page, server)
