"""Importing an export on the Data page in a real browser: upload, mapping, import with progress, history.

Its own server: the import replaces the sample city, which the other browser tests rely on.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.e2e.conftest import assert_no_exception, grid_rows, main, open_page, upload, wait_idle

pytestmark = pytest.mark.xdist_group("e2e")

EXPORT = ROOT / "sample_data" / "riverton_contract_register.xlsx"

# Columns of the sample contract register and the canonical column each must be mapped to.
EXPECTED_MAPPING = {
    "Contract #": "contract_id",
    "Department": "department",
    "Vendor Name": "vendor_name",
    "Start Date": "start_date",
    "Exp. Date": "end_date",
    "Original Amount": "original_amount",
    "Current Amount": "current_amount",
}

# Records every state a progress bar goes through, however briefly it is on screen.
WATCH_PROGRESS = """() => {
  window.__progress = [];
  const record = () => document.querySelectorAll('[data-testid="stProgress"]').forEach(p => {
    const bar = p.querySelector('[role="progressbar"]');
    window.__progress.push([Number(bar ? bar.getAttribute('aria-valuenow') : NaN), p.innerText.trim()]);
  });
  new MutationObserver(record).observe(document.body,
      {subtree: true, childList: true, attributes: true, characterData: true});
}"""


def test_upload_confirm_mapping_import_and_see_it_in_the_history(server, page):
    open_page(page, server, "data")
    upload(page, EXPORT)

    # The file is read and its sheet classified as the contracts table.
    expect(main(page).get_by_role("heading", name=EXPORT.name)).to_be_visible()
    expect(main(page).get_by_test_id("stExpander").filter(has_text="contracts").first).to_be_visible()

    # Confirm the mapping: each column of the export on the canonical column it holds.
    page.get_by_role("tab", name="Column mapping").click()
    wait_idle(page)
    panel = page.get_by_role("tabpanel", name="Column mapping")
    expect(panel.get_by_role("combobox").first).to_be_visible()
    mapping = {}
    for dropdown in panel.get_by_test_id("stSelectbox").all():
        # Each dropdown is named by its column exactly as the export writes it, for screen readers too
        # ('Contract #', 'Exp. Date': no Markdown escapes in the accessible name).
        box = dropdown.get_by_role("combobox")
        label = box.get_attribute("aria-label") or ""
        assert label == dropdown.get_by_test_id("stWidgetLabel").inner_text(), label
        mapping[label] = box.input_value()
    for column, canonical in EXPECTED_MAPPING.items():
        assert column in mapping, f"no mapping choice for {column!r}: {sorted(mapping)}"
        shown = mapping[column]
        assert shown.split()[0] == canonical, f"{column!r} mapped to {shown!r}, expected {canonical}"
        score = re.search(r"\((\d+)% match\)", shown)
        assert score and 50 <= int(score.group(1)) <= 100, f"{column!r}: match shown as {shown!r}"

    # Import, watching the progress bar until it completes.
    page.evaluate(WATCH_PROGRESS)
    button = main(page).get_by_role("button", name=re.compile(r"^Import [\d,]+ rows as contracts"))
    expect(button).to_be_enabled()
    rows = int(re.search(r"Import ([\d,]+) rows", button.inner_text()).group(1).replace(",", ""))
    button.click()
    wait_idle(page)
    # Over the sample city the app asks first; this office wants the sample gone at once.
    confirm = main(page).locator(".st-key-confirm-sample")
    expect(confirm).to_contain_text("The workspace shows the sample city")
    confirm.get_by_role("button", name="Import and remove the whole sample").click()
    page.wait_for_timeout(300)
    wait_idle(page, timeout=90_000)
    done = main(page).get_by_test_id("stAlertContentSuccess").filter(has_text="Imported")
    expect(done).to_contain_text(f"{rows:,} rows of contracts")
    expect(done).to_contain_text(EXPORT.name)
    progress = page.evaluate("window.__progress")
    values = [v for v, _ in progress if v == v]  # NaN-free
    assert values and max(values) == 100, f"the progress bar never completed: {progress}"
    assert any(text == "Done" for v, text in progress if v == 100), progress
    assert_no_exception(page)

    # The import is in the history, in use, with its rows.
    page.get_by_role("tab", name="Import history").click()
    wait_idle(page)
    history = page.get_by_role("tabpanel", name="Import history").get_by_test_id("stDataFrame").first
    expect(history).to_be_visible()
    ours = [r for r in grid_rows(history) if r.get("Source file") == EXPORT.name and r.get("Table") == "contracts"
            and r.get("Status", "current") == "current"]
    assert len(ours) == 1, grid_rows(history)
    assert ours[0].get("Rows loaded", "").replace(",", "") == str(rows), ours[0]

    # And the app now shows the office's data: the sample label is gone (the sample was replaced).
    open_page(page, server)
    expect(main(page).get_by_role("heading", name="Procurement scorecard")).to_be_visible()
    expect(main(page).get_by_test_id("stAlertContentInfo").filter(has_text="Sample data")).to_have_count(0)
    assert_no_exception(page, server)
