"""Speed KPIs: each one against its goal, broken down, and the records behind it."""

from ui.theme import theme_page

theme_page(
    "app_pages/speed.py",
    intro="How long departments wait: from requisition to award, from bid opening to award, and whether contracts are signed before work starts.",
)
