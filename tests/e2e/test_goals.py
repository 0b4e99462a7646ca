"""A goal edited on the Goals page outlives a server restart (it lives in the workspace, not the session)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, grid_rows, main, open_page, wait_idle

pytestmark = pytest.mark.xdist_group("e2e")

KPI_ID = "procurement_lead_time_days"
KPI_TITLE = "Procurement lead time"
NEW_TARGET = 45  # days; the registry's default goal is 60


def goals_grid(page):
    grid = main(page).get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible()
    return grid


def goal_row(page) -> dict[str, str]:
    rows = [r for r in grid_rows(goals_grid(page)) if r.get("KPI") in (KPI_ID, KPI_TITLE)]
    assert rows, f"no goal row for {KPI_ID}: {grid_rows(goals_grid(page))[:3]}"
    return rows[0]


def edit_cell(page, grid, row: int, column: str, text: str, attempts: int = 3) -> None:
    """Type into one cell of a data editor as a user does: click the row, move to the column, Enter, type, Enter.

    Rows are counted from 0 under the header; the grid's rows are the default 35 px high. The grid is a
    canvas whose overlay editor can miss a click or drop keys on a loaded machine (CI once saw the editor
    never open): each attempt is checked, in the overlay and then in the grid's accessible table, and a
    failed one is escaped and made again.
    """
    head = list(grid_rows(grid)[0])
    for attempt in range(1, attempts + 1):
        try:
            _type_into_cell(page, grid, row, head.index(column), text)
        except AssertionError:
            if attempt == attempts:
                raise
            page.keyboard.press("Escape")
            wait_idle(page)
            continue
        if grid_rows(grid)[row].get(column) == text:
            return
    raise AssertionError(f"the edit of {column!r} in row {row} to {text!r} did not land: {grid_rows(grid)[row]}")


def _type_into_cell(page, grid, row: int, column_index: int, text: str) -> None:
    wait_idle(page)
    canvas = grid.get_by_test_id("data-grid-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + 40, box["y"] + 35 * (row + 1) + 17)  # first column of the row
    for _ in range(column_index):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    editor = page.locator("#portal .gdg-input, #portal input, #portal textarea").first
    expect(editor).to_be_focused()
    page.wait_for_timeout(250)  # the overlay settles a moment after it takes the focus
    page.keyboard.press("Control+a")
    page.keyboard.type(text)
    expect(editor).to_have_value(text)
    page.wait_for_timeout(250)
    page.keyboard.press("Enter")
    expect(editor).to_have_count(0)  # committed: the overlay is gone
    page.wait_for_timeout(300)
    wait_idle(page)


def test_edited_goal_survives_a_server_restart(server, page):
    open_page(page, server, "goals")
    grid = goals_grid(page)
    before = goal_row(page)
    assert float(before["Target"]) != NEW_TARGET, before
    rows = grid_rows(grid)
    index = next(i for i, r in enumerate(rows) if r.get("KPI") in (KPI_ID, KPI_TITLE))

    edit_cell(page, grid, index, "Target", str(NEW_TARGET))
    expect(main(page).get_by_text("1 goal set by your office", exact=False)).to_be_visible()
    assert float(goal_row(page)["Target"]) == NEW_TARGET
    assert main(page).get_by_test_id("stAlertContentError").count() == 0
    assert_no_exception(page)

    server.restart()

    # A new session on the restarted server: the Goals page and the Overview card show the new goal.
    fresh = page.context.new_page()
    open_page(fresh, server, "goals")
    assert float(goal_row(fresh)["Target"]) == NEW_TARGET, goal_row(fresh)
    expect(main(fresh).get_by_text("1 goal set by your office", exact=False)).to_be_visible()
    open_page(fresh, server, grain="Fiscal year")
    card = main(fresh).locator(f".st-key-card-{KPI_ID}")
    expect(card).to_contain_text(f"Goal ≤ {NEW_TARGET} days")
    assert_no_exception(fresh, server)
